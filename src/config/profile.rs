//! The validated profile: what `conn` acts on after the file has been checked.
//!
//! Every vendor type is lowered here to one shape — an API base, an [`Auth`] and a
//! [`Probe`] — plus the vendor facts that only the diagnosis needs ([`Vendor`]). No code past
//! this point handles a missing required value.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::secret::Source;

/// Connection settings shared by every request of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Net {
    /// Total deadline for one HTTP exchange.
    pub timeout: Duration,
    /// Deadline for establishing a TCP connection.
    pub connect_timeout: Duration,
    /// Extra trusted root certificates (PEM).
    pub ca_file: Option<PathBuf>,
    /// Explicit proxy; else the environment's.
    pub proxy: Option<Url>,
    /// Credentials for the explicit proxy, from `proxy = { url, username, password }`.
    pub proxy_auth: Option<ProxyAuth>,
    /// Skip certificate checks (warned on every run).
    pub insecure_tls: bool,
    /// Allow `http://` for credential-bearing calls to non-loopback hosts.
    pub allow_insecure_http: bool,
    /// Client certificate for mutual TLS (PEM).
    pub client_cert: Option<PathBuf>,
    /// Private key of the client certificate (PEM).
    pub client_key: Option<PathBuf>,
}

impl Default for Net {
    fn default() -> Self {
        Net {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            ca_file: None,
            proxy: None,
            proxy_auth: None,
            insecure_tls: false,
            allow_insecure_http: false,
            client_cert: None,
            client_key: None,
        }
    }
}

/// A proxy's user name and password, the password from a secret source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyAuth {
    /// The user name (not secret).
    pub username: String,
    /// Where the password comes from.
    pub password: Source,
}

impl std::hash::Hash for ProxyAuth {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // Equal settings hash equally: the source as shown names it (never a value).
        self.username.hash(h);
        self.password.describe().hash(h);
    }
}

/// The profile's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileType {
    /// Hypatos Studio API.
    Hypatos,
    /// Hypergene Portfolios.
    Hypergene,
    /// Any REST API.
    Rest,
}

impl ProfileType {
    /// As written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileType::Hypatos => "hypatos",
            ProfileType::Hypergene => "hypergene",
            ProfileType::Rest => "rest",
        }
    }
}

/// How the client authenticates at a token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAuth {
    /// RFC 6749 §2.3.1: form-encode id and secret, then HTTP Basic.
    Basic,
    /// HTTP Basic without the form-encoding step.
    BasicRaw,
    /// `client_id` and `client_secret` in the form body.
    Post,
    /// A JWT signed with the client's key (RFC 7523 §2.2, OpenID Connect Core §9).
    PrivateKeyJwt,
    /// An assertion issued by someone else (a federated credential).
    ClientAssertion,
}

impl ClientAuth {
    /// As written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuth::Basic => "basic",
            ClientAuth::BasicRaw => "basic-raw",
            ClientAuth::Post => "post",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
            ClientAuth::ClientAssertion => "client_assertion",
        }
    }

    /// Whether the client sends an assertion instead of a secret.
    pub fn is_assertion(self) -> bool {
        matches!(self, ClientAuth::PrivateKeyJwt | ClientAuth::ClientAssertion)
    }
}

/// An OAuth client at a token endpoint.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    /// Token endpoint.
    pub token_url: Url,
    /// Client identifier.
    pub client_id: Source,
    /// Client secret (public clients have none).
    pub client_secret: Option<Source>,
    /// Scopes to request (empty: none sent).
    pub scopes: Vec<String>,
    /// Client authentication method.
    pub client_auth: ClientAuth,
    /// Extra form fields for the token request.
    pub token_params: Vec<(String, String)>,
    /// The assertion, for `private_key_jwt` and `client_assertion`.
    pub assertion: Option<super::assertion::Assertion>,
}

/// Settings of the interactive (browser) kinds.
#[derive(Debug, Clone)]
pub struct Interactive {
    /// OIDC issuer, when discovery is used.
    pub issuer: Option<Url>,
    /// Authorization endpoint (known up front, or found by discovery).
    pub authorization_url: Option<Url>,
    /// Use PKCE S256.
    pub pkce: bool,
    /// Extra authorization request parameters.
    pub extra_params: Vec<(String, String)>,
    /// Pre-fills the user's email on the login page.
    pub login_hint: Option<String>,
    /// The sign-in never rides on the browser's session at the provider (`login` is added to
    /// `prompt`); its tokens are stored and used like any login's.
    pub private_session: bool,
    /// Shown in prompts.
    pub display_name: Option<String>,
    /// Fixed loopback port for the redirect URI.
    pub redirect_port: Option<u16>,
    /// OpenID Connect (ID token, nonce).
    pub oidc: bool,
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyIn {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
}

/// How requests are authenticated.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No credentials.
    None,
    /// HTTP Basic on every API call.
    Basic {
        /// User name.
        username: Source,
        /// Password.
        password: Source,
    },
    /// A static API key.
    ApiKey {
        /// The key.
        key: Source,
        /// Header or query parameter name.
        name: String,
        /// Header or query.
        location: KeyIn,
    },
    /// OAuth 2.0 client credentials grant.
    ClientCredentials(OAuthClient),
    /// OAuth 2.0 resource owner password grant (deprecated by RFC 9700).
    Password {
        /// The client.
        client: OAuthClient,
        /// Resource owner.
        username: Source,
        /// Resource owner's password.
        password: Source,
    },
    /// Authorization code with PKCE, or OpenID Connect.
    Interactive {
        /// The client (token URL may come from discovery).
        client: OAuthClient,
        /// Browser-flow settings.
        flow: Interactive,
    },
}

impl Auth {
    /// The auth kind, whose table says its keys, secrets and grant.
    pub fn auth_kind(&self) -> super::AuthKind {
        use super::AuthKind as K;
        match self {
            Auth::None => K::None,
            Auth::Basic { .. } => K::Basic,
            Auth::ApiKey { .. } => K::ApiKey,
            Auth::ClientCredentials(_) => K::ClientCredentials,
            Auth::Password { .. } => K::Password,
            Auth::Interactive { flow, .. } if flow.oidc => K::OpenIdConnect,
            Auth::Interactive { .. } => K::AuthorizationCode,
        }
    }

    /// The auth kind's name in reports.
    pub fn kind(&self) -> &'static str {
        self.auth_kind().name()
    }

    /// The OAuth client, for the kinds that have one.
    pub fn oauth(&self) -> Option<&OAuthClient> {
        match self {
            Auth::ClientCredentials(c) => Some(c),
            Auth::Password { client, .. } | Auth::Interactive { client, .. } => Some(client),
            Auth::None | Auth::Basic { .. } | Auth::ApiKey { .. } => None,
        }
    }
}

/// The read-only call made after credentials are obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Chosen by the vendor logic (Hypatos: from the granted scopes).
    Auto,
    /// Token only.
    Off,
    /// A configured request.
    Request(ProbeRequest),
}

/// A configured probe request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeRequest {
    /// `GET`, `HEAD` or `OPTIONS`.
    pub method: String,
    /// Absolute URL.
    pub url: Url,
    /// Accepted statuses; empty means any 2xx.
    pub expect: Vec<u16>,
}

/// Vendor facts the diagnosis needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vendor {
    /// Hypatos Studio API v2.
    Hypatos,
    /// Hypergene Portfolios.
    Hypergene {
        /// The portfolio id.
        portfolio_id: String,
        /// Entra tenant, when the token URL was derived from it.
        entra: Option<Entra>,
    },
    /// Generic REST.
    Rest,
}

/// Where an Entra tenant lives, for the secret-free discovery pre-flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entra {
    /// Login host, e.g. `https://login.microsoftonline.com`.
    pub authority: Url,
    /// Tenant GUID or domain name.
    pub tenant: String,
}

impl Entra {
    /// `{authority}/{tenant}/v2.0/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> Option<Url> {
        join(
            &self.authority,
            &format!("{}/v2.0/.well-known/openid-configuration", self.tenant),
        )
    }
}

/// A profile, resolved and validated.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Name in the file.
    pub name: String,
    /// Selected environment.
    pub env: Option<String>,
    /// `type`.
    pub ty: ProfileType,
    /// Free text.
    pub description: Option<String>,
    /// Tags for `--tag`.
    pub tags: Vec<String>,
    /// Connection settings.
    pub net: Net,
    /// API base URL.
    pub api_base: Url,
    /// Authentication.
    pub auth: Auth,
    /// Probe.
    pub probe: Probe,
    /// Vendor facts.
    pub vendor: Vendor,
    /// Environments the profile defines.
    pub environments: Vec<String>,
}

impl Profile {
    /// `name` or `name@env`.
    pub fn display_name(&self) -> String {
        match &self.env {
            Some(e) => format!("{}@{e}", self.name),
            None => self.name.clone(),
        }
    }

    /// The probe URL a user would see, when one is known before any token is obtained.
    pub fn probe_url(&self) -> Option<Url> {
        match &self.probe {
            Probe::Request(r) => Some(r.url.clone()),
            Probe::Off => None,
            Probe::Auto => match (&self.vendor, &self.auth) {
                (Vendor::Hypergene { .. }, Auth::Basic { .. }) => Some(self.api_base.clone()),
                _ => None,
            },
        }
    }
}

/// Append `path` below `base` (unlike `Url::join`, never drops the last segment of `base`).
pub fn join(base: &Url, path: &str) -> Option<Url> {
    Url::parse(&joined(base, path)).ok()
}

/// The text of [`join`]'s URL, before parsing.
pub fn joined(base: &Url, path: &str) -> String {
    let mut s = base.as_str().trim_end_matches('/').to_string();
    // Keep any query of the base out of the way of the path.
    if base.query().is_some() || base.fragment().is_some() {
        let mut b = base.clone();
        b.set_query(None);
        b.set_fragment(None);
        s = b.as_str().trim_end_matches('/').to_string();
    }
    let path = path.trim_start_matches('/');
    if !path.is_empty() {
        s.push('/');
        s.push_str(path);
    }
    s
}

/// Whether a URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

/// A URL as it may be shown: a password and credential query values masked.
pub use crate::redact::url::shown;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_the_base_path() {
        let base = Url::parse("https://api.cloud.hypatos.ai/v2").unwrap();
        assert_eq!(
            join(&base, "/documents?limit=1").unwrap().as_str(),
            "https://api.cloud.hypatos.ai/v2/documents?limit=1"
        );
        let slash = Url::parse("https://h/x/").unwrap();
        assert_eq!(join(&slash, "auth/token").unwrap().as_str(), "https://h/x/auth/token");
    }

    #[test]
    fn loopback_and_shown() {
        assert!(is_loopback(&Url::parse("http://127.0.0.1:8/").unwrap()));
        assert!(is_loopback(&Url::parse("http://[::1]/").unwrap()));
        assert!(is_loopback(&Url::parse("http://localhost/").unwrap()));
        assert!(!is_loopback(&Url::parse("http://10.0.0.1/").unwrap()));
        assert_eq!(shown(&Url::parse("https://u:p@h/x").unwrap()), "https://u:********@h/x");
    }
}

//! The auth kinds of a `rest` profile (`auth.type`), described once: their names, the keys
//! each accepts and requires, which keys hold secrets, whether it has a token endpoint, its
//! grant and whether a person must sign in. Parsing, `validate`'s key lists, `add`, `show`,
//! `--curl` and the grant selection all read this table; a new kind is a variant here, its
//! parsing in `parse`, and its [`crate::config::Auth`] shape.

/// One `auth.type` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// No credentials.
    None,
    /// HTTP Basic on every API call.
    Basic,
    /// A static API key in a header or the query.
    ApiKey,
    /// OAuth 2.0 client credentials grant.
    ClientCredentials,
    /// OAuth 2.0 resource owner password grant.
    Password,
    /// Authorization code with PKCE, signed in once in a browser.
    AuthorizationCode,
    /// OpenID Connect (authorization code with discovery).
    OpenIdConnect,
}

/// How a kind obtains its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// No token: credentials go on every call (or none at all).
    NoToken,
    /// `grant_type=client_credentials`.
    ClientCredentials,
    /// `grant_type=password`.
    Password,
    /// `grant_type=authorization_code`, after a sign-in.
    AuthorizationCode,
}

impl Grant {
    /// Its `grant_type` value, when it asks a token endpoint.
    pub fn grant_type(self) -> Option<&'static str> {
        match self {
            Grant::NoToken => None,
            Grant::ClientCredentials => Some("client_credentials"),
            Grant::Password => Some("password"),
            Grant::AuthorizationCode => Some("authorization_code"),
        }
    }
}

/// Keys of every OAuth kind.
const OAUTH_KEYS: &[&str] = &[
    "token_url",
    "client_id",
    "client_secret",
    "scopes",
    "scope",
    "client_auth",
    "token_params",
];
/// Keys of the kinds a person signs in to.
const INTERACTIVE_KEYS: &[&str] = &[
    "extra_params",
    "login_hint",
    "private_session",
    "display_name",
    "redirect_port",
];

impl AuthKind {
    /// Every kind, in the order messages list them.
    pub const ALL: [AuthKind; 7] = [
        AuthKind::None,
        AuthKind::Basic,
        AuthKind::ApiKey,
        AuthKind::ClientCredentials,
        AuthKind::Password,
        AuthKind::AuthorizationCode,
        AuthKind::OpenIdConnect,
    ];

    /// Its `auth.type` value, also its name in reports.
    pub const fn name(self) -> &'static str {
        match self {
            AuthKind::None => "none",
            AuthKind::Basic => "basic",
            AuthKind::ApiKey => "api-key",
            AuthKind::ClientCredentials => "oauth2-client-credentials",
            AuthKind::Password => "oauth2-password",
            AuthKind::AuthorizationCode => "oauth2-authorization-code",
            AuthKind::OpenIdConnect => "openid-connect",
        }
    }

    /// The kind named `s`.
    pub fn from_name(s: &str) -> Option<AuthKind> {
        AuthKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Every key its `auth` table accepts besides `type`.
    pub fn keys(self) -> Vec<&'static str> {
        let own: &[&str] = match self {
            AuthKind::None => &[],
            AuthKind::Basic => &["username", "password"],
            AuthKind::ApiKey => &["key", "name", "in"],
            AuthKind::ClientCredentials => &[],
            AuthKind::Password => &["username", "password"],
            AuthKind::AuthorizationCode => &["authorization_url", "pkce"],
            AuthKind::OpenIdConnect => &["issuer", "authorization_url"],
        };
        let mut v = Vec::new();
        if self.has_token_endpoint() {
            v.extend_from_slice(OAUTH_KEYS);
            v.extend_from_slice(super::assertion::ASSERTION_KEYS);
        }
        if self.interactive() {
            v.extend_from_slice(INTERACTIVE_KEYS);
        }
        v.extend_from_slice(own);
        v
    }

    /// The credential keys it always requires (the OAuth client's and endpoints' own rules
    /// are checked with the client).
    pub fn required_credentials(self) -> &'static [&'static str] {
        match self {
            AuthKind::Basic | AuthKind::Password => &["username", "password"],
            AuthKind::ApiKey => &["key"],
            AuthKind::None | AuthKind::ClientCredentials | AuthKind::AuthorizationCode | AuthKind::OpenIdConnect => &[],
        }
    }

    /// The keys that hold secrets.
    pub fn secret_keys(self) -> &'static [&'static str] {
        match self {
            AuthKind::None => &[],
            AuthKind::Basic => &["password"],
            AuthKind::ApiKey => &["key"],
            AuthKind::Password => &[
                "client_secret",
                "password",
                "private_key",
                "pkcs12_password",
                "client_assertion",
            ],
            AuthKind::ClientCredentials | AuthKind::AuthorizationCode | AuthKind::OpenIdConnect => {
                &["client_secret", "private_key", "pkcs12_password", "client_assertion"]
            }
        }
    }

    /// How it obtains a token.
    pub fn grant(self) -> Grant {
        match self {
            AuthKind::None | AuthKind::Basic | AuthKind::ApiKey => Grant::NoToken,
            AuthKind::ClientCredentials => Grant::ClientCredentials,
            AuthKind::Password => Grant::Password,
            AuthKind::AuthorizationCode | AuthKind::OpenIdConnect => Grant::AuthorizationCode,
        }
    }

    /// Whether it asks a token endpoint for its token.
    pub fn has_token_endpoint(self) -> bool {
        self.grant() != Grant::NoToken
    }

    /// Whether a person must sign in first (`conn login`).
    pub fn interactive(self) -> bool {
        self.grant() == Grant::AuthorizationCode
    }

    /// The keys `conn add` asks for, as dotted paths in a `rest` profile.
    pub fn questions(self) -> &'static [&'static str] {
        match self {
            AuthKind::None => &["base_url"],
            AuthKind::Basic => &["base_url", "auth.username", "auth.password"],
            AuthKind::ApiKey => &["base_url", "auth.key"],
            AuthKind::ClientCredentials => &["base_url", "auth.token_url", "auth.client_id", "auth.client_secret"],
            AuthKind::Password => &[
                "base_url",
                "auth.token_url",
                "auth.client_id",
                "auth.username",
                "auth.password",
            ],
            AuthKind::AuthorizationCode => &["base_url", "auth.authorization_url", "auth.token_url", "auth.client_id"],
            AuthKind::OpenIdConnect => &["base_url", "auth.issuer", "auth.client_id"],
        }
    }
}

/// Every `auth.type` value, in order.
pub const NAMES: [&str; 7] = {
    let mut out = [""; 7];
    let mut i = 0;
    while i < AuthKind::ALL.len() {
        out[i] = AuthKind::ALL[i].name();
        i += 1;
    }
    out
};

/// What `conn add --auth` accepts: every kind, and `oauth2` (a hypergene profile's default).
pub const ADD_NAMES: [&str; 8] = {
    let mut out = ["oauth2"; 8];
    let mut i = 0;
    while i < NAMES.len() {
        out[i] = NAMES[i];
        i += 1;
    }
    out
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_found_by_its_name() {
        for k in AuthKind::ALL {
            assert_eq!(AuthKind::from_name(k.name()), Some(k));
            for key in k.secret_keys().iter().chain(k.required_credentials()) {
                assert!(k.keys().contains(key), "{}: {key}", k.name());
            }
            for q in k.questions() {
                let key = q.strip_prefix("auth.").unwrap_or(q);
                assert!(*q == "base_url" || k.keys().contains(&key), "{}: {q}", k.name());
            }
        }
        assert_eq!(AuthKind::from_name("oauth2"), None);
        assert_eq!(ADD_NAMES[7], "oauth2");
    }
}

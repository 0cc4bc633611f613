//! `conn login`: a person signs in once in a browser, and the result (access and refresh
//! token, verified ID token claims) is stored by [`crate::session`]; later `conn test` and
//! `conn token` refresh it without a browser.
//!
//! Authorization code with PKCE S256 ([`pkce`]), a random `state`, and for OpenID Connect a
//! `nonce` and ID token checks ([`idtoken`]) after discovery ([`discovery`]); the redirect
//! comes back to a listener on 127.0.0.1 ([`callback`]); the browser is opened by
//! [`browser`]; [`code`] runs that flow. Headless machines use the device authorization
//! grant ([`device`]).

pub mod browser;
pub mod callback;
pub mod code;
pub mod device;
pub mod discovery;
pub mod idtoken;
pub mod pkce;

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::clock::now_secs;
use crate::config::{Auth, Interactive, OAuthClient, Profile, is_loopback, shown};
use crate::creds::Resolved;
use crate::exit::Category;
use crate::finding::{Finding, clean};
use crate::net::body::MAX_BODY;
use crate::oauth::diagnose;
use crate::oauth::token::{self, Token};

/// How long a login waits for the browser unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Choices for one login.
#[derive(Debug, Clone)]
pub struct Options {
    /// Print the address instead of opening a browser.
    pub no_browser: bool,
    /// Use the device authorization grant.
    pub device: bool,
    /// How long to wait for the person.
    pub timeout: Duration,
}

/// Where the provider's endpoints are.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// Authorization endpoint.
    pub authorization: Url,
    /// Token endpoint.
    pub token: Url,
    /// Device endpoint, when offered.
    pub device: Option<Url>,
    /// Signing keys (OIDC).
    pub jwks: Option<Url>,
    /// Issuer, when known (OIDC).
    pub issuer: Option<String>,
    /// Whether the provider sends `iss` with the callback.
    pub iss_parameter: bool,
}

/// The interactive parts of a profile.
pub fn parts(p: &Profile) -> Option<(&OAuthClient, &Interactive)> {
    match &p.auth {
        Auth::Interactive { client, flow } => Some((client, flow)),
        Auth::None | Auth::Basic { .. } | Auth::ApiKey { .. } | Auth::ClientCredentials(_) | Auth::Password { .. } => {
            None
        }
    }
}

/// A refusal to talk to `u` over plain http (loopback and `allow_insecure_http` aside).
pub fn insecure(u: &Url, p: &Profile) -> Option<Finding> {
    (u.scheme() == "http" && !is_loopback(u) && !p.net.allow_insecure_http).then(|| {
        Finding::plain(
            "plain_http_login",
            Category::Config,
            format!("refusing to sign in over plain http at {}", shown(u)),
        )
        .hint("the provider must use https://; for a trusted network set allow_insecure_http = true")
    })
}

/// Find the endpoints: from discovery when the profile names an issuer (explicit URLs in the
/// profile win), else from the profile.
pub async fn endpoints(http: &reqwest::Client, p: &Profile, timeout: Duration) -> Result<Endpoints, Finding> {
    let (client, flow) =
        parts(p).ok_or_else(|| Finding::plain("not_interactive", Category::Config, "not an interactive profile"))?;
    let e = match &flow.issuer {
        Some(issuer) => {
            let m = discovery::discover(http, issuer, flow.pkce, timeout).await?;
            let explicit_token = (client.token_url != *issuer).then(|| client.token_url.clone());
            Endpoints {
                authorization: flow.authorization_url.clone().unwrap_or(m.authorization_endpoint),
                token: explicit_token.unwrap_or(m.token_endpoint),
                device: m.device_authorization_endpoint,
                jwks: m.jwks_uri,
                issuer: Some(m.issuer),
                iss_parameter: m.iss_parameter,
            }
        }
        None => Endpoints {
            authorization: flow.authorization_url.clone().ok_or_else(|| {
                Finding::plain(
                    "authorization_url_missing",
                    Category::Config,
                    "authorization_url is not set",
                )
            })?,
            token: client.token_url.clone(),
            device: None,
            jwks: None,
            issuer: None,
            iss_parameter: false,
        },
    };
    for u in [
        Some(&e.authorization),
        Some(&e.token),
        e.device.as_ref(),
        e.jwks.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(f) = insecure(u, p) {
            return Err(f);
        }
    }
    Ok(e)
}

/// The per-login values of an authorization request.
pub struct AuthRequest<'a> {
    /// Client id.
    pub client_id: &'a str,
    /// The loopback redirect URI.
    pub redirect_uri: &'a str,
    /// CSRF protection.
    pub state: &'a str,
    /// PKCE S256 challenge, when PKCE is used.
    pub challenge: Option<&'a str>,
    /// OIDC nonce.
    pub nonce: Option<&'a str>,
}

/// The authorization request URL (RFC 6749 §4.1.1 with RFC 7636 and OIDC additions).
pub fn authorization_url(e: &Endpoints, c: &OAuthClient, f: &Interactive, r: &AuthRequest<'_>) -> Url {
    let AuthRequest {
        client_id,
        redirect_uri,
        state,
        challenge,
        nonce,
    } = *r;
    let mut u = e.authorization.clone();
    let extra = |k: &str| f.extra_params.iter().any(|(x, _)| x == k);
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("response_type", "code");
        q.append_pair("client_id", client_id);
        q.append_pair("redirect_uri", redirect_uri);
        if !c.scopes.is_empty() {
            q.append_pair("scope", &c.scopes.join(" "));
        }
        q.append_pair("state", state);
        if let Some(ch) = challenge {
            q.append_pair("code_challenge", ch);
            q.append_pair("code_challenge_method", "S256");
        }
        if let Some(n) = nonce {
            q.append_pair("nonce", n);
        }
        if let Some(h) = &f.login_hint
            && !extra("login_hint")
        {
            q.append_pair("login_hint", h);
        }
        let prompt = prompt(f);
        if let Some(p) = &prompt {
            q.append_pair("prompt", p);
        }
        for (k, v) in &f.extra_params {
            if !(k == "prompt" && prompt.is_some()) {
                q.append_pair(k, v);
            }
        }
    }
    u
}

/// The `prompt` to send when conn decides it: with `private_session`, `login` is added to
/// the space-separated list in `extra_params` (OIDC Core §3.1.2.1), so the sign-in never rides
/// on the browser's session at the provider. `none` is dropped then, as it cannot be combined
/// with `login`. `None`: `extra_params` carries `prompt` as written, or there is none.
fn prompt(f: &Interactive) -> Option<String> {
    if !f.private_session {
        return None;
    }
    let given = f
        .extra_params
        .iter()
        .filter(|(k, _)| k == "prompt")
        .map(|(_, v)| v.as_str());
    let mut words = vec!["login"];
    for w in given.flat_map(str::split_whitespace) {
        if w != "none" && !words.contains(&w) {
            words.push(w);
        }
    }
    Some(words.join(" "))
}

/// What a person needs to hear during a login (stderr).
pub type Say<'a> = &'a (dyn Fn(&str) + Sync);

/// What a sign-in gave, for the session to store.
pub struct SignedIn {
    /// The token answer (access, refresh and ID token).
    pub token: Token,
    /// When it arrived, seconds since the epoch.
    pub received_at: i64,
    /// The token endpoint it came from.
    pub token_url: String,
    /// The verified ID token's claims worth keeping (OpenID Connect).
    pub id_claims: Option<serde_json::Map<String, Value>>,
}

/// One sign-in's inputs, shared by its browser ([`code`]) and device ([`device`]) flows.
pub struct Context<'a> {
    /// The HTTP client.
    pub http: &'a reqwest::Client,
    /// The profile.
    pub p: &'a Profile,
    /// Its OAuth client.
    pub c: &'a OAuthClient,
    /// Its resolved credentials.
    pub creds: &'a Resolved,
    /// The provider's endpoints.
    pub e: &'a Endpoints,
    /// The login's choices.
    pub opts: &'a Options,
    /// What the person is told.
    pub say: Say<'a>,
    /// Where HTTP exchanges are traced.
    pub trace: &'a (dyn Fn(String) + Sync),
}

/// Sign in; returns what the session stores.
pub async fn login(
    http: &reqwest::Client,
    p: &Profile,
    creds: &Resolved,
    opts: &Options,
    say: Say<'_>,
    trace: &(dyn Fn(String) + Sync),
) -> Result<SignedIn, Finding> {
    let (c, f) =
        parts(p).ok_or_else(|| Finding::plain("not_interactive", Category::Config, "not an interactive profile"))?;
    let e = endpoints(http, p, p.net.timeout).await?;
    let cx = Context {
        http,
        p,
        c,
        creds,
        e: &e,
        opts,
        say,
        trace,
    };
    let deadline = crate::duration::deadline_after(opts.timeout);
    let nonce = f.oidc.then(pkce::random);
    let tok = if opts.device {
        device::run(&cx).await?
    } else {
        code::run(&cx, f, nonce.as_deref(), deadline).await?
    };
    let id_claims = if f.oidc {
        let nonce = if opts.device { None } else { nonce.as_deref() };
        Some(id_claims(&cx, &tok, nonce).await?)
    } else {
        None
    };
    Ok(SignedIn {
        token: tok,
        received_at: now_secs(),
        token_url: e.token.to_string(),
        id_claims,
    })
}

/// The claims worth keeping of the token answer's ID token, once verified against the
/// provider's keys (and `nonce`, when one was sent).
async fn id_claims(
    cx: &Context<'_>,
    tok: &Token,
    nonce: Option<&str>,
) -> Result<serde_json::Map<String, Value>, Finding> {
    let e = cx.e;
    let id = tok.id_token.as_deref().ok_or_else(|| {
        Finding::plain("id_token_missing", Category::Endpoint, "the provider sent no ID token")
            .hint("an openid-connect profile must request the openid scope")
    })?;
    let jwks_url = e.jwks.as_ref().ok_or_else(|| {
        Finding::plain(
            "jwks_missing",
            Category::Endpoint,
            "the provider publishes no jwks_uri to check the ID token with",
        )
    })?;
    let jwks = fetch_json(cx.http, jwks_url, cx.p.net.timeout).await?;
    let issuer = e.issuer.as_deref().unwrap_or_default();
    let client_id = cx.creds.client_id.clone().unwrap_or_default();
    let claims = idtoken::verify(id, &jwks, issuer, &client_id, nonce, now_secs()).map_err(|why| {
        Finding::plain(
            "id_token_refused",
            Category::Authentication,
            format!("the ID token was refused: {why}"),
        )
    })?;
    let keep = ["iss", "sub", "aud", "exp", "iat", "email", "name", "preferred_username"];
    Ok(claims
        .into_iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .map(|(k, v)| (k, tidy(v)))
        .collect())
}

fn tidy(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(clean(&s, 200)),
        other => other,
    }
}

async fn fetch_json(http: &reqwest::Client, u: &Url, timeout: Duration) -> Result<Value, Finding> {
    let what = u.host_str().unwrap_or("the provider").to_string();
    let a = crate::net::fetch(http.get(u.clone()), timeout, MAX_BODY, &what).await?;
    if a.body.truncated || a.status != 200 {
        return Err(Finding::plain(
            "login_endpoint_status",
            Category::Endpoint,
            format!(
                "{} answered {}{}",
                shown(u),
                a.status,
                if a.body.truncated { " with more than 1 MiB" } else { "" }
            ),
        ));
    }
    serde_json::from_slice(&a.body.bytes).map_err(|_| {
        Finding::plain(
            "login_endpoint_not_json",
            Category::Endpoint,
            format!("{} is not JSON", shown(u)),
        )
    })
}

/// A token, or the diagnosis of a refused exchange.
pub fn token_or_finding(ex: token::Exchange, p: &Profile, c: &OAuthClient, creds: &Resolved) -> Result<Token, Finding> {
    let ctx = diagnose::Context {
        vendor: &p.vendor,
        auth: &p.auth,
        scopes: &c.scopes,
        secret_is_guid: creds
            .client_secret
            .as_ref()
            .is_some_and(|s| crate::oauth::obtain::is_guid(s.expose())),
        token_url: &shown(&c.token_url),
    };
    diagnose::settle(ex.answer, &ctx.facts())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(private_session: bool, extra: &[(&str, &str)]) -> Interactive {
        Interactive {
            issuer: None,
            authorization_url: None,
            pkce: true,
            extra_params: extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            login_hint: None,
            private_session,
            display_name: None,
            redirect_port: None,
            oidc: false,
        }
    }

    #[test]
    fn private_session_adds_login_to_the_prompt() {
        type Case<'a> = (bool, &'a [(&'a str, &'a str)], Option<&'a str>);
        let cases: &[Case] = &[
            (false, &[], None),
            (false, &[("prompt", "consent")], None),
            (true, &[], Some("login")),
            (true, &[("prompt", "consent")], Some("login consent")),
            (
                true,
                &[("prompt", "consent  select_account")],
                Some("login consent select_account"),
            ),
            (true, &[("prompt", "login")], Some("login")),
            (true, &[("prompt", "none")], Some("login")),
            (true, &[("audience", "x")], Some("login")),
        ];
        for (private, extra, want) in cases {
            assert_eq!(prompt(&flow(*private, extra)).as_deref(), *want, "{private} {extra:?}");
        }
    }

    #[test]
    fn the_authorization_url_carries_one_merged_prompt() {
        let e = Endpoints {
            authorization: Url::parse("https://idp.example/auth").unwrap(),
            token: Url::parse("https://idp.example/token").unwrap(),
            device: None,
            jwks: None,
            issuer: None,
            iss_parameter: false,
        };
        let c = OAuthClient {
            token_url: e.token.clone(),
            client_id: crate::secret::Source::Literal(crate::secret::Secret::new("app".to_string())),
            client_secret: None,
            scopes: vec![],
            client_auth: crate::config::ClientAuth::Basic,
            token_params: vec![],
            assertion: None,
        };
        let r = AuthRequest {
            client_id: "app",
            redirect_uri: "http://127.0.0.1:1/callback",
            state: "s",
            challenge: None,
            nonce: None,
        };
        let prompts = |f: &Interactive| -> Vec<String> {
            authorization_url(&e, &c, f, &r)
                .query_pairs()
                .filter(|(k, _)| k == "prompt")
                .map(|(_, v)| v.into_owned())
                .collect()
        };
        let extra = [("prompt", "consent"), ("audience", "api")];
        assert_eq!(prompts(&flow(true, &extra)), ["login consent"]);
        assert_eq!(prompts(&flow(false, &extra)), ["consent"]);
        let u = authorization_url(&e, &c, &flow(true, &extra), &r);
        assert!(u.query_pairs().any(|(k, v)| k == "audience" && v == "api"), "{u}");
    }
}

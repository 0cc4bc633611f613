//! Obtaining a token for a profile: the request, a quiet check of the other client
//! authentication methods when the client is rejected, the diagnosis, and — for
//! `conn token` — retries where they are safe.
//!
//! The answer is read by [`diagnose::refusal`], as [`diagnose::read`] reads a captured one.
//!
//! Retries: 429 and 503 wait for `Retry-After` (seconds or an HTTP date) when it fits in
//! the time left (a longer wait is named in the failure's hints); other 5xx and dropped connections back off exponentially with full
//! jitter. Everything stays inside one deadline.

use std::time::{Duration, Instant};

use crate::clock::now_secs;
use crate::config::auth_kind::Grant as AuthGrant;
use crate::config::{ClientAuth, OAuthClient, Profile, shown};
use crate::creds::Resolved;
use crate::failure::Failure;
use crate::finding::Finding;
use crate::oauth::diagnose;
use crate::oauth::server_error::ServerError;
use crate::oauth::token::{self, Answer, Grant, Token};
use crate::secret::Secret;

/// Longest wait for one retry.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Attempts at most, the first included.
pub const MAX_ATTEMPTS: u32 = 5;

/// A token and how it came.
pub struct Got {
    /// The token.
    pub token: Token,
    /// Time of the successful exchange.
    pub ms: u64,
    /// Its HTTP status.
    pub status: Option<u16>,
    /// The server's clock, from `Date`.
    pub server_date: Option<i64>,
    /// When it arrived, seconds since the epoch.
    pub received_at: i64,
}

/// Why no token came.
pub struct Failed {
    /// The diagnosis.
    pub finding: Finding,
    /// Time of the last exchange.
    pub ms: u64,
    /// Its HTTP status, when there was one.
    pub status: Option<u16>,
    /// What the server said.
    pub server_error: Option<ServerError>,
}

/// A failure of conn itself, before any request.
fn internal(what: &str) -> Failed {
    Failed {
        finding: Failure::internal(what),
        ms: 0,
        status: None,
        server_error: None,
    }
}

/// Request a token. With `retry_until`, retry where safe until that instant.
pub async fn obtain(
    http: &reqwest::Client,
    p: &Profile,
    c: &OAuthClient,
    creds: &Resolved,
    timeout: Duration,
    retry_until: Option<Instant>,
    trace: &(dyn Fn(String) + Sync),
) -> Result<Got, Failed> {
    let client_id = creds.client_id.clone().unwrap_or_default();
    let kind = p.auth.auth_kind();
    let password = match kind.grant() {
        AuthGrant::ClientCredentials => None,
        AuthGrant::Password => match creds.password.as_ref() {
            Some(pw) => Some(pw),
            None => return Err(internal("the password was not resolved with the profile")),
        },
        // Those kinds never come here: they have no token of their own to ask for.
        AuthGrant::NoToken | AuthGrant::AuthorizationCode => {
            return Err(internal(&format!(
                "{} has no grant to request a token with",
                kind.name()
            )));
        }
    };
    let grant = || match password {
        Some(password) => Grant::Password {
            username: creds.username.as_deref().unwrap_or(""),
            password,
        },
        None => Grant::ClientCredentials,
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let left = retry_until.map(|d| d.saturating_duration_since(Instant::now()));
        let req = token::Request {
            url: &c.token_url,
            client_id: &client_id,
            client_secret: creds.client_secret.as_ref(),
            assertion: creds.assertion.as_ref(),
            method: c.client_auth,
            grant: grant(),
            scopes: &c.scopes,
            params: &c.token_params,
            timeout: left.map_or(timeout, |l| l.min(timeout).max(Duration::from_millis(1))),
        };
        let ex = token::exchange(http, &req, trace).await;
        let received_at = now_secs();
        let wait = retry_until.and_then(|until| retry_wait(&ex, attempt, until));
        if let Some(w) = wait {
            trace(format!("retrying in {} ms", w.as_millis()));
            tokio::time::sleep(w).await;
            continue;
        }
        match ex.answer {
            Answer::Token(t) => {
                return Ok(Got {
                    token: t,
                    ms: ex.ms,
                    status: ex.status,
                    server_date: ex.server_date,
                    received_at,
                });
            }
            Answer::Transport(f) => {
                return Err(Failed {
                    finding: f,
                    ms: ex.ms,
                    status: None,
                    server_error: None,
                });
            }
            Answer::Refused {
                error,
                finding,
                throttle,
                ..
            } => {
                let ctx = diagnose::Context {
                    vendor: &p.vendor,
                    auth: &p.auth,
                    scopes: &c.scopes,
                    secret_is_guid: creds.client_secret.as_ref().is_some_and(|s| is_guid(s.expose())),
                    token_url: &shown(&c.token_url),
                };
                // The same reading as `diagnose::read`; the wait the server asks for is in its hints.
                let mut f = diagnose::refusal(&error, finding, &throttle, &ctx.facts());
                if client_rejected(&error)
                    && let Some(secret) = &creds.client_secret
                    && let Some(works) = other_method(http, &req, secret, trace).await
                {
                    f = Failure::ClientAuthMismatch {
                        inner: Box::new(f),
                        configured: c.client_auth.as_str(),
                        works: works.as_str(),
                    };
                }
                let server_error = (!error.is_empty() || error.scope.is_some()).then_some(error);
                return Err(Failed {
                    finding: f,
                    ms: ex.ms,
                    status: ex.status,
                    server_error,
                });
            }
        }
    }
}

/// How long to wait before another attempt, or `None` to stop.
fn retry_wait(ex: &token::Exchange, attempt: u32, until: Instant) -> Option<Duration> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    let retryable = match &ex.answer {
        Answer::Token(_) => return None,
        Answer::Transport(f) => f.is_transient(),
        Answer::Refused { error, .. } => matches!(error.status, 429 | 500 | 502 | 503 | 504),
    };
    if !retryable {
        return None;
    }
    let left = until.saturating_duration_since(Instant::now());
    let wait = match (&ex.answer, ex.retry_after) {
        (Answer::Refused { error, .. }, Some(after)) if matches!(error.status, 429 | 503) => after,
        _ => backoff(attempt),
    };
    // Leave time for the request itself.
    (wait + Duration::from_millis(100) < left).then_some(wait)
}

/// Full jitter: a random wait between 0 and min(cap, 200 ms × 2^attempt).
pub fn backoff(attempt: u32) -> Duration {
    let ceiling = Duration::from_millis(200)
        .saturating_mul(1 << attempt.min(10))
        .min(MAX_BACKOFF);
    let r = getrandom::u32().unwrap_or(u32::MAX / 2) as f64 / u32::MAX as f64;
    ceiling.mul_f64(r)
}

/// `Retry-After`, read where the token answer is read (re-exported for the retry rules).
pub use crate::net::httpdate::retry_after as parse_retry_after;

/// A GUID, as an Entra secret ID is.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The server rejected the client itself (not a user's password, not a scope).
fn client_rejected(e: &ServerError) -> bool {
    // Entra takes both methods alike; its codes already say what is wrong.
    if e.aadsts().is_some() {
        return false;
    }
    match e.error.as_deref() {
        // With the vendors' names for invalid_client (Salesforce, GitHub).
        Some("invalid_client" | "invalid_client_id" | "incorrect_client_credentials")
        | Some("unauthorized_client")
        | Some("invalid_request") => true,
        Some(_) => false,
        None => e.status == 401 || e.status == 400,
    }
}

/// Try the other client authentication methods once, quietly. Returns the one that works.
async fn other_method(
    http: &reqwest::Client,
    req: &token::Request<'_>,
    secret: &Secret,
    trace: &(dyn Fn(String) + Sync),
) -> Option<ClientAuth> {
    let differ = token::encodings_differ(req.client_id, secret.expose());
    let candidates: Vec<ClientAuth> = match req.method {
        ClientAuth::Basic if differ => vec![ClientAuth::BasicRaw, ClientAuth::Post],
        ClientAuth::BasicRaw if differ => vec![ClientAuth::Basic, ClientAuth::Post],
        ClientAuth::Basic | ClientAuth::BasicRaw => vec![ClientAuth::Post],
        ClientAuth::Post => vec![ClientAuth::Basic],
        // An assertion is the only way such a client proves itself.
        ClientAuth::PrivateKeyJwt | ClientAuth::ClientAssertion => return None,
    };
    for m in candidates {
        trace(format!(
            "trying client_auth = \"{}\" to see whether the server accepts it",
            m.as_str()
        ));
        let grant = match &req.grant {
            Grant::ClientCredentials => Grant::ClientCredentials,
            Grant::Password { username, password } => Grant::Password { username, password },
            Grant::Refresh(r) => Grant::Refresh(r),
            // Codes are single-use: never sent twice.
            Grant::AuthorizationCode { .. } | Grant::DeviceCode(_) => return None,
        };
        let alt = token::Request {
            url: req.url,
            client_id: req.client_id,
            client_secret: Some(secret),
            assertion: None,
            method: m,
            grant,
            scopes: req.scopes,
            params: req.params,
            timeout: req.timeout,
        };
        if let Answer::Token(_) = token::exchange(http, &alt, trace).await.answer {
            return Some(m);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid() {
        assert!(is_guid("bbbbbbbb-0000-4000-8000-000000000002"));
        assert!(!is_guid("Qx8~demo.Secret_Value-1"));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("999999999"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn backoff_is_bounded_and_spread() {
        let waits: Vec<Duration> = (0..50).map(|_| backoff(3)).collect();
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(1600)));
        let first = waits[0];
        assert!(waits.iter().any(|w| *w != first), "no jitter");
    }
}

#[cfg(test)]
mod proptests {
    //! Property tests of the `Retry-After` parser: it never panics, never waits more than a
    //! day, and reads delta-seconds exactly.
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn bounded_and_never_panics(v in prop_oneof![".{0,40}", "[0-9 ]{0,30}", "-[0-9]{1,20}", "[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{1,5} [0-9:]{1,9} [A-Z]{3}"]) {
            if let Some(d) = parse_retry_after(&v) {
                prop_assert!(d <= Duration::from_secs(86_400));
            }
            // A negative number of seconds is refused, not read as a wait.
            let t = v.trim();
            if let Some(digits) = t.strip_prefix('-')
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                prop_assert_eq!(parse_retry_after(&v), None);
            }
        }

        #[test]
        fn delta_seconds_are_read_exactly(n in any::<u64>(), pad in " {0,3}") {
            prop_assert_eq!(
                parse_retry_after(&format!("{pad}{n}{pad}")),
                Some(Duration::from_secs(n.min(86_400)))
            );
        }

        #[test]
        fn http_dates_are_read(secs in 0i64..253_402_300_799, ahead in 0u64..200_000) {
            // Any IMF-fixdate parses; one in the past is no wait, one ahead is capped at a day.
            let at = std::time::UNIX_EPOCH + Duration::from_secs(secs as u64);
            let text = httpdate_of(at);
            prop_assert_eq!(crate::net::httpdate::parse(&text), Some(secs));
            let future = std::time::SystemTime::now() + Duration::from_secs(ahead + 5);
            let wait = parse_retry_after(&httpdate_of(future)).unwrap();
            prop_assert!(wait <= Duration::from_secs((ahead + 6).min(86_400)));
        }
    }

    fn httpdate_of(t: std::time::SystemTime) -> String {
        crate::net::httpdate::format(t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64)
    }
}

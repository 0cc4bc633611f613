//! `conn token PROFILE`: a valid token on stdout for scripts, from the store when one is
//! still good, else fresh (one request for many processes started at once). Only the token
//! goes to stdout; everything else goes to stderr.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;

use crate::check::plain_http_refusal;
use crate::cli::{Global, TokenArgs, TokenFormat};
use crate::clock::now_secs;
use crate::config::{Auth, KeyIn, Profile};
use crate::creds::resolve_quietly;
use crate::error::Error;
use crate::exit::Category;
use crate::finding::Finding;
use crate::net::Http;
use crate::session::{Channel, Failed, Session, Want};
use crate::store::{Entry, Store};

/// Reuse a stored token only while it stays valid at least this long.
pub const MIN_TTL: Duration = Duration::from_secs(60);

/// Print a token.
pub fn run(g: &Global, a: &TokenArgs) -> Result<u8, Error> {
    let cfg = super::load_one(g, &a.profile)?;
    let p = cfg.select(&a.profile, g.env.as_deref())?;
    if let Some(f) = plain_http_refusal(&p) {
        return fail(&p, &f);
    }
    // A secret too short to be masked is warned about only once it is used: a stored
    // token printed as it is sends nothing.
    let creds = match resolve_quietly(&p) {
        Ok(c) => c,
        Err(f) => return fail(&p, &f),
    };
    let stored_login = match &p.auth {
        Auth::None => {
            return Err(Error::Usage(format!(
                "{} sends no credentials: there is no token to print",
                p.display_name()
            )));
        }
        Auth::Basic { .. } | Auth::ApiKey { .. } => {
            creds.warn_short();
            return static_credentials(&p, &creds, a.format);
        }
        Auth::Interactive { .. } => true,
        Auth::ClientCredentials(_) | Auth::Password { .. } => false,
    };
    if p.net.insecure_tls && !stored_login {
        crate::term::warn(&format!(
            "{}: certificate checks are off (insecure_tls = true): anyone on the network path could read the credentials",
            p.display_name()
        ));
    }
    let store = match open_store(&p, stored_login, a.no_cache) {
        Ok(s) => s,
        Err(f) => return fail(&p, &f),
    };
    let min = a.min_ttl.unwrap_or(MIN_TTL).max(MIN_TTL).as_secs() as i64;
    let want = if stored_login && a.no_cache {
        Want::New
    } else {
        Want::ValidFor(min)
    };
    let session = Session::new(store, &p, &creds);
    // The fast path: a stored token still good is printed with a couple of file reads.
    match session.stored() {
        Some(e) if want.accepts(&e) => return print(&e, a.format),
        None if stored_login => return fail(&p, &login_required(&p)),
        _ => {}
    }
    // Miss: one process renews under the entry's lock, the others wait for it and reuse its
    // token. A stored login is refreshed, never signed in again here: no browser opens.
    // The secrets may be sent from here on.
    creds.warn_short();
    let rt = super::current_thread()?;
    let http = Http::default();
    let client = match http.client(&p.net) {
        Ok(c) => c,
        Err(e) => return fail(&p, &Finding::plain("http_client", Category::Config, e)),
    };
    let trace = crate::check::trace_fn(&p, g.verbose);
    let via = Channel {
        http: &client.http,
        timeout: p.net.timeout,
        retry_for: Some(p.net.timeout),
        trace: &trace,
    };
    let wait = p.net.timeout + p.net.connect_timeout + Duration::from_secs(5);
    match rt.block_on(session.renew(want, wait, &via)) {
        Ok(r) => {
            if let Some(e) = r.unsaved {
                crate::term::warn(&if stored_login {
                    format!("the refreshed login was not stored ({e}); the next call may need conn login")
                } else {
                    format!("token not stored ({e}); the next call will fetch again")
                });
            }
            print(&r.entry, a.format)
        }
        Err(Failed::Lock(e) | Failed::Write(e)) => Err(Error::Output(format!("token store: {e}"))),
        Err(Failed::NoLogin) => fail(&p, &login_required(&p)),
        Err(Failed::Token(f)) => {
            // `conn token` has no pre-flight to say which hop failed: a proxied request's
            // connection failures are the proxy's.
            let f = match p.auth.oauth() {
                Some(c) => crate::net::classify::through(f, &http.route(&c.token_url, &p.net)),
                None => f,
            };
            fail(&p, &f)
        }
    }
}

/// The token store: none with `--no-cache` (a stored login still needs it), and none, with
/// a warning, when it is unusable; a stored login cannot go without it.
fn open_store(p: &Profile, stored_login: bool, no_cache: bool) -> Result<Option<Arc<Store>>, Finding> {
    if no_cache && !stored_login {
        return Ok(None);
    }
    match Store::open() {
        Ok(s) => Ok(Some(Arc::new(s))),
        Err(e) if stored_login => {
            crate::term::warn(&format!("token store unusable ({e})"));
            Err(login_required(p))
        }
        Err(e) => {
            crate::term::warn(&format!("token store unusable ({e}); fetching a fresh token"));
            Ok(None)
        }
    }
}

fn login_required(p: &Profile) -> Finding {
    Finding::plain(
        "no_stored_login",
        Category::Interactive,
        format!("{} has no stored login", p.display_name()),
    )
    .hint(format!("run: conn login {}", p.display_name()))
}

fn fail(p: &Profile, f: &Finding) -> Result<u8, Error> {
    crate::term::failure(&format!("{}: {}", p.display_name(), f.summary()), &f.hints());
    Ok(f.category().exit_code())
}

fn print(e: &Entry, format: TokenFormat) -> Result<u8, Error> {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        eprintln!("::add-mask::{}", e.access_token);
    }
    let text = match format {
        TokenFormat::Raw => format!("{}\n", e.access_token),
        TokenFormat::Header => format!("Authorization: {} {}\n", e.token_type, e.access_token),
        TokenFormat::Json => {
            let expires_at = e.ttl(now_secs()).and(e.expires_at).and_then(crate::expiry::rfc3339);
            let v = serde_json::json!({
                "access_token": e.access_token,
                "token_type": e.token_type,
                "expires_at": expires_at,
                "scope": e.scope.as_ref().map(|s| s.join(" ")),
            });
            format!("{v}\n")
        }
    };
    super::print(&text)?;
    Ok(0)
}

fn static_credentials(p: &Profile, creds: &crate::creds::Resolved, format: TokenFormat) -> Result<u8, Error> {
    let header = match &p.auth {
        Auth::Basic { .. } => {
            let raw = format!(
                "{}:{}",
                creds.username.as_deref().unwrap_or(""),
                creds.password.as_ref().map_or("", |s| s.expose())
            );
            Some(format!(
                "Authorization: Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            ))
        }
        Auth::ApiKey {
            name,
            location: KeyIn::Header,
            ..
        } => Some(format!("{name}: {}", creds.key.as_ref().map_or("", |s| s.expose()))),
        _ => None,
    };
    match (format, header) {
        (TokenFormat::Header, Some(h)) => {
            super::print(&format!("{h}\n"))?;
            Ok(0)
        }
        (TokenFormat::Header, None) => Err(Error::Usage(format!(
            "{} sends its API key in the query string, not in a header: there is no header to print",
            p.display_name()
        ))),
        _ => Err(Error::Usage(format!(
            "{} uses {} credentials, not a token: use --format header to print the header a request carries",
            p.display_name(),
            p.auth.kind()
        ))),
    }
}

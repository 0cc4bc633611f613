//! `conn token PROFILE`: a valid token on stdout for scripts, from the store when one is
//! still good, else fresh (one request for many processes started at once). Only the token
//! goes to stdout; everything else goes to stderr.

use std::time::Duration;

use base64::Engine;

use crate::check::plain_http_refusal;
use crate::cli::{Global, TokenArgs, TokenFormat};
use crate::clock::now_secs;
use crate::config::{Auth, KeyIn, Profile};
use crate::creds::resolve;
use crate::error::Error;
use crate::exit::Category;
use crate::finding::Finding;
use crate::net::Http;
use crate::oauth::obtain;
use crate::store::{self, Entry, Store};

/// Reuse a stored token only while it stays valid at least this long.
pub const MIN_TTL: Duration = Duration::from_secs(60);

/// Print a token.
pub fn run(g: &Global, a: &TokenArgs) -> Result<u8, Error> {
    let cfg = super::load(g)?;
    let p = cfg.select(&a.profile, g.env.as_deref())?;
    if let Some(f) = plain_http_refusal(&p) {
        return fail(&p, &f);
    }
    let creds = match resolve(&p) {
        Ok(c) => c,
        Err(f) => return fail(&p, &f),
    };
    match &p.auth {
        Auth::None => {
            return Err(Error::Usage(format!(
                "{} sends no credentials: there is no token to print",
                p.display_name()
            )));
        }
        Auth::Basic { .. } | Auth::ApiKey { .. } => return static_credentials(&p, &creds, a.format),
        Auth::Interactive { .. } => return interactive(g, a, &p, &creds),
        Auth::ClientCredentials(_) | Auth::Password { .. } => {}
    }
    if p.net.insecure_tls {
        crate::term::warn(&format!(
            "{}: certificate checks are off (insecure_tls = true): anyone on the network path could read the credentials",
            p.display_name()
        ));
    }
    let c = p.auth.oauth().expect("an OAuth kind");
    let key = store::key(&p);
    let fp = creds.fingerprint();
    let min = a.min_ttl.unwrap_or(MIN_TTL).max(MIN_TTL).as_secs() as i64;
    let store = if a.no_cache {
        None
    } else {
        match Store::open() {
            Ok(s) => Some(s),
            Err(e) => {
                crate::term::warn(&format!("token store unusable ({e}); fetching a fresh token"));
                None
            }
        }
    };
    let usable = |s: &Store| s.read_for(&key, &p, Some(&fp)).filter(|e| e.valid_for(now_secs(), min));
    if let Some(e) = store.as_ref().and_then(usable) {
        return print(&e, a.format);
    }
    // Miss: one process fetches, the others wait for it and reuse its token.
    let wait = p.net.timeout + p.net.connect_timeout + Duration::from_secs(5);
    let _lock = match &store {
        Some(s) => match s.lock(&key, wait) {
            Ok(l) => Some(l),
            Err(e) => {
                crate::term::warn(&format!("{e}; fetching without the lock"));
                None
            }
        },
        None => None,
    };
    if let Some(e) = store.as_ref().and_then(usable) {
        return print(&e, a.format);
    }
    let rt = super::current_thread()?;
    let http = Http::default();
    let client = match http.client(&p.net) {
        Ok(c) => c,
        Err(e) => return fail(&p, &Finding::plain("http_client", Category::Config, e)),
    };
    let trace = crate::check::trace_fn(&p, g.verbose);
    let deadline = crate::duration::deadline_after(p.net.timeout);
    let got = rt.block_on(obtain::obtain(
        &client.http,
        &p,
        c,
        &creds,
        p.net.timeout,
        Some(deadline),
        &trace,
    ));
    let got = match got {
        Ok(g) => g,
        Err(f) => return fail(&p, &f.finding),
    };
    let entry = store::entry_for(&p, &got.token, got.received_at, fp).unwrap_or_else(|| Entry {
        version: 1,
        profile: p.display_name(),
        access_token: got.token.access_token.expose().to_string(),
        token_type: got.token.token_type.clone(),
        expires_at: None,
        scope: got.token.scope.clone(),
        refresh_token: None,
        obtained_at: got.received_at,
        credentials: String::new(),
        token_url: None,
        id_claims: None,
    });
    if let Some(s) = &store
        && entry.expires_at.is_some()
        && let Err(e) = s.write(&key, &entry)
    {
        crate::term::warn(&format!("token not stored ({e}); the next call will fetch again"));
    }
    print(&entry, a.format)
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

/// A token from a stored login: as it is while it is good, else refreshed (the rotated
/// refresh token is stored under the entry's lock). Never opens a browser.
fn interactive(g: &Global, a: &TokenArgs, p: &Profile, creds: &crate::creds::Resolved) -> Result<u8, Error> {
    let login_required = || {
        Finding::plain(
            "no_stored_login",
            Category::Interactive,
            format!("{} has no stored login", p.display_name()),
        )
        .hint(format!("run: conn login {}", p.display_name()))
    };
    let store = match Store::open() {
        Ok(s) => s,
        Err(e) => {
            crate::term::warn(&format!("token store unusable ({e})"));
            return fail(p, &login_required());
        }
    };
    let key = store::key(p);
    let min = a.min_ttl.unwrap_or(MIN_TTL).max(MIN_TTL).as_secs() as i64;
    let fp = creds.fingerprint();
    let good = |e: &Entry| e.valid_for(now_secs(), min) && !a.no_cache;
    match store.read_for(&key, p, Some(&fp)) {
        None => return fail(p, &login_required()),
        Some(e) if good(&e) => return print(&e, a.format),
        Some(_) => {}
    }
    let wait = p.net.timeout + p.net.connect_timeout + Duration::from_secs(5);
    let _lock = store
        .lock(&key, wait)
        .map_err(|e| Error::Output(format!("token store: {e}")))?;
    // Another process may have refreshed while this one waited: its refresh token is the
    // only valid one now.
    let Some(old) = store.read_for(&key, p, Some(&fp)) else {
        return fail(p, &login_required());
    };
    if good(&old) {
        return print(&old, a.format);
    }
    let rt = super::current_thread()?;
    let http = Http::default();
    let client = match http.client(&p.net) {
        Ok(c) => c,
        Err(e) => return fail(p, &Finding::plain("http_client", Category::Config, e)),
    };
    let trace = crate::check::trace_fn(p, g.verbose);
    match rt.block_on(crate::login::refresh(
        &client.http,
        p,
        creds,
        &old,
        p.net.timeout,
        &trace,
    )) {
        Ok((e, _)) => {
            if let Err(err) = store.write(&key, &e) {
                crate::term::warn(&format!(
                    "the refreshed login was not stored ({err}); the next call may need conn login"
                ));
            }
            print(&e, a.format)
        }
        Err(f) => {
            if f.category() == Category::Interactive {
                store.remove(&key);
            }
            fail(p, &f)
        }
    }
}

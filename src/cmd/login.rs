//! `conn login PROFILE`: sign in in a browser (or with a device code) and store the result.

use std::sync::Arc;
use std::time::Duration;

use crate::cli::{Global, LoginArgs};
use crate::creds::resolve;
use crate::error::Error;
use crate::login::{self, Options};
use crate::net::Http;
use crate::session::{Failed, Session};
use crate::store::Store;

/// Sign in and store the login.
pub fn run(g: &Global, a: &LoginArgs) -> Result<u8, Error> {
    let cfg = super::load(g)?;
    let p = cfg.select(&a.profile, g.env.as_deref())?;
    if login::parts(&p).is_none() {
        return Err(Error::Usage(format!(
            "{} uses {}, which needs no sign-in: conn test and conn token obtain its credentials by themselves",
            p.display_name(),
            p.auth.kind()
        )));
    }
    if let Some(f) = crate::check::plain_http_refusal(&p) {
        crate::term::failure(&f.summary(), &f.hints());
        return Ok(f.category().exit_code());
    }
    let creds = match resolve(&p) {
        Ok(c) => c,
        Err(f) => {
            crate::term::failure(&f.summary(), &f.hints());
            return Ok(f.category().exit_code());
        }
    };
    let store =
        Store::open().map_err(|e| Error::Output(format!("cannot keep a login without the token store: {e}")))?;
    let opts = Options {
        no_browser: a.no_browser,
        device: a.device,
        timeout: a.timeout.unwrap_or(login::DEFAULT_TIMEOUT),
    };
    let rt = super::current_thread()?;
    let http = Http::default();
    let client = http.client(&p.net).map_err(Error::Usage)?;
    // What login says may quote the file (display_name, login_hint): no escape reaches the terminal.
    let say = |s: &str| eprintln!("{}", crate::finding::safe_lines(s));
    let trace = crate::check::trace_fn(&p, g.verbose);
    let session = Session::new(Some(Arc::new(store)), &p, &creds);
    // A second login of the same profile waits for the first instead of fighting over it.
    let wait = opts.timeout + Duration::from_secs(30);
    let signed_in = login::login(&client.http, &p, &creds, &opts, &say, &trace);
    match rt.block_on(session.sign_in(wait, signed_in)) {
        Ok(entry) => {
            let who = entry
                .id_claims
                .as_ref()
                .and_then(|c| {
                    ["email", "preferred_username", "name", "sub"]
                        .iter()
                        .find_map(|k| c.get(*k)?.as_str().map(str::to_string))
                })
                .map(|w| format!(" as {w}"))
                .unwrap_or_default();
            let refresh = if entry.refresh_token.is_some() {
                "; a refresh token is stored, so conn test and conn token need no browser from now on"
            } else {
                "; the provider issued no refresh token, so a new login is needed when the token expires (request offline_access?)"
            };
            eprintln!(
                "{}",
                crate::finding::safe(&format!("Signed in to {}{who}{refresh}.", p.display_name()))
            );
            Ok(0)
        }
        Err(Failed::Token(f)) => {
            crate::term::failure(&format!("{}: {}", p.display_name(), f.summary()), &f.hints());
            Ok(f.category().exit_code())
        }
        Err(Failed::Lock(e)) => Err(Error::Output(format!("token store: {e}"))),
        Err(Failed::Write(e)) => Err(Error::Output(format!("the login could not be stored: {e}"))),
        Err(Failed::NoLogin) => Err(Error::Output("the login could not be stored".into())),
    }
}

//! The authorization code flow in a browser: listen on 127.0.0.1 for the redirect, send the
//! person to the authorization address, wait for the code, and exchange it for a token.

use std::time::Instant;

use super::{AuthRequest, Context, authorization_url, browser, callback, pkce};
use crate::config::{Interactive, OAuthClient};
use crate::exit::Category;
use crate::finding::Finding;
use crate::oauth::token::{self, Grant, Token};

/// Run the flow and return the token. `nonce` is the OpenID Connect nonce to send;
/// `deadline` ends the wait for the sign-in.
pub async fn run(cx: &Context<'_>, f: &Interactive, nonce: Option<&str>, deadline: Instant) -> Result<Token, Finding> {
    let (c, opts) = (cx.c, cx.opts);
    let client_id = cx.creds.client_id.clone().unwrap_or_default();
    let listener = listen(f).await?;
    let redirect_uri = listener.redirect_uri();
    let state = pkce::random();
    let pk = f.pkce.then(pkce::pkce);
    let url = authorization_url(
        cx.e,
        c,
        f,
        &AuthRequest {
            client_id: &client_id,
            redirect_uri: &redirect_uri,
            state: &state,
            challenge: pk.as_ref().map(|x| x.challenge.as_str()),
            nonce,
        },
    );
    announce(cx, f, &url, &redirect_uri);
    let issuer = cx.e.issuer.as_deref();
    let refused = |why: &str| (cx.say)(&format!("Ignored a sign-in response: {why}. Still waiting…"));
    let cb = listener
        .wait(&state, issuer, cx.e.iss_parameter, deadline, &refused)
        .await
        .ok_or_else(|| {
            Finding::plain(
                "sign_in_timeout",
                Category::Interactive,
                format!("no sign-in arrived within {}", humantime::format_duration(opts.timeout)),
            )
            .hint("run conn login again; with --no-browser the address is printed to open by hand")
        })?;
    let code = match cb {
        callback::Callback::Code(code) => code,
        callback::Callback::Error { error, description } => {
            return Err(sign_in_refused(&error, description, c, &redirect_uri));
        }
    };
    let req = token::Request {
        url: &cx.e.token,
        client_id: &client_id,
        client_secret: cx.creds.client_secret.as_ref(),
        assertion: cx.creds.assertion.as_ref(),
        method: c.client_auth,
        grant: Grant::AuthorizationCode {
            code: &code,
            redirect_uri: &redirect_uri,
            verifier: pk.as_ref().map(|x| &x.verifier),
        },
        scopes: &[],
        params: &c.token_params,
        timeout: cx.p.net.timeout,
    };
    // Never retried: the code is single-use.
    super::token_or_finding(token::exchange(cx.http, &req, cx.trace).await, cx.p, c, cx.creds)
}

/// The listener for the redirect, on the profile's `redirect_port` or any free one.
async fn listen(f: &Interactive) -> Result<callback::Listener, Finding> {
    callback::Listener::bind(f.redirect_port).await.map_err(|err| {
        Finding::plain(
            "callback_listen_failed",
            Category::Config,
            format!(
                "cannot listen on 127.0.0.1:{} for the sign-in redirect: {err}",
                f.redirect_port.unwrap_or(0)
            ),
        )
        .hint("another program holds the port: free it or change redirect_port")
    })
}

/// Open the browser at `url`, or print it when that is not wanted or fails.
fn announce(cx: &Context<'_>, f: &Interactive, url: &url::Url, redirect_uri: &str) {
    let name = f.display_name.clone().unwrap_or_else(|| cx.p.display_name());
    let opts = cx.opts;
    let opened = if opts.no_browser {
        Err("--no-browser".to_string())
    } else {
        browser::open(url.as_str())
    };
    match opened {
        Ok(()) => (cx.say)(&format!(
            "Opened the browser to sign in to {name}. Waiting for the sign-in (up to {})…",
            humantime::format_duration(opts.timeout)
        )),
        Err(why) => (cx.say)(&format!(
            "Open this address in a browser to sign in to {name} ({why}):\n\n  {url}\n\nWaiting for the sign-in on {redirect_uri} (up to {})…",
            humantime::format_duration(opts.timeout)
        )),
    }
}

/// The finding for an error the provider sent back instead of a code.
fn sign_in_refused(error: &str, description: Option<String>, c: &OAuthClient, redirect_uri: &str) -> Finding {
    let fd = Finding::plain(
        "sign_in_refused",
        if error == "access_denied" {
            Category::Authentication
        } else {
            Category::Endpoint
        },
        format!(
            "the sign-in was refused: {error}{}",
            description.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
    );
    match error {
        "access_denied" => fd.hint("the person or the provider declined; sign in again and approve the request"),
        "invalid_scope" => fd.hint(format!("the provider rejects the scopes {}", c.scopes.join(" "))),
        "unauthorized_client" | "invalid_request" => fd.hint(format!("check the app registration: the redirect URI {redirect_uri} (any port on 127.0.0.1) must be registered, and the code grant allowed")),
        _ => fd,
    }
}

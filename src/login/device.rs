//! The device authorization grant (RFC 8628) for machines without a browser: the person
//! opens a short address elsewhere and types a code; conn polls until they approve.

use std::time::Duration;

use serde_json::Value;

use super::{Context, browser};
use crate::exit::Category;
use crate::finding::{Finding, clean};
use crate::net::body::MAX_BODY;
use crate::oauth::token::{self, Answer, Grant, Token};
use crate::secret::Secret;

/// What the device authorization endpoint answered.
struct DeviceCode {
    /// The code conn polls with.
    device_code: Secret,
    /// How long the codes are valid.
    expires: Duration,
    /// How long to wait between polls.
    interval: Duration,
}

/// Run the grant and return the token.
pub async fn run(cx: &Context<'_>) -> Result<Token, Finding> {
    let url = cx.e.device.as_ref().ok_or_else(|| {
        Finding::plain(
            "device_endpoint_missing",
            Category::Endpoint,
            "the provider offers no device authorization endpoint",
        )
        .hint("sign in with the browser instead: conn login without --device")
    })?;
    let d = request_code(cx, url).await?;
    let deadline = crate::duration::deadline_after(cx.opts.timeout.min(d.expires));
    poll(cx, &d.device_code, d.interval, deadline).await
}

/// Ask the device authorization endpoint for the codes, and tell the person where to enter
/// theirs.
async fn request_code(cx: &Context<'_>, url: &url::Url) -> Result<DeviceCode, Finding> {
    let (c, creds) = (cx.c, cx.creds);
    let client_id = creds.client_id.clone().unwrap_or_default();
    let mut form = vec![("client_id".to_string(), client_id)];
    if !c.scopes.is_empty() {
        form.push(("scope".into(), c.scopes.join(" ")));
    }
    if let Some(s) = &creds.client_secret {
        form.push(("client_secret".into(), s.expose().to_string()));
    }
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let req = cx
        .http
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body);
    let what = url.host_str().unwrap_or("the provider").to_string();
    let a = crate::net::fetch(req, cx.p.net.timeout, MAX_BODY, &what).await?;
    let v: Value = serde_json::from_slice(&a.body.bytes).unwrap_or_default();
    if a.status != 200 {
        let se = crate::oauth::server_error::parse(a.status, &a.body.bytes, &[]);
        return Err(Finding::plain(
            "device_request_refused",
            Category::Endpoint,
            format!(
                "the device authorization request was refused ({}){}",
                a.status,
                se.quote().map(|q| format!(": {q}")).unwrap_or_default()
            ),
        ));
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let (Some(device_code), Some(user_code), Some(verification)) =
        (s("device_code"), s("user_code"), s("verification_uri"))
    else {
        return Err(Finding::plain(
            "device_answer_incomplete",
            Category::Endpoint,
            "the device authorization answer lacks device_code, user_code or verification_uri",
        ));
    };
    let device_code = Secret::new(device_code.to_string());
    let complete = s("verification_uri_complete");
    let expires = v.get("expires_in").and_then(Value::as_u64).unwrap_or(600);
    let interval = Duration::from_secs(v.get("interval").and_then(Value::as_u64).unwrap_or(5).clamp(1, 60));
    (cx.say)(&format!(
        "To sign in, open {} and enter the code {}",
        clean(verification, 300),
        clean(user_code, 40)
    ));
    if !cx.opts.no_browser
        && let Some(u) = complete
        && browser::open(u).is_ok()
    {
        (cx.say)("(opened the address in the browser)");
    }
    Ok(DeviceCode {
        device_code,
        expires: Duration::from_secs(expires),
        interval,
    })
}

/// Poll the token endpoint until the person approves, declines or the time is up.
async fn poll(
    cx: &Context<'_>,
    device_code: &Secret,
    mut interval: Duration,
    deadline: std::time::Instant,
) -> Result<Token, Finding> {
    let (p, c, creds) = (cx.p, cx.c, cx.creds);
    let client_id = creds.client_id.clone().unwrap_or_default();
    loop {
        if crate::duration::deadline_after(interval) > deadline {
            return Err(Finding::plain(
                "device_sign_in_timeout",
                Category::Interactive,
                "the device sign-in was not completed in time",
            )
            .hint("run conn login --device again"));
        }
        tokio::time::sleep(interval).await;
        let req = token::Request {
            url: &cx.e.token,
            client_id: &client_id,
            client_secret: creds.client_secret.as_ref(),
            assertion: creds.assertion.as_ref(),
            method: c.client_auth,
            grant: Grant::DeviceCode(device_code),
            scopes: &[],
            params: &c.token_params,
            timeout: p.net.timeout,
        };
        let ex = token::exchange(cx.http, &req, cx.trace).await;
        match &ex.answer {
            Answer::Token(_) => return super::token_or_finding(ex, p, c, creds),
            Answer::Refused { error, .. } => match error.error.as_deref() {
                Some("authorization_pending") => {}
                // RFC 8628 §3.5: add 5 seconds, for this and every later poll.
                Some("slow_down") => interval += Duration::from_secs(5),
                Some("access_denied") => {
                    return Err(Finding::plain(
                        "device_sign_in_declined",
                        Category::Authentication,
                        "the device sign-in was declined (access_denied)",
                    ));
                }
                Some("expired_token") => {
                    return Err(Finding::plain(
                        "device_code_expired",
                        Category::Interactive,
                        "the device code expired before the sign-in was completed",
                    )
                    .hint("run conn login --device again"));
                }
                _ => return super::token_or_finding(ex, p, c, creds),
            },
            Answer::Transport(_) => return super::token_or_finding(ex, p, c, creds),
        }
    }
}

//! The token request (RFC 6749 §4.3, §4.4, §6): building it, sending it, and handing its
//! answer to [`answer`].
//!
//! Client authentication follows the profile: `basic` is RFC 6749 §2.3.1 (id and secret each
//! form-encoded, then Basic), `basic-raw` skips the form-encoding (what many clients send),
//! `post` puts both in the body. Redirects are never followed: a 307 would resend the
//! secret to wherever it points. The answer is read with a 1 MiB cap.
//!
//! Imports [`answer`] (the answer's shapes and reading) and [`trace`] (the `-v` lines); neither
//! imports this module.

pub mod answer;
pub mod trace;

use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

pub use self::answer::{Answer, MAX_TOKEN, Token, expires, parse_success};
use crate::config::ClientAuth;
use crate::net::body::MAX_BODY;
use crate::secret::{self, Secret};

/// What is asked for.
pub enum Grant<'a> {
    /// `client_credentials`.
    ClientCredentials,
    /// `password`, with the resource owner's credentials.
    Password {
        /// User name.
        username: &'a str,
        /// Password.
        password: &'a Secret,
    },
    /// `refresh_token`.
    Refresh(&'a Secret),
    /// `authorization_code` (RFC 6749 §4.1.3), with the PKCE verifier (RFC 7636 §4.5).
    AuthorizationCode {
        /// The code from the callback.
        code: &'a Secret,
        /// The redirect URI sent with the authorization request, byte for byte.
        redirect_uri: &'a str,
        /// The PKCE verifier, when PKCE was used.
        verifier: Option<&'a Secret>,
    },
    /// RFC 8628 device code.
    DeviceCode(&'a Secret),
}

impl Grant<'_> {
    /// The `grant_type` value.
    pub fn name(&self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::Password { .. } => "password",
            Grant::Refresh(_) => "refresh_token",
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::DeviceCode(_) => "urn:ietf:params:oauth:grant-type:device_code",
        }
    }

    /// The grant's own form fields, after `grant_type`.
    fn append_to(&self, form: &mut url::form_urlencoded::Serializer<'_, String>) {
        match self {
            Grant::ClientCredentials => {}
            Grant::Password { username, password } => {
                form.append_pair("username", username);
                form.append_pair("password", password.expose());
            }
            Grant::Refresh(rt) => {
                form.append_pair("refresh_token", rt.expose());
            }
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                verifier,
            } => {
                form.append_pair("code", code.expose());
                form.append_pair("redirect_uri", redirect_uri);
                if let Some(v) = verifier {
                    form.append_pair("code_verifier", v.expose());
                }
            }
            Grant::DeviceCode(d) => {
                form.append_pair("device_code", d.expose());
            }
        }
    }
}

/// A token request.
pub struct Request<'a> {
    /// Token endpoint.
    pub url: &'a Url,
    /// Client id.
    pub client_id: &'a str,
    /// Client secret, when the client has one.
    pub client_secret: Option<&'a Secret>,
    /// How the client authenticates.
    pub method: ClientAuth,
    /// The grant.
    pub grant: Grant<'a>,
    /// Scopes (none sent when empty).
    pub scopes: &'a [String],
    /// Extra form fields.
    pub params: &'a [(String, String)],
    /// Total deadline.
    pub timeout: Duration,
}

/// One token request and its answer.
pub struct Exchange {
    /// How long it took.
    pub ms: u64,
    /// HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// The server's `Date`, seconds since the epoch.
    pub server_date: Option<i64>,
    /// `Retry-After`, when the server sent one.
    pub retry_after: Option<Duration>,
    /// The answer.
    pub answer: Answer,
}

/// The `Authorization` value for Basic client authentication.
pub fn basic_header(id: &str, secret: &str, method: ClientAuth) -> String {
    let raw = match method {
        ClientAuth::Basic => {
            let e = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            format!("{}:{}", e(id), e(secret))
        }
        _ => format!("{id}:{secret}"),
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    secret::register(&b64);
    format!("Basic {b64}")
}

/// Whether the RFC form-encoded and raw Basic forms differ for this id and secret.
pub fn encodings_differ(id: &str, secret: &str) -> bool {
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b"*-._".contains(&b));
    !(plain(id) && plain(secret))
}

/// The form body and the POST that will carry it, client authentication included.
fn build(http: &reqwest::Client, req: &Request<'_>) -> (String, reqwest::RequestBuilder) {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", req.grant.name());
    req.grant.append_to(&mut form);
    if !req.scopes.is_empty() && matches!(req.grant, Grant::ClientCredentials | Grant::Password { .. }) {
        form.append_pair("scope", &req.scopes.join(" "));
    }
    for (k, v) in req.params {
        form.append_pair(k, v);
    }
    let mut builder = http
        .post(req.url.clone())
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    match (req.method, req.client_secret) {
        (ClientAuth::Post, secret) | (_, secret @ None) => {
            form.append_pair("client_id", req.client_id);
            if let Some(s) = secret {
                form.append_pair("client_secret", s.expose());
            }
        }
        (method, Some(s)) => {
            let mut v = HeaderValue::from_str(&basic_header(req.client_id, s.expose(), method))
                .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
            v.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, v);
        }
    }
    (form.finish(), builder)
}

/// A header as text, when it is there and is text.
fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Send a token request and read its answer. `trace` receives redacted lines for `-v`.
pub async fn exchange(http: &reqwest::Client, req: &Request<'_>, trace: trace::Sink<'_>) -> Exchange {
    let (body, builder) = build(http, req);
    let basic = (req.client_secret.is_some() && req.method != ClientAuth::Post).then_some(req.method);
    trace::request(trace, req.url, basic, &body);
    let started = Instant::now();
    let what = req.url.host_str().unwrap_or("the token endpoint").to_string();
    let sent = crate::net::fetch(builder.body(body), req.timeout, MAX_BODY, &what).await;
    let ms = started.elapsed().as_millis() as u64;
    let crate::net::Answer { status, headers, body } = match sent {
        Ok(a) => a,
        Err(f) => {
            trace(format!("< {}", f.summary()));
            return Exchange {
                ms,
                status: None,
                server_date: None,
                retry_after: None,
                answer: Answer::Transport(f),
            };
        }
    };
    let server_date = text(&headers, header::DATE).and_then(crate::net::httpdate::parse);
    trace::answer(trace, status, ms, &body);
    let answer = answer::of_http(status, &headers, &body);
    let retry_after = text(&headers, header::RETRY_AFTER).and_then(crate::net::httpdate::retry_after);
    Exchange {
        ms,
        status: Some(status),
        server_date,
        retry_after,
        answer,
    }
}

#[cfg(test)]
mod tests;

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
use crate::creds::ClientAssertion;
use crate::exit::Category;
use crate::failure::Failure;
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
    /// The assertion of a client without a secret (`private_key_jwt`, `client_assertion`).
    pub assertion: Option<&'a ClientAssertion>,
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

/// `client_assertion_type` of a JWT assertion (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The assertion this request sends: a new signed one (`aud` = the token URL), or the given
/// one (a GitHub Actions token is asked for the first time it is needed).
async fn assertion_of(http: &reqwest::Client, req: &Request<'_>) -> Result<Option<Secret>, Failure> {
    if !req.method.is_assertion() {
        return Ok(None);
    }
    let signing = |e: String| {
        Failure::plain(
            "assertion_not_signed",
            Category::Config,
            format!("cannot sign the client assertion: {e}"),
        )
    };
    match req.assertion {
        None => Err(Failure::internal(
            "the client assertion was not resolved with the profile",
        )),
        Some(ClientAssertion::Signed(s)) => s
            .sign(req.url.as_str(), crate::clock::now_secs())
            .map(Some)
            .map_err(signing),
        Some(ClientAssertion::Given(f)) => {
            if let Some(v) = f.value() {
                return Ok(Some(v));
            }
            let crate::config::assertion::Given::GithubOidc { audience } = &f.given else {
                return Err(Failure::internal("the client assertion was not read"));
            };
            let v = crate::oauth::federated::github(http, audience, req.timeout).await?;
            f.set(v.clone());
            Ok(Some(v))
        }
    }
}

/// The form body and the POST that will carry it, client authentication included.
fn build(http: &reqwest::Client, req: &Request<'_>, assertion: Option<&Secret>) -> (String, reqwest::RequestBuilder) {
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
    if let Some(a) = assertion {
        form.append_pair("client_id", req.client_id);
        form.append_pair("client_assertion_type", JWT_BEARER);
        form.append_pair("client_assertion", a.expose());
        return (form.finish(), builder);
    }
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
    let assertion = match assertion_of(http, req).await {
        Ok(a) => a,
        Err(f) => {
            trace(format!("< {}", f.summary()));
            return Exchange {
                ms: 0,
                status: None,
                server_date: None,
                retry_after: None,
                answer: Answer::Transport(f),
            };
        }
    };
    let (body, builder) = build(http, req, assertion.as_ref());
    let basic =
        (assertion.is_none() && req.client_secret.is_some() && req.method != ClientAuth::Post).then_some(req.method);
    trace::request(trace, req.url, basic, &body);
    let started = Instant::now();
    let what = req.url.host_str().unwrap_or("the token endpoint").to_string();
    let sent = crate::net::fetch_traced(builder.body(body), req.timeout, MAX_BODY, &what, trace).await;
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
    let mut answer = answer::of_http(status, &headers, &body);
    if let (
        Answer::Refused {
            error,
            finding,
            throttle,
            ..
        },
        Some(a),
    ) = (&mut answer, req.assertion)
        && finding.is_none()
        && assertion.is_some()
    {
        let skew = server_date.map(|d| d - crate::clock::now_secs());
        *finding = Some(crate::oauth::secretless::explain(error, throttle, req, a, skew));
    }
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

//! The token request (RFC 6749 §4.3, §4.4, §6) and its answer.
//!
//! Client authentication follows the profile: `basic` is RFC 6749 §2.3.1 (id and secret each
//! form-encoded, then Basic), `basic-raw` skips the form-encoding (what many clients send),
//! `post` puts both in the body. Redirects are never followed: a 307 would resend the
//! secret to wherever it points. The answer is read with a 1 MiB cap and checked field by
//! field; `expires_in` may be a number or a string (Entra).

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;
use url::Url;

use crate::config::{ClientAuth, shown};
use crate::exit::Category;
use crate::finding::{Finding, clean};
use crate::net::body::MAX_BODY;
use crate::oauth::server_error::{self, Challenge, ServerError};
use crate::secret::{self, Secret};

/// Longest access token accepted.
pub const MAX_TOKEN: usize = 64 * 1024;

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

/// A token as the server issued it.
#[derive(Debug, Clone)]
pub struct Token {
    /// The access token.
    pub access_token: Secret,
    /// `token_type` as sent (normalised to `Bearer` when it is one).
    pub token_type: String,
    /// Lifetime in seconds, when given.
    pub expires_in: Option<u64>,
    /// Granted scopes, when the server said.
    pub scope: Option<Vec<String>>,
    /// Refresh token, when issued.
    pub refresh_token: Option<Secret>,
    /// ID token (OIDC), when issued.
    pub id_token: Option<String>,
    /// Remarks about the answer that are worth a warning.
    pub remarks: Vec<String>,
}

/// How the exchange ended.
pub enum Answer {
    /// A usable token.
    Token(Token),
    /// The server answered, but not with a token.
    Refused {
        /// What the server said.
        error: ServerError,
        /// `WWW-Authenticate` challenges.
        challenges: Vec<Challenge>,
        /// Why it is not a token, when that is clear from the answer alone.
        finding: Option<Finding>,
    },
    /// No usable HTTP answer.
    Transport(Finding),
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

/// Send a token request and read its answer. `trace` receives redacted lines for `-v`.
pub async fn exchange(http: &reqwest::Client, req: &Request<'_>, trace: &(dyn Fn(String) + Sync)) -> Exchange {
    let (body, builder) = {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", req.grant.name());
        match &req.grant {
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
        if !req.scopes.is_empty() && matches!(req.grant, Grant::ClientCredentials | Grant::Password { .. }) {
            form.append_pair("scope", &req.scopes.join(" "));
        }
        for (k, v) in req.params {
            form.append_pair(k, v);
        }
        let mut builder = http
            .post(req.url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        match (req.method, req.client_secret) {
            (ClientAuth::Post, secret) | (_, secret @ None) => {
                form.append_pair("client_id", req.client_id);
                if let Some(s) = secret {
                    form.append_pair("client_secret", s.expose());
                }
            }
            (method, Some(s)) => {
                let mut v = reqwest::header::HeaderValue::from_str(&basic_header(req.client_id, s.expose(), method))
                    .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("Basic"));
                v.set_sensitive(true);
                builder = builder.header(reqwest::header::AUTHORIZATION, v);
            }
        }
        (form.finish(), builder)
    };
    trace(format!("> POST {}", shown(req.url)));
    if req.client_secret.is_some() && req.method != ClientAuth::Post {
        trace(format!("> authorization: Basic ******** ({})", req.method.as_str()));
    }
    trace(format!("> {}", crate::redact::answer::traced_form(&body)));
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
    let server_date = headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::net::httpdate::parse);
    trace(format!(
        "< {status} ({ms} ms, {} bytes{})",
        body.bytes.len(),
        if body.truncated { ", cut" } else { "" }
    ));
    trace(format!("< {}", clean(&traced_body(&body.bytes), 2000)));
    let challenges = server_error::parse_challenges(
        headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let answer = if (300..400).contains(&status) {
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| clean(&strip_userinfo(l), 300))
            .unwrap_or_else(|| "(no Location)".into());
        Answer::Refused {
            error: ServerError { status, ..Default::default() },
            challenges,
            finding: Some(
                Finding::plain("token_redirected", 
                    Category::Endpoint,
                    format!("the token URL answered {status} with a redirect to {location}; a token request is never redirected, because that would send the secret on"),
                )
                .hint(format!("set token_url to the final address yourself, if it is right: {location}"))
                .hint("a redirect from http:// to https://, or one that adds or removes a trailing slash, means the configured URL is slightly off"),
            ),
        }
    } else if (200..300).contains(&status) {
        if body.truncated {
            Answer::Refused {
                error: ServerError {
                    status,
                    ..Default::default()
                },
                challenges,
                finding: Some(Finding::plain(
                    "token_answer_too_large",
                    Category::Endpoint,
                    format!(
                        "the token answer is larger than {} MiB; a token answer is a few KiB",
                        MAX_BODY / 1024 / 1024
                    ),
                )),
            }
        } else {
            parse_success(status, &content_type, &body.bytes, challenges)
        }
    } else {
        let error = server_error::parse(status, &body.bytes, &challenges);
        let finding = if error.is_empty() && looks_like_html(&content_type, &body.bytes) {
            Some(html_finding(status, &body.bytes))
        } else {
            None
        };
        Answer::Refused {
            error,
            challenges,
            finding,
        }
    };
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::oauth::obtain::parse_retry_after);
    Exchange {
        ms,
        status: Some(status),
        server_date,
        retry_after,
        answer,
    }
}

/// The body as the `-v` trace shows it: credentials masked on the bytes as received, at any
/// depth, and registered with the redactor ([`crate::redact::answer`]).
fn traced_body(bytes: &[u8]) -> String {
    crate::redact::answer::traced(bytes)
}

fn strip_userinfo(location: &str) -> String {
    match Url::parse(location) {
        Ok(u) => shown(&u),
        Err(_) => crate::redact::url::shown_text(location),
    }
}

fn looks_like_html(content_type: &str, body: &[u8]) -> bool {
    if content_type.contains("html") {
        return true;
    }
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    body[start..].starts_with(b"<")
}

fn html_finding(status: u16, body: &[u8]) -> Finding {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let title = lower.find("<title>").and_then(|i| {
        let rest = &text[i + 7..];
        rest.find("</").map(|j| clean(&rest[..j], 120))
    });
    let what = match title {
        Some(t) if !t.is_empty() => format!("an HTML page (\"{t}\")"),
        _ => "an HTML page".to_string(),
    };
    Finding::plain(
        "token_url_html",
        Category::Endpoint,
        format!("the token URL answered {status} with {what} where a JSON token was expected"),
    )
    .hint("token_url points at a web page, a login portal or a proxy's error page, not at the token endpoint")
}

/// Read a 2xx answer of the token endpoint: a usable token, or why it is not one.
pub fn parse_success(status: u16, content_type: &str, bytes: &[u8], challenges: Vec<Challenge>) -> Answer {
    let refused = |finding: Finding| Answer::Refused {
        error: ServerError {
            status,
            ..Default::default()
        },
        challenges: challenges.clone(),
        finding: Some(finding),
    };
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(_) if looks_like_html(content_type, bytes) => return refused(html_finding(status, bytes)),
        Err(e) => {
            let what = if std::str::from_utf8(bytes).is_err() {
                "is not valid UTF-8".to_string()
            } else {
                format!("is not valid JSON ({e})")
            };
            return refused(
                Finding::plain(
                    "token_answer_not_json",
                    Category::Endpoint,
                    format!("the token answer {what}"),
                )
                .hint("check that token_url is the OAuth token endpoint"),
            );
        }
    };
    let Value::Object(m) = value else {
        return refused(Finding::plain(
            "token_answer_not_object",
            Category::Endpoint,
            "the token answer is JSON but not an object",
        ));
    };
    if m.contains_key("error") && !m.contains_key("access_token") {
        let error = server_error::parse(status, bytes, &challenges);
        return Answer::Refused {
            error,
            challenges,
            finding: None,
        };
    }
    let token = match m.get("access_token") {
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            return refused(Finding::plain(
                "access_token_not_string",
                Category::Endpoint,
                "access_token in the answer is not a string",
            ));
        }
        None => {
            let keys: Vec<String> = m.keys().take(10).map(|k| clean(k, 40)).collect();
            return refused(
                Finding::plain(
                    "no_access_token",
                    Category::Endpoint,
                    format!(
                        "the answer has no access_token (it has: {})",
                        if keys.is_empty() {
                            "nothing".into()
                        } else {
                            keys.join(", ")
                        }
                    ),
                )
                .hint("check that token_url is the OAuth token endpoint"),
            );
        }
    };
    if token.is_empty() || token.len() > MAX_TOKEN || token.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        let why = if token.is_empty() {
            "empty".to_string()
        } else if token.len() > MAX_TOKEN {
            format!("{} bytes long (more than {} KiB)", token.len(), MAX_TOKEN / 1024)
        } else {
            "holding spaces or control characters, which cannot be sent in a header".to_string()
        };
        return refused(Finding::plain(
            "access_token_unusable",
            Category::Endpoint,
            format!("the access token in the answer is unusable: {why}"),
        ));
    }
    let mut remarks = Vec::new();
    let token_type = match m.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => "Bearer".to_string(),
        Some(t) => {
            return refused(
                Finding::plain(
                    "token_type_unsupported",
                    Category::Endpoint,
                    format!("the token type is \"{}\"; conn sends bearer tokens", clean(t, 40)),
                )
                .hint("this API uses another token type (DPoP, MAC); it is not supported"),
            );
        }
        None => {
            remarks.push("the token answer has no token_type (RFC 6749 §5.1 requires it); assumed Bearer".into());
            "Bearer".to_string()
        }
    };
    let expires_in = match m.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(v) => match expires(v) {
            Some(s) => Some(s),
            None => {
                remarks.push(format!(
                    "expires_in is not a usable number of seconds ({}); lifetime unknown",
                    clean(&v.to_string(), 40)
                ));
                None
            }
        },
    };
    let scope = m
        .get("scope")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().map(|x| clean(x, 200)).collect());
    let refresh_token = m
        .get("refresh_token")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= MAX_TOKEN)
        .map(|s| Secret::new(s.to_string()));
    let id_token = m
        .get("id_token")
        .and_then(Value::as_str)
        .filter(|s| s.len() <= MAX_TOKEN)
        .map(str::to_string);
    if let Some(id) = &id_token {
        secret::register(id);
    }
    Answer::Token(Token {
        access_token: Secret::new(token),
        token_type,
        expires_in,
        scope,
        refresh_token,
        id_token,
        remarks,
    })
}

/// `expires_in` as seconds: a non-negative number, or a string of one (Entra v1).
/// Capped at ten years; negative or non-numeric is `None`.
pub fn expires(v: &Value) -> Option<u64> {
    const CAP: f64 = 10.0 * 365.0 * 86400.0;
    let f = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !f.is_finite() || f < 0.0 {
        return None;
    }
    Some(f.min(CAP) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6749_basic_vector() {
        // From panva/openid-client#236, quoted in protocols.md §4.3.
        let h = basic_header(
            "1PpG/Q 1",
            "z/tZ9VwFZqApmIQ+ZH1I5pLk/uB4ud:X2/8bL+wfFTt1rFw=",
            ClientAuth::Basic,
        );
        assert_eq!(
            h,
            "Basic MVBwRyUyRlErMTp6JTJGdFo5VndGWnFBcG1JUSUyQlpIMUk1cExrJTJGdUI0dWQlM0FYMiUyRjhiTCUyQndmRlR0MXJGdyUzRA=="
        );
        assert!(encodings_differ("a", "b~c"));
        assert!(!encodings_differ("client-1", "Abc.def_9"));
    }

    #[test]
    fn expires_in_forms() {
        assert_eq!(expires(&Value::from(3599)), Some(3599));
        assert_eq!(expires(&Value::from("3599")), Some(3599));
        assert_eq!(expires(&Value::from(-5)), None);
        assert_eq!(expires(&Value::from(1e300)), Some(315_360_000));
        assert_eq!(expires(&Value::from("soon")), None);
    }

    #[test]
    fn success_parsing() {
        let ok = parse_success(
            200,
            "application/json",
            br#"{"access_token":"abc","token_type":"bearer","expires_in":"60","scope":"a b"}"#,
            vec![],
        );
        let Answer::Token(t) = ok else { panic!() };
        assert_eq!(t.expires_in, Some(60));
        assert_eq!(t.scope.unwrap(), vec!["a", "b"]);
        for bad in [
            &br#"{"token_type":"Bearer"}"#[..],
            b"<html><title>Login</title></html>",
            b"\xff\xfe",
            br#"{"access_token":"a\r\nb","token_type":"Bearer"}"#,
            br#"{"access_token":"x","token_type":"mac"}"#,
        ] {
            assert!(matches!(
                parse_success(200, "", bad, vec![]),
                Answer::Refused { finding: Some(_), .. }
            ));
        }
    }
}

#[cfg(test)]
mod proptests {
    //! Property tests of the token answer parser: it never panics, and never accepts a token
    //! that could not be sent in a header or that is larger than the cap.
    use proptest::prelude::*;

    use super::*;

    fn token_chars() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Za-z0-9._~+/=-]{1,64}",
            ".{0,64}",
            "[a-z]{0,8}[\r\n\t \u{0}\u{1b}\u{7f}][a-z]{0,8}",
            (1usize..3).prop_map(|k| "x".repeat(MAX_TOKEN + k - 1)),
        ]
    }

    fn expires_in() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            any::<i64>().prop_map(|n| Some(Value::from(n))),
            any::<f64>().prop_map(|f| Some(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))),
            ".{0,12}".prop_map(|s| Some(Value::from(s))),
            Just(Some(Value::Bool(true))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), ct in ".{0,20}") {
            let _ = parse_success(200, &ct, &body, vec![]);
            let _ = traced_body(&body);
        }

        #[test]
        fn accepted_tokens_are_sendable(
            token in token_chars(),
            token_type in prop_oneof![Just(None), Just(Some("Bearer".to_string())), Just(Some("bEaReR".to_string())), ".{0,10}".prop_map(Some)],
            exp in expires_in(),
        ) {
            let mut m = serde_json::Map::new();
            m.insert("access_token".into(), Value::from(token.clone()));
            if let Some(t) = &token_type {
                m.insert("token_type".into(), Value::from(t.clone()));
            }
            if let Some(e) = &exp {
                m.insert("expires_in".into(), e.clone());
            }
            let body = Value::Object(m).to_string();
            let sendable = !token.is_empty()
                && token.len() <= MAX_TOKEN
                && !token.bytes().any(|b| b.is_ascii_control() || b == b' ');
            let bearer = token_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("bearer"));
            match parse_success(200, "application/json", body.as_bytes(), vec![]) {
                Answer::Token(t) => {
                    prop_assert!(sendable && bearer, "accepted {token:?} / {token_type:?}");
                    prop_assert_eq!(t.access_token.expose(), token.as_str());
                    let header = format!("Bearer {}", t.access_token.expose());
                    prop_assert!(reqwest::header::HeaderValue::from_str(&header).is_ok(), "not a header value");
                    prop_assert_eq!(t.token_type.as_str(), "Bearer");
                    prop_assert!(t.expires_in.is_none_or(|s| s <= 10 * 365 * 86400));
                    // The trace never shows it.
                    prop_assert!(!traced_body(body.as_bytes()).contains(&token) || token.len() < 4 || token == "********");
                }
                Answer::Refused { finding, .. } => {
                    prop_assert!(finding.is_some());
                    prop_assert!(!(sendable && bearer), "refused {token:?} / {token_type:?}");
                }
                Answer::Transport(_) => prop_assert!(false, "no transport here"),
            }
        }
    }
}

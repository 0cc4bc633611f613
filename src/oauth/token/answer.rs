//! The token endpoint's answer read: a usable token (RFC 6749 §5.1), or why it is not one.
//!
//! Owns [`Token`] and [`Answer`], the shapes the exchange returns, so that the exchange
//! ([`super`]) imports this module and never the other way round. [`of_http`] reads an answer
//! from its status, headers and body, with no I/O. A token is checked field by field;
//! `expires_in` may be a number or a string (Entra). A 2xx that carries `error` (GitHub) or
//! `errorCode` (Okta) is a refusal; an HTML page is quoted by its title and first heading.

use serde_json::{Map, Value};
use url::Url;

use reqwest::header::{self, HeaderMap};

use crate::config::shown;
use crate::exit::Category;
use crate::failure::oauth::Throttle;
use crate::finding::{Finding, clean};
use crate::net::body::{Body, MAX_BODY};
use crate::oauth::server_error::{self, Challenge, ServerError};
use crate::secret::{self, Secret};

/// Longest access token accepted.
pub const MAX_TOKEN: usize = 64 * 1024;

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
        /// What the headers say about throttling.
        throttle: Box<Throttle>,
    },
    /// No usable HTTP answer.
    Transport(Finding),
}

/// A refusal that the answer alone explains: only the status is known of the server's side.
fn refused(status: u16, challenges: Vec<Challenge>, finding: Finding) -> Answer {
    Answer::Refused {
        error: ServerError {
            status,
            ..Default::default()
        },
        challenges,
        finding: Some(finding),
        throttle: Box::default(),
    }
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Read an HTTP answer of the token endpoint, whatever its status, from its status, headers
/// and body: a token, or what the server said and why it is not one.
pub fn of_http(status: u16, headers: &HeaderMap, body: &Body) -> Answer {
    let challenges = server_error::parse_challenges(
        headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let content_type = header(headers, header::CONTENT_TYPE).unwrap_or("").to_ascii_lowercase();
    let mut answer = read(
        status,
        &content_type,
        header(headers, header::LOCATION),
        body,
        challenges,
    );
    if let Answer::Refused { throttle, .. } = &mut answer {
        **throttle = crate::net::quota::throttle(headers);
    }
    answer
}

fn read(status: u16, content_type: &str, location: Option<&str>, body: &Body, challenges: Vec<Challenge>) -> Answer {
    if (300..400).contains(&status) {
        let location = location
            .map(|l| clean(&strip_userinfo(l), 300))
            .unwrap_or_else(|| "(no Location)".into());
        refused(status, challenges, redirected(status, &location))
    } else if (200..300).contains(&status) {
        if body.truncated {
            refused(
                status,
                challenges,
                Finding::plain(
                    "token_answer_too_large",
                    Category::Endpoint,
                    format!(
                        "the token answer is larger than {} MiB; a token answer is a few KiB",
                        MAX_BODY / 1024 / 1024
                    ),
                ),
            )
        } else {
            parse_success(status, content_type, &body.bytes, challenges)
        }
    } else {
        let mut error = server_error::parse(status, &body.bytes, &challenges);
        let mut finding = None;
        if error.is_empty() && looks_like_html(content_type, &body.bytes) {
            let page = Page::of(&body.bytes);
            if status == 429 || status >= 500 {
                // The server's own trouble, in its page's words.
                error.title = page.title;
                error.description = page.heading;
            } else {
                finding = Some(page.finding(status));
            }
        }
        Answer::Refused {
            error,
            challenges,
            finding,
            throttle: Box::default(),
        }
    }
}

fn redirected(status: u16, location: &str) -> Finding {
    Finding::plain("token_redirected", 
        Category::Endpoint,
        format!("the token URL answered {status} with a redirect to {location}; a token request is never redirected, because that would send the secret on"),
    )
    .hint(format!("set token_url to the final address yourself, if it is right: {location}"))
    .hint("a redirect from http:// to https://, or one that adds or removes a trailing slash, means the configured URL is slightly off")
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

/// The words of an HTML page: its title and its first heading.
struct Page {
    title: Option<String>,
    heading: Option<String>,
}

impl Page {
    fn of(body: &[u8]) -> Page {
        let text = String::from_utf8_lossy(body);
        let heading = ["h1", "h2"].iter().find_map(|t| element(&text, t));
        let title = element(&text, "title");
        let heading = heading.filter(|h| Some(h) != title.as_ref());
        Page { title, heading }
    }

    fn finding(self, status: u16) -> Finding {
        let words: Vec<String> = [self.title, self.heading]
            .into_iter()
            .flatten()
            .map(|w| format!("\"{w}\""))
            .collect();
        let what = if words.is_empty() {
            "an HTML page".to_string()
        } else {
            format!("an HTML page ({})", words.join(", "))
        };
        Finding::plain(
            "token_url_html",
            Category::Endpoint,
            format!("the token URL answered {status} with {what} where a JSON token was expected"),
        )
        .hint("token_url points at a web page, a login portal or a proxy's error page, not at the token endpoint")
    }
}

/// The text of the first `<tag …>…</tag>`, tags inside removed, cleaned; `None` when empty.
fn element(html: &str, tag: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let mut from = 0;
    let start = loop {
        let i = from + lower[from..].find(&open)?;
        let after = lower.as_bytes().get(i + open.len()).copied();
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')) {
            break i + lower[i..].find('>')? + 1;
        }
        from = i + open.len();
    };
    let end = start + lower[start..].find(&format!("</{tag}"))?;
    // Secrets are masked in the text as sent, before tags and spacing change its spelling.
    let inner = clean(&html[start..end], usize::MAX);
    let mut text = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || *n == '/') {
            for d in chars.by_ref() {
                if d == '>' {
                    break;
                }
            }
        } else {
            text.push(c);
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then(|| clean(&text, 120))
}

/// Why a 2xx answer is not a token.
enum NotToken {
    /// It is an OAuth error answer (`error` without `access_token`): the server's words.
    ServerError,
    /// It is unusable for a reason the answer shows.
    Unusable(Finding),
}

impl From<Finding> for NotToken {
    fn from(f: Finding) -> Self {
        NotToken::Unusable(f)
    }
}

/// Read a 2xx answer of the token endpoint: a usable token, or why it is not one.
pub fn parse_success(status: u16, content_type: &str, bytes: &[u8], challenges: Vec<Challenge>) -> Answer {
    match read_token(status, content_type, bytes) {
        Ok(token) => Answer::Token(token),
        Err(NotToken::ServerError) => {
            let error = server_error::parse(status, bytes, &challenges);
            Answer::Refused {
                error,
                challenges,
                finding: None,
                throttle: Box::default(),
            }
        }
        Err(NotToken::Unusable(finding)) => refused(status, challenges, finding),
    }
}

fn read_token(status: u16, content_type: &str, bytes: &[u8]) -> Result<Token, NotToken> {
    let m = json_object(status, content_type, bytes)?;
    // GitHub answers 200 with `error`; Okta's format names its `errorCode`.
    if (m.contains_key("error") || m.contains_key("errorCode")) && !m.contains_key("access_token") {
        return Err(NotToken::ServerError);
    }
    let token = access_token(&m)?;
    let mut remarks = Vec::new();
    let token_type = token_type(&m, &mut remarks)?;
    let expires_in = expires_in(&m, &mut remarks);
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
    Ok(Token {
        access_token: Secret::new(token),
        token_type,
        expires_in,
        scope,
        refresh_token,
        id_token,
        remarks,
    })
}

/// The answer as a JSON object, or why it is not one.
fn json_object(status: u16, content_type: &str, bytes: &[u8]) -> Result<Map<String, Value>, Finding> {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(_) if looks_like_html(content_type, bytes) => return Err(Page::of(bytes).finding(status)),
        Err(e) => {
            let what = if std::str::from_utf8(bytes).is_err() {
                "is not valid UTF-8".to_string()
            } else {
                format!("is not valid JSON ({e})")
            };
            return Err(Finding::plain(
                "token_answer_not_json",
                Category::Endpoint,
                format!("the token answer {what}"),
            )
            .hint("check that token_url is the OAuth token endpoint"));
        }
    };
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(Finding::plain(
            "token_answer_not_object",
            Category::Endpoint,
            "the token answer is JSON but not an object",
        )),
    }
}

/// `access_token`: present, a string, and sendable in a header.
fn access_token(m: &Map<String, Value>) -> Result<String, Finding> {
    let token = match m.get("access_token") {
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            return Err(Finding::plain(
                "access_token_not_string",
                Category::Endpoint,
                "access_token in the answer is not a string",
            ));
        }
        None => {
            let keys: Vec<String> = m.keys().take(10).map(|k| clean(k, 40)).collect();
            return Err(Finding::plain(
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
            .hint("check that token_url is the OAuth token endpoint"));
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
        return Err(Finding::plain(
            "access_token_unusable",
            Category::Endpoint,
            format!("the access token in the answer is unusable: {why}"),
        ));
    }
    Ok(token)
}

/// `token_type`: Bearer, or assumed Bearer with a remark when missing.
fn token_type(m: &Map<String, Value>, remarks: &mut Vec<String>) -> Result<String, Finding> {
    match m.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("bearer") => Ok("Bearer".to_string()),
        Some(t) => Err(Finding::plain(
            "token_type_unsupported",
            Category::Endpoint,
            format!("the token type is \"{}\"; conn sends bearer tokens", clean(t, 40)),
        )
        .hint("this API uses another token type (DPoP, MAC); it is not supported")),
        None => {
            remarks.push("the token answer has no token_type (RFC 6749 §5.1 requires it); assumed Bearer".into());
            Ok("Bearer".to_string())
        }
    }
}

/// `expires_in`, with a remark when it is there but unusable.
fn expires_in(m: &Map<String, Value>, remarks: &mut Vec<String>) -> Option<u64> {
    match m.get("expires_in") {
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
    }
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

//! What a server said when it refused: RFC 6749 errors, Entra's additions, problem details
//! (and Hypatos's `{title, detail, status}`), and `WWW-Authenticate` challenges.
//!
//! Every string is cleaned (secrets masked, control characters removed) and cut to 500
//! characters before it is kept.

use serde::Serialize;
use serde_json::Value;

use crate::finding::clean;

/// Longest server string kept.
pub const MAX_TEXT: usize = 500;

/// The server's own words, as far as they could be parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServerError {
    /// HTTP status.
    pub status: u16,
    /// RFC 6749 / RFC 6750 `error`.
    pub error: Option<String>,
    /// Problem-details `title`.
    pub title: Option<String>,
    /// `error_description` or problem-details `detail`.
    pub description: Option<String>,
    /// The vendor's own error code beside (or instead of) RFC 6749's `error`: Okta's
    /// `errorCode` (`E0000011`), AWS's `__type` or `x-amzn-errortype`, Salesforce's
    /// `errorCode`, Google's `status` (`PERMISSION_DENIED`), and the like.
    pub vendor_code: Option<String>,
    /// Entra `error_codes` (AADSTS numbers).
    pub error_codes: Vec<i64>,
    /// Entra `trace_id`.
    pub trace_id: Option<String>,
    /// Entra `correlation_id`.
    pub correlation_id: Option<String>,
    /// Entra `timestamp`.
    pub timestamp: Option<String>,
    /// Scope named by a `WWW-Authenticate` challenge.
    pub scope: Option<String>,
}

impl ServerError {
    /// Whether anything beyond the status was understood.
    pub fn is_empty(&self) -> bool {
        self.error.is_none()
            && self.title.is_none()
            && self.description.is_none()
            && self.vendor_code.is_none()
            && self.error_codes.is_empty()
    }

    /// The first AADSTS code.
    pub fn aadsts(&self) -> Option<i64> {
        self.error_codes.first().copied().or_else(|| {
            let d = self.description.as_deref()?;
            let rest = d.strip_prefix("AADSTS")?;
            rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
    }

    /// How the server's words are quoted in a summary: `invalid_client: Client authentication failed`.
    pub fn quote(&self) -> Option<String> {
        let head = self.error.as_deref().or(self.title.as_deref());
        let desc = self.description.as_deref().map(entra_message);
        match (head, desc) {
            (Some(h), Some(d)) => Some(format!("{h}: {}", clean(d, 200))),
            (Some(h), None) => Some(h.to_string()),
            (None, Some(d)) => Some(clean(d, 200)),
            (None, None) => None,
        }
    }
}

/// Entra descriptions carry "Trace ID: … Correlation ID: … Timestamp: …" after the message;
/// those are shown on their own. The message alone, trimmed; the one place that splits them.
pub fn entra_message(d: &str) -> &str {
    match d.find(" Trace ID:") {
        Some(i) => d[..i].trim(),
        None => d,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(clean(s, MAX_TEXT)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parse an error answer from its status, JSON body (if any) and challenges.
pub fn parse(status: u16, body: &[u8], challenges: &[Challenge]) -> ServerError {
    let mut e = ServerError {
        status,
        ..Default::default()
    };
    if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) {
        e.error = text(m.get("error"));
        e.description = text(m.get("error_description")).or_else(|| text(m.get("detail")));
        e.title = text(m.get("title")).or_else(|| text(m.get("message")));
        // Some servers nest: {"error": {"code": "...", "message": "..."}}
        if let Some(Value::Object(inner)) = m.get("error") {
            e.error = text(inner.get("code"));
            e.description = e.description.or_else(|| text(inner.get("message")));
        }
        if let Some(Value::Array(codes)) = m.get("error_codes") {
            e.error_codes = codes.iter().filter_map(Value::as_i64).take(10).collect();
        }
        e.trace_id = text(m.get("trace_id"));
        e.correlation_id = text(m.get("correlation_id"));
        e.timestamp = text(m.get("timestamp"));
        okta(&m, &mut e);
        aws(&m, &mut e);
        google(&m, &mut e);
    }
    for c in challenges {
        if e.error.is_none() {
            e.error = c.param("error").map(|s| clean(s, MAX_TEXT));
        }
        if e.description.is_none() {
            e.description = c.param("error_description").map(|s| clean(s, MAX_TEXT));
        }
        if e.scope.is_none() {
            e.scope = c.param("scope").map(|s| clean(s, MAX_TEXT));
        }
    }
    e
}

/// Okta's `{errorCode, errorSummary, errorCauses: [{errorSummary}]}` (its Authentication and
/// management APIs): the code is the vendor's, the summary and causes its words.
/// <https://developer.okta.com/docs/reference/error-codes/>
fn okta(m: &serde_json::Map<String, Value>, e: &mut ServerError) {
    let Some(code) = text(m.get("errorCode")) else { return };
    e.vendor_code.get_or_insert(code);
    let mut words: Vec<String> = text(m.get("errorSummary")).into_iter().collect();
    if let Some(Value::Array(causes)) = m.get("errorCauses") {
        words.extend(causes.iter().take(5).filter_map(|c| text(c.get("errorSummary"))));
    }
    if e.description.is_none() && !words.is_empty() {
        e.description = Some(clean(&words.join("; "), MAX_TEXT));
    }
}

/// AWS's JSON protocols: `__type` (`UnrecognizedClientException`, or namespaced
/// `com.amazon.coral.service#…`) and `message` or `Message`.
fn aws(m: &serde_json::Map<String, Value>, e: &mut ServerError) {
    if let Some(t) = text(m.get("__type")) {
        e.vendor_code = Some(aws_code(&t));
    }
    if e.title.is_none() {
        e.title = text(m.get("Message"));
    }
}

/// The bare AWS error code: `ns#Code` and `Code:http://…` are `Code`.
fn aws_code(t: &str) -> String {
    let t = t.rsplit('#').next().unwrap_or(t);
    t.split(':').next().unwrap_or(t).trim().to_string()
}

/// Google's `{"error": {"code", "message", "status", "details": [{"reason"}]}}`: the status
/// (`PERMISSION_DENIED`), or the more precise reason (`ACCESS_TOKEN_SCOPE_INSUFFICIENT`), is the
/// vendor code; the numeric code is only the HTTP status again.
fn google(m: &serde_json::Map<String, Value>, e: &mut ServerError) {
    let Some(Value::Object(inner)) = m.get("error") else {
        return;
    };
    let reason = match inner.get("details") {
        Some(Value::Array(d)) => d.iter().find_map(|x| text(x.get("reason"))),
        _ => None,
    };
    if let Some(code) = reason.or_else(|| text(inner.get("status"))) {
        e.vendor_code = Some(code);
        if inner.get("code").is_some_and(Value::is_number) {
            e.error = None;
        }
    }
}

/// [`parse`], and what only the headers or a non-object body carry: AWS's `x-amzn-errortype`
/// header, AWS's XML errors, Salesforce's array of `{message, errorCode}`.
pub fn parse_answer(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    challenges: &[Challenge],
) -> ServerError {
    let mut e = parse(status, body, challenges);
    aws_header(headers, &mut e);
    aws_xml(body, &mut e);
    salesforce(body, &mut e);
    e
}

/// `x-amzn-errortype: UnrecognizedClientException:http://internal.amazon.com/…`.
fn aws_header(headers: &reqwest::header::HeaderMap, e: &mut ServerError) {
    if e.vendor_code.is_none()
        && let Some(t) = headers.get("x-amzn-errortype").and_then(|v| v.to_str().ok())
    {
        e.vendor_code = Some(clean(&aws_code(t), MAX_TEXT));
    }
}

/// `<ErrorResponse><Error><Code>ExpiredToken</Code><Message>…</Message></Error>` (AWS query
/// protocol, STS), and S3's `<Error><Code>…`.
fn aws_xml(body: &[u8], e: &mut ServerError) {
    let s = String::from_utf8_lossy(&body[..body.len().min(8192)]);
    if !s.trim_start().starts_with('<') || !s.contains("<Error>") {
        return;
    }
    let inner = |tag: &str| {
        let open = format!("<{tag}>");
        let start = s.find(&open)? + open.len();
        let end = start + s[start..].find(&format!("</{tag}>"))?;
        Some(clean(s[start..end].trim(), MAX_TEXT)).filter(|v| !v.is_empty())
    };
    e.vendor_code = e.vendor_code.take().or_else(|| inner("Code"));
    e.description = e.description.take().or_else(|| inner("Message"));
}

/// Salesforce: `[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]`.
fn salesforce(body: &[u8], e: &mut ServerError) {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Some(Value::Object(first)) = items.first() else {
        return;
    };
    e.vendor_code = e.vendor_code.take().or_else(|| text(first.get("errorCode")));
    e.description = e.description.take().or_else(|| text(first.get("message")));
}

/// One `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Scheme, lower-cased (`bearer`, `basic`).
    pub scheme: String,
    /// Parameters, names lower-cased.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Parse `WWW-Authenticate` header values (RFC 9110 §11.6.1): several challenges per header,
/// quoted strings with escapes, `token68`. Malformed input yields what could be read.
pub fn parse_challenges<'a>(headers: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out = Vec::new();
    for h in headers {
        let mut p = Lexer { s: h.as_bytes(), i: 0 };
        loop {
            p.skip(|c| c == b' ' || c == b'\t' || c == b',');
            let Some(scheme) = p.token() else { break };
            let mut ch = Challenge {
                scheme: scheme.to_ascii_lowercase(),
                params: Vec::new(),
            };
            loop {
                p.skip(|c| c == b' ' || c == b'\t');
                let save = p.i;
                let Some(name) = p.token() else { break };
                p.skip(|c| c == b' ' || c == b'\t');
                if p.peek() != Some(b'=') {
                    // The next challenge's scheme.
                    p.i = save;
                    break;
                }
                p.i += 1;
                // token68 ends with '=' padding: `Basic abc==`.
                if p.peek().is_none_or(|c| c == b'=' || c == b',') && ch.params.is_empty() {
                    p.skip(|c| c == b'=');
                    ch.params.push(("token68".into(), name));
                } else {
                    p.skip(|c| c == b' ' || c == b'\t');
                    let value = if p.peek() == Some(b'"') {
                        p.quoted()
                    } else {
                        p.token().unwrap_or_default()
                    };
                    ch.params.push((name.to_ascii_lowercase(), value));
                }
                p.skip(|c| c == b' ' || c == b'\t');
                if p.peek() == Some(b',') {
                    p.i += 1;
                }
                // Without a comma the next `name=` is still a parameter (AWS HTTP APIs send
                // `Bearer scope="" error="invalid_token"`); the loop's head tells it from a scheme.
            }
            out.push(ch);
            if out.len() >= 16 {
                return out;
            }
        }
    }
    out
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip(&mut self, f: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&f) {
            self.i += 1;
        }
    }
    fn token(&mut self) -> Option<String> {
        let start = self.i;
        self.skip(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/:".contains(&c));
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn quoted(&mut self) -> String {
        self.i += 1;
        let mut v = Vec::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    if let Some(n) = self.peek() {
                        v.push(n);
                        self.i += 1;
                    }
                }
                _ => v.push(c),
            }
        }
        String::from_utf8_lossy(&v).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let c = parse_challenges([r#"Bearer realm="api", error="insufficient_scope", scope="a b""#]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].param("scope"), Some("a b"));
        let two = parse_challenges([r#"Basic realm="x", Bearer error="invalid_token", error_description="ex\"p""#]);
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].param("error_description"), Some("ex\"p"));
        let t68 = parse_challenges(["Negotiate abc==, Bearer"]);
        assert_eq!(t68[0].param("token68"), Some("abc"));
        assert_eq!(t68[1].scheme, "bearer");
        // Junk yields nothing usable, and no panic.
        for junk in ["", ",,,", "\"\"\"", "=", "Bearer ="] {
            let _ = parse_challenges([junk]);
        }
        assert!(parse_challenges(["", ",,,"]).is_empty());
    }

    #[test]
    fn entra_body() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026","error_codes":[7000215],"trace_id":"t","correlation_id":"c","timestamp":"2026"}"#;
        let e = parse(401, body, &[]);
        assert_eq!(e.aadsts(), Some(7000215));
        assert_eq!(e.trace_id.as_deref(), Some("t"));
        assert_eq!(
            e.quote().unwrap(),
            "invalid_client: AADSTS7000215: Invalid client secret provided."
        );
    }

    #[test]
    fn vendor_formats() {
        let okta = parse(
            401,
            br#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorCauses":[]}"#,
            &[],
        );
        assert_eq!(
            (okta.vendor_code.as_deref(), okta.description.as_deref()),
            (Some("E0000011"), Some("Invalid token provided"))
        );
        let aws = parse(
            400,
            br#"{"__type":"com.amazon.coral.service#UnrecognizedClientException","Message":"bad"}"#,
            &[],
        );
        assert_eq!(
            (aws.vendor_code.as_deref(), aws.title.as_deref()),
            (Some("UnrecognizedClientException"), Some("bad"))
        );
        let google = parse(403, br#"{"error":{"code":403,"message":"m","status":"PERMISSION_DENIED","details":[{"reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT"}]}}"#, &[]);
        assert_eq!(
            (google.vendor_code.as_deref(), google.error.as_deref()),
            (Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT"), None)
        );
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            "x-amzn-errortype",
            "UnrecognizedClientException:http://internal.amazon.com/coral/"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            parse_answer(400, &h, b"{}", &[]).vendor_code.as_deref(),
            Some("UnrecognizedClientException")
        );
        let none = reqwest::header::HeaderMap::new();
        let xml = parse_answer(
            400,
            &none,
            b"<ErrorResponse><Error><Code>ExpiredToken</Code><Message>expired</Message></Error></ErrorResponse>",
            &[],
        );
        assert_eq!(
            (xml.vendor_code.as_deref(), xml.description.as_deref()),
            (Some("ExpiredToken"), Some("expired"))
        );
        let sf = parse_answer(
            401,
            &none,
            br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
            &[],
        );
        assert_eq!(
            (sf.vendor_code.as_deref(), sf.description.as_deref()),
            (Some("INVALID_SESSION_ID"), Some("Session expired or invalid"))
        );
    }

    #[test]
    fn challenge_parameters_without_commas() {
        // AWS HTTP APIs' JWT authorizer separates the parameters with spaces only.
        let c = parse_challenges([
            r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#,
        ]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].param("error"), Some("invalid_token"));
        assert_eq!(
            c[0].param("error_description"),
            Some("the token does not have a valid audience")
        );
    }

    #[test]
    fn problem_details() {
        let e = parse(401, br#"{"title":"Invalid client credentials","detail":"The provided client credentials are not valid","status":401}"#, &[]);
        assert_eq!(e.title.as_deref(), Some("Invalid client credentials"));
        assert_eq!(
            e.description.as_deref(),
            Some("The provided client credentials are not valid")
        );
        assert!(parse(500, b"<html>", &[]).is_empty());
    }

    #[test]
    fn okta_body() {
        let e = parse(400, br#"{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorLink":"E0000001","errorId":"x","errorCauses":[{"errorSummary":"login: An object with this field already exists"}]}"#, &[]);
        assert_eq!(e.vendor_code.as_deref(), Some("E0000001"));
        assert_eq!(
            e.description.as_deref(),
            Some("Api validation failed: login; login: An object with this field already exists")
        );
        assert!(!e.is_empty());
    }
}

#[cfg(test)]
mod proptests {
    //! Property tests of the `WWW-Authenticate` and error-body parsers: they never panic, stay
    //! bounded, and keep only cleaned text.
    use proptest::prelude::*;

    use super::*;

    fn header() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,200}",
            "[ ,=\"\\\\a-zA-Z0-9]{0,200}",
            proptest::collection::vec(
                (
                    "[A-Za-z]{1,8}",
                    proptest::collection::vec(("[a-z_]{1,8}", "[ -~]{0,20}"), 0..4)
                ),
                0..20,
            )
            .prop_map(|chs| {
                chs.iter()
                    .map(|(s, ps)| {
                        let ps: Vec<String> = ps
                            .iter()
                            .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                            .collect();
                        format!("{s} {}", ps.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn challenges_are_bounded_tokens(headers in proptest::collection::vec(header(), 0..4)) {
            let cs = parse_challenges(headers.iter().map(String::as_str));
            prop_assert!(cs.len() <= 16);
            for c in &cs {
                prop_assert!(!c.scheme.is_empty());
                prop_assert_eq!(c.scheme.clone(), c.scheme.to_ascii_lowercase());
                prop_assert!(c.scheme.bytes().all(|b| b.is_ascii_graphic()));
                for (k, _) in &c.params {
                    prop_assert_eq!(k.clone(), k.to_ascii_lowercase());
                }
            }
        }

        #[test]
        fn well_formed_quoted_values_round_trip(scheme in "[A-Za-z][A-Za-z0-9]{0,7}", value in "[ -~]{0,40}") {
            let h = format!("{scheme} error=\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
            let cs = parse_challenges([h.as_str()]);
            prop_assert_eq!(cs.len(), 1);
            prop_assert_eq!(cs[0].param("error"), Some(value.as_str()));
        }

        #[test]
        fn error_bodies_keep_only_clean_text(
            status in 100u16..600,
            error in ".{0,700}",
            desc in ".{0,700}",
            raw in proptest::collection::vec(any::<u8>(), 0..300),
            challenge in header(),
        ) {
            let body = serde_json::json!({"error": error, "error_description": desc, "title": desc, "trace_id": error}).to_string();
            let cs = parse_challenges([challenge.as_str()]);
            for b in [body.as_bytes(), raw.as_slice()] {
                let e = parse(status, b, &cs);
                prop_assert_eq!(e.status, status);
                for s in [&e.error, &e.description, &e.title, &e.trace_id, &e.scope].into_iter().flatten() {
                    prop_assert!(s.chars().count() <= MAX_TEXT + 1, "{} chars", s.chars().count());
                    prop_assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
                }
                if let Some(q) = e.quote() {
                    prop_assert!(!q.chars().any(|c| c.is_control()));
                }
            }
        }
    }
}

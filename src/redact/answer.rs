//! A token answer (or a token request) as the `-v` trace shows it: the text as received,
//! with the value of every credential-named field masked in place — in a JSON document at
//! any depth and inside arrays, or in a form-encoded body — and those values registered
//! with the redactor, so that a copy of them anywhere else is masked too.
//!
//! Working on the received bytes, not on a re-serialised document, keeps an escaped value
//! (`\"`, `\\`, `\/`, `\u00XX`) from slipping past the redactor.

use super::MASK;
use super::keys::{is_secret_key, worth_registering};

/// The body, masked, for the trace.
pub fn traced(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim_start();
    let masked = if trimmed.starts_with(['{', '[']) {
        json(&text)
    } else if looks_like_form(trimmed) {
        form(&text)
    } else {
        text.into_owned()
    };
    super::redact(&masked)
}

/// A form-encoded request body for the trace.
pub fn traced_form(body: &str) -> String {
    super::redact(&form(body))
}

fn looks_like_form(t: &str) -> bool {
    let t = t.trim_end();
    t.contains('=') && !t.contains(|c: char| c.is_whitespace() || c == '<')
}

fn decode_form(s: &str) -> String {
    url::form_urlencoded::parse(format!("k={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `a=1&access_token=x` → `a=1&access_token=********`.
fn form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if is_secret_key(&decode_form(k)) && !v.is_empty() => {
                let value = decode_form(v.trim_end());
                if worth_registering(&value) {
                    super::register(&value);
                }
                format!("{k}={MASK}")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Where the scanner is in the document.
struct Frame {
    object: bool,
    /// Everything inside is a credential (the frame is the value of a credential key).
    secret: bool,
    /// In an object: the next string is a key.
    expect_key: bool,
    /// In an object: the current key is a credential name.
    key_secret: bool,
}

impl Frame {
    fn value_is_secret(&self) -> bool {
        self.secret || (self.object && self.key_secret)
    }
}

/// End (exclusive) of the JSON string starting at `t[start] == b'"'`.
fn string_end(t: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < t.len() {
        match t[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    t.len()
}

/// Mask the string values under credential keys of a JSON text, scanning its bytes (a
/// broken document is scanned as far as it goes).
fn json(text: &str) -> String {
    let t = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let inherited = stack.last().is_some_and(Frame::value_is_secret);
        match t[i] {
            open @ (b'{' | b'[') => stack.push(Frame {
                object: open == b'{',
                secret: inherited,
                expect_key: open == b'{',
                key_secret: false,
            }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(f) = stack.last_mut().filter(|f| f.object) {
                    f.expect_key = true;
                    f.key_secret = false;
                }
            }
            b':' => {
                if let Some(f) = stack.last_mut() {
                    f.expect_key = false;
                }
            }
            b'"' => {
                let end = string_end(t, i);
                let literal = &text[i..end];
                match stack.last_mut() {
                    Some(f) if f.object && f.expect_key => {
                        let key: String = serde_json::from_str(literal).unwrap_or_default();
                        f.key_secret = is_secret_key(&key);
                    }
                    _ if inherited => {
                        if let Ok(v) = serde_json::from_str::<String>(literal)
                            && worth_registering(&v)
                        {
                            super::register(&v);
                        }
                        spans.push((i, end));
                    }
                    _ => {}
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        out.push_str(&text[at..s]);
        out.push('"');
        out.push_str(MASK);
        out.push('"');
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_wherever_they_sit() {
        let table: &[(&str, &str)] = &[
            (
                r#"{"access_token":"t1-aaaa","token_type":"Bearer","expires_in":60}"#,
                r#"{"access_token":"********","token_type":"Bearer","expires_in":60}"#,
            ),
            (
                r#"{"data": {"accessToken" : "t2-bbbb", "n": 1}}"#,
                r#"{"data": {"accessToken" : "********", "n": 1}}"#,
            ),
            (
                r#"[{"refresh_token":"t3-cccc"},{"tokens":["t4-dddd",{"x":"t5-eeee"}]}]"#,
                r#"[{"refresh_token":"********"},{"tokens":["********",{"x":"********"}]}]"#,
            ),
            (
                r#"{"id_token":"q\"b\\s\/t6-ffff","scope":"a"}"#,
                r#"{"id_token":"********","scope":"a"}"#,
            ),
            (r#"{"access_token":"t7-gggg""#, r#"{"access_token":"********""#),
            (
                "access_token=t8-hhhh&token_type=bearer&Refresh%5FToken=t9-iiii",
                "access_token=********&token_type=bearer&Refresh%5FToken=********",
            ),
            ("<html>access_token=x</html>", "<html>access_token=x</html>"),
        ];
        for (body, want) in table {
            assert_eq!(traced(body.as_bytes()), *want, "{body}");
        }
    }

    #[test]
    fn masked_values_are_masked_elsewhere_too() {
        let _ = traced(br#"{"x":{"client_secret":"elsewhere-\"1\\"}}"#);
        assert_eq!(super::super::redact(r#"echo elsewhere-"1\ end"#), "echo ******** end");
        let _ = traced(b"password=form%2Bvalue-2");
        assert_eq!(super::super::redact("got form+value-2"), "got ********");
    }

    proptest::proptest! {
        #[test]
        fn a_credential_at_any_depth_never_shows(
            value in "[ -)+-~é]{4,24}",
            key in proptest::sample::select(vec!["access_token", "refreshToken", "ID_TOKEN", "client_secret", "password", "assertion", "api-key"]),
            depth in 0usize..4,
            in_array in proptest::bool::ANY,
        ) {
            let mut doc = serde_json::json!({ key: value.clone(), "token_type": "Bearer" });
            if in_array {
                doc = serde_json::json!([1, doc]);
            }
            for _ in 0..depth {
                doc = serde_json::json!({ "data": doc, "n": 1 });
            }
            let shown = traced(doc.to_string().as_bytes());
            proptest::prop_assert!(!shown.contains(&value), "{shown}");
            let json = serde_json::Value::from(value.clone()).to_string();
            proptest::prop_assert!(!shown.contains(&json[1..json.len() - 1]), "{shown}");
        }
    }

    #[test]
    fn a_request_body_is_masked_by_field() {
        assert_eq!(
            traced_form("grant_type=password&username=u&password=pw&client_secret=s"),
            "grant_type=password&username=u&password=********&client_secret=********"
        );
    }
}

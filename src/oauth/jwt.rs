//! Reading a JWT's claims for display. Nothing here verifies anything, and nothing here
//! decides anything: the claims are shown, labelled unverified, to help a person see which
//! audience, tenant, app and roles a token carries.

use base64::Engine;
use serde_json::{Map, Value};

/// Claims a report may show; never the raw token.
pub const SHOWN: &[&str] = &[
    "iss", "aud", "sub", "azp", "appid", "tid", "scp", "scope", "roles", "exp", "iat", "nbf",
];

/// The payload of a JWT, limited to [`SHOWN`], or `None` when the token is not a JWT.
pub fn claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.len() > 64 * 1024 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let Value::Object(all) = serde_json::from_slice::<Value>(&bytes).ok()? else {
        return None;
    };
    let kept: Map<String, Value> = all
        .into_iter()
        .filter(|(k, _)| SHOWN.contains(&k.as_str()))
        .map(|(k, v)| (k, tidy(v)))
        .collect();
    Some(kept)
}

/// Cut long strings so a hostile token cannot flood the report.
fn tidy(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(crate::finding::clean(&s, 200)),
        Value::Array(a) => Value::Array(a.into_iter().take(50).map(tidy).collect()),
        Value::Number(_) | Value::Bool(_) | Value::Null => v,
        Value::Object(_) => Value::String("(object)".into()),
    }
}

/// A claim as a list of strings (`aud` may be a string or a list; `scp` is space-separated).
pub fn strings(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::String(s)) if name == "scp" || name == "scope" => {
            s.split_whitespace().map(str::to_string).collect()
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_limits() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"aud":"api://x","roles":["A"],"secret_claim":"no","exp":5}"#);
        let c = claims(&format!("h.{payload}.s")).unwrap();
        assert_eq!(strings(&c, "aud"), vec!["api://x"]);
        assert!(!c.contains_key("secret_claim"));
        assert!(claims("opaque-token").is_none());
        assert!(claims("a.b.c.d").is_none());
    }
}

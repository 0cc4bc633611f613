//! The diagnosis of every API answer in the corpus (`endpoint = "api"`), as the probe reads it:
//! each answer goes through the probe's own verdict (`conn::check::probe::verdict`, what the
//! binary runs on a final answer) with a profile whose auth fits the entry, and must give the
//! entry's kind and category, quote the server's words, carry a hint, and show no Rust
//! rendering and no "unknown".
//!
//! An entry may say how it was called: `auth` (`oauth`, the default; `none`, `basic`,
//! `api-key`, `hypatos`), `url` (the address called) and `probe` (the profile's own probe
//! setting, when the call was the profile's rather than conn's choice).

use std::path::Path;

use conn::check::probe::{Context, verdict};
use conn::config::Config;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::corpus::{entries, text};

/// The profiles an entry can be called with.
fn profiles(probe: Option<&str>) -> String {
    let probe = probe.map_or(String::new(), |p| format!("probe = \"{p}\"\n"));
    format!(
        r#"
[profiles.oauth]
type = "rest"
base_url = "https://api.example"
probe = "/v1/items"
[profiles.oauth.auth]
type = "oauth2-client-credentials"
token_url = "https://login.example/token"
client_id = "c"
client_secret = {{ env = "S" }}

[profiles.none]
type = "rest"
base_url = "https://api.example"
probe = "/v1/items"

[profiles.basic]
type = "rest"
base_url = "https://api.example"
probe = "/v1/items"
[profiles.basic.auth]
type = "basic"
username = "u"
password = {{ env = "P" }}

[profiles.api-key]
type = "rest"
base_url = "https://api.example"
probe = "/v1/items"
[profiles.api-key.auth]
type = "api-key"
key = {{ env = "K" }}
name = "X-API-Key"
in = "header"

[profiles.hypatos]
type = "hypatos"
client_id = "c"
client_secret = {{ env = "S" }}
{probe}"#
    )
}

/// The answer's headers, as the probe receives them.
fn headers(a: &toml::Table) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in a["headers"].as_table().expect("headers") {
        let name = HeaderName::from_bytes(k.as_bytes()).expect("header name");
        h.append(
            name,
            HeaderValue::from_str(v.as_str().expect("header value")).expect("header value"),
        );
    }
    h
}

/// Whether `q` is shown in `words`: exactly, or, for a header the entry names, in any case
/// (header names are case-insensitive, and conn shows them as received: lower case).
pub(crate) fn shown(q: &str, words: &str, a: &toml::Table) -> bool {
    let header = a["headers"]
        .as_table()
        .expect("headers")
        .keys()
        .any(|k| q.to_ascii_lowercase().starts_with(&k.to_ascii_lowercase()));
    words.contains(q) || header && words.to_ascii_lowercase().contains(&q.to_ascii_lowercase())
}

#[test]
fn every_api_answer_gets_its_diagnosis() {
    let mut failed = Vec::new();
    let mut total = 0;
    for (file, a) in entries() {
        if text(&a, "endpoint", &file) != "api" {
            continue;
        }
        total += 1;
        let id = text(&a, "id", &file).to_string();
        let want_kind = a
            .get("kind")
            .and_then(|v| v.as_str())
            .unwrap_or("(no kind in the corpus)");
        let want_category = text(&a, "category", &id);
        let auth = a.get("auth").and_then(|v| v.as_str()).unwrap_or("oauth");
        let probe = a.get("probe").and_then(|v| v.as_str());
        let url = a
            .get("url")
            .and_then(|v| v.as_str())
            .unwrap_or("https://api.example/v1/items");
        let cfg = Config::from_text(Path::new("p.toml"), profiles(probe)).expect("profiles parse");
        let profile = cfg.select(auth, None).expect("a profile per auth");
        let ctx = Context {
            profile: &profile,
            granted: Some(&[]),
            claims: None,
        };
        let status = a["status"].as_integer().expect("status") as u16;
        let o = verdict(
            status,
            &headers(&a),
            text(&a, "body", &id).as_bytes(),
            url.to_string(),
            0,
            &ctx,
            0,
        );
        let Some(f) = o.failure else {
            failed.push(format!(
                "{id}: passed (detail {:?}), want {want_kind}/{want_category}",
                o.detail
            ));
            continue;
        };
        let (summary, hints) = (f.summary(), f.hints());
        let words = format!("{summary}\n{}", hints.join("\n"));
        let mut wrong = Vec::new();
        if f.kind() != want_kind {
            wrong.push(format!("kind {} (want {want_kind})", f.kind()));
        }
        if f.category().as_str() != want_category {
            wrong.push(format!("category {} (want {want_category})", f.category().as_str()));
        }
        for q in a["quote"].as_array().expect("quote") {
            let q = q.as_str().expect("quote string");
            if !shown(q, &words, &a) {
                wrong.push(format!("does not quote {q:?}"));
            }
        }
        if hints.iter().all(|h| h.trim().is_empty()) {
            wrong.push("no hint".into());
        }
        for bad in ["unknown", "Some(", "None)", "Other(", "\\\""] {
            if words.to_ascii_lowercase().contains(&bad.to_ascii_lowercase()) {
                wrong.push(format!("shows {bad:?}"));
            }
        }
        if !wrong.is_empty() {
            failed.push(format!(
                "{id}: {}\n    summary: {summary}\n    hints: {hints:?}",
                wrong.join("; ")
            ));
        }
    }
    assert!(total >= 90, "only {total} API answers in the corpus");
    println!("{} of {total} API answers pass", total - failed.len());
    assert!(
        failed.is_empty(),
        "{} of {total} API answers are misread:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

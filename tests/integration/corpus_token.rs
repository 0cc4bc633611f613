//! The diagnosis of every token-endpoint answer in the corpus (`endpoint = "token"`): each
//! answer goes through `conn::oauth::diagnose::read`, the reading `conn` gives every token
//! answer, with the request facts of the entry (its vendor, its `grant`).
//!
//! An entry passes when its kind and category are the expected ones, every `quote` is in the
//! summary or a hint, there is a hint, and no text looks like Rust's debug form or "unknown".
//! Every failing entry is printed before the test fails.

use conn::failure::Failure;
use conn::failure::oauth::{Facts, Grant};
use conn::net::body::Body;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::corpus::{entries, text};

const CATEGORIES: &[(&str, conn::exit::Category)] = {
    use conn::exit::Category::*;
    &[
        ("config", Config),
        ("network", Network),
        ("tls", Tls),
        ("authentication", Authentication),
        ("permission", Permission),
        ("endpoint", Endpoint),
        ("interactive", Interactive),
    ]
};

/// The request an entry's answer came back to: `grant` names it (client credentials when absent).
fn facts(a: &toml::Table, at: &str) -> Facts {
    let grant = match a.get("grant").and_then(|g| g.as_str()) {
        None | Some("client_credentials") => Grant::ClientCredentials,
        Some("password") => Grant::Password,
        Some("authorization_code" | "refresh_token") => Grant::SignIn,
        Some(other) => panic!("{at}: grant {other:?}"),
    };
    Facts {
        hypatos: text(a, "vendor", at) == "hypatos",
        grant,
        scopes: vec!["api://resource/.default".into()],
        secret_is_guid: false,
        token_url: "https://idp.example/oauth2/token".into(),
    }
}

fn headers(a: &toml::Table) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in a.get("headers").and_then(|v| v.as_table()).into_iter().flatten() {
        let name = HeaderName::from_bytes(k.as_bytes()).expect("header name");
        h.append(
            name,
            HeaderValue::from_str(v.as_str().expect("header value")).expect("header value"),
        );
    }
    h
}

/// Why an entry fails, or `None` when it passes.
fn verdict(a: &toml::Table, at: &str) -> Option<String> {
    let status = a["status"].as_integer().expect("status") as u16;
    let body = Body {
        bytes: text(a, "body", at).as_bytes().to_vec(),
        truncated: false,
    };
    let f: Failure = match conn::oauth::diagnose::read(status, &headers(a), &body, &facts(a, at)) {
        Ok(_) => return Some("read as a token".into()),
        Err(f) => f,
    };
    let kind = text(a, "kind", at);
    let category = text(a, "category", at);
    let (summary, hints) = (f.summary(), f.hints());
    let got_category = CATEGORIES
        .iter()
        .find(|(_, c)| *c == f.category())
        .map_or("?", |(n, _)| n);
    let mut wrong = Vec::new();
    if f.kind() != kind {
        wrong.push(format!("kind {} (expected {kind})", f.kind()));
    }
    if got_category != category {
        wrong.push(format!("category {got_category} (expected {category})"));
    }
    let all = format!("{summary}\n{}", hints.join("\n"));
    for q in a["quote"].as_array().expect("quote") {
        let q = q.as_str().expect("quote strings");
        if !all.contains(q) {
            wrong.push(format!("does not quote {q:?}"));
        }
    }
    if hints.is_empty() {
        wrong.push("no hint".into());
    }
    for bad in ["unknown", "Some(", "Other(", "\\\""] {
        if all.to_lowercase().contains(&bad.to_lowercase()) {
            wrong.push(format!("says {bad:?}"));
        }
    }
    // A placeholder left unfilled (unless the server itself sent those braces).
    for hole in ["{status}", "{code}", "{id}", "{token_url}"] {
        if all.contains(hole) && !text(a, "body", at).contains(hole) {
            wrong.push(format!("leaves {hole} unfilled"));
        }
    }
    (!wrong.is_empty()).then(|| {
        format!(
            "{}\n    summary: {summary}\n    hints: {}",
            wrong.join("; "),
            hints.join(" | ")
        )
    })
}

#[test]
fn every_token_answer_is_diagnosed_as_expected() {
    let mut failed = Vec::new();
    let mut n = 0;
    for (file, a) in entries() {
        let id = text(&a, "id", &file).to_string();
        if text(&a, "endpoint", &id) != "token" {
            continue;
        }
        n += 1;
        if let Some(why) = verdict(&a, &id) {
            failed.push(format!("{file}: {id}: {why}"));
        }
    }
    assert!(n >= 60, "only {n} token answers");
    for f in &failed {
        eprintln!("{f}");
    }
    assert!(
        failed.is_empty(),
        "{} of {n} token answers are diagnosed wrongly",
        failed.len()
    );
    eprintln!("{n} of {n} token answers pass");
}

//! A sample of the corpus served over loopback to the real binary: each answer replayed as
//! captured (`support/replay.rs`), `conn test` run against it with a profile whose auth fits,
//! and what a user checks asserted: the exit code of the entry's category, the server's own
//! words on stdout, and the report's `kind` and `category`.
//!
//! The sample covers every pattern: sign-in pages, 403s that are not permissions, gateways,
//! proxies and CDNs, vendor formats, throttles, mixed signals, the error name trusted over the
//! server's words; API and token answers.

use crate::corpus::{entries, text};
use crate::corpus_api::shown;
use crate::support::Sandbox;
use crate::support::fake;
use crate::support::hostile::{SECRET, cc, clean_of_secrets};
use crate::support::profiles::Profile;
use crate::support::replay;

/// API answers (`endpoint = "api"`).
const API: &[&str] = &[
    "azure-app-proxy-200-sign-in-page",
    "oauth2-proxy-403-sign-in-page",
    "github-api-403-rate-limit-exceeded",
    "aws-apigw-403-missing-authentication-token-unknown-route",
    "squid-403-err-access-denied",
    "cloudflare-403-error-1020-access-denied",
    "google-api-403-insufficient-scope-www-authenticate",
    "entra-api-401-issuer-null-invalid",
    "salesforce-api-invalid-session-id",
    "nginx-401-authorization-required-auth-basic",
    "kong-401-no-api-key-found",
    "spring-boot-401-basic-default-error-body",
    "aws-sts-expired-token-xml",
];

/// Token answers (`endpoint = "token"`).
const TOKEN: &[&str] = &[
    "entra-7000215-invalid-client-secret",
    "entra-50196-client-request-loop",
    "keycloak-unauthorized-client-invalid-client-credentials",
    "okta-token-invalid-client",
    "google-token-invalid-client-oauth-client-not-found",
    "hypatos-token-429-rate-limit",
];

/// Lines a person reads besides the quotes: the vendor's code on the server line, the wait.
const SHOWN: &[(&str, &str)] = &[
    ("aws-sts-expired-token-xml", "server: 400 code=ExpiredToken"),
    (
        "github-api-403-rate-limit-exceeded",
        "wait 50m 25s (x-ratelimit-reset: 1377013266)",
    ),
    (
        "cloudflare-403-error-1020-access-denied",
        "answered by Cloudflare, Ray ID 74385ccaab1ab3d3-MIA",
    ),
];

/// The exit code of a category (spec/cli.md).
fn exit_code(category: &str) -> i32 {
    match category {
        "config" => 2,
        "network" => 3,
        "tls" => 4,
        "authentication" => 5,
        "permission" => 6,
        "endpoint" => 7,
        "interactive" => 8,
        other => panic!("category {other}"),
    }
}

/// The profile `p` an entry is called with, against the replaying server at `url`.
fn profile(a: &toml::Table, url: &str) -> Profile {
    let rest = || Profile::rest("p", url).probe("/v1/items");
    match (
        a["endpoint"].as_str(),
        a.get("auth").and_then(|v| v.as_str()).unwrap_or("oauth"),
    ) {
        (Some("token"), _) if a["vendor"].as_str() == Some("hypatos") => Profile::new("p", "hypatos")
            .str("endpoint", &format!("{url}/v2"))
            .str("client_id", "c")
            .str("client_secret", SECRET),
        (_, "none") => rest(),
        (_, "basic") => rest()
            .auth("basic")
            .auth_str("username", "u")
            .auth_str("password", SECRET),
        (_, "api-key") => rest()
            .auth("api-key")
            .auth_str("key", SECRET)
            .auth_str("name", "X-API-Key"),
        (_, "oauth") => cc(url, url).probe("/v1/items"),
        (_, other) => panic!("auth {other}"),
    }
}

fn replay(ids: &[&str], endpoint: &str) {
    let all = entries();
    let mut failed = Vec::new();
    for id in ids {
        let (_, a) = all
            .iter()
            .find(|(f, a)| text(a, "id", f) == *id)
            .unwrap_or_else(|| panic!("{id} is not in the corpus"));
        assert_eq!(text(a, "endpoint", id), endpoint, "{id}");
        let srv = replay::serve(a);
        let s = Sandbox::of(profile(a, &srv.url()));
        let category = text(a, "category", id);
        let json = s.conn(&["test", "p", "--format", "json"]);
        let human = s.conn(&["test", "p"]);
        clean_of_secrets(&json);
        clean_of_secrets(&human);
        let p = json.profile();
        let mut wrong = Vec::new();
        for (out, how) in [(&json, "json"), (&human, "human")] {
            if out.code != exit_code(category) {
                wrong.push(format!("{how}: exit {} (want {})", out.code, exit_code(category)));
            }
        }
        if p["category"] != category {
            wrong.push(format!("category {} (want {category})", p["category"]));
        }
        match a.get("kind").and_then(|v| v.as_str()) {
            Some(kind) if p["kind"] != kind => wrong.push(format!("kind {} (want {kind})", p["kind"])),
            Some(_) => {}
            None => wrong.push("no kind in the corpus".into()),
        }
        let reported = format!("{}\n{}", p["summary"].as_str().unwrap_or_default(), fake::hints(&p));
        for q in a["quote"].as_array().expect("quote") {
            let q = q.as_str().expect("quote string");
            if !shown(q, &human.stdout, a) || !shown(q, &reported, a) {
                wrong.push(format!("does not show {q:?}"));
            }
        }
        for (_, line) in SHOWN.iter().filter(|(i, _)| i == id) {
            if !human.stdout.contains(line) {
                wrong.push(format!("does not show {line:?}"));
            }
        }
        if !wrong.is_empty() {
            failed.push(format!(
                "{id}: {}\n--- stdout\n{}\n--- stderr\n{}",
                wrong.join("; "),
                human.stdout,
                human.stderr
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} replayed answers misread:\n{}",
        failed.len(),
        ids.len(),
        failed.join("\n")
    );
}

#[test]
fn api_answers_replayed_on_loopback() {
    replay(API, "api");
}

#[test]
fn token_answers_replayed_on_loopback() {
    replay(TOKEN, "token");
}

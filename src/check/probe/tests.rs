//! Table tests of the probe's verdict: the API's answer in (status, `WWW-Authenticate`,
//! `Retry-After`, body) and the profile → kind, category, summary and hints out.

use std::path::Path;

use super::*;
use crate::config::Config;
use crate::exit::Category::{self, *};

const PROFILES: &str = r#"
[profiles.open]
type = "rest"
base_url = "https://api.example"
probe = "/health"

[profiles.basic]
type = "rest"
base_url = "https://api.example"
probe = "/health"
[profiles.basic.auth]
type = "basic"
username = "u"
password = { env = "P" }

[profiles.key]
type = "rest"
base_url = "https://api.example"
probe = "/health"
[profiles.key.auth]
type = "api-key"
key = { env = "K" }
name = "X-API-Key"
in = "header"

[profiles.oauth]
type = "rest"
base_url = "https://api.example"
probe = "/health"
[profiles.oauth.auth]
type = "oauth2-client-credentials"
token_url = "https://login.example/token"
client_id = "c"
client_secret = { env = "S" }

[profiles.hypatos]
type = "hypatos"
client_id = "c"
client_secret = { env = "S" }

[profiles.portfolios]
type = "hypergene"
portfolio_id = "acme"
tenant_id = "contoso.onmicrosoft.com"
client_id = "c"
client_secret = { env = "S" }
"#;

struct Row {
    profile: &'static str,
    url: &'static str,
    status: u16,
    header: (&'static str, &'static str),
    body: &'static str,
    kind: &'static str,
    category: Category,
    summary: &'static str,
    hints: &'static [&'static str],
}

const fn row(
    profile: &'static str,
    status: u16,
    body: &'static str,
    kind: &'static str,
    category: Category,
    summary: &'static str,
    hints: &'static [&'static str],
) -> Row {
    Row {
        profile,
        url: "https://api.example/health",
        status,
        header: ("x-none", ""),
        body,
        kind,
        category,
        summary,
        hints,
    }
}

#[test]
fn verdicts() {
    let cfg = Config::from_text(Path::new("p.toml"), PROFILES.to_string()).expect("profiles parse");
    let docs = "https://api.cloud.hypatos.ai/v2/documents";
    #[rustfmt::skip]
    let rows = [
        Row { header: ("www-authenticate", "Basic realm=\"x\""), ..row("open", 401, "", "probe_auth_required", Authentication, "the API requires authentication (401); the profile sends none", &["asks for \"basic\" authentication"]) },
        row("open", 401, "", "probe_auth_required", Authentication, "the API requires authentication (401); the profile sends none", &["add an [auth] table"]),
        row("basic", 401, "", "probe_basic_rejected", Authentication, "the API rejected the username or password (401)", &["check username and password"]),
        row("key", 401, "", "probe_api_key_rejected", Authentication, "the API rejected the API key (401)", &["header `X-API-Key`"]),
        Row { header: ("www-authenticate", "Bearer error=\"invalid_token\""), ..row("oauth", 401, "", "probe_token_rejected", Authentication, "the API answered 401 to a token issued moments ago: invalid_token", &["token is invalid for it"]) },
        row("oauth", 401, "", "probe_token_rejected", Authentication, "the API answered 401 to a token issued moments ago", &["strip the Authorization header"]),
        row("portfolios", 401, "", "probe_token_rejected", Authentication, "the API answered 401 to a token issued moments ago", &["strip the Authorization header", "app role or admin consent"]),
        row("oauth", 403, "", "probe_forbidden", Permission, "the API refused the call (403): authenticated, but not allowed", &[]),
        Row { header: ("www-authenticate", "Bearer error=\"insufficient_scope\", scope=\"a.read\""), ..row("oauth", 403, "", "probe_scope_missing", Permission, "the API refused the call (403): the token lacks the scope a.read: insufficient_scope", &["assign a.read to this client"]) },
        Row { url: docs, ..row("hypatos", 403, "", "probe_scope_missing", Permission, "the API refused the call (403): the token lacks the scope documents.read", &["Hypatos Studio"]) },
        row("portfolios", 404, "", "portfolio_not_found", Endpoint, "no portfolio at https://api.example/health (404)", &["check portfolio_id"]),
        row("oauth", 404, r#"{"title":"Not Found"}"#, "probe_not_found", Endpoint, "the probe URL was not found (404): Not Found", &["probe path"]),
        row("oauth", 405, "", "probe_method_not_allowed", Endpoint, "the API does not allow this method on the probe URL (405)", &["answers GET"]),
        Row { header: ("retry-after", "30"), ..row("oauth", 429, "", "probe_rate_limited", Endpoint, "the API is rate limiting (429) (Retry-After: 30)", &["wait and try again"]) },
        row("oauth", 503, r#"{"error":"server_error"}"#, "probe_server_error", Endpoint, "the API failed on its side (503): server_error", &["try again later"]),
        row("oauth", 302, "", "probe_unexpected_status", Endpoint, "the probe answered 302, not what was expected", &["set `expect`"]),
    ];
    for r in &rows {
        let p = cfg.select(r.profile, None).expect("profile selects");
        let ctx = Context {
            profile: &p,
            granted: Some(&[]),
            claims: None,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::HeaderName::from_static(r.header.0),
            reqwest::header::HeaderValue::from_static(r.header.1),
        );
        let o = verdict(r.status, &headers, r.body.as_bytes(), r.url.to_string(), 0, &ctx, 0);
        let f = o.failure.expect("a failure");
        crate::failure::expect(&f, r.kind, r.category, r.summary, r.hints);
    }
}

#[test]
fn hypatos_scopes_by_path() {
    assert_eq!(hypatos_scope_for("/v2/documents"), Some("documents.read"));
    assert_eq!(hypatos_scope_for("/v2/companies?x=1"), Some("companies.read"));
    assert_eq!(hypatos_scope_for("/v2/enrichment/x"), None);
}

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
    headers: &'static [(&'static str, &'static str)],
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
        headers: &[],
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
        // By status and the profile's auth.
        Row { headers: &[("www-authenticate", "Basic realm=\"x\"")], ..row("open", 401, "", "probe_auth_required", Authentication, "the API requires authentication (401); the profile sends none", &["asks for \"basic\" authentication", "challenge: WWW-Authenticate: Basic realm=\"x\""]) },
        row("open", 401, "", "probe_auth_required", Authentication, "the API requires authentication (401); the profile sends none", &["add an [auth] table"]),
        row("basic", 401, "", "probe_basic_rejected", Authentication, "the API rejected the username or password (401)", &["check username and password"]),
        row("key", 401, "", "probe_api_key_rejected", Authentication, "the API rejected the API key (401)", &["header `X-API-Key`"]),
        Row { headers: &[("www-authenticate", "Bearer error=\"invalid_token\"")], ..row("oauth", 401, "", "probe_token_rejected", Authentication, "the API answered 401 to a token issued moments ago: invalid_token", &["token is invalid for it", "challenge"]) },
        row("oauth", 401, "", "probe_token_rejected", Authentication, "the API answered 401 to a token issued moments ago", &["strip the Authorization header"]),
        // A gateway's own words are no evidence of a stripped header.
        row("oauth", 401, r#"{"statusCode": 401, "message": "Unauthorized. Access token is missing or invalid."}"#, "probe_token_rejected", Authentication, "the API answered 401 to a token issued moments ago: Unauthorized. Access token is missing or invalid.", &["Azure API Management does not accept this token"]),
        Row { headers: &[("www-authenticate", "Bearer error=\"invalid_token\", error_description=\"The issuer 'x' is invalid\"")], ..row("oauth", 401, "", "probe_token_wrong_issuer", Authentication, "the API does not accept the token's issuer, so the token is from another tenant or authority (401): invalid_token: The issuer 'x' is invalid", &["a token from another tenant", "challenge"]) },
        Row { headers: &[("www-authenticate", "Negotiate, NTLM")], ..row("basic", 401, "", "probe_auth_scheme_unsupported", Authentication, "the API asks for Windows integrated authentication (401), which conn does not send", &["Negotiate, NTLM", "Windows domain"]) },
        row("oauth", 401, "<html><title>401 Authorization Required</title><hr><center>nginx</center>", "probe_gateway_auth_required", Authentication, "nginx in front of the API asks for its own credentials (401): \"401 Authorization Required\"; the call did not reach the API", &["a login of its own"]),
        row("portfolios", 401, "", "probe_token_rejected", Authentication, "the API answered 401 to a token issued moments ago", &["strip the Authorization header", "app role or admin consent"]),
        row("oauth", 403, "", "probe_forbidden", Permission, "the API refused the call (403): authenticated, but not allowed", &["which role or scope /health needs, and check that this client has it at the authorization server (login.example)"]),
        row("key", 403, r#"{"message":"Forbidden"}"#, "probe_api_key_rejected", Authentication, "the API refused the API key (403): Forbidden", &["bare 403"]),
        Row { url: docs, ..row("hypatos", 403, "", "probe_scope_missing", Permission, "the API refused the call (403): the token lacks the scope documents.read", &["Hypatos Studio"]) },
        Row { url: "https://api.example/v2/documents?projectId=x", ..row("oauth", 400, r#"{"title":"Provided project identifier is invalid"}"#, "probe_bad_request", Endpoint, "the API refused the probe request as malformed (400): Provided project identifier is invalid", &["plain GET"]) },
        row("portfolios", 404, "", "portfolio_not_found", Endpoint, "no portfolio at https://api.example/health (404)", &["check portfolio_id"]),
        row("oauth", 404, r#"{"title":"Not Found"}"#, "probe_not_found", Endpoint, "the probe URL was not found (404): Not Found", &["probe path"]),
        row("oauth", 405, "", "probe_method_not_allowed", Endpoint, "the API does not allow GET on the probe URL (405)", &["answers GET"]),
        row("oauth", 503, r#"{"error":"server_error"}"#, "probe_server_error", Endpoint, "the API failed on its side (503): server_error", &["try again later"]),
        row("oauth", 502, "<html><title>502 Bad Gateway</title><center>nginx</center>", "probe_server_error", Endpoint, "nginx in front of the API got no usable answer from it (502, answered by nginx): \"502 Bad Gateway\"", &["down, slow or misrouted"]),
        row("oauth", 302, "", "probe_unexpected_status", Endpoint, "the probe answered 302, not what was expected", &["set `expect`"]),
        // One row per rule of rules.rs, in its order.
        row("oauth", 200, "<html><head><title>Sign in to your account</title>", "probe_sign_in_page", Authentication, "the API answered 200 with a sign-in page (<title>Sign in to your account</title>), not the API's answer: something in front of the API intercepted the call", &["SSO gateway", "let API clients through"]),
        Row { headers: &[("retry-after", "30")], ..row("oauth", 429, "", "probe_rate_limited", Endpoint, "the API is rate limiting the calls (429); wait 30s (Retry-After: 30)", &["wait 30s (Retry-After: 30), then try again"]) },
        Row { headers: &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "60")], ..row("oauth", 403, r#"{"message":"API rate limit exceeded"}"#, "probe_rate_limited", Endpoint, "the API is rate limiting the calls (403): API rate limit exceeded (x-ratelimit-remaining: 0); wait 1m (x-ratelimit-reset: 60)", &["wait 1m"]) },
        row("oauth", 403, r#"{"statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 22.14:18:12."}"#, "probe_quota_exceeded", Endpoint, "the call quota is used up (403, answered by Azure API Management): Out of call volume quota. Quota will be replenished in 22.14:18:12.", &["replenished"]),
        Row { headers: &[("x-amzn-errortype", "MissingAuthenticationTokenException"), ("x-amz-apigw-id", "a")], ..row("oauth", 403, r#"{"message":"Missing Authentication Token"}"#, "probe_no_route", Endpoint, "the gateway has no route for this path or method (403, answered by AWS API Gateway): MissingAuthenticationTokenException: Missing Authentication Token", &["whatever the credentials"]) },
        row("key", 401, r#"{"message":"No API key found in request"}"#, "probe_api_key_missing", Authentication, "the gateway found no API key in the request (401): No API key found in request", &["Ocp-Apim-Subscription-Key", "header `X-API-Key`"]),
        Row { headers: &[("server", "squid/3.1.10"), ("x-squid-error", "ERR_CACHE_ACCESS_DENIED 0")], ..row("oauth", 407, "", "probe_proxy_auth_required", Network, "the Squid proxy wants its own credentials before it passes the call on (407, answered by the Squid proxy, X-Squid-Error: ERR_CACHE_ACCESS_DENIED)", &["proxy = {"]) },
        Row { headers: &[("server", "cloudflare"), ("cf-ray", "74385ccaab1ab3d3-MIA")], ..row("oauth", 403, "error code: 1020", "probe_edge_blocked", Network, "the request was refused before it reached the API (403, answered by Cloudflare, Ray ID 74385ccaab1ab3d3-MIA): \"error code: 1020\"", &["quoting the Ray ID"]) },
        row("oauth", 400, r#"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}"#, "aws_credentials_not_recognized", Authentication, "AWS does not recognise the credentials the request was signed with (400): UnrecognizedClientException: The security token included in the request is invalid.", &["access key id"]),
        Row { headers: &[("www-authenticate", "Bearer error=\"insufficient_scope\", scope=\"a.read\"")], ..row("oauth", 403, "", "probe_scope_missing", Permission, "the API refused the call (403): the token lacks the scope a.read: insufficient_scope", &["assign a.read to this client", "challenge"]) },
        // Spring Boot's default body does not hide the challenge.
        Row { headers: &[("www-authenticate", "Bearer error=\"insufficient_scope\", scope=\"a.read\"")], ..row("oauth", 403, r#"{"timestamp":"2025-02-09T20:20:02.954+00:00","status":403,"error":"Forbidden","path":"/health"}"#, "probe_scope_missing", Permission, "the API refused the call (403): the token lacks the scope a.read: Forbidden", &["assign a.read to this client", "insufficient_scope"]) },
    ];
    for r in &rows {
        let p = cfg.select(r.profile, None).expect("profile selects");
        let ctx = Context {
            profile: &p,
            granted: Some(&[]),
            claims: None,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in r.headers {
            headers.append(
                reqwest::header::HeaderName::from_static(k),
                reqwest::header::HeaderValue::from_static(v),
            );
        }
        let o = verdict(r.status, &headers, r.body.as_bytes(), r.url.to_string(), 0, &ctx, 0);
        let f = o.failure.unwrap_or_else(|| panic!("{}: a failure", r.kind));
        crate::failure::expect(&f, r.kind, r.category, r.summary, r.hints);
    }
}

#[test]
fn hypatos_scopes_by_path() {
    assert_eq!(hypatos_scope_for("/v2/documents"), Some("documents.read"));
    assert_eq!(hypatos_scope_for("/v2/companies?x=1"), Some("companies.read"));
    assert_eq!(hypatos_scope_for("/v2/enrichment/x"), None);
}

#[test]
fn passing_answers_show_the_quota_and_warn() {
    let cfg = Config::from_text(Path::new("p.toml"), PROFILES.to_string()).expect("profiles parse");
    let p = cfg.select("hypatos", None).expect("profile selects");
    let ctx = Context {
        profile: &p,
        granted: Some(&[]),
        claims: None,
    };
    let url = "https://api.cloud.hypatos.ai/v2/documents?limit=1".to_string();
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("x-ratelimit-limit", "10, 10;w=1".parse().unwrap());
    h.insert("x-ratelimit-remaining", "5".parse().unwrap());
    h.insert("x-ratelimit-reset", "1".parse().unwrap());
    let o = verdict(200, &h, b"{}", url.clone(), 0, &ctx, 0);
    assert!(o.failure.is_none());
    assert_eq!(o.detail, "OK, 2 bytes, 5 of 10 calls left, resets in 1s");
    assert!(o.warnings.is_empty());
    h.insert("x-ratelimit-remaining", "1".parse().unwrap());
    h.insert("x-ratelimit-reset", "21".parse().unwrap());
    let low = verdict(200, &h, b"{}", url.clone(), 0, &ctx, 0);
    assert_eq!(low.warnings.len(), 1);
    assert_eq!(low.warnings[0].kind, "rate_limit_low");
    assert!(
        low.warnings[0].message.contains("1 of 10 calls left"),
        "{}",
        low.warnings[0].message
    );
    let page = verdict(
        200,
        &reqwest::header::HeaderMap::new(),
        b"<html><title>Welcome</title>",
        url,
        0,
        &ctx,
        0,
    );
    assert!(page.failure.is_none());
    assert_eq!(page.warnings[0].kind, "probe_html");
    assert!(page.warnings[0].message.contains("\"Welcome\""));
}

mod proptests {
    //! Any answer gets a verdict: no panic, one line of summary, at least one hint.
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_answer_gets_a_verdict(
            status in 200u16..600,
            body in proptest::collection::vec(any::<u8>(), 0..300),
            challenge in "[ -~]{0,80}",
            ratelimit in "[0-9, ;=w]{0,12}",
        ) {
            let cfg = Config::from_text(Path::new("p.toml"), PROFILES.to_string()).expect("profiles parse");
            for name in ["open", "basic", "key", "oauth", "hypatos"] {
                let p = cfg.select(name, None).expect("profile selects");
                let ctx = Context { profile: &p, granted: Some(&[]), claims: None };
                let mut h = reqwest::header::HeaderMap::new();
                if let Result::Ok(v) = reqwest::header::HeaderValue::from_str(&challenge) {
                    h.insert(reqwest::header::WWW_AUTHENTICATE, v);
                }
                if let Result::Ok(v) = reqwest::header::HeaderValue::from_str(&ratelimit) {
                    h.insert("x-ratelimit-remaining", v.clone());
                    h.insert("x-ratelimit-reset", v);
                }
                let o = verdict(status, &h, &body, "https://api.example/health".into(), 0, &ctx, 0);
                if let Some(f) = o.failure {
                    prop_assert!(!f.summary().chars().any(char::is_control));
                    prop_assert!(!f.hints().is_empty(), "{}", f.kind());
                }
            }
        }
    }
}

//! Table tests of the refusal rules: the server's answer in (status, `WWW-Authenticate`,
//! body) → kind, category, summary and hints out. One row per rule.

use super::*;
use crate::exit::Category::{self, *};
use crate::oauth::server_error;

struct Row {
    status: u16,
    challenge: &'static str,
    body: &'static str,
    hypatos: bool,
    password: bool,
    kind: &'static str,
    category: Category,
    summary: &'static str,
    /// Every hint must contain its fragment, in order; the count must match.
    hints: &'static [&'static str],
}

const fn row(
    status: u16,
    body: &'static str,
    kind: &'static str,
    category: Category,
    summary: &'static str,
    hints: &'static [&'static str],
) -> Row {
    Row {
        status,
        challenge: "",
        body,
        hypatos: false,
        password: false,
        kind,
        category,
        summary,
        hints,
    }
}

fn entra(code: i64) -> String {
    format!(
        r#"{{"error":"invalid_request","error_description":"AADSTS{code}: The words. Trace ID: t Correlation ID: c Timestamp: x","error_codes":[{code}]}}"#
    )
}

const SCOPES: &[&str] = &["api://e3c1fe1d-65fc-48dd-ad12a948b6f6d4d1/.default"];

fn check(r: &Row, body: &str) {
    let scopes: Vec<String> = SCOPES.iter().map(|s| s.to_string()).collect();
    let challenges = server_error::parse_challenges([r.challenge].into_iter().filter(|c| !c.is_empty()));
    let e = server_error::parse(r.status, body.as_bytes(), &challenges);
    let facts = Facts {
        hypatos: r.hypatos,
        password: r.password,
        scopes,
        secret_is_guid: false,
        token_url: "https://idp.example/token".into(),
    };
    let f = explain_facts(&e, &facts);
    crate::failure::expect(&f, r.kind, r.category, r.summary, r.hints);
}

#[test]
fn entra_codes() {
    const GUID: &str = "not a canonical GUID";
    #[rustfmt::skip]
    let rows: &[(i64, &str, Category, &str, &[&str])] = &[
        (7000215, "entra_invalid_client_secret", Authentication, "Entra rejected the client secret (AADSTS7000215: invalid client secret): The words.", &["secret's ID was pasted", "spaces around the secret"]),
        (7000222, "entra_client_secret_expired", Authentication, "Entra says the client secret has expired (AADSTS7000222): The words.", &["create a new secret"]),
        (700016, "entra_unknown_client", Authentication, "Entra does not know this client id in this tenant (AADSTS700016): The words.", &["Application (client) ID", "tenant_id must be"]),
        (7000218, "entra_secret_missing", Authentication, "Entra expects a client secret or a client assertion, and neither was sent (AADSTS7000218): The words.", &["set client_secret"]),
        (700025, "entra_public_client", Authentication, "Entra says this is a public client, which must not send a secret (AADSTS700025): The words.", &["Web (confidential)"]),
        (7000112, "entra_app_disabled", Authentication, "the application is disabled in this tenant: The words.", &["enable the app"]),
        (70001, "entra_app_disabled", Authentication, "the application is disabled in this tenant: The words.", &["enable the app"]),
        (50126, "entra_wrong_password", Authentication, "wrong username or password (AADSTS50126): The words.", &["check username"]),
        (50076, "entra_interaction_required", Authentication, "Entra refuses this sign-in without interaction (MFA, Conditional Access, or the account is locked, disabled or its password expired): The words.", &["conn login"]),
        (53003, "entra_interaction_required", Authentication, "Entra refuses this sign-in without interaction (MFA, Conditional Access, or the account is locked, disabled or its password expired): The words.", &["conn login"]),
        (90002, "entra_unknown_tenant", Endpoint, "Entra does not know this tenant (AADSTS90002): The words.", &["check tenant_id", "national cloud"]),
        (900023, "entra_malformed_tenant", Endpoint, "the tenant id is malformed (AADSTS900023): The words.", &["{{placeholder}}"]),
        (90130, "entra_common_endpoint", Endpoint, "this request is not supported on the /common or /consumers endpoint: The words.", &["tenant's own id"]),
        (70011, "entra_invalid_scope", Permission, "Entra rejected the scope (AADSTS70011): The words.", &["/.default", GUID]),
        (1002012, "entra_scope_not_default", Permission, "Entra requires the scope to end in /.default for client credentials (AADSTS1002012): The words.", &["/.default", GUID]),
        (700022, "entra_scope_many_resources", Permission, "the scope names more than one resource (AADSTS700022): The words.", &["/.default", GUID]),
        (500011, "entra_unknown_resource", Permission, "the API named in the scope is not known in this tenant (AADSTS500011): The words.", &["admin consent", GUID]),
        (7000229, "entra_no_service_principal", Permission, "the application has no service principal in this tenant (AADSTS7000229): The words.", &["never added to this one"]),
        (65001, "entra_consent_required", Permission, "the user or administrator has not consented to this application (AADSTS65001): The words.", &["grant consent"]),
        (700024, "entra_assertion_time", Authentication, "the client assertion is not within its valid time (AADSTS700024): The words.", &["clock"]),
        (90014, "entra_malformed_request", Endpoint, "Entra says the request is missing a parameter or malformed: The words.", &["name the parameter"]),
        // An unknown code falls back to the RFC 6749 error.
        (12345, "oauth_invalid_request", Endpoint, "the server says the token request is malformed (invalid_request): invalid_request: AADSTS12345: The words.", &["token_params"]),
    ];
    for (code, kind, category, summary, hints) in rows {
        check(&row(400, "", kind, *category, summary, hints), &entra(*code));
    }
}

#[test]
fn rfc6749_errors_statuses_and_challenges() {
    #[rustfmt::skip]
    let rows = [
        row(401, r#"{"error":"invalid_client"}"#, "oauth_invalid_client", Authentication, "the server rejected the client credentials (401): invalid_client", &["client_id and client_secret"]),
        Row { password: true, ..row(400, r#"{"error":"invalid_grant"}"#, "oauth_invalid_password", Authentication, "the server rejected the username or password (invalid_grant)", &["check username and password", "MFA or is under Conditional Access"]) },
        row(400, r#"{"error":"invalid_grant","error_description":"expired"}"#, "oauth_invalid_grant", Authentication, "the server rejected the grant (invalid_grant): invalid_grant: expired", &["conn login"]),
        row(400, r#"{"error":"unauthorized_client"}"#, "oauth_unauthorized_client", Permission, "this client is not allowed to use this grant (unauthorized_client)", &["enable the grant type"]),
        row(400, r#"{"error":"invalid_scope"}"#, "oauth_invalid_scope", Permission, "the server rejected the requested scope (invalid_scope)", &["requested: api://"]),
        row(400, r#"{"error":"unsupported_grant_type"}"#, "oauth_unsupported_grant_type", Endpoint, "the server does not support this grant type (unsupported_grant_type)", &["auth type"]),
        row(400, r#"{"error":"invalid_request"}"#, "oauth_invalid_request", Endpoint, "the server says the token request is malformed (invalid_request)", &["client_auth"]),
        row(503, r#"{"error":"temporarily_unavailable"}"#, "oauth_server_error", Endpoint, "the token endpoint reported an error on its side (temporarily_unavailable)", &["try again later"]),
        row(500, r#"{"error":"server_error"}"#, "oauth_server_error", Endpoint, "the token endpoint reported an error on its side (server_error)", &["try again later"]),
        row(400, r#"{"error":"odd"}"#, "oauth_other_error", Endpoint, "the token endpoint answered 400 with error \"odd\"", &[]),
        // Nested {"error": {"code", "message"}}.
        row(400, r#"{"error":{"code":"invalid_client","message":"no"}}"#, "oauth_invalid_client", Authentication, "the server rejected the client credentials (400): invalid_client: no", &["client_id"]),
        // WWW-Authenticate carries the error when the body does not.
        Row { challenge: r#"Bearer error="invalid_client", error_description="bad""#, ..row(401, "", "oauth_invalid_client", Authentication, "the server rejected the client credentials (401): invalid_client: bad", &["client_id"]) },
        // Hypatos: {title, detail} is quoted; the status picks the rule.
        Row { hypatos: true, ..row(401, r#"{"title":"Invalid client credentials","detail":"not valid","status":401}"#, "hypatos_invalid_client", Authentication, "Hypatos rejected the client credentials (401): Invalid client credentials: not valid", &["Hypatos Studio"]) },
        row(401, "", "token_unauthorized", Authentication, "the token endpoint rejected the client credentials (401)", &["check client_id"]),
        row(403, "", "token_forbidden", Permission, "the token endpoint refused the request (403)", &["disabled or blocked"]),
        row(404, "", "token_url_not_found", Endpoint, "the token URL https://idp.example/token answered 404: there is no token endpoint there", &["check token_url"]),
        Row { hypatos: true, ..row(405, "", "token_url_not_found", Endpoint, "the token URL https://idp.example/token answered 405: there is no token endpoint there", &["{endpoint}/auth/token"]) },
        row(429, "", "token_rate_limited", Endpoint, "the token endpoint is rate limiting (429)", &["wait and try again"]),
        row(502, "", "token_server_error", Endpoint, "the token endpoint failed on its side (502)", &["try again later"]),
        row(418, "", "token_no_token", Endpoint, "the token endpoint answered 418 without a token", &[]),
    ];
    for r in &rows {
        check(r, r.body);
    }
}

#[test]
fn canonical_guid_hint() {
    let h = guid_hint(&["api://e3c1fe1d-65fc-48dd-ad12a948b6f6d4d1/.default".to_string()]).unwrap();
    assert!(h.contains("api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default"));
    assert!(guid_hint(&["api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default".to_string()]).is_none());
}

//! Table tests of the refusal rules: the server's answer in (status, headers, body), through
//! [`read`] as `conn` reads it → kind, category, summary and hints out. One row per rule.

use reqwest::header::{HeaderName, HeaderValue};

use super::*;
use crate::exit::Category::{self, *};

struct Row {
    status: u16,
    challenge: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    hypatos: bool,
    grant: Grant,
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
        headers: &[],
        body,
        hypatos: false,
        grant: Grant::ClientCredentials,
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
    let mut headers = HeaderMap::new();
    if !r.challenge.is_empty() {
        headers.insert("www-authenticate", HeaderValue::from_static(r.challenge));
    }
    for (k, v) in r.headers {
        headers.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
    }
    let facts = Facts {
        hypatos: r.hypatos,
        grant: r.grant,
        scopes,
        secret_is_guid: false,
        token_url: "https://idp.example/token".into(),
    };
    let body = Body {
        bytes: body.as_bytes().to_vec(),
        truncated: false,
    };
    let Err(f) = read(r.status, &headers, &body, &facts) else {
        panic!("{}: read as a token", r.kind)
    };
    crate::failure::expect(&f, r.kind, r.category, r.summary, r.hints);
}

#[test]
fn entra_codes() {
    const GUID: &str = "not a canonical GUID";
    const SIGN_IN: &str = "OpenID Connect profile";
    #[rustfmt::skip]
    let rows: &[(i64, &str, Category, &str, &[&str])] = &[
        (7000215, "entra_invalid_client_secret", Authentication, "Entra rejected the client secret (AADSTS7000215: invalid client secret): The words.", &["secret's ID was pasted", "spaces around the secret"]),
        (7000222, "entra_client_secret_expired", Authentication, "Entra says the client secret has expired (AADSTS7000222): The words.", &["create a new secret"]),
        (700016, "entra_unknown_client", Authentication, "Entra does not know this client id in this tenant (AADSTS700016): The words.", &["Application (client) ID", "tenant_id must be"]),
        (7000218, "entra_secret_missing", Authentication, "Entra expects a client secret or a client assertion, and neither was sent (AADSTS7000218): The words.", &["set client_secret"]),
        (700025, "entra_public_client", Authentication, "Entra says this is a public client, which must not send a secret (AADSTS700025): The words.", &["Web (confidential)"]),
        (7000112, "entra_app_disabled", Authentication, "the application is disabled in this tenant (AADSTS7000112): The words.", &["enable the app"]),
        (70001, "entra_app_disabled", Authentication, "the application is disabled in this tenant (AADSTS70001): The words.", &["enable the app"]),
        (50126, "entra_wrong_password", Authentication, "wrong username or password (AADSTS50126): The words.", &["check username", "federated"]),
        (50034, "entra_user_not_found", Authentication, "Entra has no such user in this tenant (AADSTS50034): The words.", &["check username", "guest"]),
        (50053, "entra_account_locked", Authentication, "the account is locked, or Entra blocks sign-ins from this address (AADSTS50053): The words.", &["Sign-in logs"]),
        (50055, "entra_password_expired", Authentication, "the user's password has expired (AADSTS50055): The words.", &["change it"]),
        (50057, "entra_user_disabled", Authentication, "the user account is disabled (AADSTS50057): The words.", &["enable the account"]),
        (50076, "entra_mfa_required", Interactive, "Entra requires multi-factor authentication for this sign-in (AADSTS50076): The words.", &[SIGN_IN]),
        (50078, "entra_mfa_required", Interactive, "Entra requires multi-factor authentication for this sign-in (AADSTS50078): The words.", &[SIGN_IN]),
        (50079, "entra_mfa_registration_required", Interactive, "the user must first register for multi-factor authentication (AADSTS50079): The words.", &[SIGN_IN]),
        (50158, "entra_external_challenge", Interactive, "an external security challenge (another MFA provider) must be satisfied first (AADSTS50158): The words.", &[SIGN_IN]),
        (53003, "entra_conditional_access", Permission, "a Conditional Access policy blocks issuing this token (AADSTS53003): The words.", &["Sign-in logs"]),
        (50173, "entra_grant_revoked", Interactive, "the refresh token was revoked (AADSTS50173), for example after a password change: The words.", &["conn login"]),
        (700082, "entra_grant_expired", Interactive, "the code or refresh token has expired or was already used (AADSTS700082): The words.", &["conn login"]),
        (54005, "entra_grant_expired", Interactive, "the code or refresh token has expired or was already used (AADSTS54005): The words.", &["conn login"]),
        (90002, "entra_unknown_tenant", Endpoint, "Entra does not know this tenant (AADSTS90002): The words.", &["check tenant_id", "national cloud"]),
        (900023, "entra_malformed_tenant", Endpoint, "the tenant id is malformed (AADSTS900023): The words.", &["{{placeholder}}"]),
        (90130, "entra_common_endpoint", Endpoint, "this request is not supported on the /common or /consumers endpoint (AADSTS90130): The words.", &["tenant's own id"]),
        (90011, "entra_ambiguous_client", Config, "Entra received more than one client id (AADSTS90011): The words.", &["token_params"]),
        (70011, "entra_invalid_scope", Permission, "Entra rejected the scope (AADSTS70011): The words.", &["the API exposes", GUID]),
        (1002012, "entra_scope_not_default", Permission, "Entra requires the scope to end in /.default for client credentials (AADSTS1002012): The words.", &["/.default", GUID]),
        (700022, "entra_scope_many_resources", Permission, "the scope names more than one resource (AADSTS700022): The words.", &["/.default", GUID]),
        (500011, "entra_unknown_resource", Permission, "the API named in the scope is not known in this tenant (AADSTS500011): The words.", &["admin consent", GUID]),
        (7000229, "entra_no_service_principal", Authentication, "the application has no service principal in this tenant (AADSTS7000229): The words.", &["never added to this one"]),
        (65001, "entra_consent_required", Permission, "the user or administrator has not consented to this application (AADSTS65001): The words.", &["grant consent"]),
        (700024, "entra_assertion_time", Authentication, "the client assertion is not within its valid time (AADSTS700024): The words.", &["clock (NTP)"]),
        (700027, "entra_certificate_not_registered", Authentication, "Entra does not find the certificate that signed the client assertion on this app (AADSTS700027): The words.", &["Thumbprint column", "does not belong"]),
        (50012, "entra_assertion_rejected", Authentication, "Entra could not validate the client assertion (AADSTS50012): The words.", &["audience"]),
        (70021, "entra_no_federated_identity", Authentication, "no federated credential on this app matches the assertion's issuer, subject and audience (AADSTS70021): The words.", &["Federated credentials"]),
        (90061, "entra_federation_issuer_unreachable", Endpoint, "Entra could not reach the issuer of the federated token (AADSTS90061): The words.", &["reachable"]),
        // A caller looping, not a client_auth problem.
        (50196, "entra_request_loop", Endpoint, "Entra stopped this client for asking for the same token too often (AADSTS50196: a request loop): The words.", &["reuse a token", "wait a few minutes"]),
        (90055, "entra_tenant_throttled", Endpoint, "Entra is throttling requests for this tenant (AADSTS90055: too many incoming requests): The words.", &["spread the tenant's token requests"]),
        (90014, "entra_malformed_request", Config, "Entra says the request is missing a parameter or malformed (AADSTS90014): The words.", &["name the parameter"]),
        // 9002313 about the grant sent is the grant; otherwise a malformed request.
        (9002313, "entra_malformed_request", Config, "Entra says the request is missing a parameter or malformed (AADSTS9002313): The words.", &["name the parameter"]),
        // An unknown code falls back to the RFC 6749 error.
        (12345, "oauth_invalid_request", Config, "the server says the token request is malformed (invalid_request): invalid_request: AADSTS12345: The words.", &["token_params"]),
    ];
    for (code, kind, category, summary, hints) in rows {
        check(&row(400, "", kind, *category, summary, hints), &entra(*code));
    }
    let grant = entra(9002313).replace("invalid_request", "invalid_grant");
    check(
        &row(
            400,
            "",
            "entra_grant_unreadable",
            Authentication,
            "Entra could not read the grant that was sent (AADSTS9002313: the request is malformed or invalid): The words.",
            &["conn login"],
        ),
        &grant,
    );
    // Two codes, the first generic: the second decides, and the quote keeps it.
    let two = r#"{"error":"invalid_client","error_description":"AADSTS70002: Error validating credentials. AADSTS50012: Audience wrong.","error_codes":[70002,50012]}"#;
    check(
        &row(
            401,
            "",
            "entra_assertion_rejected",
            Authentication,
            "Entra could not validate the client assertion (AADSTS50012): Error validating credentials. AADSTS50012: Audience wrong.",
            &["audience"],
        ),
        two,
    );
}

#[test]
fn rfc6749_errors_statuses_and_challenges() {
    const WAIT: &str = "wait 21s before trying again (x-ratelimit-reset)";
    const QUOTA: &[(&str, &str)] = &[
        ("x-ratelimit-limit", "10"),
        ("x-ratelimit-remaining", "0"),
        ("x-ratelimit-reset", "21"),
    ];
    #[rustfmt::skip]
    let rows = [
        row(401, r#"{"error":"invalid_client"}"#, "oauth_invalid_client", Authentication, "the server rejected the client credentials (401): invalid_client", &["client_id and client_secret"]),
        // Vendors' names for invalid_client (Salesforce, GitHub's 200).
        row(400, r#"{"error":"invalid_client_id"}"#, "oauth_invalid_client", Authentication, "the server rejected the client credentials (400): invalid_client_id", &["client_id and client_secret"]),
        Row { grant: Grant::Password, ..row(400, r#"{"error":"invalid_grant"}"#, "oauth_invalid_password", Authentication, "the server rejected the username or password (400): invalid_grant", &["check username and password", "MFA or is under Conditional Access"]) },
        Row { grant: Grant::SignIn, ..row(400, r#"{"error":"invalid_grant"}"#, "oauth_login_expired", Interactive, "the sign-in this request relies on is no longer valid (400): invalid_grant", &["expired or revoked", "conn login"]) },
        row(200, r#"{"error":"bad_verification_code"}"#, "oauth_login_expired", Interactive, "the sign-in this request relies on is no longer valid (200, with an error instead of a token): bad_verification_code", &["expired or revoked", "conn login"]),
        row(400, r#"{"error":"invalid_grant","error_description":"assertion expired"}"#, "oauth_invalid_grant", Authentication, "the server rejected the grant (invalid_grant): invalid_grant: assertion expired", &["server's words say which"]),
        row(400, r#"{"error":"unauthorized_client"}"#, "oauth_unauthorized_client", Permission, "this client is not allowed to use this grant (unauthorized_client)", &["enable the grant type"]),
        row(401, r#"{"error":"access_denied","error_description":"Unauthorized"}"#, "oauth_access_denied", Authentication, "the server denied the client (401: access_denied): access_denied: Unauthorized", &["client_id and client_secret"]),
        row(403, r#"{"error":"mfa_required","mfa_token":"m"}"#, "oauth_mfa_required", Interactive, "the account needs multi-factor authentication (403): mfa_required", &["conn login"]),
        row(400, r#"{"error":"invalid_scope"}"#, "oauth_invalid_scope", Permission, "the server rejected the requested scope (invalid_scope)", &["requested: api://"]),
        row(400, r#"{"error":"unsupported_grant_type"}"#, "oauth_unsupported_grant_type", Endpoint, "the server does not support this grant type (unsupported_grant_type)", &["auth type"]),
        row(400, r#"{"error":"invalid_request"}"#, "oauth_invalid_request", Config, "the server says the token request is malformed (invalid_request)", &["client_auth"]),
        Row { headers: &[("retry-after", "21")], ..row(503, r#"{"error":"temporarily_unavailable"}"#, "oauth_server_error", Endpoint, "the token endpoint reported an error on its side (temporarily_unavailable)", &["wait 21s before trying again (Retry-After)", "try again later"]) },
        row(500, r#"{"error":"server_error"}"#, "oauth_server_error", Endpoint, "the token endpoint reported an error on its side (server_error)", &["try again later"]),
        row(400, r#"{"error":"odd"}"#, "oauth_other_error", Endpoint, "the token endpoint answered 400 with error \"odd\"", &["no rule for this error"]),
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
        // Throttling: the status, or a 403 whose quota is spent, whatever the body says; the wait is named.
        row(429, "", "token_rate_limited", Endpoint, "the token endpoint is rate limiting (429)", &["wait and try again"]),
        Row { headers: QUOTA, ..row(429, r#"{"error":"slow_down"}"#, "token_rate_limited", Endpoint, "the token endpoint is rate limiting (429): slow_down", &[WAIT, "x-ratelimit-limit: 10; x-ratelimit-remaining: 0", "wait and try again"]) },
        Row { headers: QUOTA, ..row(403, r#"{"message":"API rate limit exceeded"}"#, "token_rate_limited", Endpoint, "the token endpoint is rate limiting (403): API rate limit exceeded", &[WAIT, "x-ratelimit-remaining: 0", "wait and try again"]) },
        row(502, "", "token_server_error", Endpoint, "the token endpoint failed on its side (502)", &["try again later"]),
        row(418, "", "token_no_token", Endpoint, "the token endpoint answered 418 without a token", &["token_url"]),
    ];
    for r in &rows {
        check(r, r.body);
    }
}

#[test]
fn the_servers_words_outrank_its_error_name() {
    #[rustfmt::skip]
    let rows = [
        // Keycloak: a bad secret answered as unauthorized_client.
        row(401, r#"{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}"#, "oauth_invalid_client", Authentication, "the server rejected the client credentials (401): unauthorized_client: Invalid client or Invalid client credentials", &["client_id and client_secret"]),
        row(401, r#"{"error":"invalid_grant","error_description":"Invalid user credentials"}"#, "oauth_invalid_password", Authentication, "the server rejected the username or password (401): invalid_grant: Invalid user credentials", &["check username", "MFA"]),
        row(400, r#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#, "oauth_login_expired", Interactive, "the sign-in this request relies on is no longer valid (400): invalid_grant: Invalid refresh token", &["revoked", "conn login"]),
        row(401, r#"{"error":"invalid_request","error_description":"Cannot supply multiple client credentials."}"#, "oauth_client_auth_twice", Config, "the server refuses client credentials sent two ways at once (401): invalid_request: Cannot supply multiple client credentials.", &["client_auth picks one way"]),
        row(403, r#"{"error":"access_denied","error_description":"Multifactor authentication required"}"#, "oauth_mfa_required", Interactive, "the account needs multi-factor authentication (403): access_denied: Multifactor authentication required", &["conn login"]),
        row(400, r#"{"error":"invalid_request","error_description":"the connection was not found"}"#, "auth0_connection_not_found", Config, "the server does not know the connection the request names (400): invalid_request: the connection was not found", &["Auth0 tenant"]),
    ];
    for r in &rows {
        check(r, r.body);
    }
}

#[test]
fn vendor_codes() {
    #[rustfmt::skip]
    let rows = [
        row(401, r#"{"errorCode":"E0000004","errorSummary":"Authentication failed","errorCauses":[]}"#, "okta_authentication_failed", Authentication, "Okta rejected the sign-in (E0000004): Authentication failed", &["check username and password"]),
        Row { headers: &[("x-rate-limit-remaining", "0")], ..row(429, r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#, "okta_rate_limited", Endpoint, "Okta's rate limit was exceeded (E0000047): API call exceeded rate limit due to too many requests.", &["x-rate-limit-remaining: 0", "wait for the limit"]) },
        // A code no row names is still quoted, with the status's rule.
        row(403, r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}"#, "token_forbidden", Permission, "the token endpoint refused the request (403): E0000006: You do not have permission to perform the requested action", &["disabled or blocked"]),
        // Okta's format at 200 is not a token.
        row(200, r#"{"errorCode":"E0000004","errorSummary":"Authentication failed"}"#, "okta_authentication_failed", Authentication, "Okta rejected the sign-in (E0000004): Authentication failed", &["check username"]),
    ];
    for r in &rows {
        check(r, r.body);
    }
}

#[test]
fn html_pages_are_quoted() {
    #[rustfmt::skip]
    let rows = [
        row(404, "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>", "token_url_html", Endpoint, "the token URL answered 404 with an HTML page (\"404 Not Found\", \"Not Found\") where a JSON token was expected", &["not at the token endpoint"]),
        row(200, "<!DOCTYPE html><html><title>Sign in</title><h1 class=\"x\">Sign in to <b>Contoso</b></h1></html>", "token_url_html", Endpoint, "the token URL answered 200 with an HTML page (\"Sign in\", \"Sign in to Contoso\") where a JSON token was expected", &["login portal"]),
        // The server's own trouble keeps its rule, in the page's words.
        row(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>", "token_server_error", Endpoint, "the token endpoint failed on its side (502): 502 Bad Gateway", &["try again later"]),
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

//! `conn test` against an in-process OAuth-protected REST API (reference/protocols.md):
//! client credentials and scopes, a server that takes only `client_auth = "post"`, the
//! password grant, API keys, Basic and no auth.

use conn::demo::fake::{self, FakeService, World};

use crate::support::Sandbox;
use crate::support::fake::{hints, start};
use crate::support::profiles::Profile;

/// The profile `r` of the fake REST API with this probe; its auth is set apart.
fn rest(svc: &FakeService, probe: &str) -> Profile {
    Profile::rest("r", &format!("{}/rest/api", svc.base_url())).probe(probe)
}

/// `p` signing in as the fake API's client `rest-cli` with this grant type.
fn rest_cli(p: Profile, svc: &FakeService, grant: &str) -> Profile {
    p.auth(grant)
        .auth_str("token_url", &format!("{}/rest/oauth/token", svc.base_url()))
        .auth_str("client_id", "rest-cli")
        .secret("rest-secret")
}

#[test]
fn rest_client_credentials_scopes_and_insufficient_scope() {
    let svc = start(World::default());
    let cc = |probe: &str, scopes: &str| {
        rest_cli(rest(&svc, probe), &svc, "oauth2-client-credentials").auth_str("scopes", scopes)
    };
    Sandbox::of(cc("/billing", "billing.read"))
        .conn(&["test", "r"])
        .code(0)
        .no_secrets(&["rest-secret"]);
    let out = Sandbox::of(cc("/admin", "billing.read")).conn(&["test", "r", "--format", "json"]);
    out.code(6);
    let p = out.profile();
    assert!(
        p["summary"].as_str().unwrap().contains("lacks the scope billing.admin"),
        "{p}"
    );
    assert_eq!(p["server_error"]["error"], "insufficient_scope");
    assert_eq!(p["server_error"]["scope"], "billing.admin");
    let out = Sandbox::of(cc("/billing", "billing.read billing.nope")).conn(&["test", "r", "--format", "json"]);
    out.code(6);
    assert!(out.profile()["summary"].as_str().unwrap().contains("invalid_scope"));
}

#[test]
fn rest_server_that_accepts_only_post_is_named() {
    let svc = start(World {
        rest_client_auth: fake::RestClientAuth::Post,
        ..World::default()
    });
    let profile = rest_cli(rest(&svc, "/health"), &svc, "oauth2-client-credentials");
    let out = Sandbox::of(profile).conn(&["test", "r", "--format", "json"]);
    out.code(5).no_secrets(&["rest-secret"]);
    let p = out.profile();
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("accepts the same credentials with client_auth = \"post\""),
        "{p}"
    );
}

#[test]
fn rest_password_grant_works_with_a_warning_and_wrong_password_fails() {
    let svc = start(World::default());
    let pw = |p: &str| {
        rest_cli(rest(&svc, "/health"), &svc, "oauth2-password")
            .auth_str("username", "alice")
            .auth_str("password", p)
    };
    let out = Sandbox::of(pw("alice-pass")).conn(&["test", "r", "--format", "json"]);
    out.code(0).no_secrets(&["alice-pass", "rest-secret"]);
    let p = out.profile();
    assert_eq!(p["status"], "warn");
    assert!(hints(&p).contains("RFC 9700"));
    let strict = Sandbox::of(pw("alice-pass")).conn(&["test", "r", "--strict"]);
    assert_ne!(strict.code, 0);
    let out = Sandbox::of(pw("wrong-pass")).conn(&["test", "r", "--format", "json"]);
    out.code(5).no_secrets(&["wrong-pass"]);
    assert!(
        out.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("username or password")
    );
}

#[test]
fn rest_api_key_basic_and_none() {
    let svc = start(World::default());
    let key = |k: &str, inq: &str| {
        rest(&svc, "/health")
            .auth("api-key")
            .auth_str("key", k)
            .auth_str("name", if inq == "query" { "api_key" } else { "X-API-Key" })
            .auth_str("in", inq)
    };
    Sandbox::of(key("demo-api-key-123", "header"))
        .conn(&["test", "r"])
        .code(0)
        .no_secrets(&["demo-api-key-123"]);
    let q = Sandbox::of(key("demo-api-key-123", "query")).conn(&["test", "r", "--format", "json"]);
    q.code(0).no_secrets(&["demo-api-key-123"]);
    assert_eq!(q.profile()["status"], "warn");
    let bad = Sandbox::of(key("wrong-key-999", "header")).conn(&["test", "r", "--format", "json"]);
    bad.code(5).no_secrets(&["wrong-key-999"]);
    assert!(
        bad.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("rejected the API key")
    );
    let basic = rest(&svc, "/health")
        .auth("basic")
        .auth_str("username", "svc")
        .auth_str("password", "svc-pass");
    Sandbox::of(basic)
        .conn(&["test", "r"])
        .code(0)
        .no_secrets(&["svc-pass"]);
    let none = Sandbox::of(rest(&svc, "/health").auth("none")).conn(&["test", "r", "--format", "json"]);
    none.code(5);
    assert!(
        none.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("requires authentication (401)")
    );
}

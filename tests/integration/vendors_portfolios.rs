//! `conn test` against in-process servers that answer as Entra with Portfolios does
//! (reference/protocols.md): the tenant check, secret IDs, expired secrets, scopes, roles and
//! the legacy Basic login.

use conn::demo::fake::{self, FakeService, World};

use crate::support::Sandbox;
use crate::support::fake::{hints, start, steps};
use crate::support::profiles::{Profile, env};

/// The Portfolios profile `pf` of this tenant and client, its secret in `PF_SECRET`.
fn portfolios(svc: &FakeService, tenant: &str, client: &str) -> Profile {
    let base = svc.base_url();
    Profile::new("pf", "hypergene")
        .str("authority", &format!("{base}/entra"))
        .str("tenant_id", tenant)
        .str("client_id", client)
        .raw("client_secret", &env("PF_SECRET"))
        .str("domain", &format!("{base}/portfolios"))
        .str("portfolio_id", "demo-portfolio")
}

/// A sandbox with this profile and `PF_SECRET` set to `secret`.
fn sandbox(profile: Profile, secret: &str) -> Sandbox {
    Sandbox::of(profile).var("PF_SECRET", secret)
}

/// The documented scope of the Portfolios API.
const SCOPE: &str = "api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default";

#[test]
fn portfolios_healthy_with_tenant_check_and_probe() {
    let svc = start(World::default());
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_CLIENT_ID)
            .str("scope", SCOPE)
            .probe("reports/42"),
        fake::DEMO_CLIENT_SECRET,
    );
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(0).no_secrets(&[fake::DEMO_CLIENT_SECRET]);
    let p = out.profile();
    let names: Vec<String> = steps(&p).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["dns", "connect", "discovery", "token", "scopes", "probe"]);
    assert_eq!(
        p["token"]["claims"]["aud"],
        "api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1"
    );
    assert!(
        p["steps"][4]["detail"]
            .as_str()
            .unwrap()
            .contains("roles: Portfolio.Read"),
        "{p}"
    );
    // The secret went in the body (client_secret_post is the Entra default), not in a header.
    let r = svc
        .requests()
        .into_iter()
        .find(|r| r.path().ends_with("/token"))
        .unwrap();
    assert!(r.header("authorization").is_none());
    // Token only by default (no probe configured).
    let s2 = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_CLIENT_ID).str("scope", SCOPE),
        fake::DEMO_CLIENT_SECRET,
    );
    let p2 = s2.conn(&["test", "pf", "--format", "json"]).profile();
    assert!(p2["summary"].as_str().unwrap().contains("token only"), "{p2}");
}

#[test]
fn portfolios_secret_id_instead_of_value() {
    let svc = start(World::default());
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_CLIENT_ID).str("scope", SCOPE),
        fake::DEMO_SECRET_ID,
    );
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(5).no_secrets(&[fake::DEMO_SECRET_ID]);
    let p = out.profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS7000215"), "{p}");
    assert!(
        hints(&p).contains("looks like a GUID: that is the secret's ID, not its value"),
        "{p}"
    );
    assert_eq!(p["server_error"]["error_codes"], serde_json::json!([7000215]));
    assert!(p["server_error"]["trace_id"].is_string());
    assert!(p["server_error"]["correlation_id"].is_string());
    s.conn(&["test", "pf"])
        .code(5)
        .stdout_has("trace_id=")
        .stdout_has("correlation_id=");
}

#[test]
fn portfolios_expired_secret_and_unknown_app() {
    let svc = start(World::default());
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_CLIENT_ID).str("scope", SCOPE),
        fake::DEMO_EXPIRED_SECRET,
    );
    let p = s.conn(&["test", "pf", "--format", "json"]).code(5).profile();
    assert!(p["summary"].as_str().unwrap().contains("expired"), "{p}");
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, "cccccccc-0000-4000-8000-000000000009").str("scope", SCOPE),
        "whatever-1",
    );
    let p = s.conn(&["test", "pf", "--format", "json"]).code(5).profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS700016"), "{p}");
    assert!(hints(&p).contains("Application (client) ID"));
}

#[test]
fn portfolios_wrong_tenant_is_found_without_sending_the_secret() {
    let svc = start(World::default());
    let s = sandbox(
        portfolios(&svc, "99999999-2222-3333-4444-555555555555", fake::DEMO_CLIENT_ID).str("scope", SCOPE),
        fake::DEMO_CLIENT_SECRET,
    );
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(7);
    let p = out.profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS90002"), "{p}");
    assert_eq!(steps(&p).iter().find(|(n, _)| n == "discovery").unwrap().1, "fail");
    assert_eq!(
        svc.hits("/entra/99999999-2222-3333-4444-555555555555/oauth2"),
        0,
        "the token endpoint was called"
    );
    // A malformed tenant.
    let s = sandbox(
        portfolios(&svc, "{{tenant}}", fake::DEMO_CLIENT_ID).str("scope", SCOPE),
        fake::DEMO_CLIENT_SECRET,
    );
    let p = s.conn(&["test", "pf", "--format", "json"]).code(7).profile();
    assert!(p["summary"].as_str().unwrap().contains("900023"), "{p}");
}

#[test]
fn portfolios_scope_problems_are_permission() {
    let svc = start(World::default());
    // As documented: the non-canonical GUID → resource not found, with the canonical form offered.
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_CLIENT_ID),
        fake::DEMO_CLIENT_SECRET,
    );
    let p = s.conn(&["test", "pf", "--format", "json"]).code(6).profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS500011"), "{p}");
    assert!(
        hints(&p).contains("api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default"),
        "{p}"
    );
    // Without /.default.
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_CLIENT_ID)
            .str("scope", "api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/Portfolio.Read"),
        fake::DEMO_CLIENT_SECRET,
    );
    let p = s.conn(&["test", "pf", "--format", "json"]).code(6).profile();
    assert!(p["summary"].as_str().unwrap().contains("1002012"), "{p}");
    assert!(hints(&p).contains("/.default"));
}

#[test]
fn portfolios_wrong_portfolio_is_endpoint_and_missing_role_is_permission() {
    let svc = start(World::default());
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_CLIENT_ID)
            .str("scope", SCOPE)
            .probe("reports/42")
            .str("portfolio_id", "old-portfolio"),
        fake::DEMO_CLIENT_SECRET,
    );
    let p = s.conn(&["test", "pf", "--format", "json"]).code(7).profile();
    assert!(p["summary"].as_str().unwrap().contains("no portfolio at"), "{p}");
    assert!(hints(&p).contains("check portfolio_id"));
    let s = sandbox(
        portfolios(&svc, fake::DEMO_TENANT_ID, fake::DEMO_NOROLE_CLIENT_ID)
            .str("scope", SCOPE)
            .probe("reports/42"),
        fake::DEMO_NOROLE_SECRET,
    );
    let p = s.conn(&["test", "pf", "--format", "json"]).code(6).profile();
    assert!(hints(&p).contains("carries no roles"), "{p}");
}

#[test]
fn portfolios_legacy_basic() {
    let svc = start(World::default());
    let cfg = |pw: &str| {
        Profile::new("l", "hypergene")
            .str("auth", "basic")
            .str("domain", &format!("{}/portfolios", svc.base_url()))
            .str("portfolio_id", "demo-portfolio")
            .str("username", "legacy")
            .str("password", pw)
    };
    Sandbox::of(cfg("legacy-pass"))
        .conn(&["test", "l"])
        .code(0)
        .no_secrets(&["legacy-pass"]);
    let out = Sandbox::of(cfg("legacy-WRONG")).conn(&["test", "l", "--format", "json"]);
    out.code(5).no_secrets(&["legacy-WRONG"]);
    assert!(
        out.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("rejected the username or password")
    );
}

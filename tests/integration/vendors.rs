//! `conn test` against in-process servers that answer as Hypatos, Entra with Portfolios, and
//! a generic OAuth-protected REST API do (reference/protocols.md). Every test checks the exit
//! code, the report fields a person reads, and that no secret reached any output.

use conn::demo::fake::{self, FakeService, World};
use serde_json::Value;

use crate::support::{Sandbox, rt};

fn start(world: World) -> FakeService {
    rt().block_on(FakeService::start(world)).expect("fake service")
}

fn steps(p: &Value) -> Vec<(String, String)> {
    p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn hints(p: &Value) -> String {
    p["hints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn hypatos(base: &str, secret: &str, extra: &str) -> String {
    format!("[profiles.h]\ntype = \"hypatos\"\nendpoint = \"{base}/hypatos/v2\"\nclient_id = \"demo-hypatos\"\nclient_secret = {{ env = \"HYP_SECRET\" }}\n{extra}\n").replace("SECRETVALUE", secret)
}

#[test]
fn hypatos_healthy_picks_the_probe_from_granted_scopes() {
    let svc = start(World::default());
    let s = Sandbox::with(&hypatos(&svc.base_url(), "", "")).var("HYP_SECRET", "hyp-secret-1");
    let out = s.conn(&["test", "h", "--format", "json"]);
    out.code(0).no_secrets(&["hyp-secret-1"]);
    let p = out.profile();
    assert_eq!(p["status"], "pass");
    assert_eq!(p["category"], "ok");
    assert_eq!(
        steps(&p),
        [
            ("dns", "pass"),
            ("connect", "pass"),
            ("token", "pass"),
            ("scopes", "pass"),
            ("probe", "pass")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let probe = &p["steps"][4];
    assert!(
        probe["url"]
            .as_str()
            .unwrap()
            .ends_with("/hypatos/v2/documents?limit=1"),
        "{probe}"
    );
    assert_eq!(probe["http_status"], 200);
    let tok = &p["token"];
    assert!(tok["fingerprint"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(
        tok["scopes_granted"],
        serde_json::json!(["documents.read", "projects.read"])
    );
    // Basic per RFC 6749 §2.3.1 was sent, and no secret in the body.
    let r = svc
        .requests()
        .into_iter()
        .find(|r| r.path().ends_with("/auth/token"))
        .unwrap();
    assert!(r.header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(String::from_utf8_lossy(&r.body), "grant_type=client_credentials");
    // The human report names the steps and ends with the count.
    let human = s.conn(&["test", "h"]);
    human
        .code(0)
        .stdout_has("✓ h")
        .stdout_has("token")
        .stdout_has("1 profile: 1 passed, 0 warned, 0 failed");
}

#[test]
fn hypatos_wrong_secret_is_authentication() {
    let svc = start(World::default());
    let s = Sandbox::with(&hypatos(&svc.base_url(), "", "")).var("HYP_SECRET", "hyp-secret-WRONG");
    let out = s.conn(&["test", "h", "--format", "json"]);
    out.code(5).no_secrets(&["hyp-secret-WRONG"]);
    let p = out.profile();
    assert_eq!(p["category"], "authentication");
    assert_eq!(p["exit_code"], 5);
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("Hypatos rejected the client credentials"),
        "{p}"
    );
    assert!(p["summary"].as_str().unwrap().contains("Invalid client credentials"));
    assert_eq!(p["server_error"]["title"], "Invalid client credentials");
    assert_eq!(p["server_error"]["status"], 401);
    assert!(hints(&p).contains("Hypatos Studio"));
    assert_eq!(steps(&p).last().unwrap(), &("probe".to_string(), "skip".to_string()));
    let human = s.conn(&["test", "h"]);
    human
        .code(5)
        .stdout_has("✗ h")
        .stdout_has("server: 401 title=\"Invalid client credentials\"")
        .no_secrets(&["hyp-secret-WRONG"]);
}

#[test]
fn hypatos_scope_not_assigned_is_permission() {
    let svc = start(World::default());
    let s = Sandbox::with(&hypatos(
        &svc.base_url(),
        "",
        "scope = \"documents.read companies.read\"",
    ))
    .var("HYP_SECRET", "hyp-secret-1");
    let out = s.conn(&["test", "h", "--format", "json"]);
    out.code(6);
    let p = out.profile();
    assert_eq!(p["category"], "permission");
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("requested scope not granted: companies.read"),
        "{p}"
    );
    assert!(hints(&p).contains("assign companies.read to the API service account"));
}

#[test]
fn hypatos_probe_without_the_scope_names_it() {
    let svc = start(World::default());
    let s = Sandbox::with(&hypatos(&svc.base_url(), "", "probe = \"/companies\"")).var("HYP_SECRET", "hyp-secret-1");
    let out = s.conn(&["test", "h", "--format", "json"]);
    out.code(6);
    let p = out.profile();
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("lacks the scope companies.read"),
        "{p}"
    );
}

#[test]
fn hypatos_token_only_when_no_read_scope_is_granted() {
    let svc = start(World::default());
    let s = Sandbox::with(&format!(
        "[profiles.n]\ntype = \"hypatos\"\nendpoint = \"{}/hypatos/v2\"\nclient_id = \"demo-hypatos-narrow\"\nclient_secret = \"hyp-secret-2\"\n",
        svc.base_url()
    ));
    let out = s.conn(&["test", "n", "--format", "json"]);
    out.code(0);
    let p = out.profile();
    assert!(
        p["summary"].as_str().unwrap().contains("allow no read-only call"),
        "{p}"
    );
    assert!(!steps(&p).iter().any(|(n, _)| n == "probe"));
}

#[test]
fn hypatos_raw_basic_server_is_detected() {
    // A server that does not form-decode Basic: the RFC form fails, raw Basic works.
    let mut w = World {
        hypatos_basic_decoding: fake::BasicDecoding::Raw,
        ..World::default()
    };
    w.hypatos_accounts.push(fake::HypatosAccount {
        client_id: "plus-account".into(),
        client_secret: "a+b/c~d".into(),
        scopes: vec!["documents.read".into()],
    });
    let svc = start(w);
    let s = Sandbox::with(&format!(
        "[profiles.p]\ntype = \"hypatos\"\nendpoint = \"{}/hypatos/v2\"\nclient_id = \"plus-account\"\nclient_secret = \"a+b/c~d\"\n",
        svc.base_url()
    ));
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(5).no_secrets(&["a+b/c~d"]);
    let p = out.profile();
    assert!(
        hints(&p).contains("accepts \"basic-raw\": set client_auth = \"basic-raw\""),
        "{p}"
    );
    let fixed = Sandbox::with(&format!(
        "[profiles.p]\ntype = \"hypatos\"\nendpoint = \"{}/hypatos/v2\"\nclient_id = \"plus-account\"\nclient_secret = \"a+b/c~d\"\nclient_auth = \"basic-raw\"\n",
        svc.base_url()
    ));
    fixed.conn(&["test", "p"]).code(0);
}

fn portfolios(base: &str, tenant: &str, client: &str, secret: &str, extra: &str) -> String {
    format!(
        "[profiles.pf]\ntype = \"hypergene\"\nauthority = \"{base}/entra\"\ntenant_id = \"{tenant}\"\nclient_id = \"{client}\"\nclient_secret = {{ env = \"PF_SECRET\" }}\ndomain = \"{base}/portfolios\"\nportfolio_id = \"demo-portfolio\"\n{extra}\n"
    ) + &format!("# {secret}\n").replace(secret, "")
}

const SCOPE: &str = "scope = \"api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default\"";

#[test]
fn portfolios_healthy_with_tenant_check_and_probe() {
    let svc = start(World::default());
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        fake::DEMO_CLIENT_ID,
        "",
        &format!("{SCOPE}\nprobe = \"reports/42\""),
    ))
    .var("PF_SECRET", fake::DEMO_CLIENT_SECRET);
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
    let s2 = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        fake::DEMO_CLIENT_ID,
        "",
        SCOPE,
    ))
    .var("PF_SECRET", fake::DEMO_CLIENT_SECRET);
    let p2 = s2.conn(&["test", "pf", "--format", "json"]).profile();
    assert!(p2["summary"].as_str().unwrap().contains("token only"), "{p2}");
}

#[test]
fn portfolios_secret_id_instead_of_value() {
    let svc = start(World::default());
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        fake::DEMO_CLIENT_ID,
        "",
        SCOPE,
    ))
    .var("PF_SECRET", fake::DEMO_SECRET_ID);
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
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        fake::DEMO_CLIENT_ID,
        "",
        SCOPE,
    ))
    .var("PF_SECRET", fake::DEMO_EXPIRED_SECRET);
    let p = s.conn(&["test", "pf", "--format", "json"]).code(5).profile();
    assert!(p["summary"].as_str().unwrap().contains("expired"), "{p}");
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        "cccccccc-0000-4000-8000-000000000009",
        "",
        SCOPE,
    ))
    .var("PF_SECRET", "whatever-1");
    let p = s.conn(&["test", "pf", "--format", "json"]).code(5).profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS700016"), "{p}");
    assert!(hints(&p).contains("Application (client) ID"));
}

#[test]
fn portfolios_wrong_tenant_is_found_without_sending_the_secret() {
    let svc = start(World::default());
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        "99999999-2222-3333-4444-555555555555",
        fake::DEMO_CLIENT_ID,
        "",
        SCOPE,
    ))
    .var("PF_SECRET", fake::DEMO_CLIENT_SECRET);
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
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        "{{tenant}}",
        fake::DEMO_CLIENT_ID,
        "",
        SCOPE,
    ))
    .var("PF_SECRET", fake::DEMO_CLIENT_SECRET);
    let p = s.conn(&["test", "pf", "--format", "json"]).code(7).profile();
    assert!(p["summary"].as_str().unwrap().contains("900023"), "{p}");
}

#[test]
fn portfolios_scope_problems_are_permission() {
    let svc = start(World::default());
    // As documented: the non-canonical GUID → resource not found, with the canonical form offered.
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        fake::DEMO_CLIENT_ID,
        "",
        "",
    ))
    .var("PF_SECRET", fake::DEMO_CLIENT_SECRET);
    let p = s.conn(&["test", "pf", "--format", "json"]).code(6).profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS500011"), "{p}");
    assert!(
        hints(&p).contains("api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/.default"),
        "{p}"
    );
    // Without /.default.
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        fake::DEMO_CLIENT_ID,
        "",
        "scope = \"api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1/Portfolio.Read\"",
    ))
    .var("PF_SECRET", fake::DEMO_CLIENT_SECRET);
    let p = s.conn(&["test", "pf", "--format", "json"]).code(6).profile();
    assert!(p["summary"].as_str().unwrap().contains("1002012"), "{p}");
    assert!(hints(&p).contains("/.default"));
}

#[test]
fn portfolios_wrong_portfolio_is_endpoint_and_missing_role_is_permission() {
    let svc = start(World::default());
    let s = Sandbox::with(
        &portfolios(
            &svc.base_url(),
            fake::DEMO_TENANT_ID,
            fake::DEMO_CLIENT_ID,
            "",
            &format!("{SCOPE}\nprobe = \"reports/42\""),
        )
        .replace("portfolio_id = \"demo-portfolio\"", "portfolio_id = \"old-portfolio\""),
    )
    .var("PF_SECRET", fake::DEMO_CLIENT_SECRET);
    let p = s.conn(&["test", "pf", "--format", "json"]).code(7).profile();
    assert!(p["summary"].as_str().unwrap().contains("no portfolio at"), "{p}");
    assert!(hints(&p).contains("check portfolio_id"));
    let s = Sandbox::with(&portfolios(
        &svc.base_url(),
        fake::DEMO_TENANT_ID,
        fake::DEMO_NOROLE_CLIENT_ID,
        "",
        &format!("{SCOPE}\nprobe = \"reports/42\""),
    ))
    .var("PF_SECRET", fake::DEMO_NOROLE_SECRET);
    let p = s.conn(&["test", "pf", "--format", "json"]).code(6).profile();
    assert!(hints(&p).contains("carries no roles"), "{p}");
}

#[test]
fn portfolios_legacy_basic() {
    let svc = start(World::default());
    let cfg = |pw: &str| {
        format!(
            "[profiles.l]\ntype = \"hypergene\"\nauth = \"basic\"\ndomain = \"{}/portfolios\"\nportfolio_id = \"demo-portfolio\"\nusername = \"legacy\"\npassword = \"{pw}\"\n",
            svc.base_url()
        )
    };
    Sandbox::with(&cfg("legacy-pass"))
        .conn(&["test", "l"])
        .code(0)
        .no_secrets(&["legacy-pass"]);
    let out = Sandbox::with(&cfg("legacy-WRONG")).conn(&["test", "l", "--format", "json"]);
    out.code(5).no_secrets(&["legacy-WRONG"]);
    assert!(
        out.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("rejected the username or password")
    );
}

fn rest(base: &str, probe: &str, auth: &str) -> String {
    format!(
        "[profiles.r]\ntype = \"rest\"\nbase_url = \"{base}/rest/api\"\nprobe = \"{probe}\"\n[profiles.r.auth]\n{auth}\n"
    )
}

#[test]
fn rest_client_credentials_scopes_and_insufficient_scope() {
    let svc = start(World::default());
    let cc = |scopes: &str| {
        format!(
            "type = \"oauth2-client-credentials\"\ntoken_url = \"{}/rest/oauth/token\"\nclient_id = \"rest-cli\"\nclient_secret = \"rest-secret\"\nscopes = \"{scopes}\"",
            svc.base_url()
        )
    };
    Sandbox::with(&rest(&svc.base_url(), "/billing", &cc("billing.read")))
        .conn(&["test", "r"])
        .code(0)
        .no_secrets(&["rest-secret"]);
    let out =
        Sandbox::with(&rest(&svc.base_url(), "/admin", &cc("billing.read"))).conn(&["test", "r", "--format", "json"]);
    out.code(6);
    let p = out.profile();
    assert!(
        p["summary"].as_str().unwrap().contains("lacks the scope billing.admin"),
        "{p}"
    );
    assert_eq!(p["server_error"]["error"], "insufficient_scope");
    assert_eq!(p["server_error"]["scope"], "billing.admin");
    let out = Sandbox::with(&rest(&svc.base_url(), "/billing", &cc("billing.read billing.nope")))
        .conn(&["test", "r", "--format", "json"]);
    out.code(6);
    assert!(out.profile()["summary"].as_str().unwrap().contains("invalid_scope"));
}

#[test]
fn rest_server_that_accepts_only_post_is_named() {
    let svc = start(World {
        rest_client_auth: fake::RestClientAuth::Post,
        ..World::default()
    });
    let auth = format!(
        "type = \"oauth2-client-credentials\"\ntoken_url = \"{}/rest/oauth/token\"\nclient_id = \"rest-cli\"\nclient_secret = \"rest-secret\"",
        svc.base_url()
    );
    let out = Sandbox::with(&rest(&svc.base_url(), "/health", &auth)).conn(&["test", "r", "--format", "json"]);
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
        format!(
            "type = \"oauth2-password\"\ntoken_url = \"{}/rest/oauth/token\"\nclient_id = \"rest-cli\"\nclient_secret = \"rest-secret\"\nusername = \"alice\"\npassword = \"{p}\"",
            svc.base_url()
        )
    };
    let out =
        Sandbox::with(&rest(&svc.base_url(), "/health", &pw("alice-pass"))).conn(&["test", "r", "--format", "json"]);
    out.code(0).no_secrets(&["alice-pass", "rest-secret"]);
    let p = out.profile();
    assert_eq!(p["status"], "warn");
    assert!(hints(&p).contains("RFC 9700"));
    let strict = Sandbox::with(&rest(&svc.base_url(), "/health", &pw("alice-pass"))).conn(&["test", "r", "--strict"]);
    assert_ne!(strict.code, 0);
    let out =
        Sandbox::with(&rest(&svc.base_url(), "/health", &pw("wrong-pass"))).conn(&["test", "r", "--format", "json"]);
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
        format!(
            "type = \"api-key\"\nkey = \"{k}\"\nname = \"{}\"\nin = \"{inq}\"",
            if inq == "query" { "api_key" } else { "X-API-Key" }
        )
    };
    Sandbox::with(&rest(&svc.base_url(), "/health", &key("demo-api-key-123", "header")))
        .conn(&["test", "r"])
        .code(0)
        .no_secrets(&["demo-api-key-123"]);
    let q = Sandbox::with(&rest(&svc.base_url(), "/health", &key("demo-api-key-123", "query")))
        .conn(&["test", "r", "--format", "json"]);
    q.code(0).no_secrets(&["demo-api-key-123"]);
    assert_eq!(q.profile()["status"], "warn");
    let bad = Sandbox::with(&rest(&svc.base_url(), "/health", &key("wrong-key-999", "header")))
        .conn(&["test", "r", "--format", "json"]);
    bad.code(5).no_secrets(&["wrong-key-999"]);
    assert!(
        bad.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("rejected the API key")
    );
    let basic = "type = \"basic\"\nusername = \"svc\"\npassword = \"svc-pass\"";
    Sandbox::with(&rest(&svc.base_url(), "/health", basic))
        .conn(&["test", "r"])
        .code(0)
        .no_secrets(&["svc-pass"]);
    let none =
        Sandbox::with(&rest(&svc.base_url(), "/health", "type = \"none\"")).conn(&["test", "r", "--format", "json"]);
    none.code(5);
    assert!(
        none.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("requires authentication (401)")
    );
}

#[test]
fn aggregate_exit_codes_and_one_failure_does_not_stop_others() {
    let svc = start(World::default());
    let b = svc.base_url();
    let cfg = format!(
        "{}\n[profiles.bad1]\ntype = \"hypatos\"\nendpoint = \"{b}/hypatos/v2\"\nclient_id = \"demo-hypatos\"\nclient_secret = \"nope-1\"\n[profiles.bad2]\ntype = \"hypatos\"\nendpoint = \"{b}/hypatos/v2\"\nclient_id = \"demo-hypatos\"\nclient_secret = \"nope-2\"\ntags = [\"t\"]\n[profiles.scope]\ntype = \"hypatos\"\nendpoint = \"{b}/hypatos/v2\"\nclient_id = \"demo-hypatos\"\nclient_secret = \"hyp-secret-1\"\nscope = \"companies.read\"\ntags = [\"t\"]\n",
        hypatos(&b, "", "tags = [\"t\"]")
    );
    let s = Sandbox::with(&cfg).var("HYP_SECRET", "hyp-secret-1");
    // Same failure twice → its code.
    s.conn(&["test", "bad1", "bad2"]).code(5);
    // Different failures → 1; the passing one still reported.
    let out = s.conn(&["test", "--all", "--format", "json"]);
    out.code(1);
    let r = out.json();
    assert_eq!(r["schema"], "conn.report/v1");
    assert_eq!(r["summary"]["total"], 4);
    assert_eq!(r["summary"]["passed"], 1);
    assert_eq!(r["summary"]["failed"], 3);
    assert_eq!(r["exit_code"], 1);
    let names: Vec<&str> = r["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["h", "bad1", "bad2", "scope"]);
    // --tag picks by tag.
    let t = s.conn(&["test", "--tag", "t", "--format", "json"]);
    assert_eq!(t.json()["summary"]["total"], 3);
    // --output writes the report, nothing half-written; -j 1 works the same.
    let out = s.conn(&[
        "test",
        "h",
        "bad1",
        "--format",
        "json",
        "--output",
        "report.json",
        "-j",
        "1",
    ]);
    out.code(5);
    assert!(out.stdout.is_empty());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(s.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(written["summary"]["total"], 2);
    // -q prints only failures.
    let q = s.conn(&["test", "h", "bad1", "-q"]);
    assert!(!q.stdout.contains("✓ h"), "{}", q.stdout);
    q.stdout_has("✗ bad1")
        .stdout_has("2 profiles: 1 passed, 0 warned, 1 failed");
}

#[test]
fn no_probe_skips_the_api_call() {
    let svc = start(World::default());
    let s = Sandbox::with(&hypatos(&svc.base_url(), "", "")).var("HYP_SECRET", "hyp-secret-1");
    let p = s
        .conn(&["test", "h", "--no-probe", "--format", "json"])
        .code(0)
        .profile();
    assert!(!steps(&p).iter().any(|(n, _)| n == "probe"));
    assert_eq!(svc.hits("/hypatos/v2/documents"), 0);
}

#[test]
fn demo_runs_and_shows_healthy_and_broken_profiles() {
    let s = Sandbox::new();
    let out = s.conn(&["demo", "--format", "json"]);
    out.code(0);
    let r = out.json();
    let by: std::collections::HashMap<String, Value> = r["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["profile"].as_str().unwrap().to_string(), p.clone()))
        .collect();
    assert!(by.len() >= 6);
    assert_eq!(by["hypatos"]["status"], "pass");
    assert_eq!(by["portfolios"]["status"], "pass");
    assert_eq!(by["hypatos-wrong-secret"]["category"], "authentication");
    assert_eq!(by["portfolios-secret-id"]["category"], "authentication");
    assert_eq!(by["hypatos-scope-missing"]["category"], "permission");
    assert_eq!(by["portfolios-wrong-portfolio"]["category"], "endpoint");
    assert_eq!(by["portfolios-wrong-tenant"]["category"], "endpoint");
    out.no_secrets(&[
        "hyp-secret-1",
        fake::DEMO_CLIENT_SECRET,
        "rest-secret",
        "legacy-pass",
        "demo-api-key-123",
    ]);
    let human = s.conn(&["demo"]);
    human
        .code(0)
        .stdout_has("✓ hypatos")
        .stdout_has("✗ portfolios-secret-id")
        .stderr_has("conn demo: a local service at http://127.0.0.1:");
}

//! `conn test` against in-process servers that answer as Hypatos does (reference/protocols.md),
//! several profiles in one run, and the demo. Every test checks the exit code, the report
//! fields a person reads, and that no secret reached any output.

use conn::demo::fake::{self, World};
use serde_json::Value;

use crate::support::Sandbox;
use crate::support::fake::{hints, start, steps};

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
    // A sign-in page on the probe is no pass: authentication, and it says who intercepted.
    let sso = &by["rest-behind-sso"];
    assert_eq!(
        (sso["kind"].as_str(), sso["category"].as_str()),
        (Some("probe_sign_in_page"), Some("authentication"))
    );
    assert!(
        sso["summary"]
            .as_str()
            .unwrap()
            .contains("sign-in page of Microsoft Entra ID"),
        "{sso}"
    );
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
        .stdout_has("✗ rest-behind-sso")
        .stderr_has("conn demo: a local service at http://127.0.0.1:");
}

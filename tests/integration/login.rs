//! `conn login` against the real oidc-provider, with a scripted browser as `$BROWSER` that
//! signs in on the provider's own pages: authorization code with PKCE, OpenID Connect,
//! refusals, refresh with rotation, the CI guard, `--no-browser` and the device flow.

use std::path::PathBuf;
use std::process::Stdio;

use crate::support::{Idp, Sandbox};

fn idp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/idp")
}

fn browser() -> String {
    format!("node {}", idp_dir().join("browser.mjs").display())
}

fn profiles(issuer: &str) -> String {
    format!(
        "[profiles.code]\ntype = \"rest\"\nbase_url = \"{issuer}\"\nprobe = \"/me\"\n[profiles.code.auth]\ntype = \"oauth2-authorization-code\"\nauthorization_url = \"{issuer}/auth\"\ntoken_url = \"{issuer}/token\"\nclient_id = \"native-app\"\nscopes = \"openid offline_access api.read\"\n\n[profiles.oidc]\ntype = \"rest\"\nbase_url = \"{issuer}\"\nprobe = \"/me\"\n[profiles.oidc.auth]\ntype = \"openid-connect\"\nissuer = \"{issuer}\"\nclient_id = \"native-app\"\nscopes = \"openid offline_access api.read email\"\ndisplay_name = \"Test IdP\"\n"
    )
}

fn stored(s: &Sandbox) -> serde_json::Value {
    let dir = s.path().join("cache/tokens");
    let f = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .find(|f| f.path().extension().is_some_and(|e| e == "json"))
        .expect("a stored login");
    serde_json::from_str(&std::fs::read_to_string(f.path()).unwrap()).unwrap()
}

/// A `$BROWSER` that only records that it was started.
fn marker_browser(s: &Sandbox) -> (String, PathBuf) {
    let marker = s.path().join("browser-was-opened");
    let script = s.write("marker.sh", &format!("#!/bin/sh\ntouch '{}'\n", marker.display()));
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    (script.display().to_string(), marker)
}

#[test]
fn code_flow_login_then_token_and_test_without_a_browser() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    let out = s.conn(&["login", "code"]);
    out.code(0)
        .stderr_has("Signed in to code")
        .stderr_has("refresh token is stored");
    let e = stored(&s);
    let access = e["access_token"].as_str().unwrap().to_string();
    let refresh = e["refresh_token"].as_str().unwrap().to_string();
    assert!(out.stdout.is_empty());
    out.no_secrets(&[&access, &refresh]);
    // Later calls never open a browser.
    let (b, marker) = marker_browser(&s);
    let s = s.var("BROWSER", &b);
    let tok = s.conn(&["token", "code"]);
    tok.code(0);
    assert_eq!(tok.stdout, format!("{access}\n"));
    let t = s.conn(&["test", "code", "--format", "json"]);
    t.code(0).no_secrets(&[&refresh]);
    let p = t.profile();
    let names: Vec<&str> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"refresh") && names.contains(&"probe"), "{p}");
    assert!(p["steps"].to_string().contains("refresh token rotated"), "{p}");
    // The test rotated the refresh token and stored the new one.
    assert_ne!(stored(&s)["refresh_token"].as_str().unwrap(), refresh);
    assert!(!marker.exists(), "a browser was opened");
    s.conn(&["profiles"]).code(0).stdout_has("valid");
}

#[test]
fn oidc_login_checks_the_id_token_and_survives_a_forged_callback() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer))
        .var("BROWSER", &browser())
        .var("BROWSER_FORGE_FIRST", "1");
    let out = s.conn(&["login", "oidc"]);
    out.code(0)
        .stderr_has("Ignored a sign-in response: its state does not match this login")
        .stderr_has("Signed in to oidc as alice@example.com");
    let e = stored(&s);
    assert_eq!(e["id_claims"]["email"], "alice@example.com");
    assert_eq!(e["id_claims"]["iss"], idp.issuer.as_str());
}

#[test]
fn access_denied_ends_the_login() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer))
        .var("BROWSER", &browser())
        .var("BROWSER_MODE", "deny");
    let out = s.conn(&["login", "oidc"]);
    out.code(5).stderr_has("the sign-in was refused: access_denied");
    assert!(
        !s.path()
            .join("cache/tokens")
            .read_dir()
            .map(|mut d| d.any(|f| f.unwrap().path().extension().is_some_and(|x| x == "json")))
            .unwrap_or(false)
    );
}

#[test]
fn expired_tokens_are_refreshed_and_rotated_across_runs() {
    // Access tokens live 30 s: below the 60 s reuse margin, so every call refreshes.
    let idp = Idp::start_with(Some(r#"{"accessTokenTTL": 30}"#));
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    s.conn(&["login", "code"]).code(0);
    let first = stored(&s);
    let one = s.conn(&["token", "code"]);
    one.code(0);
    let second = stored(&s);
    assert_ne!(one.stdout.trim(), first["access_token"].as_str().unwrap());
    assert_ne!(second["refresh_token"], first["refresh_token"], "not rotated");
    let two = s.conn(&["token", "code"]);
    two.code(0);
    assert_ne!(two.stdout, one.stdout);
    assert_ne!(stored(&s)["refresh_token"], second["refresh_token"]);
    // The provider revokes the whole grant when an old refresh token is replayed; that two
    // refreshes in a row worked proves the rotated one was used each time.
}

#[test]
fn without_a_login_ci_gets_exit_8_at_once_and_no_browser() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer));
    let (b, marker) = marker_browser(&s);
    let s = s.var("BROWSER", &b).var("CI", "true");
    let t = s.conn(&["test", "oidc", "--format", "json"]);
    t.code(8);
    let p = t.profile();
    assert_eq!(p["category"], "interactive");
    assert!(p["hints"][0].as_str().unwrap().contains("conn login oidc"));
    s.conn(&["token", "oidc"]).code(8).stderr_has("run: conn login oidc");
    assert!(!marker.exists());
    assert_eq!(idp.hits("/token"), 0);
    s.conn(&["profiles"]).code(0).stdout_has("login required");
}

#[test]
fn logout_forgets_the_login() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    s.conn(&["login", "code"]).code(0);
    s.conn(&["logout", "code"]).code(0).stderr_has("removed 1");
    s.conn(&["token", "code"]).code(8);
}

#[test]
fn no_browser_prints_the_address_and_waits() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer));
    let mut child = s
        .cmd(&["login", "oidc", "--no-browser", "--timeout", "60s"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let url = crate::support::authorization_address(&mut err, &idp.issuer)
        .unwrap_or_else(|seen| panic!("no address printed:\n{seen}"));
    assert!(
        url.contains("code_challenge_method=S256") && url.contains("state=") && url.contains("nonce="),
        "{url}"
    );
    assert!(url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"), "{url}");
    let b = std::process::Command::new("node")
        .arg(idp_dir().join("browser.mjs"))
        .arg(&url)
        .output()
        .unwrap();
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(rest.contains("Signed in to oidc"), "{rest}");
}

#[test]
fn device_flow_for_headless_machines() {
    let idp = Idp::start();
    let device = format!("node {}", idp_dir().join("device.mjs").display());
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &device);
    let out = s.conn(&["login", "oidc", "--device", "--timeout", "60s"]);
    out.code(0).stderr_has("enter the code").stderr_has("Signed in to oidc");
    assert!(stored(&s)["refresh_token"].is_string());
    s.conn(&["token", "oidc"]).code(0);
}

#[test]
fn login_refuses_non_interactive_profiles() {
    let s = Sandbox::with("[profiles.r]\ntype = \"rest\"\nbase_url = \"https://r.example\"\n");
    s.conn(&["login", "r"]).code(2).stderr_has("needs no sign-in");
}

fn entry_path(s: &Sandbox) -> PathBuf {
    let dir = s.path().join("cache/tokens");
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|f| f.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap()
}

/// Make the stored access token look expired, so the next use must refresh.
fn expire(s: &Sandbox) {
    let p = entry_path(s);
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["expires_at"] = serde_json::json!(1);
    std::fs::write(&p, v.to_string()).unwrap();
}

#[test]
fn parallel_refreshes_of_a_rotating_login_make_one_request() {
    // security.md B11: the provider revokes the whole grant when a used refresh token comes
    // back, so two processes refreshing at once would break the login.
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    s.conn(&["login", "code"]).code(0);
    expire(&s);
    let before = idp.hits("/token");
    let children: Vec<_> = (0..10)
        .map(|_| {
            s.cmd(&["token", "code"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let first = &outs[0].stdout;
    assert!(outs.iter().all(|o| &o.stdout == first));
    assert_eq!(idp.hits("/token") - before, 1, "refresh requests");
}

#[test]
fn a_lost_refresh_answer_ends_in_a_clear_relogin() {
    // security.md F52: the provider rotated, the answer never arrived (here: the old entry is
    // put back). The next run meets invalid_grant, forgets the login, says to sign in again.
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    s.conn(&["login", "code"]).code(0);
    expire(&s);
    let stale = std::fs::read_to_string(entry_path(&s)).unwrap();
    s.conn(&["token", "code"]).code(0);
    std::fs::write(entry_path(&s), stale).unwrap();
    let out = s.conn(&["token", "code"]);
    out.code(8)
        .stderr_has("the stored login is no longer valid")
        .stderr_has("run: conn login code");
    assert!(out.stdout.is_empty());
    s.conn(&["token", "code"]).code(8).stderr_has("has no stored login");
}

#[test]
fn two_logins_at_once_both_finish() {
    // security.md B15: the second waits for the first instead of failing on a port or a race.
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    let a = s.cmd(&["login", "code"]).stderr(Stdio::piped()).spawn().unwrap();
    let b = s.cmd(&["login", "code"]).stderr(Stdio::piped()).spawn().unwrap();
    for c in [a, b] {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    s.conn(&["token", "code"]).code(0);
}

#[test]
fn a_login_nobody_completes_times_out() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer));
    let t = std::time::Instant::now();
    let out = s.conn(&["login", "oidc", "--no-browser", "--timeout", "1s"]);
    out.code(8).stderr_has("no sign-in arrived within 1s");
    assert!(t.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn verbose_login_refresh_and_test_show_no_token_code_or_refresh_token() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    let login = s.conn(&["-v", "login", "oidc"]);
    login.code(0).stderr_has("> POST");
    let e1 = stored(&s);
    let (a1, r1) = (
        e1["access_token"].as_str().unwrap().to_string(),
        e1["refresh_token"].as_str().unwrap().to_string(),
    );
    login.no_secrets(&[&a1, &r1]);
    // The code and the PKCE verifier appear only masked.
    for key in ["&code=", "code_verifier="] {
        for (i, _) in login.stderr.match_indices(key) {
            assert!(
                login.stderr[i + key.len()..].starts_with("********"),
                "{key} traced unmasked:\n{}",
                login.stderr
            );
        }
    }
    assert!(login.stderr.contains("code_verifier=********"));
    let refresh = s.conn(&["-v", "token", "oidc", "--min-ttl", "2h"]);
    refresh.code(0);
    let e2 = stored(&s);
    let (a2, r2) = (
        e2["access_token"].as_str().unwrap().to_string(),
        e2["refresh_token"].as_str().unwrap().to_string(),
    );
    assert_eq!(refresh.stdout, format!("{a2}\n"));
    for secret in [&a1, &r1, &a2, &r2] {
        assert!(
            !refresh.stderr.contains(secret.as_str()),
            "a token reached stderr:\n{}",
            refresh.stderr
        );
    }
    let t = s.conn(&["-v", "test", "oidc", "--format", "json"]);
    t.code(0);
    let e3 = stored(&s);
    t.no_secrets(&[
        &a1,
        &r1,
        &a2,
        &r2,
        e3["access_token"].as_str().unwrap(),
        e3["refresh_token"].as_str().unwrap(),
    ]);
}

#[test]
fn in_a_terminal_conn_test_offers_to_sign_in_first() {
    let idp = Idp::start();
    let s = Sandbox::with(&profiles(&idp.issuer)).var("BROWSER", &browser());
    // Declined: nothing is opened, the profile reports that a sign-in is needed.
    let no = crate::support::on_terminal(&s, &["test", "oidc"], &[("Sign in now? [Y/n]", "n\n")]);
    no.code(8);
    assert!(no.stdout.contains("conn login oidc"), "{}", no.stdout);
    assert_eq!(idp.hits("/token"), 0);
    // Accepted: the browser sign-in runs, then the test refreshes the new login and probes.
    let yes = crate::support::on_terminal(&s, &["test", "oidc"], &[("Sign in now? [Y/n]", "\n")]);
    yes.code(0);
    assert!(yes.stdout.contains("Signed in to oidc"), "{}", yes.stdout);
    assert!(yes.stdout.contains("refresh"), "{}", yes.stdout);
    // Now stored: no question any more.
    let again = crate::support::on_terminal(&s, &["test", "oidc"], &[]);
    again.code(0);
    assert!(!again.stdout.contains("Sign in now?"), "{}", again.stdout);
}

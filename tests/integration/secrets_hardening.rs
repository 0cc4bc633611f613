//! Secrets against hostile text and surroundings (security.md §7 C, D34, G): server text is
//! cleaned, cut and masked, proxy credentials are never shown, secret commands are contained,
//! GitHub Actions gets the token masked first, and the opt-ins and environment knobs hold.

use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::counting::{Counting, Reply};
use crate::support::hostile::{SECRET, TOKEN, api, cc, clean_of_secrets, leaks, token_body};
use crate::support::servers::{self, raw, read_request, respond};

// ---- C20/C24: server text is cleaned and never echoes a secret --------------------------

#[test]
fn server_text_is_cleaned_cut_and_masked() {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("c:{SECRET}"));
    let enc: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    let long = "x".repeat(5000);
    let token_err = format!(
        r#"{{"error":"invalid_client","error_description":"\u001b[2J\u001b]0;pwned\u0007bad client_secret={SECRET} (form {enc}) header Basic {basic}\r\nInjected line {long}","title":"T\u001b[31mitle {SECRET}"}}"#
    );
    let challenge = format!(r#"Basic realm="x", error="invalid_client", error_description="echo {SECRET}""#);
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            respond(
                &mut s,
                "401 Unauthorized",
                &[("Content-Type", "application/json"), ("WWW-Authenticate", &challenge)],
                token_err.as_bytes(),
            );
        }
    });
    let s = Sandbox::of(cc(&srv.url(), &srv.url()));
    let report = s.path().join("report.json");
    for args in [
        vec!["test", "p"],
        vec!["-v", "test", "p", "--format", "json"],
        vec![
            "-v",
            "test",
            "p",
            "--format",
            "json",
            "--output",
            report.to_str().unwrap(),
        ],
        vec!["-v", "token", "p"],
    ] {
        let out = s.conn(&args);
        out.code(5);
        clean_of_secrets(&out);
        for o in [&out.stdout, &out.stderr] {
            assert!(!o.contains('\u{1b}') && !o.contains('\u{7}'), "escape in output:\n{o}");
            assert!(
                !o.contains("\nInjected line"),
                "a server line break reached the output:\n{o}"
            );
            // The report quotes at most 500 characters; the -v trace at most 2000.
            assert!(!o.contains(&"x".repeat(2001)), "server text not cut");
            if !args.contains(&"-v") {
                assert!(!o.contains(&"x".repeat(501)), "server text not cut");
            }
        }
    }
    let text = std::fs::read_to_string(&report).unwrap();
    for l in leaks() {
        assert!(!text.contains(&l), "{l:?} in the report file");
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let d = v["profiles"][0]["server_error"]["description"].as_str().unwrap();
    assert!(d.contains("bad client_secret=********"), "{d}");
    assert!(d.chars().count() <= 501, "{}", d.chars().count());

    // A probe answer that echoes the bearer token back, in its body and in a header.
    let probe = api(|_, s| {
        let body = format!(r#"{{"error":"invalid_token","error_description":"rejected Bearer {TOKEN} \u001b[1mnow"}}"#);
        let ch = format!(r#"Bearer error="invalid_token", error_description="token {TOKEN}""#);
        respond(s, "401 Unauthorized", &[("WWW-Authenticate", &ch)], body.as_bytes());
    });
    let s = Sandbox::of(cc(&probe.url(), &probe.url()));
    for args in [vec!["test", "p"], vec!["-v", "test", "p", "--format", "json"]] {
        let out = s.conn(&args);
        out.code(5);
        clean_of_secrets(&out);
        assert!(!out.stdout.contains('\u{1b}'));
    }
}

// ---- D34: proxy credentials -------------------------------------------------------------

#[test]
fn proxy_credentials_are_never_shown() {
    let proxy = Counting::start(|_, _| Reply::status("403 Forbidden", ""));
    let proxy_url = format!("http://puser:proxy-canary-Pw9@127.0.0.1:{}", proxy.addr().port());
    // localhost needs no DNS; the proxy is asked to CONNECT to it.
    let s = Sandbox::of(cc("https://localhost:9", "https://localhost:9")).var("HTTPS_PROXY", &proxy_url);
    for args in [
        vec!["-v", "test", "p"],
        vec!["-v", "test", "p", "--format", "json"],
        vec!["-v", "token", "p"],
    ] {
        let out = s.conn(&args);
        assert!(out.code != 0, "{}", out.stderr);
        clean_of_secrets(&out);
        out.no_secrets(&["proxy-canary-Pw9"]);
    }
    let out = s.conn(&["test", "p", "--format", "json"]);
    assert!(
        out.stdout.contains("proxy http://puser:********@127.0.0.1:"),
        "the proxy is not named: {}",
        out.stdout
    );
    assert!(proxy.calls() > 0, "the proxy was not used");
    assert!(proxy.requests().iter().all(|r| r.method == "CONNECT"));
}

// ---- G53–G55: secret commands -----------------------------------------------------------

#[test]
fn secret_commands_are_contained() {
    // No shell: the value arrives as printed, `$(…)` and `;` untouched.
    let srv = Counting::json(token_body());
    let with = |command: &str| {
        Sandbox::of(
            cc(&srv.url(), &srv.url())
                .auth_raw("client_secret", &format!("{{ command = {command} }}"))
                .auth_str("client_auth", "post"),
        )
    };
    let out = with(r#"["printf", "%s", "a;b$(id)`id`"], timeout = "5s""#).conn(&["token", "p", "--no-cache"]);
    out.code(0);
    let body = srv.bodies().last().cloned().unwrap_or_default();
    let secret: String = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "client_secret")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert_eq!(secret, "a;b$(id)`id`");

    for (command, words) in [
        (r#"["sleep", "10"], timeout = "300ms""#, "did not finish within 300ms"),
        (
            r#"["yes", "endless"], timeout = "500ms""#,
            "did not finish within 500ms",
        ),
        (
            r#"["head", "-c", "200000", "/dev/urandom"]"#,
            "printed more than 64 KiB",
        ),
        (r#"["printf", "one\\rtwo"]"#, "line break or NUL"),
        (r#"["printf", "one\\ntwo\\n"]"#, "line break or NUL"),
        (r#"["printf", "one\\000two"]"#, "line break or NUL"),
        (
            r#"["sh", "-c", "echo cmd-canary-Out1; echo cmd-canary-Err2 >&2; exit 4"]"#,
            "exited with status 4",
        ),
        (r#"["./no-such-program"]"#, "cannot run secret command"),
    ] {
        let s = with(command);
        let t = Instant::now();
        for args in [vec!["-v", "test", "p", "--format", "json"], vec!["-v", "token", "p"]] {
            let out = s.conn(&args);
            out.code(2).no_secrets(&[
                "cmd-canary-Out1",
                "cmd-canary-Err2",
                "one\ntwo",
                "one\rtwo",
                "one\u{0}two",
            ]);
            assert!(
                out.stderr.contains(words) || out.stdout.contains(words),
                "{command}: {}{}",
                out.stdout,
                out.stderr
            );
            assert!(out.stdout.is_empty() || args[1] == "test");
        }
        assert!(t.elapsed() < Duration::from_secs(8), "{command} took {:?}", t.elapsed());
    }
    // `conn show`, `profiles` and `validate --no-secrets` never run the command.
    let marker = srv.url();
    let _ = marker;
    let s = with(r#"["sh", "-c", "touch ran-it; printf x"]"#);
    s.conn(&["show", "p"]).code(0);
    s.conn(&["profiles"]).code(0);
    s.conn(&["validate", "--no-secrets"]).code(0);
    assert!(!s.path().join("ran-it").exists(), "a secret command ran without need");
}

// ---- environment: CI masking, opt-ins and knobs -----------------------------------------

#[test]
fn github_actions_gets_the_token_masked_first() {
    let srv = Counting::json(token_body());
    let s = Sandbox::of(cc(&srv.url(), &srv.url())).var("GITHUB_ACTIONS", "true");
    let out = s.conn(&["token", "p"]);
    out.code(0);
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(out.stderr, format!("::add-mask::{TOKEN}\n"));
}

#[test]
fn opt_ins_and_environment_knobs() {
    // allow_insecure_http lifts the refusal (the request is then tried, and fails in a
    // namespace without network).
    let s = Sandbox::of(cc("http://login.example.com", "http://api.example.com").raw("allow_insecure_http", "true"));
    let out = s.wrapped(&["unshare", "-n"], &["test", "p", "--format", "json"]);
    out.code(3);
    clean_of_secrets(&out);

    // NO_PROXY is honoured for loopback: the dead proxy is never used.
    let srv = Counting::json(token_body());
    let dead = servers::refused_port();
    let s = Sandbox::of(cc(&srv.url(), &srv.url()).no_probe())
        .var("HTTP_PROXY", &format!("http://127.0.0.1:{dead}"))
        .var("NO_PROXY", "127.0.0.1,localhost");
    s.conn(&["test", "p"]).code(0);
    s.conn(&["token", "p", "--no-cache"]).code(0);
    srv.assert_called(2);

    // A HOME where no cache can be made, and no cache variable: the token is still printed,
    // with a warning.
    let not_a_dir = s.write("home-file", "x");
    let mut c = s.cmd(&["token", "p"]);
    c.env("HOME", &not_a_dir)
        .env_remove("XDG_CACHE_HOME")
        .env_remove("CONN_CACHE_DIR");
    let o = c.output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout), format!("{TOKEN}\n"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: token store unusable"));

    // XDG_CACHE_HOME is used when CONN_CACHE_DIR is not set.
    let mut c = s.cmd(&["token", "p"]);
    c.env_remove("CONN_CACHE_DIR");
    assert!(c.output().unwrap().status.success());
    assert!(s.path().join("xdg-cache/conn/tokens").is_dir());
}

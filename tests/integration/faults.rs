//! Broken and hostile servers: every fault ends in a clean verdict with the right category,
//! never a hang, a panic or a leaked secret.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::profiles::Profile;
use crate::support::servers::{self, fixed, raw, read_request, refused_port, respond};

const SECRET: &str = "fault-canary-Secret-7f2a";

/// A client-credentials profile `p` with this token URL and probe `{probe_base}/ping`.
fn cc(token_url: &str, probe_base: &str) -> Profile {
    Profile::rest("p", probe_base)
        .probe("/ping")
        .client_credentials(token_url, "c")
        .secret(SECRET)
}

fn summary(out: &crate::support::Out) -> String {
    out.profile()["summary"].as_str().unwrap().to_string()
}

#[test]
fn refused_port_is_network() {
    let port = refused_port();
    let s = Sandbox::of(cc(&format!("http://127.0.0.1:{port}/token"), "http://127.0.0.1:1"));
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(3).no_secrets(&[SECRET]);
    assert!(
        summary(&out).contains("connection refused by 127.0.0.1"),
        "{}",
        out.stdout
    );
    let p = out.profile();
    assert_eq!(p["steps"][1]["name"], "connect");
    assert_eq!(p["steps"][1]["status"], "fail");
}

#[test]
fn unresolvable_host_is_network() {
    // In a private network namespace no DNS query can leave this machine.
    let s = Sandbox::of(cc("https://no-such-host.invalid/token", "https://no-such-host.invalid"));
    let out = s.wrapped(&["unshare", "-n"], &["test", "p", "--format", "json"]);
    out.code(3).no_secrets(&[SECRET]);
    assert!(summary(&out).contains("no-such-host.invalid"), "{}", out.stdout);
    assert_eq!(out.profile()["steps"][0]["name"], "dns");
    assert_eq!(out.profile()["steps"][0]["status"], "fail");
}

#[test]
fn html_page_at_the_token_url_is_endpoint() {
    let srv = fixed(
        "200 OK",
        &[("Content-Type", "text/html")],
        "<html><head><title>Sign in to Contoso</title></head><body>login</body></html>",
    );
    let out = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url())).conn(&["test", "p", "--format", "json"]);
    out.code(7).no_secrets(&[SECRET]);
    assert!(
        summary(&out).contains("HTML page (\"Sign in to Contoso\")"),
        "{}",
        out.stdout
    );
}

#[test]
fn server_error_and_not_found_are_endpoint() {
    let srv = fixed(
        "500 Internal Server Error",
        &[("Content-Type", "application/json")],
        r#"{"error":"server_error","error_description":"database down"}"#,
    );
    let out = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url())).conn(&["test", "p", "--format", "json"]);
    out.code(7);
    assert!(summary(&out).contains("database down"), "{}", out.stdout);
    let nf = fixed("404 Not Found", &[], "no");
    let out = Sandbox::of(cc(&format!("{}/token", nf.url()), &nf.url())).conn(&["test", "p", "--format", "json"]);
    out.code(7);
    assert!(
        summary(&out).contains("answered 404: there is no token endpoint there"),
        "{}",
        out.stdout
    );
}

#[test]
fn token_redirect_is_never_followed() {
    let other = raw(|mut s| {
        if read_request(&mut s).is_some() {
            servers::json(&mut s, "200 OK", r#"{"access_token":"stolen","token_type":"Bearer"}"#);
        }
    });
    let target = format!("{}/token", other.url());
    for status in ["302 Found", "307 Temporary Redirect", "308 Permanent Redirect"] {
        let t = target.clone();
        let srv = raw(move |mut s| {
            if read_request(&mut s).is_some() {
                respond(&mut s, status, &[("Location", &t)], b"");
            }
        });
        let out = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url())).conn(&["test", "p", "--format", "json"]);
        out.code(7).no_secrets(&[SECRET]);
        assert!(
            summary(&out).contains("a token request is never redirected"),
            "{}",
            out.stdout
        );
    }
    assert_eq!(other.count(), 0, "the redirect target was contacted");
}

#[test]
fn slow_server_hits_the_deadline() {
    let srv = raw(|mut s| {
        if read_request(&mut s).is_some() {
            std::thread::sleep(Duration::from_secs(8));
        }
    });
    let t = Instant::now();
    let out = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url())).conn(&[
        "test",
        "p",
        "--timeout",
        "1s",
        "--format",
        "json",
    ]);
    out.code(3);
    assert!(t.elapsed() < Duration::from_secs(6), "took {:?}", t.elapsed());
    assert!(
        summary(&out).contains("did not answer completely within 1s"),
        "{}",
        out.stdout
    );
}

#[test]
fn huge_token_answer_is_cut_and_refused() {
    let srv = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            let chunk = format!("{:x}\r\n{}\r\n", 65536, "a".repeat(65536));
            for _ in 0..400 {
                if s.write_all(chunk.as_bytes()).is_err() {
                    return;
                }
            }
        }
    });
    let out = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url())).conn(&["test", "p", "--format", "json"]);
    out.code(7);
    assert!(summary(&out).contains("larger than 1 MiB"), "{}", out.stdout);
}

#[test]
fn garbage_instead_of_http() {
    let srv = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\r\n");
        }
    });
    let out = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url())).conn(&["test", "p", "--format", "json"]);
    out.code(7);
    assert!(summary(&out).contains("not HTTP"), "{}", out.stdout);
}

#[test]
fn plain_http_off_loopback_is_refused_before_any_request() {
    let s = Sandbox::of(cc("http://login.example.com/token", "https://api.example.com"));
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(2);
    let p = out.profile();
    assert_eq!(p["category"], "config");
    assert_eq!(p["steps"][0]["name"], "config");
    assert!(summary(&out).contains("refusing to send credentials over plain http to http://login.example.com/token"));
    assert!(
        p["steps"].as_array().unwrap()[1..]
            .iter()
            .all(|s| s["status"] == "skip")
    );
    s.conn(&["validate"])
        .code(2)
        .stderr_has("refusing to send credentials over plain http");
    let allowed = Sandbox::with(&format!(
        "{}allow_insecure_http = true\n",
        cc("http://login.example.com/token", "https://api.example.com")
            .to_string()
            .replace("[profiles.p.auth]", "allow_insecure_http = true\n[profiles.p.auth]")
            .replace("allow_insecure_http = true\n", "")
    ));
    let _ = allowed;
}

#[test]
fn missing_secret_variable_is_config_in_the_report() {
    let s = Sandbox::with(
        "[profiles.h]\ntype = \"hypatos\"\nendpoint = \"http://127.0.0.1:1/v2\"\nclient_id = \"i\"\nclient_secret = { env = \"NOT_SET_ANYWHERE\" }\n",
    );
    let out = s.conn(&["test", "h", "--format", "json"]);
    out.code(2);
    assert!(summary(&out).contains("environment variable NOT_SET_ANYWHERE is not set"));
}

#[test]
fn interactive_profile_without_login_is_exit_8() {
    let s = Sandbox::with(
        "[profiles.i]\ntype = \"rest\"\nbase_url = \"http://127.0.0.1:1/api\"\n[profiles.i.auth]\ntype = \"oauth2-authorization-code\"\nauthorization_url = \"http://127.0.0.1:1/auth\"\ntoken_url = \"http://127.0.0.1:1/token\"\nclient_id = \"app\"\n",
    );
    let out = s.conn(&["test", "i", "--format", "json"]);
    out.code(8);
    assert_eq!(out.profile()["category"], "interactive");
    assert!(out.profile()["hints"][0].as_str().unwrap().contains("conn login i"));
}

#[test]
fn probe_redirect_to_another_origin_is_not_followed_and_carries_nothing() {
    let other = raw(|mut s| {
        if read_request(&mut s).is_some() {
            servers::json(&mut s, "200 OK", "{}");
        }
    });
    let loc = format!("{}/elsewhere", other.url());
    let api = raw(move |mut s| {
        if let Some(r) = read_request(&mut s) {
            if r.path.starts_with("/token") {
                servers::json(
                    &mut s,
                    "200 OK",
                    r#"{"access_token":"tok-abcdef-123456","token_type":"Bearer","expires_in":60}"#,
                );
            } else if r.path == "/ping" {
                respond(&mut s, "302 Found", &[("Location", "/ping2")], b"");
            } else {
                respond(&mut s, "302 Found", &[("Location", &loc)], b"");
            }
        }
    });
    let out = Sandbox::of(cc(&format!("{}/token", api.url()), &api.url())).conn(&["test", "p", "--format", "json"]);
    out.code(7).no_secrets(&[SECRET, "tok-abcdef-123456"]);
    assert!(
        summary(&out).contains("redirected (302) to another origin"),
        "{}",
        out.stdout
    );
    assert_eq!(other.count(), 0);
}

#[test]
fn verbose_trace_never_shows_the_secret_or_the_token() {
    let srv = raw(|mut s| {
        if let Some(r) = read_request(&mut s) {
            if r.path.starts_with("/token") {
                servers::json(
                    &mut s,
                    "200 OK",
                    r#"{"access_token":"verbose-canary-token-42","refresh_token":"verbose-canary-refresh-42","token_type":"Bearer","expires_in":60}"#,
                );
            } else {
                servers::json(&mut s, "200 OK", "{}");
            }
        }
    });
    let s = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url()));
    let out = s.conn(&["-v", "test", "p"]);
    out.code(0)
        .stderr_has("> POST")
        .stderr_has("authorization: Basic ********")
        .no_secrets(&[SECRET, "verbose-canary-token-42", "verbose-canary-refresh-42"]);
    let out = s.conn(&["-v", "token", "p", "--no-cache"]);
    out.code(0);
    assert_eq!(out.stdout, "verbose-canary-token-42\n");
    assert!(!out.stderr.contains("verbose-canary-token-42"), "{}", out.stderr);
    assert!(!out.stderr.contains("verbose-canary-refresh-42"));
}

#[test]
fn a_kept_alive_connection_closed_unanswered_is_sent_again_and_said_in_verbose() {
    // Each connection answers its first request and keeps alive, then closes at the second
    // without a byte of answer: what a proxy that closes its connections unannounced does.
    let srv = raw(|mut s| {
        let Some(first) = read_request(&mut s) else { return };
        let body = if first.method == "POST" {
            r#"{"access_token":"kept-alive-token-1","token_type":"Bearer","expires_in":3600}"#
        } else {
            "{}"
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(format!("{head}{body}").as_bytes());
        let _ = read_request(&mut s);
    });
    let token = format!("{}/token", srv.url());
    let profiles = format!(
        "{}{}",
        cc(&token, &srv.url()).named("a"),
        cc(&token, &srv.url()).named("b")
    );
    let out = Sandbox::with(&profiles).conn(&["test", "a", "b", "-j", "1", "-v"]);
    out.code(0).no_secrets(&[SECRET, "kept-alive-token-1"]);
    let said = out
        .stderr
        .matches("sending the request once more on a new connection")
        .count();
    // a's probe and b's token POST and probe each met a connection closed unanswered.
    assert_eq!(said, 3, "{}", out.stderr);
    // The pre-flight's connection, then one per answered request.
    assert_eq!(srv.count(), 5);
}

/// `data` gzip-encoded.
fn gzipped(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_gzip_encoded_error_answer_sent_unasked_is_read() {
    let body = gzipped(br#"{"error":"invalid_client","error_description":"Client authentication failed"}"#);
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            respond(
                &mut s,
                "401 Unauthorized",
                &[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                &body,
            );
        }
    });
    let out = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url())).conn(&["test", "p", "--format", "json"]);
    out.code(5).no_secrets(&[SECRET]);
    let p = out.profile();
    assert!(p.to_string().contains("invalid_client"), "{p}");
    assert!(!p.to_string().contains("UTF-8"), "{p}");
}

#[test]
fn a_gzip_bomb_stays_bounded_by_the_decoded_size() {
    // 64 MiB of JSON-looking zeros, about 64 KiB on the wire.
    let mut json = b"{\"access_token\":\"".to_vec();
    json.resize(64 << 20, b'0');
    let bomb = gzipped(&json);
    assert!(bomb.len() < 200 << 10);
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            respond(
                &mut s,
                "200 OK",
                &[("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                &bomb,
            );
        }
    });
    let started = Instant::now();
    let s = Sandbox::of(cc(&format!("{}/token", srv.url()), &srv.url()));
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(7).no_secrets(&[SECRET]);
    let p = out.profile();
    assert_eq!(p["kind"], "token_answer_too_large", "{p}");
    assert!(p["summary"].as_str().unwrap().contains("larger than 1 MiB"), "{p}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn html_and_a_running_out_quota_on_a_passing_probe_are_warnings() {
    // The quota headers as Hypatos sends them on every answer (its OpenAPI 2.15.0).
    let srv = raw(|mut s| {
        let Some(r) = read_request(&mut s) else { return };
        match r.path.as_str() {
            "/token" => servers::json(
                &mut s,
                "200 OK",
                r#"{"access_token":"t-1","token_type":"Bearer","expires_in":3600}"#,
            ),
            "/page" => respond(
                &mut s,
                "200 OK",
                &[("Content-Type", "text/html")],
                b"<html><title>Welcome to Contoso</title></html>",
            ),
            _ => respond(
                &mut s,
                "200 OK",
                &[
                    ("Content-Type", "application/json"),
                    ("x-ratelimit-limit", "10, 10;w=1"),
                    ("x-ratelimit-remaining", "1"),
                    ("x-ratelimit-reset", "21"),
                ],
                b"{}",
            ),
        }
    });
    let base = srv.url();
    for (probe, kind, words) in [
        ("/ping", "rate_limit_low", "1 of 10 calls left, resets in 21s"),
        ("/page", "probe_html", "an HTML page (\"Welcome to Contoso\")"),
    ] {
        let s = Sandbox::of(cc(&format!("{base}/token"), &base).probe(probe));
        let out = s.conn(&["test", "p", "--format", "json"]);
        out.code(0).no_secrets(&[SECRET]);
        let p = out.profile();
        assert_eq!(p["warnings"][0]["kind"], kind, "{}", out.stdout);
        assert!(
            p["warnings"][0]["message"].as_str().unwrap().contains(words),
            "{}",
            out.stdout
        );
        if kind == "rate_limit_low" {
            let probe_step = crate::support::step(&p, "probe");
            assert!(probe_step["detail"].as_str().unwrap().contains(words), "{probe_step}");
        }
        // --strict: a warning fails with its category.
        s.conn(&["test", "p", "--strict"]).code(7);
    }
}

#[test]
fn a_dead_proxy_is_named_as_the_proxy_by_token_and_test() {
    let port = refused_port();
    let profile = Profile::rest("p", "https://api.example.com")
        .probe("/ping")
        .client_credentials("https://login.example.com/token", "c")
        .secret(SECRET);
    let s = Sandbox::of(profile).var("HTTPS_PROXY", &format!("http://127.0.0.1:{port}"));
    let out = s.conn(&["token", "p"]);
    out.code(3).no_secrets(&[SECRET]);
    out.stderr_has(&format!("connection refused by 127.0.0.1:{port} (the proxy)"))
        .stderr_has("HTTPS_PROXY");
    assert!(!out.stderr.contains("login.example.com"), "{}", out.stderr);
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(3);
    let p = out.profile();
    assert!(p["summary"].as_str().unwrap().contains("(the proxy)"), "{p}");
    assert!(p["hints"].to_string().contains("HTTPS_PROXY"), "{p}");
}

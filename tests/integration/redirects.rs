//! Redirects and plain http (security.md §7 D26–D30): a token request is never redirected,
//! a probe redirect stays on its origin and carries no Referer, and credentials are never
//! sent over plain http off loopback.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::hostile::{SECRET, api, cc, clean_of_secrets, summary, token_body};
use crate::support::profiles::Profile;
use crate::support::servers::{self, Request, raw, read_request, respond};

// ---- D26–D30: redirects -----------------------------------------------------------------

#[test]
fn token_redirects_to_another_host_port_or_scheme_are_never_followed() {
    let other = raw(|mut s| {
        if read_request(&mut s).is_some() {
            servers::json(&mut s, "200 OK", &token_body());
        }
    });
    let port = other.addr.port();
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        for target in [
            format!("http://127.0.0.1:{port}/token"),
            format!("http://localhost:{port}/token"),
            format!("https://127.0.0.1:{port}/token"),
            format!("http://user:{SECRET}@127.0.0.1:{port}/token?x={SECRET}"),
        ] {
            let srv = raw(move |mut s| {
                if read_request(&mut s).is_some() {
                    respond(&mut s, status, &[("Location", &target)], b"");
                }
            });
            let s = Sandbox::of(cc(&srv.url(), &srv.url()));
            let out = s.conn(&["-v", "test", "p", "--format", "json"]);
            out.code(7);
            clean_of_secrets(&out);
            assert!(
                summary(&out).contains("a token request is never redirected"),
                "{}",
                out.stdout
            );
            let out = s.conn(&["token", "p"]);
            out.code(7);
            clean_of_secrets(&out);
        }
    }
    assert_eq!(other.count(), 0, "the redirect target was contacted");
}

#[test]
fn probe_redirects_carry_no_referer_and_never_leave_the_origin() {
    let other = raw(|mut s| {
        if read_request(&mut s).is_some() {
            servers::json(&mut s, "200 OK", "{}");
        }
    });
    let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
    let log = seen.clone();
    let elsewhere = format!("{}/stolen", other.url());
    let https_same = Arc::new(Mutex::new(String::new()));
    let https_loc = https_same.clone();
    let srv = raw(move |mut s| {
        let Some(r) = read_request(&mut s) else { return };
        log.lock().unwrap().push(r.clone());
        let path = r.path.split('?').next().unwrap_or("").to_string();
        match path.as_str() {
            "/token" => servers::json(&mut s, "200 OK", &token_body()),
            "/ping" => respond(&mut s, "302 Found", &[("Location", "/hop2?x=1")], b""),
            "/hop2" => servers::json(&mut s, "200 OK", "{}"),
            "/away" => respond(&mut s, "307 Temporary Redirect", &[("Location", &elsewhere)], b""),
            "/scheme" => respond(&mut s, "302 Found", &[("Location", &https_loc.lock().unwrap())], b""),
            "/loop" => respond(&mut s, "302 Found", &[("Location", "/loop")], b""),
            _ => respond(&mut s, "404 Not Found", &[], b""),
        }
    });
    *https_same.lock().unwrap() = format!("https://127.0.0.1:{}/hop2", srv.addr.port());
    let base = srv.url();
    let key_profile = |probe: &str, location: &str| {
        Profile::rest("k", &base)
            .probe(probe)
            .auth("api-key")
            .auth_str("key", SECRET)
            .auth_str("name", "api_key")
            .auth_str("in", location)
    };

    // Same origin: followed; the second hop carries the credential but no Referer.
    for (profile, name) in [
        (cc(&base, &base), "p"),
        (key_profile("/ping", "query"), "k"),
        (key_profile("/ping", "header"), "k"),
    ] {
        seen.lock().unwrap().clear();
        let out = Sandbox::of(&profile).conn(&["-v", "test", name, "--format", "json"]);
        out.code(0);
        clean_of_secrets(&out);
        let reqs = seen.lock().unwrap().clone();
        let hop2 = reqs
            .iter()
            .find(|r| r.path.starts_with("/hop2"))
            .expect("second hop made");
        assert!(hop2.header("referer").is_none(), "Referer on the second hop: {hop2:?}");
        for r in &reqs {
            assert!(r.header("referer").is_none(), "Referer sent: {r:?}");
        }
    }

    // Another origin (port, scheme) or a loop: not followed, nothing sent there, bounded.
    for (probe, words) in [
        ("/away", "to another origin"),
        ("/scheme", "to another origin"),
        ("/loop", "more than 5 times"),
    ] {
        for (profile, name) in [
            (cc(&base, &base).probe(probe), "p"),
            (key_profile(probe, "query"), "k"),
            (key_profile(probe, "header"), "k"),
        ] {
            seen.lock().unwrap().clear();
            let t = Instant::now();
            let out = Sandbox::of(&profile).conn(&["-v", "test", name, "--format", "json"]);
            out.code(7);
            clean_of_secrets(&out);
            assert!(summary(&out).contains(words), "{}", out.stdout);
            assert!(t.elapsed() < Duration::from_secs(10));
            let hops = seen
                .lock()
                .unwrap()
                .iter()
                .filter(|r| !r.path.starts_with("/token"))
                .count();
            assert!(hops <= 6, "{hops} probe requests");
        }
    }
    assert_eq!(other.count(), 0, "a probe redirect left the origin");
}

#[test]
fn plain_http_off_loopback_is_refused_before_any_request() {
    // In a private network namespace nothing could be reached anyway: a refusal is exit 2
    // (config), where an attempted request would be a network failure (3).
    let p = || Profile::rest("p", "http://api.example.com").probe("/ping");
    for (profile, oauth) in [
        (
            p().client_credentials("http://login.example.com/token", "c")
                .secret("s3cret-value"),
            true,
        ),
        (
            p().auth("basic")
                .auth_str("username", "u")
                .auth_str("password", "s3cret-value"),
            false,
        ),
        (
            p().auth("api-key")
                .auth_str("key", "s3cret-value")
                .auth_str("name", "X-Key"),
            false,
        ),
    ] {
        let s = Sandbox::of(profile);
        let out = s.wrapped(&["unshare", "-n"], &["test", "p", "--format", "json"]);
        out.code(2).no_secrets(&["s3cret-value"]);
        assert!(
            summary(&out).contains("refusing to send credentials over plain http"),
            "{}",
            out.stdout
        );
        if oauth {
            let out = s.wrapped(&["unshare", "-n"], &["token", "p"]);
            out.code(2).stderr_has("refusing to send credentials over plain http");
            assert!(out.stdout.is_empty());
        }
    }
}

#[test]
fn a_probe_sent_to_sign_in_is_authentication_and_names_who_intercepted() {
    // The identity provider's address is never contacted: it is another origin.
    let login = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?client_id=app&response_type=code";
    let page = "<html><head><title>Log in</title></head><body><form method=\"post\"><input type=\"password\" name=\"p\"></form></body></html>";
    let srv = api(move |r, s| match r.path.as_str() {
        "/sso" => respond(s, "302 Found", &[("Location", login)], b""),
        "/app" => respond(s, "302 Found", &[("Location", "/account/login?next=%2Fapp")], b""),
        _ => respond(
            s,
            "200 OK",
            &[("Content-Type", "text/html; charset=utf-8")],
            page.as_bytes(),
        ),
    });
    for (probe, kind, words) in [
        (
            "/sso",
            "probe_sign_in_redirect",
            "to the sign-in page of Microsoft Entra ID at https://login.microsoftonline.com/",
        ),
        (
            "/app",
            "probe_sign_in_page",
            "with a sign-in page (<title>Log in</title>)",
        ),
    ] {
        let out = Sandbox::of(cc(&srv.url(), &srv.url()).probe(probe)).conn(&["test", "p", "--format", "json"]);
        out.code(5);
        clean_of_secrets(&out);
        let p = out.profile();
        assert_eq!(
            (p["kind"].as_str(), p["category"].as_str()),
            (Some(kind), Some("authentication")),
            "{}",
            out.stdout
        );
        assert!(summary(&out).contains(words), "{}", out.stdout);
    }
}

//! Hardening (security.md §7 A–E, G): hostile and broken servers end in a clean verdict with
//! bounded memory and time, server text is cleaned and never echoes a secret, redirects never
//! carry credentials, secret commands are contained, and the token store survives a symlink
//! and a killed lock holder. Every server here is in-process on 127.0.0.1.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::servers::{self, Raw, Request, raw, read_request, respond};
use crate::support::{Out, Sandbox, forms};

const SECRET: &str = "hardening-canary-Secret-5c9d";
const TOKEN: &str = "hardening-token-Value-77e1";

/// A client-credentials profile `p` whose token URL is `{token}/token` and probe `{api}/ping`.
fn cc(token: &str, api: &str) -> String {
    format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{api}\"\nprobe = \"/ping\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{token}/token\"\nclient_id = \"c\"\nclient_secret = \"{SECRET}\"\nclient_auth = \"basic\"\n"
    )
}

fn token_body() -> String {
    format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":3600}}"#)
}

/// Secrets of [`cc`] as they could leak: raw, encoded, inside Basic, as a bearer header.
fn leaks() -> Vec<String> {
    use base64::Engine;
    let mut v = forms(SECRET);
    v.extend(forms(TOKEN));
    v.push(base64::engine::general_purpose::STANDARD.encode(format!("c:{SECRET}")));
    v.push(format!("Bearer {TOKEN}"));
    v
}

#[track_caller]
fn clean_of_secrets(out: &Out) {
    for l in leaks() {
        assert!(!out.stdout.contains(&l), "{l:?} on stdout:\n{}", out.stdout);
        assert!(!out.stderr.contains(&l), "{l:?} on stderr:\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

fn summary(out: &Out) -> String {
    out.profile()["summary"].as_str().unwrap_or_default().to_string()
}

/// A server where the token endpoint answers well and `probe` handles every other request.
fn api(probe: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static) -> Raw {
    raw(move |mut s| {
        let Some(r) = read_request(&mut s) else { return };
        if r.path.starts_with("/token") {
            servers::json(&mut s, "200 OK", &token_body());
        } else {
            probe(&r, &mut s);
        }
    })
}

/// A server whose token endpoint writes `bytes` as they are and closes.
fn token_raw(bytes: Vec<u8>) -> Raw {
    raw(move |mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(&bytes);
        }
    })
}

/// A 200 answer with this body.
fn ok_json(body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

/// Run conn behind a wrapper program (`unshare -n`, `/usr/bin/time`), with the sandbox's
/// environment.
fn wrapped(s: &Sandbox, wrapper: &[&str], args: &[&str]) -> Out {
    let cmd = s.cmd(args);
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let o = std::process::Command::new(wrapper[0])
        .args(&wrapper[1..])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(envs)
        .current_dir(s.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the wrapper");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into(),
        stderr: String::from_utf8_lossy(&o.stderr).into(),
    }
}

// ---- E35/E36: bounded memory -------------------------------------------------------------

/// Write `total` bytes of filler (or forever when `None`) until the peer goes away.
fn pour(s: &mut TcpStream, total: Option<usize>, chunked: bool) {
    let block = vec![b'a'; 64 * 1024];
    let mut sent = 0usize;
    loop {
        let n = total.map_or(block.len(), |t| (t - sent).min(block.len()));
        if n == 0 {
            break;
        }
        let ok = if chunked {
            s.write_all(format!("{n:x}\r\n").as_bytes())
                .and_then(|_| s.write_all(&block[..n]))
                .and_then(|_| s.write_all(b"\r\n"))
        } else {
            s.write_all(&block[..n])
        };
        if ok.is_err() {
            return;
        }
        sent += n;
    }
}

#[test]
fn huge_and_endless_bodies_keep_memory_bounded() {
    const BIG: usize = 200 * 1024 * 1024;
    // 200 MB announced and sent at the token URL.
    let announced = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {BIG}\r\n\r\n")
                    .as_bytes(),
            );
            pour(&mut s, Some(BIG), false);
        }
    });
    // 200 MB without a length (read to the close) at the token URL.
    let unannounced = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
            pour(&mut s, Some(BIG), false);
        }
    });
    // An endless chunked body at the probe, and at an error answer of the probe.
    let endless = api(|r, s| {
        let status = if r.path == "/ping" {
            "200 OK"
        } else {
            "500 Internal Server Error"
        };
        let _ = s.write_all(
            format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .as_bytes(),
        );
        pour(s, None, true);
    });
    let profiles = format!(
        "{}{}{}{}",
        cc(&announced.url(), &announced.url()).replace("profiles.p", "profiles.announced"),
        cc(&unannounced.url(), &unannounced.url()).replace("profiles.p", "profiles.unannounced"),
        cc(&endless.url(), &endless.url()).replace("profiles.p", "profiles.endless"),
        cc(&endless.url(), &endless.url())
            .replace("profiles.p", "profiles.endless-error")
            .replace("probe = \"/ping\"", "probe = \"/fail\""),
    );
    let s = Sandbox::with(&profiles);
    let stats = s.path().join("time.txt");
    let t = Instant::now();
    let out = wrapped(
        &s,
        &["/usr/bin/time", "-v", "-o", stats.to_str().unwrap()],
        &[
            "test",
            "announced",
            "unannounced",
            "endless",
            "endless-error",
            "--format",
            "json",
            "--timeout",
            "20s",
        ],
    );
    clean_of_secrets(&out);
    assert!(t.elapsed() < Duration::from_secs(30), "took {:?}", t.elapsed());
    let v = out.json();
    let p = |i: usize| v["profiles"][i].clone();
    assert!(
        p(0)["summary"].as_str().unwrap().contains("larger than 1 MiB"),
        "{}",
        p(0)
    );
    assert!(
        p(1)["summary"].as_str().unwrap().contains("larger than 1 MiB"),
        "{}",
        p(1)
    );
    assert_eq!(p(2)["status"], "pass", "{}", p(2));
    assert!(p(2)["steps"].to_string().contains("body cut at 1 MiB"), "{}", p(2));
    assert_eq!(p(3)["category"], "endpoint", "{}", p(3));
    let text = std::fs::read_to_string(&stats).unwrap();
    let kb: u64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in:\n{text}"));
    eprintln!("conn's peak RSS through 2 × 200 MB and 2 endless bodies: {kb} KiB");
    assert!(kb < 64 * 1024, "peak RSS {kb} KiB (limit 64 MiB)");
}

// ---- E37–E39: lying, garbled, slow and silent servers ------------------------------------

#[test]
fn lying_content_length_both_ways() {
    let body = token_body();
    // Announces more than it sends, then closes: a broken answer, not a token.
    let mut longer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len() + 500
    )
    .into_bytes();
    longer.extend_from_slice(body.as_bytes());
    // Announces less than it sends: only the announced bytes are read, which are no JSON.
    let mut shorter = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n".to_vec();
    shorter.extend_from_slice(body.as_bytes());
    for (bytes, code, words) in [
        (longer, 3, "the connection to 127.0.0.1 failed"),
        (shorter, 7, "is not valid JSON"),
    ] {
        let srv = token_raw(bytes);
        let out = Sandbox::with(&cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json"]);
        out.code(code);
        clean_of_secrets(&out);
        assert!(summary(&out).contains(words), "{}", out.stdout);
    }
    // Announces more and then stays silent: the total deadline ends it.
    let mut hold = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len() + 500
    )
    .into_bytes();
    hold.extend_from_slice(body.as_bytes());
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(&hold);
            std::thread::sleep(Duration::from_secs(10));
        }
    });
    let t = Instant::now();
    let out = Sandbox::with(&cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "1s"]);
    out.code(3);
    assert!(t.elapsed() < Duration::from_secs(6), "took {:?}", t.elapsed());
    assert!(
        summary(&out).contains("did not answer completely within 1s"),
        "{}",
        out.stdout
    );
}

#[test]
fn garbage_status_lines_are_clean_verdicts() {
    for garbage in [
        &b"HTTP/1.1 abc OK\r\n\r\n"[..],
        b"HTTP/1.1 99999 Huge\r\nContent-Length: 0\r\n\r\n",
        b"\x00\x01\x02\x03\xff\xfe\r\n\r\n",
        b"{\"access_token\":\"x\"}",
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nBad Header Line Without Colon\r\n\r\n{}",
    ] {
        let srv = token_raw(garbage.to_vec());
        let t = Instant::now();
        let out =
            Sandbox::with(&cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "3s"]);
        assert!(
            out.code == 3 || out.code == 7,
            "{:?}: exit {}\n{}\n{}",
            String::from_utf8_lossy(garbage),
            out.code,
            out.stdout,
            out.stderr
        );
        clean_of_secrets(&out);
        assert!(t.elapsed() < Duration::from_secs(6), "took {:?}", t.elapsed());
        assert!(!summary(&out).is_empty());
    }
}

#[test]
fn slow_drip_and_silent_servers_end_at_the_deadline() {
    // Headers, then one byte every 200 ms: each read is quick, only the total deadline stops it.
    let drip = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
            for _ in 0..200 {
                if s.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    });
    // Accepts, then never reads nor writes.
    let silent = raw(|_s| std::thread::sleep(Duration::from_secs(15)));
    for srv in [&drip, &silent] {
        let t = Instant::now();
        let out =
            Sandbox::with(&cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "2s"]);
        out.code(3);
        clean_of_secrets(&out);
        assert!(t.elapsed() < Duration::from_secs(7), "took {:?}", t.elapsed());
        assert!(
            summary(&out).contains("did not answer completely within 2s"),
            "{}",
            out.stdout
        );
    }
    // `conn token` too: the deadline holds across its retries.
    let s = Sandbox::with(
        &cc(&drip.url(), &drip.url()).replace("probe = \"/ping\"\n", "probe = \"/ping\"\ntimeout = \"2s\"\n"),
    );
    let t = Instant::now();
    let out = s.conn(&["token", "p"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(t.elapsed() < Duration::from_secs(7), "took {:?}", t.elapsed());
}

// ---- E40/E41: what a token answer may hold -----------------------------------------------

#[test]
fn unusable_token_answers_are_endpoint_and_never_printed() {
    let big = "T".repeat(10 * 1024 * 1024);
    let long = "L".repeat(100 * 1024);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            br#"{"access_token":"abc","token_type":"Bearer""#.to_vec(),
            "is not valid JSON",
        ),
        (b"{\"access_token\":\"\xff\xfe\xfd\"}".to_vec(), "is not valid UTF-8"),
        (
            format!(r#"{{"access_token":"{big}","token_type":"Bearer"}}"#).into_bytes(),
            "larger than 1 MiB",
        ),
        (
            format!(r#"{{"access_token":"{long}","token_type":"Bearer"}}"#).into_bytes(),
            "102400 bytes long",
        ),
        (
            format!(r#"{{"access_token":"{TOKEN}\r\nX-Injected: 1","token_type":"Bearer"}}"#).into_bytes(),
            "spaces or control characters",
        ),
        (
            br#"{"access_token":"","token_type":"Bearer"}"#.to_vec(),
            "unusable: empty",
        ),
        (
            br#"{"access_token":12345,"token_type":"Bearer"}"#.to_vec(),
            "not a string",
        ),
        (br#"["access_token"]"#.to_vec(), "not an object"),
        (
            format!(r#"{{"access_token":"{TOKEN}","token_type":"mac"}}"#).into_bytes(),
            "token type is \"mac\"",
        ),
        (
            format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            "is not valid JSON",
        ),
    ];
    for (body, words) in cases {
        let srv = token_raw(ok_json(&body));
        let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
        let out = s.conn(&["-v", "test", "p", "--format", "json"]);
        out.code(7);
        clean_of_secrets(&out);
        assert!(summary(&out).contains(words), "{words}: {}", out.stdout);
        let tok = s.conn(&["token", "p"]);
        tok.code(7);
        assert!(tok.stdout.is_empty(), "{}", tok.stdout);
        clean_of_secrets(&tok);
        assert!(!tok.stderr.contains("X-Injected"), "{}", tok.stderr);
    }
}

/// A token server that counts requests and answers with `body`.
fn counting(body: String) -> (Raw, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            c.fetch_add(1, Ordering::SeqCst);
            servers::json(&mut s, "200 OK", &body);
        }
    });
    (srv, n)
}

#[test]
fn expires_in_missing_zero_negative_huge_or_text() {
    // (expires_in, token reused from the store by a second `conn token`)
    for (exp, reused) in [
        ("", false),
        (r#","expires_in":0"#, false),
        (r#","expires_in":-5"#, false),
        (r#","expires_in":"soon""#, false),
        (r#","expires_in":1e300"#, true),
        (r#","expires_in":18446744073709551616"#, true),
        (r#","expires_in":"3600""#, true),
    ] {
        let (srv, n) = counting(format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer"{exp}}}"#));
        let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
        for _ in 0..2 {
            let out = s.conn(&["token", "p"]);
            out.code(0);
            assert_eq!(out.stdout, format!("{TOKEN}\n"), "{exp}");
        }
        assert_eq!(n.load(Ordering::SeqCst), if reused { 1 } else { 2 }, "{exp}");
        let j = s.conn(&["token", "p", "--format", "json"]);
        j.code(0);
        let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
        if reused {
            // Capped at ten years: a date, not an overflow.
            let at = v["expires_at"].as_str().unwrap();
            let year: i32 = at[..4].parse().unwrap();
            assert!((2026..2040).contains(&year), "{exp}: {at}");
        }
        // conn test passes, and says so when the lifetime is unusable.
        let out = Sandbox::with(&cc(&srv.url(), &srv.url()).replace("probe = \"/ping\"", "probe = false"))
            .conn(&["test", "p", "--format", "json"]);
        out.code(0);
        if exp.contains("-5") || exp.contains("soon") {
            assert!(
                out.profile()["hints"]
                    .to_string()
                    .contains("expires_in is not a usable number"),
                "{}",
                out.stdout
            );
        }
    }
}

// ---- C20/C24: server text is cleaned and never echoes a secret ----------------------------

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
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
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
    let s = Sandbox::with(&cc(&probe.url(), &probe.url()));
    for args in [vec!["test", "p"], vec!["-v", "test", "p", "--format", "json"]] {
        let out = s.conn(&args);
        out.code(5);
        clean_of_secrets(&out);
        assert!(!out.stdout.contains('\u{1b}'));
    }
}

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
            let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
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
        format!(
            "[profiles.k]\ntype = \"rest\"\nbase_url = \"{base}\"\nprobe = \"{probe}\"\n[profiles.k.auth]\ntype = \"api-key\"\nkey = \"{SECRET}\"\nname = \"api_key\"\nin = \"{location}\"\n"
        )
    };

    // Same origin: followed; the second hop carries the credential but no Referer.
    for (profile, name) in [
        (cc(&base, &base), "p"),
        (key_profile("/ping", "query"), "k"),
        (key_profile("/ping", "header"), "k"),
    ] {
        seen.lock().unwrap().clear();
        let out = Sandbox::with(&profile).conn(&["-v", "test", name, "--format", "json"]);
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
            (
                cc(&base, &base).replace("probe = \"/ping\"", &format!("probe = \"{probe}\"")),
                "p",
            ),
            (key_profile(probe, "query"), "k"),
            (key_profile(probe, "header"), "k"),
        ] {
            seen.lock().unwrap().clear();
            let t = Instant::now();
            let out = Sandbox::with(&profile).conn(&["-v", "test", name, "--format", "json"]);
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
    for auth in [
        "type = \"oauth2-client-credentials\"\ntoken_url = \"http://login.example.com/token\"\nclient_id = \"c\"\nclient_secret = \"s3cret-value\"".to_string(),
        "type = \"basic\"\nusername = \"u\"\npassword = \"s3cret-value\"".to_string(),
        "type = \"api-key\"\nkey = \"s3cret-value\"\nname = \"X-Key\"".to_string(),
    ] {
        let s = Sandbox::with(&format!(
            "[profiles.p]\ntype = \"rest\"\nbase_url = \"http://api.example.com\"\nprobe = \"/ping\"\n[profiles.p.auth]\n{auth}\n"
        ));
        let out = wrapped(&s, &["unshare", "-n"], &["test", "p", "--format", "json"]);
        out.code(2).no_secrets(&["s3cret-value"]);
        assert!(summary(&out).contains("refusing to send credentials over plain http"), "{}", out.stdout);
        if auth.contains("oauth2") {
            let out = wrapped(&s, &["unshare", "-n"], &["token", "p"]);
            out.code(2).stderr_has("refusing to send credentials over plain http");
            assert!(out.stdout.is_empty());
        }
    }
}

// ---- D34: proxy credentials ---------------------------------------------------------------

#[test]
fn proxy_credentials_are_never_shown() {
    let connects = Arc::new(Mutex::new(Vec::<Request>::new()));
    let log = connects.clone();
    let proxy = raw(move |mut s| {
        if let Some(r) = read_request(&mut s) {
            log.lock().unwrap().push(r);
            respond(&mut s, "403 Forbidden", &[], b"");
        }
    });
    let proxy_url = format!("http://puser:proxy-canary-Pw9@127.0.0.1:{}", proxy.addr.port());
    // localhost needs no DNS; the proxy is asked to CONNECT to it.
    let s = Sandbox::with(&cc("https://localhost:9", "https://localhost:9")).var("HTTPS_PROXY", &proxy_url);
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
    assert!(!connects.lock().unwrap().is_empty(), "the proxy was not used");
    assert!(connects.lock().unwrap().iter().all(|r| r.method == "CONNECT"));
}

// ---- G53–G55: secret commands -------------------------------------------------------------

#[test]
fn secret_commands_are_contained() {
    // No shell: the value arrives as printed, `$(…)` and `;` untouched.
    let got = Arc::new(Mutex::new(String::new()));
    let g = got.clone();
    let srv = raw(move |mut s| {
        if let Some(r) = read_request(&mut s) {
            *g.lock().unwrap() = String::from_utf8_lossy(&r.body).into_owned();
            servers::json(&mut s, "200 OK", &token_body());
        }
    });
    let with = |command: &str| {
        Sandbox::with(&cc(&srv.url(), &srv.url()).replace(
            &format!("client_secret = \"{SECRET}\"\nclient_auth = \"basic\""),
            &format!("client_secret = {{ command = {command} }}\nclient_auth = \"post\""),
        ))
    };
    let out = with(r#"["printf", "%s", "a;b$(id)`id`"], timeout = "5s""#).conn(&["token", "p", "--no-cache"]);
    out.code(0);
    let body = got.lock().unwrap().clone();
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

// ---- A3/B12: the token store under attack -------------------------------------------------

#[test]
fn symlinked_token_directory_is_refused_and_the_token_still_printed() {
    let (srv, _) = counting(token_body());
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
    let elsewhere = s.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(s.path().join("cache")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, s.path().join("cache/tokens")).unwrap();
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("symbolic link");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "written through the link"
    );
    // `conn test` does not store through it either.
    s.conn(&["test", "p"]).code(0);
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "written through the link"
    );
}

#[test]
fn a_killed_lock_holder_does_not_wedge_the_next_run() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            // The first request hangs (its process is killed meanwhile); later ones answer.
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                std::thread::sleep(Duration::from_secs(20));
                return;
            }
            servers::json(&mut s, "200 OK", &token_body());
        }
    });
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
    let mut holder = s.cmd(&["token", "p"]).spawn().unwrap();
    let t = Instant::now();
    while n.load(Ordering::SeqCst) == 0 {
        assert!(t.elapsed() < Duration::from_secs(10), "the first conn never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The lock is held while the request is out: kill -9 the holder.
    holder.kill().unwrap();
    holder.wait().unwrap();
    let t = Instant::now();
    let out = s.conn(&["token", "p"]);
    out.code(0);
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "waited {:?} on a dead lock",
        t.elapsed()
    );
}

#[test]
fn store_permissions_owner_and_leftovers() {
    use std::os::unix::fs::PermissionsExt;
    let (srv, n) = counting(token_body());
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
    let dir = s.path().join("cache/tokens");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A leftover of a writer killed between write and rename, and one in progress.
    let old = dir.join(".tmp-killed");
    std::fs::write(&old, "half a tok").unwrap();
    let f = std::fs::File::options().write(true).open(&old).unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    drop(f);
    let fresh = dir.join(".tmp-writing");
    std::fs::write(&fresh, "in progress").unwrap();
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("was open to other users (mode 755)");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert!(!old.exists(), "a stale temporary file was left");
    assert!(fresh.exists(), "a recent temporary file was removed");
    for f in std::fs::read_dir(&dir).unwrap().flatten() {
        if f.path() == fresh {
            continue;
        }
        let mode = f.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", f.path().display());
    }
    // Now quiet, and reused.
    let out = s.conn(&["token", "p"]);
    assert_eq!(out.stderr, "");
    assert_eq!(n.load(Ordering::SeqCst), 1);

    // A token directory that belongs to another user is not used; the token is still printed.
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
    let dir = s.path().join("cache/tokens");
    std::fs::create_dir_all(&dir).unwrap();
    let chown = std::process::Command::new("chown")
        .arg("65534")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(chown.success(), "tests run as root");
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("belongs to another user");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn readers_never_see_a_partial_entry() {
    let (srv, _) = counting(token_body());
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
    s.conn(&["token", "p"]).code(0);
    let dir = s.path().join("cache/tokens");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|f| f.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let halt = stop.clone();
    let reader = std::thread::spawn(move || {
        let mut reads = 0;
        while !halt.load(Ordering::SeqCst) {
            let bytes = std::fs::read(&entry).expect("the entry is always there");
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("partial entry ({e}): {:?}", String::from_utf8_lossy(&bytes)));
            reads += 1;
        }
        reads
    });
    // Each run rewrites the entry (a stored token is not good for 2 hours).
    for _ in 0..15 {
        s.conn(&["token", "p", "--min-ttl", "2h"]).code(0);
    }
    stop.store(true, Ordering::SeqCst);
    assert!(reader.join().unwrap() > 15);
}

#[test]
fn a_hung_lock_holder_is_waited_on_for_a_bounded_time_and_other_profiles_go_on() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                std::thread::sleep(Duration::from_secs(25));
                return;
            }
            servers::json(&mut s, "200 OK", &token_body());
        }
    });
    let both = |timeout: &str| {
        let p = cc(&srv.url(), &srv.url()).replace(
            "probe = \"/ping\"\n",
            &format!("probe = \"/ping\"\ntimeout = \"{timeout}\"\nconnect_timeout = \"1s\"\n"),
        );
        format!("{p}{}", p.replace("profiles.p", "profiles.q"))
    };
    let s = Sandbox::with(&both("30s"));
    let mut holder = s.cmd(&["token", "p"]).spawn().unwrap();
    let t = Instant::now();
    while n.load(Ordering::SeqCst) == 0 {
        assert!(t.elapsed() < Duration::from_secs(10), "the first conn never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Another profile has its own lock: not held up.
    let t = Instant::now();
    let out = s.conn(&["token", "q"]);
    out.code(0);
    assert!(t.elapsed() < Duration::from_secs(5), "q waited {:?}", t.elapsed());
    // The same profile waits (timeout + connect timeout + 5 s), then says so and fetches.
    s.write("profiles.toml", &both("1s"));
    let t = Instant::now();
    let out = s.conn(&["token", "p"]);
    let waited = t.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    out.code(0).stderr_has("giving up waiting");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert!(
        waited >= Duration::from_secs(6) && waited < Duration::from_secs(12),
        "waited {waited:?}"
    );
}

#[test]
fn github_actions_gets_the_token_masked_first() {
    let (srv, _) = counting(token_body());
    let s = Sandbox::with(&cc(&srv.url(), &srv.url())).var("GITHUB_ACTIONS", "true");
    let out = s.conn(&["token", "p"]);
    out.code(0);
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(out.stderr, format!("::add-mask::{TOKEN}\n"));
}

#[test]
fn huge_headers_are_a_clean_verdict() {
    let srv = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
            let _ = s.write_all(format!("X-Big: {}\r\n", "h".repeat(2 * 1024 * 1024)).as_bytes());
            for i in 0..20_000 {
                if s.write_all(format!("X-Many-{i}: v\r\n").as_bytes()).is_err() {
                    return;
                }
            }
            let _ = s.write_all(b"\r\n{}");
        }
    });
    let t = Instant::now();
    let out = Sandbox::with(&cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "5s"]);
    assert!(out.code == 3 || out.code == 7, "exit {}: {}", out.code, out.stdout);
    clean_of_secrets(&out);
    assert!(t.elapsed() < Duration::from_secs(8));
}

#[test]
fn opt_ins_and_environment_knobs() {
    // allow_insecure_http lifts the refusal (the request is then tried, and fails in a
    // namespace without network).
    let s = Sandbox::with(
        &cc("http://login.example.com", "http://api.example.com")
            .replace("probe = \"/ping\"\n", "probe = \"/ping\"\nallow_insecure_http = true\n"),
    );
    let out = wrapped(&s, &["unshare", "-n"], &["test", "p", "--format", "json"]);
    out.code(3);
    clean_of_secrets(&out);

    // NO_PROXY is honoured for loopback: the dead proxy is never used.
    let (srv, n) = counting(token_body());
    let dead = servers::refused_port();
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()).replace("probe = \"/ping\"", "probe = false"))
        .var("HTTP_PROXY", &format!("http://127.0.0.1:{dead}"))
        .var("NO_PROXY", "127.0.0.1,localhost");
    s.conn(&["test", "p"]).code(0);
    s.conn(&["token", "p", "--no-cache"]).code(0);
    assert_eq!(n.load(Ordering::SeqCst), 2);

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

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let n = Arc::new(AtomicUsize::new(0));
    let c = n.clone();
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            if c.fetch_add(1, Ordering::SeqCst) == 0 {
                let at = std::time::SystemTime::now() + Duration::from_secs(2);
                respond(
                    &mut s,
                    "429 Too Many Requests",
                    &[("Retry-After", &imf_fixdate(at))],
                    b"{}",
                );
            } else {
                servers::json(&mut s, "200 OK", &token_body());
            }
        }
    });
    let t = Instant::now();
    let out = Sandbox::with(&cc(&srv.url(), &srv.url())).conn(&["token", "p"]);
    out.code(0);
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "Retry-After date not honoured: {:?}",
        t.elapsed()
    );
    assert_eq!(n.load(Ordering::SeqCst), 2);
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for a time.
fn imf_fixdate(t: std::time::SystemTime) -> String {
    conn::net::httpdate::format(t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64)
}

#[test]
fn a_full_or_read_only_cache_still_prints_the_token() {
    let (srv, _) = counting(token_body());
    let s = Sandbox::with(&cc(&srv.url(), &srv.url()));
    std::fs::create_dir_all(s.path().join("cache")).unwrap();
    // A private mount namespace: a 64 KiB filesystem over the cache, filled up; then one
    // mounted read-only.
    let full = r#"mount -t tmpfs -o size=64k tmpfs "$CONN_CACHE_DIR" && mkdir -m 700 "$CONN_CACHE_DIR/tokens" && (dd if=/dev/zero of="$CONN_CACHE_DIR/fill" bs=1k count=100 2>/dev/null; true) && exec "$0" "$@""#;
    let read_only = r#"mount -t tmpfs -o ro tmpfs "$CONN_CACHE_DIR" && exec "$0" "$@""#;
    for (script, words) in [(full, "token not stored"), (read_only, "token store unusable")] {
        let out = wrapped(&s, &["unshare", "-m", "sh", "-c", script], &["token", "p"]);
        out.code(0).stderr_has(words);
        assert_eq!(out.stdout, format!("{TOKEN}\n"));
    }
}

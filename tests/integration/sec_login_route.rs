//! Security cases of issue 11 around signing in and routing: a stalled loopback listener
//! (I11.8), what `private_session` means (I11.11), and one route decision shared by the
//! pre-flight and the requests (I11.12).
//!
//! Login cases run against the real oidc-provider with the scripted browser; route cases use
//! an in-process CONNECT proxy on 127.0.0.1 that reaches only the loopback test server, so
//! the unresolvable target name is never looked up anywhere.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::servers::{self, CertKind, Request, raw, read_request, respond};
use crate::support::{Idp, Sandbox};

fn idp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/idp")
}

fn browser() -> String {
    format!("node {}", idp_dir().join("browser.mjs").display())
}

fn oidc_profile(issuer: &str, extra: &str) -> String {
    format!(
        "[profiles.oidc]\ntype = \"rest\"\nbase_url = \"{issuer}\"\nprobe = \"/me\"\n[profiles.oidc.auth]\ntype = \"openid-connect\"\nissuer = \"{issuer}\"\nclient_id = \"native-app\"\nscopes = \"openid offline_access api.read email\"\n{extra}"
    )
}

// ---- I11.8: the loopback listener cannot be stalled ---------------------------------------

/// Start `conn login oidc --no-browser` and read stderr until the authorization address is
/// printed; returns the child, the address and the listener's port.
fn login_printing_address(
    s: &Sandbox,
    idp: &Idp,
    timeout: &str,
) -> (Child, String, u16, BufReader<std::process::ChildStderr>) {
    let mut child = s
        .cmd(&["login", "oidc", "--no-browser", "--timeout", timeout])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    match crate::support::authorization_address(&mut err, &idp.issuer) {
        Ok(l) => {
            let u = url::Url::parse(&l).unwrap();
            let redirect = u
                .query_pairs()
                .find(|(k, _)| k == "redirect_uri")
                .map(|(_, v)| v.into_owned())
                .unwrap();
            let port = url::Url::parse(&redirect).unwrap().port().unwrap();
            (child, l, port, err)
        }
        Err(seen) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no address printed:\n{seen}");
        }
    }
}

/// Opens an idle connection to `port` every `every` until stopped; holds them all open.
fn idle_opener(port: u16, every: Duration, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while !stop.load(Ordering::SeqCst) && held.len() < 60 {
            if let Ok(c) = TcpStream::connect(("127.0.0.1", port)) {
                held.push(c);
            }
            std::thread::sleep(every);
        }
        held.len()
    })
}

#[test]
fn idle_connections_do_not_hold_a_login_past_its_timeout() {
    let idp = Idp::start();
    let s = Sandbox::with(&oidc_profile(&idp.issuer, ""));
    let started = Instant::now();
    let (mut child, _, port, mut err) = login_printing_address(&s, &idp, "5s");
    let stop = Arc::new(AtomicBool::new(false));
    let opener = idle_opener(port, Duration::from_millis(800), stop.clone());
    let status = child.wait().unwrap();
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    assert!(opener.join().unwrap() >= 2, "the idle connections were not made");
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(8), "{rest}");
    assert!(rest.contains("no sign-in arrived within 5s"), "{rest}");
    assert!(took < Duration::from_secs(12), "conn login --timeout 5s took {took:?}");
}

#[test]
fn idle_connections_do_not_delay_the_real_callback() {
    let idp = Idp::start();
    let s = Sandbox::with(&oidc_profile(&idp.issuer, ""));
    let (mut child, url, port, mut err) = login_printing_address(&s, &idp, "60s");
    let idle: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let started = Instant::now();
    let b = std::process::Command::new("node")
        .arg(idp_dir().join("browser.mjs"))
        .arg(&url)
        .output()
        .unwrap();
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    let status = child.wait().unwrap();
    let took = started.elapsed();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{rest}");
    assert!(rest.contains("Signed in to oidc"), "{rest}");
    assert!(
        took < Duration::from_secs(10),
        "the sign-in took {took:?} behind idle connections"
    );
    drop(idle);
}

// ---- I11.11: private_session ----------------------------------------------------------------

fn private_profile(issuer: &str) -> String {
    oidc_profile(
        issuer,
        "private_session = true\nextra_params = { prompt = \"consent\" }\n",
    )
}

fn stored(s: &Sandbox) -> serde_json::Value {
    let f = std::fs::read_dir(s.path().join("cache/tokens"))
        .unwrap()
        .flatten()
        .find(|f| f.path().extension().is_some_and(|e| e == "json"))
        .expect("a stored login");
    serde_json::from_str(&std::fs::read_to_string(f.path()).unwrap()).unwrap()
}

#[test]
fn private_session_adds_login_to_the_prompt_of_extra_params() {
    let idp = Idp::start();
    let log = tempfile::NamedTempFile::new().unwrap();
    let s = Sandbox::with(&private_profile(&idp.issuer))
        .var("BROWSER", &browser())
        .var("BROWSER_LOG", &log.path().display().to_string());
    s.conn(&["login", "oidc"]).code(0).stderr_has("Signed in to oidc");
    let line = std::fs::read_to_string(log.path()).unwrap();
    let rec: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let auth = url::Url::parse(rec["authorization"].as_str().unwrap()).unwrap();
    let prompts: Vec<String> = auth
        .query_pairs()
        .filter(|(k, _)| k == "prompt")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(prompts.len(), 1, "{auth}");
    let words: Vec<&str> = prompts[0].split(' ').collect();
    assert!(words.contains(&"login") && words.contains(&"consent"), "{auth}");
}

#[test]
fn a_private_session_login_is_stored_and_used_by_token_and_test() {
    let idp = Idp::start();
    let s = Sandbox::with(&private_profile(&idp.issuer)).var("BROWSER", &browser());
    s.conn(&["login", "oidc"]).code(0);
    let access = stored(&s)["access_token"].as_str().unwrap().to_string();
    // Later calls never open a browser.
    let s = s.var("BROWSER", "false").var("CI", "true");
    let before = idp.hits("/token");
    let tok = s.conn(&["token", "oidc"]);
    tok.code(0);
    assert_eq!(tok.stdout, format!("{access}\n"));
    assert_eq!(idp.hits("/token"), before, "conn token did not use the stored token");
    let t = s.conn(&["test", "oidc", "--format", "json"]);
    t.code(0);
    assert!(t.profile()["steps"].to_string().contains("refresh"), "{}", t.stdout);
    let show = s.conn(&["show", "oidc"]);
    show.code(0).stdout_has("stored and used like any login");
}

// ---- I11.12: one route decision --------------------------------------------------------------

/// A CONNECT proxy on 127.0.0.1 that tunnels `api.example.invalid:*` to `target` (a
/// loopback address) and refuses everything else, recording every request.
fn proxy_to(target: std::net::SocketAddr) -> (servers::Raw, Arc<Mutex<Vec<Request>>>) {
    let log = Arc::new(Mutex::new(Vec::<Request>::new()));
    let seen = log.clone();
    let srv = raw(move |mut s| {
        let Some(r) = read_request(&mut s) else { return };
        seen.lock().unwrap().push(r.clone());
        let host = r.path.rsplit_once(':').map_or(r.path.as_str(), |(h, _)| h);
        if r.method != "CONNECT" || host != "api.example.invalid" {
            respond(&mut s, "403 Forbidden", &[], b"");
            return;
        }
        let Ok(up) = TcpStream::connect(target) else {
            respond(&mut s, "502 Bad Gateway", &[], b"");
            return;
        };
        let _ = s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let (mut a, mut b) = (s.try_clone().unwrap(), up.try_clone().unwrap());
        let t = std::thread::spawn(move || {
            let _ = std::io::copy(&mut a, &mut b);
            let _ = b.shutdown(std::net::Shutdown::Write);
        });
        let (mut up, mut s) = (up, s);
        let _ = std::io::copy(&mut up, &mut s);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let _ = t.join();
    });
    (srv, log)
}

fn cc_profile(base: &str, extra: &str) -> String {
    format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{base}\"\nprobe = \"/ping\"\n{extra}[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{base}/token\"\nclient_id = \"c\"\nclient_secret = \"route-secret\"\n"
    )
}

fn step<'a>(p: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} step: {p}"))
}

#[test]
fn a_scheme_less_https_proxy_is_the_route_of_test_and_token() {
    let srv = servers::tls(CertKind::Good);
    let (proxy, log) = proxy_to(srv.addr);
    // The certificate names localhost, not the proxied name: trust is not what is tested here.
    let s = Sandbox::with(&cc_profile("https://api.example.invalid", "insecure_tls = true\n"))
        .var("HTTPS_PROXY", &format!("127.0.0.1:{}", proxy.addr.port()));
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(0);
    let p = out.profile();
    let via = format!("proxy http://127.0.0.1:{}", proxy.addr.port());
    for name in ["dns", "connect"] {
        let d = step(&p, name)["detail"].as_str().unwrap_or_default().to_string();
        assert!(d.contains(&via), "{name} does not say the route: {d}");
    }
    let tok = s.conn(&["token", "p", "--no-cache"]);
    tok.code(0);
    assert_eq!(tok.stdout, "tls-token-value-123\n");
    let reqs = log.lock().unwrap();
    assert!(!reqs.is_empty(), "the proxy was not used");
    assert!(
        reqs.iter()
            .all(|r| r.method == "CONNECT" && r.path == "api.example.invalid:443")
    );
}

#[test]
fn proxy_credentials_in_a_scheme_less_variable_still_reach_the_proxy() {
    use base64::Engine;
    let srv = servers::tls(CertKind::Good);
    let (proxy, log) = proxy_to(srv.addr);
    let s = Sandbox::with(&cc_profile("https://api.example.invalid", "insecure_tls = true\n")).var(
        "HTTPS_PROXY",
        &format!("puser:proxy-pw-7@127.0.0.1:{}", proxy.addr.port()),
    );
    let tok = s.conn(&["token", "p", "--no-cache"]);
    tok.code(0).no_secrets(&["proxy-pw-7"]);
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("puser:proxy-pw-7")
    );
    let reqs = log.lock().unwrap();
    assert!(
        !reqs.is_empty()
            && reqs
                .iter()
                .all(|r| r.header("proxy-authorization") == Some(want.as_str()))
    );
}

/// A profile for the TLS test server reached as `localhost`, trusting its CA; the sandbox
/// that holds the CA file must outlive the runs.
fn localhost_profile(srv: &servers::Tls) -> (Sandbox, String) {
    let ca = Sandbox::new();
    let ca_file = ca.write("ca.pem", &srv.pki.ca_pem);
    let base = format!("https://localhost:{}", srv.addr.port());
    let extra = format!("ca_file = \"{}\"\n", ca_file.display());
    (ca, cc_profile(&base, &extra))
}

#[test]
fn a_proxy_that_is_down_is_reported_by_the_pre_flight() {
    // The requests would go through the proxy, so the pre-flight must check it, not the
    // origin that happens to be reachable directly.
    let srv = servers::tls(CertKind::Good);
    let (_ca, profile) = localhost_profile(&srv);
    let dead = servers::refused_port();
    let s = Sandbox::with(&profile).var("https_proxy", &format!("127.0.0.1:{dead}"));
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(3);
    let p = out.profile();
    let c = step(&p, "connect");
    assert_eq!(c["status"], "fail", "{p}");
    assert!(p.to_string().contains("(the proxy)"), "{p}");
    assert_eq!(srv.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn no_proxy_covering_the_host_goes_direct() {
    let srv = servers::tls(CertKind::Good);
    let (_ca, profile) = localhost_profile(&srv);
    let dead = servers::refused_port();
    for no_proxy in ["localhost", ".localhost", "*", "example.org, LOCALHOST:1234"] {
        let s = Sandbox::with(&profile)
            .var("HTTPS_PROXY", &format!("127.0.0.1:{dead}"))
            .var("NO_PROXY", no_proxy);
        let out = s.conn(&["test", "p", "--format", "json"]);
        out.code(0);
        let p = out.profile();
        let d = step(&p, "connect")["detail"].as_str().unwrap_or_default().to_string();
        assert!(
            d.contains("direct") && !d.contains(&dead.to_string()),
            "NO_PROXY={no_proxy}: {d}"
        );
        s.conn(&["token", "p", "--no-cache"]).code(0);
    }
}

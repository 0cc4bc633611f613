//! TLS verdicts against servers with certificates made per run.

use crate::support::Sandbox;
use crate::support::profiles::Profile;
use crate::support::servers::{CertKind, Tls, tls};

/// A client-credentials profile `t` whose token endpoint and probe are at `url`.
fn profile(url: &str) -> Profile {
    Profile::rest("t", url)
        .probe("/ping")
        .client_credentials(&format!("{url}/token"), "c")
        .secret("tls-canary-secret")
}

/// A sandbox whose profile `t` trusts the CA of `srv` through an absolute `ca_file`.
fn trusting(srv: &Tls) -> Sandbox {
    let s = Sandbox::new();
    let ca = s.write("ca.pem", &srv.pki.ca_pem);
    let p = profile(&srv.url()).str("ca_file", &ca.display().to_string());
    s.write("profiles.toml", &p.to_string());
    s
}

#[test]
fn untrusted_certificate_is_tls_with_a_ca_file_hint() {
    let srv = tls(CertKind::Good);
    let out = Sandbox::of(profile(&srv.url())).conn(&["test", "t", "--format", "json"]);
    out.code(4).no_secrets(&["tls-canary-secret"]);
    let p = out.profile();
    assert_eq!(p["category"], "tls");
    let s = p["summary"].as_str().unwrap();
    assert!(s.contains("not trusted") && s.contains("conn test CA"), "{s}");
    assert!(p["hints"][0].as_str().unwrap().contains("ca_file"));
    assert_eq!(
        srv.requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a request went through an untrusted connection"
    );
}

#[test]
fn ca_file_makes_it_trusted() {
    let srv = tls(CertKind::Good);
    let s = trusting(&srv);
    let out = s.conn(&["test", "t", "--format", "json"]);
    out.code(0).no_secrets(&["tls-canary-secret", "tls-token-value-123"]);
    let tls_step = out.profile()["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "tls")
        .cloned()
        .unwrap();
    let d = tls_step["detail"].as_str().unwrap();
    assert!(
        d.starts_with("TLS 1.3, certificate valid 8") && d.contains("more days"),
        "{d}"
    );
    // A relative ca_file is read next to the profiles file.
    s.write(
        "profiles.toml",
        &profile(&srv.url()).str("ca_file", "ca.pem").to_string(),
    );
    s.conn(&["test", "t"]).code(0);
}

#[test]
fn expired_and_wrong_name_are_tls() {
    for (kind, words) in [
        (CertKind::Expired, "has expired"),
        (CertKind::WrongName, "not valid for the name 127.0.0.1"),
    ] {
        let srv = tls(kind);
        let s = trusting(&srv);
        let out = s.conn(&["test", "t", "--format", "json"]);
        out.code(4);
        let summary = out.profile()["summary"].as_str().unwrap().to_string();
        assert!(summary.contains(words), "{summary}");
    }
}

#[test]
fn expiring_certificate_and_insecure_tls_warn() {
    let srv = tls(CertKind::ExpiringSoon);
    let s = trusting(&srv);
    let out = s.conn(&["test", "t", "--format", "json"]);
    out.code(0);
    let p = out.profile();
    assert_eq!(p["status"], "warn");
    assert!(
        p["hints"].to_string().contains("expires in 4 days") || p["hints"].to_string().contains("expires in 5 days"),
        "{p}"
    );
    let strict = s.conn(&["test", "t", "--strict", "--format", "json"]);
    strict.code(4);
    let insecure = tls(CertKind::Good);
    let out =
        Sandbox::of(profile(&insecure.url()).raw("insecure_tls", "true")).conn(&["test", "t", "--format", "json"]);
    out.code(0);
    assert_eq!(out.profile()["status"], "warn");
    assert!(out.profile()["hints"].to_string().contains("insecure_tls = true"));
}

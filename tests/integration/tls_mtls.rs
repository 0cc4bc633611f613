//! Mutual TLS: a server that requires a client certificate, and TLS side cases (key logs).
//! Certificates are made per run (rcgen).

use crate::support::Sandbox;
use crate::support::servers::{CertKind, client_pki, tls, tls_with};

const SECRET: &str = "mtls-canary-Secret-0b1e";

fn profile(url: &str, extra: &str) -> String {
    format!(
        "[profiles.m]\ntype = \"rest\"\nbase_url = \"{url}\"\nprobe = \"/ping\"\nca_file = \"ca.pem\"\n{extra}\n[profiles.m.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{url}/token\"\nclient_id = \"c\"\nclient_secret = {{ env = \"MTLS_SECRET\" }}\n"
    )
}

fn count(srv: &crate::support::servers::Tls) -> usize {
    srv.requests.load(std::sync::atomic::Ordering::SeqCst)
}

#[test]
fn server_requiring_a_client_certificate() {
    let client = client_pki("conn");
    let srv = tls_with(CertKind::Good, Some(&client.ca_pem));
    let s = Sandbox::new().var("MTLS_SECRET", SECRET);
    s.write("ca.pem", &srv.pki.ca_pem);
    s.write("client.pem", &client.cert_pem);
    s.write("client.key", &client.key_pem);

    // Without a client certificate: tls (4), with a hint naming client_cert and client_key,
    // and no request ever reached the server.
    s.write("profiles.toml", &profile(&srv.url(), ""));
    let out = s.conn(&["test", "m", "--format", "json"]);
    out.code(4).no_secrets(&[SECRET]);
    let p = out.profile();
    assert_eq!(p["category"], "tls", "{p}");
    assert!(p["hints"].to_string().contains("client_cert and client_key"), "{p}");
    assert_eq!(count(&srv), 0);

    // With the certificate and key in the profile: the token and the probe pass.
    s.write(
        "profiles.toml",
        &profile(&srv.url(), "client_cert = \"client.pem\"\nclient_key = \"client.key\""),
    );
    let out = s.conn(&["test", "m", "--format", "json"]);
    out.code(0).no_secrets(&[SECRET, "tls-token-value-123"]);
    assert_eq!(out.profile()["status"], "pass");
    assert_eq!(count(&srv), 2, "token request and probe");
    let token = s.conn(&["token", "m", "--no-cache"]);
    token.code(0);
    assert_eq!(token.stdout, "tls-token-value-123\n");
    // `conn show` names the certificate file, never the key's contents.
    let show = s.conn(&["show", "m"]);
    show.code(0).stdout_has("client.pem");
    assert!(!show.stdout.contains("PRIVATE KEY"));

    // A certificate from a CA the server does not trust: tls (4).
    let stranger = client_pki("stranger");
    s.write("client.pem", &stranger.cert_pem);
    s.write("client.key", &stranger.key_pem);
    let before = count(&srv);
    let out = s.conn(&["test", "m", "--format", "json"]);
    out.code(4).no_secrets(&[SECRET]);
    assert_eq!(count(&srv), before);

    // A key that does not fit the certificate is a configuration error, found before any
    // connection.
    s.write("client.pem", &client.cert_pem);
    let out = s.conn(&["test", "m", "--format", "json"]);
    out.code(2);
    assert!(
        out.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("client_cert and client_key do not fit"),
        "{}",
        out.stdout
    );
}

#[test]
fn sslkeylogfile_is_ignored() {
    // rustls writes TLS secrets only through a configured KeyLog; conn configures none, so
    // SSLKEYLOGFILE in the environment must not make session keys appear on disk.
    let srv = tls(CertKind::Good);
    let s = Sandbox::new().var("MTLS_SECRET", SECRET);
    let keylog = s.path().join("keys.log");
    let s = s.var("SSLKEYLOGFILE", keylog.to_str().unwrap());
    s.write("ca.pem", &srv.pki.ca_pem);
    s.write("profiles.toml", &profile(&srv.url(), ""));
    s.conn(&["test", "m"]).code(0);
    s.conn(&["token", "m"]).code(0);
    assert!(!keylog.exists(), "a TLS key log was written");
}

#[test]
fn insecure_tls_works_and_is_warned_on_every_run() {
    let srv = tls(CertKind::Good);
    let s = Sandbox::new().var("MTLS_SECRET", SECRET);
    s.write("ca.pem", "");
    s.write(
        "profiles.toml",
        &profile(&srv.url(), "insecure_tls = true").replace("ca_file = \"ca.pem\"\n", ""),
    );
    for _ in 0..2 {
        let out = s.conn(&["token", "m"]);
        out.code(0).stderr_has("insecure_tls = true").no_secrets(&[SECRET]);
        assert_eq!(out.stdout, "tls-token-value-123\n");
    }
    let out = s.conn(&["test", "m"]);
    out.code(0).stdout_has("insecure_tls = true");
    let out = s.conn(&["show", "m"]);
    out.code(0).stdout_has("certificates are NOT checked");
}

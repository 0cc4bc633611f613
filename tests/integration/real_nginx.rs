//! TLS and HTTP as curl users meet them, against a real nginx (Debian package) and
//! `openssl s_server`: the `openssl req` self-signed certificate, chains missing their
//! intermediate, a gateway that demands a client certificate, `http://` to a TLS port,
//! answers gzip-encoded, and HTTP/2 by ALPN.

use crate::support::profiles::Profile;
use crate::support::real::{self, Daemon, token_and_probe};
use crate::support::servers::client_pki;
use crate::support::{Sandbox, step};

const SECRET: &str = "nginx-canary-client-secret";
const TOKEN: &str = "ngx-token-value-4471";

/// The token and probe locations every server here answers.
fn locations() -> String {
    token_and_probe(TOKEN)
}

/// nginx on one TLS port with these `ssl_*` lines and files.
fn tls_nginx(ssl: &str, files: &[(&str, &str)]) -> Daemon {
    real::nginx(
        &format!("server {{ listen 127.0.0.1:{{port0}} ssl;\n{ssl}\n{}}}\n", locations()),
        1,
        files,
    )
}

fn profile(base: &str) -> Profile {
    Profile::rest("t", base)
        .probe("/ping")
        .client_credentials(&format!("{base}/token"), "c")
        .secret(SECRET)
}

fn https(d: &Daemon) -> String {
    format!("https://127.0.0.1:{}", d.port)
}

/// No Rust or rustls `Debug` text in anything conn printed.
#[track_caller]
fn no_debug_text(out: &crate::support::Out) {
    for needle in [
        "Other(",
        "OtherError",
        "CaUsedAsEndEntity",
        "InvalidCertificate",
        "AlertReceived",
    ] {
        assert!(
            !out.stdout.contains(needle) && !out.stderr.contains(needle),
            "{needle} in\n{}\n{}",
            out.stdout,
            out.stderr
        );
    }
}

/// nginx with the `openssl req -x509 -newkey rsa:2048 -nodes` certificate.
fn self_signed_nginx() -> (Daemon, String) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = real::openssl_self_signed(dir.path(), "");
    let cert = std::fs::read_to_string(cert).unwrap();
    let key = std::fs::read_to_string(key).unwrap();
    let d = tls_nginx(
        "ssl_certificate {dir}/cert.pem; ssl_certificate_key {dir}/key.pem;",
        &[("cert.pem", &cert), ("key.pem", &key)],
    );
    (d, cert)
}

#[test]
fn the_openssl_req_self_signed_certificate_as_ca_file_is_trusted() {
    let (d, cert) = self_signed_nginx();
    let s = Sandbox::new();
    let ca = s.write("server.pem", &cert);
    s.write(
        "profiles.toml",
        &profile(&https(&d))
            .str("ca_file", &ca.display().to_string())
            .to_string(),
    );
    let out = s.conn(&["test", "t", "--format", "json"]);
    out.code(0).no_secrets(&[SECRET, TOKEN]);
    no_debug_text(&out);
    let tls = step(&out.profile(), "tls");
    assert!(tls["detail"].as_str().unwrap().contains("certificate valid"), "{tls}");
    // The pinned certificate still has to name the host: `localhost` is not in it.
    let base = https(&d).replace("127.0.0.1", "localhost");
    s.write(
        "profiles.toml",
        &profile(&base).str("ca_file", &ca.display().to_string()).to_string(),
    );
    let out = s.conn(&["test", "t", "--format", "json"]);
    out.code(4).no_secrets(&[SECRET]);
    assert_eq!(out.profile()["kind"], "tls_not_valid_for_name", "{}", out.stdout);
}

#[test]
fn a_self_signed_certificate_without_ca_file_is_said_in_words() {
    let (d, _) = self_signed_nginx();
    let out = Sandbox::of(profile(&https(&d))).conn(&["test", "t"]);
    out.code(4).no_secrets(&[SECRET]);
    no_debug_text(&out);
    out.stdout_has("is self-signed").stdout_has("ca_file");
    let json = Sandbox::of(profile(&https(&d))).conn(&["test", "t", "--format", "json"]);
    assert_eq!(json.profile()["kind"], "tls_self_signed");
}

#[test]
fn openssl_s_server_with_the_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = real::openssl_self_signed(dir.path(), "");
    let srv = real::s_server(&cert, &key);
    let base = format!("https://127.0.0.1:{}", srv.port);
    let plain = Profile::rest("t", &base).probe("/");
    let out = Sandbox::of(plain.clone()).conn(&["test", "t", "--format", "json"]);
    out.code(4);
    no_debug_text(&out);
    assert_eq!(out.profile()["kind"], "tls_self_signed", "{}", out.stdout);
    let out = Sandbox::of(plain.str("ca_file", &cert.display().to_string())).conn(&["test", "t", "--format", "json"]);
    no_debug_text(&out);
    assert_eq!(step(&out.profile(), "tls")["status"], "pass", "{}", out.stdout);
}

/// A root, an intermediate it issued, and a server certificate for 127.0.0.1 the
/// intermediate issued: (root, intermediate, leaf, leaf key), PEM.
fn chain() -> (String, String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
    let ca = |name: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        p
    };
    let root_key = KeyPair::generate().unwrap();
    let root_params = ca("conn test root");
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);
    let mid_key = KeyPair::generate().unwrap();
    let mid_params = ca("conn test intermediate");
    let mid = mid_params.signed_by(&mid_key, &root_issuer).unwrap();
    let mid_issuer = Issuer::new(mid_params, mid_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    leaf.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let leaf = leaf.signed_by(&leaf_key, &mid_issuer).unwrap();
    (root.pem(), mid.pem(), leaf.pem(), leaf_key.serialize_pem())
}

#[test]
fn a_chain_missing_its_intermediate_says_so_and_not_to_set_ca_file() {
    let (root, mid, leaf, key) = chain();
    let full = format!("{leaf}{mid}");
    let d = real::nginx(
        &format!(
            "server {{ listen 127.0.0.1:{{port0}} ssl; ssl_certificate {{dir}}/leaf.pem; ssl_certificate_key {{dir}}/key.pem;\n{l}}}\n\
             server {{ listen 127.0.0.1:{{port1}} ssl; ssl_certificate {{dir}}/full.pem; ssl_certificate_key {{dir}}/key.pem;\n{l}}}\n",
            l = locations()
        ),
        2,
        &[("leaf.pem", &leaf), ("full.pem", &full), ("key.pem", &key)],
    );
    let s = Sandbox::new();
    let ca = s.write("root.pem", &root).display().to_string();
    s.write(
        "profiles.toml",
        &profile(&format!("https://127.0.0.1:{}", d.ports[0]))
            .str("ca_file", &ca)
            .to_string(),
    );
    let out = s.conn(&["test", "t", "--format", "json"]);
    out.code(4).no_secrets(&[SECRET]);
    no_debug_text(&out);
    let p = out.profile();
    assert_eq!(p["kind"], "tls_incomplete_chain", "{p}");
    assert!(
        p["summary"].as_str().unwrap().contains("incomplete certificate chain"),
        "{p}"
    );
    assert!(!p["hints"].to_string().contains("ca_file"), "{p}");
    // The same certificate with its intermediate: trusted.
    s.write(
        "profiles.toml",
        &profile(&format!("https://127.0.0.1:{}", d.ports[1]))
            .str("ca_file", &ca)
            .to_string(),
    );
    s.conn(&["test", "t"]).code(0).no_secrets(&[SECRET, TOKEN]);
}

#[test]
fn nginx_demanding_a_client_certificate_is_tls_with_set_client_cert() {
    let (root, mid, leaf, key) = chain();
    let client = client_pki("conn");
    let full = format!("{leaf}{mid}");
    let d = tls_nginx(
        "ssl_certificate {dir}/full.pem; ssl_certificate_key {dir}/key.pem;\n\
         ssl_verify_client on; ssl_client_certificate {dir}/client-ca.pem;",
        &[
            ("full.pem", &full),
            ("key.pem", &key),
            ("client-ca.pem", &client.ca_pem),
        ],
    );
    let s = Sandbox::new();
    let ca = s.write("root.pem", &root).display().to_string();
    s.write("profiles.toml", &profile(&https(&d)).str("ca_file", &ca).to_string());
    let out = s.conn(&["test", "t", "--format", "json"]);
    out.code(4).no_secrets(&[SECRET]);
    let p = out.profile();
    assert_eq!(p["category"], "tls", "{p}");
    assert_eq!(p["kind"], "tls_client_cert_required", "{p}");
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("No required SSL certificate was sent"),
        "{p}"
    );
    assert!(p["hints"].to_string().contains("set client_cert"), "{p}");
    assert!(!p.to_string().contains("expect"), "{p}");
    // With the client certificate: through.
    let cert = s.write("client.pem", &client.cert_pem).display().to_string();
    let key = s.write("client.key", &client.key_pem).display().to_string();
    s.write(
        "profiles.toml",
        &profile(&https(&d))
            .str("ca_file", &ca)
            .str("client_cert", &cert)
            .str("client_key", &key)
            .to_string(),
    );
    s.conn(&["test", "t"]).code(0).no_secrets(&[SECRET, TOKEN]);
}

#[test]
fn plain_http_to_an_nginx_tls_port_says_use_https() {
    let (d, _) = self_signed_nginx();
    let base = format!("http://127.0.0.1:{}", d.port);
    let out = Sandbox::of(profile(&base)).conn(&["test", "t", "--format", "json"]);
    out.code(4).no_secrets(&[SECRET]);
    let p = out.profile();
    assert_eq!(p["kind"], "tls_port_needs_https", "{p}");
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("The plain HTTP request was sent to HTTPS port"),
        "{p}"
    );
    assert!(p["hints"].to_string().contains("use https://"), "{p}");
}

#[test]
fn a_token_answer_nginx_gzips_is_decoded() {
    let d = real::nginx(
        &format!(
            "log_format enc '$request_uri $sent_http_content_encoding';\n\
             server {{ listen 127.0.0.1:{{port0}}; access_log {{dir}}/enc.log enc;\n\
             gzip on; gzip_types application/json; gzip_min_length 1;\n{}}}\n",
            locations()
        ),
        1,
        &[],
    );
    let base = format!("http://127.0.0.1:{}", d.port);
    let out = Sandbox::of(profile(&base)).conn(&["test", "t", "--format", "json"]);
    out.code(0).no_secrets(&[SECRET, TOKEN]);
    assert!(
        d.log("enc.log").contains("/token gzip"),
        "nginx did not gzip the token answer: {}",
        d.log("enc.log")
    );
}

#[test]
fn nginx_speaking_http2_is_named_and_its_profiles_share_one_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = real::openssl_self_signed(dir.path(), "");
    let cert = std::fs::read_to_string(cert).unwrap();
    let key = std::fs::read_to_string(key).unwrap();
    let d = real::nginx(
        &format!(
            "log_format h2 '$connection $server_protocol $request_uri';\n\
             server {{ listen 127.0.0.1:{{port0}} ssl http2; access_log {{dir}}/h2.log h2;\n\
             ssl_certificate {{dir}}/cert.pem; ssl_certificate_key {{dir}}/key.pem;\n{}}}\n",
            locations()
        ),
        1,
        &[("cert.pem", &cert), ("key.pem", &key)],
    );
    let s = Sandbox::new();
    let ca = s.write("server.pem", &cert).display().to_string();
    let profiles: String = (0..20)
        .map(|i| {
            Profile::rest(&format!("p{i}"), &https(&d))
                .probe("/ping")
                .client_credentials(&format!("{}/token", https(&d)), "c")
                .secret(SECRET)
                .str("ca_file", &ca)
                .to_string()
        })
        .collect();
    s.write("profiles.toml", &profiles);
    let out = s.conn(&["test", "--all", "--format", "json"]);
    out.code(0).no_secrets(&[SECRET, TOKEN]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for p in report["profiles"].as_array().unwrap() {
        let tls = step(p, "tls");
        assert!(tls["detail"].as_str().unwrap().ends_with("HTTP/2"), "{tls}");
    }
    // Every token and probe request came over HTTP/2, and they shared the connection.
    let log = d.log("h2.log");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 40, "{log}");
    assert!(lines.iter().all(|l| l.contains(" HTTP/2.0 ")), "{log}");
    let connections: std::collections::HashSet<&str> = lines.iter().filter_map(|l| l.split(' ').next()).collect();
    assert!(connections.len() <= 2, "{} connections: {log}", connections.len());
}

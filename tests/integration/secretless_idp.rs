//! Clients without a secret against the real oidc-provider: `private_key_jwt` clients with an
//! RSA and an EC key (RFC 7523 §2.2 assertions checked by the provider itself), and a wrong key
//! refused with the provider's own words.

use crate::support::certs::{self, Kind};
use crate::support::{Idp, Sandbox, step};

fn idp(client_id: &str, pem: &str) -> Idp {
    idp_with(client_id, serde_json::json!(pem))
}

fn idp_with(client_id: &str, key: serde_json::Value) -> Idp {
    let cfg = serde_json::json!({ "extraClients": [{
        "client_id": client_id,
        "grant_types": ["client_credentials"],
        "response_types": [],
        "redirect_uris": [],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "api.read",
        "public_keys_pem": [key],
    }]});
    Idp::start_with(Some(&cfg.to_string()))
}

fn profile(
    issuer: &str,
    client_id: &str,
    cert: Option<&std::path::Path>,
    key: &std::path::Path,
    alg: Option<&str>,
) -> String {
    let mut s = format!(
        "[profiles.pkj]\ntype = \"rest\"\nbase_url = \"{issuer}\"\nprobe = false\n[profiles.pkj.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{issuer}/token\"\nclient_id = \"{client_id}\"\nscopes = \"api.read\"\nclient_auth = \"private_key_jwt\"\nprivate_key = {{ file = \"{}\" }}\n",
        key.display()
    );
    if let Some(c) = cert {
        s.push_str(&format!("client_certificate = \"{}\"\n", c.display()));
    }
    if let Some(a) = alg {
        s.push_str(&format!("assertion_alg = \"{a}\"\n"));
    }
    s
}

#[test]
fn rsa_and_ec_clients_get_a_token_with_a_signed_assertion() {
    for (kind, alg, id) in [
        (Kind::Rsa, None, "pkj-rsa"),
        (Kind::Rsa, Some("PS256"), "pkj-rsa"),
        (Kind::Ec, None, "pkj-ec"),
    ] {
        let k = certs::make(kind, id, 365);
        let idp = idp(id, &k.public_pem);
        for key in [&k.key, &k.key_traditional] {
            let s = Sandbox::with(&profile(&idp.issuer, id, Some(&k.cert), key, alg));
            let out = s.conn(&["test", "pkj", "--format", "json", "-v"]);
            out.code(0);
            let p = out.profile();
            let token = step(&p, "token");
            assert_eq!(token["status"], "pass", "{}", out.stdout);
            let detail = token["detail"].as_str().unwrap();
            assert!(detail.contains(&k.sha1_hex()), "{detail}");
            let mut secrets = k.key_lines();
            secrets.push(k.key_text());
            out.no_secrets(&secrets.iter().map(String::as_str).collect::<Vec<_>>());
            // The trace shows the form with the assertion masked.
            assert!(out.stderr.contains("client_assertion=********"), "{}", out.stderr);
            assert!(out.stderr.contains("client_assertion_type=urn"), "{}", out.stderr);
        }
    }
}

#[test]
fn a_key_alone_with_a_key_id_is_enough_where_the_server_knows_the_key() {
    let k = certs::make(Kind::Ec, "pkj-ec-kid", 365);
    let idp = idp_with(
        "pkj-ec-kid",
        serde_json::json!({ "pem": k.public_pem, "kid": "2024-rotation" }),
    );
    let s = Sandbox::with(&format!(
        "{}key_id = \"2024-rotation\"\n",
        profile(&idp.issuer, "pkj-ec-kid", None, &k.key, None)
    ));
    s.conn(&["test", "pkj"]).code(0);
}

#[test]
fn a_wrong_key_is_an_authentication_failure_in_the_providers_words() {
    let registered = certs::make(Kind::Rsa, "pkj-rsa", 365);
    let other = certs::make(Kind::Rsa, "pkj-other", 365);
    let idp = idp("pkj-rsa", &registered.public_pem);
    let s = Sandbox::with(&profile(&idp.issuer, "pkj-rsa", Some(&other.cert), &other.key, None));
    let out = s.conn(&["test", "pkj", "--format", "json"]);
    out.code(5);
    let p = out.profile();
    let token = step(&p, "token");
    assert_eq!(token["status"], "fail");
    assert_eq!(p["category"], "authentication", "{p}");
    // The provider's own words, and the certificate that was sent, to compare.
    let summary = p["summary"].as_str().unwrap();
    assert!(
        summary.contains("rejected the client assertion") && summary.contains("invalid_client"),
        "{summary}"
    );
    let hints = p["hints"].to_string();
    assert!(
        hints.contains(&other.sha1_hex()) && !hints.contains("client_secret"),
        "{hints}"
    );
    out.no_secrets(&[other.key_text().as_str()]);
}

#[test]
fn a_confidential_sign_in_client_signs_its_code_and_refresh_requests() {
    // A web app that proves itself with a certificate: the code exchange at `conn login` and
    // every refresh at `conn test` carry an assertion the provider checks.
    let k = certs::make(Kind::Ec, "pkj-web", 365);
    let cfg = serde_json::json!({ "extraClients": [{
        "client_id": "pkj-web",
        "application_type": "web",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "redirect_uris": ["http://127.0.0.1/callback"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "openid offline_access api.read",
        "public_keys_pem": [k.public_pem],
    }]});
    let idp = Idp::start_with(Some(&cfg.to_string()));
    let issuer = &idp.issuer;
    let browser = format!(
        "node {}",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/idp/browser.mjs")
            .display()
    );
    let s = Sandbox::with(&format!(
        "[profiles.web]\ntype = \"rest\"\nbase_url = \"{issuer}\"\nprobe = \"/me\"\n[profiles.web.auth]\ntype = \"oauth2-authorization-code\"\nauthorization_url = \"{issuer}/auth\"\ntoken_url = \"{issuer}/token\"\nclient_id = \"pkj-web\"\nscopes = \"openid offline_access api.read\"\nclient_auth = \"private_key_jwt\"\nclient_certificate = \"{}\"\nprivate_key = {{ file = \"{}\" }}\n",
        k.cert.display(),
        k.key.display()
    ))
    .var("BROWSER", &browser);
    s.conn(&["login", "web"]).code(0).stderr_has("Signed in to web");
    let out = s.conn(&["test", "web", "--format", "json", "-v"]);
    out.code(0).no_secrets(&[k.key_text().as_str()]);
    assert!(
        out.profile()["steps"].to_string().contains("refresh token rotated"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("client_assertion=********"), "{}", out.stderr);
}

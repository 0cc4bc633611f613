//! Clients without a secret in the commands around `conn test`: the profile's keys and their
//! problems (`validate`), `show` with the certificate's subject, expiry and thumbprints,
//! `show --curl` with `$CLIENT_ASSERTION`, `add` asking for the certificate and key, and
//! `conn token` with the store keyed by the credential, never by an assertion.

use crate::support::Sandbox;
use crate::support::certs::{self, Kind};
use crate::support::entra::{App, Entra};
use crate::support::on_terminal;

const CLIENT: &str = "cid-secretless";

fn rest(token_url: &str, lines: &str) -> String {
    format!(
        "[profiles.r]\ntype = \"rest\"\nbase_url = \"http://127.0.0.1:9\"\nprobe = false\n[profiles.r.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{token_url}\"\nclient_id = \"{CLIENT}\"\n{lines}"
    )
}

fn pem(k: &certs::KeyPair) -> String {
    format!(
        "client_auth = \"private_key_jwt\"\nclient_certificate = \"{}\"\nprivate_key = {{ file = \"{}\" }}\n",
        k.cert.display(),
        k.key.display()
    )
}

#[test]
fn validate_names_what_does_not_fit_and_never_offers_the_mtls_keys() {
    let k = certs::make(Kind::Rsa, "v", 365);
    let cases: &[(&str, &str)] = &[
        (
            "client_auth = \"private_key_jwt\"\nclient_secret = { env = \"X\" }\nprivate_key = { file = \"k.pem\" }\n",
            "`client_secret` is not used with client_auth = \"private_key_jwt\"",
        ),
        (
            "client_auth = \"private_key_jwt\"\n",
            "missing required key `private_key`",
        ),
        (
            "client_auth = \"client_assertion\"\n",
            "missing required key `client_assertion`",
        ),
        (
            "client_secret = { env = \"X\" }\nprivate_key = { file = \"k.pem\" }\n",
            "`private_key` is used only with client_auth = \"private_key_jwt\"",
        ),
        (
            "client_auth = \"private_key_jwt\"\nprivate_key = { file = \"k.pem\" }\nassertion_alg = \"PS265\"\n",
            "did you mean `PS256`?",
        ),
        (
            "client_auth = \"private_key_jwt\"\nprivate_key = { file = \"k.pem\" }\nclient_pkcs12 = \"a.pfx\"\n",
            "not both",
        ),
        (
            "client_auth = \"client_assertion\"\nclient_assertion = { github_oidc = \"\" }\n",
            "expected the audience",
        ),
    ];
    for (lines, want) in cases {
        let out = Sandbox::with(&rest("https://login.example.com/token", lines)).conn(&["validate"]);
        out.code(2).stderr_has(want);
    }
    // The mutual-TLS key written where the assertion's belongs is not turned into it.
    let out = Sandbox::with(&rest(
        "https://login.example.com/token",
        "client_auth = \"private_key_jwt\"\nprivate_key = { file = \"k.pem\" }\nclient_cert = \"c.pem\"\n",
    ))
    .conn(&["validate"]);
    out.code(2);
    assert!(
        !out.stderr.contains("did you mean `client_certificate`"),
        "{}",
        out.stderr
    );
    // Nor the other way round, at the profile's level.
    let out = Sandbox::with(&format!(
        "{}client_certificat = \"x\"\n",
        rest("https://login.example.com/token", &pem(&k))
            .replace("[profiles.r.auth]", "client_kye = \"k\"\n[profiles.r.auth]")
    ))
    .conn(&["validate"]);
    out.code(2).stderr_has("did you mean `client_certificate`?");
    assert!(!out.stderr.contains("did you mean `private_key`"), "{}", out.stderr);
    // Hypatos accepts only its secret.
    let out = Sandbox::with("[profiles.h]\ntype = \"hypatos\"\nclient_id = \"a\"\nclient_auth = \"private_key_jwt\"\nprivate_key = { file = \"k.pem\" }\n").conn(&["validate"]);
    out.code(2).stderr_has("Hypatos accepts only its client secret");
    // github_oidc outside a job: --secrets says which variables are missing, without a request.
    let s = Sandbox::with(&rest(
        "https://login.example.com/token",
        "client_auth = \"client_assertion\"\nclient_assertion = { github_oidc = \"api://AzureADTokenExchange\" }\n",
    ));
    s.conn(&["validate"]).code(0);
    s.conn(&["validate", "--secrets"])
        .code(2)
        .stderr_has("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    s.var("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:9/t?x=1")
        .var("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t-Secret-7")
        .conn(&["validate", "--secrets"])
        .code(0);
}

#[test]
fn an_rsa_key_too_short_to_sign_with_is_named_as_such() {
    let k = certs::make(Kind::Rsa1024, "short", 365);
    let mut traditional = pem(&k);
    traditional = traditional.replace(&k.key.display().to_string(), &k.key_traditional.display().to_string());
    for lines in [pem(&k), traditional] {
        let s = Sandbox::with(&rest("https://127.0.0.1:9/token", &lines));
        let out = s.conn(&["validate", "--secrets"]);
        out.code(2).stderr_has("shorter than 2048 bits");
        assert!(!out.stderr.contains("neither an RSA key"), "{}", out.stderr);
        let out = s.conn(&["test", "r", "--format", "json"]);
        out.code(2);
        let p = out.profile();
        assert_eq!(p["kind"], "assertion_key_unreadable", "{p}");
        assert!(p["summary"].as_str().unwrap().contains("shorter than 2048 bits"), "{p}");
        assert!(p["hints"][0].as_str().unwrap().contains("rsa:2048"), "{p}");
    }
}

#[test]
fn show_prints_subject_expiry_and_both_thumbprints_and_curl_names_the_assertion() {
    let k = certs::make(Kind::Rsa, "portfolios-conn", 365);
    let s = Sandbox::with(&rest("https://login.microsoftonline.com/t/oauth2/v2.0/token", &pem(&k)));
    let out = s.conn(&["show", "r"]);
    out.code(0)
        .stdout_has("CN=portfolios-conn")
        .stdout_has(&k.sha1_hex())
        .stdout_has(&k.x5t_s256())
        .stdout_has("PS256 (default here)")
        .stdout_has("expires");
    let mut secrets = k.key_lines();
    secrets.push(k.key_text());
    out.no_secrets(&secrets.iter().map(String::as_str).collect::<Vec<_>>());
    let curl = s.conn(&["show", "r", "--curl"]);
    curl.code(0)
        .stdout_has("client_assertion=$CLIENT_ASSERTION")
        .stdout_has("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        .stdout_has("conn signs a new one");
    assert!(!curl.stdout.contains("eyJ"), "{}", curl.stdout);
    // A password-protected PKCS#12 is not opened by show.
    let pfx = k.pkcs12("show-Password-1", false);
    let lines = format!(
        "client_auth = \"private_key_jwt\"\nclient_pkcs12 = \"{}\"\npkcs12_password = {{ command = [\"false\"] }}\n",
        pfx.display()
    );
    Sandbox::with(&rest("https://login.example.com/token", &lines))
        .conn(&["show", "r"])
        .code(0)
        .stdout_has("conn test` reports its thumbprints");
}

#[test]
fn add_asks_for_the_certificate_and_key_paths() {
    let k = certs::make(Kind::Rsa, "added", 365);
    let s = Sandbox::with("");
    let base = [
        "add",
        "pf",
        "--type",
        "hypergene",
        "--auth",
        "oauth2",
        "--set",
        "portfolio_id=demo",
        "--set",
        "tenant_id=contoso.onmicrosoft.com",
        "--set",
        "client_id=abc",
        "--set",
        "client_auth=private_key_jwt",
    ];
    let out = s.conn(&base);
    out.code(2)
        .stderr_has("--set client_certificate=…")
        .stderr_has("private_key={ file");
    let cert = k.cert.display().to_string();
    let key = k.key.display().to_string();
    let out = on_terminal(
        &s,
        &base,
        &[("client_certificate: path", &cert), ("private_key: path", &key)],
    );
    out.code(0);
    let text = std::fs::read_to_string(s.path().join("profiles.toml")).unwrap();
    assert!(text.contains(&format!("client_certificate = \"{cert}\"")), "{text}");
    assert!(
        text.contains(&format!("private_key = {{ file = \"{key}\" }}")),
        "{text}"
    );
    s.conn(&["validate"]).code(0);
}

#[test]
fn token_is_stored_by_the_credential_and_reused_without_signing_again() {
    let k = certs::make(Kind::Rsa, "stored", 365);
    let e = Entra::start(App {
        client_id: CLIENT.into(),
        certificates: vec![k.der.clone()],
        ..App::default()
    });
    let s = Sandbox::with(&rest(
        &e.token_url(),
        &format!("{}assertion_alg = \"PS256\"\n", pem(&k)),
    ));
    let first = s.conn(&["token", "r"]);
    first.code(0);
    assert!(first.stdout.starts_with("entra-standin-token-"), "{}", first.stdout);
    let second = s.conn(&["token", "r"]);
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(e.calls(), 1, "the stored token was not reused");
    // Another certificate at the same paths is another credential: a new token.
    let other = certs::make(Kind::Rsa, "stored", 365);
    std::fs::copy(&other.cert, &k.cert).unwrap();
    std::fs::copy(&other.key, &k.key).unwrap();
    let third = s.conn(&["token", "r"]);
    third.code(5);
    assert_eq!(e.calls(), 2, "a token stored for another certificate was used");
}

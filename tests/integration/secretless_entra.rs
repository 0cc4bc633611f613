//! Clients without a secret against the Entra stand-in (support/entra.rs): certificate
//! credentials signed PS256, RS256 and from PKCS#12 files pass; a wrong thumbprint, a stale
//! or unmatched federated assertion and a missing credential fail with Entra's own answers
//! and the diagnosis that says what to compare; an expired certificate fails before any
//! request; a GitHub Actions OIDC stand-in serves `github_oidc`.

use base64::Engine;

use crate::support::certs::{self, Kind};
use crate::support::counting::{Counting, Reply};
use crate::support::entra::{App, Entra, Federated};
use crate::support::{Out, Sandbox, step};

const CLIENT: &str = "11111111-2222-4333-8444-555555555555";

fn app(certificates: Vec<Vec<u8>>, federated: Vec<Federated>) -> Entra {
    Entra::start(App {
        client_id: CLIENT.into(),
        certificates,
        federated,
        clock_ahead: 0,
    })
}

/// A Hypergene profile at the stand-in, with these credential lines.
fn hypergene(token_url: &str, lines: &str) -> String {
    format!(
        "[profiles.pf]\ntype = \"hypergene\"\nportfolio_id = \"demo\"\ntoken_url = \"{token_url}\"\nclient_id = \"{CLIENT}\"\nprobe = false\n{lines}"
    )
}

fn pem_lines(k: &certs::KeyPair) -> String {
    format!(
        "client_auth = \"private_key_jwt\"\nclient_certificate = \"{}\"\nprivate_key = {{ file = \"{}\" }}\n",
        k.cert.display(),
        k.key.display()
    )
}

/// The JWT header conn sent in the first request.
fn sent_header(e: &Entra) -> serde_json::Value {
    let body = &e.bodies()[0];
    let a = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "client_assertion")
        .unwrap()
        .1
        .into_owned();
    let h = a.split('.').next().unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
}

fn no_key(out: &Out, k: &certs::KeyPair) {
    let mut s = k.key_lines();
    s.push(k.key_text());
    out.no_secrets(&s.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn a_registered_certificate_passes_with_ps256_by_default_and_both_thumbprints() {
    let k = certs::make(Kind::Rsa, "portfolios-conn", 365);
    let e = app(vec![k.der.clone()], vec![]);
    let s = Sandbox::with(&hypergene(&e.token_url(), &pem_lines(&k)));
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(0);
    no_key(&out, &k);
    let h = sent_header(&e);
    assert_eq!(h["alg"], "PS256");
    assert_eq!(h["typ"], "JWT");
    assert_eq!(h["x5t#S256"], k.x5t_s256().as_str());
    assert_eq!(h["x5t"], k.x5t().as_str());
    let detail = step(&out.profile(), "token")["detail"].as_str().unwrap().to_string();
    assert!(
        detail.contains(&k.sha1_hex()) && detail.contains(&k.x5t_s256()),
        "{detail}"
    );
}

#[test]
fn rs256_and_pkcs12_files_pass() {
    let k = certs::make(Kind::Rsa, "portfolios-conn", 365);
    let e = app(vec![k.der.clone()], vec![]);
    let rs = format!("{}assertion_alg = \"RS256\"\n", pem_lines(&k));
    let s = Sandbox::with(&hypergene(&e.token_url(), &rs));
    s.conn(&["test", "pf"]).code(0);
    assert_eq!(sent_header(&e)["alg"], "RS256");
    let files = [
        k.pkcs12("pfx-Password-77", false),
        k.pkcs12("pfx-Password-77", true),
        k.pkcs12_rc2("pfx-Password-77"),
    ];
    for pfx in files {
        let lines = format!(
            "client_auth = \"private_key_jwt\"\nclient_pkcs12 = \"{}\"\npkcs12_password = {{ env = \"PFX_PASSWORD\" }}\n",
            pfx.display()
        );
        let s = Sandbox::with(&hypergene(&e.token_url(), &lines)).var("PFX_PASSWORD", "pfx-Password-77");
        let out = s.conn(&["test", "pf", "--format", "json", "-v"]);
        out.code(0);
        out.no_secrets(&["pfx-Password-77"]);
        no_key(&out, &k);
        // A wrong password is named, never shown.
        let bad = Sandbox::with(&hypergene(&e.token_url(), &lines)).var("PFX_PASSWORD", "not-the-Password-1");
        let out = bad.conn(&["test", "pf"]);
        out.code(2).stdout_has("password is wrong");
        out.no_secrets(&["not-the-Password-1"]);
    }
}

#[test]
fn a_wrong_thumbprint_is_aadsts700027_with_the_thumbprint_to_compare() {
    let registered = certs::make(Kind::Rsa, "registered", 365);
    let other = certs::make(Kind::Rsa, "not-registered", 365);
    let e = app(vec![registered.der.clone()], vec![]);
    let s = Sandbox::with(&hypergene(&e.token_url(), &pem_lines(&other)));
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(5);
    let p = out.profile();
    assert_eq!(p["category"], "authentication");
    let summary = p["summary"].as_str().unwrap();
    assert!(summary.contains("AADSTS700027"), "{summary}");
    assert!(
        summary.contains(
            "The certificate with identifier used to sign the client assertion is not registered on application"
        ),
        "{summary}"
    );
    let hints = p["hints"].to_string();
    assert!(hints.contains(&other.sha1_hex()), "{hints}");
    assert!(hints.contains("Certificates & secrets"), "{hints}");
    no_key(&out, &other);
}

#[test]
fn an_expired_certificate_fails_before_any_request_and_one_near_expiry_warns() {
    let old = certs::make(Kind::Ec, "expired", 0);
    let e = app(vec![old.der.clone()], vec![]);
    let s = Sandbox::with(&hypergene(&e.token_url(), &pem_lines(&old)));
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(5);
    assert_eq!(out.profile()["category"], "authentication");
    assert!(
        out.profile()["summary"]
            .as_str()
            .unwrap()
            .contains("expired on 2020-02-01"),
        "{}",
        out.stdout
    );
    assert_eq!(e.calls(), 0, "a request was sent with an expired certificate");
    s.conn(&["validate"]).code(2);

    let soon = certs::make(Kind::Rsa, "soon", 10);
    let e = app(vec![soon.der.clone()], vec![]);
    let s = Sandbox::with(&hypergene(&e.token_url(), &pem_lines(&soon)));
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(0);
    assert_eq!(out.profile()["status"], "warn", "{}", out.stdout);
    assert!(
        out.profile()["hints"].to_string().contains("expires on"),
        "{}",
        out.stdout
    );
}

/// A federated (external) token: a JWT whose claims Entra compares with its records.
fn federated_jwt(iss: &str, sub: &str, aud: &str, exp: i64) -> String {
    let enc = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.c2lnbmF0dXJlLW9mLXRoZS1pc3N1ZXI",
        enc(serde_json::json!({"alg": "RS256", "kid": "issuer-key", "typ": "JWT"})),
        enc(serde_json::json!({"iss": iss, "sub": sub, "aud": aud, "exp": exp, "iat": exp - 600}))
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

const AKS_ISS: &str = "https://oidc.prod-aks.azure.com/tenant-x/";
const AKS_SUB: &str = "system:serviceaccount:default:workload-identity-sa";
const AUD: &str = "api://AzureADTokenExchange";

fn record() -> Federated {
    Federated {
        issuer: AKS_ISS.into(),
        subject: AKS_SUB.into(),
        audience: AUD.into(),
    }
}

#[test]
fn a_federated_assertion_from_a_file_passes_and_its_claims_are_reported() {
    let e = app(vec![], vec![record()]);
    let jwt = federated_jwt(AKS_ISS, AKS_SUB, AUD, now() + 3600);
    let s = Sandbox::new();
    let file = s.write("azure-identity-token", &jwt);
    let s = Sandbox::with(&hypergene(
        &e.token_url(),
        &format!(
            "client_auth = \"client_assertion\"\nclient_assertion = {{ file = \"{}\" }}\n",
            file.display()
        ),
    ));
    let out = s.conn(&["test", "pf", "--format", "json", "-v"]);
    out.code(0).no_secrets(&[&jwt]);
    let detail = step(&out.profile(), "token")["detail"].as_str().unwrap().to_string();
    assert!(
        detail.contains(AKS_ISS) && detail.contains(AKS_SUB) && detail.contains(AUD),
        "{detail}"
    );
}

#[test]
fn an_unmatched_federated_assertion_is_aadsts70021_with_what_was_sent() {
    let e = app(vec![], vec![record()]);
    // The subject differs: the classic missing or wrong service account.
    let jwt = federated_jwt(AKS_ISS, "system:serviceaccount:default:other", AUD, now() + 3600);
    let s = Sandbox::with(&hypergene(
        &e.token_url(),
        "client_auth = \"client_assertion\"\nclient_assertion = { env = \"FED_TOKEN\" }\n",
    ))
    .var("FED_TOKEN", &jwt);
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(5).no_secrets(&[&jwt]);
    let p = out.profile();
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("No matching federated identity record found"),
        "{p}"
    );
    let hints = p["hints"].to_string();
    assert!(
        hints.contains("system:serviceaccount:default:other") && hints.contains(AKS_ISS) && hints.contains(AUD),
        "{hints}"
    );
    assert!(hints.contains("Federated credentials"), "{hints}");
}

#[test]
fn a_stale_federated_assertion_is_aadsts700024_with_its_expiry() {
    let e = app(vec![], vec![record()]);
    let jwt = federated_jwt(AKS_ISS, AKS_SUB, AUD, 1_700_000_000);
    let s = Sandbox::with(&hypergene(
        &e.token_url(),
        "client_auth = \"client_assertion\"\nclient_assertion = { command = [\"printenv\", \"FED_TOKEN\"] }\n",
    ))
    .var("FED_TOKEN", &jwt);
    let out = s.conn(&["test", "pf", "--format", "json"]);
    out.code(5).no_secrets(&[&jwt]);
    let p = out.profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS700024"), "{p}");
    let hints = p["hints"].to_string();
    assert!(
        hints.contains("2023-11-14 22:13 UTC") && hints.contains("clock"),
        "{hints}"
    );
}

#[test]
fn a_signed_assertion_outside_entras_time_is_aadsts700024_with_the_clock_skew() {
    // This machine's clock is an hour behind Entra's: the assertion conn signs (valid five
    // minutes from this machine's time) has expired by Entra's clock.
    let k = certs::make(Kind::Rsa, "skew", 365);
    let e = Entra::start(App {
        client_id: CLIENT.into(),
        certificates: vec![k.der.clone()],
        federated: vec![],
        clock_ahead: 3600,
    });
    let out = Sandbox::with(&hypergene(&e.token_url(), &pem_lines(&k))).conn(&["test", "pf", "--format", "json"]);
    out.code(5).no_secrets(&[k.key_text().as_str()]);
    let p = out.profile();
    assert_eq!(p["kind"], "entra_assertion_time", "{p}");
    let hints = p["hints"].to_string();
    assert!(hints.contains("clock is 3600s behind the server's"), "{hints}");
}

#[test]
fn neither_secret_nor_assertion_is_aadsts7000218() {
    let e = app(vec![], vec![]);
    let profile = format!(
        "[profiles.pw]\ntype = \"rest\"\nbase_url = \"http://127.0.0.1:9\"\nprobe = false\n[profiles.pw.auth]\ntype = \"oauth2-password\"\ntoken_url = \"{}\"\nclient_id = \"{CLIENT}\"\nusername = \"u@example.com\"\npassword = {{ env = \"PW\" }}\n",
        e.token_url()
    );
    let out = Sandbox::with(&profile)
        .var("PW", "user-Password-9")
        .conn(&["test", "pw", "--format", "json"]);
    out.code(5);
    let p = out.profile();
    assert!(p["summary"].as_str().unwrap().contains("AADSTS7000218"), "{p}");
    assert!(p["hints"].to_string().contains("private_key_jwt"), "{p}");
}

#[test]
fn github_oidc_asks_the_actions_endpoint_for_the_audience_and_sends_its_token() {
    let sub = "repo:octo-org/octo-repo:ref:refs/heads/main";
    let iss = "https://token.actions.githubusercontent.com";
    let e = app(
        vec![],
        vec![Federated {
            issuer: iss.into(),
            subject: sub.into(),
            audience: AUD.into(),
        }],
    );
    let jwt = federated_jwt(iss, sub, AUD, now() + 300);
    let answer = format!(r#"{{"count":1,"value":"{jwt}"}}"#);
    let gh = Counting::start(move |_, rq| {
        // https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
        let ok = rq.header("authorization") == Some("Bearer actions-Request-Token-42")
            && rq.path.contains("audience=api%3A%2F%2FAzureADTokenExchange");
        if ok {
            Reply::json(answer.clone())
        } else {
            Reply::status("401 Unauthorized", "{}")
        }
    });
    let lines =
        "client_auth = \"client_assertion\"\nclient_assertion = { github_oidc = \"api://AzureADTokenExchange\" }\n";
    let s = Sandbox::with(&hypergene(&e.token_url(), lines))
        .var(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            &format!("{}/_apis/token?api-version=2.0", gh.url()),
        )
        .var("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "actions-Request-Token-42");
    let out = s.conn(&["test", "pf", "--format", "json", "-v"]);
    out.code(0).no_secrets(&[&jwt, "actions-Request-Token-42"]);
    assert_eq!(gh.calls(), 1);
    assert!(step(&out.profile(), "token")["detail"].as_str().unwrap().contains(sub));
    // Outside a job with id-token: write, a configuration error naming both variables.
    let out = Sandbox::with(&hypergene(&e.token_url(), lines)).conn(&["test", "pf"]);
    out.code(2)
        .stdout_has("ACTIONS_ID_TOKEN_REQUEST_URL")
        .stdout_has("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
}

#[test]
fn the_demo_has_a_certificate_profile_and_a_wrong_thumbprint_one() {
    let out = Sandbox::new().conn(&["demo", "--format", "json"]);
    out.code(0);
    let r = out.json();
    let find = |name: &str| {
        r["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["profile"] == name)
            .unwrap()
            .clone()
    };
    let good = find("portfolios-certificate");
    assert_eq!(good["status"], "pass", "{good}");
    assert!(
        step(&good, "token")["detail"]
            .as_str()
            .unwrap()
            .contains("SHA-1 thumbprint")
    );
    let bad = find("portfolios-wrong-certificate");
    assert_eq!(bad["category"], "authentication");
    assert!(bad["summary"].as_str().unwrap().contains("AADSTS700027"), "{bad}");
    assert!(bad["hints"].to_string().contains("CN=conn-demo-other"), "{bad}");
    // The demo's keys are made for the run and gone after it.
    assert!(!out.stdout.contains("PRIVATE KEY") && !out.stderr.contains("PRIVATE KEY"));
}

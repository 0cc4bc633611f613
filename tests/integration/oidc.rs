//! Client credentials against the real, OpenID Certified oidc-provider (npm), run from
//! tests/idp: client authentication methods, their encoding, rejected clients and scopes.

use crate::support::{Idp, Sandbox};

fn profile(issuer: &str, id: &str, secret: &str, auth: &str, scopes: &str) -> String {
    format!(
        "[profiles.o]\ntype = \"rest\"\nbase_url = \"{issuer}\"\n[profiles.o.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{issuer}/token\"\nclient_id = \"{id}\"\nclient_secret = {{ env = \"OIDC_SECRET\" }}\nclient_auth = \"{auth}\"\nscopes = \"{scopes}\"\n"
    ) + &format!("# secret via env: {}\n", secret.len())
}

fn run(idp: &Idp, id: &str, secret: &str, auth: &str, scopes: &str) -> crate::support::Out {
    let s = Sandbox::with(&profile(&idp.issuer, id, secret, auth, scopes)).var("OIDC_SECRET", secret);
    let out = s.conn(&["test", "o", "--format", "json"]);
    out.no_secrets(&[secret]);
    out
}

#[test]
fn client_secret_basic_and_post_pass_with_granted_scopes() {
    let idp = Idp::start();
    let p = run(&idp, "cc-basic", "cc-basic-secret", "basic", "api.read")
        .code(0)
        .profile();
    assert_eq!(p["token"]["scopes_granted"], serde_json::json!(["api.read"]));
    assert_eq!(p["status"], "pass");
    let p = run(&idp, "cc-post", "cc-post-secret", "post", "api.read")
        .code(0)
        .profile();
    assert_eq!(p["token"]["token_type"], "Bearer");
    // RFC 6749 §2.3.1 form-encoding of a secret with reserved characters.
    run(&idp, "cc-special", "s3cr+t/with:odd~chars%", "basic", "api.read").code(0);
    assert!(idp.hits("/token") >= 3);
}

#[test]
fn wrong_method_is_named_and_wrong_secret_is_authentication() {
    let idp = Idp::start();
    let out = run(&idp, "cc-post", "cc-post-secret", "basic", "api.read");
    out.code(5);
    let p = out.profile();
    assert!(p["summary"].as_str().unwrap().contains("client_auth = \"post\""), "{p}");
    assert!(p["hints"][0].as_str().unwrap().contains("set client_auth = \"post\""));
    let out = run(&idp, "cc-basic", "not-the-secret", "basic", "api.read");
    out.code(5);
    let p = out.profile();
    assert_eq!(p["server_error"]["error"], "invalid_client");
    assert_eq!(p["category"], "authentication");
    // Raw Basic of a secret that needs encoding: the server refuses, conn finds the form it takes.
    let out = run(&idp, "cc-special", "s3cr+t/with:odd~chars%", "basic-raw", "api.read");
    out.code(5);
    assert!(
        out.profile()["hints"][0]
            .as_str()
            .unwrap()
            .contains("accepts \"basic\""),
        "{}",
        out.stdout
    );
}

#[test]
fn scope_not_allowed_is_permission() {
    let idp = Idp::start();
    let out = run(&idp, "cc-post", "cc-post-secret", "post", "api.read api.write");
    out.code(6);
    let p = out.profile();
    assert_eq!(p["server_error"]["error"], "invalid_scope");
    assert!(p["hints"][0].as_str().unwrap().contains("api.read api.write"), "{p}");
}

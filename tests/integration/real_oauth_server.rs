//! A real token exchange with an independent OAuth server from npm (oauth2-mock-server),
//! straight and through a real tinyproxy, and OpenID Connect scopes it leaves out of `scope`
//! as Entra does.

use crate::support::profiles::{Profile, env};
use crate::support::real::{self, MockOAuth};
use crate::support::{Sandbox, step};

const SECRET: &str = "mock-canary-client-secret";
const PASSWORD: &str = "mock-canary-user-password";

/// A client-credentials profile against the mock, probing its userinfo endpoint.
fn cc(m: &MockOAuth, scope: &str) -> Profile {
    Profile::rest("t", &m.issuer)
        .probe("/userinfo")
        .client_credentials(&format!("{}/token", m.issuer), "conn-client")
        .secret(SECRET)
        .auth_str("scope", scope)
}

#[test]
fn a_token_exchange_with_oauth2_mock_server_straight_and_through_tinyproxy() {
    let m = MockOAuth::start(None);
    let out = Sandbox::of(cc(&m, "api.read")).conn(&["test", "t", "--format", "json"]);
    out.code(0).no_secrets(&[SECRET]);
    let p = out.profile();
    assert_eq!(step(&p, "scopes")["detail"], "granted: api.read", "{p}");
    let proxy = real::tinyproxy("");
    let via = format!("http://{}", proxy.addr());
    let out = Sandbox::of(cc(&m, "api.read").str("proxy", &via)).conn(&["test", "t", "-v", "--format", "json"]);
    out.code(0).no_secrets(&[SECRET]);
    assert!(
        proxy.log("tinyproxy.log").contains("POST http://127.0.0.1"),
        "the token request did not go through the proxy:\n{}",
        proxy.log("tinyproxy.log")
    );
}

#[test]
fn openid_connect_scopes_left_out_of_scope_are_not_a_permission_failure() {
    let m = MockOAuth::start(Some("entra-scopes"));
    let p = Profile::rest("t", &m.issuer)
        .probe("/userinfo")
        .auth("oauth2-password")
        .auth_str("token_url", &format!("{}/token", m.issuer))
        .auth_str("client_id", "conn-client")
        .auth_str("client_secret", SECRET)
        .auth_str("username", "alice")
        .auth_raw("password", &env("MOCK_PASSWORD"))
        .auth_str("scope", "openid offline_access api.read");
    let out = Sandbox::of(p)
        .var("MOCK_PASSWORD", PASSWORD)
        .conn(&["test", "t", "--format", "json"]);
    out.code(0).no_secrets(&[SECRET, PASSWORD]);
    let scopes = step(&out.profile(), "scopes");
    let d = scopes["detail"].as_str().unwrap();
    assert!(d.starts_with("granted: openid api.read"), "{d}");
    assert!(d.contains("OpenID Connect scopes: offline_access"), "{d}");
}

//! What the hardening tests share (security.md §7): a client-credentials profile with canary
//! secrets, the check that none of them leaked in any encoding, and servers whose token
//! endpoint answers well or writes bytes the test chose.

use std::io::Write;
use std::net::TcpStream;

use super::profiles::Profile;
use super::servers::{self, Raw, Request, raw, read_request};
use super::{Out, forms};

/// The client secret of [`cc`].
pub const SECRET: &str = "hardening-canary-Secret-5c9d";
/// The access token [`token_body`] hands out.
pub const TOKEN: &str = "hardening-token-Value-77e1";

/// A client-credentials profile `p` whose token URL is `{token}/token` and probe `{api}/ping`.
pub fn cc(token: &str, api: &str) -> Profile {
    Profile::rest("p", api)
        .probe("/ping")
        .client_credentials(&format!("{token}/token"), "c")
        .secret(SECRET)
        .auth_str("client_auth", "basic")
}

/// A token answer with [`TOKEN`], good for an hour.
pub fn token_body() -> String {
    format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":3600}}"#)
}

/// Secrets of [`cc`] as they could leak: raw, encoded, inside Basic, as a bearer header.
pub fn leaks() -> Vec<String> {
    use base64::Engine;
    let mut v = forms(SECRET);
    v.extend(forms(TOKEN));
    v.push(base64::engine::general_purpose::STANDARD.encode(format!("c:{SECRET}")));
    v.push(format!("Bearer {TOKEN}"));
    v
}

/// Fail if any of [`leaks`] shows up in either stream, or conn panicked.
#[track_caller]
pub fn clean_of_secrets(out: &Out) {
    for l in leaks() {
        assert!(!out.stdout.contains(&l), "{l:?} on stdout:\n{}", out.stdout);
        assert!(!out.stderr.contains(&l), "{l:?} on stderr:\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// The first profile's summary in the JSON report.
pub fn summary(out: &Out) -> String {
    out.profile()["summary"].as_str().unwrap_or_default().to_string()
}

/// A server where the token endpoint answers well and `probe` handles every other request.
pub fn api(probe: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static) -> Raw {
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
pub fn token_raw(bytes: Vec<u8>) -> Raw {
    raw(move |mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(&bytes);
        }
    })
}

/// A 200 answer with this body.
pub fn ok_json(body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

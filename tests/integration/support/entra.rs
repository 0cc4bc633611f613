//! An in-process stand-in for Microsoft Entra ID's token endpoint, for clients without a
//! secret. It checks what Entra documents for a certificate credential
//! (<https://learn.microsoft.com/entra/identity-platform/certificate-credentials>): the
//! `x5t#S256` header (or the older `x5t`) names a certificate registered on the app, the
//! signature verifies with that certificate's key, `aud` is the token endpoint, `iss` = `sub`
//! = the client id, and `nbf`/`exp` hold now. For a federated credential
//! (<https://learn.microsoft.com/entra/workload-id/workload-identity-federation>) it looks for a
//! record whose issuer, subject and audience equal the assertion's; it does not fetch the
//! issuer's keys, so the external token's signature is not checked here.
//!
//! Every refusal is a real Entra answer from `tests/corpus/entra.toml`, verbatim.

use std::sync::Arc;

use base64::Engine;
use ring::signature;
use serde_json::Value;

use super::counting::{Counting, Reply};

/// A federated identity record: what an assertion must carry.
#[derive(Clone)]
pub struct Federated {
    /// Issuer.
    pub issuer: String,
    /// Subject identifier.
    pub subject: String,
    /// Audience.
    pub audience: String,
}

/// What is registered on the app.
#[derive(Clone, Default)]
pub struct App {
    /// The application (client) id.
    pub client_id: String,
    /// DER of each uploaded certificate.
    pub certificates: Vec<Vec<u8>>,
    /// Federated credentials.
    pub federated: Vec<Federated>,
    /// Seconds the stand-in's clock is ahead of this machine's (its `Date` header and its
    /// checks of `nbf`/`exp` use it): a machine whose clock is behind.
    pub clock_ahead: i64,
}

/// The stand-in; the token endpoint is `{url}/tenant/oauth2/v2.0/token`.
pub struct Entra {
    srv: Counting,
}

impl Entra {
    /// Serve `app`.
    pub fn start(app: App) -> Entra {
        let app = Arc::new(app);
        let srv = Counting::start(move |_, rq| {
            let form: Vec<(String, String)> = url::form_urlencoded::parse(&rq.body).into_owned().collect();
            let host = rq.header("host").unwrap_or("").to_string();
            let token_url = format!("http://{host}{}", rq.path);
            let date = httpdate(now() + app.clock_ahead);
            match check(&app, &form, &token_url) {
                Ok(()) => Reply::json(format!(
                    r#"{{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"entra-standin-token-{}"}}"#,
                    rand_hex()
                ))
                .header("Date", &date),
                Err(id) => {
                    let (status, body) = corpus(id);
                    Reply::status(&status, body)
                        .header("Content-Type", "application/json; charset=utf-8")
                        .header("Date", &date)
                }
            }
        });
        Entra { srv }
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/tenant/oauth2/v2.0/token", self.srv.url())
    }

    /// How many requests came.
    pub fn calls(&self) -> usize {
        self.srv.calls()
    }

    /// The form bodies received.
    pub fn bodies(&self) -> Vec<String> {
        self.srv.bodies()
    }
}

fn rand_hex() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The status line and body of a corpus answer.
fn corpus(id: &str) -> (String, String) {
    let (_, a) = crate::corpus::entries()
        .into_iter()
        .find(|(_, a)| a.get("id").and_then(|v| v.as_str()) == Some(id))
        .unwrap_or_else(|| panic!("no corpus answer {id}"));
    let status = a["status"].as_integer().unwrap();
    let reason = if status == 400 { "Bad Request" } else { "Unauthorized" };
    (format!("{status} {reason}"), a["body"].as_str().unwrap().to_string())
}

fn b64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()
}

fn json_part(s: &str) -> Option<Value> {
    serde_json::from_slice(&b64(s)?).ok()
}

fn thumbprints(der: &[u8]) -> (String, String) {
    let enc = |d: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d);
    (
        enc(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
        enc(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref()),
    )
}

/// `Err(corpus id)` of the answer Entra gives.
fn check(app: &App, form: &[(String, String)], token_url: &str) -> Result<(), &'static str> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(assertion) = get("client_assertion") else {
        return Err("entra-7000218-no-secret-or-assertion");
    };
    if get("client_assertion_type") != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
        return Err("entra-7000218-no-secret-or-assertion");
    }
    let parts: Vec<&str> = assertion.split('.').collect();
    let (Some(header), Some(claims)) = (
        parts.first().and_then(|h| json_part(h)),
        parts.get(1).and_then(|c| json_part(c)),
    ) else {
        return Err("entra-7000218-no-secret-or-assertion");
    };
    let now = now() + app.clock_ahead;
    let num = |k: &str| claims.get(k).and_then(Value::as_i64);
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    if header.get("x5t#S256").is_none() && header.get("x5t").is_none() {
        // A federated credential: an assertion issued by someone else.
        let aud = match claims.get("aud") {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => vec![],
        };
        if num("exp").is_none_or(|e| e < now) {
            return Err("entra-700024-client-assertion-time-range");
        }
        let matched = app
            .federated
            .iter()
            .any(|f| f.issuer == text("iss") && f.subject == text("sub") && aud.contains(&f.audience));
        return if matched {
            Ok(())
        } else {
            Err("entra-70021-no-matching-federated-identity-400")
        };
    }
    // A certificate credential: find the certificate by its thumbprint.
    let cert = app.certificates.iter().find(|der| {
        let (s256, s1) = thumbprints(der);
        header.get("x5t#S256").and_then(Value::as_str) == Some(&s256)
            || (header.get("x5t#S256").is_none() && header.get("x5t").and_then(Value::as_str) == Some(&s1))
    });
    let Some(der) = cert else {
        return Err("entra-700027-certificate-not-registered");
    };
    let (_, x509) = x509_parser::parse_x509_certificate(der).unwrap();
    let spki = x509.public_key().subject_public_key.data.to_vec();
    let alg: &dyn signature::VerificationAlgorithm = match header.get("alg").and_then(Value::as_str) {
        Some("PS256") => &signature::RSA_PSS_2048_8192_SHA256,
        Some("RS256") => &signature::RSA_PKCS1_2048_8192_SHA256,
        Some("ES256") => &signature::ECDSA_P256_SHA256_FIXED,
        _ => return Err("entra-700027-certificate-not-registered"),
    };
    let signed = format!("{}.{}", parts[0], parts[1]);
    let sig = parts.get(2).and_then(|s| b64(s)).unwrap_or_default();
    if signature::UnparsedPublicKey::new(alg, &spki)
        .verify(signed.as_bytes(), &sig)
        .is_err()
    {
        return Err("entra-700027-certificate-not-registered");
    }
    if text("aud") != token_url {
        return Err("entra-70002-50012-assertion-audience-legacy");
    }
    if text("iss") != app.client_id || text("sub") != app.client_id {
        return Err("entra-700027-certificate-not-registered");
    }
    if num("nbf").is_none_or(|n| n > now + 300) || num("exp").is_none_or(|e| e < now) {
        return Err("entra-700024-client-assertion-time-range");
    }
    Ok(())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An IMF-fixdate, as Entra's `Date` header is.
fn httpdate(secs: i64) -> String {
    conn::net::httpdate::format(secs)
}

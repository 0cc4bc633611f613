//! A client's assertion, resolved: a [`Signer`] that makes a fresh RFC 7523 §2.2 JWT for each
//! request (`private_key_jwt`), or an assertion issued by someone else ([`Federated`]) with
//! the claims a person compares with the federated credential registered on the app.
//!
//! Assertions are secrets: each one is registered with the redactor when it is made or read.

use std::sync::Mutex;

use base64::Engine;
use serde_json::{Map, Value, json};

use super::cert::{CertInfo, utc};
use super::key::KeyPair;
use crate::config::assertion::{Alg, Given};
use crate::secret::Secret;

/// How long a signed assertion is valid.
pub const LIFETIME_SECS: i64 = 300;

/// Signs assertions with the client's key.
pub struct Signer {
    /// The key.
    pub key: KeyPair,
    /// The algorithm.
    pub alg: Alg,
    /// The certificate, when one was given.
    pub cert: Option<CertInfo>,
    /// The `kid` header, when set.
    pub key_id: Option<String>,
    /// `iss` and `sub`.
    pub client_id: String,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Signer {
    /// The JWS header: `alg`, `typ`, both thumbprints when there is a certificate, `kid`.
    pub fn header(&self) -> Map<String, Value> {
        let mut h = Map::new();
        h.insert("alg".into(), self.alg.as_str().into());
        h.insert("typ".into(), "JWT".into());
        if let Some(c) = &self.cert {
            h.insert("x5t#S256".into(), c.x5t_s256().into());
            h.insert("x5t".into(), c.x5t().into());
        }
        if let Some(k) = &self.key_id {
            h.insert("kid".into(), k.clone().into());
        }
        h
    }

    /// A new assertion for the token endpoint `aud`, valid from `now` for five minutes.
    pub fn sign(&self, aud: &str, now: i64) -> Result<Secret, String> {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|_| "no random numbers for the assertion's jti".to_string())?;
        let claims = json!({
            "aud": aud,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": id.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "iat": now,
            "nbf": now,
            "exp": now + LIFETIME_SECS,
        });
        let header = Value::Object(self.header()).to_string();
        let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.to_string().as_bytes()));
        let sig = self.key.sign(self.alg, input.as_bytes())?;
        Ok(Secret::new(format!("{input}.{}", b64(&sig))))
    }

    /// One line for the report and `conn show`: the algorithm, and the certificate by its
    /// subject, thumbprints and expiry.
    pub fn describe(&self) -> String {
        match &self.cert {
            Some(c) => format!(
                "assertion signed {} with the certificate {} (SHA-1 thumbprint {}, x5t#S256 {}, expires {})",
                self.alg.as_str(),
                c.subject,
                c.sha1_hex(),
                c.x5t_s256(),
                c.expiry()
            ),
            None => format!(
                "assertion signed {} with {}{}",
                self.alg.as_str(),
                self.key.describe(),
                self.key_id.as_ref().map(|k| format!(" (kid {k})")).unwrap_or_default()
            ),
        }
    }

    /// What identifies this credential in a stored entry: the certificate's thumbprint, or
    /// the public key's digest (never the key).
    pub fn identity(&self) -> String {
        match &self.cert {
            Some(c) => format!("x5t#S256:{}", c.x5t_s256()),
            None => format!("key:{}", crate::secret::fingerprint(&b64(self.key.public_key()))),
        }
    }
}

/// The claims of a given assertion that its federated credential must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// `iss`.
    pub iss: Option<String>,
    /// `sub`.
    pub sub: Option<String>,
    /// `aud` (several joined with spaces).
    pub aud: Option<String>,
    /// `exp`.
    pub exp: Option<i64>,
}

impl Claims {
    /// The unverified claims of a JWT; empty when it is not one.
    pub fn of(jwt: &str) -> Claims {
        let payload = jwt.split('.').nth(1).unwrap_or("");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .unwrap_or_default();
        let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&bytes) else {
            return Claims::default();
        };
        let text = |k: &str| m.get(k).and_then(Value::as_str).map(|s| crate::finding::clean(s, 200));
        let aud = match m.get("aud") {
            Some(Value::Array(a)) => Some(
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|s| crate::finding::clean(s, 200))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => text("aud"),
        };
        Claims {
            iss: text("iss"),
            sub: text("sub"),
            aud,
            exp: m.get("exp").and_then(Value::as_i64),
        }
    }

    /// `iss …, sub …, aud …, expires …`.
    pub fn describe(&self) -> String {
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        format!(
            "iss {}, sub {}, aud {}, expires {}",
            or(&self.iss),
            or(&self.sub),
            or(&self.aud),
            self.exp.map_or("(no exp)".into(), utc)
        )
    }
}

/// An assertion issued by someone else.
pub struct Federated {
    /// Where it comes from.
    pub given: Given,
    /// The assertion, once read (a GitHub Actions token is asked for with the request).
    value: Mutex<Option<Secret>>,
}

impl Federated {
    /// A federated credential, with its value when already read.
    pub fn new(given: Given, value: Option<Secret>) -> Federated {
        Federated {
            given,
            value: Mutex::new(value),
        }
    }

    /// The assertion, when it has been read.
    pub fn value(&self) -> Option<Secret> {
        self.value.lock().ok().and_then(|v| v.clone())
    }

    /// Keep the assertion just read.
    pub fn set(&self, s: Secret) {
        if let Ok(mut v) = self.value.lock() {
            *v = Some(s);
        }
    }

    /// Its claims (empty until read).
    pub fn claims(&self) -> Claims {
        self.value().map(|v| Claims::of(v.expose())).unwrap_or_default()
    }

    /// One line for the report: the source and the claims.
    pub fn describe(&self) -> String {
        format!(
            "federated assertion from {}: {}",
            self.given.describe(),
            self.claims().describe()
        )
    }

    /// What identifies this credential in a stored entry: its source and claims.
    pub fn identity(&self) -> String {
        // A GitHub Actions token is asked for only with the request: its source (with the
        // audience) is what is known before.
        if matches!(self.given, Given::GithubOidc { .. }) {
            return format!("given:{}", self.given.describe());
        }
        let c = self.claims();
        let part = |v: &Option<String>| v.clone().unwrap_or_default();
        format!(
            "given:{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.given.describe(),
            part(&c.iss),
            part(&c.sub),
            part(&c.aud)
        )
    }
}

/// How the client proves itself.
pub enum ClientAssertion {
    /// A key that signs.
    Signed(Box<Signer>),
    /// An assertion issued by someone else.
    Given(Federated),
}

impl ClientAssertion {
    /// One line for the report.
    pub fn describe(&self) -> String {
        match self {
            ClientAssertion::Signed(s) => s.describe(),
            ClientAssertion::Given(f) => f.describe(),
        }
    }

    /// What identifies the credential in a stored entry.
    pub fn identity(&self) -> String {
        match self {
            ClientAssertion::Signed(s) => s.identity(),
            ClientAssertion::Given(f) => f.identity(),
        }
    }

    /// The certificate, when one signs.
    pub fn cert(&self) -> Option<&CertInfo> {
        match self {
            ClientAssertion::Signed(s) => s.cert.as_ref(),
            ClientAssertion::Given(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_of_a_jwt() {
        let p = b64(br#"{"iss":"https://token.actions.githubusercontent.com","sub":"repo:o/r:ref:refs/heads/main","aud":["api://AzureADTokenExchange"],"exp":0}"#);
        let c = Claims::of(&format!("e30.{p}.sig"));
        assert_eq!(c.iss.as_deref(), Some("https://token.actions.githubusercontent.com"));
        assert_eq!(c.aud.as_deref(), Some("api://AzureADTokenExchange"));
        assert!(c.describe().contains("expires 1970-01-01 00:00 UTC"));
        assert_eq!(Claims::of("not a jwt"), Claims::default());
    }
}

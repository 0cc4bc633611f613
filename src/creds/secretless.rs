//! Resolving the credential of a client without a secret: the key and certificate read and
//! checked against each other, the algorithm settled, an expired certificate refused before
//! any request; or the federated assertion read from its source.

use super::assertion::{ClientAssertion, Federated, Signer};
use super::cert::CertInfo;
use super::key::KeyPair;
use super::pkcs12::{self, Pkcs12Error};
use crate::config::assertion::{Assertion, GITHUB_OIDC_VARS, Given, KeyFile, Signing};
use crate::exit::Category;
use crate::failure::Failure;

fn config(kind: &'static str, summary: String, hint: &str) -> Failure {
    Failure::plain(kind, Category::Config, summary).hint(hint)
}

/// Resolve `a` for the client `client_id`.
pub fn resolve(a: &Assertion, client_id: &str) -> Result<ClientAssertion, Failure> {
    match a {
        Assertion::Signed(s) => signer(s, client_id).map(|s| ClientAssertion::Signed(Box::new(s))),
        Assertion::Given(g) => given(g).map(ClientAssertion::Given),
    }
}

fn given(g: &Given) -> Result<Federated, Failure> {
    match g {
        Given::Source(src) => {
            let v = src.resolve().map_err(|e| {
                config(
                    "secret_unavailable",
                    format!("cannot get the client_assertion: {e}"),
                    "set the variable, create the file or fix the command named, then run again",
                )
            })?;
            Ok(Federated::new(g.clone(), Some(v)))
        }
        Given::GithubOidc { .. } => {
            let missing: Vec<&str> = GITHUB_OIDC_VARS
                .iter()
                .copied()
                .filter(|v| std::env::var_os(v).is_none_or(|x| x.is_empty()))
                .collect();
            if !missing.is_empty() {
                return Err(config(
                    "github_oidc_unavailable",
                    format!(
                        "client_assertion = {{ github_oidc }} needs {} and {}, which GitHub Actions sets only in a job with `permissions: id-token: write`; not set here: {}",
                        GITHUB_OIDC_VARS[0],
                        GITHUB_OIDC_VARS[1],
                        missing.join(", ")
                    ),
                    "run this in a GitHub Actions job whose permissions include `id-token: write`, or give client_assertion as { file }, { env } or { command }",
                ));
            }
            Ok(Federated::new(g.clone(), None))
        }
    }
}

fn signer(s: &Signing, client_id: &str) -> Result<Signer, Failure> {
    let bad_key = |e: String| {
        // A key read but too weak or damaged to sign with needs a new key, not another format.
        let hint = if e.contains(" bits") {
            "make a new key and certificate, e.g. openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=conn -days 365, and upload cert.pem on the app"
        } else {
            "private_key must be a PEM key: PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY)"
        };
        config("assertion_key_unreadable", format!("the private_key {e}"), hint)
    };
    let (key, cert) = match &s.key {
        KeyFile::Pem {
            certificate,
            private_key,
        } => {
            let text = private_key.resolve_text().map_err(|e| {
                config(
                    "secret_unavailable",
                    format!("cannot get the private_key: {e}"),
                    "set the variable, create the file or fix the command named, then run again",
                )
            })?;
            let key = KeyPair::from_pem(text.expose().as_bytes())
                .map_err(|e| bad_key(format!("({}) {e}", private_key.describe())))?;
            let cert = match certificate {
                Some(path) => Some(CertInfo::from_file(path).map_err(|e| {
                    config("assertion_certificate_unreadable", format!("client_certificate: {e}"), "client_certificate must be the PEM certificate that was uploaded to the app (BEGIN CERTIFICATE)")
                })?),
                None => None,
            };
            (key, cert)
        }
        KeyFile::Pkcs12 { path, password } => {
            let pw = match password {
                Some(src) => Some(src.resolve().map_err(|e| {
                    config(
                        "secret_unavailable",
                        format!("cannot get the pkcs12_password: {e}"),
                        "set the variable, create the file or fix the command named, then run again",
                    )
                })?),
                None => None,
            };
            let c = pkcs12::read(path, pw.as_ref().map_or("", |p| p.expose())).map_err(|e| match e {
                Pkcs12Error::Password => config(
                    "pkcs12_password_wrong",
                    format!(
                        "{} cannot be opened with {}: the password is wrong",
                        path.display(),
                        if pw.is_some() {
                            "the pkcs12_password given"
                        } else {
                            "no password"
                        }
                    ),
                    "set pkcs12_password to the password chosen when the file was exported",
                ),
                Pkcs12Error::Other(m) => config(
                    "assertion_certificate_unreadable",
                    format!("client_pkcs12: {m}"),
                    "client_pkcs12 must be a PKCS#12 (.pfx) file with the key and its certificate",
                ),
            })?;
            let key = KeyPair::from_pkcs8(&c.key_pkcs8).map_err(|e| bad_key(format!("in {} {e}", path.display())))?;
            (key, Some(c.cert))
        }
    };
    if let Some(c) = &cert {
        if c.public_key != key.public_key() {
            return Err(config(
                "assertion_key_mismatch",
                "the private_key does not belong to client_certificate: they are of two different key pairs".into(),
                "give the key that was created with this certificate; the server would reject every assertion",
            ));
        }
        let now = crate::clock::now_secs();
        if c.not_after < now {
            return Err(Failure::plain(
                "certificate_expired",
                Category::Authentication,
                format!("the certificate {} (SHA-1 thumbprint {}) expired on {}: no request was sent", c.subject, c.sha1_hex(), c.expiry()),
            )
            .hint("create a new certificate, upload it to the app (Entra: App registrations → Certificates & secrets → Certificates) and point the profile at it"));
        }
    }
    let alg = key.alg_for(s.alg, s.alg_set).map_err(|e| {
        config(
            "assertion_alg_mismatch",
            e,
            "assertion_alg must fit the key: PS256 or RS256 for RSA, ES256 for EC P-256",
        )
    })?;
    Ok(Signer {
        key,
        alg,
        cert,
        key_id: s.key_id.clone(),
        client_id: client_id.to_string(),
    })
}

/// What `conn validate` reports of a client without a secret, as (key, message): a PEM
/// certificate that cannot be read or has expired (it is not a secret, so always read); with
/// `secrets`, the key, the PKCS#12 file and the assertion's source, or for `github_oidc` that
/// both variables are set. Never makes a request.
pub fn problems(a: &Assertion, client_id: &str, secrets: bool) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Assertion::Signed(Signing {
        key: KeyFile::Pem {
            certificate: Some(path),
            ..
        },
        ..
    }) = a
    {
        match CertInfo::from_file(path) {
            Err(e) => out.push(("client_certificate", e)),
            Ok(c) if c.not_after < crate::clock::now_secs() => out.push((
                "client_certificate",
                format!(
                    "the certificate {} (SHA-1 thumbprint {}) expired on {}",
                    c.subject,
                    c.sha1_hex(),
                    c.expiry()
                ),
            )),
            Ok(_) => {}
        }
    }
    if secrets && out.is_empty() {
        let key = match a {
            Assertion::Signed(Signing {
                key: KeyFile::Pkcs12 { .. },
                ..
            }) => "client_pkcs12",
            Assertion::Signed(_) => "private_key",
            Assertion::Given(_) => "client_assertion",
        };
        if let Err(f) = resolve(a, client_id) {
            out.push((key, f.summary()));
        }
    }
    out
}

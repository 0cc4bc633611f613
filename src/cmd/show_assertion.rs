//! `conn show`'s rows for a client without a secret: the certificate's subject, expiry and
//! thumbprints (a PEM certificate is not a secret and is read; a PKCS#12 file only when it
//! has no password), where the key and the assertion come from. Nothing secret is resolved.

use crate::config::assertion::{Assertion, Given, KeyFile, Signing};
use crate::creds::cert::{CertInfo, WARN_DAYS};
use crate::creds::pkcs12;

/// The rows, as (key, value).
pub fn rows(a: &Assertion) -> Vec<(String, String)> {
    let mut r: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: String| r.push((k.to_string(), v));
    match a {
        Assertion::Given(g) => add(
            "client_assertion",
            match g {
                Given::Source(s) => s.describe(),
                Given::GithubOidc { .. } => g.describe(),
            },
        ),
        Assertion::Signed(Signing {
            key,
            alg,
            alg_set,
            key_id,
        }) => {
            let cert = match key {
                KeyFile::Pem {
                    certificate,
                    private_key,
                } => {
                    add("private_key", private_key.describe());
                    certificate.as_ref().map(|path| {
                        add("client_certificate", path.display().to_string());
                        CertInfo::from_file(path)
                    })
                }
                KeyFile::Pkcs12 { path, password } => {
                    add("client_pkcs12", path.display().to_string());
                    match password {
                        Some(p) => {
                            add("pkcs12_password", p.describe());
                            add("certificate", "in the password-protected PKCS#12 file: `conn test` reports its thumbprints (the token step)".into());
                            None
                        }
                        None => Some(match pkcs12::read(path, "") {
                            Ok(c) => Ok(c.cert),
                            Err(pkcs12::Pkcs12Error::Password) => {
                                Err("the file needs a password: set pkcs12_password".into())
                            }
                            Err(pkcs12::Pkcs12Error::Other(m)) => Err(m),
                        }),
                    }
                }
            };
            match cert {
                Some(Ok(c)) => certificate(&c, &mut add),
                Some(Err(e)) => add("problem", e),
                None => {}
            }
            let how = if *alg_set { "" } else { " (default here)" };
            add("assertion_alg", format!("{}{how}", alg.as_str()));
            if let Some(k) = key_id {
                add("key_id", k.clone());
            }
        }
    }
    r
}

fn certificate(c: &CertInfo, add: &mut impl FnMut(&str, String)) {
    add("certificate", c.subject.clone());
    add("expires", c.expiry());
    add("SHA-1 thumbprint", c.sha1_hex());
    add("x5t#S256", c.x5t_s256());
    let left = c.days_left(crate::clock::now_secs());
    if left < 0 {
        add(
            "problem",
            "the certificate has expired: `conn test` fails before sending a request".into(),
        );
    } else if left < WARN_DAYS {
        add(
            "warning",
            format!("the certificate expires in {left} days: create a new one and upload it to the app"),
        );
    }
}

//! The demo's certificates: a self-signed EC P-256 certificate and its key, made fresh for
//! each `conn demo` run with `ring` (nothing with a private key ships with conn), written to a
//! private temporary directory that is removed when the demo ends.

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};

/// A certificate and its key, as files.
pub struct DemoCert {
    /// DER of the certificate (registered on the fake's app when it should be).
    pub der: Vec<u8>,
    /// The PEM certificate file.
    pub cert: std::path::PathBuf,
    /// The PEM PKCS#8 key file.
    pub key: std::path::PathBuf,
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if body.len() < 0x80 {
        out.push(body.len() as u8);
    } else {
        let len: Vec<u8> = body.len().to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | len.len() as u8);
        out.extend_from_slice(&len);
    }
    out.extend_from_slice(body);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// `CN=cn` as an X.501 Name.
fn name(cn: &str) -> Vec<u8> {
    let atv = seq(&[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x0c, cn.as_bytes())]);
    seq(&[tlv(0x31, &atv)])
}

/// UTCTime `YYMMDDHHMMSSZ`.
fn utc_time(secs: i64) -> Vec<u8> {
    let (y, m, d, hh, mm, ss) = crate::clock::civil(secs);
    tlv(
        0x17,
        format!("{:02}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z", y % 100).as_bytes(),
    )
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// A new self-signed certificate for `cn`, valid from an hour ago for `days`, written as
/// `{name}.crt` and `{name}.key` into `dir`.
pub fn make(dir: &std::path::Path, name_: &str, cn: &str, days: i64) -> Result<DemoCert, String> {
    let rng = SystemRandom::new();
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).map_err(|_| "no key".to_string())?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| "no key".to_string())?;
    // ecdsa-with-SHA256; id-ecPublicKey with prime256v1.
    let sig_alg = seq(&[tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])]);
    let key_alg = seq(&[
        tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
        tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
    ]);
    let mut serial = [0u8; 12];
    getrandom::fill(&mut serial).map_err(|_| "no random serial".to_string())?;
    serial[0] &= 0x7f;
    let now = crate::clock::now_secs();
    let spki = seq(&[key_alg, tlv(0x03, &[&[0u8][..], key.public_key().as_ref()].concat())]);
    let tbs = seq(&[
        tlv(0xa0, &tlv(0x02, &[2])),
        tlv(0x02, &serial),
        sig_alg.clone(),
        name(cn),
        seq(&[utc_time(now - 3600), utc_time(now + days * 86_400)]),
        name(cn),
        spki,
    ]);
    let sig = key.sign(&rng, &tbs).map_err(|_| "cannot sign".to_string())?;
    let der = seq(&[tbs, sig_alg, tlv(0x03, &[&[0u8][..], sig.as_ref()].concat())]);
    let cert = dir.join(format!("{name_}.crt"));
    let key_file = dir.join(format!("{name_}.key"));
    let write =
        |p: &std::path::Path, text: String| crate::atomic::write(p, text.as_bytes(), 0o600).map_err(|e| e.to_string());
    write(&cert, pem("CERTIFICATE", &der))?;
    write(&key_file, pem("PRIVATE KEY", pkcs8.as_ref()))?;
    Ok(DemoCert {
        der,
        cert,
        key: key_file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demo_certificate_is_read_back_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let c = make(dir.path(), "demo", "conn-demo", 90).unwrap();
        let info = crate::creds::cert::CertInfo::from_file(&c.cert).unwrap();
        assert_eq!(info.subject, "CN=conn-demo");
        let key = crate::creds::key::KeyPair::from_pem(&std::fs::read(&c.key).unwrap()).unwrap();
        assert_eq!(info.public_key, key.public_key());
        assert!(info.days_left(crate::clock::now_secs()) >= 89);
    }
}

//! The private key that signs assertions: read from PEM (PKCS#8, PKCS#1 RSA, SEC1 EC) or
//! from PKCS#8 DER (what a PKCS#12 file holds), and the JWS signatures RS256, PS256 and ES256
//! made with `ring`.
//!
//! A key is never shown: errors say what kind of text was found, never any of it.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

use crate::config::assertion::Alg;

/// A key that can sign.
pub enum KeyPair {
    /// RSA: RS256 or PS256.
    Rsa(RsaKeyPair),
    /// EC P-256: ES256.
    Ec(EcdsaKeyPair),
}

impl KeyPair {
    /// Read a PEM key.
    pub fn from_pem(text: &[u8]) -> Result<KeyPair, String> {
        if text.windows(9).any(|w| w == b"ENCRYPTED") {
            return Err("is an encrypted PEM key, which conn does not read: export it without a passphrase (openssl pkey) or use client_pkcs12 with pkcs12_password".into());
        }
        match PrivateKeyDer::from_pem_slice(text) {
            Ok(PrivateKeyDer::Pkcs8(k)) => KeyPair::from_pkcs8(k.secret_pkcs8_der()),
            Ok(PrivateKeyDer::Pkcs1(k)) => RsaKeyPair::from_der(k.secret_pkcs1_der())
                .map(KeyPair::Rsa)
                .map_err(rsa_refused),
            Ok(PrivateKeyDer::Sec1(k)) => KeyPair::from_pkcs8(&sec1_to_pkcs8(k.secret_sec1_der())),
            _ => Err("holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)".into()),
        }
    }

    /// Read a PKCS#8 DER key, RSA or EC P-256.
    pub fn from_pkcs8(der: &[u8]) -> Result<KeyPair, String> {
        match RsaKeyPair::from_pkcs8(der) {
            Ok(k) => return Ok(KeyPair::Rsa(k)),
            // An RSA key, but one ring will not sign with: say why, not "not RSA or EC".
            Err(e) if e.to_string() != "WrongAlgorithm" && e.to_string() != "InvalidEncoding" => {
                return Err(rsa_refused(e));
            }
            Err(_) => {}
        }
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new())
            .map(KeyPair::Ec)
            .map_err(|_| "is neither an RSA key nor an EC key on P-256, the curves JWS ES256 uses".into())
    }

    /// What kind of key, as a person names it.
    pub fn describe(&self) -> &'static str {
        match self {
            KeyPair::Rsa(_) => "an RSA key",
            KeyPair::Ec(_) => "an EC P-256 key",
        }
    }

    /// The algorithm this key signs with, given what the profile chose. An EC key takes
    /// ES256 unless another was written; an RSA key cannot sign ES256.
    pub fn alg_for(&self, chosen: Alg, written: bool) -> Result<Alg, String> {
        match (self, chosen) {
            (KeyPair::Ec(_), Alg::Es256) | (KeyPair::Rsa(_), Alg::Rs256 | Alg::Ps256) => Ok(chosen),
            (KeyPair::Ec(_), _) if !written => Ok(Alg::Es256),
            (KeyPair::Ec(_), a) => Err(format!(
                "the key is an EC key, which signs only ES256, but assertion_alg = \"{}\": set assertion_alg = \"ES256\"",
                a.as_str()
            )),
            (KeyPair::Rsa(_), _) => {
                Err("the key is an RSA key, which cannot sign ES256: set assertion_alg = \"PS256\" or \"RS256\"".into())
            }
        }
    }

    /// The public key's bytes (SubjectPublicKeyInfo contents): compared with a certificate's.
    pub fn public_key(&self) -> &[u8] {
        match self {
            KeyPair::Rsa(k) => k.public_key().as_ref(),
            KeyPair::Ec(k) => k.public_key().as_ref(),
        }
    }

    /// Sign `message` with `alg` (which [`KeyPair::alg_for`] allowed).
    pub fn sign(&self, alg: Alg, message: &[u8]) -> Result<Vec<u8>, String> {
        let rng = SystemRandom::new();
        match self {
            KeyPair::Rsa(k) => {
                let padding: &dyn signature::RsaEncoding = match alg {
                    Alg::Ps256 => &signature::RSA_PSS_SHA256,
                    _ => &signature::RSA_PKCS1_SHA256,
                };
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(padding, &rng, message, &mut sig)
                    .map_err(|_| "the RSA signature failed".to_string())?;
                Ok(sig)
            }
            KeyPair::Ec(k) => k
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| "the ECDSA signature failed".to_string()),
        }
    }
}

/// Wrap a SEC1 `ECPrivateKey` into PKCS#8 (RFC 5208) for P-256, which is what `ring` reads.
fn sec1_to_pkcs8(sec1: &[u8]) -> Vec<u8> {
    // AlgorithmIdentifier { id-ecPublicKey, prime256v1 }
    const ALG: &[u8] = &[
        0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
        0x03, 0x01, 0x07,
    ];
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(ALG);
    body.push(0x04);
    der_len(&mut body, sec1.len());
    body.extend_from_slice(sec1);
    let mut out = vec![0x30];
    der_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
}

/// Why an RSA key cannot sign, in words (ring names the reason in one CamelCase word).
fn rsa_refused(e: ring::error::KeyRejected) -> String {
    match e.to_string().as_str() {
        "TooSmall" => "is an RSA key shorter than 2048 bits, which conn does not sign with (nor does Entra accept it): make a 2048-bit or longer key and upload its certificate".into(),
        "TooLarge" => "is an RSA key longer than 8192 bits, which conn does not sign with".into(),
        "InconsistentComponents" | "PrivateModulusLenNotMultipleOf512Bits" => {
            "is an RSA key whose parts do not fit together (a damaged or hand-edited key)".into()
        }
        _ => "is not a usable RSA key".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_keys_sign_in_the_fixed_form() {
        let k = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let key = KeyPair::from_pem(k.serialize_pem().as_bytes()).unwrap();
        assert_eq!(key.alg_for(Alg::Ps256, false).unwrap(), Alg::Es256);
        assert!(key.alg_for(Alg::Rs256, true).is_err());
        let sig = key.sign(Alg::Es256, b"msg").unwrap();
        assert_eq!(sig.len(), 64);
        let public = signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, key.public_key());
        public.verify(b"msg", &sig).unwrap();
    }

    #[test]
    fn what_is_not_a_key_is_named_never_shown() {
        let e = KeyPair::from_pem(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
            .err()
            .unwrap();
        assert!(e.contains("no PEM private key"), "{e}");
        let e =
            KeyPair::from_pem(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
                .err()
                .unwrap();
        assert!(e.contains("encrypted"), "{e}");
    }
}

//! Random values of a login: PKCE verifier and S256 challenge (RFC 7636), `state`, `nonce`.

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// 32 random bytes, base64url without padding (43 characters): RFC 7636 §7.1's advice for
/// a verifier, and enough for `state` and `nonce` too.
pub fn random() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the operating system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A PKCE pair.
pub struct Pkce {
    /// Sent with the token request; never shown.
    pub verifier: Secret,
    /// Sent with the authorization request.
    pub challenge: String,
}

/// A fresh PKCE pair.
pub fn pkce() -> Pkce {
    let v = random();
    let challenge = challenge(&v);
    Pkce {
        verifier: Secret::new(v),
        challenge,
    }
}

/// `BASE64URL(SHA256(ASCII(verifier)))`.
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_random_and_unreserved() {
        let a = random();
        let b = random();
        assert_ne!(a, b);
        assert!((43..=128).contains(&a.len()));
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c)));
    }
}

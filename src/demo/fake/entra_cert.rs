//! The fake Entra's check of a certificate credential: the assertion's `x5t#S256` header
//! names one of the app's uploaded certificates and that certificate's key verifies the
//! signature (<https://learn.microsoft.com/entra/identity-platform/certificate-credentials>).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature;

/// Whether `jwt` is signed by the key of one of `certificates`, named by its thumbprint.
pub(super) fn verifies(certificates: &[Vec<u8>], jwt: &str) -> bool {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, sig] = parts[..] else { return false };
    let Some(header) = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
    else {
        return false;
    };
    let named = header.get("x5t#S256").and_then(|v| v.as_str()).unwrap_or("");
    let Some(der) = certificates
        .iter()
        .find(|d| URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, d)) == named)
    else {
        return false;
    };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return false;
    };
    let alg: &dyn signature::VerificationAlgorithm = match header.get("alg").and_then(|v| v.as_str()) {
        Some("PS256") => &signature::RSA_PSS_2048_8192_SHA256,
        Some("RS256") => &signature::RSA_PKCS1_2048_8192_SHA256,
        Some("ES256") => &signature::ECDSA_P256_SHA256_FIXED,
        _ => return false,
    };
    let key = cert.public_key().subject_public_key.data.to_vec();
    let sig = URL_SAFE_NO_PAD.decode(sig).unwrap_or_default();
    signature::UnparsedPublicKey::new(alg, &key)
        .verify(format!("{h}.{c}").as_bytes(), &sig)
        .is_ok()
}

//! The certificate that names an assertion's key: read from PEM or DER, its subject, its
//! validity and its thumbprints as the servers and the Azure portal show them.
//!
//! A certificate is not a secret; its thumbprints are how Entra finds the key
//! (`x5t#S256`, and the older `x5t`) and how a person compares it with the portal's list.

use base64::Engine;
use ring::digest;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Days before expiry from which a certificate earns a warning.
pub const WARN_DAYS: i64 = 30;

/// What conn knows of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// The DER bytes.
    pub der: Vec<u8>,
    /// Subject, RFC 4514 style (`CN=portfolios-conn`).
    pub subject: String,
    /// Start of validity, seconds since the epoch.
    pub not_before: i64,
    /// End of validity, seconds since the epoch.
    pub not_after: i64,
    /// The subject public key (RSAPublicKey DER, or the EC point), to match the key with.
    pub public_key: Vec<u8>,
}

impl CertInfo {
    /// Read a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<CertInfo, String> {
        let (_, cert) =
            x509_parser::parse_x509_certificate(der).map_err(|_| "is not a valid X.509 certificate".to_string())?;
        let v = cert.validity();
        Ok(CertInfo {
            der: der.to_vec(),
            subject: crate::finding::clean(&cert.subject().to_string(), 200),
            not_before: v.not_before.timestamp(),
            not_after: v.not_after.timestamp(),
            public_key: cert.public_key().subject_public_key.data.to_vec(),
        })
    }

    /// Read the first certificate of a PEM text.
    pub fn from_pem(text: &[u8]) -> Result<CertInfo, String> {
        let der = CertificateDer::from_pem_slice(text)
            .map_err(|_| "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".to_string())?;
        CertInfo::from_der(der.as_ref())
    }

    /// Read a PEM certificate file.
    pub fn from_file(path: &std::path::Path) -> Result<CertInfo, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read {}: {}", path.display(), crate::secret::io_reason(&e)))?;
        CertInfo::from_pem(&bytes).map_err(|e| format!("{} {e}", path.display()))
    }

    /// SHA-1 in upper-case hex, as the Azure portal lists it.
    pub fn sha1_hex(&self) -> String {
        digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// `x5t`: base64url SHA-1.
    pub fn x5t(&self) -> String {
        b64(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der).as_ref())
    }

    /// `x5t#S256`: base64url SHA-256.
    pub fn x5t_s256(&self) -> String {
        b64(digest::digest(&digest::SHA256, &self.der).as_ref())
    }

    /// Whole days of validity left at `now` (negative once expired).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }

    /// The expiry as shown: `2027-01-31 12:00 UTC`.
    pub fn expiry(&self) -> String {
        utc(self.not_after)
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM UTC`.
pub fn utc(secs: i64) -> String {
    let (y, m, d, hh, mm, _) = crate::clock::civil(secs);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_709_251_199), "2024-02-29 23:59 UTC");
        assert_eq!(utc(-86_400), "1969-12-31 00:00 UTC");
    }

    #[test]
    fn thumbprints_of_a_certificate() {
        let ck = rcgen::generate_simple_self_signed(vec!["conn-test".into()]).unwrap();
        let info = CertInfo::from_pem(ck.cert.pem().as_bytes()).unwrap();
        let sha1 = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, ck.cert.der());
        assert_eq!(info.sha1_hex().len(), 40);
        assert!(
            info.sha1_hex()
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert_eq!(info.x5t(), b64(sha1.as_ref()));
        assert_eq!(info.x5t_s256().len(), 43);
        assert!(info.subject.contains("CN="), "{}", info.subject);
        assert!(CertInfo::from_pem(b"nothing").is_err());
    }
}

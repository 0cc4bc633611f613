//! Reading a PKCS#12 (`.pfx`, `.p12`) file: the key and its certificate, as the Azure portal,
//! Key Vault and `openssl pkcs12 -export` write them (PBES2 AES-256-CBC with PBKDF2, and the
//! legacy 3DES and RC2-40 schemes), with the pure-Rust `p12-keystore` reader.

use std::path::Path;

use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as P12Error;

use super::cert::CertInfo;

/// Largest PKCS#12 file read.
const MAX_BYTES: u64 = 1024 * 1024;

/// The key (PKCS#8 DER, a secret) and the certificate of a PKCS#12 file.
pub struct Contents {
    /// The private key, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
    /// Its certificate.
    pub cert: CertInfo,
}

/// Why a PKCS#12 file could not be read: the password, or the file.
pub enum Pkcs12Error {
    /// The integrity check failed: the password is wrong (or missing).
    Password,
    /// Anything else, said without content.
    Other(String),
}

/// Read `path` with `password` (`""` when it has none).
pub fn read(path: &Path, password: &str) -> Result<Contents, Pkcs12Error> {
    use std::io::Read;
    let shown = path.display();
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut data))
        .map_err(|e| Pkcs12Error::Other(format!("cannot read {shown}: {}", crate::secret::io_reason(&e))))?;
    if data.len() as u64 > MAX_BYTES {
        return Err(Pkcs12Error::Other(format!("{shown} is larger than 1 MiB")));
    }
    let archive = Pkcs12Archive::from_pkcs12(&data, password).map_err(|e| match e {
        P12Error::MacError(_) => Pkcs12Error::Password,
        P12Error::UnsupportedEncryptionScheme | P12Error::UnsupportedMacAlgorithm => Pkcs12Error::Other(format!(
            "{shown} uses an encryption conn cannot read; export it again with AES-256 (openssl pkcs12 -export, the default of OpenSSL 3)"
        )),
        _ => Pkcs12Error::Other(format!("{shown} is not a PKCS#12 file conn can read")),
    })?;
    let Some(key) = archive.keys.first() else {
        return Err(Pkcs12Error::Other(format!("{shown} holds no private key")));
    };
    let id = key.local_key_id.as_ref().map(|k| k.0.clone());
    let bag = archive
        .certs
        .iter()
        .find(|c| id.is_some() && c.local_key_id == id)
        .or_else(|| archive.certs.iter().find(|c| !c.trusted))
        .or_else(|| archive.certs.first());
    let Some(bag) = bag else {
        return Err(Pkcs12Error::Other(format!("{shown} holds no certificate")));
    };
    let cert = CertInfo::from_der(bag.cert.as_der())
        .map_err(|e| Pkcs12Error::Other(format!("the certificate in {shown} {e}")))?;
    Ok(Contents {
        key_pkcs8: key.key.as_der().to_vec(),
        cert,
    })
}

//! The settings of a client that proves itself without a secret: a certificate's key that
//! signs an assertion (`client_auth = "private_key_jwt"`, RFC 7523 §2.2) or an assertion
//! issued by someone else (`client_auth = "client_assertion"`: a federated, workload
//! identity credential). Nothing here is read from disk: the files and sources are resolved
//! by `creds` when a command needs them.

use std::path::PathBuf;

use crate::secret::Source;

/// The JWS algorithm an assertion is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256 and a 32-byte salt (RFC 7518 §3.5).
    Ps256,
    /// ECDSA P-256 with SHA-256, the fixed `r || s` form.
    Es256,
}

impl Alg {
    /// Every algorithm, as written in the file.
    pub const NAMES: [&'static str; 3] = ["PS256", "RS256", "ES256"];

    /// As written in the file and in the JWS header.
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Ps256 => "PS256",
            Alg::Es256 => "ES256",
        }
    }

    /// The algorithm named `s`.
    pub fn from_name(s: &str) -> Option<Alg> {
        match s {
            "RS256" => Some(Alg::Rs256),
            "PS256" => Some(Alg::Ps256),
            "ES256" => Some(Alg::Es256),
            _ => None,
        }
    }
}

/// Where the signing key (and the certificate that names it) come from.
#[derive(Debug, Clone)]
pub enum KeyFile {
    /// A PEM key, and the PEM certificate that was registered, when given.
    Pem {
        /// `client_certificate`: the public part, as uploaded.
        certificate: Option<PathBuf>,
        /// `private_key`: PEM PKCS#8, PKCS#1 RSA or SEC1 EC, from any secret source.
        private_key: Source,
    },
    /// `client_pkcs12`: key and certificate in one file, as the Azure portal and Key Vault
    /// export them.
    Pkcs12 {
        /// The file.
        path: PathBuf,
        /// `pkcs12_password`, when the file has one.
        password: Option<Source>,
    },
}

/// `client_auth = "private_key_jwt"`: conn signs the assertion itself.
#[derive(Debug, Clone)]
pub struct Signing {
    /// The key.
    pub key: KeyFile,
    /// The algorithm.
    pub alg: Alg,
    /// Whether `assertion_alg` was written (else it was chosen from the token URL, and an EC
    /// key takes ES256).
    pub alg_set: bool,
    /// `key_id`: the `kid` header, when set.
    pub key_id: Option<String>,
}

/// `client_auth = "client_assertion"`: where the assertion comes from.
#[derive(Debug, Clone)]
pub enum Given {
    /// A file, variable or command (AKS: `AZURE_FEDERATED_TOKEN_FILE`).
    Source(Source),
    /// The GitHub Actions job's own OIDC token, for this audience.
    GithubOidc {
        /// The `audience` asked for.
        audience: String,
    },
}

impl Given {
    /// How the source is shown (never a value).
    pub fn describe(&self) -> String {
        match self {
            Given::Source(s) => s.describe(),
            Given::GithubOidc { audience } => format!("GitHub Actions OIDC token (audience {audience})"),
        }
    }
}

/// How a client proves itself without a secret.
#[derive(Debug, Clone)]
pub enum Assertion {
    /// A certificate's key signs an assertion for each request.
    Signed(Signing),
    /// An assertion issued by someone else.
    Given(Given),
}

/// The variables a GitHub Actions job with `id-token: write` has.
pub const GITHUB_OIDC_VARS: [&str; 2] = ["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"];

/// Login hosts of Microsoft Entra ID, where PS256 is the default.
pub const ENTRA_HOSTS: [&str; 3] = [
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
];

/// The keys of a client without a secret, in every table that has `client_auth` (Hypatos
/// aside).
pub const ASSERTION_KEYS: &[&str] = &[
    "client_certificate",
    "private_key",
    "client_pkcs12",
    "pkcs12_password",
    "assertion_alg",
    "key_id",
    "client_assertion",
];

/// The keys of the certificate that signs assertions; never offered for the mutual-TLS
/// keys (`client_cert`, `client_key`), nor those for these.
pub const SIGNING_FAMILY: &[&str] = &["client_certificate", "private_key", "client_pkcs12", "pkcs12_password"];
/// The keys of the mutual-TLS client certificate.
pub const TLS_FAMILY: &[&str] = &["client_cert", "client_key"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_names() {
        // The parser takes every key but the last as the signing key's.
        assert_eq!(ASSERTION_KEYS.last(), Some(&"client_assertion"));
        assert!(SIGNING_FAMILY.iter().all(|k| ASSERTION_KEYS.contains(k)));
        for n in Alg::NAMES {
            assert_eq!(Alg::from_name(n).map(Alg::as_str), Some(n));
        }
    }
}

//! Certificates and keys for the assertion tests, made at test time with the openssl CLI
//! (scripts/test.sh installs it) in a temporary directory: nothing with a private key is
//! committed. Each fixture also says what a server must see: its thumbprints and its public
//! key.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::Digest;

/// A certificate and its key, in every form a profile may name.
pub struct KeyPair {
    /// Kept alive for the files.
    _dir: tempfile::TempDir,
    /// PEM certificate.
    pub cert: PathBuf,
    /// PEM PKCS#8 key.
    pub key: PathBuf,
    /// The same key in its traditional form (PKCS#1 RSA, SEC1 EC).
    pub key_traditional: PathBuf,
    /// PEM public key.
    pub public_pem: String,
    /// DER of the certificate.
    pub der: Vec<u8>,
}

/// An RSA (2048) or EC P-256 key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// RSA 2048.
    Rsa,
    /// RSA 1024: too short to sign with.
    Rsa1024,
    /// EC P-256.
    Ec,
}

fn openssl(args: &[&str], dir: &Path) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI must be installed (scripts/test.sh installs it)");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A new self-signed certificate valid for `days` (negative: already expired) and its key.
pub fn make(kind: Kind, cn: &str, days: i64) -> KeyPair {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let newkey: &[&str] = match kind {
        Kind::Rsa => &["-newkey", "rsa:2048"],
        Kind::Rsa1024 => &["-newkey", "rsa:1024"],
        Kind::Ec => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    };
    let subj = format!("/CN={cn}");
    if days > 0 {
        let days = days.to_string();
        let mut args = vec![
            "req", "-x509", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-subj", &subj, "-days", &days,
        ];
        args.extend_from_slice(newkey);
        openssl(&args, d);
    } else {
        // An expired certificate (openssl 3.0 has no option for dates in the past): rcgen,
        // with an EC key.
        assert!(kind == Kind::Ec, "expired fixtures are EC");
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = rcgen::CertificateParams::new(vec![cn.to_string()]).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, cn);
        params.not_before = time::OffsetDateTime::from_unix_timestamp(1_577_836_800).unwrap();
        params.not_after = time::OffsetDateTime::from_unix_timestamp(1_580_515_200).unwrap();
        let cert = params.self_signed(&key).unwrap();
        std::fs::write(d.join("key.pem"), key.serialize_pem()).unwrap();
        std::fs::write(d.join("cert.pem"), cert.pem()).unwrap();
    }
    let trad: &[&str] = match kind {
        Kind::Rsa | Kind::Rsa1024 => &["rsa", "-in", "key.pem", "-traditional", "-out", "key.trad.pem"],
        Kind::Ec => &["ec", "-in", "key.pem", "-out", "key.trad.pem"],
    };
    openssl(trad, d);
    openssl(&["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"], d);
    openssl(&["x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der"], d);
    KeyPair {
        cert: d.join("cert.pem"),
        key: d.join("key.pem"),
        key_traditional: d.join("key.trad.pem"),
        public_pem: std::fs::read_to_string(d.join("pub.pem")).unwrap(),
        der: std::fs::read(d.join("cert.der")).unwrap(),
        _dir: dir,
    }
}

impl KeyPair {
    /// A PKCS#12 file of key and certificate with this password; `legacy`: 3DES as older
    /// exports use, else OpenSSL 3's default (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256).
    pub fn pkcs12(&self, password: &str, legacy: bool) -> PathBuf {
        let d = self.cert.parent().unwrap();
        let name = if legacy { "legacy.pfx" } else { "bundle.pfx" };
        let pass = format!("pass:{password}");
        let mut args = vec![
            "pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", name, "-passout", &pass,
        ];
        if legacy {
            args.extend_from_slice(&[
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ]);
        }
        openssl(&args, d);
        d.join(name)
    }

    /// A PKCS#12 file as `openssl pkcs12 -export -legacy` writes it: the certificate under
    /// RC2-40, the key under 3DES, a SHA-1 MAC.
    pub fn pkcs12_rc2(&self, password: &str) -> PathBuf {
        let d = self.cert.parent().unwrap();
        let pass = format!("pass:{password}");
        openssl(
            &[
                "pkcs12", "-export", "-legacy", "-inkey", "key.pem", "-in", "cert.pem", "-out", "rc2.pfx", "-passout",
                &pass,
            ],
            d,
        );
        d.join("rc2.pfx")
    }

    /// The private key's PEM text (a secret the sweeps look for).
    pub fn key_text(&self) -> String {
        std::fs::read_to_string(&self.key).unwrap()
    }

    /// The base64 lines of the key's PEM body.
    pub fn key_lines(&self) -> Vec<String> {
        [&self.key, &self.key_traditional]
            .iter()
            .flat_map(|p| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|l| !l.starts_with("-----") && l.len() >= 16)
            .collect()
    }

    /// SHA-1 thumbprint, upper-case hex (as the Azure portal lists it).
    pub fn sha1_hex(&self) -> String {
        sha1_of(&self.der).iter().map(|b| format!("{b:02X}")).collect()
    }

    /// `x5t`.
    pub fn x5t(&self) -> String {
        b64url(&sha1_of(&self.der))
    }

    /// `x5t#S256`.
    pub fn x5t_s256(&self) -> String {
        b64url(&sha2::Sha256::digest(&self.der))
    }
}

fn sha1_of(der: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
        .as_ref()
        .to_vec()
}

/// Base64url without padding.
pub fn b64url(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

//! TLS settings of a profile turned into one rustls configuration.
//!
//! The same configuration serves the pre-flight handshake (which reports the TLS version and
//! certificate dates) and every HTTP request, so what the pre-flight says is what the token
//! request meets. Trust: the system's roots plus the profile's `ca_file`; `insecure_tls`
//! accepts any certificate (and is warned about on every run).
//!
//! As with `curl --cacert`, a server certificate that is itself one of the `ca_file`
//! certificates is trusted (the user pinned it): the most common self-signed recipe,
//! `openssl req -x509 -newkey rsa:2048 -nodes`, makes a certificate with `CA:TRUE`, which the
//! usual path check refuses as a CA used as an end entity. Its name and dates are still
//! checked. Refusals a person can act on (self-signed, an incomplete chain) leave here as
//! [`Refused`], so the words can name them.

use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::config::Net;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    static P: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    P.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

fn system_roots() -> &'static Vec<CertificateDer<'static>> {
    static R: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    R.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// Build the TLS configuration for a profile's settings. The error names the file at fault.
pub fn client_config(net: &Net) -> Result<Arc<ClientConfig>, String> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?;
    let builder = if net.insecure_tls {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider())))
    } else {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(system_roots().iter().cloned());
        let mut pinned = Vec::new();
        if let Some(path) = &net.ca_file {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("cannot read ca_file {}: {}", path.display(), pem_reason(&e)))?
                .collect::<Result<_, _>>()
                .map_err(|e| format!("ca_file {} is not valid PEM: {}", path.display(), pem_reason(&e)))?;
            if certs.is_empty() {
                return Err(format!("ca_file {} holds no PEM certificate", path.display()));
            }
            pinned.clone_from(&certs);
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("ca_file {} holds no usable CA certificate", path.display()));
            }
        }
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| format!("TLS set-up failed: {e}"))?;
        builder.dangerous().with_custom_certificate_verifier(Arc::new(Checked {
            inner,
            ca_file: net.ca_file.is_some(),
            pinned,
        }))
    };
    let config = match (&net.client_cert, &net.client_key) {
        (Some(cert), Some(key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
                .map_err(|e| format!("cannot read client_cert {}: {}", cert.display(), pem_reason(&e)))?
                .collect::<Result<_, _>>()
                .map_err(|e| format!("client_cert {} is not valid PEM: {}", cert.display(), pem_reason(&e)))?;
            if chain.is_empty() {
                return Err(format!("client_cert {} holds no PEM certificate", cert.display()));
            }
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| format!("cannot read client_key {}: {}", key.display(), pem_reason(&e)))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("client_cert and client_key do not fit together: {e}"))?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

fn pem_reason(e: &rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => "not found".into(),
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        rustls::pki_types::pem::Error::NoItemsFound => "no PEM item found".into(),
        _ => "not a readable PEM file".into(),
    }
}

/// A certificate refusal with a name a person knows, carried inside the rustls error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The server's certificate is its own issuer. `ca_file`: one is set, and this
    /// certificate is not in it.
    SelfSigned {
        /// A `ca_file` is set.
        ca_file: bool,
    },
    /// The server sent only its own certificate, not the intermediate that issued it, and
    /// `ca_file` does not hold its issuer.
    IncompleteChain,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::SelfSigned { .. } => "self-signed certificate",
            Refused::IncompleteChain => "incomplete certificate chain",
        })
    }
}

impl std::error::Error for Refused {}

/// The usual verification, plus the certificates of `ca_file` trusted as themselves, and
/// refusals named ([`Refused`]).
#[derive(Debug)]
struct Checked {
    inner: Arc<WebPkiServerVerifier>,
    ca_file: bool,
    pinned: Vec<CertificateDer<'static>>,
}

impl Checked {
    /// A pinned certificate: valid for the name and now.
    fn pinned(
        &self,
        end_entity: &CertificateDer<'_>,
        name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        use rustls::CertificateError as C;
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, name)?;
        let now = now.as_secs() as i64;
        match super::cert::parse(end_entity) {
            Some(c) if now > c.not_after => Err(C::Expired.into()),
            Some(c) if now < c.not_before => Err(C::NotValidYet.into()),
            Some(_) => Ok(()),
            None => Err(C::BadEncoding.into()),
        }
    }
}

fn refused(r: Refused) -> rustls::Error {
    rustls::CertificateError::Other(rustls::OtherError(Arc::new(r))).into()
}

impl ServerCertVerifier for Checked {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::CertificateError as C;
        let err = match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let rustls::Error::InvalidCertificate(c) = &err else {
            return Err(err);
        };
        if self.pinned.iter().any(|p| p.as_ref() == end_entity.as_ref()) {
            return self
                .pinned(end_entity, server_name, now)
                .map(|()| ServerCertVerified::assertion());
        }
        let self_signed = super::cert::parse(end_entity).is_some_and(|f| f.issuer_cn == f.subject_cn);
        let ca_as_leaf = matches!(c, C::Other(o) if o.to_string().contains("CaUsedAsEndEntity"));
        Err(match c {
            C::UnknownIssuer if self_signed => refused(Refused::SelfSigned { ca_file: self.ca_file }),
            // Only with a ca_file: the user named the root, the server sent no intermediate
            // up to it. (Without one, a leaf alone is as often a private CA's.)
            C::UnknownIssuer if self.ca_file && intermediates.is_empty() => refused(Refused::IncompleteChain),
            _ if ca_as_leaf => refused(Refused::SelfSigned { ca_file: self.ca_file }),
            _ => err,
        })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Accepts any server certificate, for `insecure_tls = true`. Signatures are still checked so
/// the handshake itself stays sound.
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

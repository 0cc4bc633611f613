//! Servers for tests, all on 127.0.0.1: a raw HTTP/1.1 server whose every byte the test
//! decides (for broken and hostile behaviour), a TLS server with certificates made per run,
//! and a tiny blocking GET for reading counters.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A request as the raw server read it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Read one request; `None` when the peer sent nothing usable.
pub fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let mut req = Request {
        method: parts.next()?.to_string(),
        path: parts.next()?.to_string(),
        ..Default::default()
    };
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            req.headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = req.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    r.read_exact(&mut body).ok()?;
    req.body = body;
    Some(req)
}

/// Write a whole response and close.
pub fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

/// A JSON response.
pub fn json(stream: &mut TcpStream, status: &str, body: &str) {
    respond(stream, status, &[("Content-Type", "application/json")], body.as_bytes());
}

/// A raw server: `handler` gets each connection (after nothing has been read).
pub struct Raw {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
}

impl Raw {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Connections accepted so far.
    pub fn count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Start a raw server; each connection is handled on its own thread.
pub fn raw(handler: impl Fn(TcpStream) + Send + Sync + 'static) -> Raw {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let n = Arc::new(AtomicUsize::new(0));
    let count = n.clone();
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            count.fetch_add(1, Ordering::SeqCst);
            let h = handler.clone();
            std::thread::spawn(move || h(s));
        }
    });
    Raw { addr, connections: n }
}

/// A server answering every request with a fixed response.
pub fn fixed(status: &'static str, headers: &'static [(&'static str, &'static str)], body: &'static str) -> Raw {
    raw(move |mut s| {
        if read_request(&mut s).is_some() {
            respond(&mut s, status, headers, body.as_bytes());
        }
    })
}

/// A port on which nothing listens.
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A blocking GET, for counters.
pub fn http_get(url: &str) -> String {
    let u = url::Url::parse(url).expect("url");
    let mut s = TcpStream::connect((u.host_str().unwrap(), u.port().unwrap())).expect("connect");
    let q = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    write!(
        s,
        "GET {q} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        u.authority()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// Certificates for a TLS server, made per run.
pub struct Pki {
    /// PEM of the CA that issued the server's certificate.
    pub ca_pem: String,
    /// Server certificate chain and key.
    pub cert_pem: String,
    pub key_pem: String,
}

/// Which server certificate to make.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CertKind {
    /// Valid for 127.0.0.1 and localhost, 90 days.
    Good,
    /// Valid, expiring in 5 days.
    ExpiringSoon,
    /// Expired yesterday.
    Expired,
    /// Issued for another name.
    WrongName,
}

/// A CA and a server certificate of the given kind.
pub fn pki(kind: CertKind) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let day = time_now_days();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "conn test CA");
    ca.not_before = date(day - 30);
    ca.not_after = date(day + 3650);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let names = if kind == CertKind::WrongName {
        vec!["other.example".to_string()]
    } else {
        vec!["localhost".to_string()]
    };
    let mut p = CertificateParams::new(names).unwrap();
    if kind != CertKind::WrongName {
        p.subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    }
    p.distinguished_name.push(DnType::CommonName, "conn test server");
    let (nb, na) = match kind {
        CertKind::Expired => (day - 30, day - 1),
        CertKind::ExpiringSoon => (day - 30, day + 5),
        _ => (day - 1, day + 90),
    };
    p.not_before = date(nb);
    p.not_after = date(na);
    let cert = p.signed_by(&key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

fn time_now_days() -> i64 {
    (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86400) as i64
}

fn date(days: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(days * 86400).unwrap()
}

/// An HTTPS server on 127.0.0.1: POST answers with a token, GET with `{}`.
pub struct Tls {
    pub addr: SocketAddr,
    pub pki: Pki,
    pub requests: Arc<AtomicUsize>,
}

impl Tls {
    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }
}

/// Start an HTTPS server with a certificate of this kind.
pub fn tls(kind: CertKind) -> Tls {
    tls_with(kind, None)
}

/// A client certificate, its key, and the CA that issued it (all PEM), made per run.
pub struct ClientPki {
    /// The issuing CA, for the server's trust store.
    pub ca_pem: String,
    /// The client certificate.
    pub cert_pem: String,
    /// Its private key.
    pub key_pem: String,
}

/// A CA and a client certificate it issued.
pub fn client_pki(name: &str) -> ClientPki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
    let day = time_now_days();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, format!("{name} client CA"));
    ca.not_before = date(day - 30);
    ca.not_after = date(day + 3650);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, format!("{name} client"));
    p.extended_key_usages.push(ExtendedKeyUsagePurpose::ClientAuth);
    p.not_before = date(day - 1);
    p.not_after = date(day + 90);
    let cert = p.signed_by(&key, &issuer).unwrap();
    ClientPki {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Start an HTTPS server with a certificate of this kind. With `client_ca` (PEM), it
/// requires a client certificate issued by that CA (mutual TLS).
pub fn tls_with(kind: CertKind, client_ca: Option<&str>) -> Tls {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let pki = pki(kind);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pki.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_slice_iter(ca.as_bytes()) {
                roots.add(c.unwrap()).unwrap();
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let config = builder.with_single_cert(certs, key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let requests = Arc::new(AtomicUsize::new(0));
    let count = requests.clone();
    let listener = super::rt()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    super::rt().spawn(async move {
        loop {
            let Ok((s, _)) = listener.accept().await else { continue };
            let acceptor = acceptor.clone();
            let count = count.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(s).await else { return };
                let mut buf = vec![0u8; 16384];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
                let body = if got.starts_with(b"POST") {
                    r#"{"access_token":"tls-token-value-123","token_type":"Bearer","expires_in":3600,"scope":"api.read"}"#
                } else {
                    "{}"
                };
                let resp = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Tls { addr, pki, requests }
}

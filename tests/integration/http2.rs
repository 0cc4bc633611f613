//! HTTP/2 by ALPN: a server that offers it is spoken to in HTTP/2, the report says so, and
//! many profiles on that origin share one connection. A server that offers only HTTP/1.1
//! is spoken to in HTTP/1.1 and the report says that.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::support::Sandbox;
use crate::support::profiles::Profile;
use crate::support::servers::tls as tls_http1;
use crate::support::servers::{CertKind, Pki, pki};

/// What the server counted.
#[derive(Default)]
struct Counts {
    /// TCP connections accepted.
    connections: AtomicUsize,
    /// Requests answered over HTTP/2.
    h2_requests: AtomicUsize,
    /// Requests answered over anything else.
    other_requests: AtomicUsize,
}

/// An HTTPS server on 127.0.0.1 speaking HTTP/2 and HTTP/1.1 by ALPN (hyper), answering
/// every request after `delay`: POST with a token, anything else with `{}`.
struct H2Server {
    addr: SocketAddr,
    pki: Pki,
    counts: Arc<Counts>,
}

impl H2Server {
    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }
}

fn h2_server(delay: Duration) -> H2Server {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let pki = pki(CertKind::Good);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pki.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let counts = Arc::new(Counts::default());
    let listener = crate::support::rt()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let c = counts.clone();
    crate::support::rt().spawn(async move {
        loop {
            let Ok((s, _)) = listener.accept().await else { continue };
            c.connections.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let c = c.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(s).await else { return };
                let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let c = c.clone();
                    async move { Ok::<_, Infallible>(answer(req, delay, &c).await) }
                });
                let io = TokioIo::new(tls);
                if h2 {
                    let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(io, svc)
                        .await;
                } else {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, svc)
                        .await;
                }
            });
        }
    });
    H2Server { addr, pki, counts }
}

async fn answer(req: Request<Incoming>, delay: Duration, c: &Counts) -> Response<Full<Bytes>> {
    let post = req.method() == hyper::Method::POST;
    let counter = if req.version() == hyper::Version::HTTP_2 {
        &c.h2_requests
    } else {
        &c.other_requests
    };
    let _ = req.into_body().collect().await;
    tokio::time::sleep(delay).await;
    counter.fetch_add(1, Ordering::SeqCst);
    let body = if post {
        r#"{"access_token":"h2-token-value-123","token_type":"Bearer","expires_in":3600}"#
    } else {
        "{}"
    };
    Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// `n` client-credentials profiles on `url`, trusting `ca` (written into the sandbox).
fn many(n: usize, url: &str, ca_pem: &str) -> Sandbox {
    let s = Sandbox::new();
    let ca = s.write("ca.pem", ca_pem);
    let text: String = (0..n)
        .map(|i| {
            Profile::rest(&format!("p{i:02}"), url)
                .probe("/ping")
                .client_credentials(&format!("{url}/token"), "c")
                .secret("h2-canary-secret")
                .str("ca_file", &ca.display().to_string())
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    s.write("profiles.toml", &text);
    s
}

fn step_detail(profile: &serde_json::Value, name: &str) -> String {
    crate::support::step(profile, name)["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn http2_server_is_spoken_to_in_http2_and_said_so() {
    let srv = h2_server(Duration::ZERO);
    let out = many(1, &srv.url(), &srv.pki.ca_pem).conn(&["test", "p00", "--format", "json"]);
    out.code(0).no_secrets(&["h2-canary-secret", "h2-token-value-123"]);
    let d = step_detail(&out.profile(), "tls");
    assert!(
        d.starts_with("TLS 1.3, certificate valid") && d.ends_with(", HTTP/2"),
        "{d}"
    );
    assert_eq!(
        srv.counts.h2_requests.load(Ordering::SeqCst),
        2,
        "token and probe over HTTP/2"
    );
    assert_eq!(srv.counts.other_requests.load(Ordering::SeqCst), 0);
}

#[test]
fn profiles_on_an_http2_origin_share_one_connection() {
    // The answers wait, so that every profile's requests are in flight at once: a client
    // that learned HTTP/2 only from each handshake would open a connection per request.
    let srv = h2_server(Duration::from_millis(300));
    let n = 30;
    let out = many(n, &srv.url(), &srv.pki.ca_pem).conn(&["test", "--all", "--format", "json"]);
    out.code(0);
    let report = out.json();
    let profiles = report["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), n);
    for p in profiles {
        assert_eq!(p["status"], "pass", "{p}");
        assert!(step_detail(p, "tls").ends_with(", HTTP/2"), "{p}");
    }
    assert_eq!(srv.counts.h2_requests.load(Ordering::SeqCst), 2 * n);
    // The pre-flight's own handshake, and the one connection every request shared.
    let conns = srv.counts.connections.load(Ordering::SeqCst);
    assert!(conns <= 2, "{conns} connections for {n} profiles on one HTTP/2 origin");
}

#[test]
fn http1_only_server_is_said_to_be_http1() {
    let srv = tls_http1(CertKind::Good);
    let out = many(1, &srv.url(), &srv.pki.ca_pem).conn(&["test", "p00", "--format", "json"]);
    out.code(0);
    let d = step_detail(&out.profile(), "tls");
    assert!(d.ends_with(", HTTP/1.1"), "{d}");
}

#[test]
fn plain_http_connect_says_http1() {
    let srv = crate::support::servers::fixed("200 OK", &[("Content-Type", "application/json")], "{}");
    let s = Sandbox::of(Profile::rest("p", &srv.url()).probe("/ping"));
    let out = s.conn(&["test", "p", "--format", "json"]);
    out.code(0);
    let d = step_detail(&out.profile(), "connect");
    assert!(d.ends_with(", HTTP/1.1"), "{d}");
}

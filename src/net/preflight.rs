//! The layers under HTTP, each checked and timed on its own: DNS, TCP connect, TLS.
//!
//! Run once per origin per run (profiles on the same host share the result), with the same
//! TLS configuration the HTTP requests use, along the route they take ([`super::route`]).
//! Through a proxy, DNS and connect are checked against the proxy and say so; through an
//! http proxy, TLS to the origin is checked in a CONNECT tunnel ([`super::tunnel`]). A host that `NO_PROXY` sends direct says so too.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio::sync::OnceCell;

use super::cert::{self, CertFacts};
use super::classify;
pub use super::origin::Origin;
use super::route::Route;
use crate::clock::now_secs;
use crate::config::{Net, shown};
use crate::failure::{NetFailure, TlsFailure, TlsProblem};
use crate::finding::Finding;

/// A timed result.
#[derive(Debug, Clone)]
pub struct Timed<T> {
    /// How long it took.
    pub ms: u64,
    /// The result.
    pub value: T,
}

/// What the TLS handshake showed.
#[derive(Debug, Clone)]
pub struct TlsFacts {
    /// `TLS 1.3` or `TLS 1.2`.
    pub version: String,
    /// The leaf certificate, when it could be read.
    pub cert: Option<CertFacts>,
    /// Whether the server chose HTTP/2 by ALPN (it was offered with HTTP/1.1, as by the
    /// requests).
    pub http2: bool,
}

impl TlsFacts {
    /// `HTTP/2` or `HTTP/1.1`: what the requests to this origin speak.
    pub fn protocol(&self) -> &'static str {
        if self.http2 { "HTTP/2" } else { "HTTP/1.1" }
    }

    /// Whole days until the certificate expires.
    pub fn days_left(&self) -> Option<i64> {
        self.cert.as_ref().map(|c| (c.not_after - now_secs()).div_euclid(86400))
    }
}

/// The pre-flight of one origin.
#[derive(Debug, Clone)]
pub struct OriginCheck {
    /// Which origin.
    pub origin: Origin,
    /// The proxy in the way, shown without credentials.
    pub proxy: Option<String>,
    /// Name resolution: detail or failure.
    pub dns: Timed<Result<String, Finding>>,
    /// TCP connect: the address reached, or failure. `None` when DNS failed.
    pub connect: Option<Timed<Result<String, Finding>>>,
    /// TLS handshake (through an http proxy's tunnel). `None` for http, through other
    /// proxies, or when connect failed.
    pub tls: Option<Timed<Result<TlsFacts, Finding>>>,
}

type Key = (Origin, Net);

/// Pre-flight results of a run, one per origin and settings.
#[derive(Default)]
pub struct Cache(Mutex<HashMap<Key, Arc<OnceCell<Arc<OriginCheck>>>>>);

impl Cache {
    /// The pre-flight of `origin`, run once per run.
    pub async fn check(
        &self,
        origin: &Origin,
        net: &Net,
        tls: &Arc<rustls::ClientConfig>,
        route: &Route,
    ) -> Arc<OriginCheck> {
        let cell = {
            let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
            map.entry((origin.clone(), net.clone())).or_default().clone()
        };
        cell.get_or_init(|| async { Arc::new(run(origin, net, tls, route).await) })
            .await
            .clone()
    }
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

/// Where the layers under HTTP are checked: the origin itself, or the proxy in the way.
struct Target {
    /// The host dialled.
    host: String,
    /// The port dialled.
    port: u16,
    /// The proxy, shown without credentials, when one is in the way.
    via: Option<String>,
    /// How a timeout names what was dialled.
    what: String,
    /// Said after a direct result when `NO_PROXY` sent it direct.
    exempt: &'static str,
}

impl Target {
    fn of(origin: &Origin, route: &Route) -> Target {
        let exempt = if *route == Route::Exempt {
            " (direct: NO_PROXY)"
        } else {
            ""
        };
        let (host, port, via) = match route.proxy().and_then(|p| {
            Some((
                p.host_str()?.trim_matches(['[', ']']).to_string(),
                p.port_or_known_default()?,
                p,
            ))
        }) {
            Some((h, p, u)) => (h, p, Some(shown(u))),
            None => (origin.host.clone(), origin.port, None),
        };
        let what = match &via {
            Some(p) => format!("proxy {p}"),
            None => host.clone(),
        };
        Target {
            host,
            port,
            via,
            what,
            exempt,
        }
    }
}

async fn run(origin: &Origin, net: &Net, tls: &Arc<rustls::ClientConfig>, route: &Route) -> OriginCheck {
    let target = Target::of(origin, route);
    let t = Instant::now();
    let addrs = resolve(&target, net).await;
    let dns = Timed {
        ms: ms(t),
        value: addrs
            .as_ref()
            .map(|a| dns_detail(&target, origin, a))
            .map_err(Clone::clone),
    };
    let mut check = OriginCheck {
        origin: origin.clone(),
        proxy: target.via.clone(),
        dns,
        connect: None,
        tls: None,
    };
    let Ok(addrs) = addrs else {
        return check;
    };
    let t = Instant::now();
    let reached = connect(&target, net, &addrs).await;
    let connect_ms = ms(t);
    let (stream, addr) = match reached {
        Ok(r) => r,
        Err(f) => {
            check.connect = Some(Timed {
                ms: connect_ms,
                value: Err(f),
            });
            return check;
        }
    };
    check.connect = Some(Timed {
        ms: connect_ms,
        value: Ok(match &target.via {
            Some(p) => format!("{addr} (proxy {p})"),
            None => format!("{addr}{}", target.exempt),
        }),
    });
    if !origin.https {
        return check;
    }
    let t = Instant::now();
    let value = match route.proxy() {
        Some(p) if p.scheme() == "http" => match super::tunnel::open(stream, p, origin, net.timeout).await {
            Ok(tunnel) => handshake(tunnel, origin, tls.clone(), net.timeout).await,
            Err(f) => {
                check.connect = Some(Timed {
                    ms: connect_ms + ms(t),
                    value: Err(f),
                });
                return check;
            }
        },
        // Other proxy kinds: TLS is left to the requests themselves.
        Some(_) => return check,
        None => tls_layer(stream, addr, origin, net, tls).await,
    };
    check.tls = Some(Timed { ms: ms(t), value });
    check
}

/// DNS: the addresses of the target (an address needs no lookup).
async fn resolve(target: &Target, net: &Net) -> Result<Vec<SocketAddr>, Finding> {
    let Target { host, port, via, .. } = target;
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, *port)]);
    }
    match tokio::time::timeout(net.connect_timeout, tokio::net::lookup_host((host.as_str(), *port))).await {
        Err(_) => Err(NetFailure::DnsTimeout {
            what: target.what.clone(),
            after: net.connect_timeout,
        }
        .into()),
        Ok(Err(e)) => Err(classify::dns_not_found(host, via.is_some(), Some(&e.to_string()))),
        Ok(Ok(it)) => {
            let v: Vec<SocketAddr> = it.collect();
            if v.is_empty() {
                Err(classify::dns_not_found(host, via.is_some(), None))
            } else {
                Ok(v)
            }
        }
    }
}

/// What the DNS line says: the addresses found (three at most), and through what.
fn dns_detail(target: &Target, origin: &Origin, addrs: &[SocketAddr]) -> String {
    let Target { host, via, exempt, .. } = target;
    let mut ips: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
    ips.dedup();
    let list = if ips.len() > 3 {
        format!("{} and {} more", ips[..3].join(", "), ips.len() - 3)
    } else {
        ips.join(", ")
    };
    match via {
        Some(p) => format!("via proxy {p}: {host} → {list} ({} resolved by the proxy)", origin.host),
        None if host.parse::<std::net::IpAddr>().is_ok() => {
            format!("{host} (an address, no lookup needed){exempt}")
        }
        None => format!("{host} → {list}{exempt}"),
    }
}

/// TCP: the first address that accepts within the connect timeout, or the last failure.
async fn connect(target: &Target, net: &Net, addrs: &[SocketAddr]) -> Result<(TcpStream, SocketAddr), Finding> {
    let via = target.via.is_some();
    let deadline = Instant::now() + net.connect_timeout;
    let mut last: Option<Finding> = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match tokio::time::timeout(left, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => return Ok((s, *addr)),
            Ok(Err(e)) => last = Some(classify::connect_io(&e, &addr.to_string(), via)),
            Err(_) => {
                last = Some(classify::connect_timeout(&addr.to_string(), net.connect_timeout, via));
            }
        }
    }
    Err(last.unwrap_or_else(|| classify::connect_timeout(&target.what, net.connect_timeout, via)))
}

/// TLS: the handshake, and on failure what the server presented.
async fn tls_layer(
    stream: TcpStream,
    addr: SocketAddr,
    origin: &Origin,
    net: &Net,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<TlsFacts, Finding> {
    match handshake(stream, origin, tls.clone(), net.timeout).await {
        Ok(f) => Ok(f),
        Err(f) => {
            // Show what the server presented: fetched again without verification, only to
            // describe it.
            Err(match presented_cert(addr, origin, net.connect_timeout).await {
                Some(c) => classify::describe_presented(f, &c, &origin.host),
                None => f,
            })
        }
    }
}

async fn handshake(
    stream: TcpStream,
    origin: &Origin,
    tls: Arc<rustls::ClientConfig>,
    limit: Duration,
) -> Result<TlsFacts, Finding> {
    let name = ServerName::try_from(origin.host.clone()).map_err(|_| {
        Finding::from(TlsFailure {
            host: origin.host.clone(),
            problem: TlsProblem::BadServerName,
        })
    })?;
    let connector = tokio_rustls::TlsConnector::from(tls);
    match tokio::time::timeout(limit, connector.connect(name, stream)).await {
        Err(_) => Err(TlsFailure {
            host: origin.authority(),
            problem: TlsProblem::Timeout(limit),
        }
        .into()),
        Ok(Err(e)) => Err(classify::tls_io(&e, origin)),
        Ok(Ok(s)) => {
            let (_, conn) = s.get_ref();
            let version = match conn.protocol_version() {
                Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
                Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
                // rustls speaks only 1.2 and 1.3: no other name is ever shown.
                _ => "TLS".to_string(),
            };
            let cert = conn
                .peer_certificates()
                .and_then(|c| c.first())
                .and_then(|c| cert::parse(c));
            let http2 = conn.alpn_protocol() == Some(b"h2");
            Ok(TlsFacts { version, cert, http2 })
        }
    }
}

async fn presented_cert(addr: SocketAddr, origin: &Origin, limit: Duration) -> Option<CertFacts> {
    let insecure = Net {
        insecure_tls: true,
        ..Net::default()
    };
    let cfg = super::tls::client_config(&insecure).ok()?;
    let stream = tokio::time::timeout(limit, TcpStream::connect(addr)).await.ok()?.ok()?;
    let name = ServerName::try_from(origin.host.clone()).ok()?;
    let s = tokio::time::timeout(limit, tokio_rustls::TlsConnector::from(cfg).connect(name, stream))
        .await
        .ok()?
        .ok()?;
    let (_, conn) = s.get_ref();
    conn.peer_certificates()
        .and_then(|c| c.first())
        .and_then(|c| cert::parse(c))
}

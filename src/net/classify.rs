//! Transport errors turned into typed failures: which layer failed.
//!
//! This is the only place that looks inside `std::io`, `rustls` and `reqwest` errors; the
//! words live with the failure kinds in [`crate::failure`].

use std::error::Error as _;
use std::time::Duration;

use super::cert::CertFacts;
use super::origin::Origin;
use crate::clock::now_secs;
use crate::failure::{Failure, NetFailure, Presented, TlsFailure, TlsProblem};

/// DNS gave no address. `reason` is the resolver's own message, when there is one.
pub fn dns_not_found(host: &str, proxy: bool, reason: Option<&str>) -> Failure {
    let resolver_down = reason.is_some_and(|r| r.contains("Temporary failure") || r.contains("try again"));
    NetFailure::Dns {
        host: host.to_string(),
        via_proxy: proxy,
        resolver_down,
    }
    .into()
}

/// TCP connect failed with an I/O error.
pub fn connect_io(e: &std::io::Error, addr: &str, proxy: bool) -> Failure {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => NetFailure::Refused {
            addr: addr.to_string(),
            via_proxy: proxy,
        }
        .into(),
        std::io::ErrorKind::TimedOut => connect_timeout(addr, Duration::ZERO, proxy),
        _ => NetFailure::Connect {
            addr: addr.to_string(),
            via_proxy: proxy,
            text: io_text(e),
        }
        .into(),
    }
}

/// TCP connect did not finish in time.
pub fn connect_timeout(addr: &str, after: Duration, proxy: bool) -> Failure {
    NetFailure::ConnectTimeout {
        addr: addr.to_string(),
        via_proxy: proxy,
        after,
    }
    .into()
}

fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    // "Network is unreachable (os error 101)" → without the OS code.
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn tls(host: &str, problem: TlsProblem) -> Failure {
    TlsFailure {
        host: host.to_string(),
        problem,
    }
    .into()
}

/// The TLS handshake failed with this I/O error (rustls errors arrive wrapped in one).
pub fn tls_io(e: &std::io::Error, origin: &Origin) -> Failure {
    if let Some(r) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return tls_error(r, &origin.host);
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => {
            tls(&origin.authority(), TlsProblem::Closed)
        }
        _ => tls(&origin.authority(), TlsProblem::Handshake(io_text(e))),
    }
}

/// A rustls error, for a connection to `host`.
pub fn tls_error(e: &rustls::Error, host: &str) -> Failure {
    use rustls::{AlertDescription as A, CertificateError as C, Error as E};
    let problem = match e {
        E::InvalidCertificate(c) => match c {
            C::UnknownIssuer => TlsProblem::UnknownIssuer,
            C::Expired | C::ExpiredContext { .. } => TlsProblem::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => TlsProblem::NotValidYet,
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::NotValidForName,
            C::Revoked => TlsProblem::Revoked,
            other => TlsProblem::BadCertificate(format!("{other:?}")),
        },
        E::AlertReceived(A::CertificateRequired)
        | E::AlertReceived(A::BadCertificate)
        | E::AlertReceived(A::UnknownCA)
        | E::AlertReceived(A::AccessDenied) => TlsProblem::ClientCertRequired(e.to_string()),
        E::AlertReceived(a) => TlsProblem::Alert(format!("{a:?}")),
        E::InvalidMessage(_) => TlsProblem::NotTls,
        E::NoCertificatesPresented => TlsProblem::NoCertificate,
        other => TlsProblem::Other(other.to_string()),
    };
    tls(host, problem)
}

/// Add who issued and until when the presented certificate is valid.
pub fn describe_presented(f: Failure, c: &CertFacts, host: &str) -> Failure {
    Failure::Presented {
        inner: Box::new(f),
        cert: Presented {
            host: host.to_string(),
            subject: c.subject_cn.clone(),
            issuer: c.issuer_cn.clone(),
            days: (c.not_after - now_secs()).div_euclid(86400),
            self_signed: c.issuer_cn == c.subject_cn,
        },
    }
}

/// A `reqwest` error from a request to `url`, classified by layer.
pub fn request_error(e: &reqwest::Error, what: &str, timeout: Duration) -> Failure {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<rustls::Error>() {
            return tls_error(r, what);
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if let Some(r) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return tls_error(r, what);
            }
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return connect_io(io, what, false);
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && h.is_parse()
        {
            return NetFailure::NotHttp { what: what.to_string() }.into();
        }
        let text = s.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return dns_not_found(what, false, Some(&text));
        }
        source = s.source();
    }
    if e.is_timeout() {
        return NetFailure::Stalled {
            what: what.to_string(),
            after: timeout,
            flag: false,
        }
        .into();
    }
    if e.is_connect() {
        return NetFailure::ConnectFailed { what: what.to_string() }.into();
    }
    NetFailure::Broken {
        what: what.to_string(),
        chain: chain_text(e),
    }
    .into()
}

/// The total deadline passed before the answer was complete.
pub fn too_slow(what: &str, timeout: Duration) -> Failure {
    NetFailure::Stalled {
        what: what.to_string(),
        after: timeout,
        flag: true,
    }
    .into()
}

fn chain_text(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut s: Option<&dyn std::error::Error> = e.source();
    while let Some(x) = s {
        parts.push(x.to_string());
        s = x.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    crate::finding::clean(&parts.join(": "), 300)
}

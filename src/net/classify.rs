//! Transport errors turned into typed failures: which layer failed.
//!
//! This is the only place that looks inside `std::io`, `rustls` and `reqwest` errors; the
//! words live with the failure kinds in [`crate::failure`].

use std::error::Error as _;
use std::time::Duration;

use super::cert::CertFacts;
use super::origin::Origin;
use super::tls::Refused;
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

/// A transport failure of a request that went through `route`'s proxy, which the error
/// alone cannot tell: with an HTTP proxy conn resolves and connects to the proxy only, so a
/// name that does not resolve or a port that refuses is the proxy's, not the origin's.
pub fn through(f: Failure, route: &super::route::Route) -> Failure {
    let Some(proxy) = route.proxy() else { return f };
    let host = proxy.host_str().unwrap_or_default().to_string();
    let addr = format!("{host}:{}", proxy.port_or_known_default().unwrap_or(80));
    match f {
        Failure::Net(NetFailure::Dns {
            via_proxy: false,
            resolver_down,
            ..
        }) => NetFailure::Dns {
            host,
            via_proxy: true,
            resolver_down,
        }
        .into(),
        Failure::Net(NetFailure::Refused { via_proxy: false, .. }) => {
            NetFailure::Refused { addr, via_proxy: true }.into()
        }
        Failure::Net(NetFailure::Connect {
            via_proxy: false, text, ..
        }) => NetFailure::Connect {
            addr,
            via_proxy: true,
            text,
        }
        .into(),
        Failure::Net(NetFailure::ConnectTimeout {
            via_proxy: false,
            after,
            ..
        }) => NetFailure::ConnectTimeout {
            addr,
            via_proxy: true,
            after,
        }
        .into(),
        other => other,
    }
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

/// A rustls error, for a connection to `host`: always in words, never rustls's own names.
pub fn tls_error(e: &rustls::Error, host: &str) -> Failure {
    use rustls::{AlertDescription as A, CertificateError as C, Error as E};
    let problem = match e {
        E::InvalidCertificate(c) => match c {
            C::UnknownIssuer => TlsProblem::UnknownIssuer,
            C::Expired | C::ExpiredContext { .. } => TlsProblem::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => TlsProblem::NotValidYet,
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::NotValidForName,
            C::Revoked => TlsProblem::Revoked,
            C::Other(o) => match o.0.downcast_ref::<Refused>() {
                Some(Refused::SelfSigned { ca_file }) => TlsProblem::SelfSigned { ca_file: *ca_file },
                Some(Refused::IncompleteChain) => TlsProblem::IncompleteChain,
                None => TlsProblem::BadCertificate("it is not acceptable as a server certificate".into()),
            },
            other => TlsProblem::BadCertificate(certificate_words(other).into()),
        },
        E::AlertReceived(a @ (A::CertificateRequired | A::BadCertificate | A::UnknownCA | A::AccessDenied)) => {
            TlsProblem::ClientCertRequired(format!("TLS alert {}", alert_name(*a)))
        }
        E::AlertReceived(a) => TlsProblem::Alert(alert_name(*a)),
        E::InvalidMessage(_) => TlsProblem::NotTls,
        E::NoCertificatesPresented => TlsProblem::NoCertificate,
        E::PeerIncompatible(_) => TlsProblem::Alert("no TLS version or cipher in common".into()),
        E::PeerMisbehaved(_) => TlsProblem::Other("the server broke the TLS protocol".into()),
        E::General(why) => TlsProblem::Other(crate::finding::clean(why, 200)),
        _ => TlsProblem::Other("the handshake failed".into()),
    };
    tls(host, problem)
}

/// What is wrong with a certificate, for the reasons without a kind of their own.
fn certificate_words(c: &rustls::CertificateError) -> &'static str {
    use rustls::CertificateError as C;
    match c {
        C::BadEncoding => "it is not a well-formed certificate",
        C::BadSignature => "its signature does not verify",
        C::UnsupportedSignatureAlgorithmContext { .. } => "it is signed with an algorithm conn does not accept",
        C::UnhandledCriticalExtension => "it has a critical extension conn does not know",
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => "it is not issued for TLS servers",
        C::UnknownRevocationStatus | C::ExpiredRevocationList | C::ExpiredRevocationListContext { .. } => {
            "its revocation status is unknown"
        }
        _ => "it is not acceptable as a server certificate",
    }
}

/// A TLS alert by its name in the TLS specification (RFC 8446 §6).
fn alert_name(a: rustls::AlertDescription) -> String {
    use rustls::AlertDescription as A;
    let name = match a {
        A::CloseNotify => "close_notify",
        A::UnexpectedMessage => "unexpected_message",
        A::BadRecordMac => "bad_record_mac",
        A::RecordOverflow => "record_overflow",
        A::HandshakeFailure => "handshake_failure",
        A::BadCertificate => "bad_certificate",
        A::UnsupportedCertificate => "unsupported_certificate",
        A::CertificateRevoked => "certificate_revoked",
        A::CertificateExpired => "certificate_expired",
        A::CertificateUnknown => "certificate_unknown",
        A::IllegalParameter => "illegal_parameter",
        A::UnknownCA => "unknown_ca",
        A::AccessDenied => "access_denied",
        A::DecodeError => "decode_error",
        A::DecryptError => "decrypt_error",
        A::ProtocolVersion => "protocol_version",
        A::InsufficientSecurity => "insufficient_security",
        A::InternalError => "internal_error",
        A::InappropriateFallback => "inappropriate_fallback",
        A::UserCanceled => "user_canceled",
        A::MissingExtension => "missing_extension",
        A::UnsupportedExtension => "unsupported_extension",
        A::UnrecognisedName => "unrecognized_name",
        A::UnknownPSKIdentity => "unknown_psk_identity",
        A::CertificateRequired => "certificate_required",
        A::NoApplicationProtocol => "no_application_protocol",
        other => return format!("number {}", u8::from(other)),
    };
    name.to_string()
}

/// The request was sent, and the connection closed before any answer arrived: nothing was
/// answered, so sending it once more is safe.
pub fn closed_before_answer(e: &reqwest::Error) -> bool {
    if e.is_connect() || e.is_timeout() {
        return false;
    }
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && h.is_incomplete_message()
        {
            return true;
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            )
        {
            return true;
        }
        source = s.source();
    }
    false
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
        // The tunnel's own errors (hyper-util's TunnelError, not exported: its words).
        if text.starts_with("tunnel error: proxy authorization required") {
            return NetFailure::ProxyAuth {
                proxy: None,
                said: Some("407".into()),
                sent: false,
            }
            .into();
        }
        if text.starts_with("tunnel error: unsuccessful") {
            return NetFailure::ProxyRefused {
                proxy: None,
                target: what.to_string(),
                said: None,
            }
            .into();
        }
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
        // reqwest's own text quotes the whole URL: show it the way every URL is shown.
        let mut text = e.to_string();
        if let Some(u) = e.url() {
            text = text.replace(u.as_str(), &crate::config::shown(u));
        }
        parts.push(text);
    }
    crate::finding::clean(&parts.join(": "), 300)
}

#[cfg(test)]
mod tests {
    //! Table tests: the transport error in → kind, category, summary and hints out.
    use std::io::{Error as IoError, ErrorKind};

    use super::*;
    use crate::exit::Category::{self, *};

    fn check(f: Failure, kind: &str, category: Category, summary: &str, hints: &[&str]) {
        crate::failure::expect(&f, kind, category, summary, hints);
    }

    #[test]
    #[rustfmt::skip]
    fn network_failures() {
        let proxied = super::super::route::Route::Proxy(url::Url::parse("http://10.0.0.9:3128").unwrap());
        let s = Duration::from_secs(5);
        let rows: Vec<(Failure, &str, Category, &str, &[&str])> = vec![
            (dns_not_found("api.example", false, None), "dns_not_found", Network, "DNS: api.example was not found", &["typos"]),
            (dns_not_found("api.example", true, Some("Temporary failure in name resolution")), "dns_no_answer", Network, "DNS: proxy host api.example could not be looked up: the DNS server did not answer", &["DNS settings"]),
            (dns_not_found("api.hypatos.com", false, None), "dns_not_found", Network, "DNS: api.hypatos.com was not found", &["typos", "api.cloud.hypatos.com"]),
            (dns_not_found("intranet", false, None), "dns_not_found", Network, "DNS: intranet was not found", &["typos", "VPN"]),
            (connect_io(&IoError::from(ErrorKind::ConnectionRefused), "10.0.0.1:443", false), "connection_refused", Network, "connection refused by 10.0.0.1:443: nothing listens on that port", &["port"]),
            (connect_io(&IoError::from(ErrorKind::TimedOut), "10.0.0.1:443", true), "connect_timeout", Network, "no answer from 10.0.0.1:443 (the proxy)", &["proxy's address"]),
            (through(connect_io(&IoError::from(ErrorKind::ConnectionRefused), "login.example", false), &proxied), "connection_refused", Network, "connection refused by 10.0.0.9:3128 (the proxy): nothing listens on that port", &["HTTPS_PROXY"]),
            (through(dns_not_found("login.example", false, None), &proxied), "dns_not_found", Network, "DNS: proxy host 10.0.0.9 was not found", &["HTTPS_PROXY"]),
            (through(dns_not_found("login.example", false, None), &super::super::route::Route::Exempt), "dns_not_found", Network, "DNS: login.example was not found", &["typos"]),
            (connect_io(&IoError::other("unreachable (os error 101)"), "10.0.0.1:443", false), "connect_failed", Network, "cannot connect to 10.0.0.1:443: unreachable", &["VPN, firewall or proxy"]),
            (connect_timeout("10.0.0.1:443", s, false), "connect_timeout", Network, "no answer from 10.0.0.1:443 within 5s", &["firewall"]),
            (too_slow("api.example", s), "too_slow", Network, "api.example did not answer completely within 5s", &["(or --timeout)"]),
            (NetFailure::DnsTimeout { what: "api.example".into(), after: s }.into(), "dns_timeout", Network, "DNS lookup of api.example did not answer within 5s", &["DNS settings"]),
            (NetFailure::NotHttp { what: "api.example".into() }.into(), "not_http", Endpoint, "api.example answered with something that is not HTTP", &["another protocol"]),
            (NetFailure::ProxyRefused { proxy: Some("10.0.0.1:3128".into()), target: "api.example:443".into(), said: Some("403 Forbidden".into()) }.into(), "proxy_refused", Network, "the proxy 10.0.0.1:3128 refused CONNECT to api.example:443 (403 Forbidden)", &["NO_PROXY"]),
            (NetFailure::ProxyRefused { proxy: None, target: "api.example".into(), said: None }.into(), "proxy_refused", Network, "the proxy refused CONNECT to api.example", &["NO_PROXY"]),
            (NetFailure::ProxyAuth { proxy: Some("10.0.0.1:3128".into()), said: Some("407 Proxy Authentication Required".into()), sent: true }.into(), "proxy_auth_required", Network, "the proxy 10.0.0.1:3128 refused the credentials it was given (407 Proxy Authentication Required)", &["user name and password", "secret source"]),
            (NetFailure::ProxyClosed { proxy: "10.0.0.1:3128".into(), target: "api.example:443".into() }.into(), "proxy_refused", Network, "the proxy 10.0.0.1:3128 closed the connection instead of answering CONNECT to api.example:443", &["NO_PROXY"]),
        ];
        for (f, kind, category, summary, hints) in rows {
            check(f, kind, category, summary, hints);
        }
    }

    #[test]
    #[rustfmt::skip]
    fn tls_failures() {
        use rustls::{AlertDescription as A, CertificateError as C, Error as E};
        let o = Origin { https: true, host: "api.example".into(), port: 443 };
        let rows: Vec<(Failure, &str, Category, &str, &[&str])> = vec![
            (tls_error(&E::InvalidCertificate(C::UnknownIssuer), "h"), "tls_unknown_issuer", Tls, "the certificate of h is not trusted: it is not issued by a known certificate authority", &["ca_file"]),
            (tls_error(&E::InvalidCertificate(C::Expired), "h"), "tls_expired", Tls, "the certificate of h has expired", &["renew"]),
            (tls_error(&E::InvalidCertificate(C::NotValidYet), "h"), "tls_not_valid_yet", Tls, "the certificate of h is not valid yet", &["clock"]),
            (tls_error(&E::InvalidCertificate(C::NotValidForName), "h"), "tls_not_valid_for_name", Tls, "the certificate presented is not valid for the name h", &["host name"]),
            (tls_error(&E::InvalidCertificate(C::Revoked), "h"), "tls_revoked", Tls, "the certificate of h has been revoked", &["replace the certificate"]),
            (tls_error(&E::AlertReceived(A::CertificateRequired), "h"), "tls_client_cert_required", Tls, "h requires a client certificate (TLS alert certificate_required)", &["set client_cert"]),
            (tls_error(&E::AlertReceived(A::HandshakeFailure), "h"), "tls_alert", Tls, "h ended the TLS handshake (alert: handshake_failure)", &["TLS 1.2 and 1.3"]),
            (tls_error(&E::AlertReceived(A::Unknown(200)), "h"), "tls_alert", Tls, "h ended the TLS handshake (alert: number 200)", &["TLS 1.2 and 1.3"]),
            (tls_error(&E::InvalidCertificate(C::Other(rustls::OtherError(std::sync::Arc::new(Refused::SelfSigned { ca_file: false })))), "h"), "tls_self_signed", Tls, "the certificate of h is self-signed: no certificate authority vouches for it", &["set ca_file"]),
            (tls_error(&E::InvalidCertificate(C::Other(rustls::OtherError(std::sync::Arc::new(Refused::SelfSigned { ca_file: true })))), "h"), "tls_self_signed", Tls, "the certificate of h is self-signed, and it is not the one in ca_file", &["put the certificate"]),
            (tls_error(&E::InvalidCertificate(C::Other(rustls::OtherError(std::sync::Arc::new(Refused::IncompleteChain)))), "h"), "tls_incomplete_chain", Tls, "h sends an incomplete certificate chain: its own certificate without the intermediate that issued it", &["intermediate certificate too"]),
            (tls_error(&E::InvalidCertificate(C::Other(rustls::OtherError(std::sync::Arc::new(std::io::Error::other("CaUsedAsEndEntity"))))), "h"), "tls_bad_certificate", Tls, "the certificate of h was refused: it is not acceptable as a server certificate", &["replace the certificate"]),
            (tls_error(&E::InvalidCertificate(C::BadEncoding), "h"), "tls_bad_certificate", Tls, "the certificate of h was refused: it is not a well-formed certificate", &["replace the certificate"]),
            (tls_error(&E::PeerIncompatible(rustls::PeerIncompatible::NoCipherSuitesInCommon), "h"), "tls_alert", Tls, "h ended the TLS handshake (alert: no TLS version or cipher in common)", &["TLS 1.2 and 1.3"]),
            (tls_error(&E::PeerMisbehaved(rustls::PeerMisbehaved::TooManyEmptyFragments), "h"), "tls_failed", Tls, "TLS with h failed: the server broke the TLS protocol", &["scheme and port"]),
            (tls_error(&E::InvalidMessage(rustls::InvalidMessage::InvalidContentType), "h"), "tls_not_tls", Tls, "h did not answer with TLS", &["plain HTTP"]),
            (tls_error(&E::NoCertificatesPresented, "h"), "tls_no_certificate", Tls, "h presented no certificate", &["scheme and port"]),
            (tls_io(&IoError::from(ErrorKind::UnexpectedEof), &o), "tls_closed", Tls, "api.example:443 closed the connection during the TLS handshake", &["client certificate"]),
            (TlsFailure { host: o.authority(), problem: TlsProblem::Timeout(Duration::from_secs(2)) }.into(), "tls_timeout", Tls, "the TLS handshake with api.example:443 did not finish within 2s", &["scheme and port"]),
            (TlsFailure { host: "a b".into(), problem: TlsProblem::BadServerName }.into(), "tls_bad_server_name", Config, "`a b` is not a valid TLS server name", &["host name or an IP address"]),
        ];
        for (f, kind, category, summary, hints) in rows {
            check(f, kind, category, summary, hints);
        }
    }

    #[test]
    fn presented_certificate_is_described() {
        let c = CertFacts {
            subject_cn: Some("api.example".into()),
            issuer_cn: Some("api.example".into()),
            not_after: now_secs() + 10 * 86400 + 100,
            not_before: 0,
        };
        let f = describe_presented(
            tls_error(
                &rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
                "api.example",
            ),
            &c,
            "api.example",
        );
        assert_eq!(f.kind(), "tls_unknown_issuer");
        assert!(
            f.summary()
                .ends_with(" (presented: \"api.example\", issued by \"api.example\", valid 10 more days)")
        );
        assert_eq!(
            f.hints().last().map(String::as_str),
            Some("api.example presents a self-signed certificate")
        );
    }
}

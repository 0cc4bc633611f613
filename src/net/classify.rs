//! Transport failures turned into findings: which layer failed and what to change.
//!
//! This is the only place that looks inside `std::io`, `rustls` and `reqwest` errors.

use std::error::Error as _;
use std::time::Duration;

use super::cert::CertFacts;
use super::preflight::{Origin, now_secs};
use crate::exit::Category;
use crate::finding::Finding;

/// Hosts users are known to mistype, with the right one.
const HOST_SUGGESTIONS: &[(&str, &str)] = &[("api.hypatos.com", "api.cloud.hypatos.com")];

/// DNS gave no address. `reason` is the resolver's own message, when there is one.
pub fn dns_not_found(host: &str, proxy: bool, reason: Option<&str>) -> Finding {
    let what = if proxy {
        format!("proxy host {host}")
    } else {
        host.to_string()
    };
    let unreachable = reason.is_some_and(|r| r.contains("Temporary failure") || r.contains("try again"));
    let mut f = if unreachable {
        Finding::new(
            Category::Network,
            format!("DNS: {what} could not be looked up: the DNS server did not answer"),
        )
        .hint("check this machine's network connection and DNS settings; if the name is internal, a VPN may be needed")
    } else {
        Finding::new(Category::Network, format!("DNS: {what} was not found"))
            .hint("check the host name in the URL for typos")
    };
    for (bad, good) in HOST_SUGGESTIONS {
        if host.eq_ignore_ascii_case(bad) {
            f = f.hint(format!(
                "for the Hypatos US cloud, the API host is {good}: try https://{good}/v2"
            ));
        }
    }
    if host.ends_with(".local") || !host.contains('.') {
        f = f.hint("a short or .local name resolves only inside some networks: is a VPN needed?");
    }
    f
}

/// TCP connect failed with an I/O error.
pub fn connect_io(e: &std::io::Error, addr: &str, proxy: bool) -> Finding {
    let via = if proxy { " (the proxy)" } else { "" };
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Finding::new(
            Category::Network,
            format!("connection refused by {addr}{via}: nothing listens on that port"),
        )
        .hint("check the port in the URL, and that the service is running"),
        std::io::ErrorKind::TimedOut => connect_timeout(addr, Duration::ZERO, proxy),
        _ => Finding::new(
            Category::Network,
            format!("cannot connect to {addr}{via}: {}", io_text(e)),
        )
        .hint("check the network route: VPN, firewall or proxy"),
    }
}

/// TCP connect did not finish in time.
pub fn connect_timeout(addr: &str, after: Duration, proxy: bool) -> Finding {
    let via = if proxy { " (the proxy)" } else { "" };
    let within = if after.is_zero() {
        String::new()
    } else {
        format!(" within {}", humantime::format_duration(after))
    };
    Finding::new(Category::Network, format!("no answer from {addr}{via}{within}"))
        .hint("a firewall may drop the traffic, or a proxy or VPN is needed to reach this host")
}

fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    // "Network is unreachable (os error 101)" → without the OS code.
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The TLS handshake failed with this I/O error (rustls errors arrive wrapped in one).
pub fn tls_io(e: &std::io::Error, origin: &Origin) -> Finding {
    if let Some(r) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return tls_error(r, &origin.host);
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => Finding::new(
            Category::Tls,
            format!("{} closed the connection during the TLS handshake", origin.authority()),
        )
        .hint("the server may require a client certificate, support only other TLS versions, or not speak TLS on this port"),
        _ => Finding::new(Category::Tls, format!("TLS handshake with {} failed: {}", origin.authority(), io_text(e))),
    }
}

/// A rustls error, for a connection to `host`.
pub fn tls_error(e: &rustls::Error, host: &str) -> Finding {
    use rustls::{AlertDescription as A, CertificateError as C, Error as E};
    match e {
        E::InvalidCertificate(c) => match c {
            C::UnknownIssuer => Finding::new(
                Category::Tls,
                format!("the certificate of {host} is not trusted: it is not issued by a known certificate authority"),
            )
            .hint("if your organisation uses its own CA (a TLS-inspecting proxy, an internal server), add its root certificate as ca_file = \"/path/ca.pem\" to the profile or [defaults]"),
            C::Expired | C::ExpiredContext { .. } => {
                Finding::new(Category::Tls, format!("the certificate of {host} has expired")).hint(
                    "the server's operator must renew it; if this machine's clock is wrong, correct it",
                )
            }
            C::NotValidYet | C::NotValidYetContext { .. } => Finding::new(
                Category::Tls,
                format!("the certificate of {host} is not valid yet"),
            )
            .hint("check this machine's clock"),
            C::NotValidForName | C::NotValidForNameContext { .. } => Finding::new(
                Category::Tls,
                format!("the certificate presented is not valid for the name {host}"),
            )
            .hint("check the host name in the URL: it must be one the certificate was issued for"),
            C::Revoked => Finding::new(Category::Tls, format!("the certificate of {host} has been revoked")),
            other => Finding::new(Category::Tls, format!("the certificate of {host} was refused: {other:?}")),
        },
        E::AlertReceived(A::CertificateRequired) | E::AlertReceived(A::BadCertificate)
        | E::AlertReceived(A::UnknownCA) | E::AlertReceived(A::AccessDenied) => Finding::new(
            Category::Tls,
            format!("{host} refused the TLS connection (alert: {e})"),
        )
        .hint("the server requires a client certificate it trusts: set client_cert and client_key in the profile"),
        E::AlertReceived(a) => Finding::new(Category::Tls, format!("{host} ended the TLS handshake (alert: {a:?})"))
            .hint("the server and conn share no TLS version or cipher; conn speaks TLS 1.2 and 1.3"),
        E::InvalidMessage(_) => Finding::new(
            Category::Tls,
            format!("{host} did not answer with TLS"),
        )
        .hint("the port may serve plain HTTP: check the URL's scheme (https://) and port"),
        E::NoCertificatesPresented => Finding::new(Category::Tls, format!("{host} presented no certificate")),
        other => Finding::new(Category::Tls, format!("TLS with {host} failed: {other}")),
    }
}

/// Add who issued and until when the presented certificate is valid.
pub fn describe_presented(f: &mut Finding, c: &CertFacts, host: &str) {
    let issuer = c.issuer_cn.as_deref().unwrap_or("an unnamed issuer");
    let subject = c.subject_cn.as_deref().unwrap_or("no common name");
    let days = (c.not_after - now_secs()).div_euclid(86400);
    let validity = if days < 0 {
        format!("expired {} days ago", -days)
    } else {
        format!("valid {days} more days")
    };
    f.summary.push_str(&format!(
        " (presented: \"{subject}\", issued by \"{issuer}\", {validity})"
    ));
    if c.issuer_cn == c.subject_cn && f.summary.contains("not trusted") {
        f.hints.push(format!("{host} presents a self-signed certificate"));
    }
}

/// A `reqwest` error from a request to `url`, classified by layer.
pub fn request_error(e: &reqwest::Error, what: &str, timeout: Duration) -> Finding {
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
            return Finding::new(
                Category::Endpoint,
                format!("{what} answered with something that is not HTTP"),
            )
            .hint("check the URL's scheme and port: the port may serve another protocol");
        }
        let text = s.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return dns_not_found(what, false, Some(&text));
        }
        source = s.source();
    }
    if e.is_timeout() {
        return Finding::new(
            Category::Network,
            format!(
                "{what} did not answer completely within {}",
                humantime::format_duration(timeout)
            ),
        )
        .hint("the server is slow or stalled; raise `timeout` in the profile if it is known to be slow");
    }
    if e.is_connect() {
        return Finding::new(Category::Network, format!("cannot connect to {what}"));
    }
    Finding::new(
        Category::Network,
        format!("the connection to {what} failed: {}", chain_text(e)),
    )
    .hint("the server closed the connection or answered with something that is not HTTP")
}

/// The total deadline passed before the answer was complete.
pub fn too_slow(what: &str, timeout: Duration) -> Finding {
    Finding::new(
        Category::Network,
        format!(
            "{what} did not answer completely within {}",
            humantime::format_duration(timeout)
        ),
    )
    .hint("the server is slow or stalled; raise `timeout` in the profile (or --timeout) if it is known to be slow")
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

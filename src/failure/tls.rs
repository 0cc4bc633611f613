//! TLS failures: the certificate, the handshake, and what the server presented.

use std::time::Duration;

use crate::exit::Category;

/// A TLS failure towards `host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFailure {
    /// The host (or `host:port`, for handshake problems) as named in the words.
    pub host: String,
    /// What went wrong.
    pub problem: TlsProblem,
}

/// What went wrong in TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsProblem {
    /// Not issued by a known certificate authority.
    UnknownIssuer,
    /// Expired.
    Expired,
    /// Not valid yet.
    NotValidYet,
    /// Not issued for this name.
    NotValidForName,
    /// Revoked.
    Revoked,
    /// Refused for another certificate reason (in words).
    BadCertificate(String),
    /// The certificate is its own issuer: no authority vouches for it. `ca_file`: one is
    /// set, and it does not hold this certificate.
    SelfSigned {
        /// A `ca_file` is set.
        ca_file: bool,
    },
    /// The server sent its own certificate without the intermediate that issued it.
    IncompleteChain,
    /// The server asks for a client certificate it trusts (how it said so).
    ClientCertRequired(String),
    /// A plain `http://` request reached a TLS port (the server's words).
    PlainHttpToTls(String),
    /// The server ended the handshake with an alert (its name).
    Alert(String),
    /// The server did not answer with TLS.
    NotTls,
    /// No certificate presented.
    NoCertificate,
    /// Another TLS error (its words).
    Other(String),
    /// The connection closed during the handshake (`host` is `host:port`).
    Closed,
    /// The handshake failed with an I/O error (`host` is `host:port`; the system's words).
    Handshake(String),
    /// The handshake did not finish in time (`host` is `host:port`).
    Timeout(Duration),
    /// The host is not a valid TLS server name.
    BadServerName,
}

impl TlsProblem {
    /// Stable name.
    pub fn kind(&self) -> &'static str {
        match self {
            TlsProblem::UnknownIssuer => "tls_unknown_issuer",
            TlsProblem::Expired => "tls_expired",
            TlsProblem::NotValidYet => "tls_not_valid_yet",
            TlsProblem::NotValidForName => "tls_not_valid_for_name",
            TlsProblem::Revoked => "tls_revoked",
            TlsProblem::BadCertificate(_) => "tls_bad_certificate",
            TlsProblem::SelfSigned { .. } => "tls_self_signed",
            TlsProblem::IncompleteChain => "tls_incomplete_chain",
            TlsProblem::PlainHttpToTls(_) => "tls_port_needs_https",
            TlsProblem::ClientCertRequired(_) => "tls_client_cert_required",
            TlsProblem::Alert(_) => "tls_alert",
            TlsProblem::NotTls => "tls_not_tls",
            TlsProblem::NoCertificate => "tls_no_certificate",
            TlsProblem::Other(_) => "tls_failed",
            TlsProblem::Closed => "tls_closed",
            TlsProblem::Handshake(_) => "tls_handshake_failed",
            TlsProblem::Timeout(_) => "tls_timeout",
            TlsProblem::BadServerName => "tls_bad_server_name",
        }
    }

    /// The category.
    pub fn category(&self) -> Category {
        match self {
            TlsProblem::BadServerName => Category::Config,
            _ => Category::Tls,
        }
    }
}

impl TlsFailure {
    /// One line.
    pub fn summary(&self) -> String {
        let host = &self.host;
        match &self.problem {
            TlsProblem::UnknownIssuer => {
                format!("the certificate of {host} is not trusted: it is not issued by a known certificate authority")
            }
            TlsProblem::Expired => format!("the certificate of {host} has expired"),
            TlsProblem::NotValidYet => format!("the certificate of {host} is not valid yet"),
            TlsProblem::NotValidForName => format!("the certificate presented is not valid for the name {host}"),
            TlsProblem::Revoked => format!("the certificate of {host} has been revoked"),
            TlsProblem::BadCertificate(why) => format!("the certificate of {host} was refused: {why}"),
            TlsProblem::SelfSigned { ca_file: false } => {
                format!("the certificate of {host} is self-signed: no certificate authority vouches for it")
            }
            TlsProblem::SelfSigned { ca_file: true } => {
                format!("the certificate of {host} is self-signed, and it is not the one in ca_file")
            }
            TlsProblem::IncompleteChain => format!(
                "{host} sends an incomplete certificate chain: its own certificate without the intermediate that issued it"
            ),
            TlsProblem::ClientCertRequired(said) => format!("{host} requires a client certificate ({said})"),
            TlsProblem::PlainHttpToTls(said) => {
                format!("{host} speaks TLS on this port: it refused a plain http:// request ({said})")
            }
            TlsProblem::Alert(a) => format!("{host} ended the TLS handshake (alert: {a})"),
            TlsProblem::NotTls => format!("{host} did not answer with TLS"),
            TlsProblem::NoCertificate => format!("{host} presented no certificate"),
            TlsProblem::Other(why) => format!("TLS with {host} failed: {why}"),
            TlsProblem::Closed => format!("{host} closed the connection during the TLS handshake"),
            TlsProblem::Handshake(why) => format!("TLS handshake with {host} failed: {why}"),
            TlsProblem::Timeout(after) => format!(
                "the TLS handshake with {host} did not finish within {}",
                humantime::format_duration(*after)
            ),
            TlsProblem::BadServerName => format!("`{host}` is not a valid TLS server name"),
        }
    }

    /// What to change.
    pub fn hints(&self) -> Vec<String> {
        let h = match &self.problem {
            TlsProblem::UnknownIssuer => {
                "if your organisation uses its own CA (a TLS-inspecting proxy, an internal server), add its root certificate as ca_file = \"/path/ca.pem\" to the profile or [defaults]"
            }
            TlsProblem::Expired => "the server's operator must renew it; if this machine's clock is wrong, correct it",
            TlsProblem::NotValidYet => "check this machine's clock",
            TlsProblem::NotValidForName => {
                "check the host name in the URL: it must be one the certificate was issued for"
            }
            TlsProblem::ClientCertRequired(_) => {
                "the server requires a client certificate it trusts: set client_cert and client_key in the profile"
            }
            TlsProblem::SelfSigned { ca_file: false } => {
                "if you trust this server, save its certificate (openssl s_client -connect HOST:PORT -showcerts </dev/null) and set ca_file = \"/path/server.pem\" in the profile, as curl --cacert does"
            }
            TlsProblem::SelfSigned { ca_file: true } => {
                "the server's certificate changed, or ca_file holds another one: put the certificate the server presents now in ca_file"
            }
            TlsProblem::IncompleteChain => {
                "the server's operator must send the intermediate certificate too (for nginx: ssl_certificate holds the server certificate followed by the intermediates)"
            }
            TlsProblem::PlainHttpToTls(_) => "use https:// in the URL",
            TlsProblem::Alert(_) => "the server and conn share no TLS version or cipher; conn speaks TLS 1.2 and 1.3",
            TlsProblem::NotTls => "the port may serve plain HTTP: check the URL's scheme (https://) and port",
            TlsProblem::Closed => {
                "the server may require a client certificate, support only other TLS versions, or not speak TLS on this port"
            }
            TlsProblem::Timeout(_) => {
                "the port may not speak TLS, or something between drops the handshake; check the URL's scheme and port"
            }
            TlsProblem::Revoked => "the server's operator must replace the certificate",
            TlsProblem::BadCertificate(_) => {
                "the server's operator must replace the certificate with one issued for a TLS server"
            }
            TlsProblem::NoCertificate | TlsProblem::Other(_) | TlsProblem::Handshake(_) => {
                "check the URL's scheme and port: the port may not serve TLS as a web server does; -v shows the exchange"
            }
            TlsProblem::BadServerName => "use a host name or an IP address in the URL",
        };
        vec![h.to_string()]
    }
}

/// What the server presented during a failed handshake, fetched again only to describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// The host connected to.
    pub host: String,
    /// Subject common name.
    pub subject: Option<String>,
    /// Issuer common name.
    pub issuer: Option<String>,
    /// Whole days of validity left (negative when expired).
    pub days: i64,
    /// Subject and issuer are the same.
    pub self_signed: bool,
}

impl Presented {
    /// ` (presented: "subject", issued by "issuer", valid N more days)`.
    pub fn suffix(&self) -> String {
        let issuer = self.issuer.as_deref().unwrap_or("an unnamed issuer");
        let subject = self.subject.as_deref().unwrap_or("no common name");
        let validity = if self.days < 0 {
            format!("expired {} days ago", -self.days)
        } else {
            format!("valid {} more days", self.days)
        };
        format!(" (presented: \"{subject}\", issued by \"{issuer}\", {validity})")
    }
}

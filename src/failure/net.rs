//! Failures below HTTP: name resolution, TCP connect, and a request that stalls or breaks.

use std::time::Duration;

use crate::exit::Category;

/// Hosts users are known to mistype, with the right one.
const HOST_SUGGESTIONS: &[(&str, &str)] = &[("api.hypatos.com", "api.cloud.hypatos.com")];

/// The hint for a proxy that cannot be reached.
const PROXY_SETTING: &str = "check the proxy's address and that it is running: `proxy` in the profile, else HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (list the host in NO_PROXY to go direct)";

/// Why the network did not carry the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetFailure {
    /// DNS gave no address.
    Dns {
        /// The host looked up.
        host: String,
        /// The host is the proxy's.
        via_proxy: bool,
        /// The resolver itself did not answer ("Temporary failure").
        resolver_down: bool,
    },
    /// The DNS lookup did not finish in time.
    DnsTimeout {
        /// The host or proxy, as shown.
        what: String,
        /// The limit.
        after: Duration,
    },
    /// Nothing listens on the port.
    Refused {
        /// `host:port` or address.
        addr: String,
        /// The address is the proxy's.
        via_proxy: bool,
    },
    /// Connect failed with another I/O error.
    Connect {
        /// `host:port` or address.
        addr: String,
        /// The address is the proxy's.
        via_proxy: bool,
        /// The system's words, without the OS code.
        text: String,
    },
    /// Connect did not finish in time (`after` zero when the system gave up).
    ConnectTimeout {
        /// `host:port` or address.
        addr: String,
        /// The address is the proxy's.
        via_proxy: bool,
        /// The limit, zero when unknown.
        after: Duration,
    },
    /// The port speaks another protocol than HTTP.
    NotHttp {
        /// The host.
        what: String,
    },
    /// The answer was not complete within the total deadline.
    Stalled {
        /// The host.
        what: String,
        /// The deadline.
        after: Duration,
        /// Whether the hint names `--timeout` too (the deadline was conn's own).
        flag: bool,
    },
    /// Connecting failed, for a reason the HTTP client does not say.
    ConnectFailed {
        /// The host.
        what: String,
    },
    /// The proxy answered CONNECT with a refusal.
    ProxyRefused {
        /// The proxy's `host:port`, when known.
        proxy: Option<String>,
        /// The `host:port` the tunnel was for.
        target: String,
        /// The proxy's status line (`403 Forbidden`), when known.
        said: Option<String>,
    },
    /// The proxy wants credentials (407), for CONNECT or a plain-http request.
    ProxyAuth {
        /// The proxy's `host:port`, when known.
        proxy: Option<String>,
        /// The proxy's status line, when known.
        said: Option<String>,
        /// Credentials were sent (and refused).
        sent: bool,
    },
    /// The proxy closed the connection instead of answering CONNECT.
    ProxyClosed {
        /// The proxy's `host:port`.
        proxy: String,
        /// The `host:port` the tunnel was for.
        target: String,
    },
    /// The connection broke.
    Broken {
        /// The host.
        what: String,
        /// The error chain, cleaned.
        chain: String,
    },
}

/// How to give a proxy its credentials.
const PROXY_CREDENTIALS: &str = "give the proxy its credentials with proxy = { url, username, password } in the profile, the password from a secret source: proxy = { url = \"http://proxy.corp:3128\", username = \"svc-conn\", password = { env = \"PROXY_PASSWORD\" } }";

/// "the proxy 10.0.0.1:3128", or "the proxy" when its address is not known.
fn the_proxy(proxy: &Option<String>) -> String {
    match proxy {
        Some(p) => format!("the proxy {p}"),
        None => "the proxy".to_string(),
    }
}

fn via(proxy: bool) -> &'static str {
    if proxy { " (the proxy)" } else { "" }
}

impl NetFailure {
    /// Stable name.
    pub fn kind(&self) -> &'static str {
        match self {
            NetFailure::Dns {
                resolver_down: true, ..
            } => "dns_no_answer",
            NetFailure::Dns { .. } => "dns_not_found",
            NetFailure::DnsTimeout { .. } => "dns_timeout",
            NetFailure::Refused { .. } => "connection_refused",
            NetFailure::Connect { .. } | NetFailure::ConnectFailed { .. } => "connect_failed",
            NetFailure::ConnectTimeout { .. } => "connect_timeout",
            NetFailure::NotHttp { .. } => "not_http",
            NetFailure::Stalled { .. } => "too_slow",
            NetFailure::Broken { .. } => "connection_broken",
            NetFailure::ProxyRefused { .. } | NetFailure::ProxyClosed { .. } => "proxy_refused",
            NetFailure::ProxyAuth { .. } => "proxy_auth_required",
        }
    }

    /// The category.
    pub fn category(&self) -> Category {
        match self {
            NetFailure::NotHttp { .. } => Category::Endpoint,
            _ => Category::Network,
        }
    }

    /// Whether another attempt may help.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            NetFailure::Refused { .. }
                | NetFailure::Connect { .. }
                | NetFailure::ConnectTimeout { .. }
                | NetFailure::ConnectFailed { .. }
                | NetFailure::Broken { .. }
        )
    }

    /// One line.
    pub fn summary(&self) -> String {
        match self {
            NetFailure::Dns {
                host,
                via_proxy,
                resolver_down,
            } => {
                let what = if *via_proxy {
                    format!("proxy host {host}")
                } else {
                    host.clone()
                };
                if *resolver_down {
                    format!("DNS: {what} could not be looked up: the DNS server did not answer")
                } else {
                    format!("DNS: {what} was not found")
                }
            }
            NetFailure::DnsTimeout { what, after } => format!(
                "DNS lookup of {what} did not answer within {}",
                humantime::format_duration(*after)
            ),
            NetFailure::Refused { addr, via_proxy } => format!(
                "connection refused by {addr}{}: nothing listens on that port",
                via(*via_proxy)
            ),
            NetFailure::Connect { addr, via_proxy, text } => {
                format!("cannot connect to {addr}{}: {text}", via(*via_proxy))
            }
            NetFailure::ConnectTimeout { addr, via_proxy, after } => {
                let within = if after.is_zero() {
                    String::new()
                } else {
                    format!(" within {}", humantime::format_duration(*after))
                };
                format!("no answer from {addr}{}{within}", via(*via_proxy))
            }
            NetFailure::NotHttp { what } => format!("{what} answered with something that is not HTTP"),
            NetFailure::Stalled { what, after, .. } => format!(
                "{what} did not answer completely within {}",
                humantime::format_duration(*after)
            ),
            NetFailure::ConnectFailed { what } => format!("cannot connect to {what}"),
            NetFailure::Broken { what, chain } => format!("the connection to {what} failed: {chain}"),
            NetFailure::ProxyRefused { proxy, target, said } => format!(
                "{} refused CONNECT to {target}{}",
                the_proxy(proxy),
                said.as_ref().map(|s| format!(" ({s})")).unwrap_or_default()
            ),
            NetFailure::ProxyAuth { proxy, said, sent } => format!(
                "{} {} ({})",
                the_proxy(proxy),
                if *sent {
                    "refused the credentials it was given"
                } else {
                    "wants credentials"
                },
                said.as_deref().unwrap_or("407")
            ),
            NetFailure::ProxyClosed { proxy, target } => {
                format!("the proxy {proxy} closed the connection instead of answering CONNECT to {target}")
            }
        }
    }

    /// What to change.
    pub fn hints(&self) -> Vec<String> {
        let one = |s: &str| vec![s.to_string()];
        match self {
            NetFailure::Dns {
                via_proxy: true,
                resolver_down: false,
                ..
            } => one(PROXY_SETTING),
            NetFailure::Dns {
                host, resolver_down, ..
            } => {
                let mut h = if *resolver_down {
                    one(
                        "check this machine's network connection and DNS settings; if the name is internal, a VPN may be needed",
                    )
                } else {
                    one("check the host name in the URL for typos")
                };
                for (bad, good) in HOST_SUGGESTIONS {
                    if host.eq_ignore_ascii_case(bad) {
                        h.push(format!(
                            "for the Hypatos US cloud, the API host is {good}: try https://{good}/v2"
                        ));
                    }
                }
                if host.ends_with(".local") || !host.contains('.') {
                    h.push("a short or .local name resolves only inside some networks: is a VPN needed?".into());
                }
                h
            }
            NetFailure::DnsTimeout { .. } => one("check the machine's DNS settings and network connection"),
            NetFailure::Refused { via_proxy: true, .. }
            | NetFailure::Connect { via_proxy: true, .. }
            | NetFailure::ConnectTimeout { via_proxy: true, .. } => one(PROXY_SETTING),
            NetFailure::Refused { .. } => one("check the port in the URL, and that the service is running"),
            NetFailure::Connect { .. } => one("check the network route: VPN, firewall or proxy"),
            NetFailure::ConnectTimeout { .. } => {
                one("a firewall may drop the traffic, or a proxy or VPN is needed to reach this host")
            }
            NetFailure::NotHttp { .. } => one("check the URL's scheme and port: the port may serve another protocol"),
            NetFailure::Stalled { flag: false, .. } => {
                one("the server is slow or stalled; raise `timeout` in the profile if it is known to be slow")
            }
            NetFailure::Stalled { flag: true, .. } => one(
                "the server is slow or stalled; raise `timeout` in the profile (or --timeout) if it is known to be slow",
            ),
            NetFailure::ConnectFailed { .. } => Vec::new(),
            NetFailure::Broken { .. } => {
                one("the server closed the connection or answered with something that is not HTTP")
            }
            NetFailure::ProxyRefused { target, .. } | NetFailure::ProxyClosed { target, .. } => vec![format!(
                "the proxy does not open tunnels to {target}: ask its operator to allow it, or list the host in NO_PROXY if it is reachable directly"
            )],
            NetFailure::ProxyAuth { sent: false, .. } => one(PROXY_CREDENTIALS),
            NetFailure::ProxyAuth { sent: true, .. } => vec![
                "check the proxy user name and password".to_string(),
                PROXY_CREDENTIALS.to_string(),
            ],
        }
    }
}

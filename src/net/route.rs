//! The route to an origin: straight there, or through which proxy. This is the one decision
//! about it: the pre-flight checks what it names, and the HTTP clients are handed it for each
//! request (they never read the environment themselves), so the route reported is the route
//! taken.
//!
//! The profile's `proxy` wins. Else, for https, `HTTPS_PROXY`/`https_proxy`, for http,
//! `HTTP_PROXY`/`http_proxy`, then `ALL_PROXY`/`all_proxy`; a value without a scheme is
//! `http://`. `NO_PROXY`/`no_proxy` lists what goes direct: `*`; host names, which cover
//! their subdomains (a leading `.` or `*.` means the same); IP addresses and CIDR ranges, IPv4
//! or IPv6, with or without brackets. A `:port` on an entry is ignored, as curl does.

use std::net::IpAddr;

use url::{Host, Url};

/// How requests to an origin travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Straight to the origin: no proxy is set.
    Direct,
    /// Straight to the origin: a proxy is set, but `NO_PROXY` covers this host.
    Exempt,
    /// Through this proxy (credentials, if any, in its userinfo).
    Proxy(Url),
}

impl Route {
    /// The proxy, when there is one.
    pub fn proxy(&self) -> Option<&Url> {
        match self {
            Route::Proxy(p) => Some(p),
            Route::Direct | Route::Exempt => None,
        }
    }
}

/// An entry of `NO_PROXY`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exempt {
    /// `*`: nothing is proxied.
    All,
    /// A host name and its subdomains (lower case, no leading or trailing dot).
    Domain(String),
    /// An address range: network and prefix length.
    Net(IpAddr, u8),
}

/// The proxy settings of the environment, read once per run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    https: Option<Url>,
    http: Option<Url>,
    all: Option<Url>,
    no_proxy: Vec<Exempt>,
}

impl Env {
    /// The settings of this process's environment.
    pub fn from_process() -> Env {
        Env::from_lookup(|k| std::env::var(k).ok())
    }

    /// The settings as `get` gives the variables (upper case first, then lower case).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Env {
        let var = |upper: &str| {
            [upper.to_string(), upper.to_ascii_lowercase()]
                .iter()
                .find_map(|n| get(n).filter(|v| !v.trim().is_empty()))
        };
        Env {
            https: var("HTTPS_PROXY").and_then(|v| parse_proxy(&v)),
            http: var("HTTP_PROXY").and_then(|v| parse_proxy(&v)),
            all: var("ALL_PROXY").and_then(|v| parse_proxy(&v)),
            no_proxy: var("NO_PROXY").map(|v| parse_no_proxy(&v)).unwrap_or_default(),
        }
    }

    /// The route of a request to `url`, given the profile's own `proxy` setting.
    pub fn route(&self, url: &Url, explicit: Option<&Url>) -> Route {
        if let Some(p) = explicit {
            return Route::Proxy(p.clone());
        }
        let by_scheme = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        };
        let Some(proxy) = by_scheme.or(self.all.as_ref()) else {
            return Route::Direct;
        };
        match url.host() {
            Some(h) if self.no_proxy.iter().any(|e| covers(e, &h)) => Route::Exempt,
            _ => Route::Proxy(proxy.clone()),
        }
    }
}

/// Proxy schemes the HTTP client can use.
const SCHEMES: [&str; 6] = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"];

/// A proxy variable's value as a URL; without a scheme it is `http://`. `None` when it names
/// no host or a scheme no client could use (as the HTTP client itself would ignore it).
pub fn parse_proxy(v: &str) -> Option<Url> {
    let v = v.trim();
    let u = if v.contains("://") {
        Url::parse(v)
    } else {
        Url::parse(&format!("http://{v}"))
    };
    u.ok()
        .filter(|u| SCHEMES.contains(&u.scheme()))
        .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
}

fn parse_no_proxy(v: &str) -> Vec<Exempt> {
    v.split(',').filter_map(|e| exempt(e.trim())).collect()
}

fn exempt(entry: &str) -> Option<Exempt> {
    if entry == "*" {
        return Some(Exempt::All);
    }
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
        None => (entry, None),
    };
    if let Some(ip) = address(addr) {
        let full = if ip.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(full);
        return (bits <= full).then_some(Exempt::Net(ip, bits));
    }
    if bits.is_some() {
        return None;
    }
    let host = match entry.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => entry,
    };
    let host = host
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.');
    (!host.is_empty()).then(|| Exempt::Domain(host.to_ascii_lowercase()))
}

/// An address entry: `10.0.0.1`, `::1`, `[::1]`, `[::1]:8080`, `10.0.0.1:8080`.
fn address(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port_ok = after.is_empty()
            || after
                .strip_prefix(':')
                .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
        return port_ok.then(|| inside.parse().ok()).flatten();
    }
    let (h, port) = s.rsplit_once(':')?;
    (port.bytes().all(|b| b.is_ascii_digit()))
        .then(|| h.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4))
        .flatten()
}

fn covers(e: &Exempt, host: &Host<&str>) -> bool {
    match (e, host) {
        (Exempt::All, _) => true,
        (Exempt::Domain(d), Host::Domain(h)) => {
            let h = h.trim_end_matches('.').to_ascii_lowercase();
            h == *d || h.strip_suffix(d.as_str()).is_some_and(|rest| rest.ends_with('.'))
        }
        (Exempt::Domain(_), _) => false,
        (Exempt::Net(net, bits), Host::Ipv4(ip)) => in_net(IpAddr::V4(*ip), *net, *bits),
        (Exempt::Net(net, bits), Host::Ipv6(ip)) => in_net(IpAddr::V6(*ip), *net, *bits),
        (Exempt::Net(..), Host::Domain(_)) => false,
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (a, n, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    let shift = u32::from(width - bits.min(width));
    a.checked_shr(shift).unwrap_or(0) == n.checked_shr(shift).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Env::from_lookup(move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    fn route(e: &Env, url: &str) -> String {
        match e.route(&Url::parse(url).unwrap(), None) {
            Route::Direct => "direct".into(),
            Route::Exempt => "exempt".into(),
            Route::Proxy(p) => p.to_string(),
        }
    }

    #[test]
    fn proxy_values() {
        let cases = [
            ("127.0.0.1:3128", Some("http://127.0.0.1:3128/")),
            ("proxy.corp:3128", Some("http://proxy.corp:3128/")),
            ("proxy.corp", Some("http://proxy.corp/")),
            (" http://u:p@proxy.corp:8080 ", Some("http://u:p@proxy.corp:8080/")),
            ("https://proxy.corp", Some("https://proxy.corp/")),
            ("[::1]:3128", Some("http://[::1]:3128/")),
            ("", None),
            ("http://", None),
            ("://x", None),
            ("ftp://proxy.corp:21", None),
            ("socks5://127.0.0.1:1080", Some("socks5://127.0.0.1:1080")),
        ];
        for (v, want) in cases {
            assert_eq!(parse_proxy(v).map(|u| u.to_string()).as_deref(), want, "{v:?}");
        }
    }

    #[test]
    fn which_variable_applies() {
        let e = env(&[("HTTPS_PROXY", "s:1"), ("http_proxy", "h:2"), ("ALL_PROXY", "a:3")]);
        assert_eq!(route(&e, "https://x.example/"), "http://s:1/");
        assert_eq!(route(&e, "http://x.example/"), "http://h:2/");
        let e = env(&[("all_proxy", "a:3")]);
        assert_eq!(route(&e, "https://x.example/"), "http://a:3/");
        assert_eq!(route(&e, "http://x.example/"), "http://a:3/");
        let e = env(&[("HTTPS_PROXY", "up:1"), ("https_proxy", "low:1")]);
        assert_eq!(route(&e, "https://x.example/"), "http://up:1/");
        let e = env(&[("HTTPS_PROXY", "  "), ("https_proxy", "low:1")]);
        assert_eq!(route(&e, "https://x.example/"), "http://low:1/");
        assert_eq!(route(&env(&[("HTTP_PROXY", "h:2")]), "https://x.example/"), "direct");
        assert_eq!(route(&env(&[]), "https://x.example/"), "direct");
        assert_eq!(
            route(&env(&[("HTTPS_PROXY", "http://")]), "https://x.example/"),
            "direct"
        );
    }

    #[test]
    fn the_profile_proxy_wins() {
        let e = env(&[("HTTPS_PROXY", "s:1"), ("NO_PROXY", "*")]);
        let p = Url::parse("http://explicit:9/").unwrap();
        assert_eq!(
            e.route(&Url::parse("https://x.example/").unwrap(), Some(&p)),
            Route::Proxy(p.clone())
        );
    }

    #[test]
    fn no_proxy_table() {
        // (NO_PROXY, URL, goes direct)
        let cases = [
            ("*", "https://anything.example/", true),
            ("example.com", "https://example.com/", true),
            ("example.com", "https://api.example.com/", true),
            ("example.com", "https://notexample.com/", false),
            ("example.com", "https://example.com.evil/", false),
            (".example.com", "https://example.com/", true),
            (".example.com", "https://a.b.example.com/", true),
            ("*.example.com", "https://a.example.com/", true),
            ("EXAMPLE.COM", "https://Api.Example.com/", true),
            ("example.com.", "https://api.example.com./", true),
            ("example.com:8443", "https://example.com/", true),
            (" a.test , example.com ", "https://example.com/", true),
            ("a.test,,", "https://example.com/", false),
            ("localhost", "http://localhost:8080/", true),
            ("127.0.0.1", "http://127.0.0.1:8080/", true),
            ("127.0.0.1", "http://127.0.0.2/", false),
            ("127.0.0.1:80", "http://127.0.0.1/", true),
            ("10.0.0.0/8", "https://10.20.30.40/", true),
            ("10.0.0.0/8", "https://11.0.0.1/", false),
            ("192.168.1.0/24", "https://192.168.1.255/", true),
            ("192.168.1.0/24", "https://192.168.2.1/", false),
            ("0.0.0.0/0", "https://8.8.8.8/", true),
            ("::1", "https://[::1]/", true),
            ("[::1]", "https://[::1]:8443/", true),
            ("[::1]:8443", "https://[::1]/", true),
            ("fd00::/8", "https://[fd12:3456::1]/", true),
            ("fd00::/8", "https://[fe80::1]/", false),
            ("::/0", "https://[2001:db8::1]/", true),
            ("10.0.0.0/8", "https://[::ffff:10.0.0.1]/", false),
            ("10.0.0.0/33", "https://10.0.0.1/", false),
            ("example.com/8", "https://example.com/", false),
            ("127.0.0.1", "https://localhost/", false),
            ("*", "http://127.0.0.1/", true),
            ("", "https://example.com/", false),
        ];
        for (no_proxy, url, direct) in cases {
            let e = env(&[("HTTPS_PROXY", "p:1"), ("HTTP_PROXY", "p:1"), ("no_proxy", no_proxy)]);
            let got = route(&e, url);
            let want = if direct { "exempt" } else { "http://p:1/" };
            assert_eq!(got, want, "NO_PROXY={no_proxy:?} {url}");
        }
    }

    #[test]
    fn odd_entries_never_panic() {
        for entry in [
            "[", "[::1", "]:", "/", "1.2.3.4/", "::/999", ":", "*.", ".", "[::1]x", "a:b:c",
        ] {
            let e = env(&[("HTTPS_PROXY", "p:1"), ("NO_PROXY", entry)]);
            let _ = route(&e, "https://[::1]/");
            let _ = route(&e, "https://example.com/");
        }
    }
}

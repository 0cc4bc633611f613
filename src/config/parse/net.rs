//! Reading the network settings of a profile (timeouts, proxy, CA and client certificates),
//! over `[defaults]`.

use super::*;

/// How to give a proxy credentials without writing the password in its URL.
const PROXY_TABLE_HELP: &str = "a proxy that wants credentials is a table, its password from a secret source: proxy = { url = \"http://proxy.corp:3128\", username = \"svc-conn\", password = { env = \"PROXY_PASSWORD\" } }";

/// `slot` set to `v` when there is one.
fn set<T>(slot: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *slot = v;
    }
}

impl Reader<'_> {
    /// Connection settings: the profile's own, else `[defaults]`, else built-in.
    pub fn net(&mut self, obj: Obj<'_>, defaults: &Net) -> Net {
        let mut n = defaults.clone();
        set(&mut n.timeout, self.duration(obj, "timeout"));
        set(&mut n.connect_timeout, self.duration(obj, "connect_timeout"));
        self.replace(obj, "ca_file", &mut n.ca_file, Self::path);
        if obj.get("proxy").is_some() {
            let p = self.proxy(obj);
            n.proxy_auth = p.as_ref().and_then(|(_, a)| a.clone());
            n.proxy = p.map(|(u, _)| u);
        }
        set(&mut n.insecure_tls, self.boolean(obj, "insecure_tls"));
        set(&mut n.allow_insecure_http, self.boolean(obj, "allow_insecure_http"));
        self.replace(obj, "client_cert", &mut n.client_cert, Self::path);
        self.replace(obj, "client_key", &mut n.client_key, Self::path);
        if n.client_cert.is_some() != n.client_key.is_some() {
            let key = if n.client_cert.is_some() {
                "client_key"
            } else {
                "client_cert"
            };
            self.missing(obj, key, " (client_cert and client_key go together)");
        }
        n
    }

    /// `proxy = "http://host:port"` or `proxy = { url, username, password }`, the password
    /// from any secret source. A user name or password written in the URL is refused (the
    /// URL is shown in reports): the table keeps the password secret.
    fn proxy(&mut self, obj: Obj<'_>) -> Option<(Url, Option<ProxyAuth>)> {
        let e = obj.get("proxy")?;
        let path = obj.key("proxy");
        let Value::Table(t) = &e.node.value else {
            let before = self.problems.len();
            let url = self.url(obj, "proxy");
            if let Some(p) = self.problems.get_mut(before..).and_then(|p| p.first_mut())
                && p.message.contains("user name or password")
            {
                p.help = Some(PROXY_TABLE_HELP.into());
            }
            return url.map(|u| (u, None));
        };
        let o = Obj {
            table: t,
            path: &path,
            span: &e.node.span,
        };
        self.unknown_keys(o, &["url", "username", "password"], "");
        let url = match o.get("url") {
            Some(_) => self.url(o, "url"),
            None => {
                self.missing(o, "url", "");
                None
            }
        };
        let username = o.get("username").and(self.nonempty(o, "username"));
        let password = self.source(o, "password", true);
        let auth = match (username, password) {
            (Some(username), Some(password)) => Some(ProxyAuth { username, password }),
            (None, None) => None,
            (Some(_), None) => {
                self.missing(o, "password", " (username and password go together)");
                None
            }
            (None, Some(_)) => {
                self.missing(o, "username", " (username and password go together)");
                None
            }
        };
        url.map(|u| (u, auth))
    }

    /// An optional setting given as `key`: it replaces the default, by nothing when its
    /// value is refused (the problem is reported by `read`).
    fn replace<T>(
        &mut self,
        obj: Obj<'_>,
        key: &str,
        slot: &mut Option<T>,
        read: fn(&mut Self, Obj<'_>, &str) -> Option<T>,
    ) {
        if obj.get(key).is_some() {
            *slot = read(self, obj, key);
        }
    }
}

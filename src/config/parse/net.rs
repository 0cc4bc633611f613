//! Reading the network settings of a profile (timeouts, proxy, CA and client certificates),
//! over `[defaults]`.

use super::*;

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
        self.replace(obj, "proxy", &mut n.proxy, Self::url);
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

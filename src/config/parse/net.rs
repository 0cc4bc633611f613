//! Reading the network settings of a profile (timeouts, proxy, CA and client certificates),
//! over `[defaults]`.

use super::*;

impl Reader<'_> {
    /// Connection settings: the profile's own, else `[defaults]`, else built-in.
    pub fn net(&mut self, obj: Obj<'_>, defaults: &Net) -> Net {
        let mut n = defaults.clone();
        if let Some(d) = self.duration(obj, "timeout") {
            n.timeout = d;
        }
        if let Some(d) = self.duration(obj, "connect_timeout") {
            n.connect_timeout = d;
        }
        if obj.get("ca_file").is_some() {
            n.ca_file = self.path(obj, "ca_file");
        }
        if obj.get("proxy").is_some() {
            n.proxy = self.url(obj, "proxy");
        }
        if let Some(b) = self.boolean(obj, "insecure_tls") {
            n.insecure_tls = b;
        }
        if let Some(b) = self.boolean(obj, "allow_insecure_http") {
            n.allow_insecure_http = b;
        }
        if obj.get("client_cert").is_some() {
            n.client_cert = self.path(obj, "client_cert");
        }
        if obj.get("client_key").is_some() {
            n.client_key = self.path(obj, "client_key");
        }
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
}

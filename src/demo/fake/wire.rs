//! The fake's HTTP plumbing shared by every vendor: the request as read ([`Rq`], its
//! `Authorization` as [`Auth`]), the answer to write ([`Resp`]), JSON objects in the vendor's
//! key order, percent-decoding, random tokens and the clock.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hyper::body::Bytes;
use hyper::{HeaderMap, Method};
use serde_json::{Value, json};

pub(super) fn s(v: &str) -> String {
    v.to_string()
}
pub(super) fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| s(x)).collect()
}
pub(super) fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (s(a), s(b))).collect()
}

pub(super) struct Rq {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) query: String,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}
pub(super) enum Auth {
    None,
    /// An Authorization scheme other than Bearer and Basic.
    Other,
    Bearer(String),
    /// Raw RFC 7617 halves; a malformed Basic header gives empty halves.
    Basic(String, String),
}
pub(super) type Params = Vec<(String, String)>;
impl Rq {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub(super) fn form(&self) -> Params {
        url::form_urlencoded::parse(&self.body).into_owned().collect()
    }
    pub(super) fn query_pairs(&self) -> Params {
        url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }
    pub(super) fn auth(&self) -> Auth {
        let Some(h) = self.header("authorization").map(str::trim) else {
            return Auth::None;
        };
        let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            return Auth::Bearer(s(rest.trim()));
        } else if !scheme.eq_ignore_ascii_case("basic") {
            return Auth::Other;
        }
        let raw = STANDARD
            .decode(rest.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let (u, p) = raw.as_deref().and_then(|d| d.split_once(':')).unwrap_or(("", ""));
        Auth::Basic(s(u), s(p))
    }
    /// Basic credentials with each half form-decoded (RFC 6749 §2.3.1).
    pub(super) fn client_basic(&self) -> Option<(String, String)> {
        match self.auth() {
            Auth::Basic(u, p) => Some((pct_decode(&u, true), pct_decode(&p, true))),
            _ => None,
        }
    }
}
pub(super) fn get<'a>(p: &'a Params, k: &str) -> Option<&'a str> {
    p.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
}

pub(super) struct Resp {
    pub(super) status: u16,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Vec<u8>,
}
impl Resp {
    pub(super) fn new(status: u16, ctype: &str, body: Vec<u8>) -> Self {
        Resp {
            status,
            headers: vec![("content-type", s(ctype))],
            body,
        }
    }
    pub(super) fn json(status: u16, body: Vec<u8>) -> Self {
        Self::new(status, "application/json; charset=utf-8", body)
    }
    pub(super) fn h(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}
/// Serialises a JSON object keeping the given key order.
pub(super) fn obj(fields: &[(&str, Value)]) -> Vec<u8> {
    let inner: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{v}", json!(k))).collect();
    format!("{{{}}}", inner.join(",")).into_bytes()
}
pub(super) fn titled(status: u16, title: &str) -> Resp {
    Resp::json(status, jo! {"title": title, "status": status})
}
pub(super) fn method_not_allowed(allow: &str) -> Resp {
    titled(405, "Method Not Allowed").h("allow", allow)
}
/// `Bearer realm=".."` plus RFC 6750 §3 attributes.
pub(super) fn bearer_challenge(realm: &str, attrs: &[(&str, &str)]) -> String {
    let extra: String = attrs.iter().map(|(k, v)| format!(", {k}=\"{v}\"")).collect();
    format!("Bearer realm=\"{realm}\"{extra}")
}

pub(super) fn pct_decode(v: &str, plus_is_space: bool) -> String {
    let (b, mut out, mut i) = (v.as_bytes(), Vec::new(), 0);
    let hex = |i: usize| b.get(i).and_then(|c| (*c as char).to_digit(16));
    while i < b.len() {
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'+', ..) if plus_is_space => out.push(b' '),
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 2;
            }
            (c, ..) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
pub(super) fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("OS random source");
    b
}
pub(super) fn random_token(prefix: &str, n: usize) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let tail: String = random_bytes(n).iter().map(|b| ABC[(b & 63) as usize] as char).collect();
    format!("{prefix}{tail}")
}
pub(super) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
/// Scopes and expiry of a live token in `map` named by a Bearer header.
pub(super) fn live_scopes(rq: &Rq, map: &HashMap<String, (Vec<String>, u64)>) -> Option<Vec<String>> {
    let Auth::Bearer(t) = rq.auth() else {
        return None;
    };
    map.get(&t).filter(|(_, exp)| *exp > now()).map(|(sc, _)| sc.clone())
}

//! The `-v` lines of one token exchange: what was sent and what came back, redacted.
//!
//! A leaf: it takes plain values, so the exchange and the answer parser can both use it.

use url::Url;

use crate::config::{ClientAuth, shown};
use crate::finding::clean;
use crate::net::body::Body;

/// A sink for trace lines.
pub type Sink<'a> = &'a (dyn Fn(String) + Sync);

/// The request lines: method and URL, the Basic header (masked) when one is sent, the form.
pub fn request(trace: Sink<'_>, url: &Url, basic: Option<ClientAuth>, form: &str) {
    trace(format!("> POST {}", shown(url)));
    if let Some(method) = basic {
        trace(format!("> authorization: Basic ******** ({})", method.as_str()));
    }
    trace(format!("> {}", crate::redact::answer::traced_form(form)));
}

/// The answer lines: status, time and size, then the body masked.
pub fn answer(trace: Sink<'_>, status: u16, ms: u64, body: &Body) {
    trace(format!(
        "< {status} ({ms} ms, {} bytes{})",
        body.bytes.len(),
        if body.truncated { ", cut" } else { "" }
    ));
    trace(format!("< {}", clean(&traced_body(&body.bytes), 2000)));
}

/// The body as the `-v` trace shows it: credentials masked on the bytes as received, at any
/// depth, and registered with the redactor ([`crate::redact::answer`]).
pub fn traced_body(bytes: &[u8]) -> String {
    crate::redact::answer::traced(bytes)
}

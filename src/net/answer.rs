//! Answers that are not the server's own, recognised where every answer is first read
//! ([`super::fetch_traced`]): a proxy asking for credentials (HTTP 407), and nginx's pages for
//! TLS problems, which it sends as HTTP 400 with the words of its internal codes 495-497
//! (`ngx_http_error_495_page` … `_497_page` in
//! <https://github.com/nginx/nginx/blob/master/src/http/ngx_http_special_response.c>).

use std::net::SocketAddr;

use reqwest::header::{HeaderMap, PROXY_AUTHENTICATE};

use crate::failure::{Failure, NetFailure, TlsFailure, TlsProblem};

/// A problem, given how the server said it.
type Problem = fn(String) -> TlsProblem;

/// nginx's words, and the problem each one means.
const NGINX_400: &[(&str, Problem)] = &[
    ("No required SSL certificate was sent", TlsProblem::ClientCertRequired),
    ("The SSL certificate error", TlsProblem::ClientCertRequired),
    (
        "The plain HTTP request was sent to HTTPS port",
        TlsProblem::PlainHttpToTls,
    ),
];

/// The failure an answer stands for when it is not the server's own; `from` is the address
/// it came from (the proxy's, through a proxy), `what` the host asked.
pub fn not_the_servers(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    from: Option<SocketAddr>,
    what: &str,
) -> Option<Failure> {
    match status {
        407 => Some(
            NetFailure::ProxyAuth {
                proxy: from.map(|a| a.to_string()),
                said: Some(said(status, headers)),
                sent: false,
            }
            .into(),
        ),
        400 => {
            let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
            let (words, problem) = NGINX_400.iter().find(|(w, _)| text.contains(w))?;
            Some(
                TlsFailure {
                    host: what.to_string(),
                    problem: problem(format!("HTTP 400 \"{words}\"")),
                }
                .into(),
            )
        }
        _ => None,
    }
}

/// `407 Proxy Authentication Required, Basic realm="…"`, cleaned for showing.
fn said(status: u16, headers: &HeaderMap) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut s = format!("{status} {reason}").trim_end().to_string();
    if let Some(c) = headers.get(PROXY_AUTHENTICATE).and_then(|v| v.to_str().ok()) {
        s.push_str(&format!(", it asks for {}", crate::finding::clean(c, 120)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_and_nginx_answers_are_named() {
        let mut h = HeaderMap::new();
        h.insert(PROXY_AUTHENTICATE, "Basic realm=\"Tinyproxy\"".parse().unwrap());
        let from = Some("127.0.0.1:3128".parse().unwrap());
        let f = not_the_servers(407, &h, b"", from, "api.example").unwrap();
        assert_eq!(f.kind(), "proxy_auth_required");
        assert_eq!(
            f.summary(),
            "the proxy 127.0.0.1:3128 wants credentials (407 Proxy Authentication Required, it asks for Basic realm=\"Tinyproxy\")"
        );
        let page = b"<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>";
        let f = not_the_servers(400, &HeaderMap::new(), page, None, "api.example").unwrap();
        assert_eq!(f.kind(), "tls_client_cert_required");
        assert!(f.hints()[0].contains("set client_cert"));
        let page = b"<center>The plain HTTP request was sent to HTTPS port</center>";
        let f = not_the_servers(400, &HeaderMap::new(), page, None, "api.example").unwrap();
        assert_eq!(f.kind(), "tls_port_needs_https");
        assert_eq!(f.hints(), vec!["use https:// in the URL".to_string()]);
        assert!(not_the_servers(400, &HeaderMap::new(), b"{\"error\":\"invalid_request\"}", None, "a").is_none());
        assert!(not_the_servers(200, &h, b"", from, "a").is_none());
    }
}

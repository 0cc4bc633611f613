//! A CONNECT tunnel through an HTTP proxy, opened by the pre-flight so that the TLS handshake
//! with the origin is checked through it, and a refusal is told in the proxy's own words
//! (its status line), which the HTTP client does not keep.

use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use super::origin::Origin;
use crate::failure::NetFailure;
use crate::finding::Finding;

/// The longest CONNECT answer head read.
const MAX_HEAD: usize = 16 * 1024;

/// Ask the proxy on `stream` for a tunnel to `origin`, within `limit`. Credentials in the
/// proxy URL's user info are sent as Basic.
pub async fn open(mut stream: TcpStream, proxy: &Url, origin: &Origin, limit: Duration) -> Result<TcpStream, Finding> {
    let target = origin.authority();
    let addr = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| crate::config::shown(proxy));
    let closed = || -> Finding {
        NetFailure::ProxyClosed {
            proxy: addr.clone(),
            target: target.clone(),
        }
        .into()
    };
    let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    let auth = basic(proxy);
    if let Some(a) = &auth {
        req.push_str(&format!("Proxy-Authorization: Basic {a}\r\n"));
    }
    req.push_str(concat!("User-Agent: conn/", env!("CARGO_PKG_VERSION"), "\r\n\r\n"));
    let head = tokio::time::timeout(limit, async {
        stream.write_all(req.as_bytes()).await.ok()?;
        read_head(&mut stream).await
    })
    .await;
    let head = match head {
        Ok(Some(h)) => h,
        Ok(None) => return Err(closed()),
        Err(_) => {
            return Err(NetFailure::Stalled {
                what: format!("the proxy {addr}"),
                after: limit,
                flag: false,
            }
            .into());
        }
    };
    let (status, said) = status_line(&head).ok_or_else(closed)?;
    match status {
        200..=299 => Ok(stream),
        // tinyproxy answers wrong credentials with 401, not 407.
        401 | 407 => Err(NetFailure::ProxyAuth {
            proxy: Some(addr),
            said: Some(said),
            sent: auth.is_some(),
        }
        .into()),
        _ => Err(NetFailure::ProxyRefused {
            proxy: Some(addr),
            target,
            said: Some(said),
        }
        .into()),
    }
}

/// The Basic credentials of the proxy URL's (percent-encoded) user info.
fn basic(proxy: &Url) -> Option<String> {
    if proxy.username().is_empty() && proxy.password().is_none() {
        return None;
    }
    let dec = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let pair = format!("{}:{}", dec(proxy.username()), dec(proxy.password().unwrap_or("")));
    Some(base64::engine::general_purpose::STANDARD.encode(pair))
}

/// Read up to the end of the answer head, and no further (the tunnel's bytes follow it).
async fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= MAX_HEAD || stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

/// The status code and `403 Forbidden`, cleaned for showing.
fn status_line(head: &[u8]) -> Option<(u16, String)> {
    let line = String::from_utf8_lossy(head.split(|b| *b == b'\n').next()?).into_owned();
    let mut parts = line.trim_end().splitn(3, ' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    let code: u16 = parts.next()?.parse().ok()?;
    let reason = crate::finding::clean(parts.next().unwrap_or(""), 120);
    Some((code, format!("{code} {reason}").trim_end().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_and_credentials() {
        assert_eq!(
            status_line(b"HTTP/1.1 403 Access violation\r\nServer: tinyproxy\r\n\r\n"),
            Some((403, "403 Access violation".into()))
        );
        assert_eq!(status_line(b"HTTP/1.0 200\r\n\r\n"), Some((200, "200".into())));
        assert_eq!(status_line(b"SSH-2.0-OpenSSH\r\n\r\n"), None);
        let u = Url::parse("http://svc%40corp:p%3Aw%2Bx@proxy:3128").unwrap();
        assert_eq!(
            basic(&u).unwrap(),
            base64::engine::general_purpose::STANDARD.encode("svc@corp:p:w+x")
        );
        assert_eq!(basic(&Url::parse("http://proxy:3128").unwrap()), None);
    }
}

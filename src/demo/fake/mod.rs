//! In-process fake of the vendor APIs `conn` talks to, for `conn demo` and the integration tests.
//!
//! Owns one loopback HTTP/1.1 listener ([`FakeService`]) that imitates, per
//! `shared/reference/protocols.md`:
//! - `/hypatos/v2`: Hypatos Studio API v2, token endpoint and read probes (`hypatos.rs`);
//! - `/entra/{tenant}`: Microsoft Entra ID v2 discovery and client-credentials token endpoint,
//!   with AADSTS error bodies and unverifiable RS256-shaped JWTs (`entra.rs`);
//! - `/portfolios/{id}/api/v2`: Hypergene Portfolios, taking those JWTs or legacy Basic (`portfolios.rs`);
//! - `/rest`: a generic RFC 6749 token endpoint and RFC 6750 protected API, and under
//!   `/rest/intranet` that API behind a sign-in gateway (`rest.rs`);
//! - `/_health`; anything else is a JSON 404.
//!
//! Every request is recorded ([`FakeService::requests`]). What accounts exist is a [`World`];
//! [`World::default`] is the documented demo world, and nothing in it is secret (`world.rs`).
//! The request and answer plumbing the vendors share is `wire.rs`; this module owns the
//! listener, the record of requests and the routing.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use base64::Engine;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::sync::watch;

/// `jo! {"key": expr, ...}`: a JSON object keeping the vendor's key order (values via `json!`).
macro_rules! jo {
    ($($k:literal : $v:expr),* $(,)?) => { obj(&[$(($k, json!($v))),*]) };
}

mod entra;
mod entra_cert;
mod hypatos;
mod portfolios;
mod rest;
#[cfg(test)]
mod tests;
mod wire;
mod world;

use self::wire::*;
pub use self::world::*;

const MAX_BODY: usize = 64 * 1024;
/// One request as the fake service received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// e.g. `POST`.
    pub method: String,
    /// Path plus `?query` if any, as sent (still percent-encoded).
    pub path_and_query: String,
    /// Lowercased names, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Body bytes (empty if it was over the 64 KiB cap).
    pub body: Vec<u8>,
}
impl RecordedRequest {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or("")
    }
    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

/// What the fake Entra remembers about a JWT it issued.
struct EntraToken {
    aud: String,
    tid: String,
    roles: Vec<String>,
    exp: u64,
}
#[derive(Default)]
struct State {
    requests: Vec<RecordedRequest>,
    /// token -> (scopes, expiry)
    hypatos_tokens: HashMap<String, (Vec<String>, u64)>,
    entra_tokens: HashMap<String, EntraToken>,
    /// token -> (scopes, expiry)
    rest_tokens: HashMap<String, (Vec<String>, u64)>,
    /// refresh token -> (client id, scopes)
    rest_refresh: HashMap<String, (String, Vec<String>)>,
    /// (unix second, Hypatos requests in it)
    hypatos_window: (u64, u32),
}
struct Shared {
    world: World,
    base: String,
    state: Mutex<State>,
}

/// The running fake. Dropping it stops the accept loop and closes open connections.
pub struct FakeService {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeService {
    /// Binds `127.0.0.1:0` and spawns the accept loop on the current tokio runtime.
    pub async fn start(world: World) -> std::io::Result<FakeService> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        let shared = Arc::new(Shared {
            world,
            base,
            state: Mutex::default(),
        });
        let (stop, mut stop_rx) = watch::channel(false);
        let (sh, conn_rx) = (shared.clone(), stop_rx.clone());
        let task = tokio::spawn(async move {
            loop {
                let tcp = tokio::select! {
                    r = listener.accept() => r,
                    _ = stop_rx.changed() => break,
                };
                let Ok((tcp, _)) = tcp else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let (sh, mut rx) = (sh.clone(), conn_rx.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| handle(sh.clone(), req));
                    let http = hyper::server::conn::http1::Builder::new();
                    let conn = http.serve_connection(TokioIo::new(tcp), svc);
                    tokio::select! { _ = conn => {}, _ = rx.changed() => {} }
                });
            }
        });
        Ok(FakeService {
            addr,
            shared,
            stop,
            task,
        })
    }
    /// The bound loopback address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base.clone()
    }
    /// Requests so far (any method or outcome) whose path starts with `path_prefix`.
    pub fn hits(&self, path_prefix: &str) -> usize {
        let st = self.shared.lock();
        st.requests.iter().filter(|r| r.path().starts_with(path_prefix)).count()
    }
    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }
}
impl Drop for FakeService {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }
}

async fn handle(sh: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let collected = Limited::new(body, MAX_BODY).collect().await.map(|c| c.to_bytes());
    let header = |(k, v): (_, &hyper::header::HeaderValue)| (format!("{k}"), s(&String::from_utf8_lossy(v.as_bytes())));
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path_and_query: parts.uri.path_and_query().map_or_else(|| s("/"), |p| p.to_string()),
        headers: parts.headers.iter().map(header).collect(),
        body: collected.as_ref().map(|b| b.to_vec()).unwrap_or_default(),
    };
    sh.lock().requests.push(recorded);
    let resp = match collected {
        Err(e) if e.is::<LengthLimitError>() => titled(413, "Payload Too Large"),
        Err(_) => titled(400, "Bad Request"),
        Ok(body) => sh.route(&Rq {
            method: parts.method,
            path: s(parts.uri.path()),
            query: s(parts.uri.query().unwrap_or("")),
            headers: parts.headers,
            body,
        }),
    };
    let mut out = Response::new(Full::new(Bytes::from(resp.body)));
    *out.status_mut() = hyper::StatusCode::from_u16(resp.status).expect("valid status");
    for (k, v) in resp.headers {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&v) {
            out.headers_mut().append(k, v);
        }
    }
    Ok(out)
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn route(&self, rq: &Rq) -> Resp {
        let segs: Vec<String> = rq
            .path
            .strip_prefix('/')
            .unwrap_or(&rq.path)
            .split('/')
            .map(|x| pct_decode(x, false))
            .collect();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        let (get, post) = (rq.method == Method::GET, rq.method == Method::POST);
        let entra = |r: Result<Resp, entra::Aad>| r.unwrap_or_else(|e| self.entra_err(rq, e));
        match segs.as_slice() {
            ["_health"] if get => Resp::new(200, "text/plain; charset=utf-8", b"ok".to_vec()),
            ["hypatos", "v2", rest @ ..] => self.hypatos(rq, rest),
            ["entra", t, "v2.0", ".well-known", "openid-configuration"] if get => entra(self.entra_discovery(rq, t)),
            ["entra", t, "oauth2", "v2.0", "token"] if post => entra(self.entra_token(rq, t)),
            ["entra", _, "discovery", "v2.0", "keys"] if get => Resp::json(200, jo! {"keys": json!([])}),
            ["entra", _, "oauth2", "v2.0", "token"] | ["rest", "oauth", "token"] if !post => method_not_allowed("POST"),
            ["portfolios", id, "api", "v2", rest @ ..] if get => self.portfolios(rq, id, rest),
            ["rest", "oauth", "token"] => self.rest_token(rq),
            ["rest", "api", ..] if get => self.rest_api(rq),
            ["rest", "intranet", ..] => rest::rest_sign_in(),
            ["rest", "public", ..] if get => Resp::json(200, jo! {"public": true, "path": rq.path}),
            ["_health"] | ["portfolios", _, "api", "v2", ..] | ["rest", "api" | "public", ..] => {
                method_not_allowed("GET")
            }
            _ => titled(404, "Not Found"),
        }
    }
}

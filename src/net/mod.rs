//! Talking to servers: HTTP clients shared per connection settings, the layer-by-layer
//! pre-flight (DNS, TCP, TLS), and turning transport errors into findings.
//!
//! One [`Http`] lives for a whole run. Profiles with the same connection settings share one
//! `reqwest::Client` (so its connection pool), and each origin is pre-flighted once per run.
//! Every client refuses to follow redirects: token requests must never be redirected, and
//! probe redirects are followed by hand, same origin only.
//!
//! TLS offers HTTP/2 and HTTP/1.1 by ALPN (the pre-flight offers the same). Once an origin's
//! pre-flight negotiated HTTP/2, its requests go through a second client that knows it
//! ([`Client::for_url`]): that client's pool opens one connection per origin and waits for
//! it, where a client that learns the protocol only from ALPN would open one connection per
//! request in flight before the first handshake told it the connection can be shared.

pub mod answer;
pub mod body;
pub mod cert;
pub mod classify;
pub mod httpdate;
pub mod origin;
pub mod page;
pub mod preflight;
pub mod quota;
pub mod responder;
pub mod route;
pub mod tls;
pub mod tunnel;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use url::Url;

use crate::config::Net;

/// ALPN protocols offered on TLS, most preferred first.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// A client and the TLS configuration it was built with.
#[derive(Clone)]
pub struct Client {
    /// The HTTP client: HTTP/2 or HTTP/1.1, as ALPN decides.
    pub http: reqwest::Client,
    /// Its TLS settings, for the pre-flight handshake.
    pub tls: Arc<rustls::ClientConfig>,
    /// The profile's own proxy, with its credentials when it has them.
    pub proxy: Option<Url>,
    h2: Arc<H2>,
}

/// The origins known to speak HTTP/2, and the client that speaks only HTTP/2 to them.
struct H2 {
    net: Net,
    env: Arc<route::Env>,
    proxy: Option<Url>,
    origins: Mutex<HashSet<origin::Origin>>,
    client: OnceLock<Option<reqwest::Client>>,
}

impl Client {
    /// The client for a request to `url`: the HTTP/2 one when the pre-flight found that
    /// `url`'s origin speaks HTTP/2 (so all its requests share one connection).
    pub fn for_url(&self, url: &Url) -> &reqwest::Client {
        let known = origin::Origin::of(url)
            .is_some_and(|o| o.https && self.h2.origins.lock().unwrap_or_else(|p| p.into_inner()).contains(&o));
        if !known {
            return &self.http;
        }
        let h2 = &self.h2;
        h2.client
            .get_or_init(|| build_http(&h2.net, h2.env.clone(), &self.tls, h2.proxy.clone(), true).ok())
            .as_ref()
            .unwrap_or(&self.http)
    }

    /// Record that `origin` negotiated HTTP/2 on a direct connection.
    pub fn speaks_h2(&self, origin: &origin::Origin) {
        if origin.https {
            let mut set = self.h2.origins.lock().unwrap_or_else(|p| p.into_inner());
            set.insert(origin.clone());
        }
    }
}

/// HTTP state shared by every profile of a run.
pub struct Http {
    clients: Mutex<HashMap<Net, Result<Client, String>>>,
    pub(crate) preflights: preflight::Cache,
    /// The environment's proxy settings, read once: every route of the run comes from them.
    env: Arc<route::Env>,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            clients: Mutex::default(),
            preflights: preflight::Cache::default(),
            env: Arc::new(route::Env::from_process()),
        }
    }
}

impl Http {
    /// The client for these settings, built once. The error says which file is at fault.
    pub fn client(&self, net: &Net) -> Result<Client, String> {
        let mut map = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(net.clone())
            .or_insert_with(|| build(net, self.env.clone()))
            .clone()
    }

    /// The route requests to `url` with these settings take: what the clients use and what
    /// the pre-flight checks.
    pub fn route(&self, url: &Url, net: &Net) -> route::Route {
        let explicit = self
            .client(net)
            .ok()
            .and_then(|c| c.proxy)
            .or_else(|| net.proxy.clone());
        self.env.route(url, explicit.as_ref())
    }
}

fn build(net: &Net, env: Arc<route::Env>) -> Result<Client, String> {
    let mut config = (*tls::client_config(net)?).clone();
    config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    let tls = Arc::new(config);
    let proxy = explicit_proxy(net)?;
    let http = build_http(net, env.clone(), &tls, proxy.clone(), false)?;
    let h2 = Arc::new(H2 {
        net: net.clone(),
        env,
        proxy: proxy.clone(),
        origins: Mutex::default(),
        client: OnceLock::new(),
    });
    Ok(Client { http, tls, proxy, h2 })
}

/// A reqwest client over `tls`; `h2_only`: HTTP/2 without asking (for origins known to
/// speak it), so that its pool shares one connection per origin from the first request.
fn build_http(
    net: &Net,
    env: Arc<route::Env>,
    tls: &rustls::ClientConfig,
    proxy: Option<Url>,
    h2_only: bool,
) -> Result<reqwest::Client, String> {
    let mut tls = tls.clone();
    if h2_only {
        tls.alpn_protocols = vec![ALPN[0].to_vec()];
    }
    let b = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(net.connect_timeout)
        .pool_max_idle_per_host(64)
        .user_agent(concat!("conn/", env!("CARGO_PKG_VERSION")));
    if let Some(p) = &proxy {
        // Checked here so that a bad setting is a clear error, not a request that goes direct.
        reqwest::Proxy::all(p.as_str()).map_err(|e| format!("proxy {}: {e}", crate::config::shown(p)))?;
    }
    // The route of each request comes from `route`, never from reqwest's own reading of the
    // environment.
    let explicit = proxy;
    let decide = move |u: &Url| env.route(u, explicit.as_ref()).proxy().cloned();
    let b = b.no_proxy().proxy(reqwest::Proxy::custom(decide));
    let b = if h2_only { b.http2_prior_knowledge() } else { b };
    b.build().map_err(|e| format!("HTTP client set-up failed: {e}"))
}

/// The profile's proxy with the credentials of `proxy = { url, username, password }` in its
/// user info, where the HTTP client and the pre-flight's CONNECT read them. The password is
/// resolved here, once per run, and registered with the redactor; URLs are only ever shown
/// without their user info.
fn explicit_proxy(net: &Net) -> Result<Option<Url>, String> {
    let (Some(url), Some(auth)) = (&net.proxy, &net.proxy_auth) else {
        return Ok(net.proxy.clone());
    };
    let password = auth
        .password
        .resolve()
        .map_err(|e| format!("the proxy password ({}): {e}", auth.password.describe()))?;
    // The URL percent-encodes what user info cannot hold as it is.
    let mut u = url.clone();
    let set = u
        .set_username(&auth.username)
        .and_then(|()| u.set_password(Some(password.expose())));
    set.map_err(|()| format!("proxy {}: cannot carry credentials", crate::config::shown(url)))?;
    crate::redact::url::register(&u);
    Ok(Some(u))
}

/// An HTTP answer with its body read up to a cap.
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body, possibly cut.
    pub body: body::Body,
}

/// Send a request and read its answer, all within `timeout` (the total deadline also bounds
/// a server that drips its body), reading at most `cap` bytes. A failure is classified by
/// layer; `what` names the host in messages.
pub async fn fetch(
    req: reqwest::RequestBuilder,
    timeout: std::time::Duration,
    cap: usize,
    what: &str,
) -> Result<Answer, crate::finding::Finding> {
    fetch_traced(req, timeout, cap, what, &|_| {}).await
}

/// What `-v` says when a request is sent again.
pub const SENT_AGAIN: &str = "* the connection was closed before any answer arrived (proxies and servers close idle connections): sending the request once more on a new connection";

/// [`fetch`], saying in `trace` what it did besides. A connection closed before any byte of
/// the answer arrived — a proxy or server that closes kept-alive connections without saying
/// so, as tinyproxy does — means nothing was answered: the request (a token POST too) is sent
/// once more, on a new connection, within the same deadline. An answer that is not the
/// server's own (a proxy's 407, nginx's TLS error pages) is a failure here ([`answer`]).
pub async fn fetch_traced(
    req: reqwest::RequestBuilder,
    timeout: std::time::Duration,
    cap: usize,
    what: &str,
    trace: &(dyn Fn(String) + Sync),
) -> Result<Answer, crate::finding::Finding> {
    let started = std::time::Instant::now();
    let again = req.try_clone();
    let first = attempt(req, timeout, cap).await;
    let sent = match (first, again) {
        (Err(Failed::Unanswered(e)), Some(again)) if classify::closed_before_answer(&e) => {
            trace(SENT_AGAIN.to_string());
            attempt(again, timeout.saturating_sub(started.elapsed()), cap).await
        }
        (first, _) => first,
    };
    match sent {
        Ok((a, from)) => match answer::not_the_servers(a.status, &a.headers, &a.body.bytes, from, what) {
            Some(f) => Err(f),
            None => Ok(a),
        },
        Err(Failed::Unanswered(e) | Failed::Http(e)) => Err(classify::request_error(&e, what, timeout)),
        Err(Failed::Slow) => Err(classify::too_slow(what, timeout)),
    }
}

/// Why one attempt got no answer.
enum Failed {
    /// No answer head arrived.
    Unanswered(reqwest::Error),
    /// The answer's body broke.
    Http(reqwest::Error),
    /// The total deadline passed.
    Slow,
}

/// One send and read, with the address the answer came from.
async fn attempt(
    req: reqwest::RequestBuilder,
    timeout: std::time::Duration,
    cap: usize,
) -> Result<(Answer, Option<std::net::SocketAddr>), Failed> {
    let sent = tokio::time::timeout(timeout, async {
        let resp = req.timeout(timeout).send().await.map_err(Failed::Unanswered)?;
        let from = resp.remote_addr();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match body::read_capped(resp, cap).await {
            Ok(b) => b,
            // A proxy that wants credentials may close before the request body is read
            // (tinyproxy resets it): its head says all there is.
            Err(_) if status == 407 => body::Body {
                bytes: Vec::new(),
                truncated: false,
            },
            Err(e) => return Err(Failed::Http(e)),
        };
        Ok((Answer { status, headers, body }, from))
    })
    .await;
    sent.unwrap_or(Err(Failed::Slow))
}

/// For tests: a header map of the given pairs.
#[cfg(test)]
pub fn test_headers(pairs: &[(&'static str, &'static str)]) -> reqwest::header::HeaderMap {
    let mut m = reqwest::header::HeaderMap::new();
    for (k, v) in pairs {
        m.append(
            reqwest::header::HeaderName::from_static(k),
            reqwest::header::HeaderValue::from_static(v),
        );
    }
    m
}

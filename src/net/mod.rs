//! Talking to servers: HTTP clients shared per connection settings, the layer-by-layer
//! pre-flight (DNS, TCP, TLS), and turning transport errors into findings.
//!
//! One [`Http`] lives for a whole run. Profiles with the same connection settings share one
//! `reqwest::Client` (so its connection pool), and each origin is pre-flighted once per run.
//! Every client refuses to follow redirects: token requests must never be redirected, and
//! probe redirects are followed by hand, same origin only.

pub mod body;
pub mod cert;
pub mod classify;
pub mod httpdate;
pub mod origin;
pub mod page;
pub mod preflight;
pub mod quota;
pub mod ratelimit;
pub mod responder;
pub mod route;
pub mod tls;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use url::Url;

use crate::config::Net;

/// A client and the TLS configuration it was built with.
#[derive(Clone)]
pub struct Client {
    /// The HTTP client.
    pub http: reqwest::Client,
    /// Its TLS settings, for the pre-flight handshake.
    pub tls: Arc<rustls::ClientConfig>,
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
        self.env.route(url, net.proxy.as_ref())
    }
}

fn build(net: &Net, env: Arc<route::Env>) -> Result<Client, String> {
    let tls = tls::client_config(net)?;
    let b = reqwest::Client::builder()
        .tls_backend_preconfigured((*tls).clone())
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(net.connect_timeout)
        .pool_max_idle_per_host(64)
        .user_agent(concat!("conn/", env!("CARGO_PKG_VERSION")));
    if let Some(p) = &net.proxy {
        // Checked here so that a bad setting is a clear error, not a request that goes direct.
        reqwest::Proxy::all(p.as_str()).map_err(|e| format!("proxy {}: {e}", crate::config::shown(p)))?;
    }
    // The route of each request comes from `route`, never from reqwest's own reading of the
    // environment.
    let explicit = net.proxy.clone();
    let decide = move |u: &Url| env.route(u, explicit.as_ref()).proxy().cloned();
    let b = b.no_proxy().proxy(reqwest::Proxy::custom(decide));
    let http = b.build().map_err(|e| format!("HTTP client set-up failed: {e}"))?;
    Ok(Client { http, tls })
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
    let sent = tokio::time::timeout(timeout, async {
        let resp = req.timeout(timeout).send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = body::read_capped(resp, cap).await?;
        Ok::<_, reqwest::Error>(Answer { status, headers, body })
    })
    .await;
    match sent {
        Ok(Ok(a)) => Ok(a),
        Ok(Err(e)) => Err(classify::request_error(&e, what, timeout)),
        Err(_) => Err(classify::too_slow(what, timeout)),
    }
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

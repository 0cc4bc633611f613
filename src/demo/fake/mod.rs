//! In-process fake of the vendor APIs `conn` talks to, for `conn demo` and the integration tests.
//!
//! Owns one loopback HTTP/1.1 listener ([`FakeService`]) that imitates, per
//! `shared/reference/protocols.md`:
//! - `/hypatos/v2`: Hypatos Studio API v2, token endpoint and read probes (`hypatos.rs`);
//! - `/entra/{tenant}`: Microsoft Entra ID v2 discovery and client-credentials token endpoint,
//!   with AADSTS error bodies and unverifiable RS256-shaped JWTs (`entra.rs`);
//! - `/portfolios/{id}/api/v2`: Hypergene Portfolios, taking those JWTs or legacy Basic (`portfolios.rs`);
//! - `/rest`: a generic RFC 6749 token endpoint and RFC 6750 protected API (`rest.rs`);
//! - `/_health`; anything else is a JSON 404.
//!
//! Every request is recorded ([`FakeService::requests`]). What accounts exist is a [`World`];
//! [`World::default`] is the documented demo world, and nothing in it is secret.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{HeaderMap, Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::watch;

/// `jo! {"key": expr, ...}`: a JSON object keeping the vendor's key order (values via `json!`).
macro_rules! jo {
    ($($k:literal : $v:expr),* $(,)?) => { obj(&[$(($k, json!($v))),*]) };
}

mod entra;
mod hypatos;
mod portfolios;
mod rest;
#[cfg(test)]
mod tests;

const MAX_BODY: usize = 64 * 1024;
/// Demo Entra tenant (also reachable as `contoso.onmicrosoft.com`).
pub const DEMO_TENANT_ID: &str = "11111111-2222-3333-4444-555555555555";
/// Demo Entra app holding `Portfolio.Read` on [`PORTFOLIOS_RESOURCE`].
pub const DEMO_CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-000000000001";
/// Current secret value of [`DEMO_CLIENT_ID`].
pub const DEMO_CLIENT_SECRET: &str = "Qx8~demo.Secret_Value-1";
/// The portal "Secret ID" of [`DEMO_CLIENT_SECRET`] (the classic paste mistake).
pub const DEMO_SECRET_ID: &str = "bbbbbbbb-0000-4000-8000-000000000002";
/// A second, expired secret of [`DEMO_CLIENT_ID`].
pub const DEMO_EXPIRED_SECRET: &str = "Old7~demo.Secret_Value-0";
/// Second demo app: registered with a valid secret, but granted no roles.
pub const DEMO_NOROLE_CLIENT_ID: &str = "aaaaaaaa-0000-4000-8000-000000000004";
/// Secret value of [`DEMO_NOROLE_CLIENT_ID`].
pub const DEMO_NOROLE_SECRET: &str = "Nr9~demo.Secret_Value-2";
/// Hypergene's App ID URI (the hyphenated form of the GUID in Profitbase's docs).
pub const PORTFOLIOS_RESOURCE: &str = "api://e3c1fe1d-65fc-48dd-ad12-a948b6f6d4d1";

/// How the Hypatos token endpoint reads the two halves of `Authorization: Basic`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BasicDecoding {
    /// Plain RFC 7617: halves compared as sent (what Python `requests` clients send).
    Raw,
    /// RFC 6749 §2.3.1: each half is form-urlencoded, so it is decoded before comparing.
    #[default]
    FormDecoded,
}

/// Client authentication methods the generic REST token endpoint accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RestClientAuth {
    /// `client_secret_basic` (halves form-decoded, RFC 6749 §2.3.1).
    Basic,
    /// `client_secret_post`.
    Post,
    /// Either one (but never both in one request).
    #[default]
    Both,
}

/// A Hypatos API service account.
#[derive(Clone, Debug)]
pub struct HypatosAccount {
    /// Client ID.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Scopes assigned to the account, e.g. `documents.read`.
    pub scopes: Vec<String>,
}
/// An Entra tenant.
#[derive(Clone, Debug)]
pub struct EntraTenant {
    /// Tenant GUID.
    pub id: String,
    /// Domain names that also name the tenant, e.g. `contoso.onmicrosoft.com`.
    pub domains: Vec<String>,
    /// App registrations (clients) in the tenant.
    pub apps: Vec<EntraApp>,
    /// APIs with a service principal in the tenant.
    pub resources: Vec<EntraResource>,
}
/// An Entra app registration.
#[derive(Clone, Debug)]
pub struct EntraApp {
    /// Application (client) ID.
    pub client_id: String,
    /// Its client secrets.
    pub secrets: Vec<EntraSecret>,
}
/// An Entra client secret.
#[derive(Clone, Debug)]
pub struct EntraSecret {
    /// The "Secret ID" GUID the portal shows next to the value.
    pub id: String,
    /// The secret value.
    pub value: String,
    /// Past its end date.
    pub expired: bool,
}
/// An API (resource) known in an Entra tenant.
#[derive(Clone, Debug)]
pub struct EntraResource {
    /// e.g. `api://<guid>`; compared exactly (case-sensitive) with the scope minus `/.default`.
    pub app_id_uri: String,
    /// App roles granted to each client id on this resource (the token's `roles` claim).
    pub roles_by_client: Vec<(String, Vec<String>)>,
}
/// A Hypergene portfolio.
#[derive(Clone, Debug)]
pub struct Portfolio {
    /// Portfolio ID (the first path segment).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The Entra tenant whose tokens may use this portfolio.
    pub tenant_id: String,
    /// Legacy Basic `(username, password)` pairs.
    pub legacy_users: Vec<(String, String)>,
}
/// A client of the generic REST token endpoint.
#[derive(Clone, Debug)]
pub struct RestClient {
    /// Client ID.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Scopes the client may be granted (all of them when it asks for none).
    pub scopes: Vec<String>,
}

/// What exists on the fake vendors' side.
#[derive(Clone, Debug)]
pub struct World {
    /// Hypatos service accounts.
    pub hypatos_accounts: Vec<HypatosAccount>,
    /// Whether the Hypatos token endpoint form-decodes Basic credentials.
    pub hypatos_basic_decoding: BasicDecoding,
    /// Answer 429 beyond 10 Hypatos requests per second (the headers are always sent).
    pub hypatos_enforce_rate_limit: bool,
    /// Entra tenants.
    pub entra_tenants: Vec<EntraTenant>,
    /// `expires_in`/`ext_expires_in` as JSON strings, as Entra v1 did.
    pub entra_expires_in_as_string: bool,
    /// Hypergene portfolios.
    pub portfolios: Vec<Portfolio>,
    /// The `aud` the Portfolios API requires.
    pub portfolios_resource: String,
    /// The app role the Portfolios API requires.
    pub portfolios_role: String,
    /// Client authentication methods the REST token endpoint accepts.
    pub rest_client_auth: RestClientAuth,
    /// REST token endpoint clients.
    pub rest_clients: Vec<RestClient>,
    /// Resource owners `(username, password)` for the password grant.
    pub rest_users: Vec<(String, String)>,
    /// API keys `/rest/api` accepts (header `X-API-Key` or query `api_key`).
    pub rest_api_keys: Vec<String>,
    /// Plain RFC 7617 Basic `(username, password)` users of `/rest/api`.
    pub rest_basic_users: Vec<(String, String)>,
    /// `(path_prefix, scope)`: bearer tokens need `scope` below the prefix (longest prefix wins).
    pub rest_required_scopes: Vec<(String, String)>,
}

fn s(v: &str) -> String {
    v.to_string()
}
fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| s(x)).collect()
}
fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (s(a), s(b))).collect()
}

impl Default for World {
    /// The demo world:
    /// - Hypatos `demo-hypatos`/`hyp-secret-1` (`documents.read projects.read`) and
    ///   `demo-hypatos-narrow`/`hyp-secret-2` (`enrichment.write`); Basic form-decoded.
    /// - Entra tenant [`DEMO_TENANT_ID`] = `contoso.onmicrosoft.com`; apps [`DEMO_CLIENT_ID`]
    ///   (secrets [`DEMO_CLIENT_SECRET`], id [`DEMO_SECRET_ID`], and expired
    ///   [`DEMO_EXPIRED_SECRET`]) and [`DEMO_NOROLE_CLIENT_ID`]/[`DEMO_NOROLE_SECRET`];
    ///   resources [`PORTFOLIOS_RESOURCE`] (role `Portfolio.Read` for [`DEMO_CLIENT_ID`]) and
    ///   `https://graph.microsoft.com` (no roles). `expires_in` is a number.
    /// - Portfolio `demo-portfolio` ("Demo Portfolio") in that tenant, legacy `legacy`/`legacy-pass`.
    /// - REST client `rest-cli`/`rest-secret` (`billing.read`, Basic or post), user
    ///   `alice`/`alice-pass`, API key `demo-api-key-123`, Basic user `svc`/`svc-pass`;
    ///   `/rest/api/billing` needs `billing.read`, `/rest/api/admin` needs `billing.admin`.
    fn default() -> Self {
        let hyp = |client_id: &str, client_secret: &str, scopes: &[&str]| HypatosAccount {
            client_id: s(client_id),
            client_secret: s(client_secret),
            scopes: strs(scopes),
        };
        let app = |client_id: &str, secrets: &[(&str, &str, bool)]| EntraApp {
            client_id: s(client_id),
            secrets: secrets
                .iter()
                .map(|&(id, value, expired)| EntraSecret {
                    id: s(id),
                    value: s(value),
                    expired,
                })
                .collect(),
        };
        let resource = |uri: &str, roles: &[(&str, &[&str])]| EntraResource {
            app_id_uri: s(uri),
            roles_by_client: roles.iter().map(|(c, r)| (s(c), strs(r))).collect(),
        };
        let old_id = "bbbbbbbb-0000-4000-8000-000000000003";
        let norole_id = "bbbbbbbb-0000-4000-8000-000000000005";
        World {
            hypatos_accounts: vec![
                hyp("demo-hypatos", "hyp-secret-1", &["documents.read", "projects.read"]),
                hyp("demo-hypatos-narrow", "hyp-secret-2", &["enrichment.write"]),
            ],
            hypatos_basic_decoding: BasicDecoding::FormDecoded,
            hypatos_enforce_rate_limit: false,
            entra_tenants: vec![EntraTenant {
                id: s(DEMO_TENANT_ID),
                domains: strs(&["contoso.onmicrosoft.com"]),
                apps: vec![
                    app(
                        DEMO_CLIENT_ID,
                        &[
                            (DEMO_SECRET_ID, DEMO_CLIENT_SECRET, false),
                            (old_id, DEMO_EXPIRED_SECRET, true),
                        ],
                    ),
                    app(DEMO_NOROLE_CLIENT_ID, &[(norole_id, DEMO_NOROLE_SECRET, false)]),
                ],
                resources: vec![
                    resource(PORTFOLIOS_RESOURCE, &[(DEMO_CLIENT_ID, &["Portfolio.Read"])]),
                    resource("https://graph.microsoft.com", &[]),
                ],
            }],
            entra_expires_in_as_string: false,
            portfolios: vec![Portfolio {
                id: s("demo-portfolio"),
                name: s("Demo Portfolio"),
                tenant_id: s(DEMO_TENANT_ID),
                legacy_users: pairs(&[("legacy", "legacy-pass")]),
            }],
            portfolios_resource: s(PORTFOLIOS_RESOURCE),
            portfolios_role: s("Portfolio.Read"),
            rest_client_auth: RestClientAuth::Both,
            rest_clients: vec![RestClient {
                client_id: s("rest-cli"),
                client_secret: s("rest-secret"),
                scopes: strs(&["billing.read"]),
            }],
            rest_users: pairs(&[("alice", "alice-pass")]),
            rest_api_keys: strs(&["demo-api-key-123"]),
            rest_basic_users: pairs(&[("svc", "svc-pass")]),
            rest_required_scopes: pairs(&[
                ("/rest/api/billing", "billing.read"),
                ("/rest/api/admin", "billing.admin"),
            ]),
        }
    }
}

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

// ------------------------------------------------------------------------------- plumbing

struct Rq {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}
enum Auth {
    None,
    /// An Authorization scheme other than Bearer and Basic.
    Other,
    Bearer(String),
    /// Raw RFC 7617 halves; a malformed Basic header gives empty halves.
    Basic(String, String),
}
type Params = Vec<(String, String)>;
impl Rq {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn form(&self) -> Params {
        url::form_urlencoded::parse(&self.body).into_owned().collect()
    }
    fn query_pairs(&self) -> Params {
        url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }
    fn auth(&self) -> Auth {
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
    fn client_basic(&self) -> Option<(String, String)> {
        match self.auth() {
            Auth::Basic(u, p) => Some((pct_decode(&u, true), pct_decode(&p, true))),
            _ => None,
        }
    }
}
fn get<'a>(p: &'a Params, k: &str) -> Option<&'a str> {
    p.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
}

struct Resp {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}
impl Resp {
    fn new(status: u16, ctype: &str, body: Vec<u8>) -> Self {
        Resp {
            status,
            headers: vec![("content-type", s(ctype))],
            body,
        }
    }
    fn json(status: u16, body: Vec<u8>) -> Self {
        Self::new(status, "application/json; charset=utf-8", body)
    }
    fn h(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}
/// Serialises a JSON object keeping the given key order.
fn obj(fields: &[(&str, Value)]) -> Vec<u8> {
    let inner: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{v}", json!(k))).collect();
    format!("{{{}}}", inner.join(",")).into_bytes()
}
fn titled(status: u16, title: &str) -> Resp {
    Resp::json(status, jo! {"title": title, "status": status})
}
fn method_not_allowed(allow: &str) -> Resp {
    titled(405, "Method Not Allowed").h("allow", allow)
}
/// `Bearer realm=".."` plus RFC 6750 §3 attributes.
fn bearer_challenge(realm: &str, attrs: &[(&str, &str)]) -> String {
    let extra: String = attrs.iter().map(|(k, v)| format!(", {k}=\"{v}\"")).collect();
    format!("Bearer realm=\"{realm}\"{extra}")
}

fn pct_decode(v: &str, plus_is_space: bool) -> String {
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
fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("OS random source");
    b
}
fn random_token(prefix: &str, n: usize) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let tail: String = random_bytes(n).iter().map(|b| ABC[(b & 63) as usize] as char).collect();
    format!("{prefix}{tail}")
}
fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
/// Scopes and expiry of a live token in `map` named by a Bearer header.
fn live_scopes(rq: &Rq, map: &HashMap<String, (Vec<String>, u64)>) -> Option<Vec<String>> {
    let Auth::Bearer(t) = rq.auth() else {
        return None;
    };
    map.get(&t).filter(|(_, exp)| *exp > now()).map(|(sc, _)| sc.clone())
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
            ["rest", "public", ..] if get => Resp::json(200, jo! {"public": true, "path": rq.path}),
            ["_health"] | ["portfolios", _, "api", "v2", ..] | ["rest", "api" | "public", ..] => {
                method_not_allowed("GET")
            }
            _ => titled(404, "Not Found"),
        }
    }
}

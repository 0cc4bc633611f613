//! The read-only probe: which call to make, and making it (redirects followed by hand, same
//! origin only, at most 5). What its answer means is [`verdict`]'s.

mod rules;
mod seen;
mod signin;
mod verdict;

use std::time::{Duration, Instant};

use url::Url;

use self::verdict::fail;
pub use self::verdict::{Context, Outcome, hypatos_scope_for, verdict};
use crate::config::{Auth, KeyIn, Probe, ProbeRequest, Profile, Vendor, join, shown};
use crate::exit::Category;
use crate::finding::{Finding, clean};
use crate::secret::{self, Secret};

/// Redirects followed on a probe, same origin only.
pub const MAX_REDIRECTS: usize = 5;
/// Most of a probe's body that is read.
pub const MAX_PROBE_BODY: usize = 1024 * 1024;

/// Credentials ready to attach to an API call.
pub enum Credential {
    /// Nothing.
    None,
    /// `Authorization: Basic`.
    Basic(String, Secret),
    /// An API key.
    ApiKey {
        /// Header or parameter name.
        name: String,
        /// The key.
        key: Secret,
        /// Where.
        location: KeyIn,
    },
    /// `Authorization: Bearer`.
    Bearer(Secret),
}

/// Hypatos read-only endpoints, in order of preference, with the scope each needs
/// (protocols.md §1.5–1.6).
pub const HYPATOS_PROBES: &[(&str, &str)] = &[
    ("documents.read", "documents?limit=1"),
    ("projects.read", "projects?limit=1"),
    ("companies.read", "companies"),
];

/// Which probe to make, or why none: `Err(reason)` means token only.
pub fn choose(profile: &Profile, granted: Option<&[String]>, no_probe: bool) -> Result<ProbeRequest, String> {
    if no_probe {
        return Err("probe skipped (--no-probe)".into());
    }
    match &profile.probe {
        Probe::Off => Err("probe = false: token only".into()),
        Probe::Request(r) => Ok(r.clone()),
        Probe::Auto => match (&profile.vendor, &profile.auth) {
            (Vendor::Hypatos, _) => {
                let granted = granted.unwrap_or(&[]);
                for (scope, path) in HYPATOS_PROBES {
                    if granted.iter().any(|g| g == scope)
                        && let Some(url) = join(&profile.api_base, path)
                    {
                        return Ok(ProbeRequest {
                            method: "GET".into(),
                            url,
                            expect: Vec::new(),
                        });
                    }
                }
                Err(if granted.is_empty() {
                    "no scopes granted that allow a read-only call: token only".to_string()
                } else {
                    format!(
                        "the granted scopes ({}) allow no read-only call (documents.read, projects.read or companies.read would): token only",
                        granted.join(" ")
                    )
                })
            }
            (Vendor::Hypergene { .. }, Auth::Basic { .. }) => Ok(ProbeRequest {
                method: "GET".into(),
                url: profile.api_base.clone(),
                expect: Vec::new(),
            }),
            (Vendor::Hypergene { .. }, _) => Err(
                "Portfolios publishes no read-only endpoint to call: token only (set probe = \"reports/<id>\" to test the API too)"
                    .into(),
            ),
            (Vendor::Rest, _) => Err("no probe configured: token and connection only (set probe = \"/health\" or similar)".into()),
        },
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// The request for one hop, the credential attached where the profile says.
fn request(
    http: &reqwest::Client,
    method: &reqwest::Method,
    url: &Url,
    cred: &Credential,
    timeout: Duration,
) -> reqwest::RequestBuilder {
    let mut target = url.clone();
    if let Credential::ApiKey {
        name,
        key,
        location: KeyIn::Query,
    } = cred
    {
        target.query_pairs_mut().append_pair(name, key.expose());
    }
    let b = http
        .request(method.clone(), target)
        .timeout(timeout)
        .header(reqwest::header::ACCEPT, "application/json, */*;q=0.5");
    match cred {
        Credential::None => b,
        Credential::Basic(u, p) => {
            secret::register_basic(u, p.expose());
            b.basic_auth(u, Some(p.expose()))
        }
        Credential::Bearer(t) => b.bearer_auth(t.expose()),
        Credential::ApiKey {
            name,
            key,
            location: KeyIn::Header,
        } => {
            let mut v = reqwest::header::HeaderValue::from_str(key.expose())
                .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""));
            v.set_sensitive(true);
            b.header(name.as_str(), v)
        }
        Credential::ApiKey { .. } => b,
    }
}

/// Where a redirect from `url` to `loc` may be followed, or why not (the `hop`-th redirect).
fn next_hop(status: u16, url: &Url, loc: &str, hop: usize) -> Result<Url, Finding> {
    let next = url.join(loc).map_err(|_| {
        Finding::plain(
            "probe_bad_redirect",
            Category::Endpoint,
            format!("the probe was redirected to an invalid address ({})", clean(loc, 200)),
        )
    })?;
    if !same_origin(url, &next) {
        if let Some(f) = signin::redirect(status, &next) {
            return Err(f);
        }
        return Err(Finding::plain("probe_cross_origin_redirect", 
            Category::Endpoint,
            format!("the probe was redirected ({status}) to another origin, {}; not followed, so the credentials are not sent there", clean(&shown(&next), 300)),
        )
        .hint("if that address is right, set probe to it: credentials are only ever sent where the profile says"));
    }
    if hop == MAX_REDIRECTS {
        return Err(Finding::plain(
            "probe_too_many_redirects",
            Category::Endpoint,
            format!("the probe was redirected more than {MAX_REDIRECTS} times; stopped"),
        )
        .hint("check the probe URL for a redirect loop"));
    }
    Ok(next)
}

/// Make the probe call.
pub async fn run(
    http: &reqwest::Client,
    req: &ProbeRequest,
    cred: &Credential,
    timeout: Duration,
    ctx: &Context<'_>,
    trace: &(dyn Fn(String) + Sync),
) -> Outcome {
    let started = Instant::now();
    let mut url = req.url.clone();
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let shown_first = shown(&req.url);
    for hop in 0..=MAX_REDIRECTS {
        let b = request(http, &method, &url, cred, timeout);
        trace(format!("> {} {}", method, shown(&url)));
        let host = url.host_str().unwrap_or("the API").to_string();
        let sent = crate::net::fetch_traced(b, timeout, MAX_PROBE_BODY, &host, trace).await;
        let ms = started.elapsed().as_millis() as u64;
        let crate::net::Answer { status, headers, body } = match sent {
            Ok(a) => a,
            Err(f) => {
                return Outcome {
                    status: None,
                    url: shown(&url),
                    ms,
                    detail: String::new(),
                    failure: Some(f),
                    server_error: None,
                    warnings: Vec::new(),
                };
            }
        };
        trace(format!("< {status} ({ms} ms, {} bytes)", body.bytes.len()));
        if (300..400).contains(&status) && status != 304 {
            let Some(loc) = headers.get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()) else {
                return verdict(status, &headers, &body.bytes, shown(&url), ms, ctx, hop);
            };
            match next_hop(status, &url, loc, hop) {
                Ok(next) => url = next,
                Err(f) => return fail(status, shown(&url), ms, f),
            }
            continue;
        }
        let mut o = verdict(status, &headers, &body.bytes, shown(&url), ms, ctx, hop);
        if hop > 0 {
            o.detail = format!(
                "{} (after {hop} redirect{} from {shown_first})",
                o.detail,
                if hop == 1 { "" } else { "s" }
            );
        }
        if body.truncated {
            o.detail.push_str(", body cut at 1 MiB");
        }
        return o;
    }
    unreachable!("the loop returns on its last hop")
}

#[cfg(test)]
mod tests;

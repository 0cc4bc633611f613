//! Testing one profile, layer by layer: config → dns → connect → tls → discovery → token →
//! scopes → probe. A [`plan`] fixes the steps and origins once; each step (in [`steps`]) is
//! timed and recorded; the first failure decides the verdict and the [`run`] record skips
//! the steps after it. Findings are data: nothing here returns an error.

mod plan;
pub mod probe;
mod refresh;
mod run;
mod steps;

use std::time::Duration;

use url::Url;

use crate::config::{Auth, Profile, Vendor, is_loopback, shown};
use crate::exit::Category;
use crate::finding::Finding;
use crate::net::Http;
use crate::oauth::token::Token;
use crate::report::ProfileReport;

/// How a run tests.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Skip the probe call.
    pub no_probe: bool,
    /// Override every profile's total timeout.
    pub timeout: Option<Duration>,
    /// Request/response trace on stderr.
    pub verbose: bool,
    /// The token store, where interactive profiles keep their logins.
    pub store: Option<std::sync::Arc<crate::store::Store>>,
}

/// Days before expiry from which a certificate earns a warning.
pub const CERT_WARN_DAYS: i64 = 14;
/// Clock difference that earns a warning.
pub const MAX_SKEW_SECS: i64 = 120;

/// A token obtained by a test, for the token store.
pub struct Obtained {
    /// The token.
    pub token: Token,
    /// When it was received, seconds since the epoch.
    pub received_at: i64,
    /// Fingerprint of the credentials used.
    pub credentials: String,
}

/// The URLs that will carry credentials, for the plain-http rule.
fn credential_urls(p: &Profile) -> Vec<Url> {
    let mut v = Vec::new();
    if let Some(c) = p.auth.oauth() {
        v.push(c.token_url.clone());
    }
    if !matches!(p.auth, Auth::None) {
        if let Some(u) = p.probe_url() {
            v.push(u);
        } else if matches!(p.probe, crate::config::Probe::Auto) && matches!(p.vendor, Vendor::Hypatos) {
            v.push(p.api_base.clone());
        }
    }
    v
}

/// Refuse `http://` for credential-bearing calls off loopback, unless allowed.
pub fn plain_http_refusal(p: &Profile) -> Option<Finding> {
    if p.net.allow_insecure_http {
        return None;
    }
    let bad = credential_urls(p)
        .into_iter()
        .find(|u| u.scheme() == "http" && !is_loopback(u))?;
    Some(
        Finding::plain(
            "plain_http_credentials",
            Category::Config,
            format!("refusing to send credentials over plain http to {}", shown(&bad)),
        )
        .hint("use https://; if this really is a trusted network, set allow_insecure_http = true in the profile"),
    )
}

/// The `-v` trace of one profile: each line on stderr, prefixed with the profile, redacted
/// and made terminal-safe (a server's body may carry escape sequences).
pub fn trace_fn(p: &Profile, verbose: bool) -> impl Fn(String) + Sync + use<> {
    let name = p.display_name();
    move |line: String| {
        if verbose {
            eprintln!("{name}: {}", crate::finding::safe_lines(&line));
        }
    }
}

/// Test one profile.
pub async fn test_profile(p: &Profile, http: &Http, opts: &Options) -> (ProfileReport, Option<Obtained>) {
    let mut cx = steps::Ctx::new(p, http, opts);
    let outcome = steps::run(&mut cx).await;
    cx.finish(outcome)
}

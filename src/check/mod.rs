//! Testing one profile, layer by layer: config → dns → connect → tls → discovery → token →
//! scopes → probe. Each step is timed and recorded; the first failure decides the verdict
//! and the steps after it are skipped. Findings are data: nothing here returns an error.

pub mod probe;

use std::time::{Duration, Instant};

use url::Url;

use crate::config::{Auth, OAuthClient, Profile, Vendor, is_loopback, shown};
use crate::creds::resolve;
use crate::exit::Category;
use crate::finding::{Finding, clean};
use crate::net::Http;
use crate::net::preflight::Origin;
use crate::oauth::diagnose;
use crate::oauth::jwt;
use crate::oauth::obtain;
use crate::oauth::server_error::ServerError;
use crate::oauth::token::Token;
use crate::report::{ProfileReport, Status, Step, StepName, TokenInfo};
use crate::secret;

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

struct Builder {
    steps: Vec<Step>,
    failure: Option<Finding>,
    warnings: Vec<(Category, String)>,
    notes: Vec<String>,
    server_error: Option<ServerError>,
    token: Option<TokenInfo>,
    started: Instant,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            steps: Vec::new(),
            failure: None,
            warnings: Vec::new(),
            notes: Vec::new(),
            server_error: None,
            token: None,
            started: Instant::now(),
        }
    }

    fn pass(&mut self, name: StepName, ms: u64, detail: impl Into<String>) -> &mut Step {
        self.steps.push(Step {
            name,
            status: Status::Pass,
            duration_ms: Some(ms),
            http_status: None,
            url: None,
            detail: Some(detail.into()).filter(|d: &String| !d.is_empty()),
        });
        self.steps.last_mut().expect("just pushed")
    }

    fn fail(&mut self, name: StepName, ms: u64, f: Finding) -> &mut Step {
        self.steps.push(Step {
            name,
            status: Status::Fail,
            duration_ms: Some(ms),
            http_status: None,
            url: None,
            detail: Some(f.summary.clone()),
        });
        self.failure = Some(f);
        self.steps.last_mut().expect("just pushed")
    }

    fn warn(&mut self, c: Category, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.iter().any(|(_, x)| *x == w) {
            self.warnings.push((c, w));
        }
    }

    fn skip(&mut self, names: &[StepName]) {
        for n in names {
            if !self.steps.iter().any(|s| s.name == *n) {
                self.steps.push(Step::skip(*n));
            }
        }
    }

    fn finish(self, p: &Profile, pass_summary: String) -> ProfileReport {
        let duration_ms = self.started.elapsed().as_millis() as u64;
        let (status, category, summary, mut hints) = match self.failure {
            Some(f) => (Status::Fail, f.category, f.summary, f.hints),
            None if !self.warnings.is_empty() => (Status::Warn, Category::Ok, pass_summary, Vec::new()),
            None => (Status::Pass, Category::Ok, pass_summary, Vec::new()),
        };
        let warn_category = self.warnings.first().map(|(c, _)| *c);
        hints.extend(self.warnings.into_iter().map(|(_, w)| format!("warning: {w}")));
        hints.extend(self.notes);
        ProfileReport {
            profile: p.name.clone(),
            environment: p.env.clone(),
            ty: p.ty.as_str().to_string(),
            auth: p.auth.kind().to_string(),
            status,
            category,
            exit_code: category.exit_code(),
            summary,
            hints,
            duration_ms,
            steps: self.steps,
            token: self.token,
            server_error: self.server_error,
            warn_category,
        }
    }
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
        Finding::new(
            Category::Config,
            format!("refusing to send credentials over plain http to {}", shown(&bad)),
        )
        .hint("use https://; if this really is a trusted network, set allow_insecure_http = true in the profile"),
    )
}

/// The `-v` trace of one profile: each line on stderr, prefixed with the profile, redacted.
pub fn trace_fn(p: &Profile, verbose: bool) -> impl Fn(String) + Sync + use<> {
    let name = p.display_name();
    move |line: String| {
        if verbose {
            eprintln!("{name}: {}", secret::redact(&line));
        }
    }
}

/// Test one profile.
pub async fn test_profile(p: &Profile, http: &Http, opts: &Options) -> (ProfileReport, Option<Obtained>) {
    let mut b = Builder::new();
    let mut net = p.net.clone();
    if let Some(t) = opts.timeout {
        net.timeout = t;
    }
    let trace = trace_fn(p, opts.verbose);
    let oauth = p.auth.oauth();
    let entra = match &p.vendor {
        Vendor::Hypergene { entra: Some(e), .. } => Some(e.clone()),
        _ => None,
    };
    let mut later: Vec<StepName> = vec![StepName::Dns, StepName::Connect, StepName::Tls];
    if entra.is_some() {
        later.push(StepName::Discovery);
    }
    let interactive = matches!(p.auth, Auth::Interactive { .. });
    if oauth.is_some() {
        later.extend([
            if interactive {
                StepName::Refresh
            } else {
                StepName::Token
            },
            StepName::Scopes,
        ]);
    }
    later.push(StepName::Probe);

    // config
    let t = Instant::now();
    let pre = plain_http_refusal(p).map(Err).unwrap_or(Ok(()));
    let resolved = match pre {
        Err(f) => Err(f),
        Ok(()) => {
            let pc = p.clone();
            tokio::task::spawn_blocking(move || resolve(&pc))
                .await
                .unwrap_or_else(|_| Err(Finding::new(Category::Config, "resolving secrets failed")))
        }
    };
    let client = match resolved.and_then(|r| {
        http.client(&net)
            .map(|c| (r, c))
            .map_err(|e| Finding::new(Category::Config, e))
    }) {
        Ok(x) => x,
        Err(f) => {
            b.fail(StepName::Config, t.elapsed().as_millis() as u64, f);
            b.skip(&later);
            return (b.finish(p, String::new()), None);
        }
    };
    let (creds, client) = client;
    let stored = interactive
        .then(|| {
            let fp = creds.fingerprint();
            opts.store
                .as_ref()
                .and_then(|st| st.read_for(&crate::store::key(p), p, Some(&fp)))
        })
        .flatten()
        .filter(|e| e.refresh_token.is_some() || e.valid_for(crate::net::preflight::now_secs(), 60));
    if interactive && stored.is_none() {
        // Nothing to test without a stored login; no request is made, no browser opened.
        later.retain(|s| {
            !matches!(
                s,
                StepName::Dns | StepName::Connect | StepName::Tls | StepName::Discovery | StepName::Refresh
            )
        });
        b.fail(
            StepName::Refresh,
            0,
            Finding::new(
                Category::Interactive,
                format!(
                    "{} has no stored login to test: a person must sign in first",
                    p.display_name()
                ),
            )
            .hint(format!("run: conn login {}", p.display_name())),
        );
        b.skip(&later);
        return (b.finish(p, String::new()), None);
    }
    if net.insecure_tls {
        b.warn(Category::Tls, "certificate checks are off for this profile (insecure_tls = true): anyone on the network path could read the credentials");
    }
    if matches!(p.auth, Auth::Password { .. }) {
        b.warn(
            Category::Authentication,
            "the password grant is deprecated (RFC 9700 §2.4: it MUST NOT be used) and fails under MFA; move to client credentials or an authorization-code profile when the server allows",
        );
    }
    if let Auth::ApiKey {
        location: crate::config::KeyIn::Query,
        ..
    } = &p.auth
    {
        b.warn(Category::Config, "the API key travels in the URL's query, where servers and proxies log it; prefer a header if the API accepts one");
    }

    // dns, connect, tls — over every origin the test will talk to
    let mut origins: Vec<Url> = Vec::new();
    if let Some(u) = stored.as_ref().and_then(|e| Url::parse(e.token_url.as_deref()?).ok()) {
        origins.push(u);
    } else if let Some(c) = oauth {
        origins.push(c.token_url.clone());
    }
    if let Some(e) = &entra
        && let Some(u) = e.discovery_url()
    {
        origins.push(u);
    }
    if !opts.no_probe {
        match p.probe_url() {
            Some(u) => origins.push(u),
            None if matches!(p.vendor, Vendor::Hypatos) && p.probe == crate::config::Probe::Auto => {
                origins.push(p.api_base.clone())
            }
            None if oauth.is_none() => origins.push(p.api_base.clone()),
            None => {}
        }
    }
    let mut seen: Vec<Origin> = Vec::new();
    let mut checks = Vec::new();
    for u in &origins {
        let Some(o) = Origin::of(u) else { continue };
        if seen.contains(&o) {
            continue;
        }
        seen.push(o.clone());
        let route = http.route(u, &net);
        checks.push(http.preflights.check(&o, &net, &client.tls, &route).await);
    }
    let join_details = |v: Vec<String>| v.join("; ");
    let sum = |f: &dyn Fn(&crate::net::preflight::OriginCheck) -> Option<u64>| {
        checks.iter().filter_map(|c| f(c)).sum::<u64>()
    };
    // dns
    let dns_ms = sum(&|c| Some(c.dns.ms));
    if let Some(f) = checks.iter().find_map(|c| c.dns.value.as_ref().err()) {
        b.fail(StepName::Dns, dns_ms, f.clone());
        b.skip(&later);
        return (b.finish(p, String::new()), None);
    }
    b.pass(
        StepName::Dns,
        dns_ms,
        join_details(
            checks
                .iter()
                .filter_map(|c| c.dns.value.as_ref().ok().cloned())
                .collect(),
        ),
    );
    // connect
    let connect_ms = sum(&|c| c.connect.as_ref().map(|x| x.ms));
    if let Some(f) = checks
        .iter()
        .find_map(|c| c.connect.as_ref().and_then(|x| x.value.as_ref().err()))
    {
        b.fail(StepName::Connect, connect_ms, f.clone());
        b.skip(&later);
        return (b.finish(p, String::new()), None);
    }
    b.pass(
        StepName::Connect,
        connect_ms,
        join_details(
            checks
                .iter()
                .filter_map(|c| c.connect.as_ref()?.value.as_ref().ok().cloned())
                .collect(),
        ),
    );
    // tls
    let tls_checks: Vec<_> = checks.iter().filter_map(|c| c.tls.as_ref().map(|t| (c, t))).collect();
    let proxied_https = checks.iter().any(|c| c.origin.https && c.proxy.is_some());
    if !tls_checks.is_empty() || proxied_https {
        let tls_ms = tls_checks.iter().map(|(_, t)| t.ms).sum();
        if let Some(f) = tls_checks.iter().find_map(|(_, t)| t.value.as_ref().err()) {
            b.fail(StepName::Tls, tls_ms, f.clone());
            b.skip(&later);
            return (b.finish(p, String::new()), None);
        }
        let mut details = Vec::new();
        for (c, t) in &tls_checks {
            let Ok(facts) = &t.value else { continue };
            let mut d = facts.version.clone();
            if let Some(days) = facts.days_left() {
                d.push_str(&format!(", certificate valid {days} more days"));
                if days < CERT_WARN_DAYS {
                    b.warn(
                        Category::Tls,
                        format!("the certificate of {} expires in {days} days", c.origin.host),
                    );
                }
            }
            if tls_checks.len() > 1 {
                d = format!("{}: {d}", c.origin.host);
            }
            details.push(d);
        }
        if proxied_https {
            details.push("through the proxy: checked by the requests themselves".into());
        }
        b.pass(StepName::Tls, tls_ms, details.join("; "));
    }
    later.retain(|s| !matches!(s, StepName::Dns | StepName::Connect | StepName::Tls));

    // discovery (Entra tenant pre-flight: no secret is sent)
    if let Some(e) = &entra
        && let Some(url) = e.discovery_url()
    {
        let t = Instant::now();
        let r = discovery(&client.http, &url, net.timeout, &trace).await;
        let ms = t.elapsed().as_millis() as u64;
        later.retain(|s| *s != StepName::Discovery);
        match r {
            Ok(issuer) => {
                let s = b.pass(
                    StepName::Discovery,
                    ms,
                    format!("tenant {} exists (issuer {issuer})", e.tenant),
                );
                s.url = Some(shown(&url));
                s.http_status = Some(200);
            }
            Err((status, f, se)) => {
                let s = b.fail(StepName::Discovery, ms, f);
                s.url = Some(shown(&url));
                s.http_status = status;
                b.server_error = se;
                b.skip(&later);
                return (b.finish(p, String::new()), None);
            }
        }
    }

    // token
    let mut obtained = None;
    let mut bearer = None;
    let mut claims = None;
    let mut granted: Option<Vec<String>> = None;
    if let Some(c) = oauth {
        later.retain(|s| *s != StepName::Token);
        if interactive {
            later.retain(|s| *s != StepName::Refresh);
            let store = opts.store.clone().expect("a stored login was found in the store");
            let t = Instant::now();
            match refresh_login(&store, p, &creds, &client.http, net.timeout, &trace).await {
                Ok((e, detail)) => {
                    let s = b.pass(StepName::Refresh, t.elapsed().as_millis() as u64, detail);
                    s.url = e.token_url.clone();
                    let token = Token {
                        access_token: secret::Secret::new(e.access_token.clone()),
                        token_type: e.token_type.clone(),
                        expires_in: e.ttl(crate::net::preflight::now_secs()).map(|t| t.max(0) as u64),
                        scope: e.scope.clone(),
                        refresh_token: None,
                        id_token: None,
                        remarks: Vec::new(),
                    };
                    let info = token_info(&token, c);
                    claims = info.claims.clone();
                    granted = token.scope.clone();
                    b.token = Some(info);
                    bearer = Some(token.access_token);
                }
                Err(f) => {
                    b.fail(StepName::Refresh, t.elapsed().as_millis() as u64, f);
                    b.skip(&later);
                    return (b.finish(p, String::new()), None);
                }
            }
        }
        let got = if interactive {
            None
        } else {
            Some(obtain::obtain(&client.http, p, c, &creds, net.timeout, None, &trace).await)
        };
        match got {
            None => {}
            Some(Ok(g)) => {
                if let Some(d) = g.server_date {
                    skew(&mut b, d.saturating_sub(g.received_at), "the token endpoint's clock");
                }
                let info = token_info(&g.token, c);
                if let Some(iat) = info.claims.as_ref().and_then(|m| m.get("iat")).and_then(|v| v.as_i64()) {
                    skew(
                        &mut b,
                        iat.saturating_sub(g.received_at),
                        "the token's issue time (iat)",
                    );
                }
                for r in &g.token.remarks {
                    b.warn(Category::Endpoint, r.clone());
                }
                let life = g
                    .token
                    .expires_in
                    .map(|s| format!(", expires in {}", humantime::format_duration(Duration::from_secs(s))))
                    .unwrap_or_default();
                let s = b.pass(
                    StepName::Token,
                    g.ms,
                    format!(
                        "{} token{life} ({}, {} characters)",
                        info.token_type, info.fingerprint, info.length
                    ),
                );
                s.http_status = g.status;
                s.url = Some(shown(&c.token_url));
                claims = info.claims.clone();
                granted = g.token.scope.clone();
                b.token = Some(info);
                bearer = Some(g.token.access_token.clone());
                obtained = Some(Obtained {
                    token: g.token,
                    received_at: g.received_at,
                    credentials: creds.fingerprint(),
                });
            }
            Some(Err(f)) => {
                let s = b.fail(StepName::Token, f.ms, f.finding);
                s.http_status = f.status;
                s.url = Some(shown(&c.token_url));
                b.server_error = f.server_error;
                b.skip(&later);
                return (b.finish(p, String::new()), None);
            }
        }

        // scopes
        later.retain(|s| *s != StepName::Scopes);
        let requested = &c.scopes;
        let mut detail = Vec::new();
        let roles = claims.as_ref().map(|m| jwt::strings(m, "roles")).unwrap_or_default();
        let scp = claims.as_ref().map(|m| jwt::strings(m, "scp")).unwrap_or_default();
        match &granted {
            Some(g) => {
                let missing: Vec<&String> = requested.iter().filter(|r| !g.contains(r)).collect();
                if !missing.is_empty() && !requested.iter().all(|r| r.ends_with("/.default")) {
                    let names: Vec<String> = missing.iter().map(|s| s.to_string()).collect();
                    let mut f = Finding::new(
                        Category::Permission,
                        format!(
                            "requested scope{} not granted: {} (granted: {})",
                            if names.len() == 1 { "" } else { "s" },
                            names.join(" "),
                            if g.is_empty() { "none".into() } else { g.join(" ") }
                        ),
                    );
                    f = f.hint(if matches!(p.vendor, Vendor::Hypatos) {
                        format!(
                            "assign {} to the API service account in Hypatos Studio, or remove it from scope",
                            names.join(" ")
                        )
                    } else {
                        format!(
                            "assign {} to this client at the authorization server, or stop requesting it",
                            names.join(" ")
                        )
                    });
                    b.fail(StepName::Scopes, 0, f);
                    b.skip(&later);
                    return (b.finish(p, String::new()), obtained);
                }
                detail.push(format!(
                    "granted: {}",
                    if g.is_empty() { "none".to_string() } else { g.join(" ") }
                ));
            }
            None if requested.is_empty() => detail.push("none requested; the server did not list any".into()),
            None => detail.push(format!(
                "requested: {}; the server did not list what it granted",
                requested.join(" ")
            )),
        }
        if !roles.is_empty() {
            detail.push(format!("roles: {}", roles.join(" ")));
        }
        if !scp.is_empty() {
            detail.push(format!("scp: {}", scp.join(" ")));
        }
        if matches!(p.vendor, Vendor::Hypergene { .. }) && claims.is_some() && roles.is_empty() {
            detail.push("the token carries no roles".into());
            b.notes.push("the Entra token carries no roles claim: if the Portfolios API refuses it, the app lacks an app role on the API or admin consent".into());
        }
        b.pass(StepName::Scopes, 0, detail.join("; "));
    }

    // probe
    later.retain(|s| *s != StepName::Probe);
    let granted_ref = granted.as_deref().or(oauth.map(|c| c.scopes.as_slice()));
    let pass_summary;
    match probe::choose(p, granted_ref, opts.no_probe) {
        Err(reason) => {
            pass_summary = match oauth {
                Some(_) => format!("token obtained; {reason}"),
                None => format!("connection works; {reason}"),
            };
        }
        Ok(req) => {
            let cred = match (&p.auth, bearer) {
                (_, Some(t)) => probe::Credential::Bearer(t),
                (Auth::Basic { .. }, None) => probe::Credential::Basic(
                    creds.username.clone().unwrap_or_default(),
                    creds.password.clone().expect("resolved"),
                ),
                (Auth::ApiKey { name, location, .. }, None) => probe::Credential::ApiKey {
                    name: name.clone(),
                    key: creds.key.clone().expect("resolved"),
                    location: *location,
                },
                _ => probe::Credential::None,
            };
            let ctx = probe::Context {
                profile: p,
                granted: granted_ref,
                claims: claims.as_ref(),
            };
            let o = probe::run(&client.http, &req, &cred, net.timeout, &ctx, &trace).await;
            let label = format!("{} {}", req.method, o.url);
            match o.failure {
                Some(f) => {
                    let s = b.fail(StepName::Probe, o.ms, f);
                    s.http_status = o.status;
                    s.url = Some(o.url);
                    b.server_error = o.server_error;
                    return (b.finish(p, String::new()), obtained);
                }
                None => {
                    let s = b.pass(StepName::Probe, o.ms, o.detail);
                    s.http_status = o.status;
                    s.url = Some(o.url);
                    pass_summary = match oauth {
                        Some(_) => format!("token obtained and {label} answered {}", o.status.unwrap_or(0)),
                        None => format!("{label} answered {}", o.status.unwrap_or(0)),
                    };
                }
            }
        }
    }
    let summary = match &p.vendor {
        Vendor::Hypatos => format!("Hypatos accepted the service account; {pass_summary}"),
        Vendor::Hypergene { entra: Some(_), .. } => format!("Entra issued a token for Portfolios; {pass_summary}"),
        _ => pass_summary,
    };
    (b.finish(p, summary), obtained)
}

/// Refresh a stored login under its lock, so that a rotated refresh token is never used
/// twice; the result is stored before it is used.
async fn refresh_login(
    store: &std::sync::Arc<crate::store::Store>,
    p: &Profile,
    creds: &crate::creds::Resolved,
    http: &reqwest::Client,
    timeout: Duration,
    trace: &(dyn Fn(String) + Sync),
) -> Result<(crate::store::Entry, String), Finding> {
    let key = crate::store::key(p);
    let (st, k) = (store.clone(), key.clone());
    let wait = timeout + Duration::from_secs(10);
    let _lock = tokio::task::spawn_blocking(move || st.lock(&k, wait))
        .await
        .map_err(|_| Finding::new(Category::Config, "locking the token store failed"))?
        .map_err(|e| Finding::new(Category::Config, e.0))?;
    let old = store.read_for(&key, p, Some(&creds.fingerprint())).ok_or_else(|| {
        Finding::new(Category::Interactive, "the stored login is gone")
            .hint(format!("run: conn login {}", p.display_name()))
    })?;
    if old.refresh_token.is_none() {
        let left = old.ttl(crate::net::preflight::now_secs()).unwrap_or(0);
        return Ok((
            old,
            format!("no refresh token stored; using the stored access token ({left}s left)"),
        ));
    }
    match crate::login::refresh(http, p, creds, &old, timeout, trace).await {
        Ok((e, rotated)) => {
            store.write(&key, &e).map_err(|err| {
                Finding::new(
                    Category::Config,
                    format!("the refreshed login could not be stored: {err}"),
                )
            })?;
            let how = if rotated {
                "refresh token rotated and stored"
            } else {
                "the provider kept the refresh token"
            };
            Ok((e, format!("refreshed the stored login ({how})")))
        }
        Err(f) => {
            if f.category == Category::Interactive {
                store.remove(&key);
            }
            Err(f)
        }
    }
}

fn skew(b: &mut Builder, diff: i64, against: &str) {
    // A difference of more than ten years is an implausible date or claim, not a clock.
    let n = diff.unsigned_abs();
    if n > MAX_SKEW_SECS.unsigned_abs() && n <= crate::expiry::MAX_AHEAD.unsigned_abs() {
        let dir = if diff > 0 { "behind" } else { "ahead of" };
        b.warn(
            Category::Authentication,
            format!(
                "this machine's clock is {} {dir} {against}: tokens may be refused as expired or not yet valid; synchronise the clock (NTP)",
                humantime::format_duration(Duration::from_secs(n))
            ),
        );
    }
}

fn token_info(t: &Token, c: &OAuthClient) -> TokenInfo {
    TokenInfo {
        token_type: t.token_type.clone(),
        fingerprint: t.access_token.fingerprint(),
        length: t.access_token.expose().chars().count(),
        expires_in: t.expires_in,
        scopes_requested: c.scopes.clone(),
        scopes_granted: t.scope.clone(),
        claims: jwt::claims(t.access_token.expose()),
    }
}

async fn discovery(
    http: &reqwest::Client,
    url: &Url,
    timeout: Duration,
    trace: &(dyn Fn(String) + Sync),
) -> Result<String, (Option<u16>, Finding, Option<ServerError>)> {
    trace(format!("> GET {}", shown(url)));
    let what = url.host_str().unwrap_or("the login host").to_string();
    let req = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    let crate::net::Answer { status, body, .. } = crate::net::fetch(req, timeout, crate::net::body::MAX_BODY, &what)
        .await
        .map_err(|f| (None, f, None))?;
    trace(format!("< {status} ({} bytes)", body.bytes.len()));
    if status == 200 {
        let v: serde_json::Value = serde_json::from_slice(&body.bytes).unwrap_or_default();
        let issuer = v
            .get("issuer")
            .and_then(|i| i.as_str())
            .map(|s| clean(s, 200))
            .unwrap_or_else(|| "not stated".into());
        return Ok(issuer);
    }
    let se = crate::oauth::server_error::parse(status, &body.bytes, &[]);
    let ctx = diagnose::Context {
        vendor: &Vendor::Rest,
        auth: &Auth::None,
        scopes: &[],
        secret_is_guid: false,
        token_url: &shown(url),
    };
    let f = if se.is_empty() {
        Finding::new(
            Category::Endpoint,
            format!("the tenant's OpenID configuration answered {status}"),
        )
        .hint("check authority and tenant_id")
    } else {
        diagnose::explain(&se, &ctx)
    };
    Err((Some(status), f, (!se.is_empty()).then_some(se)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_warns_past_two_minutes() {
        let mut b = Builder::new();
        skew(&mut b, 119, "x");
        assert!(b.warnings.is_empty());
        skew(&mut b, -600, "x");
        assert!(b.warnings[0].1.contains("10m ahead of x"), "{:?}", b.warnings);
    }
}

//! What a probe's answer means: the outcome of a call, and the verdict on a status that is
//! not the one expected (401, 403, 404, 405, 429, 5xx), with the profile's vendor and auth in
//! mind.
//!
//! A leaf of [`super`]: it owns [`Outcome`] and [`Context`], so the call loop imports this
//! module and never the other way round.

use url::Url;

use crate::config::{Auth, KeyIn, Probe, Profile, Vendor};
use crate::exit::Category;
use crate::finding::{Finding, clean};
use crate::oauth::jwt;
use crate::oauth::server_error::{self, ServerError};

/// The probe's result.
pub struct Outcome {
    /// Final HTTP status, when there was one.
    pub status: Option<u16>,
    /// The URL finally called (shown form).
    pub url: String,
    /// Time taken.
    pub ms: u64,
    /// Detail for the step.
    pub detail: String,
    /// Failure, if any.
    pub failure: Option<Finding>,
    /// What the server said, when it refused.
    pub server_error: Option<ServerError>,
}

/// What the verdict needs besides the answer.
pub struct Context<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Scopes granted, when known.
    pub granted: Option<&'a [String]>,
    /// Claims of the token, when it is a JWT.
    pub claims: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

/// Scope Hypatos requires for a path (protocols.md §1.5), to name a missing one on 403.
pub fn hypatos_scope_for(path: &str) -> Option<&'static str> {
    let p = path.split('?').next().unwrap_or(path);
    let seg = p
        .trim_end_matches('/')
        .rsplit("/v2/")
        .next()
        .unwrap_or(p)
        .trim_start_matches('/');
    let first = seg.split('/').next().unwrap_or("");
    match first {
        "documents" => Some("documents.read"),
        "projects" => Some("projects.read"),
        "companies" => Some("companies.read"),
        "files" => Some("files.read"),
        "emails" => Some("emails.read"),
        _ => None,
    }
}

/// An outcome that failed on a status before any verdict: a redirect not followed.
pub fn fail(status: u16, url: String, ms: u64, f: Finding) -> Outcome {
    Outcome {
        status: Some(status),
        url,
        ms,
        detail: String::new(),
        failure: Some(f),
        server_error: None,
    }
}

/// The verdict on a final answer: passed when its status is expected, else why not.
pub fn verdict(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    url: String,
    ms: u64,
    ctx: &Context<'_>,
    _hop: usize,
) -> Outcome {
    let p = ctx.profile;
    let expect_ok = match &p.probe {
        Probe::Request(r) if !r.expect.is_empty() => r.expect.contains(&status),
        _ => (200..300).contains(&status),
    };
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    if expect_ok {
        return Outcome {
            status: Some(status),
            url,
            ms,
            detail: format!("{reason}, {} bytes", body.len())
                .trim_start_matches(", ")
                .to_string(),
            failure: None,
            server_error: None,
        };
    }
    let challenges = server_error::parse_challenges(
        headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let se = server_error::parse(status, body, &challenges);
    let quote = se.quote().map(|q| format!(": {q}")).unwrap_or_default();
    let path = Url::parse(&url).map(|u| u.path().to_string()).unwrap_or_default();
    let portfolios = matches!(p.vendor, Vendor::Hypergene { .. });
    let f = match status {
        401 => unauthorized(ctx, &challenges, &se, &url, &quote),
        403 => forbidden(ctx, &se, &path, &quote),
        404 if portfolios => Finding::plain(
            "portfolio_not_found",
            Category::Endpoint,
            format!("no portfolio at {url} (404){quote}"),
        )
        .hint("check portfolio_id, and domain if the portfolio is not hosted at hub.portfolio.hypergene.cloud"),
        404 => Finding::plain(
            "probe_not_found",
            Category::Endpoint,
            format!("the probe URL was not found (404){quote}"),
        )
        .hint("check the probe path and the API base URL"),
        405 => Finding::plain(
            "probe_method_not_allowed",
            Category::Endpoint,
            format!("the API does not allow {} on the probe URL (405)", "this method"),
        )
        .hint("use a path that answers GET"),
        429 => {
            let after = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(|v| format!(" (Retry-After: {})", clean(v, 40)))
                .unwrap_or_default();
            Finding::plain(
                "probe_rate_limited",
                Category::Endpoint,
                format!("the API is rate limiting (429){after}"),
            )
            .hint("wait and try again; run fewer tests against it at once")
        }
        500..=599 => Finding::plain(
            "probe_server_error",
            Category::Endpoint,
            format!("the API failed on its side ({status}){quote}"),
        )
        .hint("try again later; if it persists, contact the service"),
        _ => Finding::plain(
            "probe_unexpected_status",
            Category::Endpoint,
            format!("the probe answered {status}{quote}, not what was expected"),
        )
        .hint("set `expect` in the probe table if this status is fine"),
    };
    Outcome {
        status: Some(status),
        url,
        ms,
        detail: format!("{status} {reason}").trim().to_string(),
        failure: Some(f),
        server_error: (!se.is_empty() || se.scope.is_some()).then_some(se),
    }
}

/// A 401 from the API: what the profile sent, and what the server said about it.
fn unauthorized(
    ctx: &Context<'_>,
    challenges: &[server_error::Challenge],
    se: &ServerError,
    url: &str,
    quote: &str,
) -> Finding {
    let p = ctx.profile;
    let portfolios = matches!(p.vendor, Vendor::Hypergene { .. });
    match &p.auth {
        Auth::None => Finding::plain(
            "probe_auth_required",
            Category::Authentication,
            format!("the API requires authentication (401){quote}; the profile sends none"),
        )
        .hint(match challenges.first() {
            Some(c) => format!(
                "the server asks for \"{}\" authentication: add an [auth] table to the profile",
                clean(&c.scheme, 30)
            ),
            None => "add an [auth] table to the profile".to_string(),
        }),
        Auth::Basic { .. } => Finding::plain(
            "probe_basic_rejected",
            Category::Authentication,
            format!("the API rejected the username or password (401){quote}"),
        )
        .hint("check username and password"),
        Auth::ApiKey { name, location, .. } => Finding::plain(
            "probe_api_key_rejected",
            Category::Authentication,
            format!("the API rejected the API key (401){quote}"),
        )
        .hint(format!(
            "check the key, and where it is sent: {} `{name}`",
            if *location == KeyIn::Header {
                "header"
            } else {
                "query parameter"
            }
        )),
        Auth::ClientCredentials(_) | Auth::Password { .. } | Auth::Interactive { .. } => {
            let mut f = Finding::plain(
                "probe_token_rejected",
                Category::Authentication,
                format!("the API answered 401 to a token issued moments ago{quote}"),
            );
            let aud = ctx.claims.map(|c| jwt::strings(c, "aud")).unwrap_or_default();
            if !aud.is_empty() {
                f = f.hint(format!(
                    "the token is for audience {}, which this API at {} does not accept: check scope (the resource), token_params audience, or that token URL and API belong to the same environment",
                    aud.join(", "),
                    Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
                ));
            }
            if se.error.as_deref() == Some("invalid_token") {
                f = f.hint("the API says the token is invalid for it: expired, for another audience or environment, or revoked");
            } else if challenges.iter().all(|c| c.param("error").is_none()) {
                f = f.hint("the API did not see usable credentials: a proxy or redirect in between may strip the Authorization header");
            }
            if portfolios {
                f = f.hint("for Portfolios: the Entra app may lack the API's app role or admin consent, or have no access to this portfolio");
            }
            f
        }
    }
}

/// A 403 from the API: the scope it names or Hypatos needs for the path, and the token's roles.
fn forbidden(ctx: &Context<'_>, se: &ServerError, path: &str, quote: &str) -> Finding {
    let p = ctx.profile;
    let hypatos = matches!(p.vendor, Vendor::Hypatos);
    let portfolios = matches!(p.vendor, Vendor::Hypergene { .. });
    let granted = ctx.granted.unwrap_or(&[]);
    let mut missing: Vec<String> = se
        .scope
        .as_deref()
        .map(|s| {
            s.split_whitespace()
                .filter(|x| !granted.iter().any(|g| g == x))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if missing.is_empty()
        && hypatos
        && let Some(s) = hypatos_scope_for(path)
        && !granted.iter().any(|g| g == s)
    {
        missing.push(s.to_string());
    }
    let mut f = if missing.is_empty() {
        Finding::plain(
            "probe_forbidden",
            Category::Permission,
            format!("the API refused the call (403){quote}: authenticated, but not allowed"),
        )
    } else {
        Finding::plain("probe_scope_missing", Category::Permission, format!("the API refused the call (403): the token lacks the scope {}{quote}", missing.join(" ")))
                .hint(if hypatos {
                    format!("assign {} to the API service account in Hypatos Studio, and request it in `scope` if the profile sets one", missing.join(" "))
                } else {
                    format!("assign {} to this client at the authorization server and request it in scopes", missing.join(" "))
                })
    };
    if let Some(roles) = ctx.claims.map(|c| jwt::strings(c, "roles")) {
        if roles.is_empty() && portfolios {
            f = f.hint("the token carries no roles: the Entra app has no app role on the Portfolios API, or admin consent is missing");
        } else if !roles.is_empty() {
            f = f.hint(format!("the token's roles: {}", roles.join(", ")));
        }
    }
    f
}

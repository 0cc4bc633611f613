//! What a probe's answer means: the outcome of a call; the warnings a passing answer earns
//! (rate limit running low, HTML where JSON was expected); and the verdict on a refusal, first
//! by [`super::rules`] (what the answer says it is), then by its status (401, 403, 400, 404,
//! 405, 5xx) with the profile's vendor and auth in mind.
//!
//! A leaf of [`super`]: it owns [`Outcome`] and [`Context`], so the call loop imports this
//! module and never the other way round.

use url::Url;

use super::rules;
use super::seen::Seen;
use crate::config::{Auth, KeyIn, Probe, Profile, Vendor};
use crate::exit::Category;
use crate::failure::Warning;
use crate::finding::{Finding, clean};
use crate::net::responder::Responder;
use crate::oauth::jwt;
use crate::oauth::server_error::ServerError;

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
    /// What passed but deserves attention: rate limit running low, HTML where JSON was expected.
    pub warnings: Vec<Warning>,
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
        warnings: Vec::new(),
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
    hop: usize,
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
    let seen = Seen::read(status, headers, body, &url, ctx, hop);
    let quota = seen
        .quota
        .as_ref()
        .and_then(|q| q.shown())
        .map(|q| format!(", {q}"))
        .unwrap_or_default();
    let mut warnings = Vec::new();
    if let Some(q) = seen.quota.as_ref().filter(|q| q.low()) {
        warnings.push(Warning::new(
            "rate_limit_low",
            Category::Endpoint,
            format!(
                "the API's rate limit is running low: {} at {} (x-ratelimit-remaining); tests or jobs running at once may be refused",
                q.shown().unwrap_or_default(),
                seen.host()
            ),
        ));
    }
    let signed_in = seen.page.as_ref().is_some_and(|pg| pg.sign_in.is_some());
    if expect_ok && !signed_in {
        if let Some(pg) = &seen.page {
            let words = pg.words().map(|w| format!(" ({w})")).unwrap_or_default();
            warnings.push(Warning::new(
                "probe_html",
                Category::Endpoint,
                format!("the API answered {status} with an HTML page{words} where an API answer was expected: a web page or a gateway may stand in front of the API"),
            ));
        }
        let detail = format!("{reason}, {} bytes{quota}", body.len());
        return Outcome {
            status: Some(status),
            url,
            ms,
            detail: detail.trim_start_matches(", ").to_string(),
            failure: None,
            server_error: None,
            warnings,
        };
    }
    let f = rules::judge(&seen).unwrap_or_else(|| by_status(&seen));
    let se = seen.se.clone();
    Outcome {
        status: Some(status),
        detail: format!("{status} {reason}{quota}").trim().to_string(),
        url,
        ms,
        failure: Some(f),
        server_error: (!se.is_empty() || se.scope.is_some()).then_some(se),
        warnings,
    }
}

/// A refusal no rule recognised, judged by its status.
fn by_status(s: &Seen<'_>) -> Finding {
    let (status, quote) = (s.status, s.quote());
    let portfolios = matches!(s.ctx.profile.vendor, Vendor::Hypergene { .. });
    match status {
        401 => unauthorized(s),
        403 => forbidden(s),
        400 => bad_request(s),
        404 if portfolios => Finding::plain(
            "portfolio_not_found",
            Category::Endpoint,
            format!("no portfolio at {} (404){quote}", s.url),
        )
        .hint("check portfolio_id, and domain if the portfolio is not hosted at hub.portfolio.hypergene.cloud"),
        404 => Finding::plain(
            "probe_not_found",
            Category::Endpoint,
            format!("the probe URL was not found {}{quote}", s.status_by()),
        )
        .hint("check the probe path and the API base URL"),
        405 => {
            let method = match &s.ctx.profile.probe {
                Probe::Request(r) => r.method.as_str(),
                _ => "GET",
            };
            let allows = s
                .headers
                .get(reqwest::header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .map(|v| format!("; it allows {}", clean(v, 100)))
                .unwrap_or_default();
            Finding::plain(
                "probe_method_not_allowed",
                Category::Endpoint,
                format!("the API does not allow {method} on the probe URL (405{allows}){quote}"),
            )
            .hint("use a path that answers GET, or set the probe's method to one the API allows for it")
        }
        500..=599 => match s.who.as_ref().filter(|w| w.in_front()) {
            Some(w) => Finding::plain(
                "probe_server_error",
                Category::Endpoint,
                format!("{} in front of the API got no usable answer from it {}{quote}", w.name(), s.status_by()),
            )
            .hint(format!("the API behind {} is down, slow or misrouted: try again later; if it persists, tell the API's operators", w.name())),
            None => Finding::plain(
                "probe_server_error",
                Category::Endpoint,
                format!("the API failed on its side {}{quote}", s.status_by()),
            )
            .hint("try again later; if it persists, contact the service"),
        },
        _ => Finding::plain(
            "probe_unexpected_status",
            Category::Endpoint,
            format!("the probe answered {status}{quote}, not what was expected"),
        )
        .hint("set `expect` in the probe table if this status is fine"),
    }
}

/// A 400: the probe's own request was refused. A query parameter the server's words name is
/// the profile's to fix when the profile set the probe, conn's when conn chose it.
fn bad_request(s: &Seen<'_>) -> Finding {
    let named = Url::parse(s.url).ok().and_then(|u| {
        u.query_pairs()
            .map(|(k, _)| k.into_owned())
            .find(|k| s.lower.contains(&k.to_ascii_lowercase()))
    });
    match (named, &s.ctx.profile.probe) {
        (Some(k), Probe::Request(_)) => Finding::plain(
            "probe_parameter_rejected",
            Category::Config,
            format!(
                "the API refused the probe's {k} parameter {}{}",
                s.status_by(),
                s.quote()
            ),
        )
        .hint(format!("fix {k} in the profile's probe URL")),
        _ => Finding::plain(
            "probe_bad_request",
            Category::Endpoint,
            format!(
                "the API refused the probe request as malformed {}{}",
                s.status_by(),
                s.quote()
            ),
        )
        .hint("the request conn made is not one this API takes: set probe to a path that answers a plain GET"),
    }
}

/// The `aud`, named for a hint, when the token carries one.
fn audience_hint(s: &Seen<'_>) -> Option<String> {
    let aud = s.ctx.claims.map(|c| jwt::strings(c, "aud")).unwrap_or_default();
    (!aud.is_empty()).then(|| {
        format!(
            "the token is for audience {}, which this API at {} does not accept: check scope (the resource), token_params audience, or that token URL and API belong to the same environment",
            aud.join(", "),
            s.host()
        )
    })
}

/// What an API's description of a rejected bearer token means.
struct TokenWords {
    said: &'static str,
    kind: &'static str,
    what: &'static str,
    hint: &'static str,
}

/// Read in order; the words are Microsoft.IdentityModel's (ASP.NET Core, Entra-protected
/// APIs) and the JWT authorizers' of gateways.
const TOKEN_WORDS: &[TokenWords] = &[
    TokenWords {
        said: "issuer",
        kind: "probe_token_wrong_issuer",
        what: "the API does not accept the token's issuer, so the token is from another tenant or authority",
        hint: "a token from another tenant (or from the other Entra endpoint version, v1 or v2): get the token from the tenant and authority the API trusts (tenant_id, token_url), and match the API's accessTokenAcceptedVersion",
    },
    TokenWords {
        said: "audience",
        kind: "probe_token_wrong_audience",
        what: "the token is for another audience than this API",
        hint: "request the token for this API: its scope (for Entra api://…/.default) or audience, not another app's",
    },
    TokenWords {
        said: "signature",
        kind: "probe_token_signature_invalid",
        what: "the API could not verify the token's signature",
        hint: "the token was issued for another API (a Microsoft Graph token cannot be checked by anyone else) or by another issuer: request it for this API's own scope",
    },
    TokenWords {
        said: "token expired",
        kind: "probe_token_expired",
        what: "the API says the token has expired",
        hint: "a token issued moments ago that is already expired points at the clocks: compare this machine's time with the API's; otherwise get a new token",
    },
];

/// A 401 from the API: what the profile sent, and what the server said about it.
fn unauthorized(s: &Seen<'_>) -> Finding {
    let p = s.ctx.profile;
    let quote = s.quote();
    let challenge = s.challenge_shown().map(|c| format!("the API's challenge: {c}"));
    let schemes: Vec<&str> = s.challenges.iter().map(|c| c.scheme.as_str()).collect();
    if !schemes.is_empty() && schemes.iter().all(|c| matches!(*c, "negotiate" | "ntlm")) {
        return Finding::plain(
            "probe_auth_scheme_unsupported",
            Category::Authentication,
            format!("the API asks for Windows integrated authentication (401){quote}, which conn does not send"),
        )
        .hint(challenge.unwrap_or_default())
        .hint("ask for Basic, API-key or OAuth access to this API, or test it from a machine signed in to its Windows domain");
    }
    let front = s.who.as_ref().filter(|w| w.in_front() && s.page.is_some());
    if let (Some(w), false) = (front, matches!(p.auth, Auth::Basic { .. })) {
        return Finding::plain(
            "probe_gateway_auth_required",
            Category::Authentication,
            format!("{} in front of the API asks for its own credentials (401){quote}; the call did not reach the API", w.name()),
        )
        .hint(format!("{} wants a login of its own (usually Basic) before it passes calls on: ask its owner for one, or for API clients to be let through", w.name()));
    }
    let with_challenge = |f: Finding| match &challenge {
        Some(c) => f.hint(c.clone()),
        None => f,
    };
    match &p.auth {
        Auth::None => with_challenge(
            Finding::plain(
                "probe_auth_required",
                Category::Authentication,
                format!("the API requires authentication (401){quote}; the profile sends none"),
            )
            .hint(match s.challenges.first() {
                Some(c) => format!(
                    "the server asks for \"{}\" authentication: add an [auth] table to the profile",
                    clean(&c.scheme, 30)
                ),
                None => "add an [auth] table to the profile".to_string(),
            }),
        ),
        Auth::Basic { .. } => with_challenge(
            Finding::plain(
                "probe_basic_rejected",
                Category::Authentication,
                format!("the API rejected the username or password (401){quote}"),
            )
            .hint("check username and password"),
        ),
        Auth::ApiKey { name, location, .. } => Finding::plain(
            "probe_api_key_rejected",
            Category::Authentication,
            format!("the API rejected the API key {}{quote}", s.status_by()),
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
            with_challenge(token_rejected(s))
        }
    }
}

/// A 401 to a bearer token conn just obtained.
fn token_rejected(s: &Seen<'_>) -> Finding {
    let quote = s.quote();
    let desc = s.se.description.as_deref().unwrap_or("").to_ascii_lowercase();
    let invalid_token = s.challenge_error() == Some("invalid_token") || s.se.error.as_deref() == Some("invalid_token");
    let words = TOKEN_WORDS.iter().find(|w| desc.contains(w.said));
    let mut f = match words {
        Some(w) => Finding::plain(
            w.kind,
            Category::Authentication,
            format!("{} {}{quote}", w.what, s.status_by()),
        )
        .hint(w.hint),
        None => Finding::plain(
            "probe_token_rejected",
            Category::Authentication,
            format!("the API answered 401 to a token issued moments ago{quote}"),
        ),
    };
    if let Some(h) = audience_hint(s) {
        f = f.hint(h);
    }
    let bare = s.said().is_none() && s.challenges.iter().all(|c| c.param("error").is_none());
    if words.is_none() {
        f = if invalid_token {
            f.hint("the API says the token is invalid for it: expired, for another audience or environment, or revoked")
        } else if bare {
            f.hint("the API did not see usable credentials: a proxy or redirect in between may strip the Authorization header")
        } else {
            let who = s.who.as_ref().map_or("the API", Responder::name);
            f.hint(format!("{who} does not accept this token: check that it is for this API (its audience) and from the issuer the API trusts"))
        };
    }
    if matches!(s.ctx.profile.vendor, Vendor::Hypergene { .. }) {
        f = f.hint("for Portfolios: the Entra app may lack the API's app role or admin consent, or have no access to this portfolio");
    }
    f
}

/// A 403 from the API: the scope Hypatos needs for the path, the token's roles, and whom to
/// ask when the API says nothing more.
fn forbidden(s: &Seen<'_>) -> Finding {
    let (ctx, quote) = (s.ctx, s.quote());
    let p = ctx.profile;
    let hypatos = matches!(p.vendor, Vendor::Hypatos);
    let portfolios = matches!(p.vendor, Vendor::Hypergene { .. });
    let granted = ctx.granted.unwrap_or(&[]);
    if let Auth::ApiKey { name, .. } = &p.auth
        && (s.said().as_deref() == Some("Forbidden")
            || s.says(&["invalid authentication credentials", "invalid api key"]))
    {
        return Finding::plain(
            "probe_api_key_rejected",
            Category::Authentication,
            format!("the API refused the API key {}{quote}", s.status_by()),
        )
        .hint(format!("check the key sent as `{name}`: gateways answer a missing or invalid key with a bare 403 (AWS API Gateway also when the key is in no usage plan of this stage)"));
    }
    let missing = hypatos_scope_for(&s.path).filter(|sc| hypatos && !granted.iter().any(|g| g == sc));
    let mut f = match missing {
        Some(m) => Finding::plain(
            "probe_scope_missing",
            Category::Permission,
            format!("the API refused the call (403): the token lacks the scope {m}{quote}"),
        )
        .hint(format!(
            "assign {m} to the API service account in Hypatos Studio, and request it in `scope` if the profile sets one"
        )),
        None => {
            let front = s.who.as_ref().filter(|w| w.in_front() && s.page.is_some());
            let what = match front {
                Some(w) => format!(
                    "{} in front of the API refused the call {}{quote}: it stopped there, before the API's own checks",
                    w.name(),
                    s.status_by()
                ),
                None => format!(
                    "the API refused the call {}{quote}: authenticated, but not allowed",
                    s.status_by()
                ),
            };
            Finding::plain("probe_forbidden", Category::Permission, what).hint(whom_to_ask(s))
        }
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

/// Which role or scope to check, at whom, for a 403 that says no more.
fn whom_to_ask(s: &Seen<'_>) -> String {
    let p = s.ctx.profile;
    if let Some(w) = s.who.as_ref().filter(|w| w.in_front()) {
        return format!(
            "{}'s own rules refused it before the API saw it: ask whoever runs it to allow this caller on {}",
            w.name(),
            s.path
        );
    }
    match &p.auth {
        Auth::Basic { .. } => format!(
            "the account is known but lacks a role for {}: ask the API's administrators which role it needs",
            s.path
        ),
        Auth::ApiKey { .. } => format!(
            "the key is known but not allowed on {}: check its permissions or plan at the API",
            s.path
        ),
        Auth::None => "the API allows this path only to some callers: add credentials that have access".to_string(),
        _ => {
            let at = p.auth.oauth().and_then(|o| o.token_url.host_str().map(str::to_string));
            format!(
                "ask the API's owners which role or scope {} needs, and check that this client has it{}",
                s.path,
                at.map(|h| format!(" at the authorization server ({h})"))
                    .unwrap_or_default()
            )
        }
    }
}

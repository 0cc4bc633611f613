//! Why a token request was refused: the server's answer matched against the rule tables of
//! [`crate::failure::oauth`]; and [`read`], the one way an HTTP answer of a token endpoint
//! becomes a token or a failure.
//!
//! The decision reads what the server says most precisely first: Entra's AADSTS code (only to
//! pick the hint, per Microsoft's advice), another vendor's own code (Okta's `E0000…`), a
//! throttling status or an exhausted quota, the server's words (when they contradict its
//! `error`), the RFC 6749 §5.2 `error`, then the bare HTTP status (Hypatos's `{title, detail}`
//! quoted). Whatever the rule, the server's own words are quoted.

use reqwest::header::HeaderMap;

use crate::config::auth_kind::Grant as AuthGrant;
use crate::config::{Auth, Vendor};
use crate::failure::Failure;
use crate::failure::oauth::{self, Facts, Grant, Refusal, Said, Throttle};
use crate::net::body::Body;
use crate::oauth::server_error::{ServerError, entra_message};
use crate::oauth::token::{Answer, Token, answer};

pub use crate::failure::oauth::guid_hint;

/// What the diagnosis needs to know about the request.
pub struct Context<'a> {
    /// Vendor facts.
    pub vendor: &'a Vendor,
    /// The auth kind.
    pub auth: &'a Auth,
    /// Scopes requested.
    pub scopes: &'a [String],
    /// The secret looks like a GUID (an Entra secret *ID* rather than its value).
    pub secret_is_guid: bool,
    /// The token URL as shown.
    pub token_url: &'a str,
}

impl Context<'_> {
    /// The facts the rules read.
    pub fn facts(&self) -> Facts {
        Facts {
            hypatos: matches!(self.vendor, Vendor::Hypatos),
            grant: match self.auth.auth_kind().grant() {
                AuthGrant::Password => Grant::Password,
                AuthGrant::AuthorizationCode => Grant::SignIn,
                AuthGrant::ClientCredentials | AuthGrant::NoToken => Grant::ClientCredentials,
            },
            scopes: self.scopes.to_vec(),
            secret_is_guid: self.secret_is_guid,
            token_url: self.token_url.to_string(),
        }
    }
}

/// An HTTP answer of a token endpoint (status, headers, body) and what was asked → the token,
/// or the failure that explains why there is none. No I/O: what `conn` does with every token
/// answer, callable on a captured one.
pub fn read(status: u16, headers: &HeaderMap, body: &Body, facts: &Facts) -> Result<Token, Failure> {
    settle(answer::of_http(status, headers, body), facts)
}

/// An answer already read → the token, or the failure.
pub fn settle(a: Answer, facts: &Facts) -> Result<Token, Failure> {
    match a {
        Answer::Token(t) => Ok(t),
        Answer::Transport(f) => Err(f),
        Answer::Refused {
            error,
            finding,
            throttle,
            ..
        } => Err(refusal(&error, finding, &throttle, facts)),
    }
}

/// A refused answer → its failure: the finding the answer alone explains, else the rules.
pub fn refusal(error: &ServerError, finding: Option<Failure>, throttle: &Throttle, facts: &Facts) -> Failure {
    finding.unwrap_or_else(|| explain_facts(error, throttle, facts))
}

/// Explain a refused token request.
pub fn explain(e: &ServerError, ctx: &Context<'_>) -> Failure {
    explain_facts(e, &Throttle::default(), &ctx.facts())
}

/// Explain a refused request from the facts the rules need.
pub fn explain_facts(e: &ServerError, throttle: &Throttle, facts: &Facts) -> Failure {
    let codes = match e.aadsts() {
        Some(c) if e.error_codes.is_empty() => vec![c],
        _ => e.error_codes.clone(),
    };
    let entra = oauth::entra_rule(&codes, e.error.as_deref());
    let vendor = e
        .vendor_code
        .as_deref()
        .and_then(|c| oauth::vendor_rule(c).map(|r| (c.to_string(), r)));
    let (id, keyed) = match (entra, vendor) {
        (Some((c, r)), _) => (Some(format!("AADSTS{c}")), Some(r)),
        (None, Some((c, r))) => (Some(c), Some(r)),
        (None, None) => (None, None),
    };
    let rule = keyed
        .or_else(|| oauth::throttle_rule(e.status, throttle))
        .or_else(|| e.description.as_deref().and_then(oauth::words_rule))
        .or_else(|| e.error.as_deref().map(|code| oauth::rfc6749_rule(code, facts.grant)))
        .unwrap_or_else(|| oauth::status_rule(e.status, facts.hypatos));
    let said = Said {
        status: e.status,
        code: e.error.clone(),
        quote: quote(e, entra.is_some(), keyed.is_some()),
        id,
        throttle: throttle.clone(),
    };
    Failure::OAuth(Box::new(Refusal::new(rule, said, facts)))
}

/// The server's words as quoted: Entra's message without its code (the summary names it),
/// otherwise `error: description`, with the vendor's own code in front when no rule names it.
fn quote(e: &ServerError, entra: bool, keyed: bool) -> Option<String> {
    if entra && let Some(d) = &e.description {
        return Some(strip_aadsts(d));
    }
    let q = e.quote();
    match (e.vendor_code.as_ref().filter(|_| !keyed), q) {
        (Some(c), Some(q)) if !q.contains(c.as_str()) => Some(format!("{c}: {q}")),
        (Some(c), None) => Some(c.clone()),
        (_, q) => q,
    }
}

/// `AADSTS7000215: Invalid client secret provided. … Trace ID: …` → `Invalid client secret provided. …`
fn strip_aadsts(d: &str) -> String {
    let d = entra_message(d);
    let d = match d.strip_prefix("AADSTS") {
        Some(rest) => rest
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches(':')
            .trim(),
        None => d,
    };
    crate::finding::clean(d, 200)
}

#[cfg(test)]
mod tests;

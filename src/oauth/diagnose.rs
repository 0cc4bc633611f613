//! Why a token request was refused: the server's answer matched against the rule tables of
//! [`crate::failure::oauth`].
//!
//! The decision keys off what the server documents: Entra's AADSTS code (only to pick the
//! hint, per Microsoft's advice), then the RFC 6749 §5.2 `error`, then Hypatos's
//! `{title, detail}` (quoted), then the bare HTTP status.

use crate::config::{Auth, Vendor};
use crate::failure::Failure;
use crate::failure::oauth::{self, Facts, Refusal};
use crate::oauth::server_error::{ServerError, entra_message};

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
    fn facts(&self) -> Facts {
        Facts {
            hypatos: matches!(self.vendor, Vendor::Hypatos),
            password: matches!(self.auth, Auth::Password { .. }),
            scopes: self.scopes.to_vec(),
            secret_is_guid: self.secret_is_guid,
            token_url: self.token_url.to_string(),
        }
    }
}

/// Explain a refused token request.
pub fn explain(e: &ServerError, ctx: &Context<'_>) -> Failure {
    explain_facts(e, &ctx.facts())
}

/// Explain a refused request from the facts the rules need.
pub fn explain_facts(e: &ServerError, facts: &Facts) -> Failure {
    let entra = e.aadsts().and_then(oauth::entra_rule);
    let quote = match (entra, &e.description) {
        // Entra: the summary already names the code; quote the message after it.
        (Some(_), Some(d)) => Some(strip_aadsts(d)),
        _ => e.quote(),
    };
    let rule = entra
        .or_else(|| e.error.as_deref().map(|code| oauth::rfc6749_rule(code, facts.password)))
        .unwrap_or_else(|| oauth::status_rule(e.status, facts.hypatos));
    Failure::OAuth(Box::new(Refusal::new(rule, e.status, e.error.clone(), quote, facts)))
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

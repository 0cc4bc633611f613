//! The refresh of a stored login (RFC 6749 §6): one exchange at the profile's token
//! endpoint with the stored refresh token, giving the entry to store next.

use std::time::Duration;

use super::entry::{Origin, entry};
use crate::clock::now_secs;
use crate::config::Profile;
use crate::creds::Resolved;
use crate::exit::Category;
use crate::finding::Finding;
use crate::login::{endpoints, insecure, parts, token_or_finding};
use crate::oauth::token::{self, Answer, Grant};
use crate::secret::Secret;
use crate::store::Entry;

/// Refresh a stored login (RFC 6749 §6). The new entry keeps the old refresh token when
/// the provider does not rotate it. A refused refresh token means a new login is needed.
pub async fn refresh(
    http: &reqwest::Client,
    p: &Profile,
    creds: &Resolved,
    old: &Entry,
    timeout: Duration,
    trace: &(dyn Fn(String) + Sync),
) -> Result<(Entry, bool), Finding> {
    let (c, _) =
        parts(p).ok_or_else(|| Finding::plain("not_interactive", Category::Config, "not an interactive profile"))?;
    let relogin = format!("run: conn login {}", p.display_name());
    let rt = old
        .refresh_token
        .as_ref()
        .map(|r| Secret::new(r.clone()))
        .ok_or_else(|| {
            Finding::plain(
                "login_expired",
                Category::Interactive,
                "the stored login has expired and cannot be refreshed (no refresh token)",
            )
            .hint(relogin.clone())
        })?;
    // The profile's token endpoint (or the one its issuer's discovery names), never the URL
    // the stored entry records: the store may hold an entry someone else planted.
    let token_url = endpoints(http, p, timeout).await?.token;
    if let Some(f) = insecure(&token_url, p) {
        return Err(f);
    }
    let client_id = creds.client_id.clone().unwrap_or_default();
    let req = token::Request {
        url: &token_url,
        client_id: &client_id,
        client_secret: creds.client_secret.as_ref(),
        assertion: creds.assertion.as_ref(),
        method: c.client_auth,
        grant: Grant::Refresh(&rt),
        scopes: &[],
        params: &c.token_params,
        timeout,
    };
    let ex = token::exchange(http, &req, trace).await;
    if let Answer::Refused { error, .. } = &ex.answer
        && error.error.as_deref() == Some("invalid_grant")
    {
        let q = error.quote().map(|q| format!(" ({q})")).unwrap_or_default();
        return Err(Finding::plain(
            "login_invalid",
            Category::Interactive,
            format!("the stored login is no longer valid{q}: sign in again"),
        )
        .hint(relogin));
    }
    let t = token_or_finding(ex, p, c, creds)?;
    let rotated = t.refresh_token.is_some();
    let origin = Origin {
        received_at: now_secs(),
        credentials: old.credentials.clone(),
        token_url: Some(token_url.to_string()),
        id_claims: old.id_claims.clone(),
    };
    let mut e = entry(p, &t, origin);
    if e.refresh_token.is_none() {
        e.refresh_token = old.refresh_token.clone();
    }
    Ok((e, rotated))
}

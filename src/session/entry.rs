//! Token ↔ stored entry: the one place that turns a token the server issued into the entry
//! the store keeps, and a stored entry back into a token to send.

use serde_json::{Map, Value};

use crate::config::Profile;
use crate::oauth::token::Token;
use crate::secret::Secret;
use crate::store::Entry;

/// What is recorded with a token besides the token itself.
pub struct Origin {
    /// When it arrived, seconds since the epoch.
    pub received_at: i64,
    /// Fingerprint of the credentials it was obtained with.
    pub credentials: String,
    /// The token endpoint it came from.
    pub token_url: Option<String>,
    /// Claims of the verified ID token (interactive logins).
    pub id_claims: Option<Map<String, Value>>,
}

/// The entry of a token; its expiry is unknown (`None`) when the answer gave no lifetime.
pub fn entry(p: &Profile, t: &Token, o: Origin) -> Entry {
    let expires_at = crate::expiry::of_token(t.expires_in, t.access_token.expose(), o.received_at);
    Entry {
        version: 1,
        profile: p.display_name(),
        access_token: t.access_token.expose().to_string(),
        token_type: t.token_type.clone(),
        expires_at,
        scope: t.scope.clone(),
        refresh_token: t.refresh_token.as_ref().map(|r| r.expose().to_string()),
        obtained_at: o.received_at,
        credentials: o.credentials,
        token_url: o.token_url,
        id_claims: o.id_claims,
    }
}

/// The entry to store for a token just obtained (client credentials, password), or `None`
/// when its lifetime is unknown (neither `expires_in` nor a JWT `exp`): such a token is not
/// reused.
pub fn storable(p: &Profile, t: &Token, received_at: i64, credentials: String) -> Option<Entry> {
    let e = entry(
        p,
        t,
        Origin {
            received_at,
            credentials,
            token_url: p.auth.oauth().map(|c| c.token_url.to_string()),
            id_claims: None,
        },
    );
    e.expires_at.is_some().then_some(e)
}

/// An entry for a token of unknown lifetime, to print once and never store: it records
/// neither credentials nor endpoint.
pub fn unstored(p: &Profile, t: &Token, received_at: i64) -> Entry {
    let mut e = entry(
        p,
        t,
        Origin {
            received_at,
            credentials: String::new(),
            token_url: None,
            id_claims: None,
        },
    );
    e.expires_at = None;
    e.refresh_token = None;
    e
}

/// The token a stored entry holds, as seen at `now` (its lifetime is what is left of it).
pub fn token(e: &Entry, now: i64) -> Token {
    Token {
        access_token: Secret::new(e.access_token.clone()),
        token_type: e.token_type.clone(),
        expires_in: e.ttl(now).map(|t| t.max(0) as u64),
        scope: e.scope.clone(),
        refresh_token: None,
        id_token: None,
        remarks: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn profile() -> Profile {
        let text = "[profiles.p]\ntype = \"rest\"\nbase_url = \"https://api.example\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"https://idp.example/token\"\nclient_id = \"id\"\nclient_secret = \"a-long-enough-secret\"\n";
        crate::config::Config::from_text(Path::new("p.toml"), text.into())
            .and_then(|c| c.select("p", None))
            .map_err(|_| "profile")
            .unwrap()
    }

    fn token(expires_in: Option<u64>, refresh: Option<&str>) -> Token {
        Token {
            access_token: Secret::new("opaque-access-token".to_string()),
            token_type: "Bearer".into(),
            expires_in,
            scope: Some(vec!["read".into()]),
            refresh_token: refresh.map(|r| Secret::new(r.to_string())),
            id_token: None,
            remarks: Vec::new(),
        }
    }

    const T: i64 = 1_800_000_000;

    #[test]
    fn a_token_of_unknown_lifetime_is_not_stored() {
        let p = profile();
        assert!(storable(&p, &token(None, None), T, "fp".into()).is_none());
        let e = unstored(&p, &token(None, Some("r")), T);
        assert_eq!(
            (e.expires_at, e.refresh_token, e.credentials.as_str()),
            (None, None, "")
        );
    }

    #[test]
    fn entry_and_token_round_trip() {
        let p = profile();
        let e = storable(&p, &token(Some(3600), Some("r")), T, "fp".into()).unwrap();
        assert_eq!(e.expires_at, Some(T + 3600));
        assert_eq!(e.token_url.as_deref(), Some("https://idp.example/token"));
        assert_eq!((e.profile.as_str(), e.credentials.as_str()), ("p", "fp"));
        assert_eq!(e.refresh_token.as_deref(), Some("r"));
        let t = super::token(&e, T + 600);
        assert_eq!(t.access_token.expose(), "opaque-access-token");
        assert_eq!((t.expires_in, t.scope), (Some(3000), Some(vec!["read".to_string()])));
        // What is left of an expired one is nothing, never negative.
        assert_eq!(super::token(&e, T + 7200).expires_in, Some(0));
    }
}

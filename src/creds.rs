//! A profile's credentials, resolved from their sources when a command needs them; the
//! certificates, keys and assertions of clients without a secret (`cert`, `key`, `pkcs12`,
//! `assertion`, read in `secretless`).

pub mod assertion;
pub mod cert;
pub mod key;
pub mod pkcs12;
mod secretless;

pub use self::secretless::problems as assertion_problems;

use sha2::{Digest, Sha256};

pub use self::assertion::ClientAssertion;

use crate::config::{Auth, Profile};
use crate::exit::Category;
use crate::finding::Finding;
use crate::secret::{self, Secret, Source};

/// Resolved credentials of a profile.
pub struct Resolved {
    /// Client id.
    pub client_id: Option<String>,
    /// Client secret.
    pub client_secret: Option<Secret>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<Secret>,
    /// API key.
    pub key: Option<Secret>,
    /// The assertion of a client without a secret.
    pub assertion: Option<ClientAssertion>,
    /// Warnings for secrets too short to be masked, not yet shown.
    short: Vec<String>,
}

/// The warning that a secret is too short to be masked in the output, naming where it
/// comes from (never the value). Masking one to three characters everywhere would garble
/// every report, so conn does not try.
fn short_warning(p: &Profile, what: &str, src: &Source, s: &Secret) -> Option<String> {
    if !crate::redact::too_short(s.expose()) {
        return None;
    }
    let from = match src {
        Source::Literal(_) => "written in the profiles file".to_string(),
        other => format!("from {}", other.describe()),
    };
    Some(format!(
        "{}: the {what} ({from}) is too short to be masked: conn masks secrets of {} characters or more, so this one may show in its output",
        crate::finding::clean(&p.display_name(), 200),
        crate::redact::MIN_CHARS
    ))
}

/// Resolve every secret the profile needs (runs secret commands), and warn about any too
/// short to be masked.
pub fn resolve(p: &Profile) -> Result<Resolved, Finding> {
    let r = resolve_quietly(p)?;
    r.warn_short();
    Ok(r)
}

/// [`resolve`] without the warnings, for a command that may not use the secrets (a
/// stored token printed as it is): it calls [`Resolved::warn_short`] before it does.
pub fn resolve_quietly(p: &Profile) -> Result<Resolved, Finding> {
    let err = |what: &str, e: secret::ResolveError| {
        Finding::plain(
            "secret_unavailable",
            Category::Config,
            format!("cannot get the {what}: {e}"),
        )
        .hint("set the variable, create the file or fix the command named, then run again")
    };
    let mut short = Vec::new();
    let mut get = |what: &str, src: &Source| {
        let s = src.resolve().map_err(|e| err(what, e))?;
        short.extend(short_warning(p, what, src, &s));
        Ok::<_, Finding>(s)
    };
    let mut r = Resolved {
        client_id: None,
        client_secret: None,
        username: None,
        password: None,
        key: None,
        assertion: None,
        short: Vec::new(),
    };
    if let Some(c) = p.auth.oauth() {
        let id = c.client_id.resolve_plain().map_err(|e| err("client_id", e))?;
        if let Some(s) = &c.client_secret {
            r.client_secret = Some(get("client_secret", s)?);
        }
        if let Some(a) = &c.assertion {
            r.assertion = Some(secretless::resolve(a, &id)?);
        }
        r.client_id = Some(id);
    }
    match &p.auth {
        Auth::Basic { username, password } | Auth::Password { username, password, .. } => {
            r.username = Some(username.resolve_plain().map_err(|e| err("username", e))?);
            r.password = Some(get("password", password)?);
        }
        Auth::ApiKey { key, .. } => r.key = Some(get("API key", key)?),
        Auth::None | Auth::ClientCredentials(_) | Auth::Interactive { .. } => {}
    }
    r.short = short;
    Ok(r)
}

impl Resolved {
    /// Show the warnings for secrets too short to be masked (once).
    pub fn warn_short(&self) {
        for w in &self.short {
            crate::term::warn(w);
        }
    }

    /// Fingerprint of these credentials, recorded with a stored token.
    pub fn fingerprint(&self) -> String {
        let assertion = self.assertion.as_ref().map(ClientAssertion::identity);
        let mut parts = vec![
            self.client_id.as_deref(),
            self.client_secret.as_ref().map(Secret::expose),
            self.username.as_deref(),
            self.password.as_ref().map(Secret::expose),
        ];
        // Without an assertion the fingerprint is what it always was.
        if assertion.is_some() {
            parts.push(assertion.as_deref());
        }
        credentials_fingerprint(&parts)
    }
}

/// Fingerprint of resolved credentials (client id, secret, user, password): recorded in the
/// entry, compared before reuse. Holds nothing that could recover them.
pub fn credentials_fingerprint(parts: &[Option<&str>]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        let s = p.unwrap_or("\u{0}none");
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    let hex: String = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_inputs() {
        assert_ne!(
            credentials_fingerprint(&[Some("ab"), Some("c")]),
            credentials_fingerprint(&[Some("a"), Some("bc")])
        );
        assert_ne!(credentials_fingerprint(&[None]), credentials_fingerprint(&[Some("")]));
    }
}

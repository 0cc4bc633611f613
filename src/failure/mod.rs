//! Failures as typed data: what went wrong, with the facts that matter, and the words for it.
//!
//! Every failure a test finds is a [`Failure`]: a kind with fields. Each kind knows its
//! [`Category`] (which fixes the exit code), a stable [`kind`](Failure::kind) string that
//! machines can branch on (`dns_not_found`, `entra_invalid_client_secret`, …), a one-line
//! [`summary`](Failure::summary) and its [`hints`](Failure::hints). The words live next to the
//! kind, in this module's files, and nowhere else. Findings travel in the report; they are
//! never errors.
//!
//! A new diagnosis is one variant (or, for a server's error code, one table row in
//! [`oauth`]) plus one test row.

pub mod net;
pub mod oauth;
pub mod tls;
pub mod warning;

use crate::exit::Category;

pub use net::NetFailure;
pub use oauth::Refusal;
pub use tls::{Presented, TlsFailure, TlsProblem};
pub use warning::Warning;

/// What went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Below HTTP: DNS, connect, a stalled or broken connection.
    Net(NetFailure),
    /// The TLS handshake or the certificate.
    Tls(TlsFailure),
    /// A token (or discovery) request the server refused in words it documents.
    OAuth(Box<Refusal>),
    /// A failure whose words are fixed where it is found (config, login, probe statuses).
    Plain(Plain),
    /// Another failure, with what the server presented during a failed handshake.
    Presented {
        /// The failure.
        inner: Box<Failure>,
        /// The presented certificate.
        cert: Presented,
    },
    /// The server rejected the client with the configured `client_auth`, and accepts another.
    ClientAuthMismatch {
        /// The failure as the configured method saw it.
        inner: Box<Failure>,
        /// The configured `client_auth`.
        configured: &'static str,
        /// The `client_auth` that works.
        works: &'static str,
    },
    /// Another failure with hints from its context, after its own.
    Hinted {
        /// The failure.
        inner: Box<Failure>,
        /// The extra hints.
        hints: Vec<String>,
    },
}

/// A failure described where it is found: a stable kind, a category and fixed words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plain {
    /// Stable snake_case name.
    pub kind: &'static str,
    /// The category.
    pub category: Category,
    /// One line for people.
    pub summary: String,
    /// What to change.
    pub hints: Vec<String>,
}

impl Failure {
    /// A failure with fixed words and a stable kind.
    pub fn plain(kind: &'static str, category: Category, summary: impl Into<String>) -> Failure {
        Failure::Plain(Plain {
            kind,
            category,
            summary: summary.into(),
            hints: Vec::new(),
        })
    }

    /// A failure of conn itself (a bug, a task that stopped): kind `internal`, category
    /// [`Category::Internal`] (exit 70).
    pub fn internal(what: &str) -> Failure {
        Failure::plain("internal", Category::Internal, format!("internal error: {what}"))
    }

    /// Add a hint after the failure's own.
    pub fn hint(self, h: impl Into<String>) -> Failure {
        match self {
            Failure::Plain(mut p) => {
                p.hints.push(h.into());
                Failure::Plain(p)
            }
            Failure::Hinted { inner, mut hints } => {
                hints.push(h.into());
                Failure::Hinted { inner, hints }
            }
            other => Failure::Hinted {
                inner: Box::new(other),
                hints: vec![h.into()],
            },
        }
    }

    /// Give a plain failure its stable kind.
    pub fn kind_of(self, kind: &'static str) -> Failure {
        match self {
            Failure::Plain(p) => Failure::Plain(Plain { kind, ..p }),
            other => other,
        }
    }

    /// The failure under the context wrappers.
    pub fn root(&self) -> &Failure {
        match self {
            Failure::Presented { inner, .. }
            | Failure::ClientAuthMismatch { inner, .. }
            | Failure::Hinted { inner, .. } => inner.root(),
            other => other,
        }
    }

    /// Stable snake_case name of the kind, for machines.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Net(n) => n.kind(),
            Failure::Tls(t) => t.problem.kind(),
            Failure::OAuth(r) => r.kind(),
            Failure::Plain(p) => p.kind,
            Failure::ClientAuthMismatch { .. } => "client_auth_mismatch",
            Failure::Presented { inner, .. } | Failure::Hinted { inner, .. } => inner.kind(),
        }
    }

    /// The category, which fixes the exit code.
    pub fn category(&self) -> Category {
        match self {
            Failure::Net(n) => n.category(),
            Failure::Tls(t) => t.problem.category(),
            Failure::OAuth(r) => r.category(),
            Failure::Plain(p) => p.category,
            Failure::ClientAuthMismatch { .. } => Category::Authentication,
            Failure::Presented { inner, .. } | Failure::Hinted { inner, .. } => inner.category(),
        }
    }

    /// One line for people.
    pub fn summary(&self) -> String {
        match self {
            Failure::Net(n) => n.summary(),
            Failure::Tls(t) => t.summary(),
            Failure::OAuth(r) => r.summary(),
            Failure::Plain(p) => p.summary.clone(),
            Failure::Presented { inner, cert } => format!("{}{}", inner.summary(), cert.suffix()),
            Failure::ClientAuthMismatch { inner, works, .. } => format!(
                "{}; the server accepts the same credentials with client_auth = \"{works}\"",
                inner.summary()
            ),
            Failure::Hinted { inner, .. } => inner.summary(),
        }
    }

    /// What to change, most useful first.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Failure::Net(n) => n.hints(),
            Failure::Tls(t) => t.hints(),
            Failure::OAuth(r) => r.hints(),
            Failure::Plain(p) => p.hints.clone(),
            Failure::Presented { inner, cert } => {
                let mut h = inner.hints();
                let untrusted = matches!(inner.root(), Failure::Tls(t) if t.problem == TlsProblem::UnknownIssuer);
                if untrusted && cert.self_signed {
                    h.push(format!("{} presents a self-signed certificate", cert.host));
                }
                h
            }
            Failure::ClientAuthMismatch {
                inner,
                configured,
                works,
            } => {
                let mut h = vec![format!(
                    "the server rejects client_auth = \"{configured}\" but accepts \"{works}\": set client_auth = \"{works}\" in the profile"
                )];
                h.extend(inner.hints());
                h
            }
            Failure::Hinted { inner, hints } => {
                let mut h = inner.hints();
                h.extend(hints.iter().cloned());
                h
            }
        }
    }

    /// Whether trying the same request again may help: a connection that was refused,
    /// dropped or not answered, not a name that does not resolve or a server that stalls.
    pub fn is_transient(&self) -> bool {
        matches!(self.root(), Failure::Net(n) if n.is_transient())
    }
}

impl From<NetFailure> for Failure {
    fn from(n: NetFailure) -> Failure {
        Failure::Net(n)
    }
}

impl From<TlsFailure> for Failure {
    fn from(t: TlsFailure) -> Failure {
        Failure::Tls(t)
    }
}

/// For table tests: `f` has this kind, category and summary, and exactly as many hints, each
/// containing its fragment.
#[cfg(test)]
pub fn expect(f: &Failure, kind: &str, category: Category, summary: &str, hints: &[&str]) {
    assert_eq!(
        (f.kind(), f.category(), f.summary().as_str()),
        (kind, category, summary)
    );
    let h = f.hints();
    assert_eq!(h.len(), hints.len(), "{kind}: {h:?}");
    for (h, want) in h.iter().zip(hints) {
        assert!(h.contains(want), "{kind}: {h:?} lacks {want:?}");
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn context_wrappers_keep_the_kind_and_lead_with_their_hints() {
        let base = Failure::plain("token_unauthorized", Category::Endpoint, "refused").hint("own");
        let f = Failure::ClientAuthMismatch {
            inner: Box::new(base.hint("more")),
            configured: "basic",
            works: "post",
        };
        assert_eq!(f.kind(), "client_auth_mismatch");
        assert_eq!(f.category(), Category::Authentication);
        assert_eq!(
            f.summary(),
            "refused; the server accepts the same credentials with client_auth = \"post\""
        );
        let h = f.hints();
        assert!(h[0].starts_with("the server rejects client_auth = \"basic\""), "{h:?}");
        assert_eq!(h[1..], ["own", "more"]);
    }

    #[test]
    fn only_connection_failures_are_retried() {
        let refused: Failure = NetFailure::Refused {
            addr: "a:1".into(),
            via_proxy: false,
        }
        .into();
        assert!(refused.is_transient());
        assert!(refused.hint("x").is_transient());
        let dns: Failure = NetFailure::Dns {
            host: "a".into(),
            via_proxy: false,
            resolver_down: true,
        }
        .into();
        assert!(!dns.is_transient());
        let slow: Failure = NetFailure::Stalled {
            what: "a".into(),
            after: Duration::from_secs(1),
            flag: true,
        }
        .into();
        assert!(!slow.is_transient());
        assert!(!Failure::plain("x", Category::Network, "x").is_transient());
    }
}

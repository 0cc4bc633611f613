//! One owner for a profile's stored token over its life: the stored entry read without a
//! lock while it is good (the fast path of `conn token`), and otherwise
//! `lock → re-read → reuse, or refresh / obtain → write`, so that many processes started at
//! once share one token request and a rotated refresh token is never used twice. Used by
//! `conn token`, `conn test` (its refresh step, and the token a passing test keeps),
//! `conn login` (storing a sign-in) and `conn logout` (forgetting).
//!
//! Token ↔ entry conversions live in [`entry`], the refresh exchange in [`refresh`]; the
//! files themselves are [`crate::store`]'s.

pub mod entry;
mod refresh;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::now_secs;
use crate::config::{Auth, Profile};
use crate::creds::Resolved;
use crate::exit::Category;
use crate::finding::Finding;
use crate::login::SignedIn;
use crate::oauth::obtain;
use crate::oauth::token::Token;
use crate::store::{self, Entry, Lock, Store, StoreError};

/// Which stored token will do.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// The stored one while it stays valid at least this many seconds, else a new one.
    ValidFor(i64),
    /// A new one, whatever is stored (`conn token --no-cache` of a stored login).
    New,
    /// The refresh exercised (`conn test`): refreshed when the stored login has a refresh
    /// token, else the stored token as it is.
    Refreshed,
}

impl Want {
    /// Whether `e` serves as it is.
    pub fn accepts(self, e: &Entry) -> bool {
        match self {
            Want::ValidFor(min) => e.valid_for(now_secs(), min),
            Want::New | Want::Refreshed => false,
        }
    }
}

/// How to reach the token endpoint.
pub struct Channel<'a> {
    /// The HTTP client of the profile.
    pub http: &'a reqwest::Client,
    /// Timeout of one exchange.
    pub timeout: Duration,
    /// Retry a token request where safe for this long (counted once the lock is held).
    pub retry_for: Option<Duration>,
    /// Where `--verbose` lines go.
    pub trace: &'a (dyn Fn(String) + Sync),
}

/// How a token came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Stored, and still good (another process may have renewed it meanwhile).
    Reused,
    /// A stored login without a refresh token, used as it is.
    Unrefreshable,
    /// A stored login refreshed.
    Refreshed {
        /// The provider sent a new refresh token (stored in place of the old one).
        rotated: bool,
    },
    /// A new token requested with the profile's grant.
    Obtained,
}

/// A token to use.
#[derive(Debug)]
pub struct Renewed {
    /// It, as stored (or as it would be).
    pub entry: Entry,
    /// Where it came from.
    pub how: How,
    /// Why a new token could not be stored, when it could not.
    pub unsaved: Option<StoreError>,
}

/// Why there is no token.
#[derive(Debug)]
pub enum Failed {
    /// The entry's lock could not be had (refreshing and signing in need it).
    Lock(StoreError),
    /// No stored login, or it went while this process waited.
    NoLogin,
    /// The server (or the profile) gave no token; a refused refresh token also removed the
    /// stored login.
    Token(Finding),
    /// A sign-in could not be stored.
    Write(StoreError),
}

/// A profile's entry in the store (or, without a store, a token nothing keeps).
pub struct Session<'a> {
    store: Option<Arc<Store>>,
    p: &'a Profile,
    creds: &'a Resolved,
    key: String,
    fingerprint: String,
}

impl<'a> Session<'a> {
    /// The session of `p` with these credentials.
    pub fn new(store: Option<Arc<Store>>, p: &'a Profile, creds: &'a Resolved) -> Self {
        Session {
            store,
            p,
            creds,
            key: store::key(p),
            fingerprint: creds.fingerprint(),
        }
    }

    /// The stored entry, when it belongs to this profile and these credentials. No lock:
    /// entries are replaced whole, so a reader never sees half of one.
    pub fn stored(&self) -> Option<Entry> {
        self.store
            .as_ref()?
            .read_for(&self.key, self.p, Some(&self.fingerprint))
    }

    /// The entry's lock, waited on for up to `wait` off the async threads; `None` without a
    /// store.
    async fn lock(&self, wait: Duration) -> Result<Option<Lock>, StoreError> {
        let Some(s) = self.store.clone() else {
            return Ok(None);
        };
        let key = self.key.clone();
        tokio::task::spawn_blocking(move || s.lock(&key, wait))
            .await
            .map_err(|_| StoreError("locking the token store failed".into()))?
            .map(Some)
    }

    /// A token as `want` says: under the entry's lock, the entry read again (another process
    /// may have renewed it while this one waited), then reused, refreshed (a stored login)
    /// or obtained (the profile's grant), and a new one written before it is used.
    /// Obtaining goes on without the lock when it cannot be had (a grant can be repeated);
    /// refreshing does not (a rotated refresh token works once).
    pub async fn renew(&self, want: Want, wait: Duration, via: &Channel<'_>) -> Result<Renewed, Failed> {
        let refresh = match &self.p.auth {
            Auth::Interactive { .. } => true,
            Auth::ClientCredentials(_) | Auth::Password { .. } => false,
            Auth::None | Auth::Basic { .. } | Auth::ApiKey { .. } => {
                return Err(Failed::Token(Finding::plain(
                    "no_token",
                    Category::Config,
                    format!("{} uses no token", self.p.display_name()),
                )));
            }
        };
        let _lock = match self.lock(wait).await {
            Ok(l) => l,
            Err(e) if !refresh => {
                crate::term::warn(&format!("{e}; fetching without the lock"));
                None
            }
            Err(e) => return Err(Failed::Lock(e)),
        };
        let stored = self.stored();
        if let Some(e) = stored.as_ref().filter(|e| want.accepts(e)) {
            return Ok(Renewed {
                entry: e.clone(),
                how: How::Reused,
                unsaved: None,
            });
        }
        if refresh {
            self.refreshed(stored, want, via).await
        } else {
            self.obtained(via).await
        }
    }

    async fn refreshed(&self, stored: Option<Entry>, want: Want, via: &Channel<'_>) -> Result<Renewed, Failed> {
        let (Some(store), Some(old)) = (&self.store, stored) else {
            return Err(Failed::NoLogin);
        };
        if old.refresh_token.is_none() && matches!(want, Want::Refreshed) {
            return Ok(Renewed {
                entry: old,
                how: How::Unrefreshable,
                unsaved: None,
            });
        }
        match refresh::refresh(via.http, self.p, self.creds, &old, via.timeout, via.trace).await {
            Ok((entry, rotated)) => Ok(Renewed {
                unsaved: store.write(&self.key, &entry).err(),
                entry,
                how: How::Refreshed { rotated },
            }),
            Err(f) => {
                if f.category() == Category::Interactive {
                    store.remove(&self.key);
                }
                Err(Failed::Token(f))
            }
        }
    }

    async fn obtained(&self, via: &Channel<'_>) -> Result<Renewed, Failed> {
        let Some(c) = self.p.auth.oauth() else {
            return Err(Failed::NoLogin);
        };
        let got = obtain::obtain(
            via.http,
            self.p,
            c,
            self.creds,
            via.timeout,
            via.retry_for.map(crate::duration::deadline_after),
            via.trace,
        )
        .await
        .map_err(|f| Failed::Token(f.finding))?;
        let entry = entry::storable(self.p, &got.token, got.received_at, self.fingerprint.clone());
        let unsaved = match (&self.store, &entry) {
            (Some(s), Some(e)) => s.write(&self.key, e).err(),
            _ => None,
        };
        Ok(Renewed {
            entry: entry.unwrap_or_else(|| entry::unstored(self.p, &got.token, got.received_at)),
            how: How::Obtained,
            unsaved,
        })
    }

    /// Store a sign-in: the entry's lock is held while the person signs in, so a second
    /// login of the same profile waits for the first instead of fighting over it.
    pub async fn sign_in(
        &self,
        wait: Duration,
        login: impl Future<Output = Result<SignedIn, Finding>>,
    ) -> Result<Entry, Failed> {
        let store = self
            .store
            .as_ref()
            .ok_or_else(|| Failed::Write(StoreError("no token store".into())))?;
        let _lock = self.lock(wait).await.map_err(Failed::Lock)?;
        let s = login.await.map_err(Failed::Token)?;
        let origin = entry::Origin {
            received_at: s.received_at,
            credentials: self.fingerprint.clone(),
            token_url: Some(s.token_url),
            id_claims: s.id_claims,
        };
        let e = entry::entry(self.p, &s.token, origin);
        store.write(&self.key, &e).map_err(Failed::Write)?;
        Ok(e)
    }
}

/// Keep a token a passing `conn test` obtained, so that a following `conn token` is instant
/// (best effort: a token of unknown lifetime, or a store that refuses it, is not kept).
pub fn keep_obtained(store: &Store, p: &Profile, t: &Token, received_at: i64, credentials: String) {
    if let Some(e) = entry::storable(p, t, received_at, credentials) {
        let _ = store.write(&store::key(p), &e);
    }
}

/// Remove the entries of these profiles (`NAME` matches every environment of it,
/// `NAME@ENV` just that one), or every entry with `all`. Returns how many went.
pub fn forget(store: &Store, profiles: &[String], all: bool) -> usize {
    let mut removed = 0;
    for (key, e) in store.entries() {
        let base = e.profile.split('@').next().unwrap_or(&e.profile);
        let hit = all
            || profiles
                .iter()
                .any(|p| *p == e.profile || (!p.contains('@') && p == base));
        if hit && store.remove(&key) {
            removed += 1;
        }
    }
    removed
}

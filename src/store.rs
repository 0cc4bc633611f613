//! The token store: one file per cache entry under `$CONN_CACHE_DIR` (else
//! `<cache dir>/conn`), in a `tokens` directory of mode 0700, files 0600, each written to a
//! temporary file and renamed into place, so a reader never sees half a file.
//!
//! An entry's file name is a hash of everything that shapes the token and is known without
//! running a secret command (profile, environment, grant, token URL, client id source,
//! scopes, extra parameters). The entry itself records a fingerprint of the credentials it
//! was obtained with; a changed secret does not match and is a miss. A lock file per entry
//! (`File::lock`, waited on for a bounded time) lets many processes share one token request.
//! Corrupt entries are misses. Client secrets and passwords are never written. What goes
//! into an entry, and when, is [`crate::session`]'s; this module is the files.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{Auth, Profile};
use crate::secret::Source;

mod trust;

/// Largest entry file read.
const MAX_ENTRY: u64 = 1024 * 1024;

/// A stored token. `Debug` shows the tokens' fingerprints, never the tokens.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// Format version.
    pub version: u32,
    /// `name` or `name@env`, for `conn logout` and listings.
    pub profile: String,
    /// The access token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Expiry, seconds since the epoch; `None` when unknown.
    pub expires_at: Option<i64>,
    /// Granted scopes, when the server said.
    pub scope: Option<Vec<String>>,
    /// Refresh token, for interactive logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When it was obtained.
    pub obtained_at: i64,
    /// Fingerprint of the credentials it was obtained with.
    pub credentials: String,
    /// Token endpoint found by discovery, for refreshing an interactive login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Claims of the verified ID token, for interactive logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_claims: Option<serde_json::Map<String, serde_json::Value>>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("version", &self.version)
            .field("profile", &self.profile)
            .field("access_token", &crate::secret::fingerprint(&self.access_token))
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field(
                "refresh_token",
                &self.refresh_token.as_deref().map(crate::secret::fingerprint),
            )
            .field("obtained_at", &self.obtained_at)
            .finish_non_exhaustive()
    }
}

impl Entry {
    /// Seconds left before expiry, when known.
    /// An implausible `expires_at` counts as unknown (see [`crate::expiry`]).
    pub fn ttl(&self, now: i64) -> Option<i64> {
        crate::expiry::ttl(self.expires_at, now)
    }

    /// Whether it stays valid for at least `min` seconds.
    pub fn valid_for(&self, now: i64, min: i64) -> bool {
        self.ttl(now).is_some_and(|t| t >= min)
    }
}

/// Why the store cannot be used. Never fatal: callers warn and go on without it.
#[derive(Debug, Clone)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The token directory.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
}

/// Where the store lives: `$CONN_CACHE_DIR`, else `<cache dir>/conn`.
pub fn root() -> Option<PathBuf> {
    match std::env::var_os("CONN_CACHE_DIR").filter(|v| !v.is_empty()) {
        Some(d) => Some(PathBuf::from(d)),
        None => dirs::cache_dir().map(|d| d.join("conn")),
    }
}

impl Store {
    /// Open (creating) the store. Refuses a token directory that is a symbolic link or
    /// belongs to another user.
    pub fn open() -> Result<Store, StoreError> {
        let root = root().ok_or_else(|| StoreError("no cache directory: set CONN_CACHE_DIR".into()))?;
        let dir = root.join("tokens");
        let err = |what: &str, e: std::io::Error| StoreError(format!("{what} {}: {e}", dir.display()));
        if let Err(e) = std::fs::create_dir_all(&root) {
            return Err(err("cannot create", e));
        }
        match std::fs::symlink_metadata(&dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut b = std::fs::DirBuilder::new();
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
                b.create(&dir)
                    .or_else(|e| {
                        if e.kind() == std::io::ErrorKind::AlreadyExists {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })
                    .map_err(|e| err("cannot create", e))?;
            }
            Err(e) => return Err(err("cannot read", e)),
            Ok(m) => check_dir(&dir, &m)?,
        }
        let m = std::fs::symlink_metadata(&dir).map_err(|e| err("cannot read", e))?;
        check_dir(&dir, &m)?;
        Ok(Store { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The entry for `key`; anything unreadable or malformed is `None`, and so (with a
    /// warning) is a file that is not a regular file of this user's.
    pub fn read(&self, key: &str) -> Option<Entry> {
        read_entry(&self.path(key))
    }

    /// The entry for `key` when it belongs to `p`: its recorded token URL is the profile's
    /// and, when `credentials` are given (commands that resolve secrets), it was obtained
    /// with them. Anything else is a miss, with a warning.
    pub fn read_for(&self, key: &str, p: &Profile, credentials: Option<&str>) -> Option<Entry> {
        let e = self.read(key)?;
        match trust::mismatch(&e, p, credentials) {
            None => Some(e),
            Some(why) => {
                trust::warn_once(
                    &self.path(key),
                    &format!("stored token of {} not used: {why}", p.display_name()),
                );
                None
            }
        }
    }

    /// Write an entry atomically (0600).
    pub fn write(&self, key: &str, e: &Entry) -> Result<(), StoreError> {
        // Leftovers of writers killed before their rename: swept here, where temporary files
        // are made, not on every read (a stored-token hit stays a couple of file reads).
        sweep_stale_temps(&self.dir);
        let text = serde_json::to_vec(e).map_err(|e| StoreError(e.to_string()))?;
        crate::atomic::replace(&self.path(key), &text, 0o600)
            .map_err(|e| StoreError(format!("cannot write to {}: {e}", self.dir.display())))
    }

    /// Forget an entry.
    pub fn remove(&self, key: &str) -> bool {
        std::fs::remove_file(self.path(key)).is_ok()
    }

    /// Every readable entry with its key.
    pub fn entries(&self) -> Vec<(String, Entry)> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut v: Vec<(String, Entry)> = rd
            .flatten()
            .filter_map(|d| {
                let name = d.file_name().into_string().ok()?;
                let key = name.strip_suffix(".json")?.to_string();
                if key.starts_with('.') {
                    return None;
                }
                Some((key, read_entry(&d.path())?))
            })
            .collect();
        v.sort_by(|a, b| a.1.profile.cmp(&b.1.profile));
        v
    }

    /// Wait up to `wait` for the entry's lock. The lock is released when the guard drops,
    /// or by the system when the process dies.
    pub fn lock(&self, key: &str, wait: Duration) -> Result<Lock, StoreError> {
        let path = self.dir.join(format!("{key}.lock"));
        let mut opts = OpenOptions::new();
        opts.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts
            .open(&path)
            .map_err(|e| StoreError(format!("cannot open lock {}: {e}", path.display())))?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait {
                        return Err(StoreError(format!(
                            "another conn process has held the lock for this token for {}; giving up waiting",
                            humantime::format_duration(Duration::from_secs(wait.as_secs()))
                        )));
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(StoreError(format!(
                        "locking is not available in {}: {e}",
                        self.dir.display()
                    )));
                }
            }
        }
    }
}

/// A held lock on one entry.
pub struct Lock {
    _file: File,
}

/// Temporary files older than this are leftovers of a killed writer.
const STALE_TEMP: Duration = Duration::from_secs(600);

/// Remove the temporary files a writer killed between write and rename left behind (never a
/// recent one: it may be another process's write in progress).
fn sweep_stale_temps(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for d in rd.flatten() {
        let stale = d.file_name().to_string_lossy().starts_with(crate::atomic::TEMP_PREFIX)
            && d.metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_TEMP);
        if stale {
            let _ = std::fs::remove_file(d.path());
        }
    }
}

fn check_dir(dir: &Path, m: &std::fs::Metadata) -> Result<(), StoreError> {
    if m.file_type().is_symlink() {
        return Err(StoreError(format!(
            "{} is a symbolic link; tokens are not stored through links",
            dir.display()
        )));
    }
    if !m.is_dir() {
        return Err(StoreError(format!("{} is not a directory", dir.display())));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let uid = crate::atomic::euid();
        if m.uid() != uid {
            return Err(StoreError(format!(
                "{} belongs to another user; tokens are not stored there",
                dir.display()
            )));
        }
        if m.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| StoreError(format!("cannot restrict {} to its owner: {e}", dir.display())))?;
            crate::term::warn(&format!(
                "{} was open to other users (mode {:o}); restricted to its owner (0700)",
                dir.display(),
                m.mode() & 0o777
            ));
        }
    }
    Ok(())
}

fn read_entry(path: &Path) -> Option<Entry> {
    use std::io::Read;
    let f = trust::open(path)?;
    let mut buf = Vec::new();
    f.take(MAX_ENTRY).read_to_end(&mut buf).ok()?;
    parse_entry(&buf)
}

/// An entry from a file's bytes; `None` when malformed.
pub fn parse_entry(bytes: &[u8]) -> Option<Entry> {
    let e: Entry = serde_json::from_slice(bytes).ok()?;
    (e.version == 1 && !e.access_token.is_empty()).then_some(e)
}

fn source_id(s: &Source) -> String {
    match s {
        // Identifiers written in the file are part of the key as they are.
        Source::Literal(v) => format!("literal:{}", v.fingerprint()),
        Source::Env(n) => format!("env:{n}"),
        Source::File(p) => format!("file:{}", p.display()),
        Source::Command { argv, .. } => format!("command:{}", argv.join("\u{1f}")),
    }
}

fn assertion_id(a: &crate::config::assertion::Assertion) -> String {
    use crate::config::assertion::{Assertion, Given, KeyFile};
    match a {
        Assertion::Signed(s) => {
            let key = match &s.key {
                KeyFile::Pem {
                    certificate,
                    private_key,
                } => format!(
                    "pem:{}\u{1f}{}",
                    certificate.as_ref().map_or(String::new(), |p| p.display().to_string()),
                    source_id(private_key)
                ),
                KeyFile::Pkcs12 { path, .. } => format!("pkcs12:{}", path.display()),
            };
            format!(
                "signed:{key}\u{1f}{}\u{1f}{}",
                s.alg.as_str(),
                s.key_id.as_deref().unwrap_or("")
            )
        }
        Assertion::Given(Given::Source(src)) => format!("given:{}", source_id(src)),
        Assertion::Given(g @ Given::GithubOidc { .. }) => format!("given:{}", g.describe()),
    }
}

/// The entry key of a profile: hex SHA-256 of everything that shapes its token and is known
/// without resolving a secret.
pub fn key(p: &Profile) -> String {
    let mut h = Sha256::new();
    let mut part = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    part("conn-token-v1");
    part(&p.name);
    part(p.env.as_deref().unwrap_or(""));
    part(p.auth.kind());
    if let Some(c) = p.auth.oauth() {
        part(c.token_url.as_str());
        part(&source_id(&c.client_id));
        part(&c.scopes.join(" "));
        for (k, v) in &c.token_params {
            part(k);
            part(v);
        }
        part(c.client_auth.as_str());
        if let Some(a) = &c.assertion {
            // Where the credential comes from; the certificate's thumbprint (or a federated
            // assertion's iss, sub and aud) is in the entry's fingerprint, never an assertion.
            part(&assertion_id(a));
        }
    }
    if let Auth::Password { username, .. } = &p.auth {
        part(&source_id(username));
    }
    if let Auth::Interactive { flow, .. } = &p.auth {
        part(flow.issuer.as_ref().map_or("", |u| u.as_str()));
        for (k, v) in &flow.extra_params {
            part(k);
            part(v);
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(exp: Option<i64>) -> Entry {
        Entry {
            version: 1,
            profile: "p".into(),
            access_token: "tok".into(),
            token_type: "Bearer".into(),
            expires_at: exp,
            scope: None,
            refresh_token: None,
            obtained_at: 0,
            credentials: "x".into(),
            token_url: None,
            id_claims: None,
        }
    }

    #[test]
    fn validity() {
        const T: i64 = 1_800_000_000;
        assert!(entry(Some(T + 1000)).valid_for(T + 900, 60));
        assert!(!entry(Some(T + 1000)).valid_for(T + 950, 60));
        assert!(!entry(None).valid_for(T, 0));
        // Implausible expiries are unknown, never valid.
        for absurd in [i64::MIN, i64::MAX, T * 1000] {
            assert!(!entry(Some(absurd)).valid_for(T, 60), "{absurd}");
            assert_eq!(entry(Some(absurd)).ttl(T), None);
        }
    }

    #[test]
    fn debug_shows_no_token() {
        let mut e = entry(Some(1));
        e.access_token = "access-token-value".into();
        e.refresh_token = Some("refresh-token-value".into());
        let d = format!("{e:?}");
        assert!(
            !d.contains("access-token-value") && !d.contains("refresh-token-value"),
            "{d}"
        );
        assert!(d.contains("sha256:"), "{d}");
    }

    #[test]
    fn corrupt_entries_are_misses() {
        let d = tempfile::tempdir().unwrap();
        for junk in [&b""[..], b"{", b"\xff\xfe", b"{\"version\":1}", b"[]"] {
            std::fs::write(d.path().join("k.json"), junk).unwrap();
            assert!(read_entry(&d.path().join("k.json")).is_none());
        }
    }

    mod props {
        //! Reading a stored entry never panics, whatever the file holds, and what it says
        //! about validity stays bounded.
        use proptest::prelude::*;

        use super::super::*;

        fn field() -> impl Strategy<Value = serde_json::Value> {
            prop_oneof![
                any::<i64>().prop_map(serde_json::Value::from),
                any::<u64>().prop_map(serde_json::Value::from),
                any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)),
                ".{0,8}".prop_map(serde_json::Value::from),
                Just(serde_json::Value::Null),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
                let _ = parse_entry(&bytes);
            }

            #[test]
            fn arbitrary_fields_give_bounded_validity(
                expires_at in field(),
                obtained_at in field(),
                version in field(),
                now in prop_oneof![Just(1_800_000_000i64), any::<i64>()],
                min in any::<i64>(),
            ) {
                let v = serde_json::json!({
                    "version": version, "profile": "p", "access_token": "t", "token_type": "Bearer",
                    "expires_at": expires_at, "scope": null, "obtained_at": obtained_at, "credentials": "c",
                });
                if let Some(e) = parse_entry(v.to_string().as_bytes()) {
                    if let Some(t) = e.ttl(now) {
                        prop_assert!(t <= crate::expiry::MAX_AHEAD);
                    }
                    let _ = e.valid_for(now, min);
                }
            }
        }
    }
}

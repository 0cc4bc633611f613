//! Whether a token-store entry may be used: the file is a regular file of this user's
//! (opened without blocking and without following links, checked on the opened handle), and
//! what it records matches the profile. The store directory may have been open to others
//! before conn restricted it, so an entry found there proves nothing by being there.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Entry;
use crate::config::{Auth, Profile};

/// Open an entry for reading; `None` (with a warning, unless it does not exist) when it is
/// a link, not a regular file, or another user's. A FIFO never blocks the open.
pub fn open(path: &Path) -> Option<File> {
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path);
    let f = match opened {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            warn_once(path, &format!("{} is a symbolic link; ignored", path.display()));
            return None;
        }
        Err(_) => return None,
    };
    let m = f.metadata().ok()?;
    if !m.is_file() {
        warn_once(path, &format!("{} is not a regular file; ignored", path.display()));
        return None;
    }
    if m.uid() != crate::atomic::euid() {
        warn_once(
            path,
            &format!("{} belongs to another user (uid {}); ignored", path.display(), m.uid()),
        );
        return None;
    }
    Some(f)
}

/// The token URL an entry of `p` must record, when the profile fixes it (with discovery the
/// endpoint is found at run time, and nothing is sent to a recorded one anyway).
fn expected_token_url(p: &Profile) -> Option<String> {
    let c = p.auth.oauth()?;
    if let Auth::Interactive { flow, .. } = &p.auth
        && flow.issuer.as_ref() == Some(&c.token_url)
    {
        return None;
    }
    Some(c.token_url.to_string())
}

/// Why `e` is not `p`'s entry, or `None` when it is.
pub fn mismatch(e: &Entry, p: &Profile, credentials: Option<&str>) -> Option<&'static str> {
    if let (Some(recorded), Some(expected)) = (e.token_url.as_deref(), expected_token_url(p))
        && recorded != expected
    {
        return Some("it records another token URL than the profile's");
    }
    if credentials.is_some_and(|c| c != e.credentials) {
        return Some("it was obtained with other credentials");
    }
    None
}

/// Warn once per entry file and process.
pub fn warn_once(path: &Path, message: &str) {
    static WARNED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let first = WARNED
        .lock()
        .map(|mut w| w.get_or_insert_with(HashSet::new).insert(path.to_path_buf()))
        .unwrap_or(true);
    if first {
        crate::term::warn(&format!("token store: {message}"));
    }
}

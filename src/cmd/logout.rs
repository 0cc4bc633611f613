//! `conn logout [PROFILE...] [--all]`: forget stored tokens (and stored logins).

use crate::cli::{Global, LogoutArgs};
use crate::error::Error;
use crate::store::Store;

/// Remove the entries of the named profiles (any environment), or all.
pub fn run(_g: &Global, a: &LogoutArgs) -> Result<u8, Error> {
    if a.profiles.is_empty() && !a.all {
        return Err(Error::Usage("name the profiles to log out, or use --all".into()));
    }
    let store = Store::open().map_err(|e| Error::Output(format!("token store: {e}")))?;
    let mut removed = 0;
    for (key, e) in store.entries() {
        let base = e.profile.split('@').next().unwrap_or(&e.profile);
        let hit = a.all
            || a.profiles
                .iter()
                .any(|p| *p == e.profile || (!p.contains('@') && p == base));
        if hit && store.remove(&key) {
            removed += 1;
        }
    }
    eprintln!("removed {removed} stored token{}", if removed == 1 { "" } else { "s" });
    Ok(0)
}

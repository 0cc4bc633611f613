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
    let removed = crate::session::forget(&store, &a.profiles, a.all);
    eprintln!("removed {removed} stored token{}", if removed == 1 { "" } else { "s" });
    Ok(0)
}

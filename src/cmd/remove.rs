//! `conn remove NAME`: take a profile out of the profiles file (its table, its environments
//! and the comments just above it), keeping everything else as written. Asks first on a
//! terminal; `--yes` skips the question, and without a terminal `--yes` is required.

use super::file;
use crate::cli::{Global, RemoveArgs};
use crate::config::Config;
use crate::error::Error;

/// Remove a profile.
pub fn run(g: &Global, a: &RemoveArgs) -> Result<u8, Error> {
    let path = file::target(g, false)?;
    let text = file::read(&path, false)?;
    let cfg = Config::from_text(&path, text.clone())?;
    if !cfg.names().contains(&a.name.as_str()) {
        return Err(cfg.unknown_profile(&a.name).into());
    }
    let mut doc = file::document(&path, &text)?;
    if !a.yes {
        if !file::interactive() {
            return Err(Error::Usage(format!(
                "not removing `{}` without asking: add --yes when not run in a terminal",
                a.name
            )));
        }
        if !file::confirm(&format!("Remove profile `{}` from {}?", a.name, path.display()), false) {
            eprintln!("nothing removed");
            return Ok(0);
        }
    }
    let removed = doc
        .get_mut("profiles")
        .and_then(|p| p.as_table_like_mut())
        .and_then(|t| t.remove(&a.name))
        .is_some();
    if !removed {
        return Err(Error::Usage(format!(
            "`{}` is not written as a [profiles.{}] table; remove it with `conn edit {}`",
            a.name, a.name, a.name
        )));
    }
    let new_text = doc.to_string();
    // Taking a profile out cannot break the others, but the file must still parse.
    Config::from_text(&path, new_text.clone())?;
    file::save(&path, &new_text)?;
    eprintln!("removed profile `{}` from {}", a.name, path.display());
    // Its stored tokens and logins go with it.
    if let Ok(store) = crate::store::Store::open() {
        let n = crate::session::forget(&store, std::slice::from_ref(&a.name), false);
        if n > 0 {
            eprintln!(
                "forgot {n} stored token{} of `{}`",
                if n == 1 { "" } else { "s" },
                a.name
            );
        }
    }
    Ok(0)
}

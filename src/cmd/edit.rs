//! `conn edit NAME`: open the profiles file in `$VISUAL` or `$EDITOR` (a temporary copy
//! beside it), validate what was saved, and only then replace the file. On problems they are
//! shown and, on a terminal, the copy can be edited again; without a terminal the run exits 2
//! and the original is untouched.

use std::path::Path;

use super::file;
use crate::cli::{EditArgs, Global};
use crate::config::Config;
use crate::error::{ConfigError, Error};

fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Run the editor on `path`; the editor setting may carry arguments (`code --wait`).
fn open(editor: &str, path: &Path) -> Result<(), Error> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|e| Error::Usage(format!("cannot run the editor `{editor}`: {e}")))?;
    if !status.success() {
        return Err(Error::Usage(format!(
            "the editor `{editor}` failed ({status}); the profiles file is unchanged"
        )));
    }
    Ok(())
}

/// Edit the profiles file.
pub fn run(g: &Global, a: &EditArgs) -> Result<u8, Error> {
    let path = file::target(g, false)?;
    let original = file::read(&path, false)?;
    if let Ok(cfg) = Config::from_text(&path, original.clone())
        && !cfg.names().contains(&a.name.as_str())
    {
        return Err(cfg.unknown_profile(&a.name).into());
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".conn-edit-")
        .suffix(".toml")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("cannot make a copy to edit in {}", dir.display()), e))?;
    std::fs::write(tmp.path(), &original)
        .map_err(|e| Error::io(format!("cannot write {}", tmp.path().display()), e))?;
    let editor = editor();
    loop {
        open(&editor, tmp.path())?;
        let edited = std::fs::read_to_string(tmp.path())
            .map_err(|e| Error::io(format!("cannot read back {}", tmp.path().display()), e))?;
        if edited == original {
            eprintln!("no changes");
            return Ok(0);
        }
        let problems = match file::problems(&path, &edited) {
            Ok(p) => p,
            Err(Error::Config(crate::config::Error::Invalid(c))) => c.problems,
            Err(e) => return Err(e),
        };
        if problems.is_empty() {
            file::save(&path, &edited)?;
            eprintln!("saved {}", path.display());
            return Ok(0);
        }
        let err = Error::from(ConfigError {
            file: path.clone(),
            text: edited,
            problems,
        });
        if !file::interactive() {
            crate::term::warn(&format!("{} is unchanged", path.display()));
            return Err(err);
        }
        crate::term::error(&err);
        if !file::confirm("Edit again?", true) {
            eprintln!("{} is unchanged", path.display());
            return Ok(crate::exit::of_error(&err));
        }
    }
}

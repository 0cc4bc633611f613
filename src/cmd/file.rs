//! Changing the profiles file in place for `conn add`, `remove` and `edit`: parse it with
//! `toml_edit` so that comments and layout survive, check the result with the same
//! validation as every other command before anything is written, then replace the file
//! atomically with its permissions kept. A refused change leaves the file untouched.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

use crate::cli::Global;
use crate::config::{self, Config, Problem};
use crate::error::{ConfigError, Error};

/// The profiles file to change: the one commands read, or (for `conn add` when there is
/// none yet) `--config`, `$CONN_CONFIG` or `<config dir>/conn/profiles.toml`.
pub fn target(g: &Global, may_create: bool) -> Result<PathBuf, Error> {
    match config::discover(g.config.as_deref()) {
        Ok(p) => Ok(p),
        Err(config::Error::NoConfig { .. }) if may_create => dirs::config_dir()
            .map(|d| d.join("conn").join("profiles.toml"))
            .ok_or_else(|| Error::Usage("no config directory: name the file with --config PATH".into())),
        Err(e) => Err(e.into()),
    }
}

/// The file's text ("" when it does not exist yet and `may_create`).
pub fn read(path: &Path, may_create: bool) -> Result<String, Error> {
    if may_create && matches!(std::fs::metadata(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(String::new());
    }
    Ok(config::read_capped(path)?)
}

/// Parse for editing; a syntax error is reported like every other configuration problem.
pub fn document(path: &Path, text: &str) -> Result<DocumentMut, Error> {
    match text.parse::<DocumentMut>() {
        Ok(d) => Ok(d),
        Err(e) => Err(Error::from(ConfigError {
            file: path.to_path_buf(),
            text: text.to_string(),
            problems: vec![Problem {
                span: e.span(),
                path: String::new(),
                message: format!("invalid TOML: {}", e.message().trim()),
                help: None,
            }],
        })),
    }
}

/// The problems of a whole new text, as conn validate finds them (no secrets are read).
pub fn problems(path: &Path, text: &str) -> Result<Vec<Problem>, Error> {
    let cfg = Config::from_text(path, text.to_string())?;
    Ok(cfg.validate())
}

/// Fail with every problem unless `text` is a valid profiles file.
pub fn check(path: &Path, text: &str) -> Result<(), Error> {
    let problems = problems(path, text)?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::from(ConfigError {
            file: path.to_path_buf(),
            text: text.to_string(),
            problems,
        }))
    }
}

/// Save the file: a regular file is replaced atomically with its mode and owner kept, a
/// symbolic link keeps pointing at its (replaced) target; a new file gets 0600.
pub fn save(path: &Path, text: &str) -> Result<(), Error> {
    let err = |e: std::io::Error| Error::Output(format!("cannot write {}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    crate::atomic::write(path, text.as_bytes(), 0o600).map_err(err)
}

/// Whether questions can be asked: stdin and stderr are terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Ask on stderr, read one line from stdin (trimmed); `None` at end of input.
pub fn ask(question: &str) -> Option<String> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// Ask without echoing what is typed (terminal echo off with `stty` while reading).
pub fn ask_hidden(question: &str) -> Option<String> {
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !stty("-echo") {
        return None;
    }
    let answer = ask(question);
    stty("echo");
    eprintln!();
    answer
}

/// A yes/no question; `default` when just Enter is pressed.
pub fn confirm(question: &str, default: bool) -> bool {
    let hint = if default { "[Y/n]" } else { "[y/N]" };
    match ask(&format!("{question} {hint} ")).as_deref() {
        Some("") => default,
        Some(a) => matches!(a.to_ascii_lowercase().as_str(), "y" | "yes"),
        None => false,
    }
}

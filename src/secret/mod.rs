//! Secrets: the [`Secret`] type, where a secret comes from ([`Source`]), and the process-wide
//! [`redact`] filter.
//!
//! A secret's value is only reachable through [`Secret::expose`]; `Debug` prints `********`
//! and there is no `Display`. Every value resolved or received (client secrets, passwords,
//! keys, tokens) is registered with the redactor, and all text that reaches a person or a
//! report passes through [`redact`] (owned by [`crate::redact`]), so a server that echoes a
//! secret back is masked too, in the encodings servers use.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use sha2::{Digest, Sha256};

pub mod command;

/// Largest secret a file or command may yield.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;
/// How long a secret command may run unless the profile says otherwise.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// A value that must never be shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value and register it with the redactor.
    pub fn new(value: String) -> Secret {
        register(&value);
        Secret(value)
    }

    /// Wrap a value that identifies rather than authenticates (a client id, a user name):
    /// kept out of the redactor, so it can be shown.
    pub fn plain(value: String) -> Secret {
        Secret(value)
    }

    /// The value itself. Call only where it is sent to the server it belongs to.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `sha256:` and the first 8 hex digits of the SHA-256 of the value.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(********)")
    }
}

/// `sha256:xxxxxxxx` of a value: enough to tell two values apart, useless to recover one.
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Written in the profiles file.
    Literal(Secret),
    /// An environment variable.
    Env(String),
    /// A file's contents, one trailing newline trimmed.
    File(PathBuf),
    /// A program's standard output, run without a shell.
    Command {
        /// Program and arguments.
        argv: Vec<String>,
        /// How long it may run.
        timeout: Duration,
    },
}

/// Why a value could not be had. Names the variable, file or program; never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError(pub String);

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Source {
    /// How the source is shown: `env HYPATOS_CLIENT_SECRET`, `file /run/secrets/x`,
    /// `command pass show x`, or `********` for a literal.
    pub fn describe(&self) -> String {
        match self {
            Source::Literal(_) => "******** (in the file)".to_string(),
            Source::Env(v) => format!("env {v}"),
            Source::File(p) => format!("file {}", p.display()),
            Source::Command { argv, .. } => format!("command {}", argv.join(" ")),
        }
    }

    /// Whether the value is written in the profiles file.
    pub fn is_literal(&self) -> bool {
        matches!(self, Source::Literal(_))
    }

    /// Fetch a secret value (and register it with the redactor). Runs a command if the
    /// source is one.
    pub fn resolve(&self) -> Result<Secret, ResolveError> {
        match self {
            Source::Literal(s) => Ok(s.clone()),
            _ => self.fetch().map(Secret::new),
        }
    }

    /// Fetch a secret that may span lines (a PEM key): every line of it is registered with
    /// the redactor too, so a part of it is masked as well as the whole.
    pub fn resolve_text(&self) -> Result<Secret, ResolveError> {
        let value = match self {
            Source::Literal(s) => s.expose().to_string(),
            _ => self.fetch_lines(true)?,
        };
        for line in value.lines().map(str::trim) {
            if !line.starts_with("-----") && line.len() >= 16 {
                register(line);
            }
        }
        Ok(Secret::new(value))
    }

    /// Fetch a value that is not secret (a client id, a user name).
    pub fn resolve_plain(&self) -> Result<String, ResolveError> {
        match self {
            Source::Literal(s) => Ok(s.expose().to_string()),
            _ => self.fetch(),
        }
    }

    fn fetch(&self) -> Result<String, ResolveError> {
        self.fetch_lines(false)
    }

    fn fetch_lines(&self, lines: bool) -> Result<String, ResolveError> {
        let raw = match self {
            Source::Literal(s) => return Ok(s.expose().to_string()),
            Source::Env(var) => match std::env::var(var) {
                Ok(v) if v.is_empty() => {
                    return Err(ResolveError(format!("environment variable {var} is set but empty")));
                }
                Ok(v) => v,
                Err(std::env::VarError::NotPresent) => {
                    return Err(ResolveError(format!("environment variable {var} is not set")));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ResolveError(format!("environment variable {var} is not valid UTF-8")));
                }
            },
            Source::File(path) => read_file(path)?,
            Source::Command { argv, timeout } => run_command(argv, *timeout)?,
        };
        let value = trim_one_newline(raw);
        if value.is_empty() {
            return Err(ResolveError(format!("{} gave an empty value", self.describe())));
        }
        if value.contains('\0') || (!lines && value.contains(['\r', '\n'])) {
            return Err(ResolveError(format!(
                "{} gave a value with a line break or NUL character; a secret must be one line",
                self.describe()
            )));
        }
        Ok(value)
    }
}

fn read_file(path: &PathBuf) -> Result<String, ResolveError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ResolveError(format!("cannot read secret file {}: {}", path.display(), io_reason(&e))))?;
    let mut buf = Vec::new();
    file.take(MAX_SECRET_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ResolveError(format!("cannot read secret file {}: {}", path.display(), io_reason(&e))))?;
    if buf.len() > MAX_SECRET_BYTES {
        return Err(ResolveError(format!(
            "secret file {} is larger than {} KiB",
            path.display(),
            MAX_SECRET_BYTES / 1024
        )));
    }
    String::from_utf8(buf).map_err(|_| ResolveError(format!("secret file {} is not valid UTF-8", path.display())))
}

fn run_command(argv: &[String], timeout: Duration) -> Result<String, ResolveError> {
    let command::Output { status, stdout: out } = command::run(argv, timeout)?;
    let program = argv.first().map_or("", String::as_str);
    if !status.success() {
        let how = status.code().map_or("was killed by a signal".to_string(), |c| {
            format!("exited with status {c}")
        });
        return Err(ResolveError(format!(
            "secret command {program} {how} (its error output is not shown because it may contain the secret; run the command yourself to see it)"
        )));
    }
    if out.len() > MAX_SECRET_BYTES {
        return Err(ResolveError(format!(
            "secret command {program} printed more than {} KiB",
            MAX_SECRET_BYTES / 1024
        )));
    }
    String::from_utf8(out).map_err(|_| ResolveError(format!("secret command {program} printed invalid UTF-8")))
}

fn trim_one_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "not found".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

pub use crate::redact::{redact, register, register_basic};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-value".into());
        assert_eq!(format!("{s:?}"), "Secret(********)");
        assert!(!format!("{:?}", Source::Literal(s)).contains("hunter2"));
    }

    #[test]
    fn redact_masks_every_form() {
        use base64::Engine;
        register("p+ss/w~rd:1");
        assert_eq!(redact("x p+ss/w~rd:1 y"), "x ******** y");
        assert_eq!(redact("p%2Bss%2Fw%7Erd%3A1"), "********");
        let b64 = base64::engine::general_purpose::STANDARD.encode("p+ss/w~rd:1");
        assert_eq!(redact(&b64), "********");
    }

    #[test]
    fn command_output_is_trimmed_and_checked() {
        let ok = Source::Command {
            argv: vec!["printf".into(), "abc\n".into()],
            timeout: Duration::from_secs(5),
        };
        assert_eq!(ok.resolve().unwrap().expose(), "abc");
        let two_lines = Source::Command {
            argv: vec!["printf".into(), "a\nb\n".into()],
            timeout: Duration::from_secs(5),
        };
        assert!(two_lines.resolve().unwrap_err().0.contains("line break"));
        let slow = Source::Command {
            argv: vec!["sleep".into(), "5".into()],
            timeout: Duration::from_millis(100),
        };
        assert!(slow.resolve().unwrap_err().0.contains("did not finish"));
        let failing = Source::Command {
            argv: vec!["sh".into(), "-c".into(), "echo TOPSECRET >&2; exit 3".into()],
            timeout: Duration::from_secs(5),
        };
        let e = failing.resolve().unwrap_err().0;
        assert!(e.contains("status 3") && !e.contains("TOPSECRET"), "{e}");
    }

    #[test]
    fn env_errors_name_the_variable() {
        let e = Source::Env("CONN_TEST_SURELY_UNSET_VAR".into()).resolve().unwrap_err();
        assert_eq!(e.0, "environment variable CONN_TEST_SURELY_UNSET_VAR is not set");
    }
}

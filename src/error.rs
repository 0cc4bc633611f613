//! Errors that stop `conn` from running at all (bad usage, an unusable profiles file).
//!
//! What a *test* finds (a refused connection, a rejected secret) is not an error: it is data
//! in the report. Everything here exits with [`exit::CONFIG`] except internal failures.

use std::path::{Path, PathBuf};

use crate::config::Problem;
use crate::config::tree::LineIndex;
use crate::exit;

/// Problems with the profiles file, with the text needed to show their positions.
#[derive(Debug, Clone)]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// Its text.
    pub text: String,
    /// What is wrong.
    pub problems: Vec<Problem>,
}

impl ConfigError {
    /// One problem without a position.
    pub fn single(file: &Path, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Config(ConfigError {
            file: file.to_path_buf(),
            text: String::new(),
            problems: vec![Problem {
                span: None,
                path: path.into(),
                message: message.into(),
                help: None,
            }],
        })
    }

    /// Each problem as `file:line:col: key.path: message` with an indented help line.
    pub fn lines(&self) -> Vec<String> {
        let lines = LineIndex::new(&self.text);
        self.problems
            .iter()
            .map(|p| render_problem(&self.file, &self.text, &lines, p))
            .collect()
    }
}

/// `file:line:col: key.path: message` and, on the next line, `  help: …`.
pub fn render_problem(file: &Path, text: &str, lines: &LineIndex, p: &Problem) -> String {
    let mut s = file.display().to_string();
    if let Some(span) = &p.span {
        let (l, c) = lines.line_col(text, span.start);
        s.push_str(&format!(":{l}:{c}"));
    }
    s.push_str(": ");
    if !p.path.is_empty() {
        s.push_str(&p.path);
        s.push_str(": ");
    }
    s.push_str(&p.message);
    if let Some(h) = &p.help {
        s.push_str("\n  help: ");
        s.push_str(h);
    }
    s
}

/// Why `conn` could not run.
#[derive(Debug)]
pub enum Error {
    /// No profiles file was found.
    NoConfig {
        /// Places looked at.
        looked: Vec<String>,
    },
    /// The profiles file could not be read.
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The profiles file has problems.
    Config(ConfigError),
    /// A profile name that is not in the file.
    UnknownProfile {
        /// The name asked for.
        name: String,
        /// The file.
        file: PathBuf,
        /// The closest name.
        suggestion: Option<String>,
        /// All names.
        available: Vec<String>,
    },
    /// Bad arguments.
    Usage(String),
    /// Writing output failed.
    Output(String),
}

impl Error {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Output(_) => exit::INTERNAL,
            _ => exit::CONFIG,
        }
    }

    /// The message, one problem a line.
    pub fn render(&self) -> String {
        match self {
            Error::NoConfig { looked } => {
                let mut s = String::from("no profiles file found; looked at:\n");
                s.push_str("  --config PATH (not given)\n  $CONN_CONFIG (not set)\n");
                for l in looked {
                    s.push_str(&format!("  {l}\n"));
                }
                s.push_str("  help: start from the example: cp profiles.example.toml profiles.toml");
                s
            }
            Error::ReadConfig { path, reason } => format!("cannot read {}: {reason}", path.display()),
            Error::Config(c) => c.lines().join("\n"),
            Error::UnknownProfile {
                name,
                file,
                suggestion,
                available,
            } => {
                let mut s = format!("no profile `{name}` in {}", file.display());
                match suggestion {
                    Some(x) => s.push_str(&format!("\n  help: did you mean `{x}`?")),
                    None if available.is_empty() => s.push_str("\n  help: the file defines no profiles"),
                    None => s.push_str(&format!("\n  help: profiles in the file: {}", available.join(", "))),
                }
                s
            }
            Error::Usage(m) | Error::Output(m) => m.clone(),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

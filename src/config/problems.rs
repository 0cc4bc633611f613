//! What can be wrong with the profiles file, and how it is shown: a [`Problem`] (position,
//! key path, message, help), problems collected once each in the order found
//! ([`ProblemSet`]), an invalid file ([`ConfigError`], every problem with the text needed for
//! positions), and [`Error`], every way the file can stop a command (not found, unreadable,
//! invalid, no such profile). `crate::error` wraps [`Error`]; nothing here depends on it.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::tree::LineIndex;

/// One thing wrong with the profiles file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Where in the file, when known.
    pub span: Option<Range<usize>>,
    /// Key path, e.g. `profiles.billing.auth.client_secret`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do, when there is something specific to say.
    pub help: Option<String>,
}

/// Problems in the order found, without duplicates: a set remembers what is in the list, so
/// collecting stays linear however many problems a file has.
#[derive(Default)]
pub struct ProblemSet {
    list: Vec<Problem>,
    seen: HashSet<Problem>,
}

impl ProblemSet {
    /// Add `p` unless the same problem is already listed.
    pub fn push(&mut self, p: Problem) {
        if !self.seen.contains(&p) {
            self.seen.insert(p.clone());
            self.list.push(p);
        }
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems, in the order found.
    pub fn into_vec(self) -> Vec<Problem> {
        self.list
    }
}

impl From<Vec<Problem>> for ProblemSet {
    fn from(v: Vec<Problem>) -> ProblemSet {
        let mut set = ProblemSet::default();
        for p in v {
            set.push(p);
        }
        set
    }
}

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
        Error::Invalid(ConfigError {
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

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for ConfigError {}

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

/// Why the profiles file cannot give a command what it asked for.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No profiles file was found.
    #[error("{}", no_config(looked))]
    NoConfig {
        /// Places looked at.
        looked: Vec<String>,
    },
    /// The profiles file could not be read.
    #[error("cannot read {}: {reason}", path.display())]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The profiles file has problems.
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    /// A profile name that is not in the file.
    #[error("{}", unknown_profile(name, file, suggestion.as_deref(), available))]
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
}

fn no_config(looked: &[String]) -> String {
    let mut s = String::from("no profiles file found; looked at:\n");
    s.push_str("  --config PATH (not given)\n  $CONN_CONFIG (not set)\n");
    for l in looked {
        s.push_str(&format!("  {l}\n"));
    }
    s.push_str("  help: start from the example: cp profiles.example.toml profiles.toml");
    s
}

fn unknown_profile(name: &str, file: &Path, suggestion: Option<&str>, available: &[String]) -> String {
    let mut s = format!("no profile `{name}` in {}", file.display());
    match suggestion {
        Some(x) => s.push_str(&format!("\n  help: did you mean `{x}`?")),
        None if available.is_empty() => s.push_str("\n  help: the file defines no profiles"),
        None => s.push_str(&format!("\n  help: profiles in the file: {}", available.join(", "))),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_drops_repeats() {
        let p = |m: &str| Problem {
            span: Some(1..2),
            path: "x".into(),
            message: m.into(),
            help: None,
        };
        let mut s = ProblemSet::from(vec![p("a"), p("b"), p("a")]);
        s.push(p("b"));
        s.push(p("c"));
        let got: Vec<String> = s.into_vec().into_iter().map(|p| p.message).collect();
        assert_eq!(got, ["a", "b", "c"]);
    }
}

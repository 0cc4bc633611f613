//! Errors that stop `conn` from running at all (bad usage, an unusable profiles file, output
//! that cannot be written).
//!
//! What a *test* finds (a refused connection, a rejected secret) is not an error: it is data
//! in the report. Each error keeps its cause as a `source`, so that the terminal can print
//! the chain (`caused by: …`); [`crate::exit::of_error`] decides the exit code. Problems with
//! the profiles file belong to [`crate::config`]; this wraps them.

pub use crate::config::{ConfigError, render_problem};

/// Why `conn` could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The profiles file is missing, unreadable or invalid, or has no such profile.
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
    /// conn could not do its own work (its token store, its output): an internal failure.
    #[error("{0}")]
    Output(String),
    /// An operating-system call conn needs failed (writing a file, starting its runtime):
    /// an internal failure, with the system's reason as its cause.
    #[error("{what}")]
    Io {
        /// What conn was doing: `cannot write report.json`.
        what: String,
        /// Why it could not.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O failure while doing `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// The message, one problem a line (without its causes: see [`Error::causes`]).
    pub fn render(&self) -> String {
        self.to_string()
    }

    /// The chain of causes below this error, outermost first.
    pub fn causes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            out.push(e.to_string());
            next = e.source();
        }
        out
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_io_error_keeps_its_cause() {
        let e = Error::io("cannot write out.json", std::io::Error::other("disk full"));
        assert_eq!(e.to_string(), "cannot write out.json");
        assert_eq!(e.causes(), vec!["disk full".to_string()]);
        assert_eq!(crate::exit::of_error(&e), crate::exit::INTERNAL);
    }

    #[test]
    fn a_usage_error_has_no_cause_and_exits_2() {
        let e = Error::Usage("no answer given".into());
        assert!(e.causes().is_empty());
        assert_eq!(crate::exit::of_error(&e), crate::exit::CONFIG);
    }
}

//! The terminal: colour on or off, and how errors and warnings are printed on stderr.

use std::io::IsTerminal;

use colored::Colorize;

use crate::error::Error;

/// Decide colour once: only on a terminal, never with `NO_COLOR` or `--no-color`.
pub fn init(no_color: bool) {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let on = !no_color && !no_color_env && std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
    colored::control::set_override(on);
}

/// `error: …`, one line per problem, then `  caused by: …` for each cause below it.
pub fn error(e: &Error) {
    let label = "error:".red().bold();
    match e {
        Error::Config(crate::config::Error::Invalid(c)) => {
            for l in c.lines() {
                eprintln!("{label} {}", crate::finding::safe_lines(&l));
            }
            if c.problems.len() > 1 {
                eprintln!("{} {} problems", "conn:".bold(), c.problems.len());
            }
        }
        other => {
            eprintln!("{label} {}", crate::finding::safe_lines(&other.to_string()));
            for cause in other.causes() {
                eprintln!("  {} {}", "caused by:".dimmed(), crate::finding::safe_lines(&cause));
            }
        }
    }
}

/// `warning: …` on stderr.
pub fn warn(msg: &str) {
    eprintln!("{} {}", "warning:".yellow().bold(), crate::finding::safe_lines(msg));
}

/// Whether stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// A failure found (not an error of conn's): `error: …` and indented hints.
pub fn failure(summary: &str, hints: &[String]) {
    eprintln!("{} {}", "error:".red().bold(), crate::finding::safe_lines(summary));
    for h in hints {
        eprintln!("  {} {}", "hint:".cyan(), crate::finding::safe_lines(h));
    }
}

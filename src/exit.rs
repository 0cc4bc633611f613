//! Exit codes: the one place that decides how `conn` exits.
//!
//! Every failure found by a test has a [`Category`]; each category has exactly one exit code
//! (the table in `spec/cli.md`). Several profiles aggregate to the code they share, or to
//! [`MIXED`] (1) when their failures differ ([`of_run`]). An error that stops the run has
//! its own code ([`of_error`]); a failure of conn itself exits [`INTERNAL`] (70).

use serde::Serialize;

use crate::error::Error;

/// Every profile passed (warnings allowed unless `--strict`).
pub const OK: u8 = 0;
/// Several profiles failed for different reasons.
pub const MIXED: u8 = 1;
/// Usage or configuration error.
pub const CONFIG: u8 = 2;
/// DNS, refused, timeout, proxy failure.
pub const NETWORK: u8 = 3;
/// Untrusted or expired certificate, name mismatch, handshake failure.
pub const TLS: u8 = 4;
/// Credentials rejected.
pub const AUTHENTICATION: u8 = 5;
/// Authenticated but not allowed.
pub const PERMISSION: u8 = 6;
/// Wrong URL, redirect at the token URL, 5xx, malformed answer.
pub const ENDPOINT: u8 = 7;
/// An interactive login is required.
pub const INTERACTIVE: u8 = 8;
/// conn itself failed (a bug, or output it could not write): `EX_SOFTWARE` of sysexits.h.
pub const INTERNAL: u8 = 70;

/// What kind of failure a profile ended in (`ok` when it passed or only warned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Passed.
    Ok,
    /// Configuration problem found before any request.
    Config,
    /// DNS, connect, timeout, proxy.
    Network,
    /// Certificate or handshake.
    Tls,
    /// Credentials rejected.
    Authentication,
    /// Authenticated, not allowed.
    Permission,
    /// The server or URL is wrong or broken.
    Endpoint,
    /// A person must sign in first.
    Interactive,
    /// conn itself failed while testing the profile (a bug).
    Internal,
}

impl Category {
    /// The exit code fixed for this category.
    pub fn exit_code(self) -> u8 {
        match self {
            Category::Ok => OK,
            Category::Config => CONFIG,
            Category::Network => NETWORK,
            Category::Tls => TLS,
            Category::Authentication => AUTHENTICATION,
            Category::Permission => PERMISSION,
            Category::Endpoint => ENDPOINT,
            Category::Interactive => INTERACTIVE,
            Category::Internal => INTERNAL,
        }
    }

    /// The name used in reports (`authentication`, `tls`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Ok => "ok",
            Category::Config => "config",
            Category::Network => "network",
            Category::Tls => "tls",
            Category::Authentication => "authentication",
            Category::Permission => "permission",
            Category::Endpoint => "endpoint",
            Category::Interactive => "interactive",
            Category::Internal => "internal",
        }
    }
}

/// The exit code of an error that stopped conn before or while it ran.
pub fn of_error(e: &Error) -> u8 {
    match e {
        Error::Config(_) | Error::Usage(_) => CONFIG,
        Error::Output(_) | Error::Io { .. } => INTERNAL,
    }
}

/// The exit code of a run: 0 when nothing failed, the shared category's code when all
/// failures agree, else [`MIXED`] (1).
pub fn of_run(failed: impl IntoIterator<Item = Category>) -> u8 {
    let mut shared: Option<Category> = None;
    for c in failed {
        if c == Category::Ok {
            continue;
        }
        match shared {
            None => shared = Some(c),
            Some(s) if s == c => {}
            Some(_) => return MIXED,
        }
    }
    shared.map_or(OK, Category::exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_follows_the_spec() {
        assert_eq!(of_run([]), 0);
        assert_eq!(of_run([Category::Ok, Category::Ok]), 0);
        assert_eq!(of_run([Category::Tls, Category::Ok, Category::Tls]), 4);
        assert_eq!(of_run([Category::Tls, Category::Network]), 1);
        assert_eq!(of_run([Category::Interactive]), 8);
        assert_eq!(of_run([Category::Internal]), 70);
        assert_eq!(of_run([Category::Internal, Category::Tls]), 1);
    }
}

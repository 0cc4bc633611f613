//! `conn`: a connection tester for API profiles.
//!
//! It loads named profiles from a TOML file ([`config`]), tests them layer by layer
//! ([`check`]) over shared HTTP clients ([`net`]) with a hand-written OAuth token exchange
//! ([`oauth`]), and reports findings as data ([`report`]) with one exit code per failure
//! kind ([`exit`]). [`main`] is the whole program.

#![warn(missing_docs)]

pub mod atomic;
pub mod check;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod creds;
pub mod curl;
pub mod demo;
pub mod duration;
pub mod error;
pub mod exit;
pub mod expiry;
pub mod failure;
pub mod finding;
pub mod login;
pub mod net;
pub mod oauth;
pub mod progress;
pub mod redact;
pub mod report;
pub mod secret;
pub mod session;
pub mod store;
pub mod term;

use std::process::ExitCode;

use clap::Parser;

/// Run `conn` with the process's arguments and return its exit code.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    term::init(cli.global.no_color);
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            term::error(&e);
            exit::of_error(&e)
        }
    };
    ExitCode::from(code)
}

//! `conn completions SHELL`: the completion script, generated from the CLI definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionArgs};
use crate::error::Error;

/// Print the script for the shell.
pub fn run(a: &CompletionArgs) -> Result<u8, Error> {
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "conn", &mut buf);
    super::print(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}

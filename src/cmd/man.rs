//! `conn man`: the manual page (roff), generated from the CLI definition by clap_mangen.
//! Install with `conn man > ~/.local/share/man/man1/conn.1`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;

/// Print the man page.
pub fn run() -> Result<u8, Error> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| Error::io("cannot render the man page", e))?;
    super::print(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}

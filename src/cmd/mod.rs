//! Commands: each loads what it needs, calls the library, prints, and returns an exit code.
//! Nothing here speaks HTTP or decides a verdict.

pub mod add;
pub mod completions;
pub mod demo;
pub mod edit;
pub mod file;
pub mod login;
pub mod logout;
pub mod man;
pub mod profiles;
pub mod remove;
pub mod show;
mod show_assertion;
pub mod test;
pub mod token;
pub mod validate;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::config::{self, Config};
use crate::error::Error;

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<u8, Error> {
    let g = &cli.global;
    match &cli.command {
        Command::Test(a) => test::run(g, a),
        Command::Token(a) => token::run(g, a),
        Command::Login(a) => login::run(g, a),
        Command::Logout(a) => logout::run(g, a),
        Command::Profiles => profiles::run(g),
        Command::Show(a) => show::run(g, a),
        Command::Validate(a) => validate::run(g, a),
        Command::Demo(a) => demo::run(g, a),
        Command::Add(a) => add::run(g, a),
        Command::Remove(a) => remove::run(g, a),
        Command::Edit(a) => edit::run(g, a),
        Command::Completions(a) => completions::run(a),
        Command::Man => man::run(),
    }
}

/// Find and read the profiles file; warn when literal secrets sit in a file others can read.
pub fn load(g: &crate::cli::Global) -> Result<Config, Error> {
    let path = config::discover(g.config.as_deref())?;
    warn_literal(Config::load(&path)?)
}

/// [`load`] for a command that needs one profile (`NAME` or `NAME@ENV`): other profiles'
/// bodies are not read when the file allows it ([`Config::load_one`]).
pub fn load_one(g: &crate::cli::Global, spec: &str) -> Result<Config, Error> {
    let path = config::discover(g.config.as_deref())?;
    let name = spec.split_once('@').map_or(spec, |(n, _)| n);
    warn_literal(Config::load_one(&path, name)?)
}

fn warn_literal(cfg: Config) -> Result<Config, Error> {
    // The permission check is one stat; the literal-secret check builds every profile.
    if config::readable_by_others(&cfg.path) && cfg.has_literal_secret() {
        crate::term::warn(&format!(
            "{} holds a secret written in the file and can be read by other users: run chmod 600 {}, or move the secret to {{ env = \"…\" }}",
            cfg.path.display(),
            cfg.path.display()
        ));
    }
    Ok(cfg)
}

/// Write to stdout; a closed pipe (`conn … | head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("cannot write to stdout", e)),
    }
}

/// Write a file a person named (`--output`): see [`crate::atomic::write`]; a new file is
/// private to its owner.
pub fn write_atomic(path: &std::path::Path, text: &str) -> Result<(), Error> {
    crate::atomic::write(path, text.as_bytes(), 0o600)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// A single-threaded runtime, for commands that talk to one profile's servers.
pub fn current_thread() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start", e))
}

//! The command line, as clap types only. Conventions: long flags in kebab-case, values named
//! in upper case (`--config PATH`), every flag documented in one line; behaviour lives in
//! `cmd/`, not here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Test API connections: find which layer is broken (DNS, connect, TLS, token, scopes,
/// probe) and what to change.
#[derive(Debug, Parser)]
#[command(name = "conn", version, about, long_about = None, max_term_width = 100, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The exit-code table of `conn --help` and the man page (the codes are in `exit.rs`).
const EXIT_CODES: &str = "\
Exit codes:
  0   every profile passed (warnings allowed unless --strict)
  1   several profiles failed for different reasons
  2   usage or configuration error
  3   network: DNS, connection refused, timeout, proxy
  4   TLS: untrusted or expired certificate, name mismatch, handshake failure
  5   authentication: credentials rejected
  6   permission: authenticated but not allowed
  7   endpoint: wrong URL, redirect at the token URL, 5xx, malformed answer
  8   interactive login required
  70  internal error in conn (a bug, or output it could not write)";

/// Options for every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Profiles file (else $CONN_CONFIG, ./profiles.toml, ~/.config/conn/profiles.toml)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Environment of every profile named without @ENV
    #[arg(long, global = true, value_name = "ENV", env = "CONN_ENV")]
    pub env: Option<String>,
    /// No colour (also NO_COLOR)
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print only failures
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Trace requests and responses on stderr (secrets redacted)
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test profiles: reach the endpoints, obtain a token, make a read-only call, explain failures
    Test(TestArgs),
    /// Print a valid access token for scripts (from the store while it is good)
    Token(TokenArgs),
    /// Sign in once in a browser (authorization code, OpenID Connect); later runs refresh it
    Login(LoginArgs),
    /// Forget stored tokens and logins
    Logout(LogoutArgs),
    /// List the profiles with their token state
    Profiles,
    /// Show a profile as resolved: defaults and environment applied, effective URLs, secret sources
    Show(ShowArgs),
    /// Check the profiles file without network or secrets; every problem at once (--secrets: resolve them too)
    Validate(ValidateArgs),
    /// Run the tester against a built-in local service with healthy and broken profiles
    Demo(DemoArgs),
    /// Add a profile to the profiles file (asks in a terminal, or takes flags)
    Add(AddArgs),
    /// Remove a profile from the profiles file
    Remove(RemoveArgs),
    /// Edit the profiles file in $EDITOR; validated before it is saved
    Edit(EditArgs),
    /// Print a shell completion script
    Completions(CompletionArgs),
    /// Print the manual page (roff)
    Man,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people
    Human,
    /// conn.report/v1
    Json,
    /// JUnit XML, one testcase per profile
    Junit,
}

/// `conn test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Profiles to test, as NAME or NAME@ENV
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// Test every profile
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,
    /// Test every profile with this tag (repeatable)
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Report format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// How many profiles to test at once
    #[arg(short, long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Total deadline for each HTTP exchange, overriding the profiles (e.g. 10s; at most 1h)
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Obtain credentials but make no probe call
    #[arg(long)]
    pub no_probe: bool,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
}

/// `conn token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// NAME or NAME@ENV
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// Output: the token alone, an HTTP header, or JSON
    #[arg(long, value_enum, default_value_t = TokenFormat::Raw)]
    pub format: TokenFormat,
    /// Reuse a stored token only if it stays valid this long (at least 60s)
    #[arg(long, value_name = "DURATION", value_parser = parse_min_ttl)]
    pub min_ttl: Option<std::time::Duration>,
    /// Neither read nor write the token store
    #[arg(long)]
    pub no_cache: bool,
}

/// `conn token` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenFormat {
    /// The token and a newline
    Raw,
    /// `Authorization: Bearer …` (for basic and api-key profiles, their header)
    Header,
    /// {"access_token","token_type","expires_at","scope"}
    Json,
}

/// `conn login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// NAME or NAME@ENV
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// Print the sign-in address instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,
    /// Sign in with a code on another device (RFC 8628), for machines without a browser
    #[arg(long)]
    pub device: bool,
    /// How long to wait for the sign-in (default 5m; at most 1d)
    #[arg(long, value_name = "DURATION", value_parser = parse_login_timeout)]
    pub timeout: Option<std::time::Duration>,
}

/// `conn logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Profiles (NAME forgets every environment; NAME@ENV just that one)
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// Forget every stored token
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,
}

/// `conn show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// NAME or NAME@ENV
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// Print the token request and the probe as curl commands (secrets as $VARIABLES)
    #[arg(long)]
    pub curl: bool,
}

/// `conn validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Also resolve every secret (variables, files, commands), as a run would, e.g. in CI
    #[arg(long)]
    pub secrets: bool,
    /// Do not read secrets: the default (kept so that older scripts still work)
    #[arg(long, hide = true, conflicts_with = "secrets")]
    pub no_secrets: bool,
}

/// `conn demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Report format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `conn add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Name of the new profile
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Profile type: hypatos, hypergene or rest
    #[arg(long = "type", value_name = "TYPE", value_parser = ["hypatos", "hypergene", "rest"])]
    pub ty: Option<String>,
    /// Auth kind (rest: none, basic, api-key, oauth2-client-credentials, ...; hypergene: oauth2, basic)
    #[arg(long, value_name = "KIND", value_parser = crate::config::auth_kind::ADD_NAMES)]
    pub auth: Option<String>,
    /// A setting, dotted keys allowed (e.g. auth.token_url=https://...); repeatable
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// A value read from an environment variable: writes KEY = { env = "VAR" }; repeatable
    #[arg(long, value_name = "KEY=VAR")]
    pub secret_env: Vec<String>,
    /// Allow secrets written into the file (--set client_secret=...)
    #[arg(long)]
    pub literal_secret: bool,
}

/// `conn remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The profile to remove
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
}

/// `conn edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The profile to edit
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// `conn completions`.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// Shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// A duration such as `500ms`, `10s`, `2m`, at most `max`.
fn parse_duration(s: &str, max: std::time::Duration) -> Result<std::time::Duration, String> {
    crate::duration::parse(s, max).map_err(|e| match e {
        crate::duration::DurationError::Invalid { .. } => format!("{e} (write e.g. 500ms, 10s, 2m)"),
        other => other.to_string(),
    })
}

/// `conn test --timeout`: at most an hour, like `timeout` in the profiles file.
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    parse_duration(s, crate::duration::MAX_TIMEOUT)
}

/// `conn login --timeout`: at most a day.
pub fn parse_login_timeout(s: &str) -> Result<std::time::Duration, String> {
    parse_duration(s, crate::duration::MAX_LOGIN_TIMEOUT)
}

/// `conn token --min-ttl`: at most 100 years.
pub fn parse_min_ttl(s: &str) -> Result<std::time::Duration, String> {
    parse_duration(s, crate::duration::MAX_MIN_TTL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_test_flags() {
        let c = Cli::try_parse_from([
            "conn",
            "test",
            "a@b",
            "c",
            "-j",
            "4",
            "--format",
            "json",
            "--timeout",
            "2s",
        ])
        .unwrap();
        let Command::Test(t) = c.command else { panic!() };
        assert_eq!(t.profiles, vec!["a@b", "c"]);
        assert_eq!(t.jobs, 4);
        assert!(Cli::try_parse_from(["conn", "test", "--timeout", "soon"]).is_err());
    }
}

//! `conn validate`: every problem in the profiles file at once, without network and without
//! secrets, so that a fresh copy of the example validates on a new machine. With `--secrets`
//! every secret source is also resolved (variables, files, commands), so that CI finds a
//! missing one before a run needs it.

use crate::check::plain_http_refusal;
use crate::cli::{Global, ValidateArgs};
use crate::config::Problem;
use crate::config::problems::ProblemSet;
use crate::error::{ConfigError, Error};
use crate::secret::Source;

/// Validate the file; exit 2 with every problem, 0 when clean.
pub fn run(g: &Global, a: &ValidateArgs) -> Result<u8, Error> {
    // Not freed: the process ends right after, and freeing thousands of built profiles one
    // by one takes longer than building them.
    let cfg = std::mem::ManuallyDrop::new(super::load(g)?);
    let mut problems = ProblemSet::from(cfg.validate());
    let n = cfg.names().len();
    for b in cfg.built() {
        let Some(p) = &b.profile else { continue };
        let label = match &b.env {
            Some(e) => format!("profiles.{}@{e}", b.name),
            None => format!("profiles.{}", b.name),
        };
        if let Some(f) = plain_http_refusal(p) {
            problems.push(Problem {
                span: None,
                path: label.clone(),
                message: f.summary(),
                help: f.hints().first().cloned(),
            });
        }
        let prefix = if p.ty == crate::config::ProfileType::Rest {
            "auth."
        } else {
            ""
        };
        if let Some(c) = p.auth.oauth()
            && let Some(assertion) = &c.assertion
        {
            // Without --secrets nothing outside the file is read (a client id may be a command).
            let id = if a.secrets {
                c.client_id.resolve_plain().unwrap_or_default()
            } else {
                String::new()
            };
            for (key, message) in crate::creds::assertion_problems(assertion, &id, a.secrets) {
                problems.push(Problem {
                    span: None,
                    path: format!("{label}.{prefix}{key}"),
                    message,
                    help: None,
                });
            }
        }
        if !a.secrets {
            continue;
        }
        for (key, src) in sources(p) {
            if matches!(src, Source::Literal(_)) {
                continue;
            }
            if let Err(e) = src.resolve() {
                problems.push(Problem {
                    span: None,
                    path: format!("{label}.{prefix}{key}"),
                    message: e.0,
                    help: None,
                });
            }
        }
    }
    if problems.is_empty() {
        super::print(&format!(
            "{}: {n} profile{} valid\n",
            cfg.path.display(),
            if n == 1 { "" } else { "s" }
        ))?;
        return Ok(0);
    }
    Err(Error::from(ConfigError {
        file: cfg.path.clone(),
        text: cfg.text.clone(),
        problems: problems.into_vec(),
    }))
}

/// The outside values a profile reads, with their keys.
pub fn sources(p: &crate::config::Profile) -> Vec<(&'static str, &Source)> {
    use crate::config::Auth;
    let mut v = Vec::new();
    if let Some(c) = p.auth.oauth() {
        v.push(("client_id", &c.client_id));
        if let Some(s) = &c.client_secret {
            v.push(("client_secret", s));
        }
    }
    match &p.auth {
        Auth::Basic { username, password } | Auth::Password { username, password, .. } => {
            v.push(("username", username));
            v.push(("password", password));
        }
        Auth::ApiKey { key, .. } => v.push(("key", key)),
        Auth::None | Auth::ClientCredentials(_) | Auth::Interactive { .. } => {}
    }
    v
}

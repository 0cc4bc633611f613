//! The profiles file: where it is found, how it is read, and how a profile is selected.
//!
//! Discovery order (first match wins): `--config PATH`, `$CONN_CONFIG`, `./profiles.toml`,
//! `<config dir>/conn/profiles.toml`. The file is parsed once into a spanned tree
//! ([`tree`]); a profile is then selected by name, its environment's overrides merged over
//! it, `[defaults]` applied, and the result checked into a [`Profile`] ([`parse`]).
//! Secrets are not resolved here: they are resolved by the command that needs them.

pub mod assertion;
pub mod auth_kind;
pub mod parse;
pub mod problems;
pub mod profile;
mod quick;
pub mod tree;

#[cfg(test)]
mod proptests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use auth_kind::AuthKind;
pub use problems::{ConfigError, Error, Problem, render_problem};
pub use profile::*;
use tree::{Table, Value};

/// Where to look for the profiles file.
pub fn discover(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("CONN_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let mut looked = Vec::new();
    let local = PathBuf::from("profiles.toml");
    if local.is_file() {
        return Ok(local);
    }
    looked.push("./profiles.toml".to_string());
    if let Some(dir) = dirs::config_dir() {
        let p = dir.join("conn").join("profiles.toml");
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    }
    Err(Error::NoConfig { looked })
}

/// A loaded profiles file.
pub struct Config {
    /// Its path.
    pub path: PathBuf,
    /// Its text, for positions in messages.
    pub text: String,
    defaults: Net,
    profiles: Vec<(String, tree::Entry)>,
    /// Position of each profile in `profiles`, by name (first definition wins).
    index: HashMap<String, usize>,
    /// Problems outside any profile (`[defaults]`, top level).
    pub file_problems: Vec<Problem>,
    /// Whether a secret is written literally in the file: worked out on first use, since
    /// it means building every profile.
    literal_secret: OnceLock<bool>,
    /// Every profile built as written and in each environment, once, when first asked.
    built: OnceLock<Vec<Built>>,
    /// The URLs parsed so far.
    urls: parse::UrlCache,
}

/// One profile built as written (`env` none) or in one of its environments, with the
/// problems building it found.
pub struct Built {
    /// The profile's name.
    pub name: String,
    /// The environment, or none for the profile as written.
    pub env: Option<String>,
    /// The profile, when it could be built.
    pub profile: Option<Profile>,
    /// What building it found.
    pub problems: Vec<Problem>,
    /// Whether it holds a secret written in the file.
    literal_secret: bool,
}

/// Which `[profiles.NAME]` keys are not part of the profile itself.
const ENVIRONMENTS: &str = "environments";

impl Config {
    /// Read and parse a profiles file. Syntax errors fail here; everything else is found when
    /// a profile is selected or validated.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = read_capped(path)?;
        Config::from_text(path, text)
    }

    /// Read a profiles file for a command that needs only the profile `name`: the other
    /// profiles are not read into the tree (see [`quick`]) when the file allows it. Whatever `select(name)` finds is the same as after [`Config::load`]; a problem
    /// inside another profile (found by `validate`) is not looked for.
    pub fn load_one(path: &Path, name: &str) -> Result<Config, Error> {
        let text = read_capped(path)?;
        let Some(only) = quick::only(&text, name) else {
            return Config::from_text(path, text);
        };
        let Ok(mut doc) = tree::parse(&only.text) else {
            // Reported from the whole text, exactly as `load` does.
            return Config::from_text(path, text);
        };
        doc.replace_spans(&|r| only.place(r));
        let cfg = Config::from_tree(path, text, doc);
        // The grammar pass saw no string that could be a written secret.
        let _ = cfg.literal_secret.set(false);
        Ok(cfg)
    }

    /// Parse profiles from text; `path` names it in messages and anchors relative paths.
    pub fn from_text(path: &Path, text: String) -> Result<Config, Error> {
        let doc = tree::parse(&text).map_err(|errs| ConfigError {
            file: path.to_path_buf(),
            problems: errs
                .into_iter()
                .map(|(message, span)| Problem {
                    span,
                    path: String::new(),
                    message: format!("invalid TOML: {message}"),
                    help: None,
                })
                .collect(),
            text: text.clone(),
        })?;
        Ok(Config::from_tree(path, text, doc))
    }

    /// The profiles of a parsed file; `text` is the file's, for positions in messages.
    fn from_tree(path: &Path, text: String, mut doc: Table) -> Config {
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let urls = parse::UrlCache::default();
        let mut reader = parse::Reader {
            problems: Vec::new(),
            base_dir: &base_dir,
            literal_secret: false,
            urls: &urls,
        };
        let whole = 0..0;
        let top = parse::Obj {
            table: &doc,
            path: "",
            span: &whole,
        };
        for e in &doc.entries {
            if e.key != "defaults" && e.key != "profiles" {
                let help = parse::suggest(&e.key, ["defaults", "profiles"])
                    .map(|s| format!("did you mean `[{s}]`?"))
                    .or_else(|| Some("a profile is a table [profiles.NAME]".into()));
                reader.push(Some(e.key_span.clone()), e.key.clone(), "unknown top-level key", help);
            }
        }
        let _ = top;
        let mut defaults = Net::default();
        if let Some(d) = doc.get("defaults")
            && let Some(t) = reader.table(d, "defaults".to_string(), "a table")
        {
            let obj = parse::Obj {
                table: t,
                path: "defaults",
                span: &d.node.span,
            };
            reader.unknown_keys(obj, parse::NET_KEYS, " in [defaults]");
            defaults = reader.net(obj, &Net::default());
        }
        let mut profiles = Vec::new();
        // Moved out of the tree, not copied: the profiles are most of the file.
        if let Some(p) = doc.remove("profiles")
            && reader
                .table(&p, "profiles".to_string(), "tables [profiles.NAME]")
                .is_some()
            && let Value::Table(t) = p.node.value
        {
            for e in t.entries {
                if !valid_name(&e.key) {
                    reader.push(
                        Some(e.key_span.clone()),
                        format!("profiles.{}", quoted_key(&e.key)),
                        "a profile name may hold only letters, digits, '-', '_' and '.'",
                        None,
                    );
                }
                if reader
                    .table(&e, format!("profiles.{}", e.key), "a table [profiles.NAME]")
                    .is_some()
                {
                    profiles.push((e.key.clone(), e));
                }
            }
        }
        let file_problems = reader.problems;
        let mut index = HashMap::with_capacity(profiles.len());
        for (i, (name, _)) in profiles.iter().enumerate() {
            index.entry(name.clone()).or_insert(i);
        }
        Config {
            path: path.to_path_buf(),
            text,
            defaults,
            profiles,
            index,
            file_problems,
            literal_secret: OnceLock::new(),
            built: OnceLock::new(),
            urls,
        }
    }

    /// Whether a secret is written literally in the file. Known only after reading every
    /// profile (without resolving anything), so it is worked out once, when first asked.
    pub fn has_literal_secret(&self) -> bool {
        *self
            .literal_secret
            .get_or_init(|| self.built().iter().any(|b| b.env.is_none() && b.literal_secret))
    }

    /// Every profile, as written and in each of its environments, in file order (each
    /// profile's environments right after it); built once, for `validate`, the check for
    /// written secrets and listings that need them all.
    pub fn built(&self) -> &[Built] {
        self.built.get_or_init(|| {
            let mut all = Vec::new();
            for name in self.names() {
                let envs = self.environments(name);
                for env in std::iter::once(None).chain(envs.into_iter().map(Some)) {
                    let mut r = self.reader();
                    let profile = self.build(&mut r, name, env.as_deref());
                    all.push(Built {
                        name: name.to_string(),
                        env,
                        profile,
                        problems: r.problems,
                        literal_secret: r.literal_secret,
                    });
                }
            }
            all
        })
    }

    fn reader(&self) -> parse::Reader<'_> {
        parse::Reader {
            problems: Vec::new(),
            base_dir: self.path.parent().unwrap_or(Path::new("")),
            literal_secret: false,
            urls: &self.urls,
        }
    }

    /// Profile names in file order.
    pub fn names(&self) -> Vec<&str> {
        self.profiles.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn entry(&self, name: &str) -> Option<&tree::Entry> {
        self.index.get(name).map(|&i| &self.profiles[i].1)
    }

    /// The environments a profile defines.
    pub fn environments(&self, name: &str) -> Vec<String> {
        let Some(e) = self.entry(name) else { return Vec::new() };
        let Value::Table(t) = &e.node.value else {
            return Vec::new();
        };
        match t.get(ENVIRONMENTS).map(|e| &e.node.value) {
            Some(Value::Table(envs)) => envs.entries.iter().map(|e| e.key.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Tags of a profile, read without validating the rest.
    pub fn tags(&self, name: &str) -> Vec<String> {
        let Some(e) = self.entry(name) else { return Vec::new() };
        let Value::Table(t) = &e.node.value else {
            return Vec::new();
        };
        match t.get("tags").map(|e| &e.node.value) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|n| match &n.value {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            Some(Value::Str(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    fn build(&self, r: &mut parse::Reader<'_>, name: &str, env: Option<&str>) -> Option<Profile> {
        let entry = self.entry(name)?;
        let Value::Table(base) = &entry.node.value else {
            return None;
        };
        // Copied only when environments are taken out or merged in.
        let (mut owned, envs_entry): (Option<Table>, _) = match base.get(ENVIRONMENTS) {
            Some(_) => {
                let mut t = base.clone();
                let e = t.remove(ENVIRONMENTS);
                (Some(t), e)
            }
            None => (None, None),
        };
        let path_base = format!("profiles.{name}");
        let mut path = path_base.clone();
        let mut environments = Vec::new();
        if let Some(envs) = &envs_entry
            && let Some(t) = r.table(
                envs,
                format!("{path_base}.environments"),
                "tables [profiles.NAME.environments.ENV]",
            )
        {
            for e in &t.entries {
                environments.push(e.key.clone());
                r.table(e, format!("{path_base}.environments.{}", e.key), "a table of overrides");
            }
        }
        if let Some(env) = env {
            let over = envs_entry.as_ref().and_then(|e| match &e.node.value {
                Value::Table(t) => t.get(env),
                _ => None,
            });
            match over.map(|o| &o.node.value) {
                Some(Value::Table(o)) => {
                    if let Some(bad) = o.get(ENVIRONMENTS) {
                        r.push(
                            Some(bad.key_span.clone()),
                            format!("{path_base}.environments.{env}.environments"),
                            "environments cannot be nested",
                            None,
                        );
                    }
                    owned.get_or_insert_with(|| base.clone()).merge(o);
                    path = format!("{path_base}@{env}");
                }
                Some(_) => return None,
                None => {
                    let list = if environments.is_empty() {
                        "it defines none".to_string()
                    } else {
                        format!("it has: {}", environments.join(", "))
                    };
                    let help = parse::suggest(env, environments.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{name}@{s}`?"));
                    r.push(
                        None,
                        path_base.clone(),
                        format!("profile `{name}` has no environment `{env}`; {list}"),
                        help,
                    );
                    return None;
                }
            }
        }
        let obj = parse::Obj {
            table: owned.as_ref().unwrap_or(base),
            path: &path,
            span: &entry.node.span,
        };
        r.profile(name, env, obj, &self.defaults, environments)
    }

    /// Select `name` or `name@env` (the `@` form wins over `env`), fully checked.
    pub fn select(&self, spec: &str, env: Option<&str>) -> Result<Profile, Error> {
        let (name, env) = match spec.split_once('@') {
            Some((n, e)) => (n, Some(e)),
            None => (spec, env.filter(|e| !e.is_empty())),
        };
        if self.entry(name).is_none() {
            return Err(self.unknown_profile(name));
        }
        let mut r = self.reader();
        let p = self.build(&mut r, name, env);
        let mut problems = self.file_problems.clone();
        problems.extend(r.problems);
        match p {
            Some(p) if problems.is_empty() => Ok(p),
            _ => Err(Error::Invalid(ConfigError {
                file: self.path.clone(),
                text: self.text.clone(),
                problems,
            })),
        }
    }

    /// The error for a name that is not in the file, with the closest one.
    pub fn unknown_profile(&self, name: &str) -> Error {
        let names = self.names();
        Error::UnknownProfile {
            name: name.to_string(),
            file: self.path.clone(),
            suggestion: parse::suggest(name, names.iter().copied()).map(str::to_string),
            available: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Every problem in the file: each profile as written and in each of its environments.
    pub fn validate(&self) -> Vec<Problem> {
        let mut all = problems::ProblemSet::from(self.file_problems.clone());
        let mut base: &[Problem] = &[];
        for b in self.built() {
            if b.env.is_none() {
                base = &b.problems;
                for p in base {
                    all.push(p.clone());
                }
                continue;
            }
            for p in &b.problems {
                // The same problem seen through an environment is reported once.
                if !base.iter().any(|o| o.span == p.span && o.message == p.message) {
                    all.push(p.clone());
                }
            }
        }
        all.into_vec()
    }

    /// Build every profile that is valid (used by `--all`, `--tag` and listings).
    pub fn profile_lenient(&self, name: &str, env: Option<&str>) -> (Option<Profile>, Vec<Problem>) {
        let mut r = self.reader();
        let p = self.build(&mut r, name, env);
        (p, r.problems)
    }
}

/// The largest profiles file conn reads: far beyond any real one (thousands of profiles fit
/// in a few MiB), small enough that `--config /dev/zero` or a runaway generator is refused
/// at once instead of filling memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The profiles file's text, read at most [`MAX_FILE_BYTES`] (+1 to tell it is larger), so
/// that devices and pipes that never end are refused too.
pub fn read_capped(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| Error::ReadConfig {
        path: path.to_path_buf(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".into(),
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            std::io::ErrorKind::IsADirectory => "it is a directory".into(),
            _ => e.to_string(),
        },
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::ReadConfig {
            path: path.to_path_buf(),
            reason: format!("the file is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
        });
    }
    String::from_utf8(bytes).map_err(|_| ConfigError::single(path, String::new(), "the file is not valid UTF-8"))
}

/// Letters, digits, `-`, `_`, `.`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn quoted_key(k: &str) -> String {
    format!("\"{}\"", k.escape_default())
}

/// Whether the file can be read by group or others (Unix).
pub fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o044 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

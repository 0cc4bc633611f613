//! Turning a profile's table into a [`Profile`], collecting every problem on the way.
//!
//! Each reader takes the table and its key path, reports what is wrong with one key as a
//! [`Problem`] (position, key path, message, suggestion) and goes on, so that `conn validate`
//! can list all problems at once. Unknown keys are checked against the keys valid for the
//! profile's type and auth kind, with a "did you mean".
//!
//! This module holds the [`Reader`], its problem helpers and the profile as a whole; the
//! readers of each part are beside it: `values` (strings, durations, URLs, tags),
//! `source` (secret sources), `net` (timeouts, proxy, certificates), `probe`,
//! `vendor` (each profile type's keys) and `auth` (OAuth clients and `rest` auth tables).

mod assertion;
mod auth;
mod net;
mod probe;
mod source;
mod values;
mod vendor;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use super::auth_kind::{AuthKind, Grant};
use super::problems::Problem;
use super::profile::*;
use super::tree::{Entry, Node, Table, Value};
use crate::secret::{DEFAULT_COMMAND_TIMEOUT, Secret, Source};

/// Problems found so far, and what reading needs to know about the file.
pub struct Reader<'a> {
    /// Problems found.
    pub problems: Vec<Problem>,
    /// Directory of the profiles file; relative paths are read from here.
    pub base_dir: &'a Path,
    /// Whether a secret is written literally in the file.
    pub literal_secret: bool,
    /// URLs parsed so far in this file: profiles often share theirs.
    pub urls: &'a UrlCache,
}

/// URL texts parsed, with what parsing said and whether the URL's secrets are registered
/// for masking (those of the file's own URLs are; a probe path joined to a base is not).
pub type UrlCache = std::sync::Mutex<std::collections::HashMap<String, (Result<Url, url::ParseError>, bool)>>;

/// Keys of `[defaults]`, also valid in every profile.
pub const NET_KEYS: &[&str] = &[
    "timeout",
    "connect_timeout",
    "ca_file",
    "proxy",
    "insecure_tls",
    "allow_insecure_http",
    "client_cert",
    "client_key",
];

const COMMON_KEYS: &[&str] = &["type", "description", "tags", "environments"];
/// The profile types.
pub const TYPES: &[&str] = &["hypatos", "hypergene", "rest"];
/// The `auth.type` values of a `rest` profile.
pub const REST_AUTH_TYPES: &[&str] = &super::auth_kind::NAMES;

/// Documented Hypatos API base (EU).
pub const HYPATOS_ENDPOINT: &str = "https://api.cloud.hypatos.ai/v2";
/// Documented Portfolios host.
pub const HYPERGENE_DOMAIN: &str = "https://hub.portfolio.hypergene.cloud";
/// Documented Entra login host.
pub const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";
/// The Portfolios scope as Hypergene documents it (its GUID is not in canonical form).
pub const HYPERGENE_SCOPE: &str = "api://e3c1fe1d-65fc-48dd-ad12a948b6f6d4d1/.default";

/// A table and its key path.
#[derive(Clone, Copy)]
pub struct Obj<'t> {
    /// The table.
    pub table: &'t Table,
    /// Its key path.
    pub path: &'t str,
    /// Where it stands.
    pub span: &'t Range<usize>,
}

impl<'t> Obj<'t> {
    fn get(&self, key: &str) -> Option<&'t Entry> {
        self.table.get(key)
    }
    fn key(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }
}

impl Reader<'_> {
    pub(super) fn push(
        &mut self,
        span: Option<Range<usize>>,
        path: String,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.problems.push(Problem {
            span,
            path,
            message: message.into(),
            help,
        });
    }

    /// The table `e` holds; when it holds something else, a problem at `path`:
    /// "expected {what}".
    pub(super) fn table<'e>(&mut self, e: &'e Entry, path: String, what: &str) -> Option<&'e Table> {
        match &e.node.value {
            Value::Table(t) => Some(t),
            _ => {
                self.push(Some(e.node.span.clone()), path, format!("expected {what}"), None);
                None
            }
        }
    }

    fn wrong_type(&mut self, obj: Obj<'_>, e: &Entry, expected: &str) {
        self.push(
            Some(e.node.span.clone()),
            obj.key(&e.key),
            format!("expected {expected}, found {}", e.node.value.type_name()),
            None,
        );
    }

    fn missing(&mut self, obj: Obj<'_>, key: &str, why: &str) {
        self.push(
            Some(obj.span.clone()),
            obj.key(key),
            format!("missing required key `{key}`{why}"),
            None,
        );
    }

    /// Report keys of `obj` that are not in `allowed`.
    pub fn unknown_keys(&mut self, obj: Obj<'_>, allowed: &[&str], context: &str) {
        for e in &obj.table.entries {
            if allowed.contains(&e.key.as_str()) {
                continue;
            }
            let help = suggest_key(&e.key, allowed).map(|s| format!("did you mean `{s}`?"));
            let help = help.or_else(|| {
                Some(format!(
                    "valid keys here{context}: {}",
                    allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ))
            });
            self.push(
                Some(e.key_span.clone()),
                obj.key(&e.key),
                format!("unknown key{context}"),
                help,
            );
        }
    }

    /// Read one profile from its (environment-merged) table.
    pub fn profile(
        &mut self,
        name: &str,
        env: Option<&str>,
        obj: Obj<'_>,
        defaults: &Net,
        environments: Vec<String>,
    ) -> Option<Profile> {
        let before = self.problems.len();
        let ty = match obj.get("type") {
            None => {
                self.missing(obj, "type", "");
                self.problems.last_mut().unwrap().help = Some("valid types: `hypatos`, `hypergene`, `rest`".into());
                return None;
            }
            Some(e) => match &e.node.value {
                Value::Str(s) => match s.as_str() {
                    "hypatos" => ProfileType::Hypatos,
                    "hypergene" => ProfileType::Hypergene,
                    "rest" => ProfileType::Rest,
                    _ => {
                        let help = suggest(s, TYPES.iter().copied()).map(|x| format!("did you mean `{x}`?"));
                        self.push(
                            Some(e.node.span.clone()),
                            obj.key("type"),
                            format!("`{s}` is not a profile type; valid: `hypatos`, `hypergene`, `rest`"),
                            help,
                        );
                        return None;
                    }
                },
                _ => {
                    self.wrong_type(obj, e, "a string");
                    return None;
                }
            },
        };
        let description = self.string(obj, "description").map(|s| s.0);
        let tags = self.tags(obj);
        let net = self.net(obj, defaults);
        let built = match ty {
            ProfileType::Hypatos => self.hypatos(obj),
            ProfileType::Hypergene => self.hypergene(obj),
            ProfileType::Rest => self.rest(obj),
        };
        if self.problems.len() > before {
            return None;
        }
        let (api_base, auth, probe, vendor) = built?;
        Some(Profile {
            name: name.to_string(),
            env: env.map(str::to_string),
            ty,
            description,
            tags,
            net,
            api_base,
            auth,
            probe,
            vendor,
            environments,
        })
    }

    fn keys(&mut self, obj: Obj<'_>, own: &[&str], context: &str) {
        let allowed: Vec<&str> = COMMON_KEYS.iter().chain(NET_KEYS).chain(own).copied().collect();
        self.unknown_keys(obj, &allowed, context);
    }
}

/// The closest candidate to `word`, when one is close enough to be a likely typo.
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The closest allowed key to an unknown one; never a key of the other certificate family
/// (the assertion's `client_certificate`/`private_key` against mutual TLS's
/// `client_cert`/`client_key`), which would move the credential to the wrong place.
fn suggest_key<'c>(word: &str, allowed: &[&'c str]) -> Option<&'c str> {
    use super::assertion::{SIGNING_FAMILY, TLS_FAMILY};
    let found = suggest(word, allowed.iter().copied())?;
    let family = |k: &str| {
        if SIGNING_FAMILY.contains(&k) {
            1
        } else if TLS_FAMILY.contains(&k) {
            2
        } else {
            0
        }
    };
    let both = SIGNING_FAMILY.iter().chain(TLS_FAMILY).copied();
    let mine = suggest(word, both).map_or(0, family);
    (mine == 0 || family(found) == 0 || mine == family(found)).then_some(found)
}

/// The node of a key, for positions.
pub fn node_of<'t>(t: &'t Table, key: &str) -> Option<&'t Node> {
    t.get(key).map(|e| &e.node)
}

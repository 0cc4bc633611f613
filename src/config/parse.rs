//! Turning a profile's table into a [`Profile`], collecting every problem on the way.
//!
//! Each reader takes the table and its key path, reports what is wrong with one key as a
//! [`Problem`] (position, key path, message, suggestion) and goes on, so that `conn validate`
//! can list all problems at once. Unknown keys are checked against the keys valid for the
//! profile's type and auth kind, with a "did you mean".

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use super::profile::*;
use super::tree::{Entry, Node, Table, Value};
use crate::secret::{DEFAULT_COMMAND_TIMEOUT, Secret, Source};

/// One thing wrong with the profiles file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Where in the file, when known.
    pub span: Option<Range<usize>>,
    /// Key path, e.g. `profiles.billing.auth.client_secret`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do, when there is something specific to say.
    pub help: Option<String>,
}

/// Problems found so far, and what reading needs to know about the file.
pub struct Reader<'a> {
    /// Problems found.
    pub problems: Vec<Problem>,
    /// Directory of the profiles file; relative paths are read from here.
    pub base_dir: &'a Path,
    /// Whether a secret is written literally in the file.
    pub literal_secret: bool,
}

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
pub const REST_AUTH_TYPES: &[&str] = &[
    "none",
    "basic",
    "api-key",
    "oauth2-client-credentials",
    "oauth2-password",
    "oauth2-authorization-code",
    "openid-connect",
];

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
    fn push(&mut self, span: Option<Range<usize>>, path: String, message: impl Into<String>, help: Option<String>) {
        self.problems.push(Problem {
            span,
            path,
            message: message.into(),
            help,
        });
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
            let help = suggest(&e.key, allowed.iter().copied()).map(|s| format!("did you mean `{s}`?"));
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

    fn string(&mut self, obj: Obj<'_>, key: &str) -> Option<(String, Range<usize>)> {
        let e = obj.get(key)?;
        match &e.node.value {
            Value::Str(s) => Some((s.clone(), e.node.span.clone())),
            _ => {
                self.wrong_type(obj, e, "a string");
                None
            }
        }
    }

    fn nonempty(&mut self, obj: Obj<'_>, key: &str) -> Option<String> {
        let (s, span) = self.string(obj, key)?;
        if s.trim().is_empty() {
            self.push(Some(span), obj.key(key), "must not be empty", None);
            return None;
        }
        Some(s.trim().to_string())
    }

    fn boolean(&mut self, obj: Obj<'_>, key: &str) -> Option<bool> {
        let e = obj.get(key)?;
        match e.node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.wrong_type(obj, e, "true or false");
                None
            }
        }
    }

    fn duration(&mut self, obj: Obj<'_>, key: &str) -> Option<Duration> {
        let e = obj.get(key)?;
        let help = Some("write a number with a unit, e.g. \"500ms\", \"30s\" or \"2m\"".to_string());
        let Value::Str(s) = &e.node.value else {
            self.push(
                Some(e.node.span.clone()),
                obj.key(key),
                format!("expected a duration string, found {}", e.node.value.type_name()),
                help,
            );
            return None;
        };
        match crate::duration::parse(s, crate::duration::MAX_TIMEOUT) {
            Ok(d) => Some(d),
            Err(err) => {
                let help = matches!(err, crate::duration::DurationError::Invalid { .. })
                    .then_some(help)
                    .flatten();
                self.push(Some(e.node.span.clone()), obj.key(key), err.to_string(), help);
                None
            }
        }
    }

    fn path(&mut self, obj: Obj<'_>, key: &str) -> Option<PathBuf> {
        let s = self.nonempty(obj, key)?;
        Some(self.resolve_path(&s))
    }

    fn resolve_path(&self, s: &str) -> PathBuf {
        let p = if let Some(rest) = s.strip_prefix("~/") {
            dirs::home_dir().map_or_else(|| PathBuf::from(s), |h| h.join(rest))
        } else {
            PathBuf::from(s)
        };
        if p.is_relative() { self.base_dir.join(p) } else { p }
    }

    /// An absolute http(s) URL.
    fn url(&mut self, obj: Obj<'_>, key: &str) -> Option<Url> {
        let (s, span) = self.string(obj, key)?;
        self.parse_url(s.trim(), span, obj.key(key))
    }

    fn parse_url(&mut self, s: &str, span: Range<usize>, path: String) -> Option<Url> {
        let parsed = Url::parse(s);
        if let Ok(u) = &parsed {
            // Whether or not the URL is accepted, an echo of its secrets is masked.
            crate::redact::url::register(u);
        }
        // Messages quote the text only as it may be shown: never a password or key in it.
        let quoted = crate::redact::url::shown_text(s);
        match parsed {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                // Refused rather than masked: a password in the file's URL would be a
                // literal secret with no env/file/command source, sent implicitly as Basic.
                if u.password().is_some() || !u.username().is_empty() {
                    self.push(
                        Some(span),
                        path,
                        "a URL must not carry a user name or password",
                        Some("put credentials in the auth settings, where they are kept secret".into()),
                    );
                    return None;
                }
                Some(u)
            }
            Ok(u) => {
                self.push(
                    Some(span),
                    path,
                    format!("`{}` is not an http or https URL", shown(&u)),
                    None,
                );
                None
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                let help = if !s.contains("://") && !s.is_empty() {
                    Some(format!("did you mean `https://{quoted}`?"))
                } else {
                    None
                };
                self.push(
                    Some(span),
                    path,
                    format!("`{quoted}` is not a URL: it has no scheme"),
                    help,
                );
                None
            }
            Err(e) => {
                self.push(Some(span), path, format!("`{quoted}` is not a valid URL ({e})"), None);
                None
            }
        }
    }

    /// A value that may come from outside the file. `secret`: a literal counts for the
    /// file-permission warning.
    pub fn source(&mut self, obj: Obj<'_>, key: &str, secret: bool) -> Option<Source> {
        let e = obj.get(key)?;
        let path = obj.key(key);
        let help = Some(format!(
            "write `{key} = {{ env = \"VARIABLE\" }}`, `{{ file = \"/path\" }}`, `{{ command = [\"program\", \"arg\"] }}` or a string"
        ));
        match &e.node.value {
            Value::Str(s) => {
                if s.is_empty() {
                    self.push(Some(e.node.span.clone()), path, "must not be empty", None);
                    return None;
                }
                if secret {
                    self.literal_secret = true;
                }
                if s.contains(['\r', '\n', '\0']) {
                    self.push(
                        Some(e.node.span.clone()),
                        path,
                        "contains a line break or NUL character",
                        None,
                    );
                    return None;
                }
                Some(Source::Literal(if secret {
                    Secret::new(s.clone())
                } else {
                    Secret::plain(s.clone())
                }))
            }
            Value::Table(t) => {
                let span = &e.node.span;
                let o = Obj {
                    table: t,
                    path: &path,
                    span,
                };
                let kinds: Vec<&Entry> = t
                    .entries
                    .iter()
                    .filter(|x| matches!(x.key.as_str(), "env" | "file" | "command"))
                    .collect();
                if kinds.len() != 1 {
                    self.push(
                        Some(span.clone()),
                        path.clone(),
                        "needs exactly one of `env`, `file` or `command`",
                        help,
                    );
                    self.unknown_keys(o, &["env", "file", "command", "timeout"], "");
                    return None;
                }
                let allowed: &[&str] = if kinds[0].key == "command" {
                    &["command", "timeout"]
                } else {
                    &[kinds[0].key.as_str()]
                };
                let before = self.problems.len();
                self.unknown_keys(o, allowed, "");
                let src = match kinds[0].key.as_str() {
                    "env" => self.nonempty(o, "env").map(Source::Env),
                    "file" => self.path(o, "file").map(Source::File),
                    _ => {
                        let timeout = self.duration(o, "timeout").unwrap_or(DEFAULT_COMMAND_TIMEOUT);
                        self.argv(o, "command").map(|argv| Source::Command { argv, timeout })
                    }
                };
                if self.problems.len() > before { None } else { src }
            }
            _ => {
                self.push(
                    Some(e.node.span.clone()),
                    path,
                    format!("expected a string or a table, found {}", e.node.value.type_name()),
                    help,
                );
                None
            }
        }
    }

    fn argv(&mut self, obj: Obj<'_>, key: &str) -> Option<Vec<String>> {
        let e = obj.get(key)?;
        let help = Some(
            "write the program and its arguments as a list, e.g. [\"pass\", \"show\", \"api\"]; no shell is used"
                .into(),
        );
        let Value::Array(items) = &e.node.value else {
            self.push(
                Some(e.node.span.clone()),
                obj.key(key),
                format!("expected a list of strings, found {}", e.node.value.type_name()),
                help,
            );
            return None;
        };
        let argv: Option<Vec<String>> = items
            .iter()
            .map(|n| match &n.value {
                Value::Str(s) if !s.contains('\0') => Some(s.clone()),
                _ => None,
            })
            .collect();
        match argv {
            Some(a) if !a.is_empty() && !a[0].is_empty() => Some(a),
            _ => {
                self.push(
                    Some(e.node.span.clone()),
                    obj.key(key),
                    "must be a non-empty list of strings",
                    help,
                );
                None
            }
        }
    }

    /// `scopes` (alias `scope`): space-delimited string or list.
    fn scopes(&mut self, obj: Obj<'_>) -> Option<Vec<String>> {
        let a = obj.get("scopes");
        let b = obj.get("scope");
        if let (Some(_), Some(e)) = (a, b) {
            self.push(
                Some(e.key_span.clone()),
                obj.key("scope"),
                "`scope` and `scopes` are the same setting; keep one",
                None,
            );
            return None;
        }
        let e = a.or(b)?;
        let mut out = Vec::new();
        match &e.node.value {
            Value::Str(s) => out.extend(s.split_whitespace().map(str::to_string)),
            Value::Array(items) => {
                for n in items {
                    match &n.value {
                        Value::Str(s) => out.extend(s.split_whitespace().map(str::to_string)),
                        other => {
                            self.push(
                                Some(n.span.clone()),
                                obj.key(&e.key),
                                format!("expected strings, found {}", other.type_name()),
                                None,
                            );
                            return None;
                        }
                    }
                }
            }
            _ => {
                self.wrong_type(obj, e, "a space-separated string or a list of strings");
                return None;
            }
        }
        Some(out)
    }

    fn params(&mut self, obj: Obj<'_>, key: &str) -> Vec<(String, String)> {
        let Some(e) = obj.get(key) else { return Vec::new() };
        let Value::Table(t) = &e.node.value else {
            self.wrong_type(obj, e, "a table of strings, e.g. { audience = \"https://api\" }");
            return Vec::new();
        };
        let mut out = Vec::new();
        for p in &t.entries {
            match &p.node.value {
                Value::Str(s) => out.push((p.key.clone(), s.clone())),
                Value::Int(Some(i)) => out.push((p.key.clone(), i.to_string())),
                Value::Bool(b) => out.push((p.key.clone(), b.to_string())),
                other => self.push(
                    Some(p.node.span.clone()),
                    format!("{}.{key}.{}", obj.path, p.key),
                    format!("expected a string, found {}", other.type_name()),
                    None,
                ),
            }
        }
        out
    }

    fn client_auth(&mut self, obj: Obj<'_>, default: ClientAuth) -> ClientAuth {
        let Some((s, span)) = self.string(obj, "client_auth") else {
            return default;
        };
        match s.as_str() {
            "basic" => ClientAuth::Basic,
            "basic-raw" => ClientAuth::BasicRaw,
            "post" => ClientAuth::Post,
            _ => {
                let help = suggest(&s, ["basic", "basic-raw", "post"]).map(|x| format!("did you mean `{x}`?"));
                self.push(
                    Some(span),
                    obj.key("client_auth"),
                    format!("`{s}` is not a client authentication method; valid: `basic`, `basic-raw`, `post`"),
                    help,
                );
                default
            }
        }
    }

    /// Connection settings: the profile's own, else `[defaults]`, else built-in.
    pub fn net(&mut self, obj: Obj<'_>, defaults: &Net) -> Net {
        let mut n = defaults.clone();
        if let Some(d) = self.duration(obj, "timeout") {
            n.timeout = d;
        }
        if let Some(d) = self.duration(obj, "connect_timeout") {
            n.connect_timeout = d;
        }
        if obj.get("ca_file").is_some() {
            n.ca_file = self.path(obj, "ca_file");
        }
        if obj.get("proxy").is_some() {
            n.proxy = self.url(obj, "proxy");
        }
        if let Some(b) = self.boolean(obj, "insecure_tls") {
            n.insecure_tls = b;
        }
        if let Some(b) = self.boolean(obj, "allow_insecure_http") {
            n.allow_insecure_http = b;
        }
        if obj.get("client_cert").is_some() {
            n.client_cert = self.path(obj, "client_cert");
        }
        if obj.get("client_key").is_some() {
            n.client_key = self.path(obj, "client_key");
        }
        if n.client_cert.is_some() != n.client_key.is_some() {
            let key = if n.client_cert.is_some() {
                "client_key"
            } else {
                "client_cert"
            };
            self.missing(obj, key, " (client_cert and client_key go together)");
        }
        n
    }

    fn probe(&mut self, obj: Obj<'_>, base: Option<&Url>) -> Probe {
        let Some(e) = obj.get("probe") else { return Probe::Auto };
        let path = obj.key("probe");
        let help = Some(
            "write a path such as \"/health\", false, or { method = \"GET\", path = \"/x\", expect = [200] }"
                .to_string(),
        );
        let at_base = |r: &mut Self, p: &str, span: Range<usize>, path: String| -> Option<Url> {
            if p.contains("://") {
                return r.parse_url(p, span, path);
            }
            base.and_then(|b| join(b, p))
        };
        match &e.node.value {
            Value::Bool(false) => Probe::Off,
            Value::Str(p) => match at_base(self, p.trim(), e.node.span.clone(), path) {
                Some(url) => Probe::Request(ProbeRequest {
                    method: "GET".into(),
                    url,
                    expect: Vec::new(),
                }),
                None => Probe::Auto,
            },
            Value::Table(t) => {
                let o = Obj {
                    table: t,
                    path: &path,
                    span: &e.node.span,
                };
                self.unknown_keys(o, &["method", "path", "url", "expect"], " of a probe");
                let method = match self.string(o, "method") {
                    None => "GET".to_string(),
                    Some((m, span)) => {
                        let up = m.to_ascii_uppercase();
                        if !matches!(up.as_str(), "GET" | "HEAD" | "OPTIONS") {
                            self.push(
                                Some(span),
                                o.key("method"),
                                format!("`{m}` is not allowed: a connection test never changes data"),
                                Some("use GET, HEAD or OPTIONS".into()),
                            );
                        }
                        up
                    }
                };
                let url = match (o.get("path"), o.get("url")) {
                    (Some(_), Some(u)) => {
                        self.push(
                            Some(u.key_span.clone()),
                            o.key("url"),
                            "give `path` or `url`, not both",
                            None,
                        );
                        None
                    }
                    (Some(p), None) => match &p.node.value {
                        Value::Str(s) => at_base(self, s.trim(), p.node.span.clone(), o.key("path")),
                        _ => {
                            self.wrong_type(o, p, "a string");
                            None
                        }
                    },
                    (None, Some(_)) => self.url(o, "url"),
                    (None, None) => {
                        self.missing(o, "path", " (or `url`)");
                        None
                    }
                };
                let mut expect = Vec::new();
                if let Some(x) = o.get("expect") {
                    let codes = match &x.node.value {
                        Value::Int(Some(i)) => Some(vec![*i]),
                        Value::Array(items) => items
                            .iter()
                            .map(|n| match n.value {
                                Value::Int(Some(i)) => Some(i),
                                _ => None,
                            })
                            .collect(),
                        _ => None,
                    };
                    match codes {
                        Some(c) if c.iter().all(|i| (100..=599).contains(i)) && !c.is_empty() => {
                            expect = c.into_iter().map(|i| i as u16).collect();
                        }
                        _ => self.push(
                            Some(x.node.span.clone()),
                            o.key("expect"),
                            "expected a list of HTTP status codes, e.g. [200, 204]",
                            None,
                        ),
                    }
                }
                match url {
                    Some(url) if matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") => {
                        Probe::Request(ProbeRequest { method, url, expect })
                    }
                    _ => Probe::Auto,
                }
            }
            _ => {
                self.push(
                    Some(e.node.span.clone()),
                    path,
                    format!("expected a path, false or a table, found {}", e.node.value.type_name()),
                    help,
                );
                Probe::Auto
            }
        }
    }

    fn tags(&mut self, obj: Obj<'_>) -> Vec<String> {
        let Some(e) = obj.get("tags") else { return Vec::new() };
        match &e.node.value {
            Value::Array(items) => items
                .iter()
                .filter_map(|n| match &n.value {
                    Value::Str(s) => Some(s.clone()),
                    other => {
                        self.push(
                            Some(n.span.clone()),
                            obj.key("tags"),
                            format!("expected strings, found {}", other.type_name()),
                            None,
                        );
                        None
                    }
                })
                .collect(),
            Value::Str(s) => vec![s.clone()],
            _ => {
                self.wrong_type(obj, e, "a list of strings");
                Vec::new()
            }
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

    fn hypatos(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        self.keys(
            obj,
            &[
                "endpoint",
                "token_url",
                "client_id",
                "client_secret",
                "scope",
                "scopes",
                "client_auth",
                "probe",
                "token_params",
            ],
            " for type = \"hypatos\"",
        );
        let endpoint = if obj.get("endpoint").is_some() {
            self.url(obj, "endpoint")
        } else {
            Url::parse(HYPATOS_ENDPOINT).ok()
        };
        let token_url = if obj.get("token_url").is_some() {
            self.url(obj, "token_url")
        } else {
            endpoint.as_ref().and_then(|e| join(e, "auth/token"))
        };
        let client = self.oauth_client(obj, token_url, ClientAuth::Basic, true, " (type = \"hypatos\")");
        let probe = self.probe(obj, endpoint.as_ref());
        Some((endpoint?, Auth::ClientCredentials(client?), probe, Vendor::Hypatos))
    }

    fn oauth_client(
        &mut self,
        obj: Obj<'_>,
        token_url: Option<Url>,
        default_auth: ClientAuth,
        secret_required: bool,
        why: &str,
    ) -> Option<OAuthClient> {
        let client_id = self.source(obj, "client_id", false);
        if obj.get("client_id").is_none() {
            self.missing(obj, "client_id", why);
        }
        let client_secret = self.source(obj, "client_secret", true);
        if secret_required && obj.get("client_secret").is_none() {
            self.missing(obj, "client_secret", why);
        }
        let scopes = self.scopes(obj).unwrap_or_default();
        let client_auth = self.client_auth(obj, default_auth);
        let token_params = self.params(obj, "token_params");
        Some(OAuthClient {
            token_url: token_url?,
            client_id: client_id?,
            client_secret,
            scopes,
            client_auth,
            token_params,
        })
    }

    fn hypergene(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        let mode = match self.string(obj, "auth") {
            None => "oauth2".to_string(),
            Some((s, span)) if s == "oauth2" || s == "basic" => {
                let _ = span;
                s
            }
            Some((s, span)) => {
                let help = suggest(&s, ["oauth2", "basic"]).map(|x| format!("did you mean `{x}`?"));
                self.push(
                    Some(span),
                    obj.key("auth"),
                    format!("`{s}` is not a Hypergene auth; valid: `oauth2`, `basic`"),
                    help,
                );
                return None;
            }
        };
        let common = ["auth", "portfolio_id", "domain", "probe"];
        let own: Vec<&str> = if mode == "basic" {
            common.iter().chain(&["username", "password"]).copied().collect()
        } else {
            common
                .iter()
                .chain(&[
                    "tenant_id",
                    "authority",
                    "token_url",
                    "client_id",
                    "client_secret",
                    "scope",
                    "scopes",
                    "client_auth",
                    "token_params",
                ])
                .copied()
                .collect()
        };
        self.keys(obj, &own, &format!(" for type = \"hypergene\" with auth = \"{mode}\""));
        let portfolio_id = self.nonempty(obj, "portfolio_id");
        if obj.get("portfolio_id").is_none() {
            self.missing(obj, "portfolio_id", " (type = \"hypergene\")");
        }
        if let Some(p) = &portfolio_id
            && p.contains(['/', '?', '#', ' '])
        {
            let span = obj.get("portfolio_id").map(|e| e.node.span.clone());
            self.push(
                span,
                obj.key("portfolio_id"),
                "must be a portfolio id, not a path or URL",
                None,
            );
        }
        let domain = match obj.get("domain") {
            None => Url::parse(HYPERGENE_DOMAIN).ok(),
            Some(e) => match &e.node.value {
                Value::Str(s) if !s.contains("://") && !s.trim().is_empty() => {
                    self.push(
                        Some(e.node.span.clone()),
                        obj.key("domain"),
                        format!("`{s}` looks like the old sub-domain setting, not a URL"),
                        Some(format!(
                            "write the whole address, e.g. \"{HYPERGENE_DOMAIN}\" (older connectors took only the sub-domain, such as \"hub\")"
                        )),
                    );
                    None
                }
                _ => self.url(obj, "domain"),
            },
        };
        let api_base = match (&domain, &portfolio_id) {
            (Some(d), Some(p)) => join(d, &format!("{p}/api/v2")),
            _ => None,
        };
        let probe = self.probe(obj, api_base.as_ref());
        let (auth, entra) = if mode == "basic" {
            let username = self.source(obj, "username", false);
            let password = self.source(obj, "password", true);
            for k in ["username", "password"] {
                if obj.get(k).is_none() {
                    self.missing(obj, k, " (auth = \"basic\")");
                }
            }
            (
                Auth::Basic {
                    username: username?,
                    password: password?,
                },
                None,
            )
        } else {
            let tenant = self.nonempty(obj, "tenant_id");
            let authority = if obj.get("authority").is_some() {
                self.url(obj, "authority")
            } else {
                Url::parse(ENTRA_AUTHORITY).ok()
            };
            let (token_url, entra) = if obj.get("token_url").is_some() {
                (self.url(obj, "token_url"), None)
            } else {
                if obj.get("tenant_id").is_none() {
                    self.missing(obj, "tenant_id", " (auth = \"oauth2\" without `token_url`)");
                }
                match (&authority, &tenant) {
                    (Some(a), Some(t)) => (
                        join(a, &format!("{t}/oauth2/v2.0/token")),
                        Some(Entra {
                            authority: a.clone(),
                            tenant: t.clone(),
                        }),
                    ),
                    _ => (None, None),
                }
            };
            let mut client = self.oauth_client(obj, token_url, ClientAuth::Post, true, " (auth = \"oauth2\")");
            if let Some(c) = &mut client
                && c.scopes.is_empty()
                && obj.get("scope").is_none()
                && obj.get("scopes").is_none()
            {
                c.scopes = vec![HYPERGENE_SCOPE.to_string()];
            }
            (Auth::ClientCredentials(client?), entra)
        };
        Some((
            api_base?,
            auth,
            probe,
            Vendor::Hypergene {
                portfolio_id: portfolio_id?,
                entra,
            },
        ))
    }

    fn rest(&mut self, obj: Obj<'_>) -> Option<(Url, Auth, Probe, Vendor)> {
        self.keys(obj, &["base_url", "probe", "auth"], " for type = \"rest\"");
        let base_url = self.url(obj, "base_url");
        if obj.get("base_url").is_none() {
            self.missing(obj, "base_url", " (type = \"rest\")");
        }
        let probe = self.probe(obj, base_url.as_ref());
        let auth = match obj.get("auth") {
            None => Some(Auth::None),
            Some(e) => match &e.node.value {
                Value::Table(t) => {
                    let path = obj.key("auth");
                    self.rest_auth(Obj {
                        table: t,
                        path: &path,
                        span: &e.node.span,
                    })
                }
                Value::Str(s) if s == "none" => Some(Auth::None),
                _ => {
                    self.wrong_type(obj, e, "a table with a `type`, e.g. [profiles.NAME.auth]");
                    None
                }
            },
        };
        Some((base_url?, auth?, probe, Vendor::Rest))
    }

    fn rest_auth(&mut self, obj: Obj<'_>) -> Option<Auth> {
        let kind = match self.string(obj, "type") {
            None => "none".to_string(),
            Some((s, span)) => {
                if !REST_AUTH_TYPES.contains(&s.as_str()) {
                    let help = suggest(&s, REST_AUTH_TYPES.iter().copied()).map(|x| format!("did you mean `{x}`?"));
                    self.push(
                        Some(span),
                        obj.key("type"),
                        format!(
                            "`{s}` is not an auth type; valid: {}",
                            REST_AUTH_TYPES
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        help,
                    );
                    return None;
                }
                s
            }
        };
        let why = format!(" (auth.type = \"{kind}\")");
        let context = format!(" for auth.type = \"{kind}\"");
        let oauth_keys = [
            "token_url",
            "client_id",
            "client_secret",
            "scopes",
            "scope",
            "client_auth",
            "token_params",
        ];
        let interactive_keys = [
            "extra_params",
            "login_hint",
            "private_session",
            "display_name",
            "redirect_port",
        ];
        let own: Vec<&str> = match kind.as_str() {
            "none" => vec![],
            "basic" => vec!["username", "password"],
            "api-key" => vec!["key", "name", "in"],
            "oauth2-client-credentials" => oauth_keys.to_vec(),
            "oauth2-password" => oauth_keys.iter().chain(&["username", "password"]).copied().collect(),
            "oauth2-authorization-code" => oauth_keys
                .iter()
                .chain(&interactive_keys)
                .chain(&["authorization_url", "pkce"])
                .copied()
                .collect(),
            _ => oauth_keys
                .iter()
                .chain(&interactive_keys)
                .chain(&["issuer", "authorization_url"])
                .copied()
                .collect(),
        };
        let allowed: Vec<&str> = std::iter::once("type").chain(own).collect();
        self.unknown_keys(obj, &allowed, &context);
        let required = |r: &mut Self, keys: &[&str]| {
            for k in keys {
                if obj.get(k).is_none() {
                    r.missing(obj, k, &why);
                }
            }
        };
        match kind.as_str() {
            "none" => Some(Auth::None),
            "basic" => {
                required(self, &["username", "password"]);
                let username = self.source(obj, "username", false);
                let password = self.source(obj, "password", true);
                Some(Auth::Basic {
                    username: username?,
                    password: password?,
                })
            }
            "api-key" => {
                required(self, &["key"]);
                let key = self.source(obj, "key", true);
                let name = self.nonempty(obj, "name").unwrap_or_else(|| "X-API-Key".into());
                let location = match self.string(obj, "in") {
                    None => KeyIn::Header,
                    Some((s, _)) if s == "header" => KeyIn::Header,
                    Some((s, _)) if s == "query" => KeyIn::Query,
                    Some((s, span)) => {
                        self.push(
                            Some(span),
                            obj.key("in"),
                            format!("`{s}` is not valid; use `header` or `query`"),
                            None,
                        );
                        KeyIn::Header
                    }
                };
                if location == KeyIn::Header && reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    let span = obj.get("name").map(|e| e.node.span.clone());
                    self.push(
                        span,
                        obj.key("name"),
                        format!("`{name}` is not a valid header name"),
                        None,
                    );
                }
                Some(Auth::ApiKey {
                    key: key?,
                    name,
                    location,
                })
            }
            "oauth2-client-credentials" | "oauth2-password" => {
                required(self, &["token_url"]);
                let token_url = self.url(obj, "token_url");
                let password_grant = kind == "oauth2-password";
                let client = self.oauth_client(obj, token_url, ClientAuth::Basic, !password_grant, &why);
                if password_grant {
                    required(self, &["username", "password"]);
                    let username = self.source(obj, "username", false);
                    let password = self.source(obj, "password", true);
                    Some(Auth::Password {
                        client: client?,
                        username: username?,
                        password: password?,
                    })
                } else {
                    Some(Auth::ClientCredentials(client?))
                }
            }
            _ => {
                let oidc = kind == "openid-connect";
                let issuer = if oidc { self.url(obj, "issuer") } else { None };
                let has_issuer = oidc && obj.get("issuer").is_some();
                if !has_issuer {
                    let need: &[&str] = &["authorization_url", "token_url"];
                    for k in need {
                        if obj.get(k).is_none() {
                            self.missing(
                                obj,
                                k,
                                if oidc {
                                    " (openid-connect without `issuer`)"
                                } else {
                                    &why
                                },
                            );
                        }
                    }
                }
                let authorization_url = if obj.get("authorization_url").is_some() {
                    self.url(obj, "authorization_url")
                } else {
                    None
                };
                // With discovery the token URL is found at run time; the issuer stands in.
                let token_url = if obj.get("token_url").is_some() {
                    self.url(obj, "token_url")
                } else {
                    issuer.clone()
                };
                let mut client = self.oauth_client(obj, token_url, ClientAuth::Basic, false, &why);
                if oidc && let Some(c) = &mut client {
                    if c.scopes.is_empty() {
                        c.scopes = vec!["openid".into()];
                    } else if !c.scopes.iter().any(|s| s == "openid") {
                        c.scopes.insert(0, "openid".into());
                    }
                }
                let pkce = self.boolean(obj, "pkce").unwrap_or(true);
                let extra_params = self.params(obj, "extra_params");
                let login_hint = self.string(obj, "login_hint").map(|s| s.0);
                let private_session = self.boolean(obj, "private_session").unwrap_or(false);
                let display_name = self.string(obj, "display_name").map(|s| s.0);
                let redirect_port = match obj.get("redirect_port") {
                    None => None,
                    Some(e) => match e.node.value {
                        Value::Int(Some(p)) if (1..=65535).contains(&p) => Some(p as u16),
                        _ => {
                            self.push(
                                Some(e.node.span.clone()),
                                obj.key("redirect_port"),
                                "expected a port number from 1 to 65535",
                                None,
                            );
                            None
                        }
                    },
                };
                Some(Auth::Interactive {
                    client: client?,
                    flow: Interactive {
                        issuer,
                        authorization_url,
                        pkce,
                        extra_params,
                        login_hint,
                        private_session,
                        display_name,
                        redirect_port,
                        oidc,
                    },
                })
            }
        }
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

/// The node of a key, for positions.
pub fn node_of<'t>(t: &'t Table, key: &str) -> Option<&'t Node> {
    t.get(key).map(|e| &e.node)
}

//! Reading plain values of a profile table: strings, booleans, durations, paths, URLs
//! (with a "did you mean" for a missing scheme), parameter tables and tags.

use super::*;

impl Reader<'_> {
    pub(super) fn string(&mut self, obj: Obj<'_>, key: &str) -> Option<(String, Range<usize>)> {
        let e = obj.get(key)?;
        match &e.node.value {
            Value::Str(s) => Some((s.clone(), e.node.span.clone())),
            _ => {
                self.wrong_type(obj, e, "a string");
                None
            }
        }
    }

    pub(super) fn nonempty(&mut self, obj: Obj<'_>, key: &str) -> Option<String> {
        let (s, span) = self.string(obj, key)?;
        if s.trim().is_empty() {
            self.push(Some(span), obj.key(key), "must not be empty", None);
            return None;
        }
        Some(s.trim().to_string())
    }

    pub(super) fn boolean(&mut self, obj: Obj<'_>, key: &str) -> Option<bool> {
        let e = obj.get(key)?;
        match e.node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.wrong_type(obj, e, "true or false");
                None
            }
        }
    }

    pub(super) fn duration(&mut self, obj: Obj<'_>, key: &str) -> Option<Duration> {
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

    pub(super) fn path(&mut self, obj: Obj<'_>, key: &str) -> Option<PathBuf> {
        let s = self.nonempty(obj, key)?;
        Some(self.resolve_path(&s))
    }

    pub(super) fn resolve_path(&self, s: &str) -> PathBuf {
        let p = if let Some(rest) = s.strip_prefix("~/") {
            dirs::home_dir().map_or_else(|| PathBuf::from(s), |h| h.join(rest))
        } else {
            PathBuf::from(s)
        };
        if p.is_relative() { self.base_dir.join(p) } else { p }
    }

    /// An absolute http(s) URL.
    pub(super) fn url(&mut self, obj: Obj<'_>, key: &str) -> Option<Url> {
        let (s, span) = self.string(obj, key)?;
        self.parse_url(s.trim(), span, obj.key(key))
    }

    /// `s` parsed, once per text in the file; with `register`, its secrets are registered
    /// for masking.
    pub(super) fn parsed(&self, s: &str, register: bool) -> Result<Url, url::ParseError> {
        let mut urls = self.urls.lock().unwrap_or_else(|e| e.into_inner());
        let (r, registered) = urls.entry(s.to_string()).or_insert_with(|| (Url::parse(s), false));
        if register
            && !*registered
            && let Ok(u) = r
        {
            crate::redact::url::register(u);
            *registered = true;
        }
        r.clone()
    }

    pub(super) fn parse_url(&mut self, s: &str, span: Range<usize>, path: String) -> Option<Url> {
        // Whether or not the URL is accepted, an echo of its secrets is masked.
        let parsed = self.parsed(s, true);
        // Messages quote the text only as it may be shown: never a password or key in it.
        let quoted = || crate::redact::url::shown_text(s);
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
                    Some(format!("did you mean `https://{}`?", quoted()))
                } else {
                    None
                };
                self.push(
                    Some(span),
                    path,
                    format!("`{}` is not a URL: it has no scheme", quoted()),
                    help,
                );
                None
            }
            Err(e) => {
                self.push(
                    Some(span),
                    path,
                    format!("`{}` is not a valid URL ({e})", quoted()),
                    None,
                );
                None
            }
        }
    }

    pub(super) fn params(&mut self, obj: Obj<'_>, key: &str) -> Vec<(String, String)> {
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

    pub(super) fn tags(&mut self, obj: Obj<'_>) -> Vec<String> {
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
}

//! Reading a secret or identifier source: a literal string, `{ env = "VAR" }`,
//! `{ file = "path" }` or `{ command = ["program", "arg"] }` with its timeout.

use super::*;

impl Reader<'_> {
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

    pub(super) fn argv(&mut self, obj: Obj<'_>, key: &str) -> Option<Vec<String>> {
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
}

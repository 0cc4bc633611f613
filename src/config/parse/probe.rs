//! Reading a profile's probe: `auto`, `false`, or the read-only request to make after the
//! token, checked never to change data.

use super::*;

impl Reader<'_> {
    pub(super) fn probe(&mut self, obj: Obj<'_>, base: Option<&Url>) -> Probe {
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
            base.and_then(|b| r.parsed(&joined(b, p), false).ok())
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
}

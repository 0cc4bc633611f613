//! The process-wide redactor. Every value registered as secret (client secrets, passwords,
//! keys, tokens, a password in a URL) is masked in all text that reaches a person or a
//! report, as it is and in the encodings a server may echo it in: percent- and
//! form-encoding in either case, JSON and HTML escapes ([`decode`]), and base64 of the value
//! or of a request holding it ([`forms`]). [`url`] shows URLs without their secrets;
//! [`answer`] masks a token answer's credentials for the `-v` trace.
//!
//! Registering only stores the value; the encodings are worked out on the first [`redact`]
//! after a change, so a command that prints nothing but a stored token pays nothing.
//! A value shorter than [`MIN_CHARS`] characters is not masked: it would mask ordinary
//! words everywhere. [`too_short`] lets the caller warn about it instead.

pub mod answer;
mod decode;
mod forms;
mod grams;
pub mod keys;
pub mod text;
pub mod url;

use std::sync::{Arc, Mutex, OnceLock};

/// What a secret is replaced with.
pub const MASK: &str = "********";
/// Shortest value that is masked.
pub const MIN_CHARS: usize = 4;

/// A registered secret with the encoded forms that are matched as they are.
struct Entry {
    value: String,
    /// The value's windows, for [`grams::Grams::may_hold`].
    grams: Vec<u16>,
    /// Encoded forms and their windows.
    literals: Vec<(String, Vec<u16>)>,
}

impl Entry {
    fn new(value: &str, literals: Vec<String>) -> Entry {
        Entry {
            value: value.to_string(),
            grams: grams::needle(value),
            literals: literals
                .into_iter()
                .map(|l| {
                    let g = grams::needle(&l);
                    (l, g)
                })
                .collect(),
        }
    }
}

#[derive(Default)]
struct Registry {
    values: Vec<String>,
    /// Exact strings to mask (Basic credentials as sent), beside the values.
    exact: Vec<String>,
    /// Built on demand from `values` and `exact`; dropped when they change.
    built: Option<Arc<Vec<Entry>>>,
}

fn registry() -> &'static Mutex<Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(Registry::default()))
}

fn with_registry<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let mut reg = registry().lock().unwrap_or_else(|p| p.into_inner());
    f(&mut reg)
}

/// Whether a non-empty value is too short to be masked.
pub fn too_short(value: &str) -> bool {
    !value.is_empty() && value.chars().count() < MIN_CHARS
}

/// Remember a value so that [`redact`] masks it wherever it shows up, in any encoding.
pub fn register(value: &str) {
    if value.chars().count() < MIN_CHARS {
        return;
    }
    with_registry(|r| {
        if !r.values.iter().any(|v| v == value) {
            r.values.push(value.to_string());
            r.built = None;
        }
    });
}

/// Register the `Authorization: Basic` forms of a user and password pair (raw and
/// form-encoded before base64), beside the password itself.
pub fn register_basic(user: &str, password: &str) {
    use base64::Engine;
    register(password);
    let form = |s: &str| ::url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let b64 = base64::engine::general_purpose::STANDARD;
    for raw in [
        format!("{user}:{password}"),
        format!("{}:{}", form(user), form(password)),
    ] {
        let e = b64.encode(raw);
        with_registry(|r| {
            if !r.exact.contains(&e) {
                r.exact.push(e);
                r.built = None;
            }
        });
    }
}

fn build(r: &Registry) -> Vec<Entry> {
    let mut entries: Vec<Entry> = r
        .values
        .iter()
        .map(|v| Entry::new(v, forms::base64_forms(v)))
        .chain(r.exact.iter().map(|e| Entry::new(e, Vec::new())))
        .collect();
    // Longest first, so a value is masked whole before any shorter value inside it.
    entries.sort_by_key(|e| std::cmp::Reverse(e.value.len()));
    entries
}

/// Mask every registered secret in `text`.
pub fn redact(text: &str) -> String {
    let entries = with_registry(|r| {
        if r.values.is_empty() && r.exact.is_empty() {
            return None;
        }
        if r.built.is_none() {
            r.built = Some(Arc::new(build(r)));
        }
        r.built.clone()
    });
    let Some(entries) = entries else {
        return text.to_string();
    };
    let mut out = text.to_string();
    // Escapes may spell a value differently, so the window test rules out a value only in
    // a text without them; encoded forms are matched as they are, so always.
    let plain = !decode::has_escapes(text);
    let mut seen = grams::Grams::of(out.as_bytes());
    for e in entries.iter() {
        if (!plain || seen.may_hold(&e.grams))
            && let Some(masked) = decode::mask(&out, e.value.as_bytes())
        {
            out = masked;
            seen = grams::Grams::of(out.as_bytes());
        }
        for (l, g) in &e.literals {
            if seen.may_hold(g) && out.contains(l.as_str()) {
                out = out.replace(l.as_str(), MASK);
                seen = grams::Grams::of(out.as_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_not_registered() {
        register("ab1");
        assert_eq!(redact("ab1 cab1"), "ab1 cab1");
        assert!(too_short("ab1") && !too_short("abcd") && !too_short(""));
    }

    #[test]
    fn basic_forms_are_masked_whole() {
        use base64::Engine;
        register_basic("user-x", "pass word/1");
        let b64 = base64::engine::general_purpose::STANDARD;
        for raw in ["user-x:pass word/1", "user-x:pass+word%2F1"] {
            let shown = redact(&format!("Basic {}", b64.encode(raw)));
            assert_eq!(shown, "Basic ********", "{raw}");
        }
    }
}

//! The corpus of real server answers (`tests/corpus/*.toml`): every entry is well formed,
//! cites a public source, and quotes only words the server really sent.

use std::collections::HashSet;
use std::path::Path;

const CATEGORIES: &[&str] = &[
    "config",
    "network",
    "tls",
    "authentication",
    "permission",
    "endpoint",
    "interactive",
];
const SOURCE_KINDS: &[&str] = &["docs", "issue", "fixture", "capture"];

/// Every `[[answer]]` of the corpus, with the file it is in, in file order.
pub(crate) fn entries() -> Vec<(String, toml::Table)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        let doc: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for a in doc["answer"].as_array().expect("[[answer]] tables") {
            out.push((name.clone(), a.as_table().expect("a table").clone()));
        }
    }
    out
}

/// A string field of an entry; `at` names the entry in the panic.
pub(crate) fn text<'a>(a: &'a toml::Table, key: &str, at: &str) -> &'a str {
    a.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("{at}: `{key}` missing or not a string"))
}

#[test]
fn every_answer_is_well_formed_cited_and_quotes_what_was_sent() {
    let all = entries();
    assert!(all.len() >= 80, "only {} answers in the corpus", all.len());
    let mut ids = HashSet::new();
    for (file, a) in &all {
        let id = text(a, "id", file);
        let at = format!("{file}: {id}");
        assert!(ids.insert(id.to_string()), "{at}: id used twice");
        assert!(!text(a, "vendor", &at).is_empty(), "{at}: vendor");
        assert!(matches!(text(a, "endpoint", &at), "token" | "api"), "{at}: endpoint");
        assert!(
            text(a, "source", &at).starts_with("https://"),
            "{at}: source is not a URL"
        );
        assert!(SOURCE_KINDS.contains(&text(a, "source_kind", &at)), "{at}: source_kind");
        assert!(CATEGORIES.contains(&text(a, "category", &at)), "{at}: category");
        assert!(!text(a, "why", &at).trim().is_empty(), "{at}: why");
        let status = a.get("status").and_then(|v| v.as_integer()).unwrap_or(0);
        assert!((100..=599).contains(&status), "{at}: status {status}");
        let body = text(a, "body", &at);
        let trimmed = body.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            serde_json::from_str::<serde_json::Value>(body).unwrap_or_else(|e| panic!("{at}: body is not JSON: {e}"));
        }
        let headers = a
            .get("headers")
            .and_then(|v| v.as_table())
            .unwrap_or_else(|| panic!("{at}: headers"));
        let mut sent = body.to_string();
        for (k, v) in headers {
            sent.push_str(&format!("\n{k}: {}", v.as_str().unwrap_or_default()));
        }
        sent.push_str(&format!("\n{status}"));
        let quotes = a
            .get("quote")
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("{at}: quote"));
        assert!(!quotes.is_empty(), "{at}: nothing to quote");
        for q in quotes {
            let q = q.as_str().expect("quote strings");
            assert!(sent.contains(q), "{at}: quotes {q:?}, which the server did not send");
        }
    }
}

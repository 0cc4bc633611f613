//! tests/SECURITY-CASES.md stays true: every integration test its "Tested" column cites as
//! `file::function` exists as a test in `tests/integration/file.rs`.

use std::path::Path;

/// The `file::function` citations of the "Tested" column (cells of the last table column;
/// `src/…` citations and other code spans are left out).
fn cited() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/SECURITY-CASES.md")).expect("read SECURITY-CASES.md");
    let mut out = Vec::new();
    for row in text.lines().filter(|l| l.starts_with('|')) {
        let tested = row.trim_end().trim_end_matches('|').rsplit('|').next().unwrap_or("");
        for span in tested.split('`').skip(1).step_by(2) {
            let Some((file, function)) = span.split_once("::") else {
                continue;
            };
            let plain = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            };
            if plain(file) && plain(function) {
                out.push((file.to_string(), function.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_cited_integration_test_exists() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration");
    let cited = cited();
    assert!(
        cited.len() > 50,
        "only {} citations found: the table format changed",
        cited.len()
    );
    let mut missing = Vec::new();
    for (file, function) in cited {
        let source = std::fs::read_to_string(dir.join(format!("{file}.rs"))).unwrap_or_default();
        let defined = source
            .lines()
            .zip(source.lines().skip(1))
            .any(|(attr, def)| attr.trim() == "#[test]" && def.trim_start().starts_with(&format!("fn {function}(")));
        if !defined {
            missing.push(format!("{file}::{function}"));
        }
    }
    assert!(
        missing.is_empty(),
        "SECURITY-CASES.md cites tests that do not exist: {missing:?}"
    );
}

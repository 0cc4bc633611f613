//! Property tests of the profiles parser: any text is read without a panic, and a profile is
//! never accepted with what it must refuse (a bad name, a secret with a line break or NUL, a
//! URL carrying credentials, a non-http scheme).

use std::path::Path;

use proptest::prelude::*;

use super::{Auth, Config, valid_name};

/// A TOML string literal of any text.
fn lit(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn check_all(text: String) {
    if let Ok(cfg) = Config::from_text(Path::new("p.toml"), text) {
        let _ = cfg.validate();
        for name in cfg.names() {
            let _ = cfg.select(name, None);
            for env in cfg.environments(name) {
                let _ = cfg.select(name, Some(&env));
            }
            let _ = cfg.profile_lenient(name, None);
        }
    }
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://login.example/token".to_string()),
        Just("http://127.0.0.1:8080/token".to_string()),
        Just("https://u:p@login.example/token".to_string()),
        Just("ftp://login.example/token".to_string()),
        Just("login.example/token".to_string()),
        ".{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        check_all(text);
    }

    #[test]
    fn toml_shaped_text_never_panics(
        lines in proptest::collection::vec(
            prop_oneof![
                "\\[profiles\\.[a-z@\\.\"]{1,8}\\]",
                "\\[profiles\\.[a-z]{1,4}\\.(auth|environments\\.[a-z]{1,3}|probe)\\]",
                "\\[defaults\\]",
                "(type|base_url|endpoint|token_url|client_id|client_secret|scope|scopes|timeout|probe|proxy|ca_file|insecure_tls|in|name|key|username|password|tenant_id|authority|domain|portfolio_id|expect|method|tags|client_auth) = (\"[ -~]{0,20}\"|[0-9]{1,3}|true|\\[\"[a-z]{0,5}\"\\]|\\{ (env|file|command) = (\"[A-Z]{0,5}\"|\\[\\]|\\[\"\"\\]) \\})",
                Just("type = \"oauth2-client-credentials\"".to_string()),
                Just("type = \"rest\"".to_string()),
            ],
            0..16,
        )
    ) {
        check_all(lines.join("\n"));
    }

    #[test]
    fn a_profile_is_never_accepted_with_what_it_must_refuse(
        name in prop_oneof!["[a-z][a-z0-9_.-]{0,10}", ".{1,12}"],
        secret in prop_oneof!["[ -~]{1,30}", ".{1,30}", "[a-z]{0,5}[\r\n\u{0}][a-z]{0,5}"],
        token_url in url(),
        timeout in prop_oneof![Just("30s".to_string()), ".{0,8}"],
    ) {
        let text = format!(
            "[profiles.{}]\ntype = \"rest\"\nbase_url = \"https://api.example\"\ntimeout = {}\n[profiles.{}.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = {}\nclient_id = \"id\"\nclient_secret = {}\n",
            lit(&name), lit(&timeout), lit(&name), lit(&token_url), lit(&secret)
        );
        let Ok(cfg) = Config::from_text(Path::new("p.toml"), text) else {
            return Ok(());
        };
        let Ok(p) = cfg.select(&name, None) else {
            return Ok(());
        };
        prop_assert!(valid_name(&name), "accepted the name {name:?}");
        prop_assert!(!secret.contains(['\r', '\n', '\0']), "accepted a secret with a line break or NUL");
        let Auth::ClientCredentials(c) = &p.auth else {
            return Err(TestCaseError::fail("wrong auth kind"));
        };
        prop_assert!(matches!(c.token_url.scheme(), "http" | "https"));
        prop_assert!(c.token_url.username().is_empty() && c.token_url.password().is_none());
        let s = c.client_secret.as_ref().unwrap().resolve().unwrap();
        prop_assert_eq!(s.expose(), secret.as_str());
        // Debug never shows the value.
        if secret.chars().count() >= 10 {
            let debug = format!("{p:?}");
            prop_assert!(!debug.contains(&secret), "Debug shows the secret");
        }
    }
}

//! A token endpoint's answer: success and error bodies are parsed without a panic, and an
//! accepted token can always be sent in a header.
#![no_main]

use conn::oauth::token::{Answer, MAX_TOKEN, parse_success};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Answer::Token(t) = parse_success(200, "application/json", data, Vec::new()) {
        let tok = t.access_token.expose();
        assert!(!tok.is_empty() && tok.len() <= MAX_TOKEN);
        assert!(!tok.bytes().any(|b| b.is_ascii_control() || b == b' '));
    }
    let _ = conn::oauth::server_error::parse(401, data, &[]);
});

//! `WWW-Authenticate` values: parsed without a panic, at most 16 challenges.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let cs = conn::oauth::server_error::parse_challenges(text.split('\n'));
    assert!(cs.len() <= 16);
});

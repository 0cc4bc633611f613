//! `Retry-After`: parsed without a panic, never more than a day.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(d) = conn::oauth::obtain::parse_retry_after(&text) {
        assert!(d <= std::time::Duration::from_secs(86_400));
    }
});

//! What an answer's headers say about throttling: `Retry-After` (RFC 9110 §10.2.3) and the
//! quota headers servers send beside it.
//!
//! The quota headers come in a few spellings: `x-ratelimit-*` (GitHub, Hypatos),
//! `x-rate-limit-*` (Okta) and `ratelimit-*` (the IETF draft). Their reset is seconds until
//! the reset (Hypatos, the draft) or an instant in epoch seconds (GitHub, Okta); a value
//! past 10⁹ is read as an instant.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::failure::oauth::Throttle;
use crate::finding::clean;

const PREFIXES: &[&str] = &["x-ratelimit-", "x-rate-limit-", "ratelimit-"];
/// Epoch seconds start here (2001); smaller resets are seconds from now.
const EPOCH_FROM: u64 = 1_000_000_000;
/// Longest wait named.
const MAX_WAIT: u64 = 86_400;

/// Read the throttling headers of an answer.
pub fn read(headers: &HeaderMap) -> Throttle {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let mut t = Throttle::default();
    if let Some(after) = text("retry-after").and_then(crate::net::httpdate::retry_after) {
        t.wait = Some((after, "Retry-After".into()));
    }
    for prefix in PREFIXES {
        for part in ["limit", "remaining"] {
            let name = format!("{prefix}{part}");
            if let Some(v) = text(&name) {
                t.quota.push(format!("{name}: {}", clean(v, 80)));
                if part == "remaining" && v.split([',', ';']).next().is_some_and(|n| n.trim() == "0") {
                    t.exhausted = true;
                }
            }
        }
        let name = format!("{prefix}reset");
        if t.wait.is_none()
            && let Some(wait) = text(&name).and_then(reset)
        {
            t.wait = Some((wait, name));
        }
    }
    t
}

/// A reset value as a wait from now.
fn reset(v: &str) -> Option<Duration> {
    let n: u64 = v.split([',', ';']).next()?.trim().parse().ok()?;
    let secs = if n >= EPOCH_FROM {
        n.saturating_sub(crate::clock::now_secs().max(0) as u64)
    } else {
        n
    };
    Some(Duration::from_secs(secs.min(MAX_WAIT)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forms() {
        // Hypatos: seconds until the reset, quota shown as sent.
        let t = read(&headers(&[
            ("x-ratelimit-limit", "10, 10;w=1"),
            ("x-ratelimit-remaining", "94"),
            ("x-ratelimit-reset", "21"),
        ]));
        assert_eq!(t.wait, Some((Duration::from_secs(21), "x-ratelimit-reset".into())));
        assert_eq!(t.quota, ["x-ratelimit-limit: 10, 10;w=1", "x-ratelimit-remaining: 94"]);
        assert!(!t.exhausted);
        // GitHub, Okta: an instant in epoch seconds; nothing left.
        let at = (crate::clock::now_secs() + 60).to_string();
        let t = read(&headers(&[
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", &at),
        ]));
        let (wait, from) = t.wait.unwrap();
        assert!(
            wait <= Duration::from_secs(60) && wait >= Duration::from_secs(58),
            "{wait:?}"
        );
        assert_eq!(from, "x-rate-limit-reset");
        assert!(t.exhausted);
        // Retry-After wins over a reset; junk is ignored.
        let t = read(&headers(&[
            ("retry-after", "5"),
            ("ratelimit-reset", "99"),
            ("x-ratelimit-reset", "soon"),
        ]));
        assert_eq!(t.wait, Some((Duration::from_secs(5), "Retry-After".into())));
        assert_eq!(read(&HeaderMap::new()), Throttle::default());
    }
}

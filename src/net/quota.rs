//! Rate-limit headers as a person reads them: how many calls are left of how many, when the
//! limit resets, and how long to wait (`Retry-After`, or the reset header).
//!
//! The spellings are the ones servers send: `x-ratelimit-*` (Hypatos on every answer, its
//! OpenAPI 2.15.0: `x-ratelimit-limit: 10, 10;w=1`, `x-ratelimit-reset` in seconds,
//! https://github.com/konfig-sdks/openapi-examples/blob/2d2b1f35dea9f56a07e6fa1f70697171b2676bb5/hypatos/openapi.yaml
//! `components.headers`; GitHub with an epoch reset), Okta's `X-Rate-Limit-*` (epoch reset),
//! and the IETF draft's `RateLimit-*` with Kong's `X-RateLimit-Remaining-Minute`.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::failure::oauth::Throttle;
use crate::finding::clean;

/// A reset value above this is an epoch second, below it a number of seconds.
const EPOCH: u64 = 1_000_000_000;

/// Longest wait a refusal names.
const MAX_WAIT: u64 = 86_400;

const LIMIT: &[&str] = &["x-ratelimit-limit", "x-rate-limit-limit", "ratelimit-limit"];
const REMAINING: &[&str] = &["x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"];
const RESET: &[&str] = &["x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"];

/// A window that resets within this many seconds is never "running low".
pub const SOON: u64 = 2;

/// What the rate-limit headers say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quota {
    /// Calls allowed in the window.
    pub limit: Option<u64>,
    /// Calls left in it.
    pub remaining: Option<u64>,
    /// Seconds until it resets, when known.
    pub reset_in: Option<u64>,
    /// Every remaining-header at 0, as `name: 0`.
    pub exhausted: Vec<String>,
}

impl Quota {
    /// Whether the remaining calls are at most a tenth of the limit, in a window that does not
    /// reset within [`SOON`] (a one-second window that is nearly used up stops nothing).
    pub fn low(&self) -> bool {
        let soon = self.reset_in.is_some_and(|s| s <= SOON);
        match (self.limit, self.remaining) {
            (Some(l), Some(r)) if l > 0 => r.saturating_mul(10) <= l && !soon,
            _ => false,
        }
    }

    /// `9 of 10 calls left, resets in 1s`.
    pub fn shown(&self) -> Option<String> {
        let r = self.remaining?;
        let of = self.limit.map(|l| format!(" of {l}")).unwrap_or_default();
        let reset = self
            .reset_in
            .map(|s| format!(", resets in {}", humantime::format_duration(Duration::from_secs(s))))
            .unwrap_or_default();
        Some(format!("{r}{of} calls left{reset}"))
    }
}

fn value(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(|v| clean(v.trim(), 80))
}

/// The first integer of a value: `10, 10;w=1` is 10.
fn first_number(v: &str) -> Option<u64> {
    let digits: String = v.trim().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn any(h: &HeaderMap, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| value(h, n))
}

/// Seconds since the epoch at which the server answered: its `Date`, else the clock.
fn answered_at(h: &HeaderMap) -> i64 {
    value(h, "date")
        .and_then(|d| super::httpdate::parse(&d))
        .unwrap_or_else(crate::clock::now_secs)
}

/// Read the rate-limit headers; `None` when there are none.
pub fn read(h: &HeaderMap) -> Option<Quota> {
    let limit = any(h, LIMIT).and_then(|v| first_number(&v));
    let remaining = any(h, REMAINING).and_then(|v| first_number(&v));
    let reset = any(h, RESET).and_then(|v| first_number(&v));
    let reset_in = reset.map(|r| {
        if r > EPOCH {
            (r as i64).saturating_sub(answered_at(h)).max(0) as u64
        } else {
            r
        }
    });
    let mut exhausted: Vec<String> = h
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            (k.contains("ratelimit") || k.contains("rate-limit")) && k.contains("remaining")
        })
        .filter(|(_, v)| v.to_str().ok().and_then(first_number) == Some(0))
        .map(|(k, _)| format!("{k}: 0"))
        .collect();
    exhausted.dedup();
    (limit.is_some() || remaining.is_some() || reset_in.is_some()).then_some(Quota {
        limit,
        remaining,
        reset_in,
        exhausted,
    })
}

/// How long the server asks to wait, in words: from `Retry-After` first, else the reset
/// header; `None` when it does not say.
pub fn wait(h: &HeaderMap) -> Option<String> {
    if let Some(v) = value(h, "retry-after")
        && let Some(d) = super::httpdate::retry_after(&v)
    {
        return Some(format!("wait {} (Retry-After: {v})", humantime::format_duration(d)));
    }
    let q = read(h)?;
    let name = RESET.iter().find(|n| h.contains_key(**n))?;
    let raw = value(h, name)?;
    match q.reset_in? {
        0 if first_number(&raw).is_some_and(|r| r > EPOCH) => Some(format!(
            "the limit resets at {} ({name}: {raw})",
            super::httpdate::format(first_number(&raw)? as i64)
        )),
        s => Some(format!(
            "wait {} ({name}: {raw})",
            humantime::format_duration(Duration::from_secs(s))
        )),
    }
}

/// What a refused token request says about throttling: the wait (`Retry-After`, else the
/// reset header, with the header's name) and the quota headers as sent.
pub fn throttle(h: &HeaderMap) -> Throttle {
    let mut t = Throttle::default();
    if let Some(d) = value(h, "retry-after").and_then(|v| super::httpdate::retry_after(&v)) {
        t.wait = Some((d, "Retry-After".into()));
    }
    for name in LIMIT.iter().chain(REMAINING) {
        if let Some(v) = value(h, name) {
            t.quota.push(format!("{name}: {v}"));
        }
    }
    let q = read(h);
    if t.wait.is_none()
        && let Some(s) = q.as_ref().and_then(|q| q.reset_in)
        && let Some(name) = RESET.iter().find(|n| h.contains_key(**n))
    {
        t.wait = Some((Duration::from_secs(s.min(MAX_WAIT)), name.to_string()));
    }
    t.exhausted = q.is_some_and(|q| !q.exhausted.is_empty());
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::net::test_headers as h;

    #[test]
    fn limits_waits_and_resets() {
        let hyp = h(&[
            ("x-ratelimit-limit", "10, 10;w=1"),
            ("x-ratelimit-remaining", "1"),
            ("x-ratelimit-reset", "1"),
        ]);
        let q = read(&hyp).unwrap();
        assert_eq!(q.shown().unwrap(), "1 of 10 calls left, resets in 1s");
        assert!(!q.low(), "resets within {SOON}s");
        let later = h(&[
            ("x-ratelimit-limit", "10, 10;w=1"),
            ("x-ratelimit-remaining", "1"),
            ("x-ratelimit-reset", "21"),
        ]);
        assert!(read(&later).unwrap().low());
        assert!(
            !read(&h(&[("x-ratelimit-limit", "10"), ("x-ratelimit-remaining", "2")]))
                .unwrap()
                .low()
        );
        assert_eq!(wait(&hyp).unwrap(), "wait 1s (x-ratelimit-reset: 1)");
        let gh = h(&[
            ("date", "Tue, 20 Aug 2013 14:50:41 GMT"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1377013266"),
        ]);
        assert_eq!(wait(&gh).unwrap(), "wait 50m 25s (x-ratelimit-reset: 1377013266)");
        assert_eq!(
            read(&gh).unwrap().exhausted,
            vec!["x-ratelimit-remaining: 0".to_string()]
        );
        let okta = h(&[
            ("date", "Tue, 27 Jan 2018 21:33:25 GMT"),
            ("x-rate-limit-reset", "1516308966"),
        ]);
        assert_eq!(
            wait(&okta).unwrap(),
            "the limit resets at Thu, 18 Jan 2018 20:56:06 GMT (x-rate-limit-reset: 1516308966)"
        );
        assert_eq!(
            wait(&h(&[("retry-after", "30")])).unwrap(),
            "wait 30s (Retry-After: 30)"
        );
        assert_eq!(read(&h(&[])), None);
        assert_eq!(wait(&h(&[])), None);
    }

    #[test]
    fn throttle_of_a_refused_token_request() {
        // Hypatos: seconds until the reset, the quota shown as sent.
        let t = throttle(&h(&[
            ("x-ratelimit-limit", "10, 10;w=1"),
            ("x-ratelimit-remaining", "94"),
            ("x-ratelimit-reset", "21"),
        ]));
        assert_eq!(t.wait, Some((Duration::from_secs(21), "x-ratelimit-reset".into())));
        assert_eq!(t.quota, ["x-ratelimit-limit: 10, 10;w=1", "x-ratelimit-remaining: 94"]);
        assert!(!t.exhausted);
        // Okta: an epoch reset, measured from the answer's Date; nothing left.
        let t = throttle(&h(&[
            ("date", "Tue, 20 Aug 2013 14:50:41 GMT"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "1377013266"),
        ]));
        assert_eq!(t.wait, Some((Duration::from_secs(3025), "x-rate-limit-reset".into())));
        assert!(t.exhausted);
        // Retry-After wins over a reset; junk is ignored.
        let t = throttle(&h(&[
            ("retry-after", "5"),
            ("ratelimit-reset", "99"),
            ("x-ratelimit-reset", "soon"),
        ]));
        assert_eq!(t.wait, Some((Duration::from_secs(5), "Retry-After".into())));
        assert_eq!(throttle(&h(&[])), Throttle::default());
    }
}

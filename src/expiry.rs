//! The one place that turns a token's lifetime (an answer's `expires_in`, a JWT's `exp`, a
//! stored `expires_at`) into an instant, in seconds since the epoch. Every computation is
//! bounded, and an implausible expiry (before 2000, or more than about ten years ahead: an
//! `exp` in milliseconds, `-2^63`) counts as unknown, like a token that states no lifetime.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;

/// 2000-01-01T00:00:00Z: no token conn sees expired before this.
pub const EARLIEST: i64 = 946_684_800;

/// The furthest ahead an expiry may lie (a little over the ten years `expires_in` is capped
/// at).
pub const MAX_AHEAD: i64 = 10 * 366 * 86_400;

/// `at`, when it is a plausible expiry seen at `now`.
pub fn plausible(at: i64, now: i64) -> Option<i64> {
    (EARLIEST..=now.saturating_add(MAX_AHEAD)).contains(&at).then_some(at)
}

/// When a token received at `received` expires: from `expires_in` (seconds), else from the
/// JWT's `exp`; `None` when unknown or implausible.
pub fn of_token(expires_in: Option<u64>, access_token: &str, received: i64) -> Option<i64> {
    let at = match expires_in {
        Some(s) => received.saturating_add(i64::try_from(s).unwrap_or(i64::MAX)),
        None => jwt_exp(crate::oauth::jwt::claims(access_token)?.get("exp")?)?,
    };
    plausible(at, received)
}

/// A JWT `exp` as whole seconds (integers, and finite numbers in range).
fn jwt_exp(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    let f = v.as_f64()?;
    // Beyond ±2^53 the value is implausible anyway; the cast saturates.
    (f.is_finite() && f.abs() < 9.0e15).then_some(f as i64)
}

/// Seconds left at `now` (negative once expired); `None` when unknown or implausible.
pub fn ttl(at: Option<i64>, now: i64) -> Option<i64> {
    plausible(at?, now).map(|a| a.saturating_sub(now))
}

/// RFC 3339 (seconds) of an expiry; `None` for an instant that cannot be shown.
pub fn rfc3339(at: i64) -> Option<String> {
    // humantime formats years up to 9999 only.
    const LAST: u64 = 253_402_300_799;
    let secs = u64::try_from(at).ok().filter(|s| *s <= LAST)?;
    let t = UNIX_EPOCH.checked_add(Duration::from_secs(secs))?;
    Some(humantime::format_rfc3339_seconds(t).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn bounds() {
        assert_eq!(plausible(NOW + 3600, NOW), Some(NOW + 3600));
        assert_eq!(plausible(NOW - 3600, NOW), Some(NOW - 3600));
        for bad in [i64::MIN, -1, 0, EARLIEST - 1, NOW * 1000, i64::MAX, 253_402_300_800] {
            assert_eq!(plausible(bad, NOW), None, "{bad}");
            assert_eq!(ttl(Some(bad), NOW), None, "{bad}");
        }
        assert_eq!(of_token(Some(u64::MAX), "opaque", NOW), None);
        assert_eq!(of_token(Some(60), "opaque", NOW), Some(NOW + 60));
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(rfc3339(-1), None);
        assert_eq!(rfc3339(i64::MAX), None);
    }

    fn jwt_with(exp: &Value) -> String {
        use base64::Engine;
        let enc = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.s", enc("{}".into()), enc(format!(r#"{{"exp":{exp}}}"#)))
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            (EARLIEST..NOW + 2 * MAX_AHEAD).prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_lifetime_gives_a_bounded_expiry(
            expires_in in proptest::option::of(any::<u64>()),
            exp in number(),
            now in prop_oneof![Just(NOW), any::<i64>()],
        ) {
            let at = of_token(expires_in, &jwt_with(&exp), now);
            if let Some(at) = at {
                prop_assert!(at >= EARLIEST && at <= now.saturating_add(MAX_AHEAD));
                let left = ttl(Some(at), now).unwrap();
                prop_assert!(left <= MAX_AHEAD);
            }
            let _ = at.map(rfc3339);
        }

        #[test]
        fn any_token_answer_gives_a_bounded_expiry(expires_in in number(), exp in number()) {
            let body = serde_json::json!({
                "access_token": jwt_with(&exp),
                "token_type": "Bearer",
                "expires_in": expires_in,
            });
            let answer = crate::oauth::token::parse_success(200, "application/json", body.to_string().as_bytes(), vec![]);
            if let crate::oauth::token::Answer::Token(t) = answer
                && let Some(at) = of_token(t.expires_in, t.access_token.expose(), NOW)
            {
                prop_assert!((EARLIEST..=NOW + MAX_AHEAD).contains(&at));
            }
        }
    }
}

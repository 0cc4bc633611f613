//! Durations people write (`500ms`, `10s`, `2m`, `1h 30m`), on the command line and in the
//! profiles file: one parser, always with an upper bound, so that no later `Instant +
//! Duration` or `SystemTime + Duration` can overflow.

use std::time::{Duration, Instant};

/// The longest HTTP timeout, connect timeout or secret-command timeout.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// The longest `conn login --timeout`: a sign-in that waits more than a day is forgotten.
pub const MAX_LOGIN_TIMEOUT: Duration = Duration::from_secs(86_400);
/// The longest `conn token --min-ttl`: 100 years, more than any token lives.
pub const MAX_MIN_TTL: Duration = Duration::from_secs(100 * 365 * 86_400);

/// Why a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    /// Zero (or empty after trimming).
    Zero,
    /// Longer than allowed.
    TooLong {
        /// The bound.
        max: Duration,
    },
    /// Not a duration at all.
    Invalid {
        /// The text as written.
        text: String,
        /// What the parser said.
        reason: String,
    },
}

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DurationError::Zero => f.write_str("must be longer than zero"),
            DurationError::TooLong { max } => write!(f, "must be at most {}", describe(*max)),
            DurationError::Invalid { text, reason } => write!(f, "`{text}` is not a duration ({reason})"),
        }
    }
}

/// The bound in words: `one hour`, `one day`, else humantime's form.
fn describe(max: Duration) -> String {
    match max.as_secs() {
        3600 => "one hour".into(),
        86_400 => "one day".into(),
        _ => humantime::format_duration(max).to_string(),
    }
}

/// Parse `text` as a duration longer than zero and at most `max`.
pub fn parse(text: &str, max: Duration) -> Result<Duration, DurationError> {
    let t = text.trim();
    match humantime::parse_duration(t) {
        Ok(d) if d.is_zero() => Err(DurationError::Zero),
        Ok(d) if d > max => Err(DurationError::TooLong { max }),
        Ok(d) => Ok(d),
        Err(humantime::DurationError::NumberOverflow) => Err(DurationError::TooLong { max }),
        Err(e) => Err(DurationError::Invalid {
            text: crate::redact::text::clean(t, 64),
            reason: e.to_string(),
        }),
    }
}

/// `now + d`, or as far ahead as the clock allows: never the panic of `Instant + Duration`.
pub fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(MAX_MIN_TTL))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bounds_and_messages() {
        assert_eq!(parse("1h", MAX_TIMEOUT), Ok(Duration::from_secs(3600)));
        assert_eq!(parse(" 500ms ", MAX_TIMEOUT), Ok(Duration::from_millis(500)));
        assert_eq!(parse("0s", MAX_TIMEOUT), Err(DurationError::Zero));
        assert_eq!(
            parse("2h", MAX_TIMEOUT).unwrap_err().to_string(),
            "must be at most one hour"
        );
        assert_eq!(
            parse("200000000000000d", MAX_LOGIN_TIMEOUT).unwrap_err().to_string(),
            "must be at most one day"
        );
        assert!(parse("99999999999999999999999s", MAX_MIN_TTL).is_err());
        assert!(parse("3650d", MAX_MIN_TTL).is_ok());
        assert!(
            parse("ten", MAX_TIMEOUT)
                .unwrap_err()
                .to_string()
                .starts_with("`ten` is not a duration")
        );
    }

    fn check(text: &str, max: Duration) -> Result<(), TestCaseError> {
        match parse(text, max) {
            Ok(d) => {
                prop_assert!(!d.is_zero() && d <= max, "{text:?} gave {d:?}");
                prop_assert!(std::time::Instant::now().checked_add(d).is_some());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        Ok(())
    }

    #[test]
    fn a_deadline_never_overflows() {
        assert!(deadline_after(Duration::MAX) >= Instant::now());
        assert!(deadline_after(Duration::from_secs(1)) > Instant::now());
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,80}") {
            check(&text, MAX_MIN_TTL)?;
        }

        #[test]
        fn huge_numbers_never_panic(
            n in any::<u64>(),
            frac in proptest::option::of(any::<u32>()),
            unit in prop::sample::select(vec!["ns", "us", "ms", "s", "m", "h", "d", "w", "M", "y", "years", ""]),
            repeat in 1usize..4,
        ) {
            let one = match frac {
                Some(f) => format!("{n}.{f}{unit}"),
                None => format!("{n}{unit}"),
            };
            let text = vec![one; repeat].join(" ");
            for max in [MAX_TIMEOUT, MAX_LOGIN_TIMEOUT, MAX_MIN_TTL] {
                check(&text, max)?;
            }
        }
    }
}

//! HTTP dates (RFC 9110 §5.6.7, IMF-fixdate), for clock-skew checks and `Retry-After`.

use super::cert::days_from_civil;

/// Seconds since the epoch of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let rest = s.split_once(", ").map_or(s, |(_, r)| r);
    let mut it = rest.split_ascii_whitespace();
    let day: i64 = it.next()?.parse().ok()?;
    let month = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let m: i64 = hms.next()?.parse().ok()?;
    let sec: i64 = hms.next()?.parse().ok()?;
    if it.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 || !(1970..=9999).contains(&year)
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86400 + h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn imf_fixdate() {
        assert_eq!(super::parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784111777));
        assert_eq!(super::parse("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(super::parse("garbage"), None);
        assert_eq!(super::parse("Sun, 99 Nov 1994 08:49:37 GMT"), None);
    }
}

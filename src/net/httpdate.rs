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

/// `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP date, as a wait from now;
/// capped at one day. A date in the past is no wait.
pub fn retry_after(v: &str) -> Option<std::time::Duration> {
    let v = v.trim();
    let secs = if let Ok(n) = v.parse::<u64>() {
        n
    } else {
        let at = parse(v)?;
        at.saturating_sub(crate::clock::now_secs()).max(0) as u64
    };
    Some(std::time::Duration::from_secs(secs.min(86_400)))
}

/// The IMF-fixdate of a time in seconds since the epoch (years 1970–9999), for example
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn format(secs: i64) -> String {
    let (y, m, d, hh, mm, ss) = crate::clock::civil(secs);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[secs.div_euclid(86_400).rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        hh,
        mm,
        ss
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_what_it_parses() {
        assert_eq!(super::format(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
        for secs in [0, 951_782_400, 4_102_444_799, 253_402_300_799] {
            assert_eq!(super::parse(&super::format(secs)), Some(secs));
        }
    }

    #[test]
    fn imf_fixdate() {
        assert_eq!(super::parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784111777));
        assert_eq!(super::parse("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(super::parse("garbage"), None);
        assert_eq!(super::parse("Sun, 99 Nov 1994 08:49:37 GMT"), None);
    }
}

//! Just enough DER to read a certificate's validity dates and names for the report.
//!
//! The handshake itself is verified by rustls; this only reads what a person wants to see
//! (who issued it, until when it is valid), so a parse failure just means "not shown".

/// What the report shows about a server certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    /// Validity end, seconds since the Unix epoch.
    pub not_after: i64,
    /// Validity start, seconds since the Unix epoch.
    pub not_before: i64,
    /// Issuer common name, when present.
    pub issuer_cn: Option<String>,
    /// Subject common name, when present.
    pub subject_cn: Option<String>,
}

struct Der<'a> {
    tag: u8,
    body: &'a [u8],
    rest: &'a [u8],
}

fn next(input: &[u8]) -> Option<Der<'_>> {
    let (&tag, input) = input.split_first()?;
    let (&first, mut input) = input.split_first()?;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || input.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &input[..n] {
            len = (len << 8) | b as usize;
        }
        input = &input[n..];
        len
    };
    if input.len() < len {
        return None;
    }
    Some(Der {
        tag,
        body: &input[..len],
        rest: &input[len..],
    })
}

/// Read validity and names from a DER certificate.
pub fn parse(der: &[u8]) -> Option<CertFacts> {
    let cert = next(der)?;
    let tbs = next(cert.body)?;
    let mut cur = tbs.body;
    let mut item = next(cur)?;
    if item.tag == 0xa0 {
        cur = item.rest;
        item = next(cur)?; // serial
    }
    let sig_alg = next(item.rest)?;
    let issuer = next(sig_alg.rest)?;
    let validity = next(issuer.rest)?;
    let subject = next(validity.rest)?;
    let nb = next(validity.body)?;
    let na = next(nb.rest)?;
    Some(CertFacts {
        not_before: time(nb.tag, nb.body)?,
        not_after: time(na.tag, na.body)?,
        issuer_cn: common_name(issuer.body),
        subject_cn: common_name(subject.body),
    })
}

fn time(tag: u8, body: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(body).ok()?;
    let s = s.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            let yy: i64 = s.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &s[2..])
        }
        0x18 => (s.get(..4)?.parse().ok()?, &s[4..]),
        _ => return None,
    };
    let num = |r: std::ops::Range<usize>| -> Option<i64> { rest.get(r)?.parse().ok() };
    let (mo, d, h, mi) = (num(0..2)?, num(2..4)?, num(4..6)?, num(6..8)?);
    let sec = num(8..10).unwrap_or(0);
    Some(days_from_civil(year, mo, d) * 86400 + h * 3600 + mi * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn common_name(mut name: &[u8]) -> Option<String> {
    const CN: &[u8] = &[0x55, 0x04, 0x03];
    while let Some(set) = next(name) {
        let mut inner = set.body;
        while let Some(atv) = next(inner) {
            if let Some(oid) = next(atv.body)
                && oid.tag == 0x06
                && oid.body == CN
                && let Some(v) = next(oid.rest)
            {
                return String::from_utf8(v.body.to_vec()).ok();
            }
            inner = atv.rest;
        }
        name = set.rest;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
    }

    #[test]
    fn utc_and_generalized_time() {
        assert_eq!(time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(time(0x18, b"20000301000000Z"), Some(11017 * 86400));
        assert_eq!(time(0x17, b"garbage"), None);
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&[0x30, 0x82, 0xff]), None);
        assert_eq!(parse(&[0x30, 0x03, 0x30, 0x01]), None);
    }
}

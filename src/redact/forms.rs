//! The base64 forms of a secret that are masked as they are: the standard and URL-safe
//! encodings, padded or not, of the value and of its form-encoding (as a form body or RFC
//! 6749 Basic credentials carry it); and, because a server may echo a whole request in
//! base64 (`id:secret`, a form body), the characters that the value alone fixes inside a
//! larger base64 string, at each of the three byte alignments. Sixteen forms at most.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

/// Shortest aligned fragment worth masking: shorter ones would match ordinary text.
const MIN_FRAGMENT: usize = 8;

/// The base64 characters that depend only on `raw` when it starts `a` bytes past a 3-byte
/// boundary of a larger encoded string.
fn aligned(raw: &[u8], a: usize) -> String {
    let mut padded = vec![0u8; a];
    padded.extend_from_slice(raw);
    let enc = STANDARD_NO_PAD.encode(&padded);
    // Character i holds bits 6i..6i+6; the value's bits are 8a..8(a+n).
    let first = (8 * a).div_ceil(6);
    let last = 8 * (a + raw.len()) / 6;
    enc.get(first..last).unwrap_or_default().to_string()
}

fn url_safe(s: &str) -> String {
    s.replace('+', "-").replace('/', "_")
}

/// The forms of `value`, longest first.
pub fn base64_forms(value: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let mut out: Vec<String> = Vec::new();
    let raws: &[&str] = if form == value { &[value] } else { &[value, &form] };
    for raw in raws {
        let whole = STANDARD.encode(raw);
        let unpadded = whole.trim_end_matches('=').to_string();
        let mut these = vec![url_safe(&whole), url_safe(&unpadded), whole, unpadded];
        for a in 0..3 {
            let f = aligned(raw.as_bytes(), a);
            if f.len() >= MIN_FRAGMENT {
                these.push(url_safe(&f));
                these.push(f);
            }
        }
        for f in these {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn masked_in(encoded: &str, forms: &[String]) -> bool {
        forms.iter().any(|f| encoded.contains(f.as_str()))
    }

    #[test]
    fn a_secret_inside_any_base64_request_is_found() {
        let secret = "s3cr?t/v+lue~long";
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let forms = base64_forms(secret);
        assert!(forms.len() <= 16, "{}", forms.len());
        let requests = [
            secret.to_string(),
            format!("c:{secret}"),
            format!("cl:{form}"),
            format!("cli:{form}"),
            format!("grant_type=client_credentials&client_secret={form}&scope=x"),
            format!("x{secret}y"),
        ];
        for r in &requests {
            for enc in [STANDARD.encode(r), URL_SAFE_NO_PAD.encode(r)] {
                assert!(masked_in(&enc, &forms), "{r:?} as {enc}");
            }
        }
    }

    #[test]
    fn fragments_of_short_secrets_are_not_used() {
        // Four bytes fix at most five characters at an offset: too few to mask safely.
        assert!(base64_forms("abcd").iter().all(|f| f.len() >= 6));
    }

    #[test]
    fn alignment_arithmetic() {
        assert_eq!(aligned(b"abc", 0), STANDARD.encode("abc"));
        let enc = STANDARD.encode("Xabcdef");
        assert!(enc.contains(&aligned(b"abcdef", 1)));
        let enc = STANDARD.encode("XYabcdef");
        assert!(enc.contains(&aligned(b"abcdef", 2)));
    }
}

//! Finding a secret in text that spells some of its characters as escapes: `%2B` or `%2b`
//! and `+` for a space (percent- and form-encoding), `\"`, `\\`, `\/` and `\u00XX` (JSON),
//! `&quot;`, `&#39;`, `&#x27;` and the other named entities of ASCII punctuation (HTML).
//! Escaped and plain characters may be mixed, as servers mix them.
//!
//! The match is a small automaton over (characters of the secret matched, position in the
//! text): each text position decodes to at most two readings (the byte itself, or the
//! escape starting there), so a scan is linear in the text for each secret.

use super::MASK;

/// HTML named entities of ASCII characters (HTML 5), and `&nbsp;` for no one's benefit.
const ENTITIES: &[(&str, u8)] = &[
    ("quot", b'"'),
    ("amp", b'&'),
    ("apos", b'\''),
    ("lt", b'<'),
    ("gt", b'>'),
    ("excl", b'!'),
    ("num", b'#'),
    ("dollar", b'$'),
    ("percnt", b'%'),
    ("lpar", b'('),
    ("rpar", b')'),
    ("ast", b'*'),
    ("midast", b'*'),
    ("plus", b'+'),
    ("comma", b','),
    ("period", b'.'),
    ("sol", b'/'),
    ("colon", b':'),
    ("semi", b';'),
    ("equals", b'='),
    ("quest", b'?'),
    ("commat", b'@'),
    ("lsqb", b'['),
    ("lbrack", b'['),
    ("bsol", b'\\'),
    ("rsqb", b']'),
    ("rbrack", b']'),
    ("Hat", b'^'),
    ("lowbar", b'_'),
    ("grave", b'`'),
    ("lcub", b'{'),
    ("lbrace", b'{'),
    ("verbar", b'|'),
    ("vert", b'|'),
    ("rcub", b'}'),
    ("rbrace", b'}'),
    ("tilde", b'~'),
];

/// Bytes that may start an escape.
const ESCAPE_STARTS: &[u8] = b"%+\\&";

/// Up to four decoded bytes.
#[derive(Clone, Copy)]
struct Decoded {
    bytes: [u8; 4],
    len: usize,
    /// Text bytes the escape takes.
    width: usize,
}

impl Decoded {
    fn byte(b: u8, width: usize) -> Decoded {
        Decoded {
            bytes: [b, 0, 0, 0],
            len: 1,
            width,
        }
    }

    fn char(c: char, width: usize) -> Decoded {
        let mut bytes = [0; 4];
        let len = c.encode_utf8(&mut bytes).len();
        Decoded { bytes, len, width }
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

fn hex(t: &[u8]) -> Option<u32> {
    if t.is_empty() || !t.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(t).ok()?, 16).ok()
}

/// The escape starting at `t[0]`, if any.
fn escape(t: &[u8]) -> Option<Decoded> {
    match t.first()? {
        b'+' => Some(Decoded::byte(b' ', 1)),
        b'%' => Some(Decoded::byte(hex(t.get(1..3)?)? as u8, 3)),
        b'\\' => match t.get(1)? {
            b @ (b'"' | b'\\' | b'/' | b'\'') => Some(Decoded::byte(*b, 2)),
            b't' => Some(Decoded::byte(b'\t', 2)),
            b'u' | b'U' => Some(Decoded::char(char::from_u32(hex(t.get(2..6)?)?)?, 6)),
            _ => None,
        },
        b'&' => entity(t),
        _ => None,
    }
}

fn entity(t: &[u8]) -> Option<Decoded> {
    let end = t.iter().take(12).position(|&b| b == b';')?;
    let name = &t[1..end];
    let c = match name {
        [b'#', b'x' | b'X', h @ ..] => char::from_u32(hex(h)?)?,
        [b'#', d @ ..] if !d.is_empty() && d.iter().all(u8::is_ascii_digit) => {
            char::from_u32(std::str::from_utf8(d).ok()?.parse().ok()?)?
        }
        _ => {
            let (_, b) = ENTITIES.iter().find(|(n, _)| n.as_bytes() == name)?;
            *b as char
        }
    };
    Some(Decoded::char(c, end + 1))
}

/// Whether the text at `t[0]` can spell the first character of `secret` (cheap, no
/// allocation: most positions stop here).
fn may_start(t: &[u8], secret: &[u8]) -> bool {
    t.first() == secret.first() || escape(t).is_some_and(|d| secret.starts_with(d.as_slice()))
}

/// End of the longest match of `secret` starting at `start`.
fn match_at(t: &[u8], start: usize, secret: &[u8]) -> Option<usize> {
    let mut states: Vec<(usize, usize)> = vec![(0, start)];
    let mut best = None;
    while !states.is_empty() {
        let mut next: Vec<(usize, usize)> = Vec::new();
        for &(i, q) in &states {
            if i == secret.len() {
                best = best.max(Some(q));
                continue;
            }
            let mut step = |s: (usize, usize)| {
                if !next.contains(&s) {
                    next.push(s);
                }
            };
            if t.get(q) == Some(&secret[i]) {
                step((i + 1, q + 1));
            }
            if let Some(d) = t.get(q..).and_then(escape)
                && secret[i..].starts_with(d.as_slice())
            {
                step((i + d.len, q + d.width));
            }
        }
        states = next;
    }
    best
}

/// Whether `text` holds a byte that may start an escape (else a secret can only be in it as
/// it is).
pub fn has_escapes(text: &str) -> bool {
    text.bytes().any(|b| ESCAPE_STARTS.contains(&b))
}

/// `text` with every spelling of `secret` masked, or `None` when there is none.
pub fn mask(text: &str, secret: &[u8]) -> Option<String> {
    let first = *secret.first()?;
    let t = text.as_bytes();
    if !has_escapes(text) {
        // Nothing escaped: the plain search is enough (and fast).
        let s = std::str::from_utf8(secret).ok()?;
        return text.contains(s).then(|| text.replace(s, MASK));
    }
    let mut out: Vec<u8> = Vec::new();
    let mut copied = 0;
    let mut p = 0;
    while p < t.len() {
        let b = t[p];
        if (b == first || (ESCAPE_STARTS.contains(&b) && may_start(&t[p..], secret)))
            && text.is_char_boundary(p)
            && let Some(end) = match_at(t, p, secret)
            && text.is_char_boundary(end)
        {
            out.extend_from_slice(&t[copied..p]);
            out.extend_from_slice(MASK.as_bytes());
            copied = end;
            p = end;
            continue;
        }
        p += 1;
    }
    if copied == 0 && out.is_empty() {
        return None;
    }
    out.extend_from_slice(&t[copied..]);
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "p\"a'ss<w>&rd +/\\x%é";

    #[test]
    fn every_spelling_is_masked() {
        let table: &[(&str, &str)] = &[
            ("raw", "p\"a'ss<w>&rd +/\\x%é"),
            ("percent upper", "p%22a%27ss%3Cw%3E%26rd%20%2B%2F%5Cx%25%C3%A9"),
            ("percent lower", "p%22a%27ss%3cw%3e%26rd%20%2b%2f%5cx%25%c3%a9"),
            ("form, + for space", "p%22a%27ss%3Cw%3E%26rd+%2B%2F%5Cx%25%C3%A9"),
            ("json", "p\\\"a'ss<w>&rd +\\/\\\\x%é"),
            (
                "json \\u, .NET style",
                "p\\u0022a\\u0027ss\\u003Cw\\u003E\\u0026rd \\u002B/\\\\x%\\u00e9",
            ),
            ("html named", "p&quot;a&apos;ss&lt;w&gt;&amp;rd +&sol;&bsol;x&percnt;é"),
            ("html numeric", "p&#34;a&#x27;ss&#60;w&#X3e;&#038;rd &#43;/\\x%&#233;"),
            ("mixed", "p&quot;a%27ss\\u003cw>&amp;rd+%2b/\\\\x%25é"),
        ];
        for (what, spelled) in table {
            let text = format!("before {spelled} after");
            assert_eq!(
                mask(&text, S.as_bytes()).as_deref(),
                Some("before ******** after"),
                "{what}"
            );
        }
    }

    #[test]
    fn near_misses_are_left_alone() {
        for text in [
            "p\"a'ss<w>&rd +/\\x",
            "p%2",
            "plain text",
            "&quot;&amp;",
            "%zz \\u12 &#xZZ;",
        ] {
            assert_eq!(mask(text, S.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn every_occurrence_and_only_it_is_masked() {
        let m = mask("a%41bc x abc y ab%63", b"abc").unwrap();
        assert_eq!(m, "a%41bc x ******** y ********");
        // Multi-byte text around a match stays intact.
        assert_eq!(mask("é secret+1 ü", b"secret 1").unwrap(), "é ******** ü");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_leaves_no_plain_copy(
            before in "[ -~éü%&\\\\+]{0,40}",
            after in "[ -~éü%&\\\\+]{0,40}",
            secret in "[ -)+-~é]{1,16}",
        ) {
            let text = format!("{before}{secret}{after}");
            let masked = mask(&text, secret.as_bytes()).unwrap_or(text);
            proptest::prop_assert!(!masked.contains(&secret), "{masked}");
            let _ = mask(&before, after.as_bytes());
        }
    }

    #[test]
    fn a_long_text_is_scanned_quickly() {
        // Escapes everywhere, and a secret whose every prefix matches: still one pass.
        let text = "%&\\+a%61".repeat(20_000);
        let started = std::time::Instant::now();
        assert_eq!(mask(&text, b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

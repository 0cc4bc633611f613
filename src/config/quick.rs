//! Reading one profile of a large file fast: every other profile's sections left out before
//! the file is read into a tree, for commands that need one profile (`conn token NAME`).
//!
//! One pass of the TOML grammar (no tree is built) finds the table headers. The text kept
//! is the file without the `[profiles.OTHER…]` sections (headers and bodies); [`Only::place`]
//! puts every position of the tree back where it stands in the file, so messages are the
//! same as after the whole read. A name that is not in the file is read the whole way, so
//! that the list of profiles and the suggestion come from the whole file.
//! The fast path is not taken (the caller reads the whole file) when the grammar pass finds
//! a syntax error (the whole read reports it exactly), when a header key cannot be read
//! here, or when a string might be a secret written in the file (finding out for sure
//! means building every profile). The pass reads every key and value as the tree would, so
//! what makes the file invalid TOML anywhere still fails; a problem inside another profile
//! that only building it finds is not looked for, as with `load`.

use std::borrow::Cow;

use toml_parser::decoder::Encoding;
use toml_parser::parser::{EventReceiver, parse_document};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

/// The keys whose string value is a secret written in the file.
const SECRET_KEYS: [&str; 3] = ["client_secret", "password", "key"];

/// The text read in place of the whole file: the file without the other profiles'
/// `[profiles.OTHER…]` sections, and where each kept piece stands in the file.
pub struct Only {
    /// The kept pieces, one after the other.
    pub text: String,
    /// For each kept piece: where it starts in `text` and in the file.
    pieces: Vec<(usize, usize)>,
}

impl Only {
    /// The file's byte range for a range of `text`: each end is placed in the piece it
    /// belongs to (an end that closes a piece stays in that piece).
    pub fn place(&self, r: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let at = |c: usize, closing: bool| {
            let i = self
                .pieces
                .partition_point(|&(k, _)| if closing { k < c } else { k <= c })
                .max(1);
            let (k, f) = self.pieces[i - 1];
            f + c.saturating_sub(k)
        };
        at(r.start, false)..at(r.end, r.end > r.start)
    }
}

/// The file without the other profiles' sections, or `None` when the whole file must be
/// read: besides the doubts above, when `name` has no `[profiles.NAME]` header, when a
/// profile header is an array of tables or given twice, a profile name is one the whole
/// read refuses, or profiles are also written as keys (`[profiles]`, `profiles.a.x = …`),
/// so that what the whole read finds outside the profile is found here too.
pub fn only(text: &str, name: &str) -> Option<Only> {
    let mut scan = Scan {
        source: Source::new(""),
        base: 0,
        header: None,
        sections: Vec::new(),
        key: None,
        value_next: false,
        doubt: false,
    };
    // Piece by piece, each lexed into the same buffer: the tokens of a large file at once
    // cost more in fresh memory than in lexing.
    let mut tokens = Vec::new();
    for (base, piece) in pieces(text) {
        scan.source = Source::new(piece);
        scan.base = base;
        tokens.clear();
        tokens.extend(scan.source.lex());
        let mut error: Option<ParseError> = None;
        parse_document(&tokens, &mut scan, &mut error);
        if error.is_some() || scan.doubt {
            return None;
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut found = false;
    for s in &scan.sections {
        if s.path.first().is_some_and(|k| k == "profiles") {
            if s.array || s.path.len() == 1 || !seen.insert(&s.path) {
                return None;
            }
            if let Some(n) = s.path.get(1) {
                if !super::valid_name(n) {
                    return None;
                }
                found |= n == name;
            }
        }
    }
    if !found {
        return None;
    }
    let mut out = Only {
        text: String::new(),
        pieces: Vec::new(),
    };
    let mut keep = |from: usize, to: usize| {
        if from < to {
            out.pieces.push((out.text.len(), from));
            out.text.push_str(&text[from..to]);
        }
    };
    keep(0, scan.sections.first().map_or(text.len(), |s| s.start));
    for (i, s) in scan.sections.iter().enumerate() {
        let other = s.path.len() >= 2 && s.path[0] == "profiles" && s.path[1] != name;
        if !other {
            keep(s.start, scan.sections.get(i + 1).map_or(text.len(), |n| n.start));
        }
    }
    Some(out)
}

/// Roughly [`PIECE`]-long pieces of `text`, with where each starts, each cut before a line
/// that opens with `[`. A cut inside a multi-line string or array leaves a piece that the
/// grammar refuses, which reads the whole file; so when every piece is valid TOML, the file
/// is, with the same keys and values.
fn pieces(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        if from >= text.len() {
            return None;
        }
        let start = from;
        let at = (start + PIECE).min(text.len());
        let at = (at..text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        from = text[at..].find("\n[").map_or(text.len(), |i| at + i + 1);
        Some((start, &text[start..from]))
    })
}

/// How long a piece of the file [`pieces`] aims for.
const PIECE: usize = 32 * 1024;

/// A table header: where it starts and ends, and its key path.
struct Section<'s> {
    start: usize,
    path: Vec<Cow<'s, str>>,
    /// An array of tables (`[[…]]`).
    array: bool,
}

/// What the grammar pass records.
struct Scan<'s> {
    /// The piece being read, and where it starts in the file.
    source: Source<'s>,
    base: usize,
    /// The header being read: where it started, its keys so far, whether an array's.
    header: Option<(usize, Vec<Cow<'s, str>>, bool)>,
    sections: Vec<Section<'s>>,
    /// The last key outside a header, decoded (borrowed from the file unless escaped).
    key: Option<Cow<'s, str>>,
    /// A `=` was just read: the next scalar is that key's value.
    value_next: bool,
    /// A header key that could not be read, or a string that may be a written secret.
    doubt: bool,
}

impl<'s> Scan<'s> {
    /// The text of a key or value, with how it is written.
    fn raw(&self, span: Span, kind: Option<Encoding>) -> Option<Raw<'s>> {
        let text = self.source.get(span)?.as_str();
        Some(Raw::new_unchecked(text, kind, span))
    }

    fn decode(&mut self, span: Span, kind: Option<Encoding>) -> Option<Cow<'s, str>> {
        let raw = self.raw(span, kind)?;
        let mut key = Cow::Borrowed("");
        let mut error: Option<ParseError> = None;
        raw.decode_key(&mut key, &mut error);
        error.is_none().then_some(key)
    }

    fn open(&mut self, span: Span, array: bool) {
        self.header = Some((self.base + span.start(), Vec::new(), array));
        self.key = None;
        self.value_next = false;
    }

    fn close(&mut self) {
        if let Some((start, path, array)) = self.header.take() {
            self.sections.push(Section { start, path, array });
        }
    }
}

impl EventReceiver for Scan<'_> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open(span, false);
    }
    fn std_table_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.close();
    }
    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open(span, true);
    }
    fn array_table_close(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.close();
    }
    fn simple_key(&mut self, span: Span, kind: Option<Encoding>, _error: &mut dyn ErrorSink) {
        let key = self.decode(span, kind);
        match (&mut self.header, key) {
            (Some((_, path, _)), Some(k)) => path.push(k),
            (Some(_), None) => self.doubt = true,
            (None, k) => {
                // `profiles.a.x = …` outside a profile header: the whole read decides
                // whether it clashes with a `[profiles.a]` left out here.
                self.doubt |= k.as_deref() == Some("profiles");
                self.key = k;
            }
        }
    }
    fn key_val_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.value_next = true;
    }
    fn scalar(&mut self, span: Span, kind: Option<Encoding>, _error: &mut dyn ErrorSink) {
        // Decoded only to find what the tree would refuse (bad escapes, numbers, nothing).
        let mut error: Option<ParseError> = None;
        match self.raw(span, kind) {
            Some(raw) => {
                let _ = raw.decode_scalar(&mut (), &mut error);
            }
            None => self.doubt = true,
        }
        if error.is_some() {
            self.doubt = true;
        }
        if std::mem::take(&mut self.value_next)
            && kind.is_some()
            && self.key.as_deref().is_some_and(|k| SECRET_KEYS.contains(&k))
        {
            self.doubt = true;
        }
    }
    fn error(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.doubt = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "[defaults]\ntimeout = \"5s\"\n\n[profiles.a]\ntype = \"rest\" # é\nbase_url = \"https://a\"\n\n[profiles.a.auth]\ntype = \"none\"\n\n[profiles.b]\ntype = \"rest\"\nbase_url = \"https://b\"\n[profiles.b.auth]\nclient_id = { env = \"X\" }\n";

    #[test]
    fn other_profiles_are_left_out_and_positions_placed_back() {
        let out = only(FILE, "b").unwrap();
        assert!(!out.text.contains("[profiles.a") && !out.text.contains("https://a"));
        assert!(out.text.contains("timeout") && out.text.starts_with("[defaults]"));
        let b = FILE.find("[profiles.b]").unwrap();
        assert_eq!(&out.text[out.text.find("[profiles.b]").unwrap()..], &FILE[b..]);
        for needle in ["timeout", "https://b", "client_id", "[profiles.b.auth]"] {
            let c = out.text.find(needle).unwrap();
            let f = out.place(&(c..c + needle.len()));
            assert_eq!(&FILE[f], needle);
        }
        // A range ending where a kept piece ends stays in that piece.
        let end = out.text.find("[profiles.b]").unwrap();
        assert_eq!(out.place(&(0..end)), 0..FILE.find("[profiles.a]").unwrap());
    }

    #[test]
    fn what_the_whole_read_would_say_otherwise_reads_it_whole() {
        // Not in the file (suggestions come from every name), a duplicate header, an
        // array of profile tables, a name the whole read refuses, profiles written as keys.
        assert!(only(FILE, "c").is_none());
        for extra in [
            "[profiles.a]\n",
            "[[profiles.c]]\n",
            "[profiles.\"c d\"]\n",
            "[profiles]\nc = { type = \"rest\" }\n",
        ] {
            assert!(only(&format!("{FILE}{extra}"), "b").is_none(), "{extra}");
        }
        assert!(only(&format!("profiles.a.x = 1\n{FILE}"), "b").is_none());
    }

    #[test]
    fn pieces_cover_the_text_and_a_cut_string_reads_it_whole() {
        let big = FILE.repeat(2000);
        let cut: Vec<_> = pieces(&big).collect();
        assert!(cut.len() > 2);
        let mut at = 0;
        for (start, p) in &cut {
            assert_eq!(*start, at);
            assert!(*start == 0 || p.starts_with('['));
            at += p.len();
        }
        assert_eq!(at, big.len());
        let many: String = (0..4000)
            .map(|i| format!("[profiles.p{i}]\ntype = \"rest\"\n"))
            .collect();
        assert!(only(&many, "p3999").is_some());
        // A multi-line string holding a line that looks like a header, beyond the first cut.
        let tricky = format!(
            "{many}[profiles.q]\nnote = \"\"\"\n{}\"\"\"\n",
            "x\n[a]\n".repeat(20000)
        );
        assert!(only(&tricky, "p1").is_none());
    }

    #[test]
    fn doubt_reads_the_whole_file() {
        // A grammar error anywhere, a secret that may be written in the file.
        assert!(only(&format!("{FILE}[profiles.c\ntype = \"rest\"\n"), "b").is_none());
        assert!(only(&format!("{FILE}[profiles.c]\ntype = \"rest\n"), "b").is_none());
        assert!(only(&format!("{FILE}[profiles.c.auth]\nclient_secret = \"s\"\n"), "b").is_none());
        assert!(only(&format!("{FILE}[profiles.c.auth]\npassword = {{ env = \"P\" }}\n"), "b").is_some());
    }

    #[test]
    fn values_are_read_too() {
        for bad in ["type = \n", "n = 12x\n", "s = \"\\q\"\n"] {
            assert!(only(&format!("{FILE}[profiles.c]\n{bad}"), "b").is_none(), "{bad}");
        }
    }
}

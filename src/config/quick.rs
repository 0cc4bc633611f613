//! Reading one profile of a large file fast: every other profile's body blanked out before
//! the file is read into a tree, for commands that need one profile (`conn token NAME`).
//!
//! One pass of the TOML grammar (no tree is built) finds the table headers. The text kept
//! is the file itself with the bodies of `[profiles.OTHER…]` tables replaced by spaces (line
//! breaks kept), so every position in a message is the same as in the whole file; the
//! headers stay, so the list of profiles, their names and suggestions are the same too.
//! The fast path is not taken (the caller reads the whole file) when the grammar pass finds
//! a syntax error (the whole read reports it exactly), when a header key cannot be read
//! here, or when a string might be a secret written in the file (finding out for sure
//! means building every profile). The pass reads every key and value as the tree would, so
//! what makes the file invalid TOML anywhere still fails; a problem inside another profile
//! that only building it finds is not looked for, as with `load`.

use toml_parser::decoder::Encoding;
use toml_parser::parser::{EventReceiver, parse_document};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

/// The keys whose string value is a secret written in the file.
const SECRET_KEYS: [&str; 3] = ["client_secret", "password", "key"];

/// `text` with the bodies of all profiles but `name` blanked, or `None` when the whole file
/// must be read.
pub fn only(text: &str, name: &str) -> Option<String> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut scan = Scan {
        source,
        header: None,
        sections: Vec::new(),
        key: None,
        value_next: false,
        doubt: false,
    };
    let mut error: Option<ParseError> = None;
    parse_document(&tokens, &mut scan, &mut error);
    if error.is_some() || scan.doubt {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    for (i, s) in scan.sections.iter().enumerate() {
        if !(s.path.len() >= 2 && s.path[0] == "profiles" && s.path[1] != name) {
            continue;
        }
        let end = scan.sections.get(i + 1).map_or(text.len(), |n| n.start);
        // Every byte but line breaks becomes a space: positions stay, and a multi-byte
        // character is replaced whole, so the text stays UTF-8.
        for b in &mut out[s.header_end..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A table header: where it starts and ends, and its key path.
struct Section {
    start: usize,
    header_end: usize,
    path: Vec<String>,
}

/// What the grammar pass records.
struct Scan<'s> {
    source: Source<'s>,
    /// The header being read: where it started and its keys so far.
    header: Option<(usize, Vec<String>)>,
    sections: Vec<Section>,
    /// The last key outside a header, decoded.
    key: Option<String>,
    /// A `=` was just read: the next scalar is that key's value.
    value_next: bool,
    /// A header key that could not be read, or a string that may be a written secret.
    doubt: bool,
}

impl Scan<'_> {
    /// The text of a key or value, with how it is written.
    fn raw(&self, span: Span, kind: Option<Encoding>) -> Option<Raw<'_>> {
        let text = self.source.get(span)?.as_str();
        Some(Raw::new_unchecked(text, kind, span))
    }

    fn decode(&mut self, span: Span, kind: Option<Encoding>) -> Option<String> {
        let raw = self.raw(span, kind)?;
        let mut key = std::borrow::Cow::Borrowed("");
        let mut error: Option<ParseError> = None;
        raw.decode_key(&mut key, &mut error);
        error.is_none().then(|| key.into_owned())
    }

    fn open(&mut self, span: Span) {
        self.header = Some((span.start(), Vec::new()));
        self.key = None;
        self.value_next = false;
    }

    fn close(&mut self, span: Span) {
        if let Some((start, path)) = self.header.take() {
            self.sections.push(Section {
                start,
                header_end: span.end(),
                path,
            });
        }
    }
}

impl EventReceiver for Scan<'_> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open(span);
    }
    fn std_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.close(span);
    }
    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open(span);
    }
    fn array_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.close(span);
    }
    fn simple_key(&mut self, span: Span, kind: Option<Encoding>, _error: &mut dyn ErrorSink) {
        let key = self.decode(span, kind);
        match (&mut self.header, key) {
            (Some((_, path)), Some(k)) => path.push(k),
            (Some(_), None) => self.doubt = true,
            (None, k) => self.key = k,
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
    fn other_profiles_are_blanked_in_place() {
        let out = only(FILE, "b").unwrap();
        assert_eq!(out.len(), FILE.len());
        assert_eq!(out.matches('\n').count(), FILE.matches('\n').count());
        assert!(out.contains("[profiles.a]\n") && out.contains("[profiles.a.auth]\n"));
        assert!(!out.contains("https://a") && out.contains("https://b") && out.contains("timeout"));
        assert_eq!(
            &out[out.find("[profiles.b]").unwrap()..],
            &FILE[FILE.find("[profiles.b]").unwrap()..]
        );
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

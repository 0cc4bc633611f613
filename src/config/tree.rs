//! The profiles file as a tree of values that remember where they stand in the file.
//!
//! `toml` parses into borrowed, spanned values; this module turns them into an owned tree
//! that can be merged (`[defaults]`, `environments`) without losing each value's position,
//! so that every problem can name the file, line and column it comes from.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// A value and the byte range it covers in the source file.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// A TOML value.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer (out-of-range integers are kept as text and rejected where used).
    Int(Option<i64>),
    /// A float.
    Float,
    /// A boolean.
    Bool(bool),
    /// A date or time.
    Datetime,
    /// An array.
    Array(Vec<Node>),
    /// A table.
    Table(Table),
}

impl Value {
    /// The TOML type name for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A table: entries in file order.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The entries.
    pub entries: Vec<Entry>,
}

/// One `key = value` of a table.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key stands.
    pub key_span: Range<usize>,
    /// The value.
    pub node: Node,
}

impl Table {
    /// The entry for `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Overlay `other` onto `self`: tables merge key by key, anything else is replaced.
    pub fn merge(&mut self, other: &Table) {
        for e in &other.entries {
            match self.entries.iter_mut().find(|m| m.key == e.key) {
                Some(mine) => match (&mut mine.node.value, &e.node.value) {
                    (Value::Table(a), Value::Table(b)) => a.merge(b),
                    _ => *mine = e.clone(),
                },
                None => self.entries.push(e.clone()),
            }
        }
    }

    /// Remove and return the entry for `key`.
    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i))
    }
}

impl Table {
    /// Move every position (values and keys, at every depth) with `place`.
    pub fn replace_spans(&mut self, place: &impl Fn(&Range<usize>) -> Range<usize>) {
        for e in &mut self.entries {
            e.key_span = place(&e.key_span);
            e.node.replace_spans(place);
        }
    }
}

impl Node {
    fn replace_spans(&mut self, place: &impl Fn(&Range<usize>) -> Range<usize>) {
        self.span = place(&self.span);
        match &mut self.value {
            Value::Table(t) => t.replace_spans(place),
            Value::Array(items) => items.iter_mut().for_each(|n| n.replace_spans(place)),
            _ => {}
        }
    }
}

/// A syntax error: message and where.
pub type SyntaxError = (String, Option<Range<usize>>);

/// Parse a TOML document. Syntax errors come back with their byte ranges, as many as the
/// parser can recover from.
pub fn parse(text: &str) -> Result<Table, Vec<SyntaxError>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| (e.message().trim().to_string(), e.span()))
            .collect());
    }
    Ok(table(doc.into_inner()))
}

fn table(t: DeTable<'_>) -> Table {
    Table {
        entries: t
            .into_iter()
            .map(|(k, v)| {
                let key_span = k.span();
                let span = v.span();
                Entry {
                    key: k.into_inner().into_owned(),
                    key_span,
                    node: Node {
                        value: value(v.into_inner()),
                        span,
                    },
                }
            })
            .collect(),
    }
}

fn value(v: DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => Value::Int(i64::from_str_radix(i.as_str(), i.radix()).ok()),
        DeValue::Float(_) => Value::Float,
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(_) => Value::Datetime,
        DeValue::Array(a) => Value::Array(
            a.into_iter()
                .map(|n| {
                    let span = n.span();
                    Node {
                        value: value(n.into_inner()),
                        span,
                    }
                })
                .collect(),
        ),
        DeValue::Table(t) => Value::Table(table(t)),
    }
}

/// 1-based line and column of a byte offset (columns count characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(text, offset)
}

/// Where each line of a text starts, so that many offsets can be placed without rescanning
/// the text for each one (a file with thousands of problems stays linear).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index `text`'s lines.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line and column of a byte offset in the indexed `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1].min(offset);
        (line, text[start..offset].chars().count() + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_merges() {
        let text = "[a]\nx = 1\n[a.t]\ny = \"s\"\n[b.t]\ny = \"o\"\nz = true\n";
        let doc = parse(text).unwrap();
        let Value::Table(a) = &doc.get("a").unwrap().node.value else {
            panic!()
        };
        assert_eq!(line_col(text, a.get("x").unwrap().key_span.start), (2, 1));
        let Value::Table(b) = &doc.get("b").unwrap().node.value else {
            panic!()
        };
        let mut merged = a.clone();
        merged.merge(b);
        let Value::Table(t) = &merged.get("t").unwrap().node.value else {
            panic!()
        };
        assert!(matches!(&t.get("y").unwrap().node.value, Value::Str(s) if s == "o"));
        assert!(t.get("z").is_some());
        assert!(merged.get("x").is_some());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let errs = parse("a = \n").unwrap_err();
        assert!(!errs.is_empty());
        assert!(errs[0].1.is_some());
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("é = 1\nab", 7), (2, 1));
        assert_eq!(line_col("ab", 1), (1, 2));
    }
}

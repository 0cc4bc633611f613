//! Text not written by conn (server answers, the profiles file) made safe to show: registered
//! secrets masked, control characters and terminal escapes removed, cut where asked.

/// Text from the profiles file (or any text not written by conn) made safe for a terminal
/// or a report: the same cleaning as server text, without a length limit. One line.
pub fn safe(text: &str) -> String {
    clean(text, usize::MAX)
}

/// Several lines made safe one by one, the line breaks between them kept.
pub fn safe_lines(text: &str) -> String {
    text.split('\n').map(safe_keep_indent).collect::<Vec<_>>().join("\n")
}

fn safe_keep_indent(line: &str) -> String {
    let indent = &line[..line.len() - line.trim_start_matches(' ').len()];
    format!("{indent}{}", safe(line))
}

/// Server text made safe to show: registered secrets masked, control characters and
/// terminal escapes removed, cut to `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let redacted = super::redact(text);
    let mut out = String::with_capacity(redacted.len().min(max.saturating_add(3)));
    let mut chars = redacted.chars().peekable();
    let mut n = 0;
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Drop an escape sequence whole: ESC [ params final, or ESC ] ... BEL/ST.
            match chars.peek() {
                Some('[') => {
                    chars.next();
                    while let Some(&d) = chars.peek() {
                        chars.next();
                        if ('@'..='~').contains(&d) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    chars.next();
                    while let Some(d) = chars.next() {
                        if d == '\u{7}' || (d == '\u{1b}' && chars.peek() == Some(&'\\')) {
                            break;
                        }
                    }
                }
                _ => {
                    chars.next();
                }
            }
            continue;
        }
        let c = match c {
            '\r' | '\n' | '\t' => ' ',
            c if c.is_control() => continue,
            // Bidirectional overrides can make text read differently from what it is.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => continue,
            c => c,
        };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        if n == max {
            out.push('…');
            break;
        }
        out.push(c);
        n += 1;
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_escapes_and_cuts() {
        assert_eq!(clean("a\u{1b}[31mred\u{1b}[0m\r\nb", 100), "ared b");
        assert_eq!(clean("\u{1b}]0;title\u{7}x", 100), "x");
        assert_eq!(clean("abcdef", 3), "abc…");
        assert_eq!(clean("x\u{0}\u{8}y\u{202e}z", 10), "xyz");
        assert_eq!(safe_lines("a\u{1b}[1mb\n  help: \u{9b}c\r"), "ab\n  help: c");
    }
}

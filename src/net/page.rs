//! Reading an HTML answer as a person would: its title, its first headings, and whether it
//! is a sign-in page (and whose). A small scanner, not a parser: it never fails, and reads at
//! most the first 64 KiB of the body.
//!
//! What a sign-in page looks like comes from real pages: Microsoft's ("Sign in to your
//! account", Azure AD Application Proxy pre-authentication), oauth2-proxy's sign-in template
//! ("Sign In", "Sign in with …"), and forms with a password field.

use crate::finding::clean;

/// Most of a body that is scanned.
const SCAN: usize = 64 * 1024;

/// What an HTML page says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The `<title>`, cleaned.
    pub title: Option<String>,
    /// The first `<h1>`–`<h3>` headings that add to the title, cleaned, at most two.
    pub headings: Vec<String>,
    /// When it asks someone to sign in: the words that show it (a title, a button).
    pub sign_in: Option<String>,
    /// Who serves the sign-in page, when the page says.
    pub provider: Option<&'static str>,
}

impl Page {
    /// The page's words for a summary: `"401 Authorization Required"`, with its headings.
    pub fn words(&self) -> Option<String> {
        let mut parts: Vec<String> = self.title.iter().map(|t| format!("\"{t}\"")).collect();
        parts.extend(self.headings.iter().map(|h| format!("\"{h}\"")));
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Whether a body is HTML: by its content type, or by how it starts.
pub fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    if content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html")) {
        return true;
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let t = head.trim_start();
    t.starts_with("<!doctype html") || t.starts_with("<html") || t.starts_with("<!--") && head.contains("<html")
}

/// Read an HTML body.
pub fn read(body: &[u8]) -> Page {
    let text = String::from_utf8_lossy(&body[..body.len().min(SCAN)]);
    let lower = text.to_ascii_lowercase();
    let title = element(&text, &lower, "title", 0).map(|(t, _)| t);
    let mut headings = Vec::new();
    let mut at = 0;
    while headings.len() < 2 {
        let next = ["h1", "h2", "h3"]
            .iter()
            .filter_map(|tag| element(&text, &lower, tag, at))
            .min_by_key(|(_, end)| *end);
        let Some((h, end)) = next else { break };
        at = end;
        let adds = title.as_deref().is_none_or(|t| !t.contains(h.as_str()));
        if adds && !headings.contains(&h) {
            headings.push(h);
        }
    }
    let sign_in = sign_in_words(title.as_deref(), &headings, &text, &lower);
    let provider = sign_in.as_ref().and_then(|_| provider(&lower));
    Page {
        title,
        headings,
        sign_in,
        provider,
    }
}

/// The text of the first `<tag …>…</tag>` at or after `from`, and where it ends.
fn element(text: &str, lower: &str, tag: &str, from: usize) -> Option<(String, usize)> {
    let open = format!("<{tag}");
    let mut i = from;
    loop {
        let start = i + lower.get(i..)?.find(&open)?;
        let after = start + open.len();
        // `<h1>` or `<h1 class=…>`, not `<h1x>`.
        if lower[after..].starts_with(['>', ' ', '\t', '\n', '\r']) {
            let body_start = after + lower[after..].find('>')? + 1;
            let close = format!("</{tag}");
            // A page cut short may lack the closing tag: the text runs to the next tag or line.
            let end = body_start
                + lower[body_start..]
                    .find(&close)
                    .or_else(|| lower[body_start..].find(['<', '\n']))
                    .unwrap_or(lower.len() - body_start);
            let inner = strip_tags(&text[body_start..end]);
            if !inner.is_empty() {
                return Some((clean(&inner, 200), end));
            }
        }
        i = after;
    }
}

/// Text without tags and entities kept simple, whitespace collapsed.
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("&amp;", "&").replace("&nbsp;", " ").replace("&#39;", "'");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words that ask someone to sign in, as the page shows them.
const SIGN_IN_TITLES: &[&str] = &["sign in", "sign-in", "signin", "log in", "login", "anmelden"];

/// The evidence that a page is a sign-in page: its title or heading saying so, a "Sign in
/// with …" button, or a form with a password field; every one found, as the page shows it.
fn sign_in_words(title: Option<&str>, headings: &[String], text: &str, lower: &str) -> Option<String> {
    let says = |s: &str| {
        let l = s.to_ascii_lowercase();
        SIGN_IN_TITLES.iter().any(|w| l.contains(w))
    };
    let mut found = Vec::new();
    if let Some(t) = title.filter(|t| says(t)) {
        let raw = lower.find("<title>").map(|i| {
            let end = lower[i..].find("</title>").map_or(i, |e| i + e + "</title>".len());
            clean(&text[i..end], 200)
        });
        // The title as it stands in the page when it is plain, else its words.
        found.push(match raw {
            Some(r) if r == format!("<title>{t}</title>") => r,
            _ => format!("\"{t}\""),
        });
    } else if let Some(h) = headings.iter().find(|h| says(h)) {
        found.push(format!("\"{h}\""));
    }
    if let Some(i) = lower.find("sign in with") {
        let end = text[i..].find(['<', '\n']).map_or(text.len(), |e| i + e);
        found.push(format!("\"{}\"", clean(&text[i..end], 100)));
    }
    if found.is_empty() && lower.contains("type=\"password\"") {
        found.push("a password field".to_string());
    }
    (!found.is_empty()).then(|| found.join(", "))
}

/// The words of an HTML fragment: tags dropped, whitespace collapsed.
pub fn text_of(html: &str) -> String {
    strip_tags(html)
}

/// Who serves a sign-in page, from what the page carries.
fn provider(lower: &str) -> Option<&'static str> {
    const MARKS: &[(&str, &str)] = &[
        ("login.microsoftonline.com", "Microsoft Entra ID"),
        ("microsoft corporation", "Microsoft Entra ID"),
        ("okta", "Okta"),
        ("accounts.google.com", "Google"),
        ("auth0", "Auth0"),
        ("keycloak", "Keycloak"),
        ("oauth2/start", "oauth2-proxy"),
        ("oauth2-proxy", "oauth2-proxy"),
    ];
    MARKS.iter().find(|(m, _)| lower.contains(m)).map(|(_, who)| *who)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_headings_and_sign_in_pages() {
        let nginx = b"<html>\n<head><title>400 The SSL certificate error</title></head>\n<body>\n<center><h1>400 Bad Request</h1></center>\n</body></html>";
        let p = read(nginx);
        assert_eq!(p.title.as_deref(), Some("400 The SSL certificate error"));
        assert_eq!(p.headings, vec!["400 Bad Request".to_string()]);
        assert_eq!(p.sign_in, None);
        assert_eq!(
            p.words().unwrap(),
            "\"400 The SSL certificate error\", \"400 Bad Request\""
        );
        let same = read(b"<title>403 Forbidden</title><h1>403 Forbidden</h1>");
        assert!(same.headings.is_empty());
        let ms = read(b"<!-- Copyright (C) Microsoft Corporation. All rights reserved. -->\n<html><head><title>Sign in to your account</title>");
        assert_eq!(ms.sign_in.as_deref(), Some("<title>Sign in to your account</title>"));
        assert_eq!(ms.provider, Some("Microsoft Entra ID"));
        let button = read(b"<html><body><button type=\"submit\">Sign in with GitHub</button>");
        assert_eq!(button.sign_in.as_deref(), Some("\"Sign in with GitHub\""));
        let form = read(b"<html><form><input type=\"password\" name=\"p\"></form>");
        assert_eq!(form.sign_in.as_deref(), Some("a password field"));
        for junk in [&b""[..], b"<title>", b"<h1", b"<<<>>>", b"<title></title><h1></h1>"] {
            let _ = read(junk);
        }
        assert!(is_html(None, b"  <!DOCTYPE html><html>"));
        assert!(is_html(Some("text/html; charset=utf-8"), b"x"));
        assert!(!is_html(Some("application/json"), b"{}"));
    }
}

#[cfg(test)]
mod proptests {
    //! Any bytes: no panic, and only cleaned text kept.
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_body_reads_without_panic(
            raw in proptest::collection::vec(any::<u8>(), 0..400),
            tagged in "(<(title|h1|h2|h3|TITLE|input type=\"password\")>|</(title|h1|h2)>|[ -~]|é|\n){0,80}",
        ) {
            for b in [raw.as_slice(), tagged.as_bytes()] {
                let p = read(b);
                for s in p.title.iter().chain(&p.headings).chain(&p.sign_in) {
                    prop_assert!(!s.chars().any(char::is_control), "{s:?}");
                }
                let _ = is_html(None, b);
            }
        }
    }
}

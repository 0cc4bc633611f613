//! What a probe's answer carries, read once: the server's own words (error bodies of every
//! vendor, HTML pages, plain text), its challenges, who answered and its rate-limit headers.
//! The rules in [`super::rules`] and the verdicts in [`super::verdict`] read only this.

use reqwest::header::HeaderMap;
use url::Url;

use super::verdict::Context;
use crate::finding::clean;
use crate::net::page::{self, Page};
use crate::net::quota::{self, Quota};
use crate::net::responder::{self, Responder};
use crate::oauth::server_error::{self, Challenge, ServerError};

/// Longest plain-text excerpt of a body that is quoted.
const TEXT_EXCERPT: usize = 300;

/// A probe's final answer, read.
pub struct Seen<'a> {
    /// HTTP status.
    pub status: u16,
    /// The answer's headers.
    pub headers: &'a HeaderMap,
    /// The profile and token.
    pub ctx: &'a Context<'a>,
    /// The URL called (shown form).
    pub url: &'a str,
    /// Its path.
    pub path: String,
    /// The redirects followed before it.
    pub hop: usize,
    /// The error body, as far as it was understood.
    pub se: ServerError,
    /// `WWW-Authenticate` challenges.
    pub challenges: Vec<Challenge>,
    /// The raw `WWW-Authenticate` values, for showing.
    pub challenge_raw: Vec<String>,
    /// The page, when the body is HTML.
    pub page: Option<Page>,
    /// An excerpt of the body's text, when it is not JSON and no error was read from it.
    pub text: Option<String>,
    /// Who answered, when the answer says.
    pub who: Option<Responder>,
    /// The rate-limit headers.
    pub quota: Option<Quota>,
    /// Everything the server said, lower-cased, for matching.
    pub lower: String,
}

impl<'a> Seen<'a> {
    /// Read an answer.
    pub fn read(
        status: u16,
        headers: &'a HeaderMap,
        body: &[u8],
        url: &'a str,
        ctx: &'a Context<'a>,
        hop: usize,
    ) -> Seen<'a> {
        let challenge_raw: Vec<String> = headers
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| clean(&String::from_utf8_lossy(v.as_bytes()), 300))
            .collect();
        let challenges = server_error::parse_challenges(challenge_raw.iter().map(String::as_str));
        let se = server_error::parse_answer(status, headers, body, &challenges);
        let ct = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let html = page::is_html(ct, body) && !body.trim_ascii_start().starts_with(b"<?xml");
        let page = html.then(|| page::read(body));
        let json = serde_json::from_slice::<serde_json::Value>(body).is_ok();
        let text = (!json && se.is_empty())
            .then(|| {
                let raw = String::from_utf8_lossy(&body[..body.len().min(4096)]);
                match html {
                    true => page::text_of(&raw),
                    false => raw.split_whitespace().collect::<Vec<_>>().join(" "),
                }
            })
            .filter(|t| !t.is_empty())
            .map(|t| clean(&t, TEXT_EXCERPT));
        let path = Url::parse(url).map(|u| u.path().to_string()).unwrap_or_default();
        let mut s = Seen {
            status,
            headers,
            ctx,
            url,
            path,
            hop,
            se,
            challenges,
            challenge_raw,
            page,
            text,
            who: responder::of(headers, body),
            quota: quota::read(headers),
            lower: String::new(),
        };
        s.lower = [s.said().unwrap_or_default(), s.challenge_raw.join(" ")]
            .join(" ")
            .to_ascii_lowercase();
        s
    }

    /// The server's own words: its codes and messages, the page's title and headings, or the
    /// text it sent; `None` when it said nothing readable.
    pub fn said(&self) -> Option<String> {
        let e = &self.se;
        let desc = e.description.as_deref().map(server_error::entra_message);
        let mut parts: Vec<String> = Vec::new();
        for p in [e.vendor_code.as_deref(), e.error.as_deref(), e.title.as_deref(), desc]
            .into_iter()
            .flatten()
        {
            let p = clean(p, 400);
            if !parts.iter().any(|q| q.eq_ignore_ascii_case(&p)) {
                parts.push(p);
            }
        }
        if !parts.is_empty() {
            return Some(parts.join(": "));
        }
        if let Some(w) = self.page.as_ref().and_then(Page::words) {
            return Some(w);
        }
        self.text.as_ref().map(|t| format!("\"{t}\""))
    }

    /// `: <the server's words>`, or nothing.
    pub fn quote(&self) -> String {
        self.said().map(|q| format!(": {q}")).unwrap_or_default()
    }

    /// Whether any of `needles` is in what the server said.
    pub fn says(&self, needles: &[&str]) -> bool {
        needles.iter().any(|n| self.lower.contains(n))
    }

    /// `(403)`, or `(403, answered by Cloudflare, Ray ID …)`.
    pub fn status_by(&self) -> String {
        match &self.who {
            Some(w) => {
                let r = w.reference().map(|r| format!(", {r}")).unwrap_or_default();
                format!("({}, answered by {}{r})", self.status, w.name())
            }
            None => format!("({})", self.status),
        }
    }

    /// The challenge as sent, for a hint: `WWW-Authenticate: Bearer error="…"`.
    pub fn challenge_shown(&self) -> Option<String> {
        (!self.challenge_raw.is_empty()).then(|| format!("WWW-Authenticate: {}", self.challenge_raw.join(", ")))
    }

    /// A challenge's `error` parameter, when one names it.
    pub fn challenge_error(&self) -> Option<&str> {
        self.challenges.iter().find_map(|c| c.param("error"))
    }

    /// The host called.
    pub fn host(&self) -> String {
        Url::parse(self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "the API".into())
    }
}

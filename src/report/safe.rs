//! The last step before a report is rendered: every text in it that may come from the
//! profiles file (names, environments, URLs, messages quoting the file) is made safe for a
//! terminal, so no escape sequence or control character reaches a person, whatever the
//! format. JSON and JUnit carry the cleaned text too: they end up on terminals and CI pages.

use super::{ProfileReport, Report, Step};
use crate::finding::{safe, safe_lines};

/// A copy of the report with every free text cleaned.
pub fn cleaned(r: &Report) -> Report {
    let mut r = r.clone();
    r.profiles.iter_mut().for_each(profile);
    r
}

fn profile(p: &mut ProfileReport) {
    p.profile = safe(&p.profile);
    p.environment = p.environment.as_deref().map(safe);
    p.ty = safe(&p.ty);
    p.auth = safe(&p.auth);
    p.summary = safe_lines(&p.summary);
    p.hints.iter_mut().for_each(|h| *h = safe_lines(h));
    p.warnings.iter_mut().for_each(|w| w.message = safe_lines(&w.message));
    p.notes.iter_mut().for_each(|n| *n = safe_lines(n));
    p.steps.iter_mut().for_each(step);
    if let Some(t) = &mut p.token {
        t.token_type = safe(&t.token_type);
        t.scopes_requested.iter_mut().for_each(|s| *s = safe(s));
        if let Some(g) = &mut t.scopes_granted {
            g.iter_mut().for_each(|s| *s = safe(s));
        }
    }
}

fn step(s: &mut Step) {
    s.url = s.url.as_deref().map(safe);
    s.detail = s.detail.as_deref().map(safe_lines);
}

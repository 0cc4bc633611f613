//! The report for people: a headline per profile, a line per step with its timing, then what
//! went wrong and what to do, with the server's own words; a closing count.

use colored::Colorize;

use super::{HintLine, ProfileReport, Report, Status};
use crate::oauth::server_error::ServerError;

/// Rendering choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Only failed (and warned) profiles.
    pub quiet: bool,
}

fn mark(s: Status) -> String {
    match s {
        Status::Pass => "✓".green().bold().to_string(),
        Status::Warn => "!".yellow().bold().to_string(),
        Status::Fail => "✗".red().bold().to_string(),
        Status::Skip => "-".dimmed().to_string(),
    }
}

fn ms(v: Option<u64>) -> String {
    match v {
        Some(n) if n >= 10_000 => format!("{:.1} s", n as f64 / 1000.0),
        Some(n) => format!("{n} ms"),
        None => String::new(),
    }
}

/// One profile's block.
pub fn profile(p: &ProfileReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} {}  {}  {}\n",
        mark(p.status),
        p.display_name().bold(),
        format!("{} · {}", p.ty, p.auth).dimmed(),
        ms(Some(p.duration_ms)).dimmed()
    ));
    for s in &p.steps {
        let mut line = format!("    {} {:<9} {:>7}", mark(s.status), s.name.as_str(), ms(s.duration_ms));
        let mut detail = Vec::new();
        if let Some(h) = s.http_status {
            detail.push(h.to_string());
        }
        if let (Some(u), Status::Fail) = (&s.url, s.status) {
            detail.push(u.clone());
        }
        if s.status == Status::Skip {
            detail.push("skipped".into());
        } else if let Some(d) = &s.detail
            && s.status != Status::Fail
        {
            detail.push(d.clone());
        }
        if !detail.is_empty() {
            line.push_str("  ");
            line.push_str(&detail.join("  "));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let summary = match p.status {
        Status::Fail => p.summary.red().to_string(),
        _ => p.summary.clone(),
    };
    out.push_str(&format!("  {summary}\n"));
    if let Some(e) = &p.server_error {
        for l in server_lines(e) {
            out.push_str(&format!("  {} {l}\n", "server:".dimmed()));
        }
    }
    if let Some(t) = &p.token
        && let Some(c) = &t.claims
        && p.status == Status::Fail
    {
        let keep = ["aud", "iss", "appid", "azp", "tid", "roles", "scp"];
        let shown: Vec<String> = keep
            .iter()
            .filter_map(|k| c.get(*k).map(|v| format!("{k}={}", v.to_string().trim_matches('"'))))
            .collect();
        if !shown.is_empty() {
            out.push_str(&format!("  {} {}\n", "token (unverified):".dimmed(), shown.join(" ")));
        }
    }
    for h in p.hint_lines() {
        let (arrow, text) = match h {
            HintLine::Warning(w) => ("warning:".yellow().to_string(), w.message.clone()),
            HintLine::Hint(h) => ("→".cyan().to_string(), h.to_string()),
        };
        out.push_str(&format!("  {arrow} {text}\n"));
    }
    out
}

fn server_lines(e: &ServerError) -> Vec<String> {
    let mut v = Vec::new();
    let mut head = Vec::new();
    if let Some(x) = &e.error {
        head.push(format!("error={x}"));
    }
    if let Some(x) = &e.title {
        head.push(format!("title=\"{x}\""));
    }
    if let Some(x) = &e.vendor_code {
        head.push(format!("code={x}"));
    }
    if !e.error_codes.is_empty() {
        head.push(format!(
            "codes={}",
            e.error_codes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if let Some(x) = &e.scope {
        head.push(format!("scope=\"{x}\""));
    }
    if !head.is_empty() {
        v.push(format!("{} {}", e.status, head.join(" ")));
    }
    if let Some(d) = &e.description {
        let first = crate::oauth::server_error::entra_message(d);
        v.push(format!("\"{first}\""));
    }
    let mut ids = Vec::new();
    if let Some(x) = &e.trace_id {
        ids.push(format!("trace_id={x}"));
    }
    if let Some(x) = &e.correlation_id {
        ids.push(format!("correlation_id={x}"));
    }
    if let Some(x) = &e.timestamp {
        ids.push(format!("timestamp={x}"));
    }
    if !ids.is_empty() {
        v.push(ids.join(" "));
    }
    v
}

/// `N profiles: a passed, b warned, c failed`.
pub fn summary_line(r: &Report) -> String {
    let s = r.summary;
    let noun = if s.total == 1 { "profile" } else { "profiles" };
    format!(
        "{} {noun}: {} passed, {} warned, {} failed",
        s.total, s.passed, s.warned, s.failed
    )
}

/// The whole report.
pub fn render(r: &Report, style: Style) -> String {
    let mut out = String::new();
    for p in &r.profiles {
        if style.quiet && p.status == Status::Pass {
            continue;
        }
        out.push_str(&profile(p));
        out.push('\n');
    }
    out.push_str(&summary_line(r));
    out.push('\n');
    out
}

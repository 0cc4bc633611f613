//! The JUnit report (`--format junit`): one `<testsuite name="conn">`, one `<testcase>` per
//! profile, written with `quick-junit`. A failed profile carries `<failure type="category">`
//! whose text lists the steps and hints; a warned one passes with its warnings in
//! `<system-out>`. Verdicts come from the model as they are.
//!
//! ```text
//! <testsuites name="conn" tests="2" failures="1" errors="0" …>
//!     <testsuite name="conn" tests="2" failures="1" …>
//!         <testcase name="billing@staging" classname="rest" time="0.210"/>
//!         <testcase name="hypatos-eu" classname="hypatos" time="0.240">
//!             <failure message="Hypatos rejected the client credentials …" type="authentication">…
//! dns pass 2 ms: api.cloud.hypatos.ai → 3.64.1.2
//! token fail 120 ms 401 https://api.cloud.hypatos.ai/v2/auth/token: …
//! probe skip
//!
//! hint: check client_id and client_secret …</failure>
//!         </testcase>
//!     </testsuite>
//! </testsuites>
//! ```

use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{HintLine, ProfileReport, Report, Status};

/// The suite's name.
pub const SUITE: &str = "conn";

/// One line per step: name, status, timing, HTTP status, URL, detail.
fn steps(p: &ProfileReport) -> String {
    let mut out = String::new();
    for s in &p.steps {
        let mut line = format!("{} {}", s.name.as_str(), status(s.status));
        if let Some(ms) = s.duration_ms {
            line.push_str(&format!(" {ms} ms"));
        }
        if let Some(h) = s.http_status {
            line.push_str(&format!(" {h}"));
        }
        if let Some(u) = &s.url {
            line.push_str(&format!(" {u}"));
        }
        if let Some(d) = &s.detail {
            line.push_str(&format!(": {d}"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Skip => "skip",
    }
}

/// Hints as the JSON report lists them (warnings as `warning: …`).
fn hint_texts(p: &ProfileReport) -> Vec<String> {
    p.hint_lines().iter().map(HintLine::report_text).collect()
}

fn case(p: &ProfileReport) -> TestCase {
    let st = match p.status {
        Status::Fail => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let mut text = format!("{}\n\n{}", p.summary, steps(p));
            let lines = hint_texts(p);
            if !lines.is_empty() {
                text.push('\n');
                for h in &lines {
                    text.push_str(&format!("hint: {h}\n"));
                }
            }
            st.set_message(p.summary.as_str())
                .set_type(p.category.as_str())
                .set_description(text);
            st
        }
        _ => TestCaseStatus::success(),
    };
    let mut c = TestCase::new(p.display_name(), st);
    c.set_classname(p.ty.as_str())
        .set_time(Duration::from_millis(p.duration_ms));
    if p.status == Status::Warn {
        let mut out = format!("{}\n", p.summary);
        for h in &hint_texts(p) {
            out.push_str(&format!("{h}\n"));
        }
        out.push('\n');
        out.push_str(&steps(p));
        c.set_system_out(out);
    }
    c
}

/// Render the report as JUnit XML.
pub fn render(r: &Report) -> String {
    let mut report = quick_junit::Report::new(SUITE);
    let mut suite = TestSuite::new(SUITE);
    suite.set_time(Duration::from_millis(r.duration_ms));
    suite.add_test_cases(r.profiles.iter().map(case));
    report
        .set_time(Duration::from_millis(r.duration_ms))
        .add_test_suite(suite);
    let mut s = report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- conn: cannot write the JUnit report: {e} -->\n"));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

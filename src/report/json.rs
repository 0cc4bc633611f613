//! The JSON report, `conn.report/v1`: the model serialised as it is.

use super::Report;

/// Render the report as pretty JSON with a trailing newline.
pub fn render(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

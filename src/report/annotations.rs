//! GitHub Actions annotations: with `GITHUB_ACTIONS=true`, one `::error` line per failed
//! profile and one `::warning` line per warned one, each naming the profile and its one-line
//! diagnosis. They go to stderr (stdout holds only the report); the runner reads both.

use super::{HintLine, Report, Status};

/// Whether the run is inside GitHub Actions.
pub fn enabled() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Escape the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value (`title=…`) of a workflow command.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation lines for a report, each ending in a newline.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for p in &r.profiles {
        let (cmd, what) = match p.status {
            Status::Fail => ("error", format!("failed ({})", p.category.as_str())),
            Status::Warn => ("warning", "passed with warnings".to_string()),
            _ => continue,
        };
        let mut msg = p.summary.clone();
        if p.status == Status::Warn
            && let Some(h) = p.hint_lines().first()
        {
            let text = match h {
                HintLine::Hint(h) => h,
                HintLine::Warning(w) => w.message.as_str(),
            };
            msg = format!("{msg}: {text}");
        }
        out.push_str(&format!(
            "::{cmd} title={}::{}\n",
            property(&format!("conn: {} {what}", p.display_name())),
            data(&format!("{}: {msg}", p.display_name()))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_text() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a: b, c"), "a%3A b%2C c");
    }
}

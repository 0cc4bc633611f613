//! The JSON report, `conn.report/v1`: the model serialised as it is.

use super::Report;

/// Render the report as pretty JSON with a trailing newline.
pub fn render(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Category;
    use crate::failure::Warning;
    use crate::report::{ProfileReport, Status};

    fn profile() -> ProfileReport {
        ProfileReport {
            profile: "p".into(),
            environment: None,
            ty: "rest".into(),
            auth: "none".into(),
            status: Status::Warn,
            category: Category::Ok,
            kind: None,
            summary: "fine".into(),
            hints: vec!["do this".into()],
            warnings: vec![Warning::new("insecure_tls", Category::Tls, "checks are off")],
            notes: vec!["a note".into()],
            duration_ms: 1,
            steps: Vec::new(),
            token: None,
            server_error: None,
        }
    }

    #[test]
    fn warnings_keep_their_place_in_hints_and_are_listed_as_data() {
        let r = Report::new("t".into(), 1, vec![profile()], false);
        let v: serde_json::Value = serde_json::from_str(&render(&r)).expect("json");
        let p = &v["profiles"][0];
        assert_eq!(
            p["hints"],
            serde_json::json!(["do this", "warning: checks are off", "a note"])
        );
        assert_eq!(
            p["warnings"],
            serde_json::json!([{"kind": "insecure_tls", "category": "tls", "message": "checks are off"}])
        );
        assert!(p.get("kind").is_none());
        // The fields of conn.report/v1 in their order, the added `warnings` after `hints`.
        let full = render(&r);
        let text = &full[full.find("\"profiles\"").unwrap_or(0)..];
        let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap_or(usize::MAX);
        let order = [
            "profile",
            "environment",
            "type",
            "auth",
            "status",
            "category",
            "exit_code",
            "summary",
            "hints",
            "warnings",
            "duration_ms",
            "steps",
            "token",
            "server_error",
        ];
        assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
    }

    #[test]
    fn strict_fails_a_warned_profile_with_its_first_warning() {
        let r = Report::new("t".into(), 1, vec![profile()], true);
        let p = &r.profiles[0];
        assert_eq!(
            (p.status, p.category, p.kind, p.exit_code()),
            (Status::Fail, Category::Tls, Some("insecure_tls"), 4)
        );
        assert_eq!(r.exit_code, 4);
    }
}

//! conn in pipelines: the JUnit report, GitHub Actions annotations and token masking, exit
//! codes that agree across formats, and plain output (no escape codes) when piped.

use conn::demo::fake::{FakeService, World};

use crate::support::{Out, Sandbox, rt};

fn start() -> FakeService {
    rt().block_on(FakeService::start(World::default()))
        .expect("fake service")
}

const SECRET: &str = "hyp-secret-1";
const WRONG: &str = "hyp-secret-WRONG-77";

/// Four profiles: one passes, one warns (password grant), one is rejected (5), one cannot
/// connect (3).
fn profiles(base: &str, refused: u16) -> String {
    format!(
        r#"# CI smoke checks
[profiles.ok]
type = "hypatos"
endpoint = "{base}/hypatos/v2"
client_id = "demo-hypatos"
client_secret = {{ env = "HYP_SECRET" }}

[profiles.warned]
type = "rest"
base_url = "{base}/rest/api"
probe = "/health"
[profiles.warned.auth]
type = "oauth2-password"
token_url = "{base}/rest/oauth/token"
client_id = "rest-cli"
client_secret = {{ env = "REST_SECRET" }}
username = "alice"
password = {{ env = "ALICE_PASSWORD" }}

[profiles.wrong]
type = "hypatos"
endpoint = "{base}/hypatos/v2"
client_id = "demo-hypatos"
client_secret = {{ env = "WRONG_SECRET" }}

[profiles.down]
type = "rest"
base_url = "http://127.0.0.1:{refused}/api"
probe = "/health"
"#
    )
}

fn sandbox(svc: &FakeService) -> Sandbox {
    Sandbox::with(&profiles(&svc.base_url(), crate::support::servers::refused_port()))
        .var("HYP_SECRET", SECRET)
        .var("WRONG_SECRET", WRONG)
        .var("REST_SECRET", "rest-secret")
        .var("ALICE_PASSWORD", "alice-pass")
}

const SECRETS: &[&str] = &[SECRET, WRONG, "rest-secret", "alice-pass"];

fn junit(out: &Out) -> quick_junit::Report {
    quick_junit::Report::deserialize_from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JUnit ({e}):\n{}\n--- stderr\n{}", out.stdout, out.stderr))
}

#[test]
fn junit_report_has_a_testcase_per_profile_and_failure_types() {
    let svc = start();
    let s = sandbox(&svc);
    let out = s.conn(&["test", "--all", "--format", "junit"]);
    // Authentication (5) and network (3) differ: 1.
    out.code(1).no_secrets(SECRETS);
    assert!(out.stdout.starts_with("<?xml"), "{}", out.stdout);
    let r = junit(&out);
    assert_eq!(r.test_suites.len(), 1);
    let suite = &r.test_suites[0];
    assert_eq!(suite.name.as_str(), "conn");
    assert_eq!(suite.tests, 4);
    assert_eq!(suite.failures, 2);
    assert_eq!(suite.errors, 0);
    let names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ok", "warned", "wrong", "down"]);
    let case = |n: &str| suite.test_cases.iter().find(|c| c.name.as_str() == n).unwrap();
    assert_eq!(case("ok").classname.as_ref().unwrap().as_str(), "hypatos");
    assert_eq!(case("down").classname.as_ref().unwrap().as_str(), "rest");
    let failure = |n: &str| match &case(n).status {
        quick_junit::TestCaseStatus::NonSuccess {
            kind: quick_junit::NonSuccessKind::Failure,
            message,
            ty,
            description,
            ..
        } => (
            message.as_ref().unwrap().to_string(),
            ty.as_ref().unwrap().to_string(),
            description.as_ref().unwrap().to_string(),
        ),
        other => panic!("{n}: not a failure: {other:?}"),
    };
    let (msg, ty, text) = failure("wrong");
    assert_eq!(ty, "authentication");
    assert!(msg.contains("Hypatos rejected the client credentials"), "{msg}");
    assert!(text.contains("token fail"), "{text}");
    assert!(text.contains("probe skip"), "{text}");
    assert!(text.contains("hint: "), "{text}");
    assert_eq!(failure("down").1, "network");
    assert!(matches!(case("ok").status, quick_junit::TestCaseStatus::Success { .. }));
    let warned = case("warned");
    assert!(matches!(warned.status, quick_junit::TestCaseStatus::Success { .. }));
    let out_text = warned.system_out.as_ref().expect("warnings in system-out").to_string();
    assert!(out_text.contains("RFC 9700"), "{out_text}");
    // --output writes the same report to a file; stdout stays empty.
    let to_file = s.conn(&["test", "--all", "--format", "junit", "--output", "conn-report.xml"]);
    to_file.code(1).no_secrets(SECRETS);
    assert_eq!(to_file.stdout, "");
    let text = std::fs::read_to_string(s.path().join("conn-report.xml")).unwrap();
    let again = quick_junit::Report::deserialize_from_str(&text).unwrap();
    assert_eq!(again.test_suites[0].tests, 4);
    assert_eq!(again.test_suites[0].failures, 2);
    for secret in SECRETS {
        assert!(!text.contains(secret));
    }
}

#[test]
fn exit_codes_agree_across_formats() {
    let svc = start();
    let s = sandbox(&svc);
    for (sel, code) in [
        (&["ok", "warned"][..], 0),
        (&["ok", "wrong"][..], 5),
        (&["wrong", "down"][..], 1),
    ] {
        for format in ["human", "json", "junit"] {
            let mut args = vec!["test", "--format", format];
            args.extend(sel);
            let out = s.conn(&args);
            out.code(code).no_secrets(SECRETS);
            if format == "json" {
                assert_eq!(out.json()["exit_code"], code);
            }
        }
    }
    // --strict turns the warning into a failure, in every format.
    for format in ["human", "json", "junit"] {
        let out = s.conn(&["test", "warned", "--strict", "--format", format]);
        assert_ne!(out.code, 0, "{format}: {}", out.stdout);
    }
}

#[test]
fn github_actions_annotations_name_each_failed_or_warned_profile() {
    let svc = start();
    let s = sandbox(&svc).var("GITHUB_ACTIONS", "true");
    let out = s.conn(&["test", "--all", "--format", "json"]);
    out.code(1).no_secrets(SECRETS);
    // stdout is still only the report.
    assert_eq!(out.json()["summary"]["failed"], 2);
    let lines: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 3, "{}", out.stderr);
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::error title=conn%3A wrong failed (authentication)::wrong: Hypatos rejected the client credentials"
        )),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error title=conn%3A down failed (network)::down: ")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(
            |l| l.starts_with("::warning title=conn%3A warned passed with warnings::warned: ")
                && l.contains("RFC 9700")
        ),
        "{lines:?}"
    );
    assert!(!out.stderr.contains(":: ok"), "{}", out.stderr);
    // The same for the human and JUnit reports; none outside GitHub Actions.
    let human = s.conn(&["test", "wrong"]);
    human.code(5).stderr_has("::error title=conn%3A wrong failed");
    let plain = sandbox(&svc).conn(&["test", "--all"]);
    plain.code(1);
    assert!(!plain.stderr.contains("::error"), "{}", plain.stderr);
}

#[test]
fn token_is_masked_in_github_actions_before_it_is_printed() {
    let svc = start();
    let s = sandbox(&svc).var("GITHUB_ACTIONS", "true");
    let out = s.conn(&["token", "ok"]);
    out.code(0);
    let token = out.stdout.trim();
    assert!(!token.is_empty());
    assert_eq!(out.stdout, format!("{token}\n"), "only the token on stdout");
    out.stderr_has(&format!("::add-mask::{token}"));
    let plain = sandbox(&svc).conn(&["token", "ok"]);
    plain.code(0);
    assert!(!plain.stderr.contains("::add-mask::"), "{}", plain.stderr);
}

fn plain(out: &Out) {
    assert!(
        !out.stdout.contains('\u{1b}'),
        "escape code on stdout:\n{:?}",
        out.stdout
    );
    assert!(
        !out.stderr.contains('\u{1b}'),
        "escape code on stderr:\n{:?}",
        out.stderr
    );
}

#[test]
fn piped_output_has_no_escape_codes_and_no_progress() {
    let svc = start();
    let s = sandbox(&svc);
    let run = |args: &[&str], no_color_env: bool| {
        let mut c = s.cmd(args);
        if !no_color_env {
            c.env_remove("NO_COLOR");
        }
        let o = c.output().expect("run conn");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    };
    for (args, env) in [
        (&["test", "--all"][..], false),
        (&["test", "--all", "--no-color"][..], false),
        (&["test", "--all"][..], true),
        (&["test", "wrong", "-v"][..], false),
    ] {
        let out = run(args, env);
        assert_ne!(out.code, 0);
        plain(&out);
        out.no_secrets(SECRETS);
        assert!(
            !out.stderr.contains("testing profiles"),
            "progress when piped:\n{}",
            out.stderr
        );
    }
    let out = run(&["test", "--all"], false);
    out.stdout_has("✗ wrong")
        .stdout_has("✓ ok")
        .stdout_has("! warned")
        .stdout_has("4 profiles: 1 passed, 1 warned, 2 failed");
}

#[test]
fn quiet_prints_only_failures_and_the_count() {
    let svc = start();
    let out = sandbox(&svc).conn(&["test", "-q", "--all"]);
    out.code(1);
    assert!(!out.stdout.contains("✓ ok"), "{}", out.stdout);
    out.stdout_has("✗ wrong")
        .stdout_has("✗ down")
        .stdout_has("4 profiles: 1 passed, 1 warned, 2 failed");
    assert!(
        out.stdout
            .trim_end()
            .ends_with("4 profiles: 1 passed, 1 warned, 2 failed")
    );
}

#[test]
fn demo_writes_junit_too() {
    // Its profiles are broken on purpose: no annotations, even in GitHub Actions.
    let out = Sandbox::new()
        .var("GITHUB_ACTIONS", "true")
        .conn(&["demo", "--format", "junit"]);
    out.code(0);
    assert!(!out.stderr.contains("::error"), "{}", out.stderr);
    let r = junit(&out);
    assert_eq!(r.test_suites[0].name.as_str(), "conn");
    assert!(r.test_suites[0].tests >= 5);
    assert!(r.test_suites[0].failures >= 1);
}

#[test]
fn a_terminal_gets_progress_and_colour_unless_no_color() {
    use crate::support::on_terminal;
    let svc = start();
    // An empty NO_COLOR counts as unset.
    let colourful = sandbox(&svc).var("NO_COLOR", "");
    let out = on_terminal(&colourful, &["test", "--all"], &[]);
    out.code(1).no_secrets(SECRETS);
    assert!(
        out.stdout.contains("testing profiles: "),
        "no progress:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\u{1b}["),
        "no colour on a terminal:\n{}",
        out.stdout
    );
    assert!(out.stdout.contains("4 profiles: 1 passed, 1 warned, 2 failed"));
    // --no-color, or NO_COLOR (the sandbox sets it): progress still, but not one escape code.
    for out in [
        on_terminal(&colourful, &["test", "--all", "--no-color"], &[]),
        on_terminal(&sandbox(&svc), &["test", "--all"], &[]),
    ] {
        out.code(1);
        assert!(out.stdout.contains("testing profiles: "), "{}", out.stdout);
        assert!(
            !out.stdout.contains('\u{1b}'),
            "escape code with NO_COLOR/--no-color:\n{:?}",
            out.stdout
        );
    }
    // -q: no progress, only failures.
    let quiet = on_terminal(&colourful, &["test", "--all", "-q"], &[]);
    quiet.code(1);
    assert!(!quiet.stdout.contains("testing profiles"), "{}", quiet.stdout);
    assert!(!quiet.stdout.contains("ok  hypatos"), "{}", quiet.stdout);
}

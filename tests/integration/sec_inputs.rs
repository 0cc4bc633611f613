//! Hostile inputs from the profiles file and the command line: secret commands that outlive
//! their timeout, absurd durations, endless or huge profiles files, files with thousands of
//! problems, shell injection through `show --curl`, and terminal escapes in config text.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{Out, Sandbox};

/// A REST profile whose client secret comes from `sh -c SCRIPT` with a 2 s timeout.
fn command_secret_profile(script: &str) -> String {
    format!(
        "[profiles.cmd]\ntype = \"rest\"\nbase_url = \"https://api.example\"\n\n[profiles.cmd.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"https://login.example/token\"\nclient_id = \"x\"\nclient_secret = {{ command = [\"sh\", \"-c\", {script:?}], timeout = \"2s\" }}\n"
    )
}

/// Whether the process is gone (or a zombie that only its new parent can still reap).
fn process_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

/// The pid the command wrote, once its file is complete.
fn written_pid(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("child.pid")).expect("the command wrote its child's pid");
    text.trim().to_string()
}

#[track_caller]
fn assert_descendant_stopped(dir: &Path) {
    let pid = written_pid(dir);
    let deadline = Instant::now() + Duration::from_secs(3);
    while !process_gone(&pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let gone = process_gone(&pid);
    if !gone {
        let _ = std::process::Command::new("kill").args(["-9", &pid]).status();
    }
    assert!(gone, "the secret command's background child {pid} is still running");
}

#[test]
fn secret_command_past_its_timeout_is_stopped_with_its_children() {
    // The main process is still running at the deadline, and a background child holds the
    // output pipe open: conn must not wait for either.
    let s = Sandbox::with(&command_secret_profile(
        "sleep 30 & echo $! > child.pid; echo pw-not-shown-1234; sleep 30",
    ));
    let started = Instant::now();
    // validate reads secret sources only with --secrets (spec/cli.md).
    let out = s.conn(&["validate", "--secrets"]);
    let took = started.elapsed();
    out.code(2)
        .stderr_has("secret command sh did not finish within 2s")
        .no_secrets(&["pw-not-shown-1234"]);
    assert!(took < Duration::from_secs(10), "validate took {took:?}");
    assert_descendant_stopped(s.path());
}

#[test]
fn secret_command_leaving_a_child_on_its_output_returns_promptly() {
    // The program prints the value and exits; a background child (forever) keeps the pipe
    // open. conn uses what was printed and stops the child.
    for child in ["sleep 30", "sleep infinity"] {
        let s = Sandbox::with(&command_secret_profile(&format!(
            "{child} & echo $! > child.pid; echo pw-value-1234"
        )));
        let started = Instant::now();
        let out = s.conn(&["validate", "--secrets"]);
        let took = started.elapsed();
        out.code(0).no_secrets(&["pw-value-1234"]);
        assert!(took < Duration::from_secs(10), "validate with `{child}` took {took:?}");
        assert_descendant_stopped(s.path());
    }
}

#[test]
fn absurd_durations_on_the_command_line_are_refused_not_a_panic() {
    let s = Sandbox::with(
        "[profiles.sso]\ntype = \"openid-connect\"\nissuer = \"http://127.0.0.1:9/realm\"\nclient_id = \"conn-cli\"\nscopes = \"openid\"\n",
    );
    for args in [
        &["login", "sso", "--no-browser", "--timeout", "200000000000000d"][..],
        &["test", "sso", "--timeout", "200000000000000d"],
        &["token", "sso", "--min-ttl", "200000000000000d"],
        &["login", "sso", "--no-browser", "--timeout", "99999999999999999999999s"],
    ] {
        let out = s.conn(args);
        out.code(2);
        assert!(
            out.stderr.contains("at most") || out.stderr.contains("not a duration") || out.stderr.contains("too large"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn absurd_durations_in_the_file_are_problems() {
    let s = Sandbox::with(&command_secret_profile("echo x").replace("\"2s\"", "\"200000000000000d\""));
    s.conn(&["validate", "--no-secrets"])
        .code(2)
        .stderr_has("profiles.cmd.auth.client_secret.timeout: must be at most");
}

#[test]
fn endless_profiles_file_is_refused_quickly_with_bounded_memory() {
    let s = Sandbox::new();
    // 1 GiB of address space: reading /dev/zero to the end would hit it and abort.
    let script = format!(
        "ulimit -v 1048576; exec {} --config /dev/zero validate",
        env!("CARGO_BIN_EXE_conn")
    );
    let started = Instant::now();
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .current_dir(s.path())
        .env_clear()
        .env("HOME", s.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh");
    let out = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    out.code(2).stderr_has("/dev/zero").stderr_has("larger than");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn oversized_profiles_file_names_the_file_and_the_limit() {
    let s = Sandbox::new();
    let mut text = String::from("# padding\n");
    text.push_str(&"#".repeat(17 * 1024 * 1024));
    let path = s.write("big.toml", &text);
    s.conn(&["--config", path.to_str().unwrap(), "profiles"])
        .code(2)
        .stderr_has("big.toml")
        .stderr_has("larger than 16 MiB");
}

#[test]
fn validate_lists_every_one_of_twenty_thousand_problems() {
    let n = 20_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "[profiles.p{i}]\ntype = \"rest\"\nbase_url = \"https://x{i}.example\"\nbogus_key = 1\n\n"
        ));
    }
    let s = Sandbox::with(&text);
    let out = s.conn(&["validate", "--no-secrets"]);
    out.code(2).stderr_has(&format!("conn: {n} problems"));
    let listed = out.stderr.lines().filter(|l| l.contains(": unknown key")).count();
    assert_eq!(listed, n);
    // Positions are right at the end of the file too.
    out.stderr_has(&format!(
        "profiles.toml:{}:1: profiles.p{}.bogus_key: unknown key",
        5 * (n - 1) + 4,
        n - 1
    ));
}

/// Profiles whose secret command argument and environment variable name carry a newline and
/// a command after it.
const CURL_INJECTION: &str = r#"
[profiles.inj]
type = "rest"
base_url = "http://127.0.0.1:9/api"

[profiles.inj.auth]
type = "oauth2-client-credentials"
token_url = "http://127.0.0.1:9/token"
client_id = { env = "ID\ntouch PWNED_ENV\n" }
client_secret = { command = ["pass", "show\ntouch PWNED_CMD\n"] }
scopes = "a\nb"
"#;

#[test]
fn show_curl_script_runs_nothing_from_the_profiles_file() {
    let s = Sandbox::with(CURL_INJECTION);
    let out = s.conn(&["show", "inj", "--curl"]);
    out.code(0);
    let script = s.write("repro.sh", &out.stdout);
    let parsed = std::process::Command::new("sh")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(parsed.success(), "sh -n rejects the script:\n{}", out.stdout);
    let run = std::process::Command::new("sh")
        .arg(&script)
        .current_dir(s.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    for f in ["PWNED_ENV", "PWNED_CMD"] {
        assert!(
            !s.path().join(f).exists(),
            "running the script ran `touch {f}`:\n{}\n--- stderr\n{}",
            out.stdout,
            String::from_utf8_lossy(&run.stderr)
        );
    }
    // Every comment stays one line: no line of config text outside a comment.
    for l in out.stdout.lines() {
        assert!(!l.starts_with("touch"), "{}", out.stdout);
    }
}

/// Config text full of terminal escapes: CSI colours, an OSC title, a C1 CSI, CR and BEL.
const ESCAPES: &str = r#"
[profiles.esc]
type = "rest"
description = "desc \u001b[31mRED\u001b[0m \u001b]0;title\u0007 \u009b2J \rover"
tags = ["t\u001b[1mbold", "plain"]
base_url = "http://127.0.0.1:9/\u001b[31mpath"
probe = "/x\u001b]8;;evil\u0007link"

[profiles.esc.environments."e\u001b[32mgreen"]
base_url = "http://127.0.0.1:9/env"

[profiles.sso]
type = "rest"
base_url = "http://127.0.0.1:9/api"

[profiles.sso.auth]
type = "openid-connect"
issuer = "http://127.0.0.1:9/realm"
client_id = "conn-cli"
scopes = "openid"
display_name = "shown \u001b[5mBLINK"
login_hint = "me\u001b[8m@example"

[profiles.bad]
type = "rest"
base_url = "http://\u001b[31mhost/"
timeout = "\u001b[31m5s"
"#;

#[track_caller]
fn no_control_characters(what: &str, out: &Out) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let bad: Vec<char> = text.chars().filter(|&c| c.is_control() && c != '\n').collect();
        assert!(
            bad.is_empty(),
            "{what}: control characters {bad:?} on {stream}:\n{text}"
        );
    }
}

#[test]
fn terminal_escapes_in_the_profiles_file_never_reach_the_terminal() {
    let s = Sandbox::with(ESCAPES);
    let runs: &[&[&str]] = &[
        &["show", "esc"],
        &["show", "esc", "--curl"],
        &["profiles"],
        &["validate", "--no-secrets"],
        &["show", "bad"],
        &["show", "sso"],
        &["show", "sso", "--curl"],
        &["test", "esc", "--timeout", "2s"],
        &["test", "--all", "--timeout", "2s"],
        &["test", "esc", "--timeout", "2s", "--format", "json"],
        &["test", "--all", "--timeout", "2s", "--format", "junit"],
    ];
    for args in runs {
        let out = s.conn(args);
        assert_ne!(out.code, 101, "{args:?} panicked: {}", out.stderr);
        no_control_characters(&format!("{args:?}"), &out);
    }
    let out = s.conn(&["test", "esc", "--timeout", "2s", "--format", "json"]);
    assert!(
        !out.stdout.contains("\\u001b"),
        "JSON carries the escape:\n{}",
        out.stdout
    );
}

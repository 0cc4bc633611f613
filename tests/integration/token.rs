//! `conn token` and the token store, through the real binary and a counting token server.

use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::counting::{Counting, Reply};

const SECRET: &str = "store-canary-Secret-31";

/// A token server that counts token requests; `answer(n)` gives the n-th response
/// (status line, extra headers, body) after `delay`. Every token is different.
fn server(
    delay: Duration,
    answer: impl Fn(usize) -> (&'static str, Vec<(String, String)>, String) + Send + Sync + 'static,
) -> Counting {
    Counting::posts(move |i| {
        std::thread::sleep(delay);
        let (status, headers, body) = answer(i);
        let reply = Reply::status(status, body).header("Content-Type", "application/json");
        headers.iter().fold(reply, |r, (k, v)| r.header(k, v))
    })
}

fn ok(i: usize) -> (&'static str, Vec<(String, String)>, String) {
    (
        "200 OK",
        vec![],
        format!(r#"{{"access_token":"token-number-{i}","token_type":"Bearer","expires_in":3600,"scope":"read"}}"#),
    )
}

fn profile(url: &str, scopes: &str) -> String {
    format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{url}\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{url}/token\"\nclient_id = \"cid\"\nclient_secret = {{ env = \"TOKEN_SECRET\" }}\nscopes = \"{scopes}\"\n"
    )
}

fn sandbox(url: &str) -> Sandbox {
    Sandbox::with(&profile(url, "read")).var("TOKEN_SECRET", SECRET)
}

#[test]
fn a_short_secret_is_warned_about_only_when_it_is_sent() {
    let srv = server(Duration::ZERO, ok);
    let s = Sandbox::with(&profile(&srv.url(), "read")).var("TOKEN_SECRET", "q7z");
    let first = s.conn(&["token", "p"]);
    first.code(0).stderr_has("too short to be masked");
    assert!(!first.stderr.contains("q7z"), "{}", first.stderr);
    // The stored token is printed and nothing is sent: nothing to warn about.
    let second = s.conn(&["token", "p"]);
    second.code(0);
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(second.stderr, "");
    assert_eq!(srv.calls(), 1);
    s.conn(&["token", "p", "--no-cache"])
        .code(0)
        .stderr_has("too short to be masked");
}

#[test]
fn stored_token_is_reused_without_a_request() {
    let srv = server(Duration::ZERO, ok);
    let s = sandbox(&srv.url());
    let first = s.conn(&["token", "p"]);
    first.code(0).no_secrets(&[SECRET]);
    assert_eq!(first.stdout, "token-number-1\n");
    assert_eq!(first.stderr, "");
    let second = s.conn(&["token", "p"]);
    assert_eq!(second.stdout, "token-number-1\n");
    assert_eq!(srv.calls(), 1, "the second call made a request");
    // Formats.
    assert_eq!(
        s.conn(&["token", "p", "--format", "header"]).stdout,
        "Authorization: Bearer token-number-1\n"
    );
    let j = s.conn(&["token", "p", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["access_token"], "token-number-1");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["scope"], "read");
    assert!(v["expires_at"].as_str().unwrap().ends_with('Z'));
    // --no-cache always asks; --min-ttl beyond the token's life asks too.
    assert_eq!(s.conn(&["token", "p", "--no-cache"]).stdout, "token-number-2\n");
    assert_eq!(s.conn(&["token", "p", "--min-ttl", "2h"]).stdout, "token-number-3\n");
    assert_eq!(s.conn(&["token", "p"]).stdout, "token-number-3\n");
    // The profile list shows it.
    let list = s.conn(&["profiles"]);
    assert!(
        list.stdout.contains("valid 59m") || list.stdout.contains("valid 60m"),
        "{}",
        list.stdout
    );
    // No secret was written anywhere in the store.
    for f in std::fs::read_dir(s.path().join("cache/tokens")).unwrap().flatten() {
        let text = std::fs::read_to_string(f.path()).unwrap_or_default();
        for form in crate::support::forms(SECRET) {
            assert!(!text.contains(&form), "secret in {}", f.path().display());
        }
    }
}

#[test]
fn forty_processes_on_a_cold_store_make_one_request() {
    let srv = server(Duration::from_millis(300), ok);
    let s = sandbox(&srv.url());
    let children: Vec<_> = (0..40)
        .map(|_| {
            s.cmd(&["token", "p"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success());
            String::from_utf8(o.stdout).unwrap()
        })
        .collect();
    assert_eq!(srv.calls(), 1, "token requests");
    assert!(outs.iter().all(|o| o == "token-number-1\n"), "{outs:?}");
}

#[test]
fn store_files_are_private_even_under_umask_000() {
    use std::os::unix::fs::PermissionsExt;
    let srv = server(Duration::ZERO, ok);
    let s = sandbox(&srv.url());
    let conn = env!("CARGO_BIN_EXE_conn");
    let mut c = s.cmd(&[]);
    let envs: Vec<_> = c
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    c = std::process::Command::new("sh");
    c.args(["-c", &format!("umask 000; exec '{conn}' token p")])
        .env_clear()
        .envs(envs)
        .current_dir(s.path());
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dir = s.path().join("cache/tokens");
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    let mut files = 0;
    for f in std::fs::read_dir(&dir).unwrap().flatten() {
        let mode = f.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", f.path().display());
        files += 1;
    }
    assert!(files >= 1);
}

#[test]
fn corrupt_entry_and_unusable_store_are_survived() {
    let srv = server(Duration::ZERO, ok);
    let s = sandbox(&srv.url());
    s.conn(&["token", "p"]).code(0);
    let dir = s.path().join("cache/tokens");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|f| f.path().extension().is_some_and(|e| e == "json"))
        .unwrap()
        .path();
    for junk in [&b""[..], b"{\"version\":1,\"access_token\":", b"\xff\xfe\x00garbage"] {
        std::fs::write(&entry, junk).unwrap();
        let out = s.conn(&["token", "p"]);
        out.code(0);
        assert!(out.stdout.starts_with("token-number-"));
        assert!(!out.stderr.contains("garbage"));
    }
    assert_eq!(srv.calls(), 4);
    // A store that cannot be created: the token is still printed, with a warning.
    let blocked = s.write("not-a-dir", "x");
    let s2 = sandbox(&srv.url()).var("CONN_CACHE_DIR", blocked.to_str().unwrap());
    let out = s2.conn(&["token", "p"]);
    out.code(0).stderr_has("warning: token store unusable");
    assert!(out.stdout.starts_with("token-number-"));
}

#[test]
fn changed_scope_or_secret_fetches_anew() {
    let srv = server(Duration::ZERO, ok);
    let s = sandbox(&srv.url());
    s.conn(&["token", "p"]).code(0);
    s.write("profiles.toml", &profile(&srv.url(), "read write"));
    assert_eq!(s.conn(&["token", "p"]).stdout, "token-number-2\n");
    let s = s.var("TOKEN_SECRET", "a-rotated-secret");
    assert_eq!(s.conn(&["token", "p"]).stdout, "token-number-3\n");
    assert_eq!(srv.calls(), 3);
}

#[test]
fn too_many_requests_with_retry_after_is_honoured() {
    let srv = server(Duration::ZERO, |i| {
        if i == 1 {
            (
                "429 Too Many Requests",
                vec![("Retry-After".into(), "1".into())],
                r#"{"error":"slow_down"}"#.into(),
            )
        } else if i == 2 {
            ("503 Service Unavailable", vec![], "{}".into())
        } else {
            ok(i)
        }
    });
    let s = sandbox(&srv.url());
    let t = Instant::now();
    let out = s.conn(&["token", "p"]);
    out.code(0);
    assert_eq!(out.stdout, "token-number-3\n");
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured: {:?}",
        t.elapsed()
    );
    assert_eq!(srv.calls(), 3);
    // A wait longer than the deadline fails fast, saying so.
    let srv = server(Duration::ZERO, |_| {
        (
            "429 Too Many Requests",
            vec![("Retry-After".into(), "86400".into())],
            "{}".into(),
        )
    });
    let t = Instant::now();
    let out = sandbox(&srv.url()).conn(&["token", "p"]);
    out.code(7).stderr_has("Retry-After");
    assert!(out.stdout.is_empty());
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(srv.calls(), 1);
}

#[test]
fn failures_print_a_diagnosis_on_stderr_only() {
    let srv = server(Duration::ZERO, |_| {
        (
            "401 Unauthorized",
            vec![],
            r#"{"error":"invalid_client","error_description":"bad secret"}"#.into(),
        )
    });
    let out = sandbox(&srv.url()).conn(&["token", "p"]);
    out.code(5).no_secrets(&[SECRET]);
    assert!(out.stdout.is_empty());
    out.stderr_has("error: p: the server rejected the client credentials (401): invalid_client: bad secret");
}

#[test]
fn basic_and_api_key_profiles_print_their_header() {
    let s = Sandbox::with(
        "[profiles.b]\ntype = \"rest\"\nbase_url = \"https://b.example\"\n[profiles.b.auth]\ntype = \"basic\"\nusername = \"svc\"\npassword = { env = \"PW\" }\n\n[profiles.k]\ntype = \"rest\"\nbase_url = \"https://k.example\"\n[profiles.k.auth]\ntype = \"api-key\"\nkey = { env = \"PW\" }\nname = \"X-Key\"\n",
    )
    .var("PW", "pw-123");
    assert_eq!(
        s.conn(&["token", "b", "--format", "header"]).stdout,
        "Authorization: Basic c3ZjOnB3LTEyMw==\n"
    );
    assert_eq!(s.conn(&["token", "k", "--format", "header"]).stdout, "X-Key: pw-123\n");
    let raw = s.conn(&["token", "b"]);
    raw.code(2).stderr_has("use --format header").no_secrets(&["pw-123"]);
    assert!(raw.stdout.is_empty());
}

#[test]
fn logout_forgets_and_a_passing_test_stores() {
    let srv = server(Duration::ZERO, ok);
    let s = Sandbox::with(&profile(&srv.url(), "read").replace(
        "[profiles.p]\ntype = \"rest\"\nbase_url",
        "[profiles.p]\ntype = \"rest\"\nprobe = false\nbase_url",
    ))
    .var("TOKEN_SECRET", SECRET);
    s.conn(&["test", "p"]).code(0);
    assert_eq!(s.conn(&["token", "p"]).stdout, "token-number-1\n");
    assert_eq!(srv.calls(), 1, "conn test's token was not reused");
    s.conn(&["logout", "p"]).code(0).stderr_has("removed 1 stored token");
    s.conn(&["profiles"]).code(0).stdout_has(" none");
    assert_eq!(s.conn(&["token", "p"]).stdout, "token-number-2\n");
    s.conn(&["logout", "--all"]).code(0);
    s.conn(&["logout"]).code(2);
    // Removing the profile forgets its tokens too.
    s.conn(&["token", "p"]).code(0);
    s.conn(&["remove", "p", "--yes"])
        .code(0)
        .stderr_has("forgot 1 stored token of `p`");
    assert!(
        s.path()
            .join("cache/tokens")
            .read_dir()
            .unwrap()
            .flatten()
            .all(|f| f.path().extension().is_none_or(|e| e != "json"))
    );
}

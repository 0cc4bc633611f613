//! The secret canary sweep (security.md §7 C18, spec "Secrets never leave"): every command
//! and format, with `-v`, over profiles whose secrets, passwords, keys and tokens are unique
//! canaries, against a server that echoes back what it was sent. stdout, stderr, report files
//! and the token store are searched for each canary raw, URL-encoded, base64, inside Basic,
//! and as `Bearer …`. Only `conn token`'s stdout and the store's token fields may hold one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;

use crate::support::servers::{Raw, raw, read_request, respond};
use crate::support::{Out, Sandbox};

const CLIENT_SECRET: &str = "cs-Canary+a1/Z=";
const CLIENT_SECRET_ENV: &str = "cs2-Canary~b2&q";
const CLIENT_SECRET_FILE: &str = "cs3-Canary%c3 x";
const PASSWORD: &str = "pw-Canary:d4!";
const BASIC_PASSWORD: &str = "bpw-Canary@e5";
const KEY_HEADER: &str = "kh-Canary.f6";
const KEY_QUERY: &str = "kq-Canary/g7";
const ACCESS_TOKEN: &str = "at-Canary.h8-token";
const REFRESH_TOKEN: &str = "rt-Canary.i9-refresh";

const SECRETS: &[&str] = &[
    CLIENT_SECRET,
    CLIENT_SECRET_ENV,
    CLIENT_SECRET_FILE,
    PASSWORD,
    BASIC_PASSWORD,
    KEY_HEADER,
    KEY_QUERY,
];
const TOKENS: &[&str] = &[ACCESS_TOKEN, REFRESH_TOKEN];

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn form(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every way a value could show up: raw, URL-encoded two ways, base64, in Basic with each
/// user name of the profiles (RFC form-encoded and raw), and as a bearer header.
fn forms(v: &str) -> Vec<String> {
    let mut out = vec![v.to_string(), form(v), percent(v), b64(v), format!("Bearer {v}")];
    for user in ["cid", "svc"] {
        out.push(b64(&format!("{user}:{v}")));
        out.push(b64(&format!("{user}:{}", form(v))));
    }
    out.sort();
    out.dedup();
    out
}

/// A server playing token endpoint and API. It echoes what it was sent (headers, query and
/// body) in its error answers, the way careless servers do.
fn server() -> (Raw, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let count = n.clone();
    let srv = raw(move |mut s| {
        let Some(r) = read_request(&mut s) else { return };
        let echo = format!(
            "{} {} {:?} {}",
            r.method,
            r.path,
            r.headers,
            String::from_utf8_lossy(&r.body)
        )
        .replace(['"', '\\'], "'");
        let path = r.path.split('?').next().unwrap_or("");
        match path {
            "/token" => {
                count.fetch_add(1, Ordering::SeqCst);
                let body = format!(
                    r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":3600,"refresh_token":"{REFRESH_TOKEN}","scope":"read"}}"#
                );
                respond(
                    &mut s,
                    "200 OK",
                    &[("Content-Type", "application/json")],
                    body.as_bytes(),
                );
            }
            "/bad-token" => {
                let body = format!(r#"{{"error":"invalid_client","error_description":"you sent: {echo}"}}"#);
                let ch = format!(r#"Basic realm="x", error_description="you sent: {echo}""#);
                respond(
                    &mut s,
                    "401 Unauthorized",
                    &[("Content-Type", "application/json"), ("WWW-Authenticate", &ch)],
                    body.as_bytes(),
                );
            }
            "/ok" => respond(&mut s, "200 OK", &[("Content-Type", "application/json")], b"{}"),
            _ => {
                let body = format!(r#"{{"title":"denied","detail":"you sent: {echo}"}}"#);
                let ch = format!(r#"Bearer error="invalid_token", error_description="you sent: {echo}""#);
                respond(
                    &mut s,
                    "403 Forbidden",
                    &[("Content-Type", "application/json"), ("WWW-Authenticate", &ch)],
                    body.as_bytes(),
                );
            }
        }
    });
    (srv, n)
}

fn profiles(base: &str) -> String {
    format!(
        r#"[profiles.cc]
type = "rest"
base_url = "{base}"
probe = "/ok"
[profiles.cc.auth]
type = "oauth2-client-credentials"
token_url = "{base}/token"
client_id = "cid"
client_secret = "{CLIENT_SECRET}"
client_auth = "basic"
scopes = "read"

[profiles.cc-denied]
type = "rest"
base_url = "{base}"
probe = "/deny?x=1"
[profiles.cc-denied.auth]
type = "oauth2-client-credentials"
token_url = "{base}/token"
client_id = "cid"
client_secret = {{ env = "CANARY_CS2" }}
client_auth = "post"

[profiles.cc-rejected]
type = "rest"
base_url = "{base}"
[profiles.cc-rejected.auth]
type = "oauth2-client-credentials"
token_url = "{base}/bad-token"
client_id = "cid"
client_secret = {{ file = "cs3.txt" }}
client_auth = "basic-raw"

[profiles.pw]
type = "rest"
base_url = "{base}"
probe = "/deny"
[profiles.pw.auth]
type = "oauth2-password"
token_url = "{base}/token"
client_id = "cid"
client_secret = {{ file = "cs3.txt" }}
username = "svc"
password = {{ env = "CANARY_PW" }}

[profiles.basic]
type = "rest"
base_url = "{base}"
probe = "/deny"
[profiles.basic.auth]
type = "basic"
username = "svc"
password = {{ command = ["cat", "bpw.txt"] }}

[profiles.key-header]
type = "rest"
base_url = "{base}"
probe = "/ok"
[profiles.key-header.auth]
type = "api-key"
key = "{KEY_HEADER}"
name = "X-Api-Key"

[profiles.key-query]
type = "rest"
base_url = "{base}"
probe = "/deny"
[profiles.key-query.auth]
type = "api-key"
key = {{ env = "CANARY_KQ" }}
name = "api_key"
in = "query"
"#
    )
}

/// Fail if any canary (secret or token) shows up in `text`, in any form.
#[track_caller]
fn assert_clean(what: &str, text: &str, allowed: &[&str]) {
    for v in SECRETS.iter().chain(TOKENS) {
        for f in forms(v) {
            if allowed.iter().any(|a| *a == f) {
                continue;
            }
            assert!(!text.contains(&f), "{v:?} (as {f:?}) in {what}:\n{text}");
        }
    }
}

#[track_caller]
fn run(s: &Sandbox, args: &[&str]) -> Out {
    let out = s.conn(args);
    assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
    assert_clean(&format!("stderr of {args:?}"), &out.stderr, &[]);
    out
}

#[test]
fn no_secret_leaves_through_any_command_or_format() {
    let (srv, tokens_issued) = server();
    let s = Sandbox::with(&profiles(&srv.url()))
        .var("CANARY_CS2", CLIENT_SECRET_ENV)
        .var("CANARY_PW", PASSWORD)
        .var("CANARY_KQ", KEY_QUERY)
        .var("GITHUB_ACTIONS", "false");
    s.write("cs3.txt", &format!("{CLIENT_SECRET_FILE}\n"));
    s.write("bpw.txt", BASIC_PASSWORD);
    let all = [
        "cc",
        "cc-denied",
        "cc-rejected",
        "pw",
        "basic",
        "key-header",
        "key-query",
    ];
    let mut reports = Vec::new();

    // conn test: every format, to stdout and to files, verbose and quiet.
    for format in ["human", "json"] {
        for verbose in [true, false] {
            let file = s.path().join(format!("report-{format}-{verbose}.out"));
            let mut args = vec!["test", "--all", "--format", format];
            if verbose {
                args.insert(0, "-v");
            }
            let out = run(&s, &args);
            assert!(
                out.code != 0 && out.code != 2,
                "{args:?}: {}\n{}",
                out.stdout,
                out.stderr
            );
            assert_clean(&format!("stdout of {args:?}"), &out.stdout, &[]);
            args.extend(["--output", file.to_str().unwrap()]);
            let out = run(&s, &args);
            assert_clean(&format!("stdout of {args:?}"), &out.stdout, &[]);
            reports.push(file);
        }
    }
    let v: serde_json::Value = serde_json::from_str(&run(&s, &["test", "--all", "--format", "json"]).stdout).unwrap();
    let verdicts: Vec<(String, String)> = v["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["profile"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (name, want) in [
        ("cc", "pass"),
        ("cc-denied", "fail"),
        ("cc-rejected", "fail"),
        ("pw", "fail"),
        ("basic", "fail"),
        ("key-header", "pass"),
        ("key-query", "fail"),
    ] {
        assert!(
            verdicts
                .iter()
                .any(|(n, st)| n == name && (st == want || (want == "pass" && st == "warn"))),
            "{name}: {verdicts:?}"
        );
    }
    for name in all {
        let out = run(&s, &["-v", "test", name]);
        assert_clean(&format!("stdout of test {name}"), &out.stdout, &[]);
    }

    // conn token: only its stdout may hold the token (or, for basic and api-key profiles, the
    // header the profile sends).
    for name in ["cc", "cc-denied", "pw"] {
        for format in ["raw", "header", "json"] {
            for extra in [&[][..], &["--no-cache"][..], &["--min-ttl", "2h"][..]] {
                let mut args = vec!["-v", "token", name, "--format", format];
                args.extend(extra);
                let out = run(&s, &args);
                out.code(0);
                assert!(out.stdout.contains(ACCESS_TOKEN), "{args:?}: {}", out.stdout);
                assert_clean(
                    &format!("stdout of {args:?}"),
                    &out.stdout,
                    &[ACCESS_TOKEN, &format!("Bearer {ACCESS_TOKEN}")],
                );
            }
        }
    }
    let out = run(&s, &["-v", "token", "cc-rejected"]);
    out.code(5);
    assert_clean("stdout of token cc-rejected", &out.stdout, &[]);
    let basic_header = b64(&format!("svc:{BASIC_PASSWORD}"));
    for (name, allowed) in [
        ("basic", basic_header.as_str()),
        ("key-header", KEY_HEADER),
        ("key-query", ""),
    ] {
        for format in ["raw", "header", "json"] {
            let out = run(&s, &["-v", "token", name, "--format", format]);
            assert_clean(
                &format!("stdout of token {name} --format {format}"),
                &out.stdout,
                &[allowed],
            );
        }
    }

    // Commands that never need a secret: show, profiles, validate.
    for name in all {
        let out = run(&s, &["-v", "show", name]);
        out.code(0);
        assert_clean(&format!("stdout of show {name}"), &out.stdout, &[]);
    }
    for args in [
        &["-v", "profiles"][..],
        &["-v", "validate"],
        &["-v", "validate", "--no-secrets"],
    ] {
        let out = run(&s, args);
        out.code(0);
        assert_clean(&format!("stdout of {args:?}"), &out.stdout, &[]);
    }

    // Report files.
    for r in &reports {
        let text = std::fs::read_to_string(r).unwrap();
        assert_clean(&r.display().to_string(), &text, &[]);
    }

    // The token store: tokens only in their own fields, never a client secret or password.
    let dir = s.path().join("cache/tokens");
    let mut entries = 0;
    for f in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(f.path()).unwrap_or_default();
        if let Ok(serde_json::Value::Object(mut m)) = serde_json::from_str::<serde_json::Value>(&text) {
            entries += 1;
            assert_eq!(m.remove("access_token"), Some(ACCESS_TOKEN.into()));
            m.remove("refresh_token");
            assert_clean(
                &format!("store entry {}", f.path().display()),
                &serde_json::to_string(&m).unwrap(),
                &[],
            );
        } else {
            assert_clean(&format!("store file {}", f.path().display()), &text, &[]);
        }
    }
    assert!(entries >= 2, "{entries} entries stored");
    assert!(tokens_issued.load(Ordering::SeqCst) > 0);

    // Logout leaves nothing.
    let out = run(&s, &["-v", "logout", "--all"]);
    out.code(0);
    assert_clean("stdout of logout", &out.stdout, &[]);
    assert!(
        std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .all(|f| !f.file_name().to_string_lossy().ends_with(".json")),
        "an entry survived logout"
    );
}

#[test]
fn the_demo_never_shows_its_secrets() {
    use conn::demo::fake::{DEMO_CLIENT_SECRET, DEMO_EXPIRED_SECRET, DEMO_NOROLE_SECRET};
    let s = Sandbox::new();
    for format in ["human", "json"] {
        let out = s.conn(&["-v", "demo", "--format", format]);
        out.code(0);
        for secret in [
            DEMO_CLIENT_SECRET,
            DEMO_EXPIRED_SECRET,
            DEMO_NOROLE_SECRET,
            "hyp-secret-1",
            "hyp-secret-l",
            "legacy-pass",
            "rest-secret",
            "demo-api-key-123",
        ] {
            for f in forms(secret) {
                assert!(!out.stdout.contains(&f), "{secret} as {f} on stdout");
                assert!(!out.stderr.contains(&f), "{secret} as {f} on stderr");
            }
        }
    }
}

#[test]
fn no_flag_takes_a_secret_on_the_command_line() {
    // Secrets come from the profile's sources only, so they never sit in argv (/proc/PID/cmdline).
    let s = Sandbox::new();
    for cmd in ["test", "token", "logout", "profiles", "show", "validate", "demo"] {
        let out = s.conn(&[cmd, "--help"]);
        out.code(0);
        for flag in [
            "--client-secret",
            "--secret",
            "--password",
            "--token ",
            "--key",
            "--api-key",
        ] {
            // Whole flags only: `validate --secrets` is a switch that takes no value.
            let whole = out.stdout.match_indices(flag).any(|(i, _)| {
                !out.stdout[i + flag.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
            });
            assert!(!whole, "conn {cmd} has {flag}:\n{}", out.stdout);
        }
    }
}

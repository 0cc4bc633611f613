//! What a token answer may hold (security.md §7 E40/E41): unusable tokens are an endpoint
//! verdict and never printed, odd lifetimes are capped or not stored, and a `Retry-After`
//! date is honoured.

use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::counting::{Counting, Reply};
use crate::support::hostile::{TOKEN, cc, clean_of_secrets, ok_json, summary, token_body, token_raw};

// ---- E40/E41: what a token answer may hold ----------------------------------------------

#[test]
fn unusable_token_answers_are_endpoint_and_never_printed() {
    let big = "T".repeat(10 * 1024 * 1024);
    let long = "L".repeat(100 * 1024);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            br#"{"access_token":"abc","token_type":"Bearer""#.to_vec(),
            "is not valid JSON",
        ),
        (b"{\"access_token\":\"\xff\xfe\xfd\"}".to_vec(), "is not valid UTF-8"),
        (
            format!(r#"{{"access_token":"{big}","token_type":"Bearer"}}"#).into_bytes(),
            "larger than 1 MiB",
        ),
        (
            format!(r#"{{"access_token":"{long}","token_type":"Bearer"}}"#).into_bytes(),
            "102400 bytes long",
        ),
        (
            format!(r#"{{"access_token":"{TOKEN}\r\nX-Injected: 1","token_type":"Bearer"}}"#).into_bytes(),
            "spaces or control characters",
        ),
        (
            br#"{"access_token":"","token_type":"Bearer"}"#.to_vec(),
            "unusable: empty",
        ),
        (
            br#"{"access_token":12345,"token_type":"Bearer"}"#.to_vec(),
            "not a string",
        ),
        (br#"["access_token"]"#.to_vec(), "not an object"),
        (
            format!(r#"{{"access_token":"{TOKEN}","token_type":"mac"}}"#).into_bytes(),
            "token type is \"mac\"",
        ),
        (
            format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
            "is not valid JSON",
        ),
    ];
    for (body, words) in cases {
        let srv = token_raw(ok_json(&body));
        let s = Sandbox::of(cc(&srv.url(), &srv.url()));
        let out = s.conn(&["-v", "test", "p", "--format", "json"]);
        out.code(7);
        clean_of_secrets(&out);
        assert!(summary(&out).contains(words), "{words}: {}", out.stdout);
        let tok = s.conn(&["token", "p"]);
        tok.code(7);
        assert!(tok.stdout.is_empty(), "{}", tok.stdout);
        clean_of_secrets(&tok);
        assert!(!tok.stderr.contains("X-Injected"), "{}", tok.stderr);
    }
}

#[test]
fn expires_in_missing_zero_negative_huge_or_text() {
    // (expires_in, token reused from the store by a second `conn token`)
    for (exp, reused) in [
        ("", false),
        (r#","expires_in":0"#, false),
        (r#","expires_in":-5"#, false),
        (r#","expires_in":"soon""#, false),
        (r#","expires_in":1e300"#, true),
        (r#","expires_in":18446744073709551616"#, true),
        (r#","expires_in":"3600""#, true),
    ] {
        let srv = Counting::json(format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer"{exp}}}"#));
        let s = Sandbox::of(cc(&srv.url(), &srv.url()));
        for _ in 0..2 {
            let out = s.conn(&["token", "p"]);
            out.code(0);
            assert_eq!(out.stdout, format!("{TOKEN}\n"), "{exp}");
        }
        assert_eq!(srv.calls(), if reused { 1 } else { 2 }, "{exp}");
        let j = s.conn(&["token", "p", "--format", "json"]);
        j.code(0);
        let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
        if reused {
            // Capped at ten years: a date, not an overflow.
            let at = v["expires_at"].as_str().unwrap();
            let year: i32 = at[..4].parse().unwrap();
            assert!((2026..2040).contains(&year), "{exp}: {at}");
        }
        // conn test passes, and says so when the lifetime is unusable.
        let out = Sandbox::of(cc(&srv.url(), &srv.url()).no_probe()).conn(&["test", "p", "--format", "json"]);
        out.code(0);
        if exp.contains("-5") || exp.contains("soon") {
            assert!(
                out.profile()["hints"]
                    .to_string()
                    .contains("expires_in is not a usable number"),
                "{}",
                out.stdout
            );
        }
    }
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let srv = Counting::start(|n, _| {
        if n == 1 {
            let at = std::time::SystemTime::now() + Duration::from_secs(2);
            Reply::status("429 Too Many Requests", "{}").header("Retry-After", &imf_fixdate(at))
        } else {
            Reply::json(token_body())
        }
    });
    let t = Instant::now();
    let out = Sandbox::of(cc(&srv.url(), &srv.url())).conn(&["token", "p"]);
    out.code(0);
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "Retry-After date not honoured: {:?}",
        t.elapsed()
    );
    srv.assert_called(2);
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` for a time.
fn imf_fixdate(t: std::time::SystemTime) -> String {
    conn::net::httpdate::format(t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64)
}

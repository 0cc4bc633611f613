//! Hostile and broken servers (security.md §7 E): huge, endless and lying bodies, garbage
//! status lines, slow and silent servers and huge headers all end in a clean verdict with
//! bounded memory and time, and never echo a secret. Every server is in-process on 127.0.0.1.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::hostile::{api, cc, clean_of_secrets, summary, token_body, token_raw};
use crate::support::servers::{raw, read_request};

// ---- E35/E36: bounded memory ------------------------------------------------------------

/// Write `total` bytes of filler (or forever when `None`) until the peer goes away.
fn pour(s: &mut TcpStream, total: Option<usize>, chunked: bool) {
    let block = vec![b'a'; 64 * 1024];
    let mut sent = 0usize;
    loop {
        let n = total.map_or(block.len(), |t| (t - sent).min(block.len()));
        if n == 0 {
            break;
        }
        let ok = if chunked {
            s.write_all(format!("{n:x}\r\n").as_bytes())
                .and_then(|_| s.write_all(&block[..n]))
                .and_then(|_| s.write_all(b"\r\n"))
        } else {
            s.write_all(&block[..n])
        };
        if ok.is_err() {
            return;
        }
        sent += n;
    }
}

#[test]
fn huge_and_endless_bodies_keep_memory_bounded() {
    const BIG: usize = 200 * 1024 * 1024;
    // 200 MB announced and sent at the token URL.
    let announced = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {BIG}\r\n\r\n")
                    .as_bytes(),
            );
            pour(&mut s, Some(BIG), false);
        }
    });
    // 200 MB without a length (read to the close) at the token URL.
    let unannounced = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
            pour(&mut s, Some(BIG), false);
        }
    });
    // An endless chunked body at the probe, and at an error answer of the probe.
    let endless = api(|r, s| {
        let status = if r.path == "/ping" {
            "200 OK"
        } else {
            "500 Internal Server Error"
        };
        let _ = s.write_all(
            format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .as_bytes(),
        );
        pour(s, None, true);
    });
    let profiles = format!(
        "{}{}{}{}",
        cc(&announced.url(), &announced.url()).named("announced"),
        cc(&unannounced.url(), &unannounced.url()).named("unannounced"),
        cc(&endless.url(), &endless.url()).named("endless"),
        cc(&endless.url(), &endless.url()).named("endless-error").probe("/fail"),
    );
    let s = Sandbox::with(&profiles);
    let stats = s.path().join("time.txt");
    let t = Instant::now();
    let out = s.wrapped(
        &["/usr/bin/time", "-v", "-o", stats.to_str().unwrap()],
        &[
            "test",
            "announced",
            "unannounced",
            "endless",
            "endless-error",
            "--format",
            "json",
            "--timeout",
            "20s",
        ],
    );
    clean_of_secrets(&out);
    assert!(t.elapsed() < Duration::from_secs(30), "took {:?}", t.elapsed());
    let v = out.json();
    let p = |i: usize| v["profiles"][i].clone();
    assert!(
        p(0)["summary"].as_str().unwrap().contains("larger than 1 MiB"),
        "{}",
        p(0)
    );
    assert!(
        p(1)["summary"].as_str().unwrap().contains("larger than 1 MiB"),
        "{}",
        p(1)
    );
    assert_eq!(p(2)["status"], "pass", "{}", p(2));
    assert!(p(2)["steps"].to_string().contains("body cut at 1 MiB"), "{}", p(2));
    assert_eq!(p(3)["category"], "endpoint", "{}", p(3));
    let text = std::fs::read_to_string(&stats).unwrap();
    let kb: u64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in:\n{text}"));
    eprintln!("conn's peak RSS through 2 × 200 MB and 2 endless bodies: {kb} KiB");
    assert!(kb < 64 * 1024, "peak RSS {kb} KiB (limit 64 MiB)");
}

// ---- E37–E39: lying, garbled, slow and silent servers -----------------------------------

#[test]
fn lying_content_length_both_ways() {
    let body = token_body();
    // Announces more than it sends, then closes: a broken answer, not a token.
    let mut longer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len() + 500
    )
    .into_bytes();
    longer.extend_from_slice(body.as_bytes());
    // Announces less than it sends: only the announced bytes are read, which are no JSON.
    let mut shorter = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n".to_vec();
    shorter.extend_from_slice(body.as_bytes());
    for (bytes, code, words) in [
        (longer, 3, "the connection to 127.0.0.1 failed"),
        (shorter, 7, "is not valid JSON"),
    ] {
        let srv = token_raw(bytes);
        let out = Sandbox::of(cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json"]);
        out.code(code);
        clean_of_secrets(&out);
        assert!(summary(&out).contains(words), "{}", out.stdout);
    }
    // Announces more and then stays silent: the total deadline ends it.
    let mut hold = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len() + 500
    )
    .into_bytes();
    hold.extend_from_slice(body.as_bytes());
    let srv = raw(move |mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(&hold);
            std::thread::sleep(Duration::from_secs(10));
        }
    });
    let t = Instant::now();
    let out = Sandbox::of(cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "1s"]);
    out.code(3);
    assert!(t.elapsed() < Duration::from_secs(6), "took {:?}", t.elapsed());
    assert!(
        summary(&out).contains("did not answer completely within 1s"),
        "{}",
        out.stdout
    );
}

#[test]
fn garbage_status_lines_are_clean_verdicts() {
    for garbage in [
        &b"HTTP/1.1 abc OK\r\n\r\n"[..],
        b"HTTP/1.1 99999 Huge\r\nContent-Length: 0\r\n\r\n",
        b"\x00\x01\x02\x03\xff\xfe\r\n\r\n",
        b"{\"access_token\":\"x\"}",
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nBad Header Line Without Colon\r\n\r\n{}",
    ] {
        let srv = token_raw(garbage.to_vec());
        let t = Instant::now();
        let out = Sandbox::of(cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "3s"]);
        assert!(
            out.code == 3 || out.code == 7,
            "{:?}: exit {}\n{}\n{}",
            String::from_utf8_lossy(garbage),
            out.code,
            out.stdout,
            out.stderr
        );
        clean_of_secrets(&out);
        assert!(t.elapsed() < Duration::from_secs(6), "took {:?}", t.elapsed());
        assert!(!summary(&out).is_empty());
    }
}

#[test]
fn slow_drip_and_silent_servers_end_at_the_deadline() {
    // Headers, then one byte every 200 ms: each read is quick, only the total deadline stops it.
    let drip = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
            for _ in 0..200 {
                if s.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    });
    // Accepts, then never reads nor writes.
    let silent = raw(|_s| std::thread::sleep(Duration::from_secs(15)));
    for srv in [&drip, &silent] {
        let t = Instant::now();
        let out = Sandbox::of(cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "2s"]);
        out.code(3);
        clean_of_secrets(&out);
        assert!(t.elapsed() < Duration::from_secs(7), "took {:?}", t.elapsed());
        assert!(
            summary(&out).contains("did not answer completely within 2s"),
            "{}",
            out.stdout
        );
    }
    // `conn token` too: the deadline holds across its retries.
    let s = Sandbox::of(cc(&drip.url(), &drip.url()).str("timeout", "2s"));
    let t = Instant::now();
    let out = s.conn(&["token", "p"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(t.elapsed() < Duration::from_secs(7), "took {:?}", t.elapsed());
}

#[test]
fn huge_headers_are_a_clean_verdict() {
    let srv = raw(|mut s| {
        if read_request(&mut s).is_some() {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
            let _ = s.write_all(format!("X-Big: {}\r\n", "h".repeat(2 * 1024 * 1024)).as_bytes());
            for i in 0..20_000 {
                if s.write_all(format!("X-Many-{i}: v\r\n").as_bytes()).is_err() {
                    return;
                }
            }
            let _ = s.write_all(b"\r\n{}");
        }
    });
    let t = Instant::now();
    let out = Sandbox::of(cc(&srv.url(), &srv.url())).conn(&["test", "p", "--format", "json", "--timeout", "5s"]);
    assert!(out.code == 3 || out.code == 7, "exit {}: {}", out.code, out.stdout);
    clean_of_secrets(&out);
    assert!(t.elapsed() < Duration::from_secs(8));
}

//! The token store under attack (security.md §7 A3/A5/A6/B12): a symlinked or foreign token
//! directory, a killed or hung lock holder, open permissions and leftovers, readers racing a
//! writer, and a full or read-only cache; the token is printed in every case.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::counting::{Counting, Reply};
use crate::support::hostile::{TOKEN, cc, token_body};

/// A token server whose first request hangs for `hold` and goes unanswered (its process is
/// killed meanwhile); later ones get a token.
fn hangs_first(hold: Duration) -> Counting {
    Counting::start(move |n, _| {
        if n == 1 {
            std::thread::sleep(hold);
            Reply::silence()
        } else {
            Reply::json(token_body())
        }
    })
}

// ---- A3/B12: the token store under attack -----------------------------------------------

#[test]
fn symlinked_token_directory_is_refused_and_the_token_still_printed() {
    let srv = Counting::json(token_body());
    let s = Sandbox::of(cc(&srv.url(), &srv.url()));
    let elsewhere = s.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(s.path().join("cache")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, s.path().join("cache/tokens")).unwrap();
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("symbolic link");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "written through the link"
    );
    // `conn test` does not store through it either.
    s.conn(&["test", "p"]).code(0);
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "written through the link"
    );
}

#[test]
fn a_killed_lock_holder_does_not_wedge_the_next_run() {
    // The first request hangs (its process is killed meanwhile); later ones answer.
    let srv = hangs_first(Duration::from_secs(20));
    let s = Sandbox::of(cc(&srv.url(), &srv.url()));
    let mut holder = s.cmd(&["token", "p"]).spawn().unwrap();
    let t = Instant::now();
    while srv.calls() == 0 {
        assert!(t.elapsed() < Duration::from_secs(10), "the first conn never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
    // The lock is held while the request is out: kill -9 the holder.
    holder.kill().unwrap();
    holder.wait().unwrap();
    let t = Instant::now();
    let out = s.conn(&["token", "p"]);
    out.code(0);
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "waited {:?} on a dead lock",
        t.elapsed()
    );
}

#[test]
fn store_permissions_owner_and_leftovers() {
    use std::os::unix::fs::PermissionsExt;
    let srv = Counting::json(token_body());
    let s = Sandbox::of(cc(&srv.url(), &srv.url()));
    let dir = s.path().join("cache/tokens");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A leftover of a writer killed between write and rename, and one in progress.
    let old = dir.join(".tmp-killed");
    std::fs::write(&old, "half a tok").unwrap();
    let f = std::fs::File::options().write(true).open(&old).unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    drop(f);
    let fresh = dir.join(".tmp-writing");
    std::fs::write(&fresh, "in progress").unwrap();
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("was open to other users (mode 755)");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert!(!old.exists(), "a stale temporary file was left");
    assert!(fresh.exists(), "a recent temporary file was removed");
    for f in std::fs::read_dir(&dir).unwrap().flatten() {
        if f.path() == fresh {
            continue;
        }
        let mode = f.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", f.path().display());
    }
    // Now quiet, and reused.
    let out = s.conn(&["token", "p"]);
    assert_eq!(out.stderr, "");
    srv.assert_called(1);

    // A token directory that belongs to another user is not used; the token is still printed.
    let s = Sandbox::of(cc(&srv.url(), &srv.url()));
    let dir = s.path().join("cache/tokens");
    std::fs::create_dir_all(&dir).unwrap();
    let chown = std::process::Command::new("chown")
        .arg("65534")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(chown.success(), "tests run as root");
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("belongs to another user");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn readers_never_see_a_partial_entry() {
    let srv = Counting::json(token_body());
    let s = Sandbox::of(cc(&srv.url(), &srv.url()));
    s.conn(&["token", "p"]).code(0);
    let dir = s.path().join("cache/tokens");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|f| f.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let halt = stop.clone();
    let reader = std::thread::spawn(move || {
        let mut reads = 0;
        while !halt.load(Ordering::SeqCst) {
            let bytes = std::fs::read(&entry).expect("the entry is always there");
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("partial entry ({e}): {:?}", String::from_utf8_lossy(&bytes)));
            reads += 1;
        }
        reads
    });
    // Each run rewrites the entry (a stored token is not good for 2 hours).
    for _ in 0..15 {
        s.conn(&["token", "p", "--min-ttl", "2h"]).code(0);
    }
    stop.store(true, Ordering::SeqCst);
    assert!(reader.join().unwrap() > 15);
}

#[test]
fn a_hung_lock_holder_is_waited_on_for_a_bounded_time_and_other_profiles_go_on() {
    let srv = hangs_first(Duration::from_secs(25));
    let both = |timeout: &str| {
        let p = cc(&srv.url(), &srv.url())
            .str("timeout", timeout)
            .str("connect_timeout", "1s");
        format!("{p}{}", p.clone().named("q"))
    };
    let s = Sandbox::of(both("30s"));
    let mut holder = s.cmd(&["token", "p"]).spawn().unwrap();
    let t = Instant::now();
    while srv.calls() == 0 {
        assert!(t.elapsed() < Duration::from_secs(10), "the first conn never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Another profile has its own lock: not held up.
    let t = Instant::now();
    let out = s.conn(&["token", "q"]);
    out.code(0);
    assert!(t.elapsed() < Duration::from_secs(5), "q waited {:?}", t.elapsed());
    // The same profile waits (timeout + connect timeout + 5 s), then says so and fetches.
    s.write("profiles.toml", &both("1s"));
    let t = Instant::now();
    let out = s.conn(&["token", "p"]);
    let waited = t.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    out.code(0).stderr_has("giving up waiting");
    assert_eq!(out.stdout, format!("{TOKEN}\n"));
    assert!(
        waited >= Duration::from_secs(6) && waited < Duration::from_secs(12),
        "waited {waited:?}"
    );
}

#[test]
fn a_full_or_read_only_cache_still_prints_the_token() {
    let srv = Counting::json(token_body());
    let s = Sandbox::of(cc(&srv.url(), &srv.url()));
    std::fs::create_dir_all(s.path().join("cache")).unwrap();
    // A private mount namespace: a 64 KiB filesystem over the cache, filled up; then one
    // mounted read-only.
    let full = r#"mount -t tmpfs -o size=64k tmpfs "$CONN_CACHE_DIR" && mkdir -m 700 "$CONN_CACHE_DIR/tokens" && (dd if=/dev/zero of="$CONN_CACHE_DIR/fill" bs=1k count=100 2>/dev/null; true) && exec "$0" "$@""#;
    let read_only = r#"mount -t tmpfs -o ro tmpfs "$CONN_CACHE_DIR" && exec "$0" "$@""#;
    for (script, words) in [(full, "token not stored"), (read_only, "token store unusable")] {
        let out = s.wrapped(&["unshare", "-m", "sh", "-c", script], &["token", "p"]);
        out.code(0).stderr_has(words);
        assert_eq!(out.stdout, format!("{TOKEN}\n"));
    }
}

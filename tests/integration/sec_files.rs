//! Files conn writes and reads back: report output and profiles-file saves through devices,
//! pipes and symbolic links; planted, foreign and non-regular token-store entries; absurd
//! token expiries in answers and in the store.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::support::counting::{Counting, Reply};
use crate::support::profiles::Profile;
use crate::support::servers::{Raw, raw, read_request, respond};
use crate::support::{Out, Sandbox};

const SECRET: &str = "files-canary-Secret-47";

/// A token server that counts POSTs and records their bodies; `answer(n)` is the n-th body.
fn counting(answer: impl Fn(usize) -> String + Send + Sync + 'static) -> Counting {
    Counting::posts(move |i| Reply::json(answer(i)))
}

fn bearer(i: usize) -> String {
    format!(r#"{{"access_token":"token-number-{i}","token_type":"Bearer","expires_in":3600}}"#)
}

fn cc_profile(url: &str) -> String {
    format!(
        "[profiles.p]\ntype = \"rest\"\nbase_url = \"{url}\"\n[profiles.p.auth]\ntype = \"oauth2-client-credentials\"\ntoken_url = \"{url}/token\"\nclient_id = \"cid\"\nclient_secret = {{ env = \"FILES_SECRET\" }}\n"
    )
}

fn cc_sandbox(url: &str) -> Sandbox {
    Sandbox::with(&cc_profile(url)).var("FILES_SECRET", SECRET)
}

fn tokens_dir(s: &Sandbox) -> PathBuf {
    s.path().join("cache/tokens")
}

/// The one stored entry's path.
fn entry_path(s: &Sandbox) -> PathBuf {
    std::fs::read_dir(tokens_dir(s))
        .unwrap()
        .flatten()
        .map(|f| f.path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "json") && !p.file_name().unwrap().to_string_lossy().starts_with('.')
        })
        .expect("a stored entry")
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Run conn, killing it when it has not finished within `limit`.
fn bounded(s: &Sandbox, args: &[&str], limit: Duration) -> Out {
    let mut child = s
        .cmd(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run conn");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let o = child.wait_with_output().unwrap();
            return Out {
                code: o.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            };
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("conn {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

// ---- 1. output and profiles-file saves ----

/// A profile whose test ends quickly (its API answers 200).
fn quick_sandbox() -> (Sandbox, Raw) {
    let api = raw(|mut s| {
        if read_request(&mut s).is_some() {
            respond(&mut s, "200 OK", &[("Content-Type", "application/json")], b"{}");
        }
    });
    let s = Sandbox::with(&format!(
        "[profiles.q]\ntype = \"rest\"\nbase_url = \"{}\"\n\n[profiles.r]\ntype = \"rest\"\nbase_url = \"{}\"\n",
        api.url(),
        api.url()
    ));
    (s, api)
}

#[test]
fn output_to_a_device_writes_through_and_leaves_the_device() {
    let (s, _api) = quick_sandbox();
    // A node for the null device inside the sandbox: the same device as /dev/null, without
    // risking the machine's /dev/null should this regress.
    let null = s.path().join("null");
    let made = std::process::Command::new("mknod")
        .args([null.to_str().unwrap(), "c", "1", "3"])
        .status()
        .is_ok_and(|st| st.success());
    if !made {
        eprintln!("skipped: mknod not permitted here");
        return;
    }
    let out = s.conn(&["test", "q", "--format", "json", "--output", null.to_str().unwrap()]);
    assert!(out.code == 0 || out.code == 1, "{out:?}");
    let m = std::fs::symlink_metadata(&null).unwrap();
    assert!(m.file_type().is_char_device(), "the device node was replaced: {m:?}");
    assert_eq!(m.rdev(), std::fs::metadata("/dev/null").unwrap().rdev());
}

#[test]
fn output_to_stdout_through_dev_fd_delivers_the_report() {
    let (s, _api) = quick_sandbox();
    let out = s.conn(&["test", "q", "--format", "json", "--output", "/dev/fd/1"]);
    out.code(0);
    assert_eq!(out.json()["profiles"][0]["profile"], "q", "{out:?}");
}

#[test]
fn output_to_a_fifo_is_read_by_its_reader() {
    let (s, _api) = quick_sandbox();
    let fifo = s.path().join("report.fifo");
    mkfifo(&fifo);
    let (tx, rx) = std::sync::mpsc::channel();
    let f = fifo.clone();
    std::thread::spawn(move || {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let _ = tx.send(text);
    });
    let out = bounded(
        &s,
        &["test", "q", "--format", "json", "--output", fifo.to_str().unwrap()],
        Duration::from_secs(20),
    );
    out.code(0);
    assert!(
        std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(),
        "the FIFO was replaced"
    );
    let got = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the reader got the report");
    let v: serde_json::Value = serde_json::from_str(&got).expect("a JSON report through the FIFO");
    assert_eq!(v["profiles"][0]["profile"], "q");
}

#[test]
fn symlinked_output_file_keeps_its_link_and_mode() {
    let (s, _api) = quick_sandbox();
    std::fs::create_dir(s.path().join("real")).unwrap();
    let target = s.path().join("real/report.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = s.path().join("report.json");
    std::os::unix::fs::symlink("real/report.json", &link).unwrap();
    s.conn(&["test", "q", "--format", "json", "--output", "report.json"])
        .code(0);
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the link was replaced"
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["profiles"][0]["profile"], "q");
    assert_eq!(mode(&target), 0o640);
    // A regular output file is still replaced atomically, its mode kept.
    let plain = s.write("plain.json", "old");
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
    s.conn(&["test", "q", "--format", "json", "--output", "plain.json"])
        .code(0);
    assert_eq!(mode(&plain), 0o644);
    assert!(std::fs::read_to_string(&plain).unwrap().contains("\"profiles\""));
}

#[test]
fn symlinked_profiles_file_stays_a_link_on_remove_and_add() {
    let (s, _api) = quick_sandbox();
    let text = std::fs::read_to_string(s.path().join("profiles.toml")).unwrap();
    std::fs::remove_file(s.path().join("profiles.toml")).unwrap();
    std::fs::create_dir(s.path().join("dotfiles")).unwrap();
    let target = s.path().join("dotfiles/profiles.toml");
    std::fs::write(&target, text).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = s.path().join("profiles.toml");
    std::os::unix::fs::symlink("dotfiles/profiles.toml", &link).unwrap();
    s.conn(&["remove", "r", "--yes"]).code(0);
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the link was replaced"
    );
    let now = std::fs::read_to_string(&target).unwrap();
    assert!(now.contains("[profiles.q]") && !now.contains("[profiles.r]"), "{now}");
    assert_eq!(mode(&target), 0o640);
    s.conn(&[
        "add",
        "n",
        "--type",
        "rest",
        "--auth",
        "none",
        "--set",
        "base_url=https://n.example",
    ])
    .code(0);
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the link was replaced"
    );
    assert!(std::fs::read_to_string(&target).unwrap().contains("[profiles.n]"));
    assert_eq!(mode(&target), 0o640);
}

// ---- 3. planted, foreign and non-regular store entries ----

/// An entry key as the store makes it: SHA-256 over length-prefixed parts.
fn key_of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for s in parts {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// How a literal client id enters the key.
fn literal_id(client_id: &str) -> String {
    let fp: String = Sha256::digest(client_id.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("literal:sha256:{fp}")
}

/// The key of an authorization-code profile named `i` with a literal client id and no
/// scopes, parameters or issuer.
fn interactive_key(token_url: &str, client_id: &str) -> String {
    let id = literal_id(client_id);
    key_of(&[
        "conn-token-v1",
        "i",
        "",
        "oauth2-authorization-code",
        token_url,
        &id,
        "",
        "basic",
        "",
    ])
}

/// The credentials fingerprint of a public client (no secret, user or password).
fn public_client_fingerprint(client_id: &str) -> String {
    let mut h = Sha256::new();
    for s in [client_id, "\u{0}none", "\u{0}none", "\u{0}none"] {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    let hex: String = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[test]
fn planted_login_entry_never_sends_credentials_to_its_token_url() {
    let real = counting(|i| {
        format!(r#"{{"access_token":"fresh-{i}","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-{i}"}}"#)
    });
    let attacker = counting(|_| r#"{"access_token":"attacker-token","token_type":"Bearer","expires_in":3600}"#.into());
    let token_url = format!("{}/token", real.url());
    let s = Sandbox::with(&format!(
        "[profiles.i]\ntype = \"rest\"\nbase_url = \"{u}\"\n[profiles.i.auth]\ntype = \"oauth2-authorization-code\"\nauthorization_url = \"{u}/auth\"\ntoken_url = \"{token_url}\"\nclient_id = \"app\"\nclient_secret = {{ env = \"FILES_SECRET\" }}\n",
        u = real.url()
    ))
    .var("FILES_SECRET", SECRET);
    // The directory was open to everyone before conn first used it; an entry was planted.
    let dir = tokens_dir(&s);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let planted = serde_json::json!({
        "version": 1, "profile": "i", "access_token": "planted-access", "token_type": "Bearer",
        "expires_at": now() - 10, "scope": null, "refresh_token": "planted-refresh",
        "obtained_at": now() - 4000, "credentials": public_client_fingerprint("app"),
        "token_url": format!("{}/steal", attacker.url()),
    });
    std::fs::write(
        dir.join(format!("{}.json", interactive_key(&token_url, "app"))),
        planted.to_string(),
    )
    .unwrap();
    let out = s.conn(&["token", "i"]);
    assert_eq!(
        attacker.calls(),
        0,
        "credentials went to the planted token URL: {out:?}"
    );
    assert!(
        attacker.bodies().iter().all(|b| !b.contains(SECRET)),
        "the client secret reached the planted URL"
    );
    out.no_secrets(&[SECRET, "planted-refresh"]);
    assert!(!out.stdout.contains("planted-access"), "{out:?}");
    assert!(
        out.stderr.contains("warning"),
        "no warning about the planted entry: {out:?}"
    );
}

/// The key of an `openid-connect` profile named `o` (issuer, literal client id, the implied
/// `openid` scope).
fn oidc_key(issuer: &str, client_id: &str) -> String {
    let id = literal_id(client_id);
    key_of(&[
        "conn-token-v1",
        "o",
        "",
        "openid-connect",
        issuer,
        &id,
        "openid",
        "basic",
        issuer,
    ])
}

/// An OpenID provider on 127.0.0.1: discovery on GET, `token_answer` on POST; counts POSTs.
fn discovery_idp(token_answer: &'static str) -> (Raw, Arc<AtomicUsize>) {
    let posts = Arc::new(AtomicUsize::new(0));
    let p2 = posts.clone();
    let base = Arc::new(Mutex::new(String::new()));
    let b2 = base.clone();
    let idp = raw(move |mut s| {
        let Some(r) = read_request(&mut s) else { return };
        let iss = b2.lock().unwrap().clone();
        let body = if r.method == "GET" {
            format!(
                r#"{{"issuer":"{iss}","authorization_endpoint":"{iss}/auth","token_endpoint":"{iss}/token","code_challenge_methods_supported":["S256"]}}"#
            )
        } else {
            p2.fetch_add(1, Ordering::SeqCst);
            token_answer.into()
        };
        respond(
            &mut s,
            "200 OK",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
    });
    *base.lock().unwrap() = idp.url();
    (idp, posts)
}

/// The `openid-connect` profile `o` of this provider (client `app`).
fn oidc_profile(idp: &Raw) -> Profile {
    Profile::rest("o", &idp.url())
        .auth("openid-connect")
        .auth_str("issuer", &idp.url())
        .auth_str("client_id", "app")
}

/// Plant an expired entry for [`oidc_profile`] with a refresh token, the right fingerprint
/// (a public client's can be computed) and its own recorded `token_url`.
fn plant_oidc_entry(s: &Sandbox, idp: &Raw, token_url: &str) {
    let issuer = format!("{}/", idp.url());
    let dir = tokens_dir(s);
    std::fs::create_dir_all(&dir).unwrap();
    let planted = serde_json::json!({
        "version": 1, "profile": "o", "access_token": "planted-access", "token_type": "Bearer",
        "expires_at": now() - 10, "scope": null, "refresh_token": "planted-refresh",
        "obtained_at": now() - 4000, "credentials": public_client_fingerprint("app"),
        "token_url": token_url,
    });
    std::fs::write(
        dir.join(format!("{}.json", oidc_key(&issuer, "app"))),
        planted.to_string(),
    )
    .unwrap();
}

#[test]
fn refresh_uses_the_discovered_endpoint_not_the_recorded_one() {
    // The provider: discovery on GET, tokens on POST.
    let (idp, posts) = discovery_idp(r#"{"access_token":"refreshed","token_type":"Bearer","expires_in":3600}"#);
    let attacker = counting(bearer);
    let s = Sandbox::of(oidc_profile(&idp));
    // Even with the right fingerprint (a public client's can be computed), the entry's own
    // token URL is never where the refresh goes.
    plant_oidc_entry(&s, &idp, &format!("{}/steal", attacker.url()));
    let out = s.conn(&["token", "o"]);
    assert_eq!(
        attacker.calls(),
        0,
        "the refresh went to the recorded token URL: {out:?}"
    );
    out.code(0);
    assert_eq!(out.stdout, "refreshed\n");
    assert_eq!(
        posts.load(Ordering::SeqCst),
        1,
        "the discovered token endpoint was not used"
    );
}

#[test]
fn conn_test_never_connects_to_a_recorded_token_url() {
    // A discovery profile's recorded token URL cannot be checked against the profile without a
    // request; the pre-flight must not connect to it either.
    let (idp, _) =
        discovery_idp(r#"{"access_token":"refreshed","token_type":"Bearer","expires_in":3600,"refresh_token":"r2"}"#);
    let connections = Arc::new(AtomicUsize::new(0));
    let c2 = connections.clone();
    let attacker = raw(move |_s| {
        c2.fetch_add(1, Ordering::SeqCst);
    });
    let s = Sandbox::of(oidc_profile(&idp).no_probe());
    plant_oidc_entry(&s, &idp, &format!("{}/steal", attacker.url()));
    let out = s.conn(&["test", "o", "--format", "json"]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the pre-flight connected to the recorded token URL: {out:?}"
    );
    out.code(0);
}

#[test]
fn planted_entry_with_another_token_url_is_a_miss_with_a_warning() {
    let real = counting(bearer);
    let attacker = counting(bearer);
    let s = cc_sandbox(&real.url());
    s.conn(&["token", "p"]).code(0);
    let path = entry_path(&s);
    let mut e: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    e["access_token"] = "planted-access".into();
    e["token_url"] = format!("{}/token", attacker.url()).into();
    std::fs::write(&path, e.to_string()).unwrap();
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("warning");
    assert_eq!(out.stdout, "token-number-2\n", "{out:?}");
    assert_eq!((real.calls(), attacker.calls()), (2, 0));
}

#[test]
fn entry_owned_by_another_user_is_a_miss_with_a_warning() {
    let real = counting(bearer);
    let s = cc_sandbox(&real.url());
    s.conn(&["token", "p"]).code(0);
    let path = entry_path(&s);
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    let out = s.conn(&["token", "p"]);
    out.code(0).stderr_has("warning");
    assert_eq!(out.stdout, "token-number-2\n", "{out:?}");
}

#[test]
fn fifo_entry_hangs_no_command() {
    let real = counting(bearer);
    let s = cc_sandbox(&real.url());
    s.conn(&["token", "p"]).code(0);
    let path = entry_path(&s);
    std::fs::remove_file(&path).unwrap();
    mkfifo(&path);
    let limit = Duration::from_secs(15);
    let out = bounded(&s, &["token", "p"], limit);
    out.code(0);
    assert_eq!(out.stdout, "token-number-2\n", "{out:?}");
    let out = bounded(&s, &["profiles"], limit);
    out.code(0).stdout_has("p ");
    bounded(&s, &["logout", "--all"], limit).code(0);
}

// ---- 6. absurd expiries ----

fn jwt(exp: &str) -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.sig",
        enc(r#"{"alg":"none"}"#),
        enc(&format!(r#"{{"sub":"x","exp":{exp}}}"#))
    )
}

#[test]
fn absurd_jwt_expiry_counts_as_unknown() {
    let ms = (now() * 1000).to_string();
    for exp in [ms.as_str(), "-9223372036854775808", "9223372036854775807", "1e300"] {
        let token = jwt(exp);
        let t = token.clone();
        let real = counting(move |_| format!(r#"{{"access_token":"{t}","token_type":"Bearer"}}"#));
        let s = cc_sandbox(&real.url());
        let out = s.conn(&["token", "p", "--format", "json"]);
        out.code(0);
        let v = out.json();
        assert_eq!(v["access_token"], token.as_str());
        assert!(v["expires_at"].is_null(), "exp {exp}: {v}");
        // Nothing is kept as valid: later calls ask again, and nothing panics.
        let again = s.conn(&["token", "p", "--min-ttl", "3650d"]);
        again.code(0);
        let listed = s.conn(&["profiles"]);
        listed.code(0);
        assert!(!listed.stdout.contains("valid"), "exp {exp}: {}", listed.stdout);
        assert_eq!(real.calls(), 2, "exp {exp}: the token was reused");
    }
}

#[test]
fn stored_entry_with_absurd_expiry_is_a_miss() {
    let real = counting(bearer);
    let s = cc_sandbox(&real.url());
    s.conn(&["token", "p"]).code(0);
    let path = entry_path(&s);
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let absurd = [i64::MAX, i64::MIN, 253_402_300_800, now() * 1000, -1];
    for at in absurd {
        let mut e = good.clone();
        e["access_token"] = "planted-absurd".into();
        e["expires_at"] = at.into();
        e["obtained_at"] = at.into();
        std::fs::write(&path, e.to_string()).unwrap();
        let listed = s.conn(&["profiles"]);
        listed.code(0);
        assert!(!listed.stdout.contains("valid"), "expires_at {at}: {}", listed.stdout);
        let out = s.conn(&["token", "p", "--format", "json"]);
        out.code(0);
        assert_ne!(out.json()["access_token"], "planted-absurd", "expires_at {at}");
        std::fs::write(&path, e.to_string()).unwrap();
        let report = s.conn(&["test", "p", "--format", "json"]);
        assert_ne!(report.code, 101, "expires_at {at}: {report:?}");
    }
}

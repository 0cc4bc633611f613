//! Test support: a sandbox that runs the real `conn` binary with a clean environment, the
//! servers it talks to (the fake vendors, the real oidc-provider, hostile and TLS servers),
//! and the checks every test makes (exit code, streams, no secret leaked).

#![allow(dead_code)]

pub mod certs;
pub mod counting;
pub mod entra;
pub mod fake;
pub mod hostile;
pub mod profiles;
pub mod real;
pub mod replay;
pub mod servers;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// A runtime for in-process servers, alive for the whole test binary.
pub fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime")
    })
}

/// What a run of `conn` left.
#[derive(Debug)]
pub struct Out {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Out {
    /// Fail with both streams shown unless the exit code is `code`.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The JSON report on stdout.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The first profile of the JSON report.
    #[track_caller]
    pub fn profile(&self) -> Value {
        self.json()["profiles"][0].clone()
    }

    /// Fail if any secret shows up in either stream, raw or encoded.
    #[track_caller]
    pub fn no_secrets(&self, secrets: &[&str]) -> &Self {
        for s in secrets {
            for form in forms(s) {
                assert!(
                    !self.stdout.contains(&form),
                    "secret {s:?} (as {form:?}) on stdout:\n{}",
                    self.stdout
                );
                assert!(
                    !self.stderr.contains(&form),
                    "secret {s:?} (as {form:?}) on stderr:\n{}",
                    self.stderr
                );
            }
        }
        self
    }

    /// Fail unless stderr contains `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}:\n{}", self.stderr);
        self
    }

    /// Fail unless stdout contains `text`.
    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}:\n{}", self.stdout);
        self
    }
}

/// A secret as it could leak: raw; form- and percent-encoded in either case; JSON- and
/// HTML-escaped; base64 (standard and URL-safe, padded or not) of the value and of its
/// form-encoding, whole and as the characters it fixes inside a larger base64 string at each
/// of the three alignments.
pub fn forms(s: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let form: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
    let mut v = vec![s.to_string(), form.clone(), lower_hex(&form)];
    let all = percent_all(s);
    v.push(lower_hex(&all));
    v.push(all);
    // JSON escapes of `\`, `"` and `/` (a secret never holds a line break or NUL).
    let json = s.replace('\\', "\\\\").replace('"', "\\\"");
    v.push(json.replace('/', "\\/"));
    v.push(json);
    let html = html_escaped(s);
    v.push(html.clone());
    v.push(html.replace("&#x27;", "&#39;"));
    for raw in [s, form.as_str()] {
        v.push(STANDARD.encode(raw));
        v.push(URL_SAFE_NO_PAD.encode(raw));
        for a in 0..3 {
            let fixed = aligned_base64(raw.as_bytes(), a);
            if fixed.len() >= 8 {
                v.push(fixed.clone());
                v.push(fixed.replace('+', "-").replace('/', "_"));
            }
        }
    }
    v.sort();
    v.dedup();
    v
}

/// `&`, `"`, `'`, `<` and `>` as HTML entities, as a template engine writes them.
pub fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Every byte but letters and digits as `%XX`.
pub fn percent_all(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `%2B` → `%2b`: the hex digits after each `%` in lower case, as .NET's `UrlEncode` writes them.
pub fn lower_hex(s: &str) -> String {
    let mut out = String::new();
    let mut left = 0;
    for c in s.chars() {
        if c == '%' {
            left = 2;
            out.push(c);
        } else if left > 0 {
            left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The base64 characters that depend only on `raw` when it sits `a` bytes past a 3-byte
/// boundary inside a larger base64-encoded string.
pub fn aligned_base64(raw: &[u8], a: usize) -> String {
    use base64::Engine;
    let mut padded = vec![0u8; a];
    padded.extend_from_slice(raw);
    let enc = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&padded);
    let first = (8 * a).div_ceil(6);
    let last = 8 * (a + raw.len()) / 6;
    enc.get(first..last).unwrap_or("").to_string()
}

/// The step of this name in a profile of the JSON report.
#[track_caller]
pub fn step(profile: &Value, name: &str) -> Value {
    profile["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no {name} step in {profile}"))
}

/// A temporary home with a profiles file, where `conn` runs with a clean environment.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// An empty sandbox.
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
            vars: Vec::new(),
        }
    }

    /// A sandbox with this profiles file (mode 0600).
    pub fn with(profiles: &str) -> Sandbox {
        let s = Sandbox::new();
        s.write("profiles.toml", profiles);
        s
    }

    /// A sandbox whose profiles file is this [`profiles::Profile`] (or anything that renders
    /// as a profiles file).
    pub fn of(profiles: impl std::fmt::Display) -> Sandbox {
        Sandbox::with(&profiles.to_string())
    }

    /// Write a file (mode 0600) and return its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        p
    }

    /// Set an environment variable for runs.
    pub fn var(mut self, k: &str, v: &str) -> Sandbox {
        self.vars.push((k.into(), v.into()));
        self
    }

    /// The sandbox directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A `conn` command in the sandbox, not yet run.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_conn"));
        c.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("XDG_CACHE_HOME", self.dir.path().join("xdg-cache"))
            .env("CONN_CACHE_DIR", self.dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// Run `conn` and collect what it left.
    pub fn conn(&self, args: &[&str]) -> Out {
        let o = self.cmd(args).output().expect("run conn");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Run `conn` behind a wrapper program (`unshare -n`, `/usr/bin/time -v`), with the
    /// sandbox's environment.
    pub fn wrapped(&self, wrapper: &[&str], args: &[&str]) -> Out {
        let cmd = self.cmd(args);
        let envs: Vec<_> = cmd
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect();
        let o = Command::new(wrapper[0])
            .args(&wrapper[1..])
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .env_clear()
            .envs(envs)
            .current_dir(self.path())
            .stdin(Stdio::null())
            .output()
            .expect("run the wrapper");
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }
}

/// The real oidc-provider (npm), run from tests/idp; stops when dropped.
pub struct Idp {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
}

impl Idp {
    /// Start with the default clients (tests/idp/README.md).
    pub fn start() -> Idp {
        Idp::start_with(None)
    }

    /// Start with a JSON configuration.
    pub fn start_with(config: Option<&str>) -> Idp {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/idp");
        assert!(
            root.join("node_modules/oidc-provider").is_dir(),
            "the test identity provider is not installed: run `npm ci --prefix tests/idp` (scripts/test.sh does)"
        );
        let mut cmd = Command::new("node");
        cmd.arg(root.join("server.mjs"));
        let _cfg_file;
        if let Some(c) = config {
            let f = tempfile::NamedTempFile::new().expect("tmp");
            std::fs::write(f.path(), c).expect("write idp config");
            cmd.arg(f.path());
            _cfg_file = Some(f.into_temp_path().keep().expect("keep"));
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node must be installed to run the test identity provider");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read idp line");
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("idp did not start: {line:?}"));
        Idp {
            child,
            issuer: v["issuer"].as_str().expect("issuer").to_string(),
        }
    }

    /// Requests the IdP counted for a path.
    pub fn hits(&self, path: &str) -> u64 {
        let body = servers::http_get(&format!("{}/_stats", self.issuer));
        let v: Value = serde_json::from_str(&body).unwrap_or_default();
        v["requests"][path].as_u64().unwrap_or(0)
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Read `conn login --no-browser`'s stderr until it prints the authorization address of
/// `issuer`: the address, or everything printed before the stream ended.
pub fn authorization_address(err: &mut impl BufRead, issuer: &str) -> Result<String, String> {
    let prefix = format!("{issuer}/auth?");
    let mut seen = String::new();
    for _ in 0..20 {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        let l = line.trim();
        if l.starts_with(&prefix) {
            return Ok(l.to_string());
        }
    }
    Err(seen)
}

/// Run `conn` on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are all
/// the terminal, so both streams come back together. `dialog`: each answer is typed only
/// once its prompt has appeared.
pub fn on_terminal(s: &Sandbox, args: &[&str], dialog: &[(&str, &str)]) -> Out {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let inner = s.cmd(args);
    let quote = |a: &str| format!("'{}'", a.replace('\'', r"'\''"));
    let line = std::iter::once(env!("CARGO_BIN_EXE_conn").to_string())
        .chain(args.iter().map(|a| quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let mut c = Command::new("script");
    c.args(["-qec", &line, "/dev/null"])
        .current_dir(s.path())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let mut child = c.spawn().expect("util-linux `script` is needed for terminal tests");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut from = 0;
    let mut steps = dialog.iter();
    let mut next = steps.next();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(b) => seen.extend(b),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(_) => {}
        }
        if let Some((prompt, answer)) = next {
            let text = String::from_utf8_lossy(&seen[from..]).into_owned();
            if let Some(i) = text.find(prompt) {
                from += text[..i + prompt.len()].len();
                stdin.write_all(format!("{answer}\n").as_bytes()).expect("type");
                stdin.flush().ok();
                next = steps.next();
            }
        }
        assert!(
            Instant::now() < deadline,
            "terminal run timed out:\n{}",
            String::from_utf8_lossy(&seen)
        );
    }
    drop(stdin);
    let status = child.wait().expect("wait");
    Out {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&seen).into_owned(),
        stderr: String::new(),
    }
}

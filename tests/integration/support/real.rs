//! Real third-party servers on loopback, as users meet them: tinyproxy and nginx (Debian
//! packages), `openssl s_server`, and certificates made by the `openssl` command line. Each
//! runs from a configuration written into its own temporary directory, in the foreground, and
//! is stopped when dropped. scripts/test.sh installs them on a fresh machine.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port (bound, then released for the daemon to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port()
}

/// A server process; killed and reaped when dropped.
pub struct Daemon {
    child: Child,
    /// Its directory: configuration, certificates, logs.
    pub dir: tempfile::TempDir,
    /// The port it listens on (the first one, when it has several).
    pub port: u16,
    /// Every port it listens on.
    pub ports: Vec<u16>,
}

impl Daemon {
    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A file of its directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The contents of a log file of its directory (empty when there is none).
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run `program` with `args` and wait until every port accepts connections.
fn start(program: &str, args: &[&str], dir: tempfile::TempDir, ports: Vec<u16>) -> Daemon {
    let log = std::fs::File::create(dir.path().join("stderr.log")).expect("log");
    let child = Command::new(installed(program))
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("{program} must be installed (scripts/test.sh installs it): {e}"));
    let mut d = Daemon {
        child,
        port: ports[0],
        ports,
        dir,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    for p in d.ports.clone() {
        while TcpStream::connect(("127.0.0.1", p)).is_err() {
            if let Ok(Some(status)) = d.child.try_wait() {
                panic!("{program} stopped ({status}):\n{}", d.log("stderr.log"));
            }
            assert!(
                Instant::now() < deadline,
                "{program} did not listen on {p}:\n{}",
                d.log("stderr.log")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    d
}

/// Where `program` is: on the PATH, else in the system directories a user's PATH may lack
/// (Debian installs nginx in /usr/sbin).
fn installed(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(program))
}

/// tinyproxy on a free port, allowing loopback clients; `extra` are more configuration lines
/// (`BasicAuth user password`, `ConnectPort 443`, …).
pub fn tinyproxy(extra: &str) -> Daemon {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let conf = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 100\nLogFile \"{}\"\nLogLevel Info\nAllow 127.0.0.1\n{extra}\n",
        dir.path().join("tinyproxy.log").display()
    );
    std::fs::write(dir.path().join("tinyproxy.conf"), conf).expect("write");
    let conf = dir.path().join("tinyproxy.conf").display().to_string();
    start("tinyproxy", &["-d", "-c", &conf], dir, vec![port])
}

/// nginx in the foreground with these `server { … }` blocks. In `servers`, `{dir}` is the
/// daemon's directory and `{port0}`, `{port1}`, … are free ports (as many as `ports`).
pub fn nginx(servers: &str, ports: usize, files: &[(&str, &str)]) -> Daemon {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().display().to_string();
    let ports: Vec<u16> = (0..ports).map(|_| free_port()).collect();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let mut servers = servers.replace("{dir}", &d);
    for (i, p) in ports.iter().enumerate() {
        servers = servers.replace(&format!("{{port{i}}}"), &p.to_string());
    }
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\nevents {{}}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n{servers}\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).expect("write");
    let conf = format!("{d}/nginx.conf");
    let early_log = format!("{d}/error.log");
    start("nginx", &["-p", &d, "-e", &early_log, "-c", &conf], dir, ports)
}

/// The most common self-signed recipe, as its users type it:
/// `openssl req -x509 -newkey rsa:2048 -nodes` for 127.0.0.1 (its certificate has `CA:TRUE`).
/// Writes `cert.pem` and `key.pem` (with this `prefix`) into `dir`.
pub fn openssl_self_signed(dir: &Path, prefix: &str) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{prefix}cert.pem"));
    let key = dir.join(format!("{prefix}key.pem"));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"])
        .args(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the openssl command must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

/// `openssl s_server` with this certificate and key on a free port, answering every request
/// with a fixed web page (`-www`).
pub fn s_server(cert: &Path, key: &Path) -> Daemon {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let (c, k) = (cert.display().to_string(), key.display().to_string());
    start(
        "openssl",
        &[
            "s_server",
            "-quiet",
            "-www",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            &c,
            "-key",
            &k,
        ],
        dir,
        vec![port],
    )
}

/// An nginx `location` answering `body` as JSON with this status (any method).
pub fn json_location(path: &str, status: u16, body: &str) -> String {
    let body = body.replace('\\', "\\\\").replace('\'', "\\'");
    format!("    location = {path} {{ default_type application/json; return {status} '{body}'; }}\n")
}

/// nginx `location`s for `/token` (a Bearer `token`, one hour) and `/ping` (`{"ok":true}`).
pub fn token_and_probe(token: &str) -> String {
    format!(
        "{}{}",
        json_location(
            "/token",
            200,
            &format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#)
        ),
        json_location("/ping", 200, r#"{"ok":true}"#)
    )
}

/// oauth2-mock-server (npm, installed into tests/idp by `npm ci --prefix tests/idp`), run by
/// tests/idp/mock.mjs; stops when dropped.
pub struct MockOAuth {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub issuer: String,
}

impl MockOAuth {
    /// Start it; `mode` is mock.mjs's argument (`entra-scopes`), if any.
    pub fn start(mode: Option<&str>) -> MockOAuth {
        use std::io::BufRead;
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/idp");
        assert!(
            root.join("node_modules/oauth2-mock-server").is_dir(),
            "oauth2-mock-server is not installed: run `npm ci --prefix tests/idp` (scripts/test.sh does)"
        );
        let mut child = Command::new("node")
            .arg(root.join("mock.mjs"))
            .args(mode)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node must be installed to run oauth2-mock-server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the mock's line");
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("oauth2-mock-server did not start: {line:?}"));
        MockOAuth {
            child,
            issuer: v["issuer"].as_str().expect("issuer").to_string(),
        }
    }
}

impl Drop for MockOAuth {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Opening the authorization page: the program in `$BROWSER` (the URL as its last argument),
//! else the system's opener. Where there is no display, nothing is opened and the URL is
//! printed for the person to open elsewhere.

use std::process::{Command, Stdio};

/// Try to open `url`; `Err` says why the URL must be opened by hand.
pub fn open(url: &str) -> Result<(), String> {
    if let Some(b) = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()) {
        let mut words = b.split_whitespace();
        let program = words.next().unwrap_or_default();
        return spawn(Command::new(program).args(words).arg(url))
            .map_err(|e| format!("$BROWSER ({program}) could not be started: {e}"));
    }
    if cfg!(target_os = "macos") {
        return spawn(Command::new("open").arg(url)).map_err(|e| e.to_string());
    }
    if cfg!(windows) {
        return spawn(Command::new("cmd").args(["/C", "start", ""]).arg(url)).map_err(|e| e.to_string());
    }
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    if !display {
        return Err("no display to open a browser on".into());
    }
    spawn(Command::new("xdg-open").arg(url)).map_err(|e| format!("xdg-open could not be started: {e}"))
}

fn spawn(cmd: &mut Command) -> std::io::Result<()> {
    // The browser runs on its own; conn does not wait for it.
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
}

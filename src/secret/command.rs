//! Running a secret command: its own process group, a deadline that bounds both its exit and
//! the reading of its output, at most [`MAX_SECRET_BYTES`] kept, and every process it
//! started stopped before conn goes on.
//!
//! A program may leave a background child holding its standard output (`sleep 30 & echo
//! pw`). Waiting for end of file would then wait for that child, so conn waits for the
//! program itself; once it has exited, end of file gets a short [`EOF_GRACE`], then the whole
//! process group is killed and what was read so far is the output.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{MAX_SECRET_BYTES, ResolveError};

/// How long end of file may lag behind the program's exit. A program's own output is in the
/// pipe when it exits; this only lets a child it left behind finish a write in progress.
pub const EOF_GRACE: Duration = Duration::from_millis(250);
/// How long to wait for end of file once the process group has been killed.
const AFTER_KILL: Duration = Duration::from_millis(100);
/// How often the program's state is polled.
const POLL: Duration = Duration::from_millis(5);

/// What the program printed, once it exited within its time.
pub struct Output {
    /// How it exited.
    pub status: ExitStatus,
    /// At most `MAX_SECRET_BYTES + 1` bytes of its standard output.
    pub stdout: Vec<u8>,
}

/// Run `argv` without a shell, stdin closed, stderr discarded; stop it and every process in
/// its group at `timeout`.
pub fn run(argv: &[String], timeout: Duration) -> Result<Output, ResolveError> {
    let program = argv
        .first()
        .ok_or_else(|| ResolveError("secret command is empty".into()))?;
    let mut cmd = Command::new(program);
    cmd.args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Its error output may quote the secret: never captured, never shown.
        .stderr(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| ResolveError(format!("cannot run secret command {program}: {}", super::io_reason(&e))))?;
    let (buf, eof) = read_in_background(&mut child);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                stop(&mut child);
                return Err(ResolveError(format!(
                    "secret command {program} did not finish within {}",
                    humantime::format_duration(timeout)
                )));
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => {
                stop(&mut child);
                return Err(ResolveError(format!(
                    "secret command {program}: {}",
                    super::io_reason(&e)
                )));
            }
        }
    };
    let mut read = eof.recv_timeout(EOF_GRACE);
    // The program is gone; whatever it left in its group is stopped now.
    kill_group(&child);
    if read.is_err() {
        read = eof.recv_timeout(AFTER_KILL);
    }
    if let Ok(Err(e)) = read {
        return Err(ResolveError(format!(
            "secret command {program}: {}",
            super::io_reason(&e)
        )));
    }
    let stdout = std::mem::take(&mut *buf.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(Output { status, stdout })
}

/// Read the child's output on a thread into a shared buffer (kept up to the limit, the rest
/// drained so the program never blocks on a full pipe); the channel says when it ended.
/// The thread is never joined: a process that escaped the group may hold the pipe forever.
fn read_in_background(child: &mut Child) -> (Arc<Mutex<Vec<u8>>>, mpsc::Receiver<std::io::Result<()>>) {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    let Some(mut stdout) = child.stdout.take() else {
        let _ = tx.send(Ok(()));
        return (buf, rx);
    };
    let shared = Arc::clone(&buf);
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        let result = loop {
            match stdout.read(&mut chunk) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    let mut b = shared.lock().unwrap_or_else(|p| p.into_inner());
                    let room = (MAX_SECRET_BYTES + 1).saturating_sub(b.len());
                    b.extend_from_slice(&chunk[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        let _ = tx.send(result);
    });
    (buf, rx)
}

/// Kill the program's whole group and reap the program.
fn stop(child: &mut Child) {
    kill_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

/// SIGKILL to every process in the group the program leads. Safe after the program was
/// reaped: a process id stays allocated while any process still uses it as its group id,
/// and a group that is already empty just gives ESRCH.
fn kill_group(child: &Child) {
    #[cfg(unix)]
    {
        const SIGKILL: i32 = 9;
        if let Ok(pgid) = i32::try_from(child.id())
            && pgid > 0
        {
            // SAFETY: kill(2) takes plain integers and touches no memory of ours.
            unsafe {
                libc_kill(-pgid, SIGKILL);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = child;
}

#[cfg(unix)]
unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn output_of_a_quick_program_is_complete() {
        let out = run(&sh("printf 'a%.0s' $(seq 1 20000)"), Duration::from_secs(5)).unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout.len(), 20000);
    }

    #[test]
    fn output_is_cut_past_the_limit_without_blocking_the_program() {
        let out = run(&sh("head -c 200000 /dev/zero"), Duration::from_secs(5)).unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout.len(), MAX_SECRET_BYTES + 1);
    }

    #[test]
    fn a_child_left_on_the_pipe_does_not_hold_the_answer() {
        let started = Instant::now();
        let out = run(&sh("sleep 20 & echo value"), Duration::from_secs(10)).unwrap();
        assert_eq!(out.stdout, b"value\n");
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    }

    #[test]
    fn the_deadline_holds_while_a_child_holds_the_pipe() {
        let started = Instant::now();
        let e = run(&sh("sleep 20 & sleep 20"), Duration::from_millis(300))
            .err()
            .unwrap();
        assert!(e.0.contains("did not finish within 300ms"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    }
}

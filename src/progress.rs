//! Progress on stderr while several profiles run: a spinner and a count, redrawn in place,
//! only when stderr is a terminal (never in pipes, files or CI logs). Hand-written: a
//! thread, two counters and a carriage return are all it takes.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

const FRAMES: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Counts {
    done: AtomicUsize,
    failed: AtomicUsize,
    stop: AtomicBool,
}

/// A running progress line; cleared when finished or dropped.
pub struct Progress {
    counts: Arc<Counts>,
    thread: Option<JoinHandle<()>>,
}

/// A handle to count finished profiles from any task.
#[derive(Clone)]
pub struct Tick(Option<Arc<Counts>>);

impl Tick {
    /// One more profile finished.
    pub fn done(&self, failed: bool) {
        if let Some(c) = &self.0 {
            c.done.fetch_add(1, Ordering::Relaxed);
            if failed {
                c.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl Progress {
    /// Start for `total` profiles; draws nothing unless stderr is a terminal and there is
    /// more than one profile. `off`: for `-q`, and for `-v`, whose traces share stderr.
    pub fn start(total: usize, off: bool) -> Progress {
        let counts = Arc::new(Counts::default());
        let on = total > 1 && !off && std::io::stderr().is_terminal();
        let thread = on.then(|| {
            let c = counts.clone();
            std::thread::spawn(move || draw(&c, total))
        });
        Progress { counts, thread }
    }

    /// A counter for the tasks.
    pub fn tick(&self) -> Tick {
        Tick(self.thread.is_some().then(|| self.counts.clone()))
    }

    /// Stop and clear the line.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.counts.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The line's text.
pub fn line(frame: usize, done: usize, total: usize, failed: usize) -> String {
    let f = FRAMES[frame % FRAMES.len()];
    let failed = if failed > 0 {
        format!(", {failed} failed")
    } else {
        String::new()
    };
    format!("{f} testing profiles: {done}/{total} done{failed}")
}

fn draw(c: &Counts, total: usize) {
    // Plain carriage returns and spaces, no escape codes: safe with NO_COLOR too.
    let mut err = std::io::stderr();
    let mut frame = 0;
    let mut width: usize = 0;
    while !c.stop.load(Ordering::Relaxed) {
        let l = line(
            frame,
            c.done.load(Ordering::Relaxed),
            total,
            c.failed.load(Ordering::Relaxed),
        );
        let n = l.chars().count();
        let _ = write!(err, "\r{l}{}", " ".repeat(width.saturating_sub(n)));
        let _ = err.flush();
        width = width.max(n);
        frame += 1;
        std::thread::sleep(TICK);
    }
    let _ = write!(err, "\r{}\r", " ".repeat(width));
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_counts() {
        assert_eq!(line(0, 3, 10, 0), "⠋ testing profiles: 3/10 done");
        assert_eq!(line(1, 3, 10, 2), "⠙ testing profiles: 3/10 done, 2 failed");
        let p = Progress::start(5, false);
        p.tick().done(true);
        p.finish();
    }
}

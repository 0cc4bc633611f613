//! Writing the files conn writes (report output, the profiles file, token-store entries)
//! so that a reader never sees half a file and the path keeps being what it was.
//!
//! [`write`] is for paths a person names: an existing device, FIFO or socket is written
//! through (`/dev/null` stays a device, `/dev/stdout` and `>(cmd)` get the bytes); a
//! symbolic link is followed and its target replaced, so the link stays a link; a regular
//! file is replaced atomically (a temporary file beside it, then a rename) with its mode and,
//! where allowed, its owner kept; a missing file is created with the caller's mode.
//! [`replace`] is for paths conn owns (token-store entries): it always renames over the path
//! itself and never follows a link.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Prefix of the temporary files (a killed writer's leftovers are recognised by it).
pub const TEMP_PREFIX: &str = ".tmp-";

/// Symbolic links followed before giving up (as the kernel's limit).
const MAX_LINKS: usize = 40;

/// Write `bytes` to the path a person named; `new_mode` is the mode of a file created.
pub fn write(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    let followed = std::fs::metadata(path);
    match followed {
        Ok(m) if m.is_dir() => Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )),
        // Devices, FIFOs and sockets (also `/dev/stdout`, `/dev/fd/N`): write through.
        Ok(m) if !m.is_file() => write_through(path, bytes),
        Ok(m) => match resolve(path) {
            // The link chain ends at this very file: replace it there.
            Some(target) if same_file(&target, &m) => replace_keeping(&target, bytes, &m),
            // A link the kernel resolves itself (`/proc/self/fd/1` to a file): write through.
            _ => write_through(path, bytes),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Missing, or a link to a missing file: create the link's target.
            let target = resolve(path).unwrap_or_else(|| path.to_path_buf());
            replace(&target, bytes, new_mode)
        }
        Err(e) => Err(e),
    }
}

/// Atomically replace `path` itself (never through a link) with a new file of `mode`.
pub fn replace(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let tmp = temp_beside(path)?;
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))?;
    finish(tmp, path, bytes)
}

fn replace_keeping(path: &Path, bytes: &[u8], old: &std::fs::Metadata) -> std::io::Result<()> {
    let tmp = temp_beside(path)?;
    let f = tmp.as_file();
    let mine = f.metadata()?;
    if (mine.uid(), mine.gid()) != (old.uid(), old.gid()) {
        // Only root may give a file away; others keep what they may (their own group).
        if let Err(e) = std::os::unix::fs::fchown(f, Some(old.uid()), Some(old.gid()))
            && is_root()
        {
            return Err(e);
        }
    }
    f.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))?;
    finish(tmp, path, bytes)
}

fn finish(mut tmp: tempfile::NamedTempFile, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(dir)
}

fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f: File = OpenOptions::new().write(true).truncate(true).open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// The end of `path`'s chain of symbolic links (the path itself when it is none), `None`
/// when the chain is too long or unreadable.
fn resolve(path: &Path) -> Option<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).ok()?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Some(p),
        }
    }
    None
}

fn same_file(p: &Path, m: &std::fs::Metadata) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|t| t.is_file() && t.dev() == m.dev() && t.ino() == m.ino())
}

/// Whether conn runs as root.
pub fn is_root() -> bool {
    euid() == 0
}

/// The effective user id.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_replaces_and_follows_links() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a");
        write(&f, b"one", 0o600).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().mode() & 0o777, 0o600);
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        write(&f, b"two", 0o600).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().mode() & 0o777, 0o640);
        let l = d.path().join("l");
        std::os::unix::fs::symlink("a", &l).unwrap();
        write(&l, b"three", 0o600).unwrap();
        assert!(std::fs::symlink_metadata(&l).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&f).unwrap(), b"three");
        // A dangling link: its target is created.
        let dangling = d.path().join("m");
        std::os::unix::fs::symlink("new", &dangling).unwrap();
        write(&dangling, b"four", 0o600).unwrap();
        assert_eq!(std::fs::read(d.path().join("new")).unwrap(), b"four");
        // `replace` never follows.
        replace(&l, b"five", 0o600).unwrap();
        assert!(std::fs::symlink_metadata(&l).unwrap().is_file());
        assert_eq!(std::fs::read(&f).unwrap(), b"three");
        assert!(write(d.path(), b"x", 0o600).is_err());
    }
}

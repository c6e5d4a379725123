//! Whether anyone else has a file open, asked of the kernel by a write
//! lease taken and let go at once; when the lease is refused throughout,
//! whether another process has it open *for writing* (`/proc`).
//!
//! Why: replacing a file by `rename` loses every write made through a
//! descriptor opened before the rename — a colleague's smbd that opened the
//! damaged file writes into the unlinked inode, and the edit is gone without
//! an error. A write lease (`F_SETLEASE`, `F_WRLCK`) is granted only while no
//! other descriptor of the file is open anywhere, so the restore rewrites a
//! file *in place* (same inode) right after such a check, and leaves it
//! when someone else has it open for writing: a writer that opens it later
//! writes onto the restored content. The check is made on a read-only
//! descriptor: a write-open closed unwritten is a "close after writing" to
//! every watcher.
//!
//! Why the lease is not held while writing: every open waits on it, and a
//! fanotify listener opens a descriptor for each event it reads — the
//! guard's pre-content event for our own write would wait on our lease
//! while we wait for its answer (every user of the share stalled until the
//! kernel's lease-break time, 45 s). So the window left is the rewrite's
//! own few milliseconds, against the rename's whole open-to-close.
//!
//! The lease-break signal is switched off (`F_SETOWN` 0) as soon as the
//! lease is granted: SIGIO's default action would end the process.

use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Duration;

/// Waits between attempts while the file is open elsewhere (the guard's own
/// event descriptors of the attacker's last writes close within a few tens
/// of milliseconds); about 0.6 s in all.
const RETRIES: [u64; 7] = [5, 10, 20, 40, 80, 160, 320];

/// Why the file was not opened as nobody else's.
#[derive(Debug)]
pub(crate) enum NoLease {
    /// The file does not exist (or is not a regular file we may open).
    Missing,
    /// Someone else keeps it open (or holds a lease of their own).
    InUse,
    /// Leases are not available here (the filesystem, `fs.leases-enable`,
    /// or no `CAP_LEASE` for another owner's file).
    Unsupported(io::Error),
    Io(io::Error),
}

/// Opens `path` (not following a symlink) for writing once nobody else has
/// it open, retrying for a while.
pub(crate) fn open_unshared(path: &Path, ignored: &HashSet<u32>) -> Result<File, NoLease> {
    let mut waits = RETRIES.iter();
    loop {
        match try_once(path) {
            Err(NoLease::InUse) => match waits.next() {
                Some(&ms) => std::thread::sleep(Duration::from_millis(ms)),
                None => return last_look(path, ignored),
            },
            other => return other,
        }
    }
}

fn try_once(path: &Path) -> Result<File, NoLease> {
    let look = open_to_look(path)?;
    let fd = look.as_raw_fd();
    // SAFETY: a valid fd.
    if unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_WRLCK) } != 0 {
        let e = io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EBUSY) => NoLease::InUse,
            _ => NoLease::Unsupported(e),
        });
    }
    // SAFETY: a valid fd. Owner 0: no signal for a break; then let go.
    unsafe {
        libc::fcntl(fd, libc::F_SETOWN, 0);
        libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK);
    }
    open_same_for_writing(path, &look)
}

/// After the retries: descriptors of our own process refuse the lease too
/// (the guard keeps read-only ones of files being written until it judged
/// their close), and those never write. The file is ours to rewrite if no
/// other process has it open for writing — but those `ignored` (blocked:
/// the guard refuses their writes).
fn last_look(path: &Path, ignored: &HashSet<u32>) -> Result<File, NoLease> {
    let look = open_to_look(path)?;
    let meta = look.metadata().map_err(NoLease::Io)?;
    if open_elsewhere(meta.dev(), meta.ino(), ignored) {
        return Err(NoLease::InUse);
    }
    open_same_for_writing(path, &look)
}

/// A read-only descriptor to ask about the file with. Read-only, because
/// closing a descriptor opened for writing is a "close after writing" to
/// every watcher: a guard would judge the file's content — still the
/// attacker's — as this process's write (seen: `mamori restore` blocked as
/// ransomware on its first file, every retry another such close).
fn open_to_look(path: &Path) -> Result<File, NoLease> {
    // O_NONBLOCK: an open that would wait on someone else's lease (smbd
    // with kernel oplocks) fails at once instead.
    let file = open_unwaiting(path, std::fs::OpenOptions::new().read(true))?;
    if !file.metadata().map_err(NoLease::Io)?.is_file() {
        return Err(NoLease::Missing);
    }
    Ok(file)
}

/// The file `look` was opened on, now for writing; `InUse` if the name
/// meanwhile holds another file.
fn open_same_for_writing(path: &Path, look: &File) -> Result<File, NoLease> {
    let file = open_unwaiting(path, std::fs::OpenOptions::new().write(true))?;
    let (a, b) = (
        look.metadata().map_err(NoLease::Io)?,
        file.metadata().map_err(NoLease::Io)?,
    );
    if (a.dev(), a.ino()) != (b.dev(), b.ino()) {
        return Err(NoLease::InUse);
    }
    Ok(file)
}

/// Opens `path` with `options`, never following a link and never waiting
/// on someone else's lease: a name gone (or not a file's) is `Missing`, a
/// lease held or a running executable `InUse`.
fn open_unwaiting(path: &Path, options: &mut std::fs::OpenOptions) -> Result<File, NoLease> {
    options
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::ELOOP) | Some(libc::EISDIR) => NoLease::Missing,
            Some(libc::EWOULDBLOCK) | Some(libc::ETXTBSY) => NoLease::InUse,
            _ => NoLease::Io(e),
        })
}

/// Whether a process other than this one has the inode open for writing:
/// a walk of every `/proc/PID/fd` (only after a lease was refused
/// throughout). Readers cannot lose a write to the rewrite (a guard's
/// event descriptors, a backup, a virus scan); a process whose descriptors
/// cannot be read counts as a writer.
fn open_elsewhere(dev: u64, ino: u64, ignored: &HashSet<u32>) -> bool {
    let me = std::process::id();
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return true;
    };
    for process in processes.flatten() {
        let Some(pid) = process
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me || ignored.contains(&pid) {
            continue;
        }
        let fds = match std::fs::read_dir(process.path().join("fd")) {
            Ok(fds) => fds,
            // Gone meanwhile (or a kernel thread's empty table).
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(_) => return true,
        };
        for fd in fds.flatten() {
            if !std::fs::metadata(fd.path()).is_ok_and(|m| m.dev() == dev && m.ino() == ino) {
                continue;
            }
            let info = process.path().join("fdinfo").join(fd.file_name());
            if std::fs::read_to_string(info).map_or(true, |info| opened_for_writing(&info)) {
                return true;
            }
        }
    }
    false
}

/// From `/proc/PID/fdinfo/N`: whether the descriptor may write (its
/// `flags:` line, octal; unreadable counts as yes).
fn opened_for_writing(fdinfo: &str) -> bool {
    fdinfo
        .lines()
        .find_map(|line| line.strip_prefix("flags:"))
        .and_then(|flags| i32::from_str_radix(flags.trim(), 8).ok())
        .is_none_or(|flags| flags & libc::O_ACCMODE != libc::O_RDONLY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> HashSet<u32> {
        HashSet::new()
    }

    /// A temporary folder on a filesystem with leases, if this one has.
    fn leasable_dir() -> Option<tempfile::TempDir> {
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"x").unwrap();
        let ok = !matches!(open_unshared(&probe, &none()), Err(NoLease::Unsupported(_)));
        std::fs::remove_file(&probe).unwrap();
        if !ok {
            eprintln!("no leases on this filesystem: skipped");
        }
        ok.then_some(dir)
    }

    #[test]
    fn a_file_another_process_has_open_for_writing_is_in_use_and_a_missing_one_missing() {
        let Some(dir) = leasable_dir() else {
            return;
        };
        let path = dir.path().join("a");
        std::fs::write(&path, b"content").unwrap();
        // Our own descriptor refuses the lease, but never writes: the file
        // is ours to rewrite once the retries are over.
        let ours = File::open(&path).unwrap();
        assert!(matches!(try_once(&path), Err(NoLease::InUse)));
        assert!(open_unshared(&path, &none()).is_ok());
        drop(ours);
        // Another process reading it cannot lose a write: rewritten.
        let mut reader = std::process::Command::new("sh")
            .arg("-c")
            .arg("exec 3<\"$0\"; echo open; read line")
            .arg(&path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut said = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(reader.stdout.as_mut().unwrap()),
            &mut said,
        )
        .unwrap();
        assert!(open_unshared(&path, &none()).is_ok());
        drop(reader.stdin.take());
        reader.wait().unwrap();
        // Another process's descriptor for writing: in use throughout.
        let mut other = std::process::Command::new("sh")
            .arg("-c")
            .arg("exec 3>>\"$0\"; read line")
            .arg(&path)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let started = std::time::Instant::now();
        while !open_elsewhere(meta.dev(), meta.ino(), &none()) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "sh never opened it"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(matches!(open_unshared(&path, &none()), Err(NoLease::InUse)));
        // ... unless it is a blocked attacker's, whose writes the guard refuses.
        let blocked = HashSet::from([other.id()]);
        assert!(open_unshared(&path, &blocked).is_ok());
        drop(other.stdin.take());
        other.wait().unwrap();
        assert!(!open_elsewhere(meta.dev(), meta.ino(), &none()));
        let file = try_once(&path).unwrap();
        assert!(file.metadata().unwrap().is_file());
        drop(file);
        assert!(matches!(
            open_unshared(&dir.path().join("nothing"), &none()),
            Err(NoLease::Missing)
        ));
        std::os::unix::fs::symlink(&path, dir.path().join("link")).unwrap();
        assert!(matches!(
            open_unshared(&dir.path().join("link"), &none()),
            Err(NoLease::Missing)
        ));
    }

    #[test]
    fn fdinfo_flags_tell_a_writer() {
        assert!(!opened_for_writing(
            "pos:\t0\nflags:\t0100000\nmnt_id:\t31\n"
        ));
        assert!(opened_for_writing(
            "pos:\t0\nflags:\t02100002\nmnt_id:\t31\n"
        ));
        assert!(opened_for_writing("pos:\t0\nflags:\t0100001\n"));
        assert!(opened_for_writing("garbage"));
    }

    #[test]
    fn an_opener_does_not_wait_after_the_check() {
        let Some(dir) = leasable_dir() else {
            return;
        };
        let path = dir.path().join("a");
        std::fs::write(&path, b"old").unwrap();
        let _ours = open_unshared(&path, &none()).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

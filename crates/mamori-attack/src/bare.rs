//! The bare responder: the least any fanotify permission guard can cost.
//!
//! A process that holds one fanotify group of the guard's class
//! (`FAN_CLASS_PRE_CONTENT`, `FAN_CLASS_CONTENT` on kernels without it),
//! marks the mount of one directory for `FAN_OPEN_PERM` and answers
//! `FAN_ALLOW` to every event at once: read a batch, write the answers,
//! close the events' descriptors, nothing else. The throughput series
//! ([`crate::overhead`]) run it as a third configuration beside "no
//! guard" and "guard", so the part of the guard's overhead that is only
//! the platform's permission round trip (the opener blocks, this process
//! wakes, answers, the opener wakes) shows apart from the guard's own work.
//!
//! [`BareMarks::GuardSet`] marks what the guard's permission group marks
//! (`FAN_OPEN_PERM | FAN_PRE_ACCESS | FAN_CLOSE_WRITE`) but sets no ignore
//! marks, so every read and write of content is a round trip too: what the
//! guard's read and creation marks save.
//!
//! [`BareMarks::Creation`] marks open and pre-content events and, like
//! the guard, sets a creation mark on every file an open finds empty (an
//! ignore mark for pre-content events that survives writes) before
//! allowing it: a new file costs one round trip, as under the guard. It
//! keeps no other state: the floor of the guard's own permission path for
//! files written (its reads are not spared: no read marks).
//!
//! With `--per-cpu` one reader is pinned to each CPU, all blocked on the
//! group: the one beside the waiting opener answers first (docs/design/
//! guard.md, "A reader per CPU").
//!
//! Run as `mamori-attack bare-responder --dir DIR [--guard-marks | --creation-marks] [--per-cpu]`
//! (a hidden subcommand): prints `ready` on stderr once the mark is in place;
//! on SIGTERM answers everything pending (fail-open), prints
//! `answered N events` and exits 0. [`BareProcess`] starts and stops one.

use crate::{AttackError, Result};
use std::ffi::CString;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Before a read or write of a file's content (kernel 6.14+; the build
/// host's libc may lack it). Same value as `mamori_watch::FAN_PRE_ACCESS`.
const FAN_PRE_ACCESS: u64 = 0x0010_0000;
const METADATA_LEN: usize = std::mem::size_of::<libc::fanotify_event_metadata>();
/// `FAN_MARK_IGNORE` and `FAN_MARK_EVICTABLE` (Linux 6.0 / 5.19), as in
/// `mamori_watch`.
const FAN_MARK_IGNORE: u32 = 0x0000_0400;
const FAN_MARK_EVICTABLE: u32 = 0x0000_0200;

/// The guard's creation mark on the file behind an open event's descriptor
/// when the file is empty.
fn creation_mark(group: RawFd, fd: RawFd) {
    // SAFETY: zeroed stat is a valid out-buffer; fd is the event's.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 || st.st_size != 0 {
        return;
    }
    // SAFETY: plain syscall on our group and the event's descriptor.
    unsafe {
        libc::fanotify_mark(
            group,
            libc::FAN_MARK_ADD
                | FAN_MARK_IGNORE
                | libc::FAN_MARK_IGNORED_SURV_MODIFY
                | FAN_MARK_EVICTABLE,
            FAN_PRE_ACCESS,
            fd,
            std::ptr::null(),
        );
    }
}

/// What the bare responder marks on the directory's mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BareMarks {
    /// `FAN_OPEN_PERM` alone: one round trip per open, the floor of any
    /// guard that can refuse an actor's next open.
    Open,
    /// The guard's permission group's mask, without its ignore marks.
    GuardSet,
    /// Open and pre-content events, and a creation mark on every file an
    /// open finds empty.
    Creation,
}

impl BareMarks {
    fn mask(self) -> u64 {
        match self {
            BareMarks::Open => libc::FAN_OPEN_PERM,
            BareMarks::GuardSet => libc::FAN_OPEN_PERM | FAN_PRE_ACCESS | libc::FAN_CLOSE_WRITE,
            BareMarks::Creation => libc::FAN_OPEN_PERM | FAN_PRE_ACCESS,
        }
    }
}

/// Set by SIGTERM / SIGINT.
static STOP: AtomicBool = AtomicBool::new(false);
/// The group's descriptor, for the signal handler (-1 before it exists).
static GROUP_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_stop(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
    let fd = GROUP_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        // Why: a signal that lands between the loop's STOP check and its
        // blocking read would otherwise leave the read waiting for an
        // event that may never come; non-blocking, it returns at once.
        // SAFETY: fcntl is async-signal-safe; fd stays open until the
        // handler is no longer needed (the group outlives the loop).
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
    }
}

/// Creates the group and its mount mark on `dir`: the guard's class and
/// event-descriptor flags, so the kernel does per event what it does for
/// the guard.
fn group(dir: &Path, marks: BareMarks) -> std::io::Result<OwnedFd> {
    let event_flags = (libc::O_RDONLY | libc::O_LARGEFILE | libc::O_CLOEXEC) as u32;
    let flags = libc::FAN_CLOEXEC | libc::FAN_UNLIMITED_QUEUE;
    let mut last = None;
    for class in [libc::FAN_CLASS_PRE_CONTENT, libc::FAN_CLASS_CONTENT] {
        // SAFETY: plain syscall; the descriptor is owned from here on.
        let fd = unsafe { libc::fanotify_init(flags | class, event_flags) };
        if fd < 0 {
            last = Some(std::io::Error::last_os_error());
            continue;
        }
        // SAFETY: fd is a fresh descriptor we own.
        return mark(unsafe { OwnedFd::from_raw_fd(fd) }, dir, marks);
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("fanotify_init failed")))
}

fn mark(group: OwnedFd, dir: &Path, marks: BareMarks) -> std::io::Result<OwnedFd> {
    let path = CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: path is NUL-terminated; group is a fanotify descriptor.
    let rc = unsafe {
        libc::fanotify_mark(
            group.as_raw_fd(),
            libc::FAN_MARK_ADD | libc::FAN_MARK_MOUNT,
            marks.mask(),
            libc::AT_FDCWD,
            path.as_ptr(),
        )
    };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(group)
}

/// The metadata of every event in one read's bytes, up to the first
/// malformed length.
fn metadata_of(events: &[u8]) -> impl Iterator<Item = libc::fanotify_event_metadata> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at + METADATA_LEN > events.len() {
            return None;
        }
        // SAFETY: at least METADATA_LEN bytes remain; unaligned read.
        let meta: libc::fanotify_event_metadata = unsafe {
            std::ptr::read_unaligned(events[at..].as_ptr() as *const libc::fanotify_event_metadata)
        };
        let len = meta.event_len as usize;
        if len < METADATA_LEN || at + len > events.len() {
            return None;
        }
        at += len;
        Some(meta)
    })
}

/// Answers every permission event of one batch `events` (allow), then
/// closes every event's descriptor; returns the permission events answered.
fn answer_batch(group: RawFd, events: &[u8], marks: BareMarks) -> u64 {
    let mut answered = 0;
    // Answers first, descriptors after: the opener waits only for the answer.
    for meta in metadata_of(events) {
        if marks == BareMarks::Creation && meta.fd >= 0 && meta.mask & libc::FAN_OPEN_PERM != 0 {
            creation_mark(group, meta.fd);
        }
        if meta.fd >= 0 && meta.mask & (libc::FAN_OPEN_PERM | FAN_PRE_ACCESS) != 0 {
            let response = libc::fanotify_response {
                fd: meta.fd,
                response: libc::FAN_ALLOW,
            };
            // SAFETY: writes one response struct to the fanotify descriptor.
            unsafe {
                libc::write(
                    group,
                    &response as *const _ as *const libc::c_void,
                    std::mem::size_of::<libc::fanotify_response>(),
                );
            }
            answered += 1;
        }
    }
    for meta in metadata_of(events) {
        if meta.fd >= 0 {
            // SAFETY: the kernel handed us this descriptor with the event.
            unsafe { libc::close(meta.fd) };
        }
    }
    answered
}

/// The responder's body: marks `dir`'s mount, prints `ready` on stderr,
/// answers until SIGTERM or SIGINT, answers what is pending, and returns
/// the number of permission events answered. Meant for a process of its
/// own (it installs signal handlers). `per_cpu`: one reader thread pinned
/// to each CPU instead of one reader, all blocked on the same group.
pub fn serve(dir: &Path, marks: BareMarks, per_cpu: bool) -> std::io::Result<u64> {
    let group = group(dir, marks)?;
    GROUP_FD.store(group.as_raw_fd(), Ordering::SeqCst);
    // SAFETY: the handler only stores atomics and calls fcntl. No
    // SA_RESTART: a blocking read returns EINTR on the signal.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_stop as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGTERM, &action, std::ptr::null_mut());
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
    eprintln!("ready");
    if per_cpu {
        return serve_per_cpu(group, marks);
    }
    let answered = AtomicU64::new(0);
    read_loop(group.as_raw_fd(), marks, &answered)?;
    GROUP_FD.store(-1, Ordering::SeqCst);
    // Closing the group also allows whatever raced in after the last read.
    drop(group);
    Ok(answered.into_inner())
}

/// One reader per CPU, each pinned to its CPU: whichever vCPU the opener
/// sleeps on has a reader woken beside it (a local switch instead of an
/// inter-processor wake-up of a halted vCPU, both ways).
fn serve_per_cpu(group: OwnedFd, marks: BareMarks) -> std::io::Result<u64> {
    let cpus = mamori_watch::cpus::allowed();
    let fd = group.as_raw_fd();
    // Counted per batch: readers still asleep in `read` at the stop never return.
    let answered = std::sync::Arc::new(AtomicU64::new(0));
    for cpu in cpus {
        let answered = answered.clone();
        std::thread::spawn(move || {
            mamori_watch::cpus::pin_this_thread(cpu);
            let _ = read_loop(fd, marks, &answered);
        });
    }
    while !STOP.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Readers still asleep in `read` end with the process; what is queued
    // is answered here, the rest when the group closes.
    let _ = read_loop(fd, marks, &answered);
    std::thread::sleep(Duration::from_millis(50));
    GROUP_FD.store(-1, Ordering::SeqCst);
    Ok(answered.load(Ordering::SeqCst))
}

/// Reads and answers batches until stopped, adding each batch's answers
/// to `answered`.
fn read_loop(fd: RawFd, marks: BareMarks, answered: &AtomicU64) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let stopping = STOP.load(Ordering::SeqCst);
        // SAFETY: buf is a valid writable buffer of its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n > 0 {
            answered.fetch_add(
                answer_batch(fd, &buf[..n as usize], marks),
                Ordering::SeqCst,
            );
            continue;
        }
        if n == 0 {
            continue;
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            // Stopping and the queue is empty (the handler made the read
            // non-blocking): everything pending is answered.
            Some(libc::EAGAIN) if stopping => break,
            Some(libc::EAGAIN) | Some(libc::EINTR) => continue,
            _ => return Err(err),
        }
    }
    Ok(())
}

/// A running `mamori-attack bare-responder`, stopped with SIGTERM on drop.
pub struct BareProcess {
    child: Child,
    /// Its stderr lines after `ready`.
    said: mpsc::Receiver<String>,
}

/// How a [`BareProcess`] ended.
#[derive(Debug)]
pub struct BareStopped {
    /// None when it could not be waited for.
    pub status: Option<std::process::ExitStatus>,
    /// Permission events it answered (its `answered N events` line).
    pub answered: Option<u64>,
}

impl BareProcess {
    /// Starts `exe bare-responder --dir DIR` (`exe`: a `mamori-attack`
    /// binary) and waits (≤ 10 s) for its `ready`.
    pub fn start(exe: &Path, dir: &Path, marks: BareMarks) -> Result<BareProcess> {
        Self::start_with(exe, dir, marks, false)
    }

    /// Same; `per_cpu`: one pinned reader per CPU (`--per-cpu`).
    pub fn start_with(
        exe: &Path,
        dir: &Path,
        marks: BareMarks,
        per_cpu: bool,
    ) -> Result<BareProcess> {
        let mut command = Command::new(exe);
        command.arg("bare-responder").arg("--dir").arg(dir);
        if per_cpu {
            command.arg("--per-cpu");
        }
        if marks == BareMarks::GuardSet {
            command.arg("--guard-marks");
        }
        if marks == BareMarks::Creation {
            command.arg("--creation-marks");
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AttackError::Setup(format!("{}: {e}", exe.display())))?;
        let Some(stderr) = child.stderr.take() else {
            return Err(AttackError::Setup(
                "bare responder stderr not captured".into(),
            ));
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                let _ = tx.send(line);
            }
        });
        let mut process = BareProcess { child, said: rx };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut said = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match process.said.recv_timeout(left) {
                Ok(line) if line == "ready" => return Ok(process),
                Ok(line) => said.push(line),
                Err(_) => break,
            }
        }
        let status = process.child.try_wait().ok().flatten();
        Err(AttackError::Setup(format!(
            "bare responder not ready within 10 s (exit: {status:?}): {}",
            said.join("; ")
        )))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops it with SIGTERM (SIGKILL after 5 s): its exit status and
    /// how many events it answered.
    pub fn stop(mut self) -> BareStopped {
        let status = self.terminate();
        // The reader thread has the last line once the pipe closed (exit).
        let answered = std::iter::from_fn(|| self.said.recv_timeout(Duration::from_secs(1)).ok())
            .find_map(|line| {
                line.strip_prefix("answered ")?
                    .strip_suffix(" events")?
                    .parse()
                    .ok()
            });
        BareStopped { status, answered }
    }

    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        self.child.wait().ok()
    }
}

impl Drop for BareProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

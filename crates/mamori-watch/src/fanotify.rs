//! fanotify through raw `libc`: the permission group and the notification group.

use crate::threads::Threads;
use crate::{Shares, WatchError};
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod alarm_group;
mod folders;
mod notify_group;
pub use alarm_group::AlarmGroup;
pub use folders::IgnoredFolders;
pub use notify_group::NotifyGroup;

/// Before a read or write of a file's content, with the byte range (kernel 6.14+).
pub const FAN_PRE_ACCESS: u64 = 0x0010_0000;
const FAN_EVENT_INFO_TYPE_RANGE: u8 = 6;
/// Mark flags of kernel 6.0+ (the build host's headers may be older).
const FAN_MARK_EVICTABLE: u32 = 0x0000_0200;
const FAN_MARK_IGNORE: u32 = 0x0000_0400;
const FAN_MARK_IGNORED_SURV_MODIFY: u32 = 0x0000_0040;
/// Threads whose process the permission group remembers (each holds a pidfd).
const THREADS: usize = 4096;
const METADATA_LEN: usize = std::mem::size_of::<libc::fanotify_event_metadata>();

fn last_error() -> std::io::Error {
    std::io::Error::last_os_error()
}

fn c_path(path: &Path) -> Result<CString, WatchError> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| WatchError::Mark {
        path: path.to_path_buf(),
        source: std::io::Error::from(std::io::ErrorKind::InvalidInput),
    })
}

fn init(flags: u32, event_f_flags: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: plain syscall; the returned descriptor is owned from here on.
    let fd = unsafe { libc::fanotify_init(flags, event_f_flags as u32) };
    if fd < 0 {
        return Err(last_error());
    }
    // SAFETY: fd is a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn mark(group: &OwnedFd, flags: u32, mask: u64, path: &Path) -> Result<(), WatchError> {
    let c = c_path(path)?;
    // SAFETY: c is a valid NUL-terminated path; group is a fanotify descriptor.
    let rc =
        unsafe { libc::fanotify_mark(group.as_raw_fd(), flags, mask, libc::AT_FDCWD, c.as_ptr()) };
    if rc < 0 {
        return Err(WatchError::Mark {
            path: path.to_path_buf(),
            source: last_error(),
        });
    }
    Ok(())
}

/// The kind of a permission event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermKind {
    Open,
    /// A file opened for writing through the marked mount was closed (a
    /// notification, queued in order with the permission events; nothing
    /// to answer).
    ClosedWrite,
    /// Before a read or write of `count` bytes at `offset` (0/0 if unknown,
    /// e.g. truncation).
    PreAccess {
        offset: u64,
        count: u64,
    },
}

/// A permission event the kernel holds until it is answered. Dropping it
/// answers `FAN_ALLOW`: nothing can leave a process waiting forever.
pub struct Pending {
    group: Arc<OwnedFd>,
    file: Option<OwnedFd>,
    /// The process (thread-group id) that raised the event; 0 when it is
    /// outside our pid namespace. When the group reports threads and the
    /// thread's process cannot be told (it exited: only after a close),
    /// the thread id, with `process_known` false.
    pub pid: u32,
    /// The thread that raised the event, when the group reports threads
    /// (`FAN_REPORT_TID`): the one waiting in an open or a read/write.
    pub tid: Option<u32>,
    /// False only when `pid` is a thread id whose process is unknown.
    pub process_known: bool,
    pub kind: PermKind,
    answered: bool,
}

impl Pending {
    /// The event's descriptor for the file (opened without generating events).
    pub fn fd(&self) -> RawFd {
        self.file.as_ref().map_or(-1, |f| f.as_raw_fd())
    }

    /// The file's path as the kernel names it now (`/proc/self/fd/N`).
    pub fn path(&self) -> Option<PathBuf> {
        std::fs::read_link(format!("/proc/self/fd/{}", self.fd())).ok()
    }

    /// Size of the file now, one `fstat`.
    pub fn size(&self) -> Option<u64> {
        // SAFETY: zeroed stat is a valid out-buffer; fd is ours.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::fstat(self.fd(), &mut st) };
        (rc == 0).then_some(st.st_size as u64)
    }

    /// (device, inode, size) of the file, one `fstat`.
    pub fn stat(&self) -> Option<(u64, u64, u64)> {
        // SAFETY: zeroed stat is a valid out-buffer; fd is ours.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::fstat(self.fd(), &mut st) };
        (rc == 0).then_some((st.st_dev, st.st_ino, st.st_size as u64))
    }

    /// (device, inode) of the file, one `fstat`.
    pub fn dev_ino(&self) -> Option<(u64, u64)> {
        // SAFETY: zeroed stat is a valid out-buffer; fd is ours.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::fstat(self.fd(), &mut st) };
        (rc == 0).then_some((st.st_dev, st.st_ino))
    }

    /// (device, inode) of the file; `None` when `fstat` fails.
    pub fn file_id(&self) -> Option<(u64, u64)> {
        self.dev_ino()
    }

    /// Answers "allow" and keeps the event's descriptor (read-only, and its
    /// reads raise no fanotify events, even the guard's own groups').
    pub fn allow_keeping_file(mut self) -> Option<OwnedFd> {
        self.answer(true);
        self.file.take()
    }

    pub fn allow(mut self) {
        self.answer(true);
    }

    pub fn deny(mut self) {
        self.answer(false);
    }

    fn answer(&mut self, allow: bool) {
        if self.answered || self.kind == PermKind::ClosedWrite {
            return;
        }
        self.answered = true;
        let response = libc::fanotify_response {
            fd: self.fd(),
            response: if allow {
                libc::FAN_ALLOW
            } else {
                libc::FAN_DENY
            },
        };
        // SAFETY: writes one response struct to the fanotify descriptor.
        let rc = unsafe {
            libc::write(
                self.group.as_raw_fd(),
                &response as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::fanotify_response>(),
            )
        };
        if rc < 0 {
            tracing::warn!("fanotify response failed: {}", last_error());
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.answer(true);
    }
}

/// Newer fanotify features the groups use where the kernel has them; each
/// switched off, a group does what it does on a kernel without it (so the
/// older kernels' paths are tested on this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelFeatures {
    /// `FAN_PRE_ACCESS` (Linux 6.14+); else `FAN_OPEN_PERM` only.
    pub pre_content: bool,
    /// `FAN_REPORT_TID` with thread pidfds (Linux 6.9+); else events name
    /// processes only.
    pub thread_ids: bool,
    /// `FAN_RENAME` with both names in one event (Linux 5.17+); else a
    /// rename is `FAN_MOVED_FROM` then `FAN_MOVED_TO` of the same process.
    pub rename_events: bool,
}

impl Default for KernelFeatures {
    fn default() -> Self {
        KernelFeatures {
            pre_content: true,
            thread_ids: true,
            rename_events: true,
        }
    }
}

/// Opens a notification group with `open(report flags, rename mask)`:
/// renames as one `FAN_RENAME` (`FAN_REPORT_DFID_NAME_TARGET`) when
/// `features.rename_events` and the kernel has it, else as `moves`
/// (`FAN_REPORT_DFID_NAME`). Also says whether it got `FAN_RENAME`.
pub(crate) fn open_with_renames<T>(
    features: KernelFeatures,
    moves: u64,
    open: impl Fn(u32, u64) -> Result<T, WatchError>,
) -> Result<(T, bool), WatchError> {
    if features.rename_events {
        match open(libc::FAN_REPORT_DFID_NAME_TARGET, libc::FAN_RENAME) {
            Ok(group) => return Ok((group, true)),
            Err(e) => tracing::warn!("FAN_RENAME unavailable, renames from their moves: {e}"),
        }
    }
    Ok((open(libc::FAN_REPORT_DFID_NAME, moves)?, false))
}

/// The permission / pre-content group, and beside it the group of its
/// closes after writing.
///
/// Why two: a close waits for nobody, yet in the permission group each one
/// woke the reader (on the development VM every wake-up of a normal-priority
/// thread slows smbd). The closes group is non-blocking and never polled:
/// its owner drains it ([`PermGroup::read_closes`]) when it is awake anyway
/// or when it must know (a close always comes before the same thread's
/// next open, whose permission event the owner reads after it).
pub struct PermGroup {
    fd: Arc<OwnedFd>,
    closes: Arc<OwnedFd>,
    /// Whether `FAN_PRE_ACCESS` is delivered (else only `FAN_OPEN_PERM`).
    pub pre_content: bool,
    /// Set when the group reports threads (`FAN_REPORT_TID`): maps each
    /// event's thread to its process ([`crate::threads`]).
    threads: Option<Mutex<Threads>>,
    /// The guard's own folders (its vault store), marked in both groups
    /// once [`PermGroup::ignored_folders`] was called.
    folders: Arc<IgnoredFolders>,
    folders_joined: std::sync::Once,
}

impl PermGroup {
    /// Waits up to `timeout_ms` for events.
    pub fn wait(&self, timeout_ms: i32) -> bool {
        crate::wait_readable(self.fd.as_raw_fd(), timeout_ms)
    }

    /// Waits up to `timeout_ms` for events of this group or for `other`
    /// to be readable: (events here, `other` readable).
    pub fn wait_with(&self, other: RawFd, timeout_ms: i32) -> (bool, bool) {
        crate::wait_readable_either(self.fd.as_raw_fd(), other, timeout_ms)
    }

    /// The group's descriptor number (its release order: see
    /// [`PermGroup::place_above`]).
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Moves the group's descriptor above `other` (the notification
    /// group's), so that a process holding the last references to both
    /// releases this group first. Why: such a process (a child between fork
    /// and exec when the guard dies, or the guard's own exit) releases its
    /// descriptors in one batch, highest first. A thread waiting for this
    /// group's answer can pin the other group's marks; released first, the
    /// other group waits for that thread forever, while this group's
    /// release, which would answer it, waits behind (seen as a hung
    /// `smbcontrol` exec and a hung opener). Released first, this group
    /// answers every waiter.
    pub fn place_above(&mut self, other: RawFd) -> std::io::Result<()> {
        // The closes group is released before this one too.
        let other = other.max(self.closes.as_raw_fd());
        if self.fd.as_raw_fd() > other {
            return Ok(());
        }
        let Some(fd) = Arc::get_mut(&mut self.fd) else {
            return Err(std::io::Error::other("permission group already shared"));
        };
        // SAFETY: plain fcntl on a descriptor we own; the copy is owned
        // from here on, and dropping the old one only drops a reference.
        let raised = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, other + 1) };
        if raised < 0 {
            return Err(last_error());
        }
        // SAFETY: raised is a fresh descriptor we own.
        *fd = unsafe { OwnedFd::from_raw_fd(raised) };
        Ok(())
    }

    /// Marks the mount of every share root for open and pre-content
    /// permission events; falls back to open permission events alone.
    pub fn new(shares: &Shares) -> Result<PermGroup, WatchError> {
        Self::with_features(shares, KernelFeatures::default())
    }

    /// Same, using only the kernel features `wanted` allows (off: what a
    /// kernel without them gets, on any kernel; see the guard's `[watch]`
    /// `pre_content` and `thread_ids`).
    pub fn with_features(shares: &Shares, wanted: KernelFeatures) -> Result<PermGroup, WatchError> {
        let pre_content = wanted.pre_content;
        // O_NOATIME: the guard's probes and vault copies read through these
        // descriptors; they must not touch a file's access time (evidence
        // for the incident's timeline, and an inode write per probe of a
        // file just written, whose atime is older than its mtime).
        let event_flags = libc::O_RDONLY | libc::O_LARGEFILE | libc::O_CLOEXEC | libc::O_NOATIME;
        // Threads are reported only where their exits can be watched (thread
        // pidfds), so that a thread id is never mapped to a stale process.
        let threads = wanted
            .thread_ids
            .then(|| Threads::new(THREADS).map(Mutex::new))
            .flatten();
        let tid_flag = if threads.is_some() {
            libc::FAN_REPORT_TID
        } else {
            0
        };
        let flags = libc::FAN_CLOEXEC | libc::FAN_UNLIMITED_QUEUE | tid_flag;
        let closes = init(
            flags | libc::FAN_CLASS_NOTIF | libc::FAN_NONBLOCK,
            event_flags,
        )
        .map_err(WatchError::Unavailable)?;
        for s in &shares.list {
            let mount = libc::FAN_MARK_ADD | libc::FAN_MARK_MOUNT;
            mark(&closes, mount, libc::FAN_CLOSE_WRITE, &s.root)?;
        }
        let closes = Arc::new(closes);
        let pre_content_group = pre_content
            .then(|| init(flags | libc::FAN_CLASS_PRE_CONTENT, event_flags).ok())
            .flatten();
        if let Some(fd) = pre_content_group {
            let all = shares.list.iter().try_for_each(|s| {
                mark(
                    &fd,
                    libc::FAN_MARK_ADD | libc::FAN_MARK_MOUNT,
                    libc::FAN_OPEN_PERM | FAN_PRE_ACCESS,
                    &s.root,
                )
            });
            match all {
                Ok(()) => {
                    return Ok(PermGroup {
                        fd: Arc::new(fd),
                        closes,
                        pre_content: true,
                        threads,
                        folders: IgnoredFolders::new(),
                        folders_joined: std::sync::Once::new(),
                    });
                }
                Err(e) => {
                    tracing::warn!("pre-content events unavailable, open permission only: {e}")
                }
            }
        }
        let fd =
            init(flags | libc::FAN_CLASS_CONTENT, event_flags).map_err(WatchError::Unavailable)?;
        for share in &shares.list {
            mark(
                &fd,
                libc::FAN_MARK_ADD | libc::FAN_MARK_MOUNT,
                libc::FAN_OPEN_PERM,
                &share.root,
            )?;
        }
        Ok(PermGroup {
            fd: Arc::new(fd),
            closes,
            pre_content: false,
            threads,
            folders: IgnoredFolders::new(),
            folders_joined: std::sync::Once::new(),
        })
    }

    /// From now on, no pre-content events of the file behind `file` (an
    /// event's descriptor) reach this group, until [`PermGroup::heed_reads`],
    /// a flush, the next modification of the file (the ignore mark does not
    /// survive modify) or the kernel evicting the inode (the mark is
    /// evictable: memory stays bounded, and a lost mark only means events).
    pub fn ignore_reads(&self, file: RawFd) -> std::io::Result<()> {
        self.mark_inode(
            libc::FAN_MARK_ADD | FAN_MARK_IGNORE | FAN_MARK_EVICTABLE,
            file,
        )
    }

    /// From now on, no pre-content events of the file behind `file` reach
    /// this group, writes included and surviving them, until
    /// [`PermGroup::heed_reads`], a flush, or the kernel evicting the inode
    /// (evictable: only once no description holds it open). For a file
    /// its one writer found empty: nothing there to keep while it writes.
    pub fn ignore_accesses(&self, file: RawFd) -> std::io::Result<()> {
        self.mark_inode(
            libc::FAN_MARK_ADD
                | FAN_MARK_IGNORE
                | FAN_MARK_IGNORED_SURV_MODIFY
                | FAN_MARK_EVICTABLE,
            file,
        )
    }

    /// A handle that flushes the group's inode marks from another thread;
    /// it does not keep the group open.
    pub fn flusher(&self) -> InodeMarkFlusher {
        InodeMarkFlusher {
            fd: Arc::downgrade(&self.fd),
            folders: self.folders.clone(),
        }
    }

    /// The folders whose events this group and its closes group ignore
    /// ([`IgnoredFolders`]); other groups can join them. Like
    /// [`PermGroup::flusher`], only after [`PermGroup::place_above`] (the
    /// folders hold the group weakly).
    pub fn ignored_folders(&self) -> Arc<IgnoredFolders> {
        self.folders_joined.call_once(|| {
            let perm = if self.pre_content {
                libc::FAN_OPEN_PERM | FAN_PRE_ACCESS
            } else {
                libc::FAN_OPEN_PERM
            };
            self.folders.add_group(&self.closes, libc::FAN_CLOSE_WRITE);
            self.folders.add_group(&self.fd, perm);
        });
        self.folders.clone()
    }

    /// Undoes [`PermGroup::ignore_reads`] (or [`PermGroup::ignore_accesses`])
    /// for the file behind `file`; done when the call returns (no mark at
    /// all is fine).
    pub fn heed_reads(&self, file: RawFd) -> std::io::Result<()> {
        match self.mark_inode(libc::FAN_MARK_REMOVE | FAN_MARK_IGNORE, file) {
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
            other => other,
        }
    }

    /// Removes every inode mark of the group (all ignore marks; the mount
    /// marks stay).
    pub fn heed_all_reads(&self) -> std::io::Result<()> {
        flush_inode_marks(self.fd.as_raw_fd())?;
        self.folders.mark_again(self.fd.as_raw_fd());
        Ok(())
    }

    /// From now on, closes after writing of the file behind `file` are not
    /// queued in the closes group, surviving writes, until
    /// [`PermGroup::heed_closes`], [`PermGroup::heed_all_closes`] or the
    /// kernel evicting the inode (evictable: only once no description holds
    /// it open). For a file created by its one writer, set with its
    /// creation mark: each such close cost the reader an event descriptor
    /// to open, inspect and close (docs/design/guard.md, "Creators' closes").
    pub fn ignore_closes(&self, file: RawFd) -> std::io::Result<()> {
        let flags = libc::FAN_MARK_ADD
            | FAN_MARK_IGNORE
            | FAN_MARK_IGNORED_SURV_MODIFY
            | FAN_MARK_EVICTABLE;
        mark_inode(&self.closes, flags, libc::FAN_CLOSE_WRITE, file)
    }

    /// Undoes [`PermGroup::ignore_closes`]; done when the call returns (no
    /// mark at all is fine).
    pub fn heed_closes(&self, file: RawFd) -> std::io::Result<()> {
        let flags = libc::FAN_MARK_REMOVE | FAN_MARK_IGNORE;
        match mark_inode(&self.closes, flags, libc::FAN_CLOSE_WRITE, file) {
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
            other => other,
        }
    }

    /// Removes every inode mark of the closes group (its mount marks stay).
    pub fn heed_all_closes(&self) -> std::io::Result<()> {
        flush_inode_marks(self.closes.as_raw_fd())?;
        self.folders.mark_again(self.closes.as_raw_fd());
        Ok(())
    }

    fn mark_inode(&self, flags: u32, file: RawFd) -> std::io::Result<()> {
        mark_inode(&self.fd, flags, FAN_PRE_ACCESS, file)
    }

    /// Whether events name the thread ([`Pending::tid`]).
    pub fn reports_threads(&self) -> bool {
        self.threads.is_some()
    }

    /// Blocks until events arrive; appends them to `out`. A signal
    /// delivered to the reading thread ends the wait with nothing appended
    /// (how a reader blocked here is told to stop). After
    /// [`PermGroup::set_nonblocking`], returns at once with nothing
    /// appended when no event is queued.
    pub fn read(&self, buf: &mut [u8], out: &mut Vec<Pending>) -> std::io::Result<()> {
        match self.read_from(&self.fd, buf, out) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }

    /// Makes [`PermGroup::read`] return at once when nothing is queued:
    /// for several readers that wait in [`PermGroup::wait`] and read only
    /// what is there (another may have taken it).
    pub fn set_nonblocking(&self) -> std::io::Result<()> {
        let fd = self.fd.as_raw_fd();
        // SAFETY: plain fcntl on our own descriptor.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 {
            return Err(last_error());
        }
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(last_error());
        }
        Ok(())
    }

    /// Appends the closes after writing queued so far ([`PermKind::ClosedWrite`],
    /// nothing to answer); never blocks. Returns how many were read.
    pub fn read_closes(&self, buf: &mut [u8], out: &mut Vec<Pending>) -> std::io::Result<usize> {
        match self.read_from(&self.closes, buf, out) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                ) =>
            {
                Ok(0)
            }
            other => other,
        }
    }

    fn read_from(
        &self,
        group: &Arc<OwnedFd>,
        buf: &mut [u8],
        out: &mut Vec<Pending>,
    ) -> std::io::Result<usize> {
        let n = read_once(group.as_raw_fd(), buf)?;
        let before = out.len();
        // After the read: every thread that exited before an event of this
        // batch was queued is out of the cache now.
        let mut threads = self.threads.as_ref().and_then(|t| t.lock().ok());
        if let Some(threads) = threads.as_mut() {
            threads.prune();
        }
        for (meta, info) in events(buf, n) {
            if meta.fd >= 0 {
                let kind = if meta.mask & (libc::FAN_OPEN_PERM | FAN_PRE_ACCESS) == 0 {
                    PermKind::ClosedWrite
                } else if meta.mask & FAN_PRE_ACCESS != 0 {
                    let (offset, count) = range_of(info);
                    PermKind::PreAccess { offset, count }
                } else {
                    PermKind::Open
                };
                let reported = meta.pid.max(0) as u32;
                let (pid, tid, process_known) = match threads.as_mut() {
                    None => (reported, None, true),
                    Some(_) if reported == 0 => (0, None, true),
                    Some(threads) => match threads.process_of(reported) {
                        Some(pid) => (pid, Some(reported), true),
                        None => (reported, Some(reported), false),
                    },
                };
                out.push(Pending {
                    group: group.clone(),
                    // SAFETY: the kernel handed us this descriptor with the event.
                    file: Some(unsafe { OwnedFd::from_raw_fd(meta.fd) }),
                    pid,
                    tid,
                    process_known,
                    kind,
                    answered: kind == PermKind::ClosedWrite,
                });
            }
        }
        Ok(out.len() - before)
    }
}

/// Adds or removes `mask` in an inode mark of `group` on the object `file`
/// refers to.
fn mark_inode(group: &OwnedFd, flags: u32, mask: u64, file: RawFd) -> std::io::Result<()> {
    // SAFETY: a NULL path marks the object `file` refers to.
    let rc = unsafe { libc::fanotify_mark(group.as_raw_fd(), flags, mask, file, std::ptr::null()) };
    if rc < 0 {
        return Err(last_error());
    }
    Ok(())
}

/// Removes every inode mark of the fanotify group `group` (mount marks stay).
fn flush_inode_marks(group: RawFd) -> std::io::Result<()> {
    // SAFETY: plain syscall on a fanotify descriptor; no path.
    let rc = unsafe {
        libc::fanotify_mark(
            group,
            libc::FAN_MARK_FLUSH,
            0,
            libc::AT_FDCWD,
            std::ptr::null(),
        )
    };
    if rc < 0 {
        return Err(last_error());
    }
    Ok(())
}

/// Flushes a [`PermGroup`]'s inode marks from any thread (see
/// [`PermGroup::flusher`]); a no-op once the group is closed.
#[derive(Clone)]
pub struct InodeMarkFlusher {
    fd: std::sync::Weak<OwnedFd>,
    folders: Arc<IgnoredFolders>,
}

impl InodeMarkFlusher {
    pub fn flush(&self) -> std::io::Result<()> {
        match self.fd.upgrade() {
            Some(fd) => {
                flush_inode_marks(fd.as_raw_fd())?;
                self.folders.mark_again(fd.as_raw_fd());
                Ok(())
            }
            None => Ok(()),
        }
    }
}

fn read_events(fd: RawFd, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match read_once(fd, buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// One `read` of `fd`: an interrupting signal is an error (`Interrupted`).
fn read_once(fd: RawFd, buf: &mut [u8]) -> std::io::Result<usize> {
    // SAFETY: buf is a valid writable buffer of its length.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
    if n >= 0 {
        Ok(n as usize)
    } else {
        Err(last_error())
    }
}

/// The events of one read (`buf[..n]`): each one's metadata and its info
/// records. Stops at the first malformed length.
fn events(buf: &[u8], n: usize) -> impl Iterator<Item = (libc::fanotify_event_metadata, &[u8])> {
    let buf = &buf[..n.min(buf.len())];
    let mut at = 0;
    std::iter::from_fn(move || {
        if at + METADATA_LEN > buf.len() {
            return None;
        }
        let meta = metadata(&buf[at..]);
        let len = meta.event_len as usize;
        let info_start = meta.metadata_len as usize;
        if len < METADATA_LEN || at + len > buf.len() || info_start > len {
            return None;
        }
        let info = &buf[at + info_start..at + len];
        at += len;
        Some((meta, info))
    })
}

fn metadata(bytes: &[u8]) -> libc::fanotify_event_metadata {
    // SAFETY: caller checked bytes holds at least METADATA_LEN bytes; unaligned read.
    unsafe { std::ptr::read_unaligned(bytes.as_ptr() as *const libc::fanotify_event_metadata) }
}

fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_ne_bytes([b[at], b[at + 1]]) as usize
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_ne_bytes(x)
}

/// Info records after the metadata: (type, record bytes).
fn records(mut info: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    while info.len() >= 4 {
        let len = u16_at(info, 2);
        if len < 4 || len > info.len() {
            break;
        }
        out.push((info[0], &info[..len]));
        info = &info[len..];
    }
    out
}

fn range_of(info: &[u8]) -> (u64, u64) {
    records(info)
        .into_iter()
        .find(|(t, r)| *t == FAN_EVENT_INFO_TYPE_RANGE && r.len() >= 24)
        .map_or((0, 0), |(_, r)| (u64_at(r, 8), u64_at(r, 16)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(len: u32, metadata_len: u16, mask: u64) -> Vec<u8> {
        let meta = libc::fanotify_event_metadata {
            event_len: len,
            vers: 3,
            reserved: 0,
            metadata_len,
            mask,
            fd: -1,
            pid: 1,
        };
        // SAFETY: a plain C struct viewed as its bytes.
        let bytes =
            unsafe { std::slice::from_raw_parts(&meta as *const _ as *const u8, METADATA_LEN) };
        let mut out = bytes.to_vec();
        out.resize(len.max(METADATA_LEN as u32) as usize, 0xAA);
        out
    }

    #[test]
    fn events_stop_at_bad_lengths() {
        let m = METADATA_LEN as u32;
        let mut buf = event(m + 4, METADATA_LEN as u16, 1);
        buf.extend(event(m, METADATA_LEN as u16, 2));
        let got: Vec<(u64, usize)> = events(&buf, buf.len())
            .map(|(e, i)| (e.mask, i.len()))
            .collect();
        assert_eq!(got, [(1, 4), (2, 0)]);
        // Cut short, too short, or an info start past the event's end.
        assert_eq!(events(&buf, buf.len() - 1).count(), 1);
        assert_eq!(
            events(&event(m - 1, METADATA_LEN as u16, 1), METADATA_LEN).count(),
            0
        );
        let past = event(m, METADATA_LEN as u16 + 8, 1);
        assert_eq!(events(&past, past.len()).count(), 0);
        assert_eq!(events(&buf, 3).count(), 0);
    }

    #[test]
    fn records_stop_at_bad_lengths() {
        let mut info = vec![FAN_EVENT_INFO_TYPE_RANGE, 0, 24, 0];
        info.extend_from_slice(&[0u8; 4]);
        info.extend_from_slice(&7u64.to_ne_bytes());
        info.extend_from_slice(&9u64.to_ne_bytes());
        assert_eq!(range_of(&info), (7, 9));
        info.extend_from_slice(&[1, 0, 200, 0]);
        assert_eq!(records(&info).len(), 1);
        assert_eq!(range_of(&[1, 0]), (0, 0));
    }
}

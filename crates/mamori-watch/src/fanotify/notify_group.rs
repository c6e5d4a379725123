//! The notification group: which files were created, deleted, renamed or
//! closed after writing, as share-relative paths (directory handles and
//! names, `FAN_REPORT_DFID_NAME_TARGET`). Before Linux 5.17 (no
//! `FAN_RENAME`) a rename comes as `FAN_MOVED_FROM` then `FAN_MOVED_TO`
//! (`FAN_REPORT_DFID_NAME`), queued one after the other by the renaming
//! process in the same call; the group pairs them by pid.

use super::{
    events, init, mark, read_events, records, u32_at, u64_at, IgnoredFolders, KernelFeatures,
};
use crate::{io_err, Change, Observed, Shares, WatchError};
use std::ffi::OsStr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The notification group: create, delete, rename, close-after-write.
///
/// Two fanotify groups in fact. Deletes, renames and closes after writing
/// go to the one that is waited on ([`NotifyGroup::wait`],
/// [`NotifyGroup::raw_fd`]): they are acted on at once (a delete's smbd is
/// held, an overwrite is judged). Creates go to a second group that nobody
/// waits on: queuing an event where no reader sleeps wakes nobody, so a
/// new file's `open(O_CREAT)` in smbd no longer pays for waking the reader
/// (an IPI, on a VM a vCPU wake-up) right before its own open permission
/// event does the same. Creates are read before every read of the waited
/// group (a new file's close after writing reads its create first, in
/// order) and by [`NotifyGroup::read_creates`] when due.
pub struct NotifyGroup {
    fd: Arc<OwnedFd>,
    /// The events `fd` is marked for, the folders' `FAN_ONDIR` aside.
    waited: u64,
    /// The creates' group (`FAN_NONBLOCK`: an empty read returns at once).
    creates: Arc<OwnedFd>,
    creates_buf: Vec<u8>,
    creates_read_at: Instant,
    /// (fsid, descriptor of a directory on that filesystem) per share.
    mounts: Vec<([i32; 2], OwnedFd)>,
    shares: Shares,
    own_pid: u32,
    pub unresolved: u64,
    /// Events of the guard's own process read (its vault links, …): each
    /// one a wake-up for nothing.
    pub own_events: u64,
    /// Directory handle (fsid + `struct file_handle`) → its path, so the
    /// events of a busy folder cost no `open_by_handle_at` + `readlink`
    /// each. Emptied whenever any directory on a marked filesystem is
    /// renamed or deleted (paths below it change) and at an overflow, so
    /// an entry is never older than the last directory rename read.
    dirs: std::collections::HashMap<Vec<u8>, PathBuf>,
    /// `None` with `FAN_RENAME`; else the path each process last moved a
    /// file or folder from (`None` inside: not resolved), until its
    /// `FAN_MOVED_TO`.
    moves: Option<std::collections::HashMap<u32, Option<PathBuf>>>,
}

/// The waited group and the creates' group, marked on every share's
/// filesystem: renames as `renames` (`FAN_RENAME`, or the two moves).
fn open_groups(
    shares: &Shares,
    report: u32,
    renames: u64,
) -> Result<(OwnedFd, OwnedFd), WatchError> {
    let flags = libc::FAN_CLASS_NOTIF | libc::FAN_CLOEXEC | report;
    let event_flags = libc::O_RDONLY | libc::O_CLOEXEC;
    let fd = init(flags, event_flags).map_err(WatchError::Unavailable)?;
    let creates = init(flags | libc::FAN_NONBLOCK, event_flags).map_err(WatchError::Unavailable)?;
    let waited = libc::FAN_DELETE | renames | libc::FAN_CLOSE_WRITE | libc::FAN_ONDIR;
    for share in &shares.list {
        let filesystem = libc::FAN_MARK_ADD | libc::FAN_MARK_FILESYSTEM;
        mark(&fd, filesystem, waited, &share.root)?;
        mark(
            &creates,
            filesystem,
            libc::FAN_CREATE | libc::FAN_ONDIR,
            &share.root,
        )?;
    }
    Ok((fd, creates))
}

/// Processes with a move pending before the table is emptied (a move's
/// second event follows its first at once: only a lost event leaves one).
const PENDING_MOVES: usize = 1024;

/// Reads of the creates' group per call, at most (each up to 64 KiB).
const CREATE_READS: usize = 128;

/// More than the largest event this group can queue: metadata plus up to
/// three file-id records (old and new directory with their names, the
/// target), each at most a 128-byte handle and a 255-byte name.
pub(super) const LARGEST_EVENT: usize = 4096;

/// Entries of [`NotifyGroup`]'s directory cache before it is emptied.
const DIR_CACHE: usize = 4096;

fn fsid_of(fd: &OwnedFd) -> [i32; 2] {
    // SAFETY: zeroed statfs is a valid out-buffer.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstatfs(fd.as_raw_fd(), &mut st) } != 0 {
        return [0, 0];
    }
    // SAFETY: fsid_t is two c_ints.
    unsafe { std::mem::transmute::<libc::fsid_t, [i32; 2]>(st.f_fsid) }
}

impl NotifyGroup {
    /// Waits up to `timeout_ms` for events (creates wake nobody).
    pub fn wait(&self, timeout_ms: i32) -> bool {
        crate::wait_readable(self.fd.as_raw_fd(), timeout_ms)
    }

    /// The group's descriptor, to wait on it together with others
    /// ([`super::PermGroup::wait_with`]); read only through [`NotifyGroup::read`].
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The descriptor released last of the two (see
    /// [`super::PermGroup::place_above`]).
    pub fn highest_fd(&self) -> RawFd {
        self.fd.as_raw_fd().max(self.creates.as_raw_fd())
    }

    pub fn new(shares: &Shares) -> Result<NotifyGroup, WatchError> {
        Self::with_features(shares, KernelFeatures::default())
    }

    /// Same, with `FAN_RENAME` only if `features.rename_events` (and the
    /// kernel has it); else renames from their two moves.
    pub fn with_features(
        shares: &Shares,
        features: KernelFeatures,
    ) -> Result<NotifyGroup, WatchError> {
        let moves = libc::FAN_MOVED_FROM | libc::FAN_MOVED_TO;
        let ((fd, creates), rename_events) =
            super::open_with_renames(features, moves, |report, renames| {
                open_groups(shares, report, renames)
            })?;
        let renames = if rename_events {
            libc::FAN_RENAME
        } else {
            libc::FAN_MOVED_FROM | libc::FAN_MOVED_TO
        };
        let moves = (!rename_events).then(std::collections::HashMap::new);
        let mut mounts = Vec::new();
        for share in &shares.list {
            let dir = std::fs::File::open(&share.root)
                .map_err(io_err(format!("{}", share.root.display())))?;
            let dir = OwnedFd::from(dir);
            mounts.push((fsid_of(&dir), dir));
        }
        Ok(NotifyGroup {
            fd: Arc::new(fd),
            waited: libc::FAN_DELETE | renames | libc::FAN_CLOSE_WRITE,
            creates: Arc::new(creates),
            creates_buf: vec![0u8; 64 * 1024],
            creates_read_at: Instant::now(),
            mounts,
            shares: shares.clone(),
            own_pid: std::process::id(),
            unresolved: 0,
            own_events: 0,
            dirs: std::collections::HashMap::new(),
            moves,
        })
    }

    /// Keeps this group's events of `folders` (the guard's own) in the
    /// kernel, from now on.
    pub fn ignore_folders_of(&self, folders: &IgnoredFolders) {
        folders.add_group(&self.fd, self.waited);
        folders.add_group(&self.creates, libc::FAN_CREATE);
    }

    /// Whether renames come as one `FAN_RENAME` event (else as two moves).
    pub fn rename_events(&self) -> bool {
        self.moves.is_none()
    }

    /// Whether the creates were last read `every` ago or longer: a reader
    /// awake for something else reads them then ([`NotifyGroup::read_creates`]),
    /// so that a create with no close after it (a folder, a file still
    /// being written) is seen within about that time while others work.
    pub fn creates_due(&self, every: Duration) -> bool {
        self.creates_read_at.elapsed() >= every
    }

    /// Whether creates are queued (never blocks).
    pub fn creates_queued(&self) -> bool {
        crate::wait_readable(self.creates.as_raw_fd(), 0)
    }

    /// Waits up to `timeout_ms` until events or creates are queued, or
    /// `bell` is readable; returns whether `bell` is. For a reader that
    /// found the share quiet: the first change wakes it, no timer does.
    pub fn wait_quiet(&self, bell: RawFd, timeout_ms: i32) -> bool {
        let pollfd = |fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let mut fds = [
            pollfd(self.fd.as_raw_fd()),
            pollfd(self.creates.as_raw_fd()),
            pollfd(bell),
        ];
        // SAFETY: three valid pollfds.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), 3, timeout_ms) };
        rc > 0 && fds[2].revents & libc::POLLIN != 0
    }

    /// Appends the creates queued so far (never blocks).
    pub fn read_creates(&mut self, out: &mut Vec<Observed>) -> std::io::Result<()> {
        self.creates_read_at = Instant::now();
        let mut buf = std::mem::take(&mut self.creates_buf);
        let mut result = Ok(());
        for _ in 0..CREATE_READS {
            match read_events(self.creates.as_raw_fd(), &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    self.decode_all(&buf, n, out);
                    // The kernel fills a read with every queued event that
                    // fits: room left for the largest event means the queue
                    // was empty (saves the read that would say EAGAIN).
                    if n + LARGEST_EVENT <= buf.len() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.creates_buf = buf;
        result
    }

    /// Blocks until events arrive; appends the share changes to `out`.
    pub fn read(&mut self, buf: &mut [u8], out: &mut Vec<Observed>) -> std::io::Result<()> {
        self.read_with(buf, out, &mut |_| {})
    }

    /// Like [`NotifyGroup::read`], but first calls `deleting(pid)` for every
    /// file delete or rename of another process, before any path is
    /// resolved: the caller may hold that process as early as possible.
    pub fn read_with(
        &mut self,
        buf: &mut [u8],
        out: &mut Vec<Observed>,
        deleting: &mut dyn FnMut(u32),
    ) -> std::io::Result<()> {
        let n = read_events(self.fd.as_raw_fd(), buf)?;
        for (meta, _) in events(buf, n) {
            if meta.mask & (libc::FAN_DELETE | libc::FAN_RENAME | libc::FAN_MOVED_FROM) != 0
                && meta.mask & (libc::FAN_ONDIR | libc::FAN_Q_OVERFLOW) == 0
                && meta.pid > 0
                && meta.pid as u32 != self.own_pid
            {
                deleting(meta.pid as u32);
            }
        }
        // Creates first: a new file's create comes before its close after
        // writing. One queued between the two reads is put first too: from
        // another session, or after a delete or rename whose session is
        // held already.
        let creates = self.read_creates(out);
        self.decode_all(buf, n, out);
        creates
    }

    fn decode_all(&mut self, buf: &[u8], n: usize, out: &mut Vec<Observed>) {
        for (meta, info) in events(buf, n) {
            if meta.fd >= 0 {
                // SAFETY: never expected with FID reporting; close it if given.
                drop(unsafe { OwnedFd::from_raw_fd(meta.fd) });
            }
            if meta.mask & libc::FAN_Q_OVERFLOW != 0 {
                out.push(Observed::overflow());
            } else if meta.pid as u32 == self.own_pid {
                self.own_events += 1;
            } else {
                self.decode(meta.mask, meta.pid.max(0) as u32, info, out);
            }
            // Paths below a renamed or deleted directory change (whoever
            // did it): later events resolve their handles afresh.
            let dir_moved = libc::FAN_RENAME | libc::FAN_MOVED_FROM | libc::FAN_DELETE;
            if meta.mask & libc::FAN_Q_OVERFLOW != 0
                || (meta.mask & libc::FAN_ONDIR != 0 && meta.mask & dir_moved != 0)
            {
                self.dirs.clear();
            }
            // The rescan after an overflow sees what its lost moves did.
            if let (true, Some(moves)) = (meta.mask & libc::FAN_Q_OVERFLOW != 0, &mut self.moves) {
                moves.clear();
            }
        }
    }

    fn decode(&mut self, mask: u64, pid: u32, info: &[u8], out: &mut Vec<Observed>) {
        let mut name = None;
        let mut old = None;
        let mut new = None;
        let mut inode = None;
        for (kind, record) in records(info) {
            match kind {
                libc::FAN_EVENT_INFO_TYPE_FID => inode = inode_of_fid(record),
                libc::FAN_EVENT_INFO_TYPE_DFID_NAME => name = self.resolve(record),
                libc::FAN_EVENT_INFO_TYPE_OLD_DFID_NAME => old = self.resolve(record),
                libc::FAN_EVENT_INFO_TYPE_NEW_DFID_NAME => new = self.resolve(record),
                _ => {}
            }
        }
        // Without FAN_RENAME: the move away waits for its move in.
        let mut moved = None;
        if let Some(moves) = self.moves.as_mut() {
            if mask & libc::FAN_MOVED_FROM != 0 {
                if moves.len() >= PENDING_MOVES {
                    moves.clear();
                }
                moves.insert(pid, name.clone());
            }
            if mask & libc::FAN_MOVED_TO != 0 {
                moved = Some((moves.remove(&pid).flatten(), name.clone()));
            }
        }
        if mask & libc::FAN_RENAME != 0 {
            moved = Some((old, new));
        }
        let is_dir = mask & libc::FAN_ONDIR != 0;
        let mut push = |path: Option<PathBuf>, change: Change| {
            let Some(path) = path else { return };
            if let Some((share, rel)) = self.shares.locate(&path) {
                out.push(Observed {
                    share,
                    path: rel,
                    change,
                    is_dir,
                    pid: Some(pid),
                    audit: None,
                    inode: if is_dir { None } else { inode },
                });
            }
        };
        if mask & libc::FAN_CREATE != 0 {
            push(name.clone(), Change::Created);
        }
        if mask & libc::FAN_CLOSE_WRITE != 0 {
            push(name.clone(), Change::Written);
        }
        if let Some((old, new)) = moved {
            let from = old.as_ref().and_then(|p| self.shares.locate(p));
            let to = new.as_ref().and_then(|p| self.shares.locate(p));
            match (from, to) {
                (Some((a, from)), Some((b, _))) if a == b => {
                    push(new.clone(), Change::Renamed { from })
                }
                (from, _) => {
                    if from.is_some() {
                        push(old.clone(), Change::Deleted);
                    }
                    push(new.clone(), Change::Created);
                }
            }
        }
        if mask & libc::FAN_DELETE != 0 {
            push(name, Change::Deleted);
        }
    }

    /// Directory handle + name → absolute path.
    fn resolve(&mut self, record: &[u8]) -> Option<PathBuf> {
        if record.len() < 20 {
            return None;
        }
        let fsid = [u32_at(record, 4) as i32, u32_at(record, 8) as i32];
        let handle_bytes = u32_at(record, 12) as usize;
        let handle_end = 20 + handle_bytes;
        if handle_end > record.len() {
            return None;
        }
        let name_bytes = &record[handle_end..];
        let name_len = name_bytes
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(name_bytes.len());
        let name = OsStr::from_bytes(&name_bytes[..name_len]);
        let join = |path: &Path| {
            if name.is_empty() || name == "." {
                path.to_path_buf()
            } else {
                path.join(name)
            }
        };
        let key = &record[4..handle_end];
        if let Some(path) = self.dirs.get(key) {
            return Some(join(path));
        }
        // struct file_handle: handle_bytes, handle_type, f_handle[handle_bytes].
        let mut handle = record[12..handle_end].to_vec();
        handle.resize(handle.len().max(8), 0);
        let candidates = self
            .mounts
            .iter()
            .filter(|(id, _)| *id == fsid)
            .chain(self.mounts.iter().filter(|(id, _)| *id != fsid));
        for (_, mount) in candidates {
            // SAFETY: handle holds a complete struct file_handle as the kernel wrote it.
            let fd = unsafe {
                libc::open_by_handle_at(
                    mount.as_raw_fd(),
                    handle.as_mut_ptr() as *mut libc::file_handle,
                    libc::O_PATH | libc::O_CLOEXEC,
                )
            };
            if fd < 0 {
                continue;
            }
            // SAFETY: fresh descriptor we own.
            let dir = unsafe { OwnedFd::from_raw_fd(fd) };
            let Ok(path) = std::fs::read_link(format!("/proc/self/fd/{}", dir.as_raw_fd())) else {
                continue;
            };
            if self.shares.locate(&path).is_none() {
                continue;
            }
            let joined = join(&path);
            if self.dirs.len() >= DIR_CACHE {
                self.dirs.clear();
            }
            self.dirs.insert(key.to_vec(), path);
            return Some(joined);
        }
        self.unresolved += 1;
        None
    }
}

/// The inode number in a `FAN_EVENT_INFO_TYPE_FID` record's file handle,
/// for the handle types whose layout the kernel fixes: `FILEID_INO32_GEN`
/// (ext2/3/4, 32-bit xfs), btrfs's (`FILEID_BTRFS_*`, object id first) and
/// 64-bit xfs / `FILEID_INO64_GEN` (inode first). Others (tmpfs puts the
/// generation first, network filesystems their own): `None`.
pub(crate) fn inode_of_fid(record: &[u8]) -> Option<u64> {
    if record.len() < 20 {
        return None;
    }
    let handle_bytes = u32_at(record, 12) as usize;
    let handle = record.get(20..20 + handle_bytes)?;
    match u32_at(record, 16) {
        1 if handle.len() >= 4 => Some(u32_at(handle, 0) as u64),
        0x4d..=0x4f | 0x81 | 0x82 if handle.len() >= 8 => Some(u64_at(handle, 0)),
        _ => None,
    }
}

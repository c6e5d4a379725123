//! The alarm group: who deletes or renames a file, at once.
//!
//! Deletes and renames raise no permission event (Samba does them through
//! `O_PATH` handles), so the guard holds the deleting smbd instead, and a
//! hold only helps if it is taken while the wiper is at its first file.
//! The [`super::NotifyGroup`] that turns these events into paths is read
//! at idle priority, when nobody waits for it; this group carries the same
//! deletes and renames (same marks, same filter: files only, other
//! processes only) to the guard's `alarm-reader`, which needs nothing but the
//! pid from each. Both groups queue an event in the same kernel call, so
//! by the time the alarm is read, its twin is queued in the notification
//! group: what the alarm held is matched there ([`AlarmGroup::read`]).

use super::{events, init, mark, read_events, IgnoredFolders, KernelFeatures};
use crate::{Shares, WatchError};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::Arc;

pub struct AlarmGroup {
    fd: Arc<OwnedFd>,
    /// The events `fd` is marked for.
    mask: u64,
    own_pid: u32,
}

impl AlarmGroup {
    pub fn new(shares: &Shares) -> Result<AlarmGroup, WatchError> {
        Self::with_features(shares, KernelFeatures::default())
    }

    /// Same, with `FAN_RENAME` only if `features.rename_events` (and the
    /// kernel has it); else a rename's `FAN_MOVED_FROM` (one per rename).
    pub fn with_features(
        shares: &Shares,
        features: KernelFeatures,
    ) -> Result<AlarmGroup, WatchError> {
        let (fd, rename_events) =
            super::open_with_renames(features, libc::FAN_MOVED_FROM, |report, renames| {
                Self::open(shares, report, renames)
            })?;
        let renames = if rename_events {
            libc::FAN_RENAME
        } else {
            libc::FAN_MOVED_FROM
        };
        Ok(AlarmGroup {
            fd: Arc::new(fd),
            mask: libc::FAN_DELETE | renames,
            own_pid: std::process::id(),
        })
    }

    fn open(shares: &Shares, report: u32, renames: u64) -> Result<OwnedFd, WatchError> {
        // Unlimited queue: an alarm must not be lost to an overflow while
        // its twin in the notification group is read.
        let flags = libc::FAN_CLASS_NOTIF
            | libc::FAN_CLOEXEC
            | libc::FAN_NONBLOCK
            | libc::FAN_UNLIMITED_QUEUE
            | report;
        let fd = init(flags, libc::O_RDONLY | libc::O_CLOEXEC).map_err(WatchError::Unavailable)?;
        // No FAN_ONDIR: directories are not held, as in the notification group.
        let mask = libc::FAN_DELETE | renames;
        for share in &shares.list {
            let filesystem = libc::FAN_MARK_ADD | libc::FAN_MARK_FILESYSTEM;
            mark(&fd, filesystem, mask, &share.root)?;
        }
        Ok(fd)
    }

    /// Keeps this group's events of `folders` (the guard's own) in the
    /// kernel, from now on.
    pub fn ignore_folders_of(&self, folders: &IgnoredFolders) {
        folders.add_group(&self.fd, self.mask);
    }

    /// The group's descriptor number (see `PermGroup::place_above`).
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Waits up to `timeout_ms` for deletes or renames.
    pub fn wait(&self, timeout_ms: i32) -> bool {
        crate::wait_readable(self.fd.as_raw_fd(), timeout_ms)
    }

    /// Calls `deleting` with the pid of every delete or rename of a file by
    /// another process queued so far; never blocks.
    pub fn read(&self, buf: &mut [u8], deleting: &mut dyn FnMut(u32)) -> std::io::Result<()> {
        loop {
            let n = match read_events(self.fd.as_raw_fd(), buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(());
            }
            for (meta, _) in events(buf, n) {
                if meta.mask & libc::FAN_Q_OVERFLOW == 0
                    && meta.pid > 0
                    && meta.pid as u32 != self.own_pid
                {
                    deleting(meta.pid as u32);
                }
            }
            // A short read means the queue is empty now.
            if n + super::notify_group::LARGEST_EVENT < buf.len() {
                return Ok(());
            }
        }
    }
}

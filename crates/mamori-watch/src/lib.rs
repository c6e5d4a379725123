//! Watching shares for the guard: who opens, writes, creates, renames and
//! deletes which file, as early as the kernel tells.
//!
//! Design: two fanotify groups per guard (raw `libc`, no wrapper crate):
//! - a **permission group** ([`PermGroup`], `FAN_CLASS_PRE_CONTENT`, mount
//!   marks) delivering `FAN_OPEN_PERM` and `FAN_PRE_ACCESS` (before every
//!   read or write, with the byte range) while the writer waits. Each event
//!   becomes a [`Pending`] whose `Drop` answers `FAN_ALLOW`, so an event can
//!   never be left unanswered: a panic, an early return or a full queue all
//!   end in "allow" (fail-open). Where the kernel or filesystem lacks
//!   pre-content events (Linux before 6.14), or when asked to
//!   ([`PermGroup::with_features`]), the group falls back to
//!   `FAN_CLASS_CONTENT` with `FAN_OPEN_PERM` only.
//! - a **notification group** ([`NotifyGroup`], `FAN_REPORT_DFID_NAME_TARGET`,
//!   filesystem marks) for create / delete / rename (old and new name in one
//!   `FAN_RENAME` event) / close-after-write, resolved to share-relative paths
//!   through `open_by_handle_at` on the parent directory's handle. A
//!   `FAN_Q_OVERFLOW` becomes [`Change::Overflow`]; the guard rescans.
//!
//! Without fanotify (not root, old kernel, unsupported filesystem) the
//! [`inotify`] fallback watches every directory of each share, and the
//! [`audit`] tailer reads Samba `vfs_full_audit` lines to attribute changes
//! to user, client and machine.
//!
//! Invariant: the reader of the permission group never waits for anything
//! another process could be waiting on (no file opens, no subprocesses):
//! everything slow happens in other threads that answer the event later.

pub mod audit;
pub mod cpus;
pub mod fanotify;
pub mod inotify;
mod threads;

pub use fanotify::{AlarmGroup, KernelFeatures, NotifyGroup, Pending, PermGroup, PermKind};

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("fanotify is not available: {0}")]
    Unavailable(std::io::Error),
    #[error("cannot watch {path}: {source}")]
    Mark {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

/// A share under watch: its name and its canonical directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub name: String,
    pub root: PathBuf,
}

/// The shares of one guard; maps absolute paths to (share, relative path).
#[derive(Debug, Clone, Default)]
pub struct Shares {
    pub list: Vec<Share>,
}

impl Shares {
    pub fn new(list: Vec<Share>) -> Self {
        Shares { list }
    }

    /// The share holding `path` (longest root wins) and the path inside it.
    pub fn locate(&self, path: &Path) -> Option<(usize, PathBuf)> {
        self.list
            .iter()
            .enumerate()
            .filter_map(|(i, s)| path.strip_prefix(&s.root).ok().map(|rel| (i, rel)))
            .max_by_key(|(i, _)| self.list[*i].root.as_os_str().len())
            .map(|(i, rel)| (i, rel.to_path_buf()))
    }
}

/// What happened to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Created,
    Deleted,
    /// Renamed from the given share-relative path (same share).
    Renamed {
        from: PathBuf,
    },
    /// Written and closed.
    Written,
    /// The kernel dropped events: the share's state must be rescanned.
    Overflow,
}

/// One change seen by a watcher, before attribution.
#[derive(Debug, Clone)]
pub struct Observed {
    /// Index into [`Shares::list`]; for an overflow of unknown share, every
    /// share is affected and this is `usize::MAX`.
    pub share: usize,
    pub path: PathBuf,
    pub change: Change,
    pub is_dir: bool,
    /// Process that caused it (fanotify); `None` from inotify.
    pub pid: Option<u32>,
    /// Attribution from the Samba audit log (inotify fallback).
    pub audit: Option<mamori_journal::Actor>,
    /// Inode number of the file created, deleted or renamed, from the
    /// event's own file handle (fanotify with `FAN_REPORT_TARGET_FID`, on
    /// ext4, btrfs and xfs); `None` where the handle cannot say. Which
    /// incarnation of a reused name it was, after its path is gone.
    pub inode: Option<u64>,
}

impl Observed {
    pub fn overflow() -> Self {
        Observed {
            share: usize::MAX,
            path: PathBuf::new(),
            change: Change::Overflow,
            is_dir: false,
            pid: None,
            audit: None,
            inode: None,
        }
    }
}

/// Waits up to `timeout_ms` for `fd` to become readable (so reader threads
/// can notice a stop request); `true` when data is ready.
pub fn wait_readable(fd: std::os::fd::RawFd, timeout_ms: i32) -> bool {
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let rc = unsafe { libc::poll(&mut pollfd, 1, timeout_ms) };
    rc > 0 && pollfd.revents & libc::POLLIN != 0
}

/// Waits up to `timeout_ms` until `first` or `second` is readable;
/// (first readable, second readable). One thread serving two descriptors
/// wakes once when both become readable together.
pub fn wait_readable_either(
    first: std::os::fd::RawFd,
    second: std::os::fd::RawFd,
    timeout_ms: i32,
) -> (bool, bool) {
    let mut fds = [
        libc::pollfd {
            fd: first,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: second,
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    // SAFETY: two valid pollfds.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), 2, timeout_ms) };
    if rc <= 0 {
        return (false, false);
    }
    (
        fds[0].revents & libc::POLLIN != 0,
        fds[1].revents & libc::POLLIN != 0,
    )
}

pub(crate) fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> WatchError {
    let what = what.into();
    move |source| WatchError::Io { what, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_picks_the_longest_root() {
        let shares = Shares::new(vec![
            Share {
                name: "a".into(),
                root: "/srv".into(),
            },
            Share {
                name: "b".into(),
                root: "/srv/b".into(),
            },
        ]);
        assert_eq!(
            shares.locate(Path::new("/srv/b/x.txt")),
            Some((1, PathBuf::from("x.txt")))
        );
        assert_eq!(
            shares.locate(Path::new("/srv/c/x.txt")),
            Some((0, PathBuf::from("c/x.txt")))
        );
        assert_eq!(shares.locate(Path::new("/etc/passwd")), None);
    }
}

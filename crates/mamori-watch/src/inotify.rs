//! The fallback watcher: inotify on every directory of each share.
//!
//! inotify carries no pid, so changes are attributed from Samba's audit log
//! ([`crate::audit`]). Watches are capped; a share deeper than the cap is
//! watched partly and the guard says so at start.

use crate::{io_err, Change, Observed, Shares, WatchError};
use std::collections::HashMap;
use std::ffi::{CString, OsStr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

const MASK: u32 = libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_CLOSE_WRITE
    | libc::IN_DONT_FOLLOW
    | libc::IN_EXCL_UNLINK;

pub struct InotifyWatcher {
    fd: OwnedFd,
    /// watch descriptor → (share, share-relative directory)
    dirs: HashMap<i32, (usize, PathBuf)>,
    shares: Shares,
    max_watches: usize,
    /// Watches not added because of the cap or an error.
    pub missed: usize,
}

impl InotifyWatcher {
    /// Waits up to `timeout_ms` for events.
    pub fn wait(&self, timeout_ms: i32) -> bool {
        crate::wait_readable(self.fd.as_raw_fd(), timeout_ms)
    }

    pub fn new(shares: &Shares, max_watches: usize) -> Result<InotifyWatcher, WatchError> {
        // SAFETY: plain syscall.
        let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC) };
        if fd < 0 {
            return Err(WatchError::Unavailable(std::io::Error::last_os_error()));
        }
        let mut watcher = InotifyWatcher {
            // SAFETY: fresh descriptor we own.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            dirs: HashMap::new(),
            shares: shares.clone(),
            max_watches,
            missed: 0,
        };
        for index in 0..shares.list.len() {
            watcher.add_tree(index, PathBuf::new());
        }
        Ok(watcher)
    }

    pub fn watched(&self) -> usize {
        self.dirs.len()
    }

    fn add_tree(&mut self, share: usize, rel: PathBuf) {
        let mut stack = vec![rel];
        while let Some(rel) = stack.pop() {
            let abs = self.shares.list[share].root.join(&rel);
            if !self.add_one(share, &rel, &abs) {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&abs) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(rel.join(entry.file_name()));
                }
            }
        }
    }

    fn add_one(&mut self, share: usize, rel: &Path, abs: &Path) -> bool {
        if self.dirs.len() >= self.max_watches {
            self.missed += 1;
            return false;
        }
        let Ok(c) = CString::new(abs.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: valid path; fd is an inotify descriptor.
        let wd = unsafe {
            libc::inotify_add_watch(self.fd.as_raw_fd(), c.as_ptr(), MASK | libc::IN_ONLYDIR)
        };
        if wd < 0 {
            self.missed += 1;
            return false;
        }
        self.dirs.insert(wd, (share, rel.to_path_buf()));
        true
    }

    /// Blocks until events arrive; appends the changes to `out`.
    pub fn read(&mut self, buf: &mut [u8], out: &mut Vec<Observed>) -> Result<(), WatchError> {
        // SAFETY: buf is valid for its length.
        let n = unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
            )
        };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                return Ok(());
            }
            return Err(io_err("inotify read")(err));
        }
        let n = n as usize;
        let header = std::mem::size_of::<libc::inotify_event>();
        let mut moved_from: HashMap<u32, (usize, PathBuf, bool)> = HashMap::new();
        let mut at = 0;
        while at + header <= n {
            // SAFETY: at least one header remains; unaligned read.
            let event = unsafe {
                std::ptr::read_unaligned(buf[at..].as_ptr() as *const libc::inotify_event)
            };
            let name_end = at + header + event.len as usize;
            if name_end > n {
                break;
            }
            let raw = &buf[at + header..name_end];
            let name =
                OsStr::from_bytes(&raw[..raw.iter().position(|&b| b == 0).unwrap_or(raw.len())]);
            at = name_end;
            if event.mask & libc::IN_Q_OVERFLOW != 0 {
                out.push(Observed::overflow());
                continue;
            }
            if event.mask & libc::IN_IGNORED != 0 {
                self.dirs.remove(&event.wd);
                continue;
            }
            let Some((share, dir)) = self.dirs.get(&event.wd).cloned() else {
                continue;
            };
            let path = dir.join(name);
            let is_dir = event.mask & libc::IN_ISDIR != 0;
            let observed = |change| Observed {
                share,
                path: path.clone(),
                change,
                is_dir,
                pid: None,
                audit: None,
                inode: None,
            };
            if event.mask & libc::IN_CREATE != 0 {
                if is_dir {
                    self.add_tree(share, path.clone());
                }
                out.push(observed(Change::Created));
            } else if event.mask & libc::IN_CLOSE_WRITE != 0 {
                out.push(observed(Change::Written));
            } else if event.mask & libc::IN_DELETE != 0 {
                out.push(observed(Change::Deleted));
            } else if event.mask & libc::IN_MOVED_FROM != 0 {
                moved_from.insert(event.cookie, (share, path, is_dir));
            } else if event.mask & libc::IN_MOVED_TO != 0 {
                if is_dir {
                    self.add_tree(share, path.clone());
                }
                match moved_from.remove(&event.cookie) {
                    Some((from_share, from, _)) if from_share == share => {
                        out.push(observed(Change::Renamed { from }))
                    }
                    _ => out.push(observed(Change::Created)),
                }
            }
        }
        for (_, (share, path, is_dir)) in moved_from {
            out.push(Observed {
                share,
                path,
                change: Change::Deleted,
                is_dir,
                pid: None,
                audit: None,
                inode: None,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Share;

    #[test]
    fn sees_create_write_rename_delete() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let shares = Shares::new(vec![Share {
            name: "s".into(),
            root: dir.path().to_path_buf(),
        }]);
        let mut watcher = InotifyWatcher::new(&shares, 100).unwrap();
        assert_eq!(watcher.watched(), 2);
        std::fs::write(dir.path().join("sub/a.txt"), b"x").unwrap();
        std::fs::rename(
            dir.path().join("sub/a.txt"),
            dir.path().join("sub/a.txt.locked"),
        )
        .unwrap();
        std::fs::remove_file(dir.path().join("sub/a.txt.locked")).unwrap();
        let mut buf = vec![0u8; 65536];
        let mut out = Vec::new();
        while out.len() < 4 {
            watcher.read(&mut buf, &mut out).unwrap();
        }
        let changes: Vec<_> = out
            .iter()
            .map(|o| (o.path.clone(), o.change.clone()))
            .collect();
        assert_eq!(changes[0], (PathBuf::from("sub/a.txt"), Change::Created));
        assert_eq!(changes[1], (PathBuf::from("sub/a.txt"), Change::Written));
        assert_eq!(
            changes[2],
            (
                PathBuf::from("sub/a.txt.locked"),
                Change::Renamed {
                    from: PathBuf::from("sub/a.txt")
                }
            )
        );
        assert_eq!(
            changes[3],
            (PathBuf::from("sub/a.txt.locked"), Change::Deleted)
        );
    }
}

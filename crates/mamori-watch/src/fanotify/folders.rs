//! Folders whose files' events none of the guard's groups wants.
//!
//! The guard's vault keeps its copies and links on the share's filesystem,
//! under the share's mount: every copy it takes before a user's first
//! overwrite was two permission round trips to its own reader (the
//! object's open and its first write) on that user's wait, and every link
//! or copy woke the notification side with events of its own to skip. An
//! ignore mark on each store folder (`FAN_MARK_IGNORE` with
//! `FAN_EVENT_ON_CHILD`: the folder's entries and its files reached
//! through it) keeps those events in the kernel. It holds only for paths
//! through the folder: a stored link's file, opened by its name in the
//! share, raises every event as before.
//!
//! A flush of a group's inode marks (every block, every rebaseline of the
//! read marks) takes folder marks with it: [`IgnoredFolders::mark_again`]
//! puts them back, from the same call that flushed.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use super::{FAN_MARK_IGNORE, FAN_MARK_IGNORED_SURV_MODIFY};
use crate::WatchError;

/// The groups and the folders; shared by the permission group, its flush
/// handle and whoever names folders (the vault's hook).
#[derive(Default)]
pub struct IgnoredFolders {
    /// Each group's descriptor (weak: never keeps a group open, whose
    /// release answers its waiters) and the events its folder marks ignore.
    groups: Mutex<Vec<(Weak<OwnedFd>, u64)>>,
    folders: Mutex<Vec<PathBuf>>,
}

/// Folders at most: the vault makes one a day per share.
const FOLDERS: usize = 4096;

impl IgnoredFolders {
    pub fn new() -> Arc<IgnoredFolders> {
        Arc::new(IgnoredFolders::default())
    }

    /// Adds a group whose folder marks ignore `mask` (its own events only:
    /// the kernel refuses others), marking the folders named so far.
    pub(crate) fn add_group(&self, group: &Arc<OwnedFd>, mask: u64) {
        let folders = self.folders();
        for folder in &folders {
            if let Err(e) = mark_folder(group, mask, folder) {
                tracing::debug!("{e}");
            }
        }
        if let Ok(mut groups) = self.groups.lock() {
            groups.push((Arc::downgrade(group), mask));
        }
    }

    /// From now on, no group's events of `folder`'s entries and files
    /// reached through it. An error names the first group that refused.
    pub fn ignore(&self, folder: &Path) -> Result<(), WatchError> {
        if let Ok(mut folders) = self.folders.lock() {
            if folders.iter().any(|f| f == folder) {
                return Ok(());
            }
            if folders.len() >= FOLDERS {
                folders.remove(0);
            }
            folders.push(folder.to_path_buf());
        }
        let mut result = Ok(());
        for (group, mask) in self.live_groups() {
            if let Err(e) = mark_folder(&group, mask, folder) {
                if result.is_ok() {
                    result = Err(e);
                }
            }
        }
        result
    }

    /// After the inode marks of the group behind `fd` were flushed: marks
    /// every folder on it again (folders gone are forgotten).
    pub(crate) fn mark_again(&self, fd: RawFd) {
        let Some((group, mask)) = self
            .live_groups()
            .into_iter()
            .find(|(group, _)| group.as_raw_fd() == fd)
        else {
            return;
        };
        let mut gone = Vec::new();
        for folder in self.folders() {
            match mark_folder(&group, mask, &folder) {
                Err(WatchError::Mark { source, .. })
                    if source.raw_os_error() == Some(libc::ENOENT) =>
                {
                    gone.push(folder)
                }
                Err(e) => tracing::debug!("{e}"),
                Ok(()) => {}
            }
        }
        if let (false, Ok(mut folders)) = (gone.is_empty(), self.folders.lock()) {
            folders.retain(|f| !gone.contains(f));
        }
    }

    fn folders(&self) -> Vec<PathBuf> {
        self.folders.lock().map(|f| f.clone()).unwrap_or_default()
    }

    fn live_groups(&self) -> Vec<(Arc<OwnedFd>, u64)> {
        let Ok(mut groups) = self.groups.lock() else {
            return Vec::new();
        };
        groups.retain(|(group, _)| group.strong_count() > 0);
        groups
            .iter()
            .filter_map(|(group, mask)| group.upgrade().map(|g| (g, *mask)))
            .collect()
    }
}

/// Ignore-marks `folder` in `group` for `mask`, on its entries and on its
/// files reached through it.
fn mark_folder(group: &OwnedFd, mask: u64, folder: &Path) -> Result<(), WatchError> {
    // A folder's ignore mark must survive modification (the kernel refuses
    // one that does not on a directory).
    let flags = libc::FAN_MARK_ADD
        | libc::FAN_MARK_ONLYDIR
        | FAN_MARK_IGNORE
        | FAN_MARK_IGNORED_SURV_MODIFY;
    super::mark(group, flags, mask | libc::FAN_EVENT_ON_CHILD, folder)
}

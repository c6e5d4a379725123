//! After lost events: files that appeared while the guard was not looking.
//!
//! When the kernel's queue or the guard's change queue overflowed, some
//! creates never reached the judge. A process that then renames or deletes
//! its own new files (a build, a nightly job, any storm of temporary files)
//! looked like somebody deleting existing documents: under a local storm of
//! 250 000 operations a second the guard raised a false "burst of deletes"
//! per worker, and the default ladder would have blocked it and rolled its
//! work back.
//!
//! Every file the guard saw exist has a version in the vault (the start
//! sweep, the links of new and renamed files, the periodic sweep), so for a
//! short while after a loss, a rename or delete of a path that the main loop
//! did not see created and the vault has never held is told to the judge as
//! created by its actor first: its file appeared during the loss. A user's
//! existing document always has a version, so a wiper gains nothing from a
//! storm it causes (and decoys end it at its first delete anyway).
//!
//! A name used again (a job that writes `out_0001.txt` every run) has a
//! version from an earlier incarnation, so the path alone cannot tell. The
//! event names the inode it concerns ([`Observed::inode`]): when the vault
//! holds no version of that inode either, this incarnation appeared during
//! the loss. The vault's link of an earlier incarnation keeps its inode
//! allocated, so a new file cannot take its number while the link lives.

use super::Main;
use mamori_judge::{FileEvent, FileOp, Judge};
use mamori_watch::{Change, Observed};
use std::os::unix::fs::MetadataExt;
use std::time::Instant;

impl Main<'_> {
    /// Events were lost just now.
    pub(super) fn events_lost(&mut self) {
        self.lost_at = Some(Instant::now());
    }

    /// Before judging a rename or delete after a loss: tells the judge its
    /// file was created by `actor` when nobody saw it exist.
    pub(super) fn created_while_lost(
        &self,
        judge: &mut Judge,
        observed: &Observed,
        actor: &mamori_journal::Actor,
    ) {
        let window = judge.config().burst_window;
        if self.lost_at.is_none_or(|at| at.elapsed() > window) {
            return;
        }
        let old = match &observed.change {
            Change::Deleted => observed.path.as_path(),
            Change::Renamed { from } => from.as_path(),
            _ => return,
        };
        if self
            .created
            .set
            .contains(&(observed.share, old.to_path_buf()))
        {
            return;
        }
        let Some(vault) = self.hot.vault.as_ref() else {
            return;
        };
        let share = &self.hot.shares.list[observed.share];
        let unseen = match vault.has_version(&share.name, old) {
            Some(false) => true,
            // An earlier file of the same name: was this one ever seen?
            Some(true) => observed.inode.is_some_and(|ino| {
                let folder = share.root.join(old.parent().unwrap_or(old));
                let dev = std::fs::metadata(&folder)
                    .or_else(|_| std::fs::metadata(&share.root))
                    .map(|m| m.dev());
                dev.ok()
                    .and_then(|dev| vault.has_inode(dev, ino))
                    .is_some_and(|seen| !seen)
            }),
            None => false,
        };
        if unseen {
            judge.observe(&FileEvent {
                at: Instant::now(),
                share: share.name.clone(),
                actor: actor.clone(),
                op: FileOp::Created {
                    path: old.to_path_buf(),
                },
            });
        }
    }
}

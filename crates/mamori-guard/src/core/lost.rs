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

use super::Main;
use mamori_judge::{FileEvent, FileOp, Judge};
use mamori_watch::Change;
use std::path::Path;
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
        share_index: usize,
        change: &Change,
        path: &Path,
        actor: &mamori_journal::Actor,
    ) {
        let window = judge.config().burst_window;
        if self.lost_at.is_none_or(|at| at.elapsed() > window) {
            return;
        }
        let old = match change {
            Change::Deleted => path,
            Change::Renamed { from } => from.as_path(),
            _ => return,
        };
        if self.created.set.contains(&(share_index, old.to_path_buf())) {
            return;
        }
        let share = &self.hot.shares.list[share_index];
        let unseen = self
            .hot
            .vault
            .as_ref()
            .and_then(|vault| vault.has_version(&share.name, old))
            == Some(false);
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

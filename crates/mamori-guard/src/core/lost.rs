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
//! short while after a loss, a rename or delete of a path whose create the
//! judge does not count for its actor and that the vault has never held is
//! told to the judge as created by its actor first: its file appeared
//! during the loss. A user's
//! existing document always has a version, so a wiper gains nothing from a
//! storm it causes (and decoys end it at its first delete anyway).
//!
//! A name used again (a job that writes `out_0001.txt` every run) has a
//! version from an earlier incarnation, so the path alone cannot tell. The
//! event names the inode it concerns ([`Observed::inode`]): when the vault
//! holds no version of that inode either, this incarnation appeared during
//! the loss. The vault's link of an earlier incarnation keeps its inode
//! allocated, so a new file cannot take its number while the link lives.
//! Only versions taken before the loss began count ([`LOSS_MARGIN`]): the
//! periodic sweep links whatever it finds, so a file created during the
//! loss may have a version of its own by the time it is deleted (under a
//! slow guard, twenty-minute storms raised false bursts of deletes so).
//! And a file whose create was seen but whose renames were lost is known
//! by its inode as its creator's ([`Creators`]).

use super::Main;
use mamori_judge::{FileEvent, FileOp, Judge};
use mamori_watch::{Change, Observed};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant, SystemTime};

/// A run of lost events: losses within the judge's burst window of each
/// other.
pub(super) struct Loss {
    /// When events were last lost.
    last: Instant,
    /// When the run began, at the latest.
    since: SystemTime,
}

/// How long before the last change read ahead of a loss the loss may have
/// begun (the kernel's queue and the change queue hold changes not yet
/// read): the overflow's rescan looks this far back, and vault versions
/// taken since do not say a file existed before the loss.
pub(super) const LOSS_MARGIN: Duration = Duration::from_secs(2);

impl Main<'_> {
    /// Events were lost just now; `window`: how long a loss is remembered.
    /// The run of losses began after the last change read before this one
    /// (less [`LOSS_MARGIN`]; never before the main loop began, so every
    /// version of the start sweep is older), unless an earlier loss of the
    /// same run is remembered still.
    pub(super) fn events_lost(&mut self, window: Duration) {
        let since = match &self.loss {
            Some(loss) if loss.last.elapsed() <= window => loss.since,
            _ => {
                let began = self.last_ok.checked_sub(LOSS_MARGIN);
                began.map_or(self.started, |t| t.max(self.started))
            }
        };
        self.loss = Some(Loss {
            last: Instant::now(),
            since,
        });
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
        let Some(since) = self
            .loss
            .as_ref()
            .filter(|loss| loss.last.elapsed() <= window)
            .map(|loss| loss.since)
        else {
            return;
        };
        let old = match &observed.change {
            Change::Deleted => observed.path.as_path(),
            Change::Renamed { from } => from.as_path(),
            _ => return,
        };
        // The judge counts this file's create already. (Not the main
        // loop's set of created paths: it keeps a reused name's earlier
        // file.)
        if judge.actor_created(actor, old) {
            return;
        }
        let share = &self.hot.shares.list[observed.share];
        // Seen created by the same process, under whatever name (its
        // renames since were lost).
        let own_inode = observed
            .inode
            .zip(observed.pid)
            .is_some_and(|(ino, pid)| self.creators.created(ino) == Some(pid));
        let unseen = own_inode
            || self.hot.vault.as_ref().is_some_and(|vault| {
                match vault.has_version(&share.name, old) {
                    Some(false) => true,
                    // A version of the name: was this file seen before the
                    // loss? (The periodic sweep links what it finds, files
                    // created during the loss too: a version taken since
                    // says nothing.)
                    Some(true) => observed.inode.is_some_and(|ino| {
                        let folder = share.root.join(old.parent().unwrap_or(old));
                        let dev = std::fs::metadata(&folder)
                            .or_else(|_| std::fs::metadata(&share.root))
                            .map(|m| m.dev());
                        dev.ok()
                            .and_then(|dev| vault.inode_seen_before(dev, ino, since))
                            .is_some_and(|seen| !seen)
                    }),
                    None => false,
                }
            });
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

/// The process that created each recent file, by inode (from the create
/// events' file handles), bounded: after lost events, a file whose renames
/// were lost is still known as its creator's own when it is deleted under
/// a name the judge never heard of. Two generations, so that filling the
/// table forgets the older half, not what was created a moment ago.
#[derive(Default)]
pub(super) struct Creators {
    current: HashMap<u64, u32>,
    previous: HashMap<u64, u32>,
}

/// Inodes per generation of [`Creators`].
const CREATORS: usize = 65_536;

impl Creators {
    /// A change seen: a create records its inode's creator, a delete
    /// forgets it (after the delete was judged).
    pub(super) fn observe(&mut self, observed: &Observed) {
        let (Some(ino), Some(pid)) = (observed.inode, observed.pid) else {
            return;
        };
        match observed.change {
            Change::Created if !observed.is_dir => {
                if self.current.len() >= CREATORS {
                    self.previous = std::mem::take(&mut self.current);
                }
                self.current.insert(ino, pid);
            }
            Change::Deleted => {
                self.current.remove(&ino);
                self.previous.remove(&ino);
            }
            _ => {}
        }
    }

    fn created(&self, ino: u64) -> Option<u32> {
        self.current
            .get(&ino)
            .or_else(|| self.previous.get(&ino))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn observed(change: Change, ino: u64, pid: u32) -> Observed {
        Observed {
            share: 0,
            path: PathBuf::from("a.txt"),
            change,
            is_dir: false,
            pid: Some(pid),
            audit: None,
            inode: Some(ino),
        }
    }

    #[test]
    fn creators_are_known_by_inode_until_the_delete() {
        let mut creators = Creators::default();
        creators.observe(&observed(Change::Created, 12, 700));
        assert_eq!(creators.created(12), Some(700));
        creators.observe(&observed(Change::Written, 12, 800));
        assert_eq!(creators.created(12), Some(700));
        creators.observe(&observed(Change::Deleted, 12, 700));
        assert_eq!(creators.created(12), None);
    }

    #[test]
    fn a_full_table_forgets_the_older_generation_only() {
        let mut creators = Creators::default();
        for ino in 0..(CREATORS as u64 * 2 + 10) {
            creators.observe(&observed(Change::Created, ino, 1));
        }
        let last = CREATORS as u64 * 2 + 9;
        assert_eq!(creators.created(last), Some(1));
        assert_eq!(creators.created(last - CREATORS as u64), Some(1));
        assert_eq!(creators.created(0), None);
    }
}

//! Overwrites whose file was renamed before the main loop read its close.
//!
//! An encryptor that overwrites a file and renames it at once (`a.jpg` →
//! `a.jpg.x7k`) leaves the close event naming a path that no longer
//! exists when the main loop gets to it: the probe of the new content
//! (taken by path, or through the writer's kept descriptor found by that
//! path's inode) found nothing, and the overwrite counted for nothing —
//! the verdict then waited for the next file. The close of an overwrite is
//! now probed as soon as it is read (one look at the path, no window for a
//! rename between a check and the probe); if the path is gone, it waits here
//! for the rename that follows it in the same queue (same share, same
//! process, `from` = its path): the new content is probed at the new
//! path, and judged under the old one (where its before-probe is). A
//! delete of the path, or [`WAIT`] without a rename, judges it as before
//! (no content). Bounded: [`CAPACITY`] entries, the oldest judged first.
//! What waits on a close's verdict (its barrier count, the overwrite in
//! flight) is settled when it is judged, not when it was read.

use super::queue::Queued;
use super::Main;
use mamori_judge::{Judge, Probe};
use mamori_watch::{Change, Observed};
use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a close may wait for its rename.
pub(crate) const WAIT: Duration = Duration::from_millis(200);
/// Closes waiting at most.
pub(crate) const CAPACITY: usize = 64;

#[derive(Default)]
pub(crate) struct RenamedAway {
    waiting: VecDeque<(Queued, Instant)>,
}

impl RenamedAway {
    /// Keeps the close `queued`, to be handed back by [`RenamedAway::take`]
    /// or [`RenamedAway::expired`]; returns the oldest when full.
    pub(crate) fn keep(&mut self, queued: Queued, now: Instant) -> Option<Queued> {
        let full = (self.waiting.len() >= CAPACITY)
            .then(|| self.waiting.pop_front().map(|(o, _)| o))
            .flatten();
        self.waiting.push_back((queued, now));
        full
    }

    /// The close of `path` (the old path of a file just renamed or
    /// deleted) on `share` by process `pid`, if one waits.
    pub(crate) fn take(&mut self, share: usize, path: &Path, pid: Option<u32>) -> Option<Queued> {
        let at = self.waiting.iter().position(|(q, _)| {
            let o = &q.observed;
            o.share == share && o.path == path && o.pid == pid
        })?;
        self.waiting.remove(at).map(|(o, _)| o)
    }

    /// The closes that waited [`WAIT`] or longer, oldest first.
    pub(crate) fn expired(&mut self, now: Instant) -> Vec<Queued> {
        let mut out = Vec::new();
        while self
            .waiting
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) >= WAIT)
        {
            if let Some((o, _)) = self.waiting.pop_front() {
                out.push(o);
            }
        }
        out
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

impl Main<'_> {
    /// Handles one change read from the queue (closes renamed away wait
    /// here for their rename, see the module doc).
    pub(super) fn handle(&mut self, judge: &mut Judge, mut queued: Queued) {
        if self.lose_writes && queued.observed.change == Change::Written {
            // The test fault: as if this close had been lost in an overflow.
            queued.observed.change = Change::Overflow;
        }
        let now = Instant::now();
        if !self.renamed_away.is_empty() {
            self.judge_renamed_away_expired(judge);
            // A close waiting for this very rename (or delete) goes first.
            let observed = &queued.observed;
            if let Some(from) = gone_path(observed) {
                if let Some(written) = self.renamed_away.take(observed.share, from, observed.pid) {
                    let after = match observed.change {
                        Change::Renamed { .. } => self
                            .hot
                            .shares
                            .list
                            .get(observed.share)
                            .and_then(|s| self.probe_written(&s.root.join(&observed.path))),
                        _ => None,
                    };
                    self.judge_queued(judge, written, after);
                }
            }
        }
        // The close of an overwrite: probed now, where its path still
        // leads; renamed away already, it waits for its rename.
        if self.overwrite_closed(&queued.observed) {
            let observed = &queued.observed;
            let at = self.hot.shares.list[observed.share]
                .root
                .join(&observed.path);
            match self.probe_written(&at) {
                Some(after) => self.judge_queued(judge, queued, Some(after)),
                None => {
                    if let Some(oldest) = self.renamed_away.keep(queued, now) {
                        self.judge_queued(judge, oldest, None);
                    }
                }
            }
            return;
        }
        self.judge_queued(judge, queued, None);
    }

    /// The closes that waited for their rename too long, judged without
    /// their new content (as before this module).
    pub(super) fn judge_renamed_away_expired(&mut self, judge: &mut Judge) {
        if self.renamed_away.is_empty() {
            return;
        }
        for written in self.renamed_away.expired(Instant::now()) {
            self.judge_queued(judge, written, None);
        }
    }

    /// Judges one change, then lets go of whoever waits on its verdict.
    fn judge_queued(&mut self, judge: &mut Judge, queued: Queued, after: Option<Probe>) {
        let Queued {
            observed,
            held,
            written,
        } = queued;
        let overwrite = written
            .and(observed.pid)
            .map(|pid| (pid, observed.share, observed.path.clone()));
        self.handle_at(judge, observed, after);
        if let Some(group) = written {
            self.hot.unjudged_done(group);
        }
        if let Some((pid, share, path)) = overwrite {
            self.hot.overwrite_judged(pid, share, &path);
        }
        if let Some(pid) = held {
            self.hot.holds.judged(pid);
        }
    }

    /// The close of an overwrite: a before-probe waits for it.
    fn overwrite_closed(&self, observed: &Observed) -> bool {
        if observed.change != Change::Written
            || observed.is_dir
            || observed.share >= self.hot.shares.list.len()
        {
            return false;
        }
        let key = (
            observed.pid.unwrap_or(0),
            observed.share,
            observed.path.clone(),
        );
        self.hot.befores.lock().is_ok_and(|b| b.get(&key).is_some())
    }
}

/// The old path of the file `observed` renames or deletes, if it does.
pub(crate) fn gone_path(observed: &Observed) -> Option<&Path> {
    match &observed.change {
        Change::Renamed { from } => Some(from),
        Change::Deleted => Some(&observed.path),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn observed(path: &str, pid: u32) -> Observed {
        Observed {
            share: 0,
            path: PathBuf::from(path),
            change: Change::Written,
            is_dir: false,
            pid: Some(pid),
            audit: None,
            inode: None,
        }
    }

    fn written(path: &str, pid: u32) -> Queued {
        Queued {
            observed: observed(path, pid),
            held: None,
            written: None,
        }
    }

    #[test]
    fn a_close_waits_for_its_own_rename_and_no_longer() {
        let mut away = RenamedAway::default();
        let t0 = Instant::now();
        assert!(away.keep(written("a.jpg", 7), t0).is_none());
        assert!(
            away.take(0, Path::new("a.jpg"), Some(8)).is_none(),
            "another process"
        );
        assert!(
            away.take(1, Path::new("a.jpg"), Some(7)).is_none(),
            "another share"
        );
        assert!(
            away.take(0, Path::new("b.jpg"), Some(7)).is_none(),
            "another file"
        );
        let back = away
            .take(0, Path::new("a.jpg"), Some(7))
            .expect("its rename");
        assert_eq!(back.observed.path, PathBuf::from("a.jpg"));
        assert!(away.is_empty());
        away.keep(written("c.jpg", 7), t0);
        assert!(away.expired(t0 + WAIT / 2).is_empty());
        assert_eq!(away.expired(t0 + WAIT).len(), 1);
        assert!(away.is_empty());
    }

    #[test]
    fn the_oldest_goes_when_full() {
        let mut away = RenamedAway::default();
        let t0 = Instant::now();
        for i in 0..CAPACITY {
            assert!(away.keep(written(&format!("f{i}"), 7), t0).is_none());
        }
        let out = away.keep(written("last", 7), t0).expect("full");
        assert_eq!(out.observed.path, PathBuf::from("f0"));
    }

    #[test]
    fn renames_and_deletes_name_their_old_path() {
        let mut renamed = observed("a.jpg.x7k", 7);
        renamed.change = Change::Renamed {
            from: PathBuf::from("a.jpg"),
        };
        assert_eq!(gone_path(&renamed), Some(Path::new("a.jpg")));
        let mut deleted = observed("b.jpg", 7);
        deleted.change = Change::Deleted;
        assert_eq!(gone_path(&deleted), Some(Path::new("b.jpg")));
        assert_eq!(gone_path(&observed("c.jpg", 7)), None);
    }
}

//! New files whose probe waits (see `mamori-judge`'s `judge/calm.rs`).
//!
//! A calm actor's new file is not probed at its close: on a share
//! receiving a copy that probe was about a quarter of the guard's CPU per
//! file, for content that counts only beside a loss. The file is listed
//! here instead (its kept descriptor dropped: holding descriptors costs the
//! writers) and probed by path, then judged, the moment the actor turns out
//! to need it: before its first delete, rename or overwrite is judged, or
//! once it has marks. Entries older than the judge's burst window are
//! forgotten, as the judge forgets deletes to pair them with; a flood is
//! bounded by [`CAPACITY`], the oldest going first.

use super::Main;
use mamori_journal::Actor;
use mamori_judge::{FileEvent, FileOp, Judge, Probe};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Files waiting, all actors together.
pub(super) const CAPACITY: usize = 1024;

pub(super) struct Waiting {
    pub at: Instant,
    pub share: usize,
    pub path: PathBuf,
    pub actor: Actor,
}

pub(super) struct DeferredProbes {
    entries: VecDeque<Waiting>,
    window: Duration,
}

impl DeferredProbes {
    pub fn new(window: Duration) -> Self {
        DeferredProbes {
            entries: VecDeque::new(),
            window,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn push(&mut self, share: usize, path: PathBuf, actor: Actor, now: Instant) {
        self.expire(now);
        if self.entries.len() >= CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(Waiting {
            at: now,
            share,
            path,
            actor,
        });
    }

    /// The files of every actor sharing a key with `actor`, oldest first.
    pub fn take_for(&mut self, actor: &Actor, now: Instant) -> Vec<Waiting> {
        self.expire(now);
        if !self
            .entries
            .iter()
            .any(|w| mamori_judge::share_a_key(&w.actor, actor))
        {
            return Vec::new();
        }
        let (mine, others): (VecDeque<Waiting>, VecDeque<Waiting>) = self
            .entries
            .drain(..)
            .partition(|w| mamori_judge::share_a_key(&w.actor, actor));
        self.entries = others;
        mine.into()
    }

    fn expire(&mut self, now: Instant) {
        while self
            .entries
            .front()
            .is_some_and(|w| now.saturating_duration_since(w.at) > self.window)
        {
            self.entries.pop_front();
        }
    }
}

impl Main<'_> {
    /// Probes and judges the files of `actor` (and of actors sharing a key
    /// with it) whose probe waited. By path: their kept descriptors were
    /// dropped, so each costs the reader an own open to allow — rare, and
    /// only for an actor that deletes, renames or overwrites.
    pub(super) fn take_deferred(&mut self, judge: &mut Judge, actor: &Actor) {
        let waiting = self.deferred.take_for(actor, Instant::now());
        for file in waiting {
            let Some(share) = self.hot.shares.list.get(file.share) else {
                continue;
            };
            let share_name = share.name.clone();
            // Gone since (a temporary file): nothing to judge.
            let Ok(after) = Probe::of_file(&share.root.join(&file.path)) else {
                continue;
            };
            self.hot
                .stats
                .deferred_probes_taken
                .fetch_add(1, Ordering::Relaxed);
            let event = FileEvent {
                at: Instant::now(),
                share: share_name,
                actor: file.actor,
                op: FileOp::Written {
                    path: file.path,
                    before: None,
                    after,
                },
            };
            self.judge_event(judge, file.share, &event);
        }
    }

    /// Closes the descriptor kept for a file's probe, if any — outside the
    /// table's lock, which the permission reader takes at every open.
    pub(super) fn forget_kept(&self, abs: &Path) {
        drop(self.take_kept(abs));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(user: &str, pid: u32) -> Actor {
        Actor {
            user: Some(user.into()),
            pid: Some(pid),
            ..Actor::default()
        }
    }

    #[test]
    fn an_actor_takes_its_own_and_its_user_s_files_oldest_first() {
        let now = Instant::now();
        let mut waiting = DeferredProbes::new(Duration::from_secs(60));
        waiting.push(0, "a".into(), actor("bob", 1), now);
        waiting.push(0, "b".into(), actor("alice", 2), now);
        waiting.push(0, "c".into(), actor("bob", 3), now);
        let taken: Vec<PathBuf> = waiting
            .take_for(&actor("bob", 9), now)
            .into_iter()
            .map(|w| w.path)
            .collect();
        assert_eq!(taken, vec![PathBuf::from("a"), PathBuf::from("c")]);
        assert!(!waiting.is_empty());
        assert_eq!(waiting.take_for(&actor("alice", 2), now).len(), 1);
        assert!(waiting.is_empty());
    }

    #[test]
    fn old_files_are_forgotten_and_a_flood_is_bounded() {
        let start = Instant::now();
        let mut waiting = DeferredProbes::new(Duration::from_secs(60));
        waiting.push(0, "old".into(), actor("bob", 1), start);
        let later = start + Duration::from_secs(61);
        waiting.push(0, "new".into(), actor("bob", 1), later);
        let taken = waiting.take_for(&actor("bob", 1), later);
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].path, PathBuf::from("new"));
        for i in 0..CAPACITY + 10 {
            waiting.push(0, format!("f{i}").into(), actor("bob", 1), later);
        }
        let taken = waiting.take_for(&actor("bob", 1), later);
        assert_eq!(taken.len(), CAPACITY);
        assert_eq!(taken[0].path, PathBuf::from("f10"));
    }
}

//! The "verdict before the next file" barrier: which changes are read but
//! not judged yet, per actor group, so that a writer's next access waits
//! for the verdict on its last overwrite or delete (`Hot::wait_for_judgement`).
//!
//! An overwrite is counted when its close is read. The permission reader
//! reads closes (from the permission group's closes group, drained before
//! the next permission event it handles) and counts an overwrite by inode
//! at once ([`Barrier::closed`]); the notification side, read at idle
//! priority, hands the change to the main loop later and takes that count
//! over ([`Barrier::take_counted`]) instead of counting it again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Who waits for whose verdicts: the "verdict before the next file"
/// barrier is per actor. An SMB user is one actor across all its sessions
/// (a fast attack opens several, each of which would otherwise get its own
/// first file through); a local process (or an smbd not in a user's
/// context) is its own. Never keyed by client address: users behind one
/// NAT, terminal server or loopback must not wait on each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Group {
    Pid(u32),
    /// The effective uid of an smbd session child (Samba runs a session's
    /// file operations as its user).
    SmbUser(u32),
}

impl Group {
    /// (group, certain): an smbd caught in root context (between
    /// operations) is grouped by pid for now, not remembered.
    pub(crate) fn of_process(pid: u32) -> (Group, bool) {
        if !mamori_respond::attribution::is_smbd(pid) {
            return (Group::Pid(pid), true);
        }
        match mamori_respond::attribution::effective_uid(pid) {
            Some(uid) if uid != 0 => (Group::SmbUser(uid), true),
            _ => (Group::Pid(pid), false),
        }
    }
}

/// How long an overwrite in flight (first write allowed, close not judged
/// yet) holds the same user's other sessions' overwrites: long enough for
/// an encryptor's small file, short enough that a file kept open for
/// writing (a database, a mailbox) costs the user's other sessions at most
/// this much per overwrite while it is young.
pub(crate) const INFLIGHT: std::time::Duration = std::time::Duration::from_millis(50);

/// Unjudged changes per [`Group`], overwrites in flight, and the groups of
/// pids seen (all bounded).
#[derive(Default)]
pub(crate) struct Barrier {
    /// Unjudged changes per group, with the time of the latest.
    counts: HashMap<Group, (u32, std::time::Instant)>,
    groups: HashMap<u32, Group>,
    inflight: HashMap<(u32, usize, PathBuf), (Group, std::time::Instant)>,
    /// Overwrites whose first write was allowed, by (pid, dev, ino), until
    /// their close is read.
    open: HashMap<FileOfPid, Group>,
    /// Overwrites counted at their close, until the notification side
    /// hands the change over.
    counted: HashMap<FileOfPid, Group>,
}

/// The first write of a writer to existing content of a file.
#[derive(Clone, Copy)]
pub(crate) struct Overwrite<'a> {
    pub share: usize,
    pub rel: &'a Path,
    /// (dev, ino), when the file could be `fstat`ed.
    pub inode: Option<(u64, u64)>,
}

/// (pid, dev, ino): one writer's file.
pub(crate) type FileOfPid = (u32, u64, u64);

/// Entries of [`Barrier`]'s inode tables before the oldest go (a file
/// never closed, a count never taken over: the barrier's time limit
/// bounds what a lost entry costs).
const BY_INODE: usize = 1024;

/// A group's unjudged count not added to for this long is a lost one
/// (judging takes milliseconds); forgotten when the table fills.
const STALE_COUNT: std::time::Duration = std::time::Duration::from_secs(10);

impl Barrier {
    pub(crate) fn overwrite_started(
        &mut self,
        pid: u32,
        share: usize,
        rel: &Path,
        inode: Option<(u64, u64)>,
        group: Group,
    ) {
        if let Some((dev, ino)) = inode {
            if self.open.len() >= BY_INODE {
                self.open.clear();
            }
            self.open.insert((pid, dev, ino), group);
        }
        if self.inflight.len() >= 1024 {
            self.inflight.retain(|_, (_, at)| at.elapsed() < INFLIGHT);
            if self.inflight.len() >= 1024 {
                self.inflight.clear();
            }
        }
        self.inflight.insert(
            (pid, share, rel.to_path_buf()),
            (group, std::time::Instant::now()),
        );
    }

    /// The permission reader read the close of `file`: an overwrite's is
    /// counted now. Returns whether it was one.
    pub(crate) fn closed(&mut self, file: FileOfPid) -> bool {
        let Some(group) = self.open.remove(&file) else {
            return false;
        };
        self.add(group);
        if self.counted.len() >= BY_INODE {
            self.counted.clear();
        }
        self.counted.insert(file, group);
        true
    }

    /// The notification side hands over the close of `file`: the group it
    /// was counted under at the close, if it was; else the permission
    /// reader, reading that close later, must not count it (the caller does).
    pub(crate) fn take_counted(&mut self, file: FileOfPid) -> Option<Group> {
        let counted = self.counted.remove(&file);
        if counted.is_none() {
            self.open.remove(&file);
        }
        counted
    }

    /// Overwrites whose close the permission reader has not read yet.
    pub(crate) fn any_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// Changes counted and not judged yet.
    pub(crate) fn any_counted(&self) -> bool {
        !self.counts.is_empty()
    }

    pub(crate) fn overwrite_done(&mut self, pid: u32, share: usize, rel: &Path) {
        if !self.inflight.is_empty() {
            self.inflight.remove(&(pid, share, rel.to_path_buf()));
        }
    }

    /// Another pid of `group` has a young overwrite in flight.
    pub(crate) fn in_flight(&self, group: Group, pid: u32) -> bool {
        self.inflight
            .iter()
            .any(|((p, _, _), (g, at))| *g == group && *p != pid && at.elapsed() < INFLIGHT)
    }

    pub(crate) fn known(&self, pid: u32) -> Option<Group> {
        self.groups.get(&pid).copied()
    }

    pub(crate) fn remember(&mut self, pid: u32, group: Group, capacity: usize) {
        if self.groups.len() >= capacity.max(16) {
            self.groups.clear();
        }
        self.groups.insert(pid, group);
    }

    pub(crate) fn add(&mut self, group: Group) {
        let now = std::time::Instant::now();
        if self.counts.len() >= BY_INODE && !self.counts.contains_key(&group) {
            // Counts whose changes were lost (a close in an overflow, a
            // probe taken by the rescan) of pids long gone: only the
            // barrier's time limit would ever clear them.
            self.counts
                .retain(|_, (_, at)| now.saturating_duration_since(*at) < STALE_COUNT);
            if self.counts.len() >= BY_INODE {
                self.counts.clear();
            }
        }
        let entry = self.counts.entry(group).or_insert((0, now));
        entry.0 += 1;
        entry.1 = now;
    }

    pub(crate) fn done(&mut self, group: Group) {
        if let Some((count, _)) = self.counts.get_mut(&group) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.counts.remove(&group);
            }
        }
    }

    pub(crate) fn clear(&mut self, group: Group) {
        self.counts.remove(&group);
    }

    pub(crate) fn pending(&self, group: Group) -> bool {
        self.counts.contains_key(&group)
    }

    pub(crate) fn due(&self, pid: u32) -> bool {
        !self.counts.is_empty()
            && (self.pending(Group::Pid(pid)) || self.known(pid).is_some_and(|g| self.pending(g)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barrier_groups_sessions_of_one_user_and_keeps_others_apart() {
        let mut barrier = Barrier::default();
        // Two sessions of uid 1001, one of uid 1002, a local process.
        barrier.remember(10, Group::SmbUser(1001), 16);
        barrier.remember(11, Group::SmbUser(1001), 16);
        barrier.remember(12, Group::SmbUser(1002), 16);
        assert!(!barrier.due(10));
        barrier.add(Group::SmbUser(1001));
        assert!(
            barrier.due(10) && barrier.due(11),
            "the user's sessions wait"
        );
        assert!(!barrier.due(12), "another user never waits");
        assert!(!barrier.due(13), "a local process never waits on a user");
        barrier.add(Group::Pid(13));
        assert!(barrier.due(13) && !barrier.due(14));
        barrier.done(Group::SmbUser(1001));
        assert!(!barrier.due(11));
        barrier.done(Group::SmbUser(1001));
        assert!(!barrier.due(11), "a late decrement saturates");
        barrier.clear(Group::Pid(13));
        assert!(!barrier.due(13));
        // Overwrites in flight hold the same user's other sessions only.
        let user = Group::SmbUser(1001);
        barrier.overwrite_started(10, 0, Path::new("a.docx"), None, user);
        assert!(barrier.in_flight(user, 11));
        assert!(!barrier.in_flight(user, 10), "not its own");
        assert!(!barrier.in_flight(Group::SmbUser(1002), 12));
        barrier.overwrite_done(10, 0, Path::new("a.docx"));
        assert!(!barrier.in_flight(user, 11));
    }

    #[test]
    fn an_overwrite_is_counted_at_its_close_once() {
        let mut barrier = Barrier::default();
        let user = Group::SmbUser(1001);
        barrier.remember(10, user, 16);
        barrier.overwrite_started(10, 0, Path::new("a.docx"), Some((1, 100)), user);
        assert!(barrier.any_open());
        assert!(!barrier.due(10), "not before its close");
        assert!(!barrier.closed((10, 1, 101)), "another file");
        assert!(!barrier.closed((11, 1, 100)), "another writer");
        assert!(barrier.closed((10, 1, 100)));
        assert!(barrier.due(10), "the writer's next access waits");
        assert!(!barrier.any_open());
        assert!(
            !barrier.closed((10, 1, 100)),
            "a second close counts nothing"
        );
        // The notification side takes the count over, once.
        assert_eq!(barrier.take_counted((10, 1, 100)), Some(user));
        assert_eq!(barrier.take_counted((10, 1, 100)), None);
        barrier.done(user);
        assert!(!barrier.due(10));
        // Handed over before the reader read the close: counted once, by
        // the notification side's caller.
        barrier.overwrite_started(10, 0, Path::new("a.docx"), Some((1, 100)), user);
        assert_eq!(barrier.take_counted((10, 1, 100)), None);
        assert!(!barrier.closed((10, 1, 100)));
        assert!(!barrier.due(10));
    }

    #[test]
    fn counts_of_lost_changes_do_not_pile_up() {
        let mut barrier = Barrier::default();
        // Short-lived processes whose changes were never judged.
        for pid in 0..5 * BY_INODE as u32 {
            barrier.add(Group::Pid(pid));
            assert!(barrier.counts.len() <= BY_INODE);
        }
        let last = Group::Pid(5 * BY_INODE as u32 - 1);
        assert!(barrier.pending(last), "the newest count stays");
        barrier.done(last);
        assert!(!barrier.pending(last));
    }

    #[test]
    fn a_local_process_is_its_own_group() {
        let me = std::process::id();
        assert_eq!(Group::of_process(me), (Group::Pid(me), true));
    }
}

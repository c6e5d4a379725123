//! Ignore marks for the reads of files nobody writes.
//!
//! smbd reads a 16 KB file in about three `pread`s, each one pre-content
//! event the guard must answer, although reading changes nothing. When a
//! file is opened read-only and no description of it is open for writing,
//! the reader thread sets an evictable inode ignore mark for
//! `FAN_PRE_ACCESS`: its reads raise no more events. The safety argument
//! (docs/design/guard.md, "Read ignore marks") rests on three rules, all
//! applied by the one permission reader thread, in the order the kernel
//! queued the events:
//!
//! 1. every open permission event that may be a write (mode write or
//!    unknown) counts one writer of its inode and removes the inode's
//!    ignore mark before the open is allowed;
//! 2. a close-write event (same group, same mount mark, same queue)
//!    uncounts one; a close nobody was counted for puts the inode on the
//!    never-mark list, as does every close read before the queue was first
//!    seen empty after the startup scan;
//! 3. the startup scan, made after the group's marks exist, puts every
//!    inode some process holds open for writing on the never-mark list.
//!
//! Lost decrements (merged close events, opens that fail after their
//! permission) only leave a count too high: more events, never fewer.
//!
//! Creation marks use the same accounting for writes: a file found empty
//! at its open (typically created by it) has nothing a write could
//! destroy, so when that open is the inode's only writer (count 1, not on
//! the never-mark list) the reader sets an ignore mark for pre-content
//! events that survives modification, before allowing the open. Its
//! writes then raise no events. Any other open that may write lifts it
//! before being allowed (rule 1, as for read marks), so content written
//! under the mark is kept like any other before a later writer changes it.
//! The creator's close leaves it in place: a write needs an open that may
//! write, which lifts it first, and until then it only spares readers
//! their events (as a read mark would). Lifting it at the close cost a
//! `fanotify_mark` per new file, and the kernel hands a removed mark's
//! destruction to a workqueue: one more thread woken per new file.
//!
//! The tables are bounded; when one fills, every ignore mark is flushed
//! and the accounting starts again with a fresh scan.

use mamori_watch::{Pending, PermGroup};
use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;

type FileId = (u64, u64);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadMarkStats {
    pub marked: u64,
    /// Creation marks set (files found empty by their only writer).
    pub created: u64,
    pub heeded: u64,
    pub rebaselines: u64,
}

pub struct ReadMarks {
    /// Write descriptions per inode counted at their open events and not
    /// yet seen closed.
    writers: HashMap<FileId, u32>,
    /// Inodes that may have a writer the guard never counted.
    never: HashSet<FileId>,
    /// Inodes given an ignore mark (a superset: evicted marks stay listed).
    marked: HashSet<FileId>,
    capacity: usize,
    /// Until the queue is first seen empty after the last scan.
    startup: bool,
    /// While some actor is blocked: no marks, so its reads are held too.
    suspended: bool,
    /// The kernel refused a mark: no more tries.
    off: bool,
    /// The kernel refused a creation mark: no more of those.
    creation_off: bool,
    pub stats: ReadMarkStats,
}

impl ReadMarks {
    /// Call after the group's marks exist and before its first event is
    /// read: scans the processes for files open for writing.
    pub fn new(capacity: usize) -> Self {
        let mut marks = ReadMarks {
            writers: HashMap::new(),
            never: HashSet::new(),
            marked: HashSet::new(),
            capacity: capacity.max(64),
            startup: true,
            suspended: false,
            off: false,
            creation_off: false,
            stats: ReadMarkStats::default(),
        };
        marks.scan();
        marks
    }

    fn scan(&mut self) {
        self.startup = true;
        for id in open_for_writing() {
            self.never.insert(id);
        }
        if self.never.len() > self.capacity {
            tracing::warn!(
                "{} files open for writing: no read ignore marks",
                self.never.len()
            );
            self.off = true;
        }
    }

    /// Flushes every mark and starts the accounting again (a table is full).
    fn rebaseline(&mut self, group: &PermGroup) {
        self.stats.rebaselines += 1;
        self.flush(group);
        self.writers.clear();
        self.never.clear();
        self.scan();
    }

    fn flush(&mut self, group: &PermGroup) {
        if self.marked.is_empty() {
            return;
        }
        if let Err(e) = group.heed_all_reads() {
            tracing::error!("fanotify flush of read ignore marks failed: {e}");
            self.off = true;
        }
        self.marked.clear();
    }

    /// After each batch while starting: the queue seen empty ends the
    /// startup phase (every close queued before the scan has been read).
    pub fn starting(&self) -> bool {
        self.startup
    }

    pub fn queue_empty(&mut self) {
        self.startup = false;
    }

    /// Whether any actor is blocked now; flushes the marks when one is.
    pub fn set_blocked(&mut self, group: &PermGroup, blocked: bool) {
        if blocked && !self.suspended {
            self.flush(group);
        }
        self.suspended = blocked;
    }

    /// An open that may write (`mode` write or unknown): count it and lift
    /// the inode's ignore mark, before the open is allowed.
    pub fn opened_for_write(&mut self, group: &PermGroup, pending: &Pending, id: FileId) {
        if self.writers.len() >= self.capacity && !self.writers.contains_key(&id) {
            self.rebaseline(group);
        }
        *self.writers.entry(id).or_insert(0) += 1;
        if self.marked.remove(&id) {
            self.stats.heeded += 1;
            if let Err(e) = group.heed_reads(pending.fd()) {
                tracing::error!("fanotify ignore mark removal failed: {e}; flushing all");
                self.flush(group);
                if group.heed_all_reads().is_err() {
                    self.off = true;
                }
            }
        }
    }

    /// An open of an empty file, already counted by
    /// [`ReadMarks::opened_for_write`]: when it is the inode's only
    /// writer, ignore the file's pre-content events (its writes too) until
    /// the next open that may write (this writer's close leaves the mark).
    /// Call before the open is allowed.
    pub fn opened_empty(&mut self, group: &PermGroup, pending: &Pending, id: FileId) {
        if self.off
            || self.creation_off
            || self.startup
            || self.suspended
            || self.writers.get(&id) != Some(&1)
            || self.never.contains(&id)
        {
            return;
        }
        if self.marked.len() >= self.capacity {
            self.flush(group);
        }
        match group.ignore_accesses(pending.fd()) {
            Ok(()) => {
                self.marked.insert(id);
                self.stats.created += 1;
            }
            Err(e) => {
                tracing::warn!("no creation marks (the kernel refused one: {e})");
                self.creation_off = true;
            }
        }
    }

    /// An open for writing whose inode is unknown (its `fstat` failed):
    /// without an inode to lift the mark of, lift them all.
    pub fn opened_unknown(&mut self, group: &PermGroup) {
        self.flush(group);
    }

    /// A read-only open: mark the inode when nobody may be writing it.
    pub fn opened_for_read(&mut self, group: &PermGroup, pending: &Pending, id: FileId) {
        if self.off
            || self.startup
            || self.suspended
            || self.writers.contains_key(&id)
            || self.never.contains(&id)
            || self.marked.contains(&id)
        {
            return;
        }
        if self.marked.len() >= self.capacity {
            self.flush(group);
        }
        match group.ignore_reads(pending.fd()) {
            Ok(()) => {
                self.marked.insert(id);
                self.stats.marked += 1;
            }
            Err(e) => {
                tracing::warn!("no read ignore marks (the kernel refused one: {e})");
                self.off = true;
            }
        }
    }

    /// A close-write event (of another process than the guard).
    pub fn closed_write(&mut self, group: &PermGroup, id: FileId) {
        match self.writers.get_mut(&id) {
            Some(n) if !self.startup => {
                *n -= 1;
                if *n == 0 {
                    // A creation mark stays (module doc): the next open that
                    // may write lifts it before it is allowed.
                    self.writers.remove(&id);
                }
            }
            _ => {
                if self.never.len() >= self.capacity {
                    self.rebaseline(group);
                }
                self.never.insert(id);
            }
        }
    }
}

/// (device, inode) of every regular file some process holds open for
/// writing now, from `/proc/*/fd` and `fdinfo` (no file is opened).
pub fn open_for_writing() -> Vec<FileId> {
    let mut out = Vec::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    for proc_entry in procs.flatten() {
        let name = proc_entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(meta) = std::fs::metadata(fd.path()) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let info = format!("/proc/{pid}/fdinfo/{}", fd.file_name().to_string_lossy());
            let flags = std::fs::read_to_string(info).ok().and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            });
            // Unknown flags count as writing: more events, never fewer.
            if flags.is_none_or(|f| f & libc::O_ACCMODE as u32 != libc::O_RDONLY as u32) {
                out.push((meta.dev(), meta.ino()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_finds_our_own_file_open_for_writing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w");
        let file = std::fs::File::create(&path).unwrap();
        let meta = file.metadata().unwrap();
        let found = open_for_writing();
        assert!(found.contains(&(meta.dev(), meta.ino())));
        let reader = std::fs::File::open(dir.path().join("w")).unwrap();
        drop(file);
        let found = open_for_writing();
        assert!(!found.contains(&(meta.dev(), meta.ino())));
        drop(reader);
    }
}

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
//! events that survives modification, right after allowing the open (off
//! the opener's wait; a write quicker than the mark raises its event on a
//! file still empty, answered at once). Its writes then raise no events. Any other open that may write lifts it
//! before being allowed (rule 1, as for read marks), so content written
//! under the mark is kept like any other before a later writer changes it.
//! The creator's close leaves it in place: a write needs an open that may
//! write, which lifts it first, and until then it only spares readers
//! their events (as a read mark would). Lifting it at the close cost a
//! `fanotify_mark` per new file, and the kernel hands a removed mark's
//! destruction to a workqueue: one more thread woken per new file.
//!
//! Creators' closes: once the open that got a creation mark is answered,
//! the reader sets an ignore mark for close-after-write in the closes
//! group, so the creator's close is not queued (each close read cost the reader an event descriptor to
//! open, inspect and close: about 5 µs per new file). The creator is then
//! no longer counted in `writers` but listed in `unclosed` ("its close may
//! come unseen"), which keeps read marks off the inode as a count would.
//! The next open that may write lifts the close mark with the creation
//! mark, before it is allowed, and counts two writers: itself and the
//! creator, whose close may already have gone unseen — the count can stay
//! too high (more events, never fewer), never too low. A close read for an
//! inode still in `unclosed` (queued before the mark, or the mark refused)
//! is the creator's and only ends that listing.
//!
//! The tables are bounded; when one fills, every ignore mark is flushed
//! and the accounting starts again with a fresh scan.

use mamori_watch::PermGroup;
use std::collections::{HashMap, HashSet};
use std::os::fd::RawFd;

/// What the accounting asks of the kernel: the permission group's inode
/// ignore marks, each given a descriptor of the file. A trait so that the
/// rules above are tested without fanotify (the tests below).
pub trait InodeMarks {
    fn ignore_reads(&self, file: RawFd) -> std::io::Result<()>;
    fn heed_reads(&self, file: RawFd) -> std::io::Result<()>;
    fn heed_all_reads(&self) -> std::io::Result<()>;
    /// A creation mark: pre-content events ignored, surviving writes.
    fn ignore_accesses(&self, file: RawFd) -> std::io::Result<()>;
    fn ignore_closes(&self, file: RawFd) -> std::io::Result<()>;
    fn heed_closes(&self, file: RawFd) -> std::io::Result<()>;
    fn heed_all_closes(&self) -> std::io::Result<()>;
}

impl InodeMarks for PermGroup {
    fn ignore_reads(&self, file: RawFd) -> std::io::Result<()> {
        PermGroup::ignore_reads(self, file)
    }
    fn heed_reads(&self, file: RawFd) -> std::io::Result<()> {
        PermGroup::heed_reads(self, file)
    }
    fn heed_all_reads(&self) -> std::io::Result<()> {
        PermGroup::heed_all_reads(self)
    }
    fn ignore_accesses(&self, file: RawFd) -> std::io::Result<()> {
        PermGroup::ignore_accesses(self, file)
    }
    fn ignore_closes(&self, file: RawFd) -> std::io::Result<()> {
        PermGroup::ignore_closes(self, file)
    }
    fn heed_closes(&self, file: RawFd) -> std::io::Result<()> {
        PermGroup::heed_closes(self, file)
    }
    fn heed_all_closes(&self) -> std::io::Result<()> {
        PermGroup::heed_all_closes(self)
    }
}
use std::os::unix::fs::MetadataExt;

type FileId = (u64, u64);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadMarkStats {
    pub marked: u64,
    /// Creation marks set (files found empty by their only writer).
    pub created: u64,
    /// Of those, how many also had their creator's close left unqueued.
    pub closes_ignored: u64,
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
    /// Created inodes whose creator's close the closes group does not
    /// report (module doc): a writer that may still be open, uncounted.
    unclosed: HashSet<FileId>,
    capacity: usize,
    /// Until the queue is first seen empty after the last scan.
    startup: bool,
    /// While some actor is blocked: no marks, so its reads are held too.
    suspended: bool,
    /// The kernel refused a mark: no more tries.
    off: bool,
    /// The kernel refused a creation mark: no more of those.
    creation_off: bool,
    /// The kernel refused an ignore mark for a creator's close: creators
    /// are counted and their closes read, as other writers.
    close_marks_off: bool,
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
            unclosed: HashSet::new(),
            capacity: capacity.max(64),
            startup: true,
            suspended: false,
            off: false,
            creation_off: false,
            close_marks_off: false,
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
    fn rebaseline(&mut self, group: &impl InodeMarks) {
        self.stats.rebaselines += 1;
        self.flush(group);
        self.flush_closes(group);
        self.writers.clear();
        self.never.clear();
        self.scan();
    }

    fn flush(&mut self, group: &impl InodeMarks) {
        if self.marked.is_empty() {
            return;
        }
        if let Err(e) = group.heed_all_reads() {
            tracing::error!("fanotify flush of read ignore marks failed: {e}");
            self.off = true;
        }
        self.marked.clear();
    }

    /// Lifts every close mark: creators' closes are read again. Their
    /// writers, uncounted, go to the never-mark list until the next scan.
    fn flush_closes(&mut self, group: &impl InodeMarks) {
        if self.unclosed.is_empty() {
            return;
        }
        if let Err(e) = group.heed_all_closes() {
            tracing::error!("fanotify flush of close ignore marks failed: {e}");
            self.close_marks_off = true;
        }
        self.never.extend(self.unclosed.drain());
    }

    /// A flush of the close marks moves every listed creator to the
    /// never-mark list: past its capacity, start again (else the list grew
    /// by a table's worth with every flush under a storm of new files).
    fn bound_never(&mut self, group: &impl InodeMarks) {
        if self.never.len() > self.capacity {
            self.rebaseline(group);
        }
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
    pub fn set_blocked(&mut self, group: &impl InodeMarks, blocked: bool) {
        if blocked && !self.suspended {
            self.flush(group);
        }
        self.suspended = blocked;
    }

    /// An open that may write (`mode` write or unknown): count it and lift
    /// the inode's ignore mark, before the open is allowed.
    pub fn opened_for_write(&mut self, group: &impl InodeMarks, file: RawFd, id: FileId) {
        if self.writers.len() >= self.capacity && !self.writers.contains_key(&id) {
            self.rebaseline(group);
        }
        // A creator whose close may come unseen counts as a second writer.
        let creator = u32::from(self.unclosed.remove(&id));
        *self.writers.entry(id).or_insert(0) += 1 + creator;
        if creator == 1 {
            if let Err(e) = group.heed_closes(file) {
                // Its close, and this writer's, may go unseen: counts that
                // stay high, and barrier counts left to the notification
                // side's hand-over. Stop making such marks.
                tracing::error!("fanotify close ignore mark removal failed: {e}; flushing all");
                self.close_marks_off = true;
                self.flush_closes(group);
                self.bound_never(group);
            }
        }
        if self.marked.remove(&id) {
            self.stats.heeded += 1;
            if let Err(e) = group.heed_reads(file) {
                tracing::error!("fanotify ignore mark removal failed: {e}; flushing all");
                self.flush(group);
                if group.heed_all_reads().is_err() {
                    self.off = true;
                }
            }
        }
    }

    /// An open of an empty file, already counted by
    /// [`ReadMarks::opened_for_write`] and allowed (`file` is its event's
    /// descriptor): when it is the inode's only writer, ignore the file's
    /// pre-content events (its writes too) and this writer's close until
    /// the next open that may write (module doc).
    ///
    /// Called after the answer, to keep the opener's wait short: a write
    /// that comes before the mark raises its pre-content event on a file
    /// still empty, which the reader answers at once (nothing to keep).
    /// Events of other openers are read after the mark, as before.
    pub fn opened_empty(&mut self, group: &impl InodeMarks, file: RawFd, id: FileId) -> bool {
        if self.off
            || self.creation_off
            || self.startup
            || self.suspended
            || self.writers.get(&id) != Some(&1)
            || self.never.contains(&id)
        {
            return false;
        }
        if self.marked.len() >= self.capacity {
            self.flush(group);
        }
        match group.ignore_accesses(file) {
            Ok(()) => {
                self.marked.insert(id);
                self.stats.created += 1;
            }
            Err(e) => {
                tracing::warn!("no creation marks (the kernel refused one: {e})");
                self.creation_off = true;
                return false;
            }
        }
        true
    }

    /// The open of a file just given its creation mark
    /// ([`ReadMarks::opened_empty`] returned true) was allowed: leave its
    /// creator's close unqueued. Done after the answer, to keep the open's
    /// wait short; a close queued before the mark is read as the
    /// creator's ([`ReadMarks::closed_write`]).
    pub fn creator_allowed(&mut self, group: &impl InodeMarks, file: RawFd, id: FileId) {
        if self.close_marks_off || self.writers.get(&id) != Some(&1) {
            return;
        }
        if self.unclosed.len() >= self.capacity {
            self.flush_closes(group);
            self.bound_never(group);
        }
        // Listed first: a close read from here on is the creator's.
        self.writers.remove(&id);
        self.unclosed.insert(id);
        match group.ignore_closes(file) {
            Ok(()) => self.stats.closes_ignored += 1,
            Err(e) => {
                tracing::warn!("creators' closes are read (the kernel refused to ignore one: {e})");
                self.close_marks_off = true;
            }
        }
    }

    /// An open for writing whose inode is unknown (its `fstat` failed):
    /// without an inode to lift the mark of, lift them all.
    pub fn opened_unknown(&mut self, group: &impl InodeMarks) {
        self.flush(group);
    }

    /// A read-only open: mark the inode when nobody may be writing it.
    pub fn opened_for_read(&mut self, group: &impl InodeMarks, file: RawFd, id: FileId) {
        if self.off
            || self.startup
            || self.suspended
            || self.writers.contains_key(&id)
            || self.unclosed.contains(&id)
            || self.never.contains(&id)
            || self.marked.contains(&id)
        {
            return;
        }
        if self.marked.len() >= self.capacity {
            self.flush(group);
        }
        match group.ignore_reads(file) {
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
    pub fn closed_write(&mut self, group: &impl InodeMarks, id: FileId) {
        // The creator's close after all (its mark refused or gone): it was
        // not counted.
        if self.unclosed.remove(&id) {
            return;
        }
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
    use std::cell::RefCell;

    /// The kernel's marks as the accounting leaves them (descriptors stand
    /// for inodes: the tests give inode `n` descriptor `n`).
    #[derive(Default)]
    struct Kernel {
        reads: RefCell<HashSet<RawFd>>,
        accesses: RefCell<HashSet<RawFd>>,
        closes: RefCell<HashSet<RawFd>>,
    }

    impl InodeMarks for Kernel {
        fn ignore_reads(&self, file: RawFd) -> std::io::Result<()> {
            self.reads.borrow_mut().insert(file);
            Ok(())
        }
        fn heed_reads(&self, file: RawFd) -> std::io::Result<()> {
            // One ignore mask per inode: a read mark and a creation mark
            // are lifted together.
            self.reads.borrow_mut().remove(&file);
            self.accesses.borrow_mut().remove(&file);
            Ok(())
        }
        fn heed_all_reads(&self) -> std::io::Result<()> {
            self.reads.borrow_mut().clear();
            self.accesses.borrow_mut().clear();
            Ok(())
        }
        fn ignore_accesses(&self, file: RawFd) -> std::io::Result<()> {
            self.accesses.borrow_mut().insert(file);
            Ok(())
        }
        fn ignore_closes(&self, file: RawFd) -> std::io::Result<()> {
            self.closes.borrow_mut().insert(file);
            Ok(())
        }
        fn heed_closes(&self, file: RawFd) -> std::io::Result<()> {
            self.closes.borrow_mut().remove(&file);
            Ok(())
        }
        fn heed_all_closes(&self) -> std::io::Result<()> {
            self.closes.borrow_mut().clear();
            Ok(())
        }
    }

    const DEV: u64 = u64::MAX;

    fn started(capacity: usize) -> ReadMarks {
        let mut marks = ReadMarks::new(capacity);
        marks.queue_empty();
        marks
    }

    /// What the permission reader does for a file created by its opener.
    fn create(marks: &mut ReadMarks, kernel: &Kernel, n: u64) {
        let (fd, id) = (n as RawFd, (DEV, n));
        marks.opened_for_write(kernel, fd, id);
        if marks.opened_empty(kernel, fd, id) {
            marks.creator_allowed(kernel, fd, id);
        }
    }

    #[test]
    fn a_storm_of_new_files_keeps_every_table_bounded() {
        let kernel = Kernel::default();
        let mut marks = started(64);
        for n in 1..20_000u64 {
            create(&mut marks, &kernel, n);
            if n % 7 == 0 {
                // a close the group did report (its mark refused, say)
                marks.closed_write(&kernel, (DEV, n - 3));
            }
            if marks.starting() {
                marks.queue_empty();
            }
            for (name, len) in [
                ("writers", marks.writers.len()),
                ("never", marks.never.len()),
                ("marked", marks.marked.len()),
                ("unclosed", marks.unclosed.len()),
            ] {
                assert!(len <= 64 + 1, "{name}: {len} after {n} files");
            }
        }
        assert!(marks.stats.rebaselines > 0);
        assert!(marks.stats.created > 10_000, "creation marks go on");
    }

    #[test]
    fn an_open_that_may_write_lifts_the_read_mark_and_keeps_it_off_until_closed() {
        let kernel = Kernel::default();
        let mut marks = started(64);
        let (fd, id) = (5, (DEV, 5));
        marks.opened_for_read(&kernel, fd, id);
        assert!(kernel.reads.borrow().contains(&fd), "nobody writes it");
        marks.opened_for_write(&kernel, fd, id);
        assert!(
            !kernel.reads.borrow().contains(&fd),
            "lifted before the write"
        );
        marks.opened_for_read(&kernel, fd, id);
        assert!(!kernel.reads.borrow().contains(&fd), "a writer is open");
        marks.closed_write(&kernel, id);
        marks.opened_for_read(&kernel, fd, id);
        assert!(kernel.reads.borrow().contains(&fd), "its writer closed");
    }

    #[test]
    fn a_second_writer_of_a_new_file_counts_its_creator_too() {
        let kernel = Kernel::default();
        let mut marks = started(64);
        create(&mut marks, &kernel, 9);
        let (fd, id) = (9, (DEV, 9));
        assert!(kernel.accesses.borrow().contains(&fd), "creation mark");
        assert!(
            kernel.closes.borrow().contains(&fd),
            "creator's close unqueued"
        );
        marks.opened_for_write(&kernel, fd, id);
        assert!(!kernel.accesses.borrow().contains(&fd));
        assert!(!kernel.closes.borrow().contains(&fd));
        // One close read (whose, nobody knows): the other may be open.
        marks.closed_write(&kernel, id);
        marks.opened_for_read(&kernel, fd, id);
        assert!(!kernel.reads.borrow().contains(&fd));
    }

    #[test]
    fn closes_of_uncounted_writers_keep_their_files_unmarked() {
        let kernel = Kernel::default();
        let mut marks = started(64);
        // A writer opened before the guard: its close was never counted.
        marks.closed_write(&kernel, (DEV, 3));
        marks.opened_for_read(&kernel, 3, (DEV, 3));
        assert!(kernel.reads.borrow().is_empty());
        // While an actor is blocked nothing is marked.
        marks.set_blocked(&kernel, true);
        marks.opened_for_read(&kernel, 4, (DEV, 4));
        assert!(kernel.reads.borrow().is_empty());
    }

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

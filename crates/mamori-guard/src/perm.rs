//! The permission path: answers fanotify permission events.
//!
//! The reader thread answers most events at once (own pid; nothing blocked
//! and no first write to take a probe of). The rest go to worker threads
//! through a bounded queue; when the queue is full the event is allowed
//! (fail-open) and counted. Workers attribute unknown pids, deny blocked
//! actors, and on the first pre-content event of a writer for a file take
//! the probe of the old content (and the vault copy) before allowing.
//!
//! The reader also keeps the inode ignore marks ([`crate::read_marks`]):
//! read marks (reads of files nobody writes) and creation marks (a file
//! its only writer found empty raises no pre-content events while that
//! writer fills it: one round trip per new file instead of two). With
//! `MAMORI_GUARD_TRACE` set it times every answer ([`crate::trace`]).

mod befores;
mod beside;
mod handoff;
mod readers;
mod wake;

use crate::open_mode::{OpenMode, SyscallFiles};
use crate::read_marks::ReadMarks;
use crate::trace::Class;
use crate::vault::Preserver;
use crate::Hot;
pub use befores::{Before, Befores};
pub(crate) use beside::Beside;
use beside::Closes;
use mamori_judge::Probe;
use mamori_watch::{Pending, PermGroup, PermKind};
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::os::fd::AsRawFd;
use std::os::fd::FromRawFd;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
pub(crate) use wake::ReaderWake;

/// Read-only descriptors of files being written (from their writers'
/// open permission events), by (dev, ino), bounded: the oldest go first.
pub struct WrittenFiles {
    map: HashMap<(u64, u64), std::os::fd::OwnedFd>,
    order: std::collections::VecDeque<(u64, u64)>,
    capacity: usize,
}

impl WrittenFiles {
    pub fn new(capacity: usize) -> Self {
        WrittenFiles {
            map: HashMap::new(),
            order: std::collections::VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn insert(&mut self, dev: u64, ino: u64, fd: std::os::fd::OwnedFd) {
        if self.map.insert((dev, ino), fd).is_none() {
            self.order.push_back((dev, ino));
        }
        while self.map.len() > self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.map.remove(&oldest);
                }
                None => break,
            }
        }
        // Keys taken already leave stale entries in `order`; keep it short.
        if self.order.len() > self.capacity * 4 {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }

    pub fn take(&mut self, dev: u64, ino: u64) -> Option<std::os::fd::OwnedFd> {
        self.map.remove(&(dev, ino))
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// (pid, dev, ino) pairs whose pre-content events need no more work until
/// the pid opens the file again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Opened read-only: its pre-content events are reads, no work.
    Read,
    /// Opened for writing; the first pre-content event still needs work.
    WritePending,
    /// The first pre-content event was handled.
    Done,
}

struct Seen {
    map: HashMap<(u32, u64, u64), Mark>,
    capacity: usize,
}

impl Seen {
    /// At a pre-content event: `true` when no work is needed.
    fn check_and_mark(&mut self, key: (u32, u64, u64)) -> bool {
        match self.map.get(&key) {
            Some(Mark::Read) | Some(Mark::Done) => true,
            _ => {
                self.insert(key, Mark::Done);
                false
            }
        }
    }

    /// At an open: what the opener asked for (`None` = unknown).
    fn opened(&mut self, key: (u32, u64, u64), mode: Option<OpenMode>) {
        match mode {
            Some(m) if !m.write => {
                if self.map.get(&key) != Some(&Mark::WritePending) {
                    self.insert(key, Mark::Read);
                }
            }
            Some(_) => self.insert(key, Mark::WritePending),
            None => {
                self.map.remove(&key);
            }
        }
    }

    fn insert(&mut self, key: (u32, u64, u64), mark: Mark) {
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        self.map.insert(key, mark);
    }
}

/// Pids found not blocked, valid while the blocklist generation is unchanged.
struct Clean {
    map: HashMap<u32, u64>,
    capacity: usize,
}

/// An event on its way to a worker: when it was read, what it is, and for
/// an open how its opener opens the file (as the reader read it from the
/// opener's syscall; `None`: unknown, or not asked for an empty file).
type Handed = (Pending, Option<Instant>, Class, Option<OpenMode>);

/// Starts the permission readers (see [`readers`]): one, or one pinned to
/// each CPU (`[watch] readers`). Besides its group the lead reader reads
/// the closes group, and with `[watch] one_reader` the notification side;
/// else the alarm group gets a thread of its own ([`Beside`]).
pub(crate) fn start(
    group: PermGroup,
    hot: Arc<Hot>,
    workers: usize,
    queue: usize,
    beside: Beside,
    readers: usize,
) {
    let _ = hot.inode_marks.set(group.flusher());
    let (sender, receiver) = handoff::bounded::<Handed>(queue);
    let clean = Arc::new(Mutex::new(Clean {
        map: HashMap::new(),
        capacity: hot.limits.pids,
    }));
    for n in 0..workers {
        let receiver = receiver.clone();
        let hot = hot.clone();
        let clean = clean.clone();
        let _ = std::thread::Builder::new()
            .name(format!("perm-worker-{n}"))
            .spawn(move || worker(receiver, hot, clean));
    }
    let notify = match beside {
        Beside::Notify(notify) => Some(notify),
        Beside::Alarm(alarm) => {
            beside::spawn_alarm_reader(alarm, hot.clone());
            None
        }
    };
    let tables = Tables {
        closes: Closes::new(),
        seen: Seen {
            map: HashMap::new(),
            capacity: hot.limits.probes,
        },
        known: std::collections::HashSet::new(),
        syscalls: SyscallFiles::new(hot.limits.pids),
        // Made here, after the group's marks and before its first event is read.
        marks: hot.pre_content.then(|| ReadMarks::new(hot.limits.probes)),
        buf: vec![0u8; 64 * 1024],
        batch: Vec::with_capacity(256),
    };
    let shared = Shared {
        group,
        hot,
        sender,
        clean,
        tables: Mutex::new(tables),
        own: std::process::id(),
    };
    readers::spawn(shared, notify, readers);
}

/// What every permission reader uses. Field order is drop order: the group
/// closes before the last `Hot` goes (dropping the vault writes files, and
/// a pre-content event with nobody left to read the group would wait
/// forever).
pub(crate) struct Shared {
    group: PermGroup,
    hot: Arc<Hot>,
    sender: handoff::Sender<Handed>,
    clean: Arc<Mutex<Clean>>,
    /// Taken to read a batch and held until it is handled: with several
    /// readers the batches are still read and handled one at a time, in
    /// the order the kernel queued them.
    tables: Mutex<Tables>,
    own: u32,
}

/// The readers' bookkeeping, behind [`Shared::tables`].
pub(crate) struct Tables {
    closes: Closes,
    seen: Seen,
    /// Pids attributed once already (while the process waited, so an smbd
    /// is still in its user's context).
    known: std::collections::HashSet<u32>,
    syscalls: SyscallFiles,
    marks: Option<ReadMarks>,
    buf: Vec<u8>,
    batch: Vec<Pending>,
}

impl Shared {
    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        // A reader that panicked left the tables as they were: go on.
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The lead reader's look before it waits, at the start: once the
    /// queue was found empty, the read marks may be set.
    fn note_queue_empty(&self, tables: &mut Tables) {
        if let Some(marks) = tables.marks.as_mut() {
            if marks.starting() && !self.group.wait(0) {
                marks.queue_empty();
            }
        }
    }

    /// The closes due, when the wait ended without events.
    fn drain_closes_if_due(&self, tables: &mut Tables) {
        let Tables { closes, marks, .. } = tables;
        closes.drain_if_due(&self.group, &self.hot, marks.as_mut());
    }

    /// Reads one batch (blocking unless the group is non-blocking) and
    /// handles it; with nothing read, returns at once. False when the read
    /// failed: the caller pauses, with the tables' lock let go.
    fn read_and_handle(&self, tables: &mut Tables) -> bool {
        let hot = &self.hot;
        let group = &self.group;
        let Tables {
            closes,
            seen,
            known,
            syscalls,
            marks,
            buf,
            batch,
        } = tables;
        if let Err(e) = group.read(buf, batch) {
            tracing::error!("fanotify permission read failed: {e}");
            hot.stats.perm_errors.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        if batch.is_empty() {
            // Interrupted (the stop signal), or another reader took it.
            return true;
        }
        let (sender, clean, own) = (&self.sender, &self.clean, self.own);
        hot.trace.add(&hot.trace.hops.reader_polls, 1);
        // After the read, before the events (see `Closes::drain_for_barrier`).
        closes.drain_for_barrier(group, hot, marks.as_mut());
        let read_at = hot.trace.now();
        hot.trace.add(&hot.trace.hops.perm_batches, 1);
        if let Some(marks) = marks.as_mut() {
            marks.set_blocked(group, hot.blocklist.any());
            let s = &hot.stats;
            s.read_marks.store(marks.stats.marked, Ordering::Relaxed);
            s.read_marks_lifted
                .store(marks.stats.heeded, Ordering::Relaxed);
            s.creation_marks
                .store(marks.stats.created, Ordering::Relaxed);
            s.creator_closes_ignored
                .store(marks.stats.closes_ignored, Ordering::Relaxed);
        }
        for pending in batch.drain(..) {
            hot.stats.perm_events.fetch_add(1, Ordering::Relaxed);
            if pending.pid == own {
                hot.stats.own_events.fetch_add(1, Ordering::Relaxed);
                pending.allow();
                hot.trace.answered(Class::Other, read_at);
                continue;
            }
            if pending.pid == 0 {
                // Outside our pid namespace: how it opens is unknown.
                if let (Some(marks), PermKind::Open) = (marks.as_mut(), pending.kind) {
                    match pending.dev_ino() {
                        Some(id) => marks.opened_for_write(group, pending.fd(), id),
                        None => marks.opened_unknown(group),
                    }
                }
                pending.allow();
                hot.trace.answered(Class::Other, read_at);
                continue;
            }
            let blocked_any = hot.blocklist.any();
            let mut needs_work = false;
            // A verdict on this pid's last overwrite or delete may be due.
            needs_work |= hot.barrier_due(pending.pid);
            if !known.contains(&pending.pid) {
                if known.len() >= hot.limits.pids {
                    known.clear();
                }
                known.insert(pending.pid);
                needs_work = true;
            }
            if blocked_any {
                let generation = hot.blocklist.generation();
                let known_clean = clean
                    .lock()
                    .ok()
                    .and_then(|c| c.map.get(&pending.pid).copied())
                    == Some(generation);
                needs_work = !known_clean;
            }
            // One fstat per event: (dev, ino, size).
            let stat = pending.stat();
            let mut opened_empty = false;
            // A creation mark is due once the open is answered (then its
            // creator's close is left unqueued too).
            let mut creation_mark = false;
            let mut opened_mode = None;
            match pending.kind {
                PermKind::Open => {
                    if hot.pre_content {
                        // An empty file (typically being created) has nothing
                        // a truncation could lose and nothing to probe: no
                        // need to ask how it is opened.
                        let empty = stat.is_some_and(|(_, _, size)| size == 0);
                        // (The read ignore marks count such an open as a
                        // writer: more events, never fewer.)
                        let mode = if empty {
                            None
                        } else {
                            let classifying = hot.trace.now();
                            let mode = syscalls.mode_of(pending.pid, pending.tid);
                            let hops = &hot.trace.hops;
                            hot.trace.add(&hops.classify, 1);
                            hot.trace.add_since(&hops.classify_ns, classifying);
                            hot.trace
                                .add(&hops.classify_threads, syscalls.last_threads as u64);
                            mode
                        };
                        opened_empty = empty;
                        opened_mode = mode;
                        if let Some((dev, ino, _)) = stat {
                            seen.opened((pending.pid, dev, ino), opened_mode);
                        }
                        if let Some(marks) = marks.as_mut() {
                            match (stat, mode) {
                                (Some((dev, ino, _)), Some(m)) if !m.write => {
                                    marks.opened_for_read(group, pending.fd(), (dev, ino))
                                }
                                (Some((dev, ino, _)), _) => {
                                    marks.opened_for_write(group, pending.fd(), (dev, ino));
                                    // Nothing to keep while its only writer
                                    // fills it: no pre-content events, unless
                                    // this event needs a worker (a block, the
                                    // barrier: see below).
                                    creation_mark = empty && !needs_work && !blocked_any;
                                }
                                (None, Some(m)) if !m.write => {}
                                (None, _) => marks.opened_unknown(group),
                            }
                        }
                        // O_TRUNC empties the file after this event and
                        // before any pre-content event: keep it now.
                        needs_work |= opened_mode.is_some_and(|m| m.write && m.truncate);
                    } else {
                        // Without pre-content events every writer's probe
                        // and vault copy are taken at its open (as the first
                        // write of each open would take them): ask how it
                        // opens a non-empty file (unknown counts as a write).
                        let empty = stat.is_some_and(|(_, _, size)| size == 0);
                        opened_empty = empty;
                        opened_mode = if empty {
                            None
                        } else {
                            syscalls.mode_of(pending.pid, pending.tid)
                        };
                        needs_work |= !empty && opened_mode.is_none_or(|m| m.write);
                    }
                }
                PermKind::ClosedWrite => {}
                PermKind::PreAccess { .. } => {
                    // An empty file (typically just created) has no old
                    // content to probe or keep: the reader answers at once.
                    // A truncating open already had its probe at open time.
                    needs_work |= stat.is_some_and(|(dev, ino, size)| {
                        !seen.check_and_mark((pending.pid, dev, ino)) && size > 0
                    });
                }
            }
            let class = match (pending.kind, needs_work) {
                (PermKind::Open, true) => Class::OpenWorker,
                (PermKind::Open, false) if opened_empty => Class::OpenNew,
                (PermKind::Open, false) => Class::OpenExisting,
                (_, true) => Class::AccessWorker,
                (_, false) if stat.is_some_and(|(_, _, size)| size == 0) => Class::AccessNew,
                (_, false) => Class::AccessNoWork,
            };
            if !needs_work {
                // A file opened for writing (or being created): keep the
                // event's descriptor for the probe after its close.
                let writer = pending.kind == PermKind::Open
                    && (opened_empty || opened_mode.is_some_and(|m| m.write));
                match (writer, stat) {
                    (true, Some((dev, ino, _))) => {
                        if let Some(fd) = pending.allow_keeping_file() {
                            // After the answer: the creator is on its way,
                            // and the marks are off its wait.
                            if let (true, Some(marks)) = (creation_mark, marks.as_mut()) {
                                if marks.opened_empty(group, fd.as_raw_fd(), (dev, ino)) {
                                    marks.creator_allowed(group, fd.as_raw_fd(), (dev, ino));
                                }
                            }
                            keep_for_probe(hot, (dev, ino), fd);
                        }
                    }
                    _ => pending.allow(),
                }
                hot.trace.answered(class, read_at);
                continue;
            }
            hot.trace.add(&hot.trace.hops.to_worker, 1);
            match sender.try_send((pending, read_at, class, opened_mode)) {
                Ok(()) => {}
                Err((pending, ..)) => {
                    hot.stats.perm_dropped.fetch_add(1, Ordering::Relaxed);
                    pending.allow();
                }
            }
        }
        // Every answer given: the closes nobody waits for.
        closes.drain_if_due(group, hot, marks.as_mut());
        true
    }
}

/// Keeps a writer's event descriptor for the main loop's probe after its
/// close (`Hot::written_files`): a file opened again by path raises events
/// of our own.
fn keep_for_probe(hot: &Hot, (dev, ino): (u64, u64), fd: std::os::fd::OwnedFd) {
    if let Ok(mut files) = hot.written_files.lock() {
        files.insert(dev, ino, fd);
    }
}

/// After a failed read: not a busy loop of failures.
fn pause_after_failed_read() {
    std::thread::sleep(Duration::from_millis(100));
}

fn worker(receiver: handoff::Receiver<Handed>, hot: Arc<Hot>, clean: Arc<Mutex<Clean>>) {
    while let Some((pending, read_at, class, mode)) = receiver.recv() {
        // A panic while handling drops `pending`, which allows it.
        handle(pending, mode, &hot, &clean);
        hot.trace.answered(class, read_at);
    }
}

fn handle(pending: Pending, mode: Option<OpenMode>, hot: &Hot, clean: &Mutex<Clean>) {
    let actor = hot.actor_of(pending.pid);
    let Some(path) = pending.path() else {
        pending.allow();
        return;
    };
    let Some((share, rel)) = hot.shares.locate(&path) else {
        pending.allow();
        return;
    };
    let mode = mode.filter(|_| pending.kind == PermKind::Open);
    let truncating = mode.is_some_and(|m| m.write && m.truncate);
    let truncate = truncating
        || matches!(
            pending.kind,
            PermKind::PreAccess {
                offset: 0,
                count: 0
            }
        );
    let writing = match pending.kind {
        // With pre-content events the copy waits for the first write,
        // unless the open itself empties the file.
        PermKind::Open if hot.pre_content => truncating,
        // Not the descriptors the opener holds: smbd reopens a file
        // through an `O_PATH` descriptor of it, which reads as read-only.
        PermKind::Open => mode.is_none_or(|m| m.write),
        _ => open_for_write(pending.pid, &pending).unwrap_or(true),
    };
    // Nothing to keep of an empty file (typically one the writer just created).
    let has_content = writing && pending.size().is_none_or(|size| size > 0);
    // The verdict on this actor's previous overwrite or delete (any
    // session of the same SMB user) may be a moment away: wait for it, so
    // the block lands before the next file changes (Samba opens the
    // share's directories for every operation, deletes included, so this
    // paces deletes too).
    let inode = pending.dev_ino();
    let overwrite = has_content.then_some(crate::barrier::Overwrite {
        share,
        rel: rel.as_path(),
        inode,
    });
    let waiting = hot.trace.now();
    if hot.wait_for_judgement(pending.pid, overwrite, Duration::from_millis(100)) {
        hot.trace.add(&hot.trace.hops.barrier_waits, 1);
        hot.trace
            .add_since(&hot.trace.hops.barrier_wait_ns, waiting);
    }
    if overwrite.is_some() {
        // Its close and what follows are read at normal priority until the
        // verdict (see `Hot::verdicts_awaited`).
        hot.urge_notify();
    }
    if hot.blocklist.any() {
        let generation = hot.blocklist.generation();
        let incident = hot.blocklist.by_pid(pending.pid).or_else(|| {
            let incident = hot.blocklist.by_actor(&actor);
            if let Some(id) = &incident {
                hot.blocklist.add_pid(id, pending.pid);
            }
            incident
        });
        if let Some(incident) = incident {
            hot.stats.perm_denied.fetch_add(1, Ordering::Relaxed);
            hot.note_denied(pending.pid, &incident, share, &rel);
            pending.deny();
            return;
        }
        if let Ok(mut clean) = clean.lock() {
            if clean.map.len() >= clean.capacity {
                clean.map.clear();
            }
            clean.map.insert(pending.pid, generation);
        }
    }
    if !has_content {
        // A writer's open, as the reader keeps it: its descriptor serves
        // the probe after its close (else the main loop opens the file
        // again by path, two events of our own).
        let writer = pending.kind == PermKind::Open
            && (mode.is_some_and(|m| m.write) || pending.size() == Some(0));
        match (writer, pending.dev_ino()) {
            (true, Some((dev, ino))) => {
                if let Some(fd) = pending.allow_keeping_file() {
                    keep_for_probe(hot, (dev, ino), fd);
                }
            }
            _ => pending.allow(),
        }
        return;
    }
    let preserving = hot.trace.now();
    // SAFETY: borrow the event's descriptor without taking ownership.
    let file = ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(pending.fd()) });
    // Through the event's descriptor: an open of our own would raise events.
    let probe = Probe::of_open_file(&file)
        .or_else(|_| Probe::of_file(&path))
        .unwrap_or_default();
    let vault = hot.vault.as_ref().and_then(|vault| {
        let session = session_key(pending.pid);
        vault.preserve(
            &hot.shares.list[share].name,
            &rel,
            &file,
            truncate,
            &session,
        )
    });
    hot.stats.probes.fetch_add(1, Ordering::Relaxed);
    hot.trace.add(&hot.trace.hops.preserves, 1);
    hot.trace.add_since(&hot.trace.hops.preserve_ns, preserving);
    if let Ok(mut befores) = hot.befores.lock() {
        befores.insert(
            (pending.pid, share, rel),
            Before {
                probe,
                vault,
                at: Instant::now(),
                inode,
            },
        );
    }
    pending.allow();
}

/// A session key for the vault: pid and its start time.
pub fn session_key(pid: u32) -> String {
    match mamori_respond::attribution::start_time(pid) {
        Some(start) => format!("{pid}@{start}"),
        None => pid.to_string(),
    }
}

/// Whether `pid` holds the event's file open for writing: `Some(false)` if
/// every descriptor it has on the file is read-only, `None` if none was
/// found (e.g. a truncating open still in progress: treated as a write).
fn open_for_write(pid: u32, pending: &Pending) -> Option<bool> {
    let (dev, ino) = pending.dev_ino()?;
    let dir = format!("/proc/{pid}/fd");
    let mut found = false;
    for entry in std::fs::read_dir(&dir).ok()?.flatten() {
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        use std::os::unix::fs::MetadataExt;
        if meta.dev() != dev || meta.ino() != ino {
            continue;
        }
        found = true;
        let info = Path::new("/proc")
            .join(pid.to_string())
            .join("fdinfo")
            .join(entry.file_name());
        let flags = std::fs::read_to_string(info).ok().and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        });
        if flags.is_none_or(|f| f & libc::O_ACCMODE as u32 != libc::O_RDONLY as u32) {
            return Some(true);
        }
    }
    found.then_some(false)
}

#[allow(dead_code)]
fn _assert_preserver_object_safe(_: &dyn Preserver) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open_mode::mode_of_syscall;

    #[test]
    fn open_modes_from_syscall_lines() {
        let line = |flags: i32| {
            format!(
                "{} 0xffffff9c 0x7ffd1234 0x{:x} 0x1b6 0x0 0x0 0x7ffc 0x7f",
                libc::SYS_openat,
                flags
            )
        };
        assert_eq!(
            mode_of_syscall(&line(libc::O_RDONLY)),
            Some(OpenMode {
                write: false,
                truncate: false
            })
        );
        assert_eq!(
            mode_of_syscall(&line(libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC)),
            Some(OpenMode {
                write: true,
                truncate: true
            })
        );
        assert_eq!(
            mode_of_syscall("0 0x3 0x7f 0x1000 0x0 0x0 0x0 0x7ffc 0x7f"),
            None
        );
        assert_eq!(mode_of_syscall("running"), None);
    }

    #[test]
    fn read_only_opens_need_no_work_until_a_write_open() {
        let mut seen = Seen {
            map: HashMap::new(),
            capacity: 16,
        };
        let key = (1, 2, 3);
        let ro = Some(OpenMode {
            write: false,
            truncate: false,
        });
        let rw = Some(OpenMode {
            write: true,
            truncate: false,
        });
        seen.opened(key, ro);
        assert!(seen.check_and_mark(key));
        seen.opened(key, rw);
        seen.opened(key, ro);
        assert!(
            !seen.check_and_mark(key),
            "the write's first access still needs its probe"
        );
        assert!(seen.check_and_mark(key));
        seen.opened(key, None);
        assert!(!seen.check_and_mark(key));
    }

    #[test]
    fn written_files_stay_bounded_oldest_out() {
        let mut files = WrittenFiles::new(4);
        for ino in 0..10u64 {
            let fd = std::os::fd::OwnedFd::from(std::fs::File::open("/dev/null").unwrap());
            files.insert(1, ino, fd);
            if ino % 2 == 0 {
                assert!(files.take(1, ino).is_some());
            }
        }
        assert!(files.len() <= 4);
        assert!(files.take(1, 9).is_some(), "the newest stays");
        assert!(files.take(1, 1).is_none(), "the oldest went");
        assert!(files.take(1, 9).is_none(), "taken once");
    }
}

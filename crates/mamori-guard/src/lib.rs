//! The ransomware guard: watch → judge → respond.
//!
//! Design: threads joined by bounded queues, so an event storm costs CPU,
//! never unbounded memory.
//! - `perm-reader` ([`perm`]; with `[watch] readers` also `perm-reader-N`,
//!   one pinned to each CPU) answers fanotify permission events; most at
//!   once, the rest through `perm-worker`s (attribution of an unknown pid
//!   while something is blocked; the probe of a file's old content and the
//!   vault copy at a writer's first pre-content event, or at its open on a
//!   kernel without pre-content events, where each open of a non-empty
//!   file is classified from the opener's syscall). Every event is
//!   answered, and answered "allow" on any doubt (fail-open). Besides, it
//!   drains the closes group (writer counts, and the verdict barrier's
//!   count of an overwrite at its close: [`barrier`]) after its batches.
//!   While no close is due it sleeps in `read` on its group alone (one
//!   wake-up per batch); stopping, the guard wakes it with a signal.
//! - `alarm-reader` reads the alarm group (deletes and renames, to hold
//!   their smbd at once), at the permission reader's priority.
//! - `notify-reader` (`core/notify.rs`) turns fanotify notification events
//!   into [`mamori_watch::Observed`] changes, handed to the main loop in
//!   batches (`core/queue.rs`) that wake it only for changes somebody
//!   waits for (new files wait ≤ 20 ms). It runs at idle priority and
//!   reads every 20 ms while nobody waits, promptly while an overwrite or
//!   delete awaits its verdict. With `[watch] one_reader` the
//!   `perm-reader` thread does this instead, without the alarm group. In
//!   the inotify fallback an `inotify-reader` thread does it.
//! - [`hold`]: `alarm-reader` or the notify side, whichever reads the
//!   event first, stops (`SIGSTOP`) an smbd
//!   session child that deleted or renamed a file until the main loop has
//!   judged it (deletes raise no permission event), bounded in time and
//!   undone by a watchdog process if the guard dies;
//! - the main thread ([`core`]) attributes each change to an actor, feeds
//!   the judge, journals what an incident's actor touches, climbs the
//!   response ladder on a verdict, polls the journal for releases and
//!   handles queue overflows by rescanning (a rescanned file is judged as
//!   its writer's where the permission path still holds its old content's
//!   probe: `core/overflow.rs`);
//! - `refusals`: what a blocked actor still tries (its refused opens)
//!   becomes `blocked_attempts` alerts, at most one a minute per incident;
//! - [`rollback`]: shortly after a block, puts back from the vault what
//!   the blocked actor changed before it (per share, on by default).
//! - `lazy`: the main loop, `vault-links` and `notify-reader` run at idle
//!   CPU priority while they only judge, link and name new files (smbd
//!   keeps the CPU), and at normal priority whenever somebody waits for
//!   them or they starve.
//!
//! Invariants:
//! - the guard never blocks a share by dying: permission events pending in
//!   the kernel are allowed when the fanotify descriptor closes (process
//!   exit, crash or kill -9), and every in-process path answers "allow";
//! - incident state lives in the journal: on start, incidents still
//!   `blocked` block their actors again; `mamori guard release` marks an
//!   incident `released` in the journal and a running guard lifts the block
//!   within a second;
//! - `STATE/guard.pid` exists while a guard runs; finding it with a dead pid
//!   at start means the previous guard did not stop cleanly (alerted).

mod alerts;
mod barrier;
pub mod config;
mod core;
pub mod failure;
mod hold;
mod incidents;
mod lazy;
mod open_mode;
mod own_writes;
mod perm;
mod read_marks;
mod recent_touches;
mod refusals;
pub mod rollback;
pub mod state;
mod trace;
pub mod upkeep;
pub mod vault;

pub use config::{Backend, ConfigError, GuardConfig};
pub use own_writes::with_own_descriptors;

use barrier::{Barrier, Group, Overwrite, INFLIGHT};
use mamori_core::Lang;
use mamori_journal::Actor;
use mamori_respond::{Attributor, Blocklist};
use mamori_watch::{Share, Shares};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("share {name}: {path}: {reason}")]
    Share {
        name: String,
        path: PathBuf,
        reason: String,
    },
    #[error("another mamori guard (pid {pid}) is running on state directory {state_dir}")]
    AlreadyRunning { pid: u32, state_dir: PathBuf },
    #[error("cannot watch the shares: {0}")]
    Watch(#[from] mamori_watch::WatchError),
    #[error("state directory {path}: {source}")]
    State {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("alert journal: {0}")]
    Alert(#[from] mamori_alert::AlertError),
}

impl GuardError {
    /// Bad input (exit code 2) rather than a failure while running.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            GuardError::Config(_) | GuardError::Share { .. } | GuardError::AlreadyRunning { .. }
        )
    }
}

pub struct GuardOptions {
    /// (share name, directory)
    pub shares: Vec<(String, PathBuf)>,
    pub state_dir: PathBuf,
    pub smb_conf: Option<PathBuf>,
    pub config: GuardConfig,
    pub lang: Lang,
}

/// Told to the caller once every share is watched.
#[derive(Debug, Clone)]
pub struct Ready {
    /// `fanotify` or `inotify`.
    pub backend: &'static str,
    /// Pre-content events (probe and copy before the first write) active.
    pub pre_content: bool,
    /// Permission events name the waiting thread (`FAN_REPORT_TID`).
    pub thread_ids: bool,
    /// Renames come as one `FAN_RENAME` event (else paired from two moves).
    pub rename_events: bool,
    pub shares: usize,
    /// Blocks restored from the journal.
    pub reloaded_blocks: usize,
    /// The previous guard's pid when it did not stop cleanly.
    pub unclean_previous: Option<u32>,
    /// Files with a link in the vault once the start-up sweep finished
    /// (`ready` comes after it: every file there now survives a delete).
    pub vault_linked: usize,
}

/// Counters, reported when the guard stops.
#[derive(Default)]
pub struct Stats {
    pub perm_events: AtomicU64,
    /// Permission events of the guard's own process (its vault's folders
    /// raise none: `mamori_watch::fanotify::IgnoredFolders`).
    pub own_events: AtomicU64,
    pub perm_denied: AtomicU64,
    pub perm_dropped: AtomicU64,
    pub perm_errors: AtomicU64,
    pub probes: AtomicU64,
    pub changes: AtomicU64,
    pub overflows: AtomicU64,
    /// Read ignore marks set, and lifted again by a writer's open.
    pub read_marks: AtomicU64,
    pub read_marks_lifted: AtomicU64,
    /// Creation marks set (writes of a file its only writer found empty).
    pub creation_marks: AtomicU64,
    /// Creators' closes left unqueued with their creation marks.
    pub creator_closes_ignored: AtomicU64,
    /// Calm creators' new files whose probe waited, and those probed later
    /// because their actor turned out to need it (`core/deferred.rs`).
    pub probes_deferred: AtomicU64,
    pub deferred_probes_taken: AtomicU64,
}

/// State shared by the permission path and the main thread.
pub struct Hot {
    pub shares: Shares,
    pub blocklist: Blocklist,
    pub attributor: Mutex<Attributor>,
    pub befores: Mutex<perm::Befores>,
    /// Descriptors of files opened for writing, for the probe after their
    /// close-after-write without an open of the guard's own.
    pub written_files: Mutex<perm::WrittenFiles>,
    pub vault: Option<Arc<dyn vault::Preserver>>,
    pub limits: config::Limits,
    pub pre_content: bool,
    pub stats: Stats,
    /// Overwrites and deletes read from the kernel but not yet judged,
    /// per barrier group (see [`Barrier`]).
    pub(crate) unjudged: Mutex<Barrier>,
    /// (pid, share, path) whose access was denied: a close of such a file
    /// without an allowed write changed nothing.
    pub denied_paths: Mutex<std::collections::HashSet<(u32, usize, PathBuf)>>,
    /// Set when the guard stops: reader threads exit, closing their groups.
    pub stop: AtomicBool,
    /// Denied accesses per incident (count, first paths).
    pub denied: Mutex<HashMap<String, (u64, Vec<String>)>>,
    /// smbd sessions stopped until their last delete/rename is judged.
    pub holds: hold::Holds,
    /// Holds the permission reader took from the alarm group, until the
    /// notification side reads their deletes and renames.
    pub(crate) alarm_holds: hold::AlarmHolds,
    /// Ends the permission reader's blocking read when the guard stops.
    pub(crate) reader_wake: perm::ReaderWake,
    /// Wakes `notify-reader` (see [`Hot::urge_notify`]).
    pub(crate) notify_bell: core::Doorbell,
    /// The Samba include refusing blocked users' new sessions (if smb.conf has it).
    pub deny: Option<mamori_respond::samba_deny::SambaDeny>,
    /// Wakes the `smbstatus` thread (paired with the attributor's mutex).
    pub refresh_wanted: std::sync::Condvar,
    /// `MAMORI_GUARD_TRACE`: latency and hand-off counters (off by default).
    pub(crate) trace: trace::Trace,
    /// Flushes the permission group's inode marks (read and creation
    /// marks) at once when an actor is blocked, before the reader's next
    /// batch would.
    pub(crate) inode_marks: std::sync::OnceLock<mamori_watch::fanotify::InodeMarkFlusher>,
    /// Idle CPU priority of the main loop and `vault-links` (`lazy.rs`).
    pub(crate) lazy: Arc<lazy::Lazy>,
}

impl Hot {
    pub fn actor_of(&self, pid: u32) -> Actor {
        match self.attributor.lock() {
            Ok(mut attributor) => {
                let actor = attributor.actor_of(pid);
                if attributor.refresh_pending() {
                    self.refresh_wanted.notify_one();
                }
                actor
            }
            Err(_) => Actor {
                pid: Some(pid),
                ..Actor::default()
            },
        }
    }

    /// One more unjudged change of `pid`; returns the group it was counted
    /// under (to be given back to [`Hot::unjudged_done`]).
    pub(crate) fn unjudged_add(&self, pid: u32) -> Group {
        let group = self.barrier_group(pid);
        if let Ok(mut barrier) = self.unjudged.lock() {
            barrier.add(group);
        }
        group
    }

    /// Like [`Hot::unjudged_add`] for the close of an overwrite of `inode`
    /// by `pid`, which the permission reader may have counted already.
    pub(crate) fn unjudged_add_closed(&self, pid: u32, inode: Option<(u64, u64)>) -> Group {
        let counted =
            inode.and_then(|(dev, ino)| self.unjudged.lock().ok()?.take_counted((pid, dev, ino)));
        counted.unwrap_or_else(|| self.unjudged_add(pid))
    }

    /// The permission reader read a close after writing of `file`.
    pub(crate) fn closed_after_write(&self, file: barrier::FileOfPid) {
        if let Ok(mut barrier) = self.unjudged.lock() {
            if barrier.any_open() {
                barrier.closed(file);
            }
        }
    }

    /// The notification side has work somebody waits for: at normal
    /// priority, and awake, from now on.
    pub(crate) fn urge_notify(&self) {
        self.lazy.raise(lazy::LazyThread::Notify);
        self.notify_bell.ring();
    }

    /// Some overwrite's close has not been read by the permission reader.
    pub(crate) fn overwrites_open(&self) -> bool {
        self.unjudged.lock().is_ok_and(|b| b.any_open())
    }

    /// Some overwrite or delete has no verdict yet (or its close was not
    /// read): the notification side stays at normal priority meanwhile,
    /// so that what an encryptor did is judged in the order it did it.
    pub(crate) fn verdicts_awaited(&self) -> bool {
        self.unjudged
            .lock()
            .is_ok_and(|b| b.any_open() || b.any_counted())
    }

    /// A change counted under `group` was judged (or dropped).
    pub(crate) fn unjudged_done(&self, group: Group) {
        if let Ok(mut barrier) = self.unjudged.lock() {
            barrier.done(group);
        }
    }

    /// Whether `pid`'s next access must wait for a verdict (cheap: no
    /// `/proc` read; a pid not grouped yet counts as its own group).
    pub(crate) fn barrier_due(&self, pid: u32) -> bool {
        self.unjudged.lock().is_ok_and(|b| b.due(pid))
    }

    /// The barrier group of `pid`, remembered once known.
    pub(crate) fn barrier_group(&self, pid: u32) -> Group {
        if let Some(group) = self.unjudged.lock().ok().and_then(|b| b.known(pid)) {
            return group;
        }
        self.barrier_group_now(pid)
    }

    /// The group of `pid` as it is right now (at a permission event: the
    /// smbd runs as the user of the request). One smbd can serve sessions
    /// of several users over one connection (a terminal server), so an
    /// smbd's group is read afresh (one `/proc` read) rather than cached.
    pub(crate) fn barrier_group_now(&self, pid: u32) -> Group {
        let known = self.unjudged.lock().ok().and_then(|b| b.known(pid));
        if let Some(Group::SmbUser(_)) = known {
            if let Some(uid) = mamori_respond::attribution::effective_uid(pid).filter(|&u| u != 0) {
                let group = Group::SmbUser(uid);
                if known != Some(group) {
                    if let Ok(mut barrier) = self.unjudged.lock() {
                        barrier.remember(pid, group, self.limits.pids);
                    }
                }
                return group;
            }
        }
        if let Some(group) = known {
            return group;
        }
        let (group, certain) = Group::of_process(pid);
        if certain {
            if let Ok(mut barrier) = self.unjudged.lock() {
                barrier.remember(pid, group, self.limits.pids);
            }
        }
        group
    }

    /// Waits (bounded) until every overwrite and delete of `pid`'s group
    /// (its SMB user across all sessions; a local process alone) read so
    /// far has been judged.
    ///
    /// With `overwrite` (the first write of `pid` to existing content of
    /// that file is about to happen), it also waits while another session
    /// of the group has an overwrite in flight that began less than
    /// [`INFLIGHT`] ago, then records its own under the same lock as that
    /// look: parallel sessions of one user (a fast multi-connection
    /// encryptor) overwrite one file at a time until the first is judged,
    /// instead of one file each. Returns whether it waited at all.
    pub(crate) fn wait_for_judgement(
        &self,
        pid: u32,
        overwrite: Option<Overwrite>,
        limit: std::time::Duration,
    ) -> bool {
        let group = self.barrier_group_now(pid);
        let start = std::time::Instant::now();
        let overwriting = overwrite.is_some();
        // A change counted while the pid's group was not known yet (an
        // smbd seen in root context) counts under its pid: wait for that too.
        let waiting = |b: &Barrier| {
            b.pending(group)
                || b.pending(Group::Pid(pid))
                || (overwriting && start.elapsed() < INFLIGHT && b.in_flight(group, pid))
        };
        let record = |barrier: &mut Barrier, overwrite: Option<Overwrite>| {
            if let Some(Overwrite { share, rel, inode }) = overwrite {
                barrier.overwrite_started(pid, share, rel, inode, group);
            }
        };
        let mut waited = false;
        loop {
            let Ok(mut barrier) = self.unjudged.lock() else {
                return waited;
            };
            if !waiting(&barrier) {
                // Recorded under the lock of the look that let it go: two
                // sessions' first overwrites at the same instant cannot
                // both find the other not yet in flight.
                record(&mut barrier, overwrite);
                return waited;
            }
            if start.elapsed() >= limit {
                // A count that never drains (an evicted probe) must not
                // slow this writer (or its user's other sessions) forever.
                barrier.clear(group);
                barrier.clear(Group::Pid(pid));
                record(&mut barrier, overwrite);
                return true;
            }
            drop(barrier);
            if !waited {
                // The verdict needs the change's path, from the
                // notification side: at normal priority from now on.
                self.urge_notify();
            }
            waited = true;
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    }

    /// The overwrite of `rel` by `pid` was judged (its close was read).
    pub(crate) fn overwrite_judged(&self, pid: u32, share: usize, rel: &Path) {
        if let Ok(mut barrier) = self.unjudged.lock() {
            barrier.overwrite_done(pid, share, rel);
        }
    }

    /// Removes every read and creation mark now (an actor was just
    /// blocked: its reads and writes must raise events again). The
    /// permission reader also stops setting marks at its next batch.
    pub(crate) fn flush_inode_marks(&self) {
        if let Some(flusher) = self.inode_marks.get() {
            if let Err(e) = flusher.flush() {
                tracing::error!("fanotify flush of inode marks failed: {e}");
            }
        }
    }

    /// Rewrites the Samba deny include with the users blocked right now.
    pub(crate) fn sync_deny(&self) {
        if let Some(deny) = &self.deny {
            match deny.write(&self.blocklist.users()) {
                Ok(true) => deny.reload(),
                Ok(false) => {}
                Err(e) => tracing::error!("{}: {e}", deny.path().display()),
            }
        }
    }

    fn note_denied(&self, pid: u32, incident: &str, share: usize, rel: &Path) {
        if let Ok(mut paths) = self.denied_paths.lock() {
            if paths.len() >= 65536 {
                paths.clear();
            }
            paths.insert((pid, share, rel.to_path_buf()));
        }
        if let Ok(mut denied) = self.denied.lock() {
            let entry = denied.entry(incident.to_string()).or_default();
            entry.0 += 1;
            if entry.1.len() < 20 {
                entry.1.push(format!(
                    "{}/{}",
                    self.shares.list[share].name,
                    rel.display()
                ));
            }
        }
    }
}

/// Canonical share list; every share must be an existing directory.
pub fn resolve_shares(shares: &[(String, PathBuf)]) -> Result<Shares, GuardError> {
    let mut list = Vec::new();
    for (name, dir) in shares {
        let share_err = |reason: String| GuardError::Share {
            name: name.clone(),
            path: dir.clone(),
            reason,
        };
        if name.is_empty() || name.contains('/') {
            return Err(share_err("invalid share name".into()));
        }
        let root = dir.canonicalize().map_err(|e| share_err(e.to_string()))?;
        if !root.is_dir() {
            return Err(share_err("not a directory".into()));
        }
        if list.iter().any(|s: &Share| s.name == *name) {
            return Err(share_err("share named twice".into()));
        }
        list.push(Share {
            name: name.clone(),
            root,
        });
    }
    if list.is_empty() {
        return Err(GuardError::Share {
            name: String::new(),
            path: PathBuf::new(),
            reason: "no share given (--share NAME=DIR)".into(),
        });
    }
    Ok(Shares::new(list))
}

/// Runs the guard until `stop` is set. Calls `ready` once every share is watched.
pub fn run(
    options: GuardOptions,
    stop: &AtomicBool,
    ready: impl FnOnce(&Ready),
) -> Result<core::Summary, GuardError> {
    core::run(options, stop, ready)
}

pub use core::Summary;

/// The permission path keeps descriptors per pid and thread (their
/// `syscall` files, thread pidfds) and per file written: a service's default
/// soft limit (1 024) would run out on a busy server, and then every event
/// descriptor the kernel makes for us fails. Raised to the hard limit
/// (capped at 65 536).
pub(crate) fn raise_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on a valid struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return;
        }
        let want = limit.rlim_max.min(65_536);
        if want > limit.rlim_cur {
            limit.rlim_cur = want;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                tracing::warn!(
                    "cannot raise the open file limit: {}",
                    std::io::Error::last_os_error()
                );
            }
        }
    }
}

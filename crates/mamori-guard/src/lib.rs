//! The ransomware guard: watch → judge → respond.
//!
//! Design: threads joined by bounded queues, so an event storm costs CPU,
//! never unbounded memory.
//! - `perm-reader` ([`perm`]) answers fanotify permission events; most at
//!   once, the rest through `perm-worker`s (attribution of an unknown pid
//!   while something is blocked; the probe of a file's old content and the
//!   vault copy at a writer's first pre-content event). Every event is
//!   answered, and answered "allow" on any doubt (fail-open).
//! - `notify-reader` turns fanotify notification events (or inotify events
//!   in the fallback) into [`mamori_watch::Observed`] changes.
//! - [`hold`]: the notify reader stops (`SIGSTOP`) an smbd session child
//!   that deleted or renamed a file until the main loop has judged it
//!   (deletes raise no permission event), bounded in time and undone by a
//!   watchdog process if the guard dies;
//! - the main thread ([`core`]) attributes each change to an actor, feeds
//!   the judge, journals what an incident's actor touches, climbs the
//!   response ladder on a verdict, polls the journal for releases and
//!   handles queue overflows by rescanning.
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

pub mod config;
mod core;
mod hold;
mod incidents;
mod open_mode;
mod perm;
mod read_marks;
pub mod state;
pub mod upkeep;
pub mod vault;

pub use config::{Backend, ConfigError, GuardConfig};

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
    pub perm_denied: AtomicU64,
    pub perm_dropped: AtomicU64,
    pub perm_errors: AtomicU64,
    pub probes: AtomicU64,
    pub changes: AtomicU64,
    pub overflows: AtomicU64,
    /// Read ignore marks set, and lifted again by a writer's open.
    pub read_marks: AtomicU64,
    pub read_marks_lifted: AtomicU64,
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
    /// Close-after-write events read from the kernel but not yet judged, per pid.
    pub unjudged: Mutex<HashMap<u32, u32>>,
    /// (pid, share, path) whose access was denied: a close of such a file
    /// without an allowed write changed nothing.
    pub denied_paths: Mutex<std::collections::HashSet<(u32, usize, PathBuf)>>,
    /// Set when the guard stops: reader threads exit, closing their groups.
    pub stop: AtomicBool,
    /// Denied accesses per incident (count, first paths).
    pub denied: Mutex<HashMap<String, (u64, Vec<String>)>>,
    /// smbd sessions stopped until their last delete/rename is judged.
    pub holds: hold::Holds,
    /// The Samba include refusing blocked users' new sessions (if smb.conf has it).
    pub deny: Option<mamori_respond::samba_deny::SambaDeny>,
    /// Wakes the `smbstatus` thread (paired with the attributor's mutex).
    pub refresh_wanted: std::sync::Condvar,
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

    pub(crate) fn unjudged_add(&self, pid: u32, delta: i32) {
        if let Ok(mut map) = self.unjudged.lock() {
            let count = map.entry(pid).or_insert(0);
            *count = count.saturating_add_signed(delta);
            if *count == 0 {
                map.remove(&pid);
            }
        }
    }

    /// Waits (bounded) until every close-after-write of `pid` read so far has been judged.
    pub(crate) fn wait_for_judgement(&self, pid: u32, limit: std::time::Duration) {
        let start = std::time::Instant::now();
        while self.unjudged.lock().is_ok_and(|m| m.contains_key(&pid)) {
            if start.elapsed() >= limit {
                // A count that never drains (an evicted probe) must not
                // slow this writer forever.
                if let Ok(mut map) = self.unjudged.lock() {
                    map.remove(&pid);
                }
                return;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    }

    /// Rewrites the Samba deny include with the users blocked right now.
    pub(crate) fn sync_deny(&self) {
        if let Some(deny) = &self.deny {
            match deny.write(&self.blocklist.users()) {
                Ok(()) => deny.reload(),
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

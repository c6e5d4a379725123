//! The vault's upkeep while the guard runs (`[vault]` in the guard's TOML).
//!
//! - Before the guard says it is ready, one link sweep of every share
//!   ([`mamori_vault::Vault::sweep_links`]): every file that exists when
//!   the guard starts has a hard link in the vault, so no delete (which
//!   fanotify cannot announce) can lose it. `ready` is printed after it.
//! - Files created or renamed while the guard runs are linked by the
//!   `vault-links` thread from the guard's own create/rename notifications,
//!   batched (one index transaction per batch, at most `link_delay_ms`
//!   after the notification): a file made during normal work is safe from
//!   a delete within that delay.
//! - [`mamori_vault::Maintenance`]: pruning after the quiet period, the
//!   periodic link sweep (a safety net for notifications lost in an
//!   overflow), scheduled btrfs snapshots.
//! - A read-only btrfs snapshot at every detection, requested before the
//!   response starts and taken by the `vault-links` thread in parallel with
//!   it (a btrfs snapshot commits a transaction: tens to hundreds of ms
//!   under load, too long to hold the block back), then recorded in the
//!   incident's journal folder (`snapshots.jsonl`, see
//!   [`mamori_vault::snapshot::record`]) for restore.
//!
//! Stopped with the guard: pending links are flushed, the threads joined.

use crate::config::GuardConfig;
use crate::incidents::Incidents;
use crate::Hot;
use mamori_judge::Verdict;
use serde::Deserialize;
use std::sync::Arc;

/// `[vault]` section of the guard's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VaultSection {
    /// Soft budget of the vault in GiB (oldest clean versions pruned first).
    pub budget_gib: u64,
    /// Versions older than this (not held by an open incident) are pruned.
    pub quiet_hours: u64,
    /// The share's filesystem is kept at least this % free: below it the
    /// oldest clean versions go first, whatever the budget (a deleted
    /// file's blocks stay held by its version), and no copy is taken.
    pub min_free_percent: f64,
    /// Link sweep and prune interval.
    pub sweep_every_secs: u64,
    /// Scheduled btrfs snapshots (0 = none; detection snapshots still taken).
    pub snapshot_every_secs: u64,
    pub keep_snapshots: usize,
    pub keep_detection_days: u64,
    /// Link new files as the guard sees them created (else only by sweeps).
    pub link_new_files: bool,
    /// Longest wait before a seen new file is linked.
    pub link_delay_ms: u64,
}

impl Default for VaultSection {
    fn default() -> Self {
        VaultSection {
            budget_gib: 20,
            quiet_hours: 72,
            min_free_percent: 5.0,
            sweep_every_secs: 600,
            snapshot_every_secs: 3600,
            keep_snapshots: 48,
            keep_detection_days: 30,
            link_new_files: true,
            link_delay_ms: 100,
        }
    }
}

impl VaultSection {
    #[cfg(feature = "vault")]
    pub(crate) fn vault_config(&self) -> mamori_vault::VaultConfig {
        mamori_vault::VaultConfig {
            budget_bytes: self.budget_gib.saturating_mul(1 << 30),
            quiet_period: std::time::Duration::from_secs(self.quiet_hours.saturating_mul(3600)),
            min_free_ratio: (self.min_free_percent / 100.0).clamp(0.0, 0.5),
            // The guard sweeps itself, before it says it is ready.
            sweep_on_register: false,
        }
    }
}

#[cfg(feature = "vault")]
pub type VaultHandle = Option<Arc<mamori_vault::Vault>>;
#[cfg(not(feature = "vault"))]
pub type VaultHandle = Option<Arc<()>>;

/// What the initial sweep did, for the ready line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Swept {
    pub linked: usize,
    pub already: usize,
    pub millis: u128,
}

#[cfg_attr(not(feature = "vault"), allow(dead_code))]
enum Job {
    /// Share, relative path, whether the file was just created (a new
    /// inode: see `Vault::link_created`), and the inode its event named.
    Link(String, String, bool, Option<u64>),
    Detection(String),
    Record(String, std::path::PathBuf),
}

/// Jobs waiting for the `vault-links` thread. It runs at idle priority:
/// under a local storm of new files it may not run for a while, and an
/// unbounded queue grew with every file meanwhile. A full queue raises the
/// thread and makes the sender wait (a link must not be dropped: a new
/// file deleted before the next sweep would be lost).
#[cfg(feature = "vault")]
const LINK_QUEUE: usize = 16_384;

pub struct Upkeep {
    jobs: Option<std::sync::mpsc::SyncSender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    lazy: Option<Arc<crate::lazy::Lazy>>,
    /// `[vault] link_new_files`: without it no link job is even sent (a
    /// job wakes the link thread).
    link_new: bool,
    pub swept: Swept,
}

impl Upkeep {
    /// Does nothing (no vault).
    pub fn none() -> Upkeep {
        Upkeep {
            jobs: None,
            thread: None,
            lazy: None,
            link_new: false,
            swept: Swept::default(),
        }
    }

    /// Sweeps every share now (the caller says "ready" afterwards), then
    /// starts the maintenance and link threads. Must run while the
    /// permission reader answers (the sweep opens folders of the shares).
    #[cfg(feature = "vault")]
    pub(crate) fn start(
        vault: &VaultHandle,
        shares: &mamori_watch::Shares,
        section: &VaultSection,
        lazy: &Arc<crate::lazy::Lazy>,
    ) -> Upkeep {
        use mamori_vault::{Maintenance, MaintenanceConfig};
        use std::time::{Duration, Instant};
        let Some(vault) = vault.clone() else {
            return Upkeep::none();
        };
        let started = Instant::now();
        let mut swept = Swept::default();
        for share in &shares.list {
            match vault.sweep_links(&share.name) {
                Ok(r) => {
                    swept.linked += r.linked;
                    swept.already += r.already;
                    if r.unsupported {
                        tracing::warn!(
                            "vault: {}: store on another device, no links (snapshots only)",
                            share.name
                        );
                    }
                }
                Err(e) => tracing::error!("vault: link sweep of {}: {e}", share.name),
            }
        }
        swept.millis = started.elapsed().as_millis();
        let pairs: Vec<(String, std::path::PathBuf)> = shares
            .list
            .iter()
            .map(|s| (s.name.clone(), s.root.clone()))
            .collect();
        let maintenance = Maintenance::start(
            vault.clone(),
            &pairs,
            MaintenanceConfig {
                prune_every: Duration::from_secs(section.sweep_every_secs.max(10)),
                snapshot_every: if section.snapshot_every_secs == 0 {
                    Duration::from_secs(u64::MAX / 4)
                } else {
                    Duration::from_secs(section.snapshot_every_secs)
                },
                keep_scheduled: section.keep_snapshots,
                keep_detection_for: Duration::from_secs(
                    section.keep_detection_days.saturating_mul(86_400),
                ),
                first_pass_at_start: false,
                ..MaintenanceConfig::default()
            },
        );
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<Job>(LINK_QUEUE);
        let delay = Duration::from_millis(section.link_delay_ms.max(1));
        let link_new = section.link_new_files;
        let links_lazy = lazy.clone();
        let thread = std::thread::Builder::new()
            .name("vault-links".into())
            .spawn(move || links_thread(&vault, &maintenance, &links_lazy, &receiver, delay))
            .ok();
        Upkeep {
            jobs: Some(jobs),
            thread,
            lazy: Some(lazy.clone()),
            link_new,
            swept,
        }
    }

    #[cfg(not(feature = "vault"))]
    pub(crate) fn start(
        _: &VaultHandle,
        _: &mamori_watch::Shares,
        _: &VaultSection,
        _: &Arc<crate::lazy::Lazy>,
    ) -> Upkeep {
        Upkeep::none()
    }

    /// A file appeared under this name (`created`, or renamed to it).
    pub fn link(&self, share: &str, rel: &std::path::Path, created: bool, inode: Option<u64>) {
        if !self.link_new {
            return;
        }
        if let Some(rel) = rel.to_str() {
            self.send(Job::Link(
                share.to_string(),
                rel.to_string(),
                created,
                inode,
            ));
        }
    }

    /// Queues a job; when the queue is full, raises the thread that drains
    /// it and waits for room.
    fn send(&self, job: Job) {
        let Some(jobs) = &self.jobs else {
            return;
        };
        match jobs.try_send(job) {
            Ok(()) | Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {}
            Err(std::sync::mpsc::TrySendError::Full(job)) => {
                if let Some(lazy) = &self.lazy {
                    lazy.raise(crate::lazy::LazyThread::VaultLinks);
                }
                self.wake();
                let _ = jobs.send(job);
            }
        }
    }

    /// Responds to a verdict as [`Incidents::respond`] does, with a btrfs
    /// snapshot of the share requested before the response and recorded in
    /// the new incident's journal folder.
    pub(crate) fn respond(
        &self,
        incidents: &mut Incidents,
        hot: &Arc<Hot>,
        config: &GuardConfig,
        share_index: usize,
        verdict: &Verdict,
    ) {
        let share = hot.shares.list[share_index].name.clone();
        let fresh = incidents.open_for(&share, &verdict.actor).is_none();
        if fresh && self.jobs.is_some() {
            // The snapshot is taken now, at normal priority (`lazy.rs`).
            hot.lazy.raise(crate::lazy::LazyThread::VaultLinks);
            self.send(Job::Detection(share.clone()));
            self.wake();
        }
        incidents.respond(hot, config, share_index, verdict);
        if !fresh {
            return;
        }
        if let Some(id) = incidents.open_for(&share, &verdict.actor) {
            self.send(Job::Record(share, incidents.journal.incident_dir(&id)));
            self.wake();
        }
    }

    /// Wakes the `vault-links` thread if it is collecting links (it is not
    /// woken for each new file, only for jobs that must not wait).
    fn wake(&self) {
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
    }

    /// Flushes pending links and stops the threads (also on drop).
    pub fn stop(&mut self) {
        self.jobs = None;
        self.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Upkeep {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Link jobs waiting for their batch: by share and whether the files were
/// just created, each path with the inode its event named.
#[cfg(feature = "vault")]
type PendingLinks = std::collections::HashMap<(String, bool), Vec<(String, Option<u64>)>>;

/// Links new files and flushes index rows at idle priority; detection
/// snapshots (and the `btrfs` processes they start, which inherit the
/// policy) at normal priority.
#[cfg(feature = "vault")]
fn links_thread(
    vault: &mamori_vault::Vault,
    maintenance: &mamori_vault::Maintenance,
    lazy: &crate::lazy::Lazy,
    jobs: &std::sync::mpsc::Receiver<Job>,
    delay: std::time::Duration,
) {
    use crate::lazy::LazyThread;
    use std::collections::HashMap;
    use std::sync::mpsc::{RecvTimeoutError, TryRecvError};
    use std::time::Instant;
    let mut pending: PendingLinks = HashMap::new();
    let mut oldest: Option<Instant> = None;
    let mut last_snapshot: HashMap<String, mamori_vault::snapshot::Snapshot> = HashMap::new();
    // Versions' index rows are committed in batches; commit the last ones
    // of a burst within 100 ms.
    let mut last_flush = Instant::now();
    let flush_every = std::time::Duration::from_millis(100);
    let flush = |pending: &mut PendingLinks| {
        for ((share, created), files) in pending.drain() {
            let linked = vault.link_seen(&share, &files, created);
            match linked {
                Ok(r) if r.linked > 0 => {
                    tracing::debug!("vault: {share}: {} new files linked", r.linked)
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("vault: linking new files of {share}: {e}"),
            }
        }
    };
    lazy.enter(LazyThread::VaultLinks);
    loop {
        let wait = oldest
            .map_or(flush_every, |t| delay.saturating_sub(t.elapsed()))
            .min(flush_every);
        if last_flush.elapsed() >= flush_every {
            last_flush = Instant::now();
            if let Err(e) = vault.flush() {
                tracing::warn!("vault: index rows: {e}");
            }
        }
        // While links are pending, the ones arriving meanwhile are picked
        // up when they are due, without a wakeup per new file (senders of
        // other jobs unpark the thread).
        let job = match oldest {
            Some(_) => match jobs.try_recv() {
                Ok(job) => Ok(job),
                Err(TryRecvError::Empty) => {
                    if !wait.is_zero() {
                        std::thread::park_timeout(wait);
                    }
                    Err(RecvTimeoutError::Timeout)
                }
                Err(TryRecvError::Disconnected) => Err(RecvTimeoutError::Disconnected),
            },
            None => jobs.recv_timeout(wait),
        };
        match job {
            Ok(Job::Link(share, rel, created, inode)) => {
                pending
                    .entry((share, created))
                    .or_default()
                    .push((rel, inode));
                oldest.get_or_insert_with(Instant::now);
            }
            Ok(Job::Detection(share)) => {
                lazy.raise(LazyThread::VaultLinks);
                if let Some(snapshot) = maintenance.on_detection(&share) {
                    last_snapshot.insert(share, snapshot);
                }
            }
            Ok(Job::Record(share, dir)) => {
                lazy.raise(LazyThread::VaultLinks);
                if let Some(snapshot) = last_snapshot.remove(&share) {
                    if let Err(e) = mamori_vault::snapshot::record(&dir, &snapshot) {
                        tracing::warn!("recording snapshot {}: {e}", snapshot.path.display());
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => lazy.relax(LazyThread::VaultLinks),
            Err(RecvTimeoutError::Disconnected) => {
                flush(&mut pending);
                if let Err(e) = vault.flush() {
                    tracing::warn!("vault: index rows: {e}");
                }
                return;
            }
        }
        if oldest.is_some_and(|t| t.elapsed() >= delay)
            || pending.values().map(Vec::len).sum::<usize>() >= 2000
        {
            flush(&mut pending);
            oldest = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_section_defaults_and_overrides() {
        let config = GuardConfig::parse("", std::path::Path::new("g.toml")).unwrap();
        assert!(config.vault.link_new_files);
        assert_eq!(config.vault.sweep_every_secs, 600);
        let text = "[vault]\nbudget_gib = 5\nquiet_hours = 24\nsnapshot_every_secs = 0\nlink_new_files = false\n";
        let config = GuardConfig::parse(text, std::path::Path::new("g.toml")).unwrap();
        assert!(!config.vault.link_new_files);
        assert_eq!(config.vault.snapshot_every_secs, 0);
        #[cfg(feature = "vault")]
        {
            let vault = config.vault.vault_config();
            assert_eq!(vault.budget_bytes, 5 << 30);
            assert!(!vault.sweep_on_register);
            assert_eq!(vault.min_free_ratio, 0.05);
            let text = "[vault]\nmin_free_percent = 12\n";
            let config = GuardConfig::parse(text, std::path::Path::new("g.toml")).unwrap();
            assert_eq!(config.vault.vault_config().min_free_ratio, 0.12);
        }
        let err = GuardConfig::parse("[vault]\nbudget = 1\n", std::path::Path::new("g.toml"))
            .unwrap_err();
        assert!(err.to_string().contains("g.toml"));
    }

    #[test]
    fn upkeep_links_new_files_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let share = dir.path().join("share");
        std::fs::create_dir_all(&share).unwrap();
        std::fs::write(share.join("old.txt"), b"old").unwrap();
        let shares = crate::resolve_shares(&[("s".into(), share.clone())]).unwrap();
        let section = VaultSection::default();
        let vault = crate::vault::open(
            &dir.path().join("state"),
            &shares,
            &section,
            &crate::alerts::AlertOut::start(dir.path(), &Default::default()),
        );
        let mut upkeep = Upkeep::start(&vault, &shares, &section, &crate::lazy::Lazy::new(false));
        #[cfg(feature = "vault")]
        {
            assert_eq!(upkeep.swept.linked, 1, "swept before start returns");
            std::fs::write(share.join("new.txt"), b"new").unwrap();
            upkeep.link("s", std::path::Path::new("new.txt"), true, None);
            std::fs::rename(share.join("old.txt"), share.join("moved.txt")).unwrap();
            upkeep.link("s", std::path::Path::new("moved.txt"), false, None);
            upkeep.stop();
            let vault = vault.unwrap();
            assert_eq!(vault.versions_of("s", "new.txt").unwrap().len(), 1);
            assert_eq!(vault.versions_of("s", "moved.txt").unwrap().len(), 1);
        }
        upkeep.stop();
    }

    #[test]
    fn without_link_new_files_nothing_is_linked() {
        let dir = tempfile::tempdir().unwrap();
        let share = dir.path().join("share");
        std::fs::create_dir_all(&share).unwrap();
        let shares = crate::resolve_shares(&[("s".into(), share.clone())]).unwrap();
        let section = VaultSection {
            link_new_files: false,
            ..VaultSection::default()
        };
        let vault = crate::vault::open(
            &dir.path().join("state"),
            &shares,
            &section,
            &crate::alerts::AlertOut::start(dir.path(), &Default::default()),
        );
        let mut upkeep = Upkeep::start(&vault, &shares, &section, &crate::lazy::Lazy::new(false));
        std::fs::write(share.join("new.txt"), b"new").unwrap();
        upkeep.link("s", std::path::Path::new("new.txt"), true, None);
        upkeep.stop();
        #[cfg(feature = "vault")]
        assert!(vault
            .unwrap()
            .versions_of("s", "new.txt")
            .unwrap()
            .is_empty());
    }
}

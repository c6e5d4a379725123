//! One background thread for the guard: links new files into the vault
//! (so a delete nobody announced loses nothing), keeps the free-space
//! reserve of the shares' filesystems (every second), prunes the vault,
//! takes and prunes scheduled btrfs snapshots; detection snapshots on demand.
//!
//! ```ignore
//! let upkeep = Maintenance::start(vault.clone(), &shares, MaintenanceConfig::default());
//! // on a detection:
//! upkeep.on_detection("share");
//! ```

use crate::snapshot::{Snapshot, Snapshots, LABEL_DETECTION};
use crate::Vault;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The next look at free space after one that found a share low.
const LOW_LOOK: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
pub struct MaintenanceConfig {
    /// How often the vault is pruned and new files are linked.
    pub prune_every: Duration,
    /// Scheduled snapshot interval (NetApp ARP's default is 4 h; 1 h here).
    pub snapshot_every: Duration,
    /// Scheduled snapshots kept.
    pub keep_scheduled: usize,
    /// How long detection snapshots are kept.
    pub keep_detection_for: Duration,
    /// Prune and sweep at once when started (off when the caller has just
    /// swept, as the guard does before it says it is ready).
    pub first_pass_at_start: bool,
    /// How often the vault forgets which (file, session) pairs have a
    /// version ([`Vault::end_sessions`]). A mapped drive keeps one SMB
    /// session all day, and ransomware on that client writes through it:
    /// without this its first overwrite of a file would find the version
    /// of the user's first edit of the day and take none, and a restore
    /// would lose the day's edits. So a version is at most this old.
    pub forget_sessions_every: Duration,
}

impl Default for MaintenanceConfig {
    fn default() -> Self {
        MaintenanceConfig {
            prune_every: Duration::from_secs(600),
            snapshot_every: Duration::from_secs(3600),
            keep_scheduled: 48,
            keep_detection_for: Duration::from_secs(30 * 24 * 3600),
            first_pass_at_start: true,
            forget_sessions_every: Duration::from_secs(3600),
        }
    }
}

pub struct Maintenance {
    shares: Vec<String>,
    snapshots: Vec<(String, Snapshots)>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Maintenance {
    /// Starts the thread. Shares not on btrfs simply get no snapshots.
    pub fn start(
        vault: Arc<Vault>,
        shares: &[(String, PathBuf)],
        config: MaintenanceConfig,
    ) -> Self {
        let snapshots: Vec<(String, Snapshots)> = shares
            .iter()
            .filter_map(|(name, root)| match Snapshots::for_share(name, root) {
                Ok(Some(s)) => Some((name.clone(), s)),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!("snapshots for {name}: {e}");
                    None
                }
            })
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let names: Vec<String> = shares.iter().map(|(name, _)| name.clone()).collect();
        let thread = {
            let stop = stop.clone();
            let snapshots = snapshots.clone();
            let names = names.clone();
            std::thread::Builder::new()
                .name("vault-upkeep".into())
                .spawn(move || upkeep(&vault, &names, &snapshots, &config, &stop))
                .ok()
        };
        Maintenance {
            shares: names,
            snapshots,
            stop,
            thread,
        }
    }

    /// Takes a detection snapshot of the share now; `None` off btrfs or
    /// when it failed (logged).
    pub fn on_detection(&self, share: &str) -> Option<Snapshot> {
        let (_, snapshots) = self.snapshots.iter().find(|(name, _)| name == share)?;
        match snapshots.take(LABEL_DETECTION) {
            Ok(s) => {
                tracing::info!("snapshot {}", s.path.display());
                Some(s)
            }
            Err(e) => {
                tracing::warn!("detection snapshot of {share}: {e}");
                None
            }
        }
    }

    /// The shares looked after.
    pub fn shares(&self) -> &[String] {
        &self.shares
    }

    /// Whether a share has snapshots.
    pub fn has_snapshots(&self, share: &str) -> bool {
        self.snapshots.iter().any(|(name, _)| name == share)
    }
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

fn upkeep(
    vault: &Vault,
    shares: &[String],
    snapshots: &[(String, Snapshots)],
    config: &MaintenanceConfig,
    stop: &AtomicBool,
) {
    let mut last_prune: Option<Instant> = (!config.first_pass_at_start).then(Instant::now);
    let mut sessions_forgotten = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        if sessions_forgotten.elapsed() >= config.forget_sessions_every {
            sessions_forgotten = Instant::now();
            vault.end_sessions();
        }
        for (name, s) in snapshots {
            if let Err(e) = s.take_if_due(config.snapshot_every) {
                tracing::warn!("scheduled snapshot of {name}: {e}");
            }
        }
        // The users' free space first: one statvfs per share a second, ten
        // a second while it runs low or near the reserve (a storm of
        // deletes turns every deleted file into a frozen link faster than
        // one look a second gives back on a small share: 10 000 new files
        // a second use a 2 GiB ext4's 1 % margin above the reserve in a
        // tenth of that).
        let low = match vault.keep_free() {
            Ok(report) => !report.low.is_empty() || !report.near.is_empty(),
            Err(e) => {
                tracing::warn!("vault free-space reserve: {e}");
                false
            }
        };
        if last_prune.is_none_or(|t| t.elapsed() >= config.prune_every) {
            last_prune = Some(Instant::now());
            match vault.prune(chrono::Utc::now()) {
                Ok(r) if r.removed > 0 => tracing::info!(
                    "vault: pruned {} versions ({} bytes), {} bytes kept",
                    r.removed,
                    r.freed_bytes,
                    r.total_bytes
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("vault prune: {e}"),
            }
            for name in shares {
                match vault.sweep_links(name) {
                    Ok(r) if r.linked > 0 => {
                        tracing::info!("vault: {name}: {} files linked", r.linked)
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("vault link sweep of {name}: {e}"),
                }
            }
            for (name, s) in snapshots {
                if let Err(e) = s.prune(config.keep_scheduled, config.keep_detection_for) {
                    tracing::warn!("snapshot prune of {name}: {e}");
                }
            }
        }
        // One look a second (an idle server's guard wakes for little
        // else); the stop unparks this thread, so it is still quick.
        let next = Instant::now()
            + if low {
                LOW_LOOK
            } else {
                Duration::from_secs(1)
            };
        while !stop.load(Ordering::Relaxed) {
            let Some(left) = next.checked_duration_since(Instant::now()) else {
                break;
            };
            std::thread::park_timeout(left);
        }
    }
}

//! Read-only btrfs snapshots of a share's subvolume: taken on a schedule
//! and at once on a detection; restore's second source when the vault has
//! no version of a file (a delete nobody saw coming, a file changed before
//! the guard started).
//!
//! The share's subvolume is the highest ancestor of the share on the same
//! device (btrfs gives every subvolume its own device number). Snapshots go
//! to `.mamori-snapshots/` in that subvolume when the share is a folder
//! inside it, else beside the subvolume (its parent folder), so they are
//! never inside the share. Names are `<share>@<UTC time>-<label>`; the list
//! is read back from the names, no other state is kept. The `btrfs` command
//! (btrfs-progs) does the work.

use crate::{fsutil, Result, VaultError};
use chrono::{DateTime, NaiveDateTime, Utc};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Why a snapshot was taken.
pub const LABEL_SCHEDULED: &str = "scheduled";
pub const LABEL_DETECTION: &str = "detection";

const TIME_FORMAT: &str = "%Y%m%dT%H%M%S%.3fZ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub path: PathBuf,
    pub taken_at: DateTime<Utc>,
    pub label: String,
}

/// The snapshots of one share.
#[derive(Debug, Clone)]
pub struct Snapshots {
    share: String,
    /// The share's directory.
    root: PathBuf,
    /// The subvolume holding it.
    subvolume: PathBuf,
    /// Where snapshots go.
    dir: PathBuf,
}

fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Whether the `btrfs` command is installed.
pub fn btrfs_available() -> bool {
    Command::new("btrfs")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn run_btrfs(args: &[&std::ffi::OsStr]) -> Result<()> {
    let output = Command::new("btrfs")
        .args(args)
        .output()
        .map_err(|e| VaultError::Snapshot(format!("cannot run btrfs: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(VaultError::Snapshot(format!(
            "btrfs {}: {}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

impl Snapshots {
    /// `None` when the share is not on btrfs, the `btrfs` command is
    /// missing, or there is no place for snapshots outside the share.
    pub fn for_share(share: &str, root: &Path) -> Result<Option<Snapshots>> {
        let root = root.canonicalize().map_err(crate::io_err(root))?;
        if fsutil::fs_type(&root).map_err(crate::io_err(&root))? != fsutil::BTRFS_SUPER_MAGIC
            || !btrfs_available()
        {
            return Ok(None);
        }
        let dev = std::fs::metadata(&root)
            .map_err(crate::io_err(&root))?
            .dev();
        let mut subvolume = root.clone();
        while let Some(parent) = subvolume.parent() {
            match std::fs::metadata(parent) {
                Ok(meta) if meta.dev() == dev => subvolume = parent.to_path_buf(),
                _ => break,
            }
        }
        let dir = if subvolume != root {
            subvolume.join(".mamori-snapshots")
        } else {
            match subvolume.parent() {
                Some(parent) if fsutil::fs_type(parent).ok() == Some(fsutil::BTRFS_SUPER_MAGIC) => {
                    parent.join(".mamori-snapshots")
                }
                _ => return Ok(None),
            }
        };
        Ok(Some(Snapshots {
            share: safe_name(share),
            root,
            subvolume,
            dir,
        }))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes a read-only snapshot now.
    pub fn take(&self, label: &str) -> Result<Snapshot> {
        crate::store::create_private_dir(&self.dir)?;
        // Millisecond precision, as in the name it is read back from.
        let now = Utc::now();
        let taken_at = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
        let name = format!(
            "{}@{}-{}",
            self.share,
            taken_at.format(TIME_FORMAT),
            safe_name(label)
        );
        let path = self.dir.join(name);
        run_btrfs(&[
            "subvolume".as_ref(),
            "snapshot".as_ref(),
            "-r".as_ref(),
            self.subvolume.as_os_str(),
            path.as_os_str(),
        ])?;
        Ok(Snapshot {
            path,
            taken_at,
            label: label.to_string(),
        })
    }

    /// This share's snapshots, oldest first.
    pub fn list(&self) -> Result<Vec<Snapshot>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(crate::io_err(&self.dir)(e)),
        };
        let prefix = format!("{}@", self.share);
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            let Some((time, label)) = rest.split_once("Z-") else {
                continue;
            };
            let Ok(naive) = NaiveDateTime::parse_from_str(&format!("{time}Z"), TIME_FORMAT) else {
                continue;
            };
            out.push(Snapshot {
                path: entry.path(),
                taken_at: naive.and_utc(),
                label: label.to_string(),
            });
        }
        out.sort_by_key(|s| s.taken_at);
        Ok(out)
    }

    /// Takes a scheduled snapshot if the newest one is older than `interval`.
    pub fn take_if_due(&self, interval: Duration) -> Result<Option<Snapshot>> {
        let interval = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::hours(1));
        let newest = self.list()?.into_iter().map(|s| s.taken_at).max();
        match newest {
            Some(t) if Utc::now() - t < interval => Ok(None),
            _ => self.take(LABEL_SCHEDULED).map(Some),
        }
    }

    /// Keeps the newest `keep_scheduled` scheduled snapshots and every
    /// detection snapshot younger than `keep_detection_for`; deletes the rest.
    pub fn prune(&self, keep_scheduled: usize, keep_detection_for: Duration) -> Result<usize> {
        let keep_for =
            chrono::Duration::from_std(keep_detection_for).unwrap_or(chrono::Duration::days(30));
        let now = Utc::now();
        let all = self.list()?;
        let scheduled: Vec<&Snapshot> = all.iter().filter(|s| s.label != LABEL_DETECTION).collect();
        let excess = scheduled.len().saturating_sub(keep_scheduled);
        let mut doomed: Vec<&Snapshot> = scheduled.into_iter().take(excess).collect();
        doomed.extend(
            all.iter()
                .filter(|s| s.label == LABEL_DETECTION && now - s.taken_at > keep_for),
        );
        for snapshot in &doomed {
            run_btrfs(&[
                "subvolume".as_ref(),
                "delete".as_ref(),
                snapshot.path.as_os_str(),
            ])?;
        }
        Ok(doomed.len())
    }

    /// The newest snapshot taken before `time`.
    pub fn latest_before(&self, time: DateTime<Utc>) -> Result<Option<Snapshot>> {
        Ok(self.list()?.into_iter().rfind(|s| s.taken_at < time))
    }

    /// Where a share-relative path lives inside a snapshot.
    pub fn path_in(&self, snapshot: &Snapshot, rel_path: &str) -> PathBuf {
        let inner = self
            .root
            .strip_prefix(&self.subvolume)
            .unwrap_or(Path::new(""));
        snapshot.path.join(inner).join(rel_path)
    }
}

/// The file, in an incident's journal folder, naming the snapshots taken
/// for it (one JSON object a line: `path`, `taken_at`, `label`).
pub const RECORD_FILE: &str = "snapshots.jsonl";

/// Appends a snapshot to an incident's record (`incident_dir` =
/// `Journal::incident_dir(id)`), so restore finds it without guessing.
pub fn record(incident_dir: &Path, snapshot: &Snapshot) -> Result<()> {
    use std::io::Write;
    let path = incident_dir.join(RECORD_FILE);
    let line = serde_json::json!({
        "path": snapshot.path.to_string_lossy(),
        "taken_at": snapshot.taken_at.to_rfc3339(),
        "label": snapshot.label,
    });
    std::fs::create_dir_all(incident_dir).map_err(crate::io_err(incident_dir))?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(crate::io_err(&path))?;
    writeln!(file, "{line}").map_err(crate::io_err(&path))
}

/// The snapshots recorded for an incident (none when the file is absent;
/// unreadable lines are skipped).
pub fn recorded(incident_dir: &Path) -> Vec<Snapshot> {
    let Ok(text) = std::fs::read_to_string(incident_dir.join(RECORD_FILE)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            Some(Snapshot {
                path: PathBuf::from(v["path"].as_str()?),
                taken_at: DateTime::parse_from_rfc3339(v["taken_at"].as_str()?)
                    .ok()?
                    .with_timezone(&Utc),
                label: v["label"].as_str().unwrap_or(LABEL_DETECTION).to_string(),
            })
        })
        .collect()
}

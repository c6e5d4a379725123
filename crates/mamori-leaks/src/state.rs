//! What `mamori leaks` has seen, in `STATE/leaks/state.json`: every post
//! (metadata, content hash, what it matched, whether and with which hash it
//! was alerted), victim clusters (one victim claimed by several groups or
//! reported by several trackers) and each source's health. Written
//! atomically (temp + rename) under an exclusive lock on `STATE/leaks/lock`,
//! so `watch` and a manual `poll` never lose each other's records.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("leak state {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("leak state {path}: unreadable: {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PostRecord {
    pub key: String,
    pub source: String,
    pub group: String,
    pub victim: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovered: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    /// SHA-256 of the victim name and body as posted: the evidence hash.
    pub content_hash: String,
    /// `organization`, `files`, or absent for posts that are not about us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub confidence: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The text that matched (victim name, listing lines), nothing more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The change hash (digits masked) last alerted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerted_hash: Option<String>,
    /// Alerted as a change of an earlier version.
    #[serde(default)]
    pub alerts: u32,
    /// The earlier post of the same victim this one was linked to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_to: Option<String>,
    /// Incidents (one per share root) recording its listed files.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub incidents: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cluster {
    pub key: String,
    pub first_post: String,
    pub first_alert: String,
    pub last_alert: String,
    pub groups: BTreeSet<String>,
    pub posts: BTreeSet<String>,
    pub files: BTreeSet<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SourceHealth {
    /// Polls in a row that failed or returned no posts.
    pub bad_polls: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ok: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_problem: Option<String>,
    pub last_posts: usize,
    /// The unhealthy alert was raised for the current bad streak.
    pub alerted: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// What the posts were judged against (organisations, threshold,
    /// inventory): when it changes, every post is judged again.
    #[serde(default)]
    pub judged_with: String,
    pub posts: BTreeMap<String, PostRecord>,
    pub clusters: BTreeMap<String, Cluster>,
    pub sources: BTreeMap<String, SourceHealth>,
}

/// The state file held under an exclusive lock until dropped.
pub struct LockedState {
    pub state: State,
    path: PathBuf,
    _lock: std::fs::File,
}

pub fn state_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("leaks")
}

impl LockedState {
    pub fn open(state_dir_path: &Path) -> Result<LockedState, StateError> {
        let dir = state_dir(state_dir_path);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StateError::Io { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let lock_path = dir.join("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        // SAFETY: flock on a descriptor we own; blocks until the other poller is done.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(io(&lock_path)(std::io::Error::last_os_error()));
        }
        let path = dir.join("state.json");
        let state = read(&path)?;
        Ok(LockedState {
            state,
            path,
            _lock: lock,
        })
    }

    pub fn save(&self) -> Result<(), StateError> {
        let io = |source| StateError::Io {
            path: self.path.clone(),
            source,
        };
        let temp = self.path.with_extension("json.tmp");
        let bytes = serde_json::to_vec(&self.state).map_err(|source| StateError::Corrupt {
            path: self.path.clone(),
            source,
        })?;
        let mut file = std::fs::File::create(&temp).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temp, &self.path).map_err(io)
    }
}

/// The state as last saved, without locking (for `list` and `show`).
pub fn read_state(state_dir_path: &Path) -> Result<State, StateError> {
    read(&state_dir(state_dir_path).join("state.json"))
}

fn read(path: &Path) -> Result<State, StateError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StateError::Corrupt {
            path: path.to_path_buf(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State {
            version: 1,
            ..State::default()
        }),
        Err(source) => Err(StateError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

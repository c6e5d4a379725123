//! Judging file activity: is this actor encrypting or wiping the share?
//!
//! Design (interface fixed first so that the watcher and the judge can be
//! built side by side; the watcher owns I/O and attribution, the judge owns
//! the decision and does no I/O except [`Probe::of_file`]):
//! - the watcher turns fanotify/inotify events into [`FileEvent`]s carrying
//!   the [`Actor`] (SMB session/user/client, or local process) and, for
//!   writes, a [`Probe`] of the content before the first write (taken while
//!   answering the pre-content event) and after it (on close);
//! - [`Judge::observe`] keeps sliding windows per actor (session, user,
//!   client, process) and returns a [`Verdict`] — a score with [`Reason`]s in
//!   Japanese and English — once the score crosses the threshold.
//!
//! The module bodies are placeholders until the judge lands.

use mamori_journal::Actor;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a few regions of a file look like (no content is kept).
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub len: u64,
}

impl Probe {
    /// Reads a bounded sample of the file (several regions, not the whole).
    pub fn of_file(path: &Path) -> std::io::Result<Probe> {
        let len = std::fs::metadata(path)?.len();
        Ok(Probe { len })
    }

    pub fn of_bytes(bytes: &[u8]) -> Probe {
        Probe {
            len: bytes.len() as u64,
        }
    }
}

#[derive(Debug, Clone)]
pub enum FileOp {
    /// Content written and the file closed. `before` is the probe taken
    /// before the first write (None for a file created by this actor).
    Written {
        path: PathBuf,
        before: Option<Probe>,
        after: Probe,
    },
    Created {
        path: PathBuf,
    },
    Renamed {
        from: PathBuf,
        to: PathBuf,
    },
    Deleted {
        path: PathBuf,
        before: Option<Probe>,
    },
}

/// One observed file operation. Paths are relative to the share root.
#[derive(Debug, Clone)]
pub struct FileEvent {
    pub at: Instant,
    pub share: String,
    pub actor: Actor,
    pub op: FileOp,
}

/// One reason for suspicion, for the alert text.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub code: &'static str,
    pub weight: f32,
    pub ja: String,
    pub en: String,
}

/// The judge's decision about one actor.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub actor: Actor,
    pub share: String,
    pub score: f32,
    pub reasons: Vec<Reason>,
    /// Files this actor affected inside the window (share-relative).
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct JudgeConfig {
    /// Score at which a verdict is returned.
    pub threshold: f32,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        JudgeConfig { threshold: 1.0 }
    }
}

pub struct Judge {
    #[allow(dead_code)]
    config: JudgeConfig,
}

impl Judge {
    pub fn new(config: JudgeConfig) -> Self {
        Judge { config }
    }

    /// Feeds one event; returns a verdict when this actor crosses the threshold.
    pub fn observe(&mut self, _event: &FileEvent) -> Option<Verdict> {
        None
    }
}

//! Judging file activity: is this actor encrypting or wiping the share?
//!
//! Design: the watcher owns I/O and attribution, the judge owns the
//! decision and does no I/O except [`Probe::of_file`] (bounded `pread`s)
//! and the [`decoy`] helpers the guard calls when it places decoys.
//! - the watcher turns fanotify/Samba-audit events into [`FileEvent`]s
//!   carrying the [`Actor`] (SMB session/user/client, or local process) and,
//!   for writes, a [`Probe`] of the content before the first write (taken
//!   while answering the pre-content event) and after it (on close);
//! - [`Judge::observe`] turns each event into marks (content: a structured
//!   type broken into random or encoded bytes, chi-square separating
//!   ciphertext from compressed data; behaviour: renames to unknown or
//!   ransomware extensions, write-new-then-delete-original, delete bursts,
//!   ransom notes; decoys touched), keeps them per actor key (session or
//!   process, user, client address) in a short burst window and a long
//!   slow window, and returns a [`Verdict`] — a score with [`Reason`]s in
//!   Japanese and English — once one key's score crosses the threshold.
//!
//! The weights are chosen so that one clearly encrypted overwrite of a
//! document decides alone, weak behaviour (renames, notes) never decides
//! alone, and new files (archives, media, backups) never count by their
//! content alone: only the loss of what existed before counts. The
//! reasoning behind each weight is in `docs/design/judge.md`.

mod codes;
mod content;
pub mod decoy;
mod judge;
mod names;
pub mod probe;

pub use names::is_note_name;
pub use probe::{Kind, Probe, Region};

use mamori_journal::Actor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub enum FileOp {
    /// Content written and the file closed. `before` is the probe taken
    /// before the first write: `None` (or an empty probe) for a new file;
    /// `None` for an existing file when no probe could be taken (inotify
    /// fallback, overflow rescan) — the extension then stands in for the
    /// old type. `Probe::default()` (nothing read) counts as no probe.
    Written {
        path: PathBuf,
        before: Option<Probe>,
        after: Probe,
    },
    /// A new file (its later deletion by the same actor is housekeeping).
    Created {
        path: PathBuf,
    },
    Renamed {
        from: PathBuf,
        to: PathBuf,
    },
    /// `before`: a probe of the content if one was taken (e.g. after an
    /// earlier write); without it the extension tells documents apart.
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
    /// Which key crossed the threshold ("user alice", "client 10.0.0.5",
    /// "session/process 4242"): the block should cover at least that.
    pub key: String,
}

#[derive(Debug, Clone)]
pub struct JudgeConfig {
    /// Score at which a verdict is returned.
    pub threshold: f32,
    /// Window of bursty behaviour (delete bursts, rename bursts,
    /// write-new-then-delete pairing).
    pub burst_window: Duration,
    /// Memory of content evidence per user and client, across sessions
    /// (low-and-slow attacks).
    pub slow_window: Duration,
    /// Actor keys kept at most (least recently seen dropped first).
    pub max_actors: usize,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        JudgeConfig {
            threshold: 1.0,
            burst_window: Duration::from_secs(300),
            slow_window: Duration::from_secs(24 * 3600),
            max_actors: 10_000,
        }
    }
}

/// Whether two actors share a key the judge scores by (session or
/// process, user, client address).
pub fn share_a_key(a: &Actor, b: &Actor) -> bool {
    judge::share_a_key(a, b)
}

pub struct Judge {
    engine: judge::Engine,
}

impl Judge {
    pub fn new(config: JudgeConfig) -> Self {
        Judge {
            engine: judge::Engine::new(config),
        }
    }

    pub fn config(&self) -> &JudgeConfig {
        self.engine.config()
    }

    /// Feeds one event; returns a verdict when this actor crosses the
    /// threshold. The marks behind a verdict are then cleared, so a further
    /// verdict for the same actor needs new evidence.
    pub fn observe(&mut self, event: &FileEvent) -> Option<Verdict> {
        self.engine.observe(event)
    }

    /// Expires windows and forgets idle actors; call now and then (the
    /// judge also sweeps by itself every few thousand events).
    pub fn tick(&mut self, now: Instant) {
        self.engine.tick(now)
    }

    /// Registers decoy paths (share-relative) whose touch is an immediate
    /// verdict. Only registered paths decide; names made by
    /// [`decoy::plan`] are still recognised by [`Judge::is_decoy`].
    pub fn register_decoys(&mut self, share: &str, paths: &[PathBuf]) {
        self.engine.register_decoys(share, paths)
    }

    /// Whether a share-relative path is a decoy: placed, or named like one.
    pub fn is_decoy(&self, share: &str, path: &Path) -> bool {
        self.engine.is_decoy(share, path)
    }

    /// Whether judging the content of a new file this actor created and
    /// has just written can wait until the actor deletes, renames or
    /// overwrites something, or gets a mark (see `judge/calm.rs`).
    pub fn new_content_can_wait(&self, actor: &Actor, path: &Path) -> bool {
        self.engine.new_content_can_wait(actor, path)
    }

    /// No key of the actor has marks, recent deletes or recent renames.
    pub fn actor_is_calm(&self, actor: &Actor) -> bool {
        self.engine.actor_is_calm(actor)
    }

    /// Whether `actor` created `path` and has not renamed it away or
    /// deleted it since, as far as the judge was told.
    pub fn actor_created(&self, actor: &Actor, path: &std::path::Path) -> bool {
        self.engine.actor_created(actor, path)
    }

    /// Forgets an actor after an operator released it.
    pub fn pardon(&mut self, actor: &Actor) {
        self.engine.pardon(actor)
    }
}

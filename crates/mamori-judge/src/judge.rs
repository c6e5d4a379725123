//! The judge: marks per actor key, windows, caps, the verdict.
//!
//! Every event is turned into zero or more [`Mark`]s (a [`Code`], a weight,
//! the file). Marks go to every key of the actor (SMB session or process id,
//! user or uid, client address), so an attack spread over many sessions of
//! one user or one client adds up. A key's score counts each (code, file)
//! once at its highest weight, sums per code, caps the weak groups, and
//! fires once it reaches the threshold.

use crate::codes::{Code, Group};
use crate::content::{expected_kind, is_document, overwrite_marks, replaces};
use crate::names;
use crate::probe::{Kind, Probe};
use crate::{FileEvent, FileOp, JudgeConfig, Reason, Verdict};
use mamori_journal::Actor;
use scoring::{rate, score, CodeSummary};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod calm;
mod created;
pub(crate) use calm::share_a_key;
#[cfg(test)]
mod bounds_tests;
mod scoring;

/// At most this many marks and touched files are kept per key.
const MAX_MARKS: usize = 20_000;
/// Marks kept per key for scoring: the score is recomputed over them on
/// every marked event, so this bounds the cost of a flood of weak marks
/// (the weak groups are capped long before; strong marks decide at once).
const MAX_SCORED_MARKS: usize = 500;
/// Recent new files, deletes and renames kept for pairing (burst window).
const MAX_RECENT: usize = 1_000;
/// Files a key touched within the burst window, kept for a verdict's list
/// (the journal keeps every touch of an incident's actor; this is only what
/// the alert names besides the marked files).
const MAX_TOUCHED: usize = 2_048;
/// How often (in events) stale keys and marks are swept.
const SWEEP_EVERY: u64 = 4096;

#[derive(Debug, Clone)]
struct Mark {
    at: Instant,
    code: Code,
    weight: f32,
    path: PathBuf,
    detail: String,
    /// Who did it: a client or user key may gather several people.
    actor: Arc<Actor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Session(u32),
    User(String),
    Uid(u32),
    Client(String),
    Anonymous,
}

impl Key {
    fn of(actor: &Actor) -> Vec<Key> {
        let mut keys = Vec::with_capacity(3);
        if let Some(pid) = actor.pid {
            keys.push(Key::Session(pid));
        }
        match (&actor.user, actor.uid) {
            (Some(user), _) => keys.push(Key::User(user.clone())),
            (None, Some(uid)) => keys.push(Key::Uid(uid)),
            _ => {}
        }
        if let Some(client) = &actor.client {
            keys.push(Key::Client(client.clone()));
        }
        if keys.is_empty() {
            keys.push(Key::Anonymous);
        }
        keys
    }

    fn describe(&self) -> String {
        match self {
            Key::Session(pid) => format!("session/process {pid}"),
            Key::User(user) => format!("user {user}"),
            Key::Uid(uid) => format!("uid {uid}"),
            Key::Client(client) => format!("client {client}"),
            Key::Anonymous => "unknown actor".to_string(),
        }
    }
}

/// A new file whose content looked encrypted (for write-new-then-delete).
#[derive(Debug, Clone)]
struct NewCipher {
    at: Instant,
    path: PathBuf,
    kind: Kind,
}

/// An upper bound of a key's score (marks only add; windows only take
/// away), with the capped groups' contributions so far.
#[derive(Debug, Default, Clone, Copy)]
struct Bound {
    total: f32,
    renames: f32,
    notes: f32,
}

impl Bound {
    fn plus(mut self, key: &Key, marks: &[Mark], config: &JudgeConfig) -> Bound {
        for m in marks {
            if matches!(key, Key::Client(_)) && m.code.is_everyday() {
                continue;
            }
            let inc = match m.code.group() {
                Group::Renames => {
                    let inc = m.weight.min(RENAMES_CAP * config.threshold - self.renames);
                    self.renames += inc.max(0.0);
                    inc.max(0.0)
                }
                Group::Notes => {
                    let inc = m.weight.min(NOTES_CAP * config.threshold - self.notes);
                    self.notes += inc.max(0.0);
                    inc.max(0.0)
                }
                Group::None => m.weight,
            };
            self.total += inc;
        }
        self
    }

    fn exact(total: f32, summary: &[CodeSummary]) -> Bound {
        let group = |g: Group| {
            summary
                .iter()
                .filter(|s| s.0.group() == g)
                .map(|s| s.1)
                .sum()
        };
        Bound {
            total,
            renames: group(Group::Renames),
            notes: group(Group::Notes),
        }
    }
}

/// Renames to unknown extensions alone, and notes alone, stay below the
/// threshold by these fractions of it.
const RENAMES_CAP: f32 = 0.8;
const NOTES_CAP: f32 = 0.6;

#[derive(Debug, Default)]
struct KeyState {
    bound: Bound,
    marks: VecDeque<Mark>,
    /// Files this key created (their deletion is housekeeping).
    created: created::Created,
    /// Names of files this key created lately, anywhere (a delete of the
    /// same name elsewhere is the second half of a move between shares or
    /// folders: copy, then delete).
    created_names: created::CreatedNames,
    new_cipher: VecDeque<NewCipher>,
    /// Existing documents this key deleted.
    deleted: VecDeque<(Instant, PathBuf)>,
    /// Renames to unknown extensions: new extension → old extensions → when.
    renames: HashMap<String, HashMap<String, Instant>>,
    touched: VecDeque<(Instant, PathBuf)>,
    last_seen: Option<Instant>,
}

pub(crate) struct Engine {
    config: JudgeConfig,
    keys: HashMap<Key, KeyState>,
    decoys: HashMap<String, HashSet<PathBuf>>,
    events: u64,
}

impl Engine {
    pub(crate) fn new(config: JudgeConfig) -> Self {
        Engine {
            config,
            keys: HashMap::new(),
            decoys: HashMap::new(),
            events: 0,
        }
    }

    pub(crate) fn config(&self) -> &JudgeConfig {
        &self.config
    }

    pub(crate) fn register_decoys(&mut self, share: &str, paths: &[PathBuf]) {
        self.decoys
            .entry(share.to_string())
            .or_default()
            .extend(paths.iter().cloned());
    }

    pub(crate) fn is_decoy(&self, share: &str, path: &Path) -> bool {
        crate::decoy::is_decoy_name(path) || self.is_placed_decoy(share, path)
    }

    /// Only decoys the guard placed decide: a copy of one made by a tree
    /// copy or a backup restore carries the name but is nobody's bait.
    fn is_placed_decoy(&self, share: &str, path: &Path) -> bool {
        self.decoys.get(share).is_some_and(|set| set.contains(path))
    }

    /// Forgets everything about an actor (after a release).
    pub(crate) fn pardon(&mut self, actor: &Actor) {
        for key in Key::of(actor) {
            self.keys.remove(&key);
        }
    }

    pub(crate) fn tick(&mut self, now: Instant) {
        let slow = self.config.slow_window;
        let burst = self.config.burst_window;
        self.keys.retain(|key, state| {
            let old = |at: &Instant| now.saturating_duration_since(*at) > slow;
            let burst_old = |at: &Instant| now.saturating_duration_since(*at) > burst;
            // A session or process is one sitting: its evidence lives on
            // under its user and client keys, which remember the slow
            // window. Kept a day, every process a busy server ever ran
            // held its tables (memory grew with each one under a storm).
            let memory = if matches!(key, Key::Session(_)) {
                burst
            } else {
                slow
            };
            state.marks.retain(|m| !old(&m.at));
            state.created.retain(|at| !old(at));
            state.created_names.retain(|at| !burst_old(at));
            state.new_cipher.retain(|c| !burst_old(&c.at));
            state.deleted.retain(|(at, _)| !burst_old(at));
            state.renames.retain(|_, sources| {
                sources.retain(|_, at| !burst_old(at));
                !sources.is_empty()
            });
            state.touched.retain(|(at, _)| !burst_old(at));
            state
                .last_seen
                .is_some_and(|at| now.saturating_duration_since(at) <= memory)
        });
    }

    pub(crate) fn observe(&mut self, event: &FileEvent) -> Option<Verdict> {
        self.events += 1;
        if self.events.is_multiple_of(SWEEP_EVERY) {
            self.tick(event.at);
        }
        self.evict_if_full(event.at);
        let keys = Key::of(&event.actor);
        let marks = self.marks_for(event, &keys);
        let mut best: Option<(f32, Key)> = None;
        for key in &keys {
            let state = self.keys.entry(key.clone()).or_default();
            state.last_seen = Some(event.at);
            for mark in &marks {
                if state.marks.len() >= MAX_SCORED_MARKS {
                    state.marks.pop_front();
                }
                state.marks.push_back(mark.clone());
            }
            if marks.is_empty() {
                continue;
            }
            // Recompute only when the score could have reached the
            // threshold: a flood of weak marks stays O(1) per event.
            let bound = state.bound.plus(key, &marks, &self.config);
            if bound.total < self.config.threshold {
                state.bound = bound;
                continue;
            }
            let (score, summary) = score(key, state, event.at, &self.config);
            state.bound = Bound::exact(score, &summary);
            // keys come most specific first: session, user, client
            if score >= self.config.threshold && best.is_none() {
                best = Some((score, key.clone()));
            }
        }
        let (_, key) = best?;
        let verdict = self.verdict(event, &key);
        for key in &keys {
            if let Some(state) = self.keys.get_mut(key) {
                // a new verdict needs new evidence
                state.marks.clear();
                state.bound = Bound::default();
                state.new_cipher.clear();
                state.deleted.clear();
                state.renames.clear();
            }
        }
        Some(verdict)
    }

    fn evict_if_full(&mut self, now: Instant) {
        if self.keys.len() < self.config.max_actors {
            return;
        }
        self.tick(now);
        while self.keys.len() >= self.config.max_actors {
            let oldest = self
                .keys
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(key) => self.keys.remove(&key),
                None => break,
            };
        }
    }

    fn verdict(&self, event: &FileEvent, key: &Key) -> Verdict {
        let state = &self.keys[key];
        let (score, per_code) = score(key, state, event.at, &self.config);
        let mut reasons = Vec::new();
        for (code, weight, files, example, detail) in per_code {
            let (ja, en) = code.text();
            let detail = if detail.is_empty() {
                String::new()
            } else {
                format!(": {detail}")
            };
            reasons.push(Reason {
                code: code.name(),
                weight,
                ja: format!("{ja} {files} 件(例: {}{detail})", example.display()),
                en: format!("{en}: {files} file(s) (e.g. {}{detail})", example.display()),
            });
        }
        reasons.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        if let Some(rate) = rate(state) {
            reasons.push(rate);
        }
        // The files behind the marks, and whatever else the key touched in
        // the burst window (not a whole day of a user's ordinary work).
        let burst = self.config.burst_window;
        let mut seen = HashSet::new();
        let mut touched: Vec<(Instant, &Path)> = state
            .marks
            .iter()
            .filter(|m| !m.path.as_os_str().to_string_lossy().starts_with('*'))
            .map(|m| (m.at, m.path.as_path()))
            .chain(
                state
                    .touched
                    .iter()
                    .filter(|(t, _)| event.at.saturating_duration_since(*t) <= burst)
                    .map(|(t, p)| (*t, p.as_path())),
            )
            .collect();
        touched.sort_by_key(|(t, _)| *t);
        let files = touched
            .into_iter()
            .filter(|(_, p)| seen.insert(*p))
            .map(|(_, p)| p.to_path_buf())
            .collect();
        // A client or user key may hold several people's marks: name the
        // one who contributed most.
        let mut weight_of: Vec<(Arc<Actor>, f32)> = Vec::new();
        for m in &state.marks {
            match weight_of.iter_mut().find(|(a, _)| **a == *m.actor) {
                Some((_, w)) => *w += m.weight,
                None => weight_of.push((m.actor.clone(), m.weight)),
            }
        }
        let actor = weight_of
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or_else(|| event.actor.clone(), |(a, _)| (*a).clone());
        Verdict {
            actor,
            share: event.share.clone(),
            score,
            reasons,
            files,
            key: key.describe(),
        }
    }

    /// Turns one event into marks, updating the keys' memories on the way.
    fn marks_for(&mut self, event: &FileEvent, keys: &[Key]) -> Vec<Mark> {
        let at = event.at;
        let mut marks = Vec::new();
        let actor = Arc::new(event.actor.clone());
        let mut mark = |code: Code, weight: f32, path: &Path, detail: String| {
            marks.push(Mark {
                at,
                code,
                weight,
                path: path.to_path_buf(),
                detail,
                actor: actor.clone(),
            })
        };
        let decoy_hit = match &event.op {
            FileOp::Written { path, .. } | FileOp::Deleted { path, .. } => {
                self.is_placed_decoy(&event.share, path).then_some(path)
            }
            FileOp::Renamed { from, to } => {
                if self.is_placed_decoy(&event.share, from) {
                    Some(from)
                } else {
                    self.is_placed_decoy(&event.share, to).then_some(to)
                }
            }
            FileOp::Created { .. } => None,
        };
        if let Some(path) = decoy_hit {
            mark(Code::Decoy, self.config.threshold, path, String::new());
        }
        let touched = match &event.op {
            FileOp::Written { path, .. }
            | FileOp::Created { path }
            | FileOp::Deleted { path, .. } => path.clone(),
            FileOp::Renamed { to, .. } => to.clone(),
        };
        let created_by_actor = |engine: &Engine, path: &Path| {
            keys.iter()
                .any(|k| engine.keys.get(k).is_some_and(|s| s.created.contains(path)))
        };
        match &event.op {
            FileOp::Created { path } => {
                if names::is_note_name(path) {
                    mark(Code::NoteName, 0.2, path, String::new());
                }
                if let Some(ext) = names::extension(path).filter(|e| names::is_ransom_extension(e))
                {
                    mark(Code::RansomExtension, 0.5, path, format!("new file .{ext}"));
                }
                for key in keys {
                    let state = self.keys.entry(key.clone()).or_default();
                    if state.created.len() >= MAX_MARKS * 5 {
                        // a huge copy: keep only what is recent enough to
                        // matter for deletes soon after
                        let burst = self.config.burst_window;
                        state
                            .created
                            .retain(|t| at.saturating_duration_since(*t) <= burst);
                        if state.created.len() >= MAX_MARKS * 5 {
                            state.created.clear();
                        }
                    }
                    state.created.insert(path, at);
                    if let Some(name) = path.file_name() {
                        if state.created_names.len() >= MAX_MARKS * 5 {
                            state.created_names.clear();
                        }
                        state.created_names.insert(name, at);
                    }
                }
            }
            FileOp::Written {
                path,
                before,
                after,
            } => {
                let own = created_by_actor(self, path);
                let prior = before.as_ref().filter(|b| {
                    !matches!(b.kind, Kind::Empty | Kind::Zeros) && !b.is_unread() && !own
                });
                match prior {
                    _ if after.is_unread() => {}
                    Some(before) => overwrite_marks(before, after, path, &mut mark),
                    None => {
                        self.new_content_marks(keys, path, after, own, at, &mut mark);
                    }
                }
                if after.kind == Kind::Text {
                    if after.note_cues >= 2 {
                        let w = if after.note_cues >= 4 { 0.4 } else { 0.3 };
                        mark(Code::NoteText, w, path, format!("{} cues", after.note_cues));
                    }
                    if names::is_note_name(path) {
                        mark(Code::NoteName, 0.2, path, String::new());
                    }
                }
            }
            FileOp::Renamed { from, to } => {
                self.rename_marks(keys, from, to, at, &mut mark);
            }
            FileOp::Deleted { path, before } => {
                let own = created_by_actor(self, path);
                if own {
                    for key in keys {
                        if let Some(state) = self.keys.get_mut(key) {
                            state.created.take_one(path);
                            state.new_cipher.retain(|c| &c.path != path);
                        }
                    }
                } else if !names::is_temporary(path)
                    && !names::is_note_name(path)
                    && !self.moved_away(keys, path, at)
                {
                    // (a note deleted is no loss: `mamori restore` removes them)
                    if is_document(path, before.as_ref()) {
                        mark(Code::DeleteDocuments, 0.25, path, String::new());
                        self.pair_delete(keys, path, at, &mut mark);
                    } else if names::extension(path).is_some_and(|e| names::is_known_extension(&e))
                    {
                        // other kept files (settings, data, programs): a
                        // wiper takes them too, people rarely do in bursts;
                        // extensionless files (backup packs, caches) count not
                        mark(Code::DeleteDocuments, 0.1, path, String::new());
                    }
                }
            }
        }
        for key in keys {
            let state = self.keys.entry(key.clone()).or_default();
            push_capped(&mut state.touched, (at, touched.clone()), MAX_TOUCHED);
        }
        if marks
            .iter()
            .any(|m| m.code == Code::NoteName || m.code == Code::NoteText)
        {
            self.notes_spread(keys, at, &mut marks);
        }
        marks
    }

    fn new_content_marks(
        &mut self,
        keys: &[Key],
        path: &Path,
        after: &Probe,
        own: bool,
        at: Instant,
        mark: &mut impl FnMut(Code, f32, &Path, String),
    ) {
        if let Some(ext) = names::extension(path).filter(|e| names::is_ransom_extension(e)) {
            mark(Code::RansomExtension, 0.5, path, format!("new file .{ext}"));
        }
        let expected = names::extension(path).and_then(|e| expected_kind(&e));
        let mismatch = expected.filter(|k| {
            matches!(after.kind, Kind::Unknown | Kind::Base64Text | Kind::HexText)
                && k.family() != after.kind.family()
        });
        if let Some(expected) = mismatch {
            // A document extension whose bytes are not of its type. Not
            // created by this actor, it is an existing document
            // overwritten without a before-probe (inotify fallback,
            // overflow rescan, probe evicted): judge it as an overwrite
            // of the type the extension promises.
            let noisy_head = after.regions.first().is_some_and(|r| r.entropy >= 6.0);
            let weight = if after.mostly_cipher() || after.encoded_random() {
                1.0
            } else if noisy_head || matches!(after.kind, Kind::Base64Text | Kind::HexText) {
                0.6
            } else {
                0.0
            };
            let weight = if own { weight * 0.3 } else { weight };
            if weight > 0.0 {
                let detail = format!(".{} → {}", expected.name(), after.kind.name());
                mark(Code::ExtensionMismatch, weight, path, detail);
            }
        }
        if !own && after.tail_ok == Some(false) {
            // Head of its type, trailer gone: a header-preserving encryptor,
            // or an interrupted copy (usually the copier's own new file).
            let detail = format!("{} without its trailer", after.kind.name());
            mark(Code::TailBroken, 0.5, path, detail);
        }
        let looks_encrypted = after.kind.is_encryption_tool()
            || after.encoded_random()
            || (after.kind == Kind::Unknown && after.mostly_cipher());
        if !looks_encrypted {
            return;
        }
        for key in keys {
            let state = self.keys.entry(key.clone()).or_default();
            push_recent(
                &mut state.new_cipher,
                NewCipher {
                    at,
                    path: path.to_path_buf(),
                    kind: after.kind,
                },
            );
        }
        // The original may have been deleted first.
        let burst = self.config.burst_window;
        let original = personal(keys).find_map(|k| {
            self.keys.get(k)?.deleted.iter().find_map(|(t, gone)| {
                (at.saturating_duration_since(*t) <= burst && replaces(path, gone))
                    .then(|| gone.clone())
            })
        });
        if let Some(gone) = original {
            let weight = if after.kind.is_encryption_tool() {
                0.4
            } else {
                1.0
            };
            let detail = format!("{} → {}", gone.display(), path.display());
            mark(Code::ReplacedByCipher, weight, &gone, detail);
        }
    }

    /// The actor lately created a file of the same name that does not look
    /// encrypted: this delete ends a copy-then-delete move.
    fn moved_away(&self, keys: &[Key], path: &Path, at: Instant) -> bool {
        let Some(name) = path.file_name() else {
            return false;
        };
        let burst = self.config.burst_window;
        personal(keys).any(|k| {
            self.keys.get(k).is_some_and(|s| {
                s.created_names
                    .get(name)
                    .is_some_and(|t| at.saturating_duration_since(t) <= burst)
                    && !s
                        .new_cipher
                        .iter()
                        .any(|c| c.path.file_name() == Some(name))
            })
        })
    }

    fn pair_delete(
        &mut self,
        keys: &[Key],
        path: &Path,
        at: Instant,
        mark: &mut impl FnMut(Code, f32, &Path, String),
    ) {
        let burst = self.config.burst_window;
        let mut any_recent = false;
        let mut replaced_by: Option<NewCipher> = None;
        for key in personal(keys) {
            let Some(state) = self.keys.get(key) else {
                continue;
            };
            for c in &state.new_cipher {
                if at.saturating_duration_since(c.at) > burst {
                    continue;
                }
                any_recent = true;
                if replaced_by.is_none() && replaces(&c.path, path) {
                    replaced_by = Some(c.clone());
                }
            }
        }
        if let Some(c) = replaced_by {
            let weight = if c.kind.is_encryption_tool() {
                0.4
            } else {
                1.0
            };
            let detail = format!("{} → {}", path.display(), c.path.display());
            mark(Code::ReplacedByCipher, weight, path, detail);
        } else if any_recent {
            mark(Code::DeletedAfterCipher, 0.3, path, String::new());
        }
        for key in keys {
            let state = self.keys.entry(key.clone()).or_default();
            push_recent(&mut state.deleted, (at, path.to_path_buf()));
        }
    }

    fn rename_marks(
        &mut self,
        keys: &[Key],
        from: &Path,
        to: &Path,
        at: Instant,
        mark: &mut impl FnMut(Code, f32, &Path, String),
    ) {
        for key in keys {
            if let Some(state) = self.keys.get_mut(key) {
                state.created.move_one(from, to);
                for c in state.new_cipher.iter_mut().filter(|c| c.path == from) {
                    c.path = to.to_path_buf();
                }
            }
        }
        if names::is_note_name(to) {
            mark(Code::NoteName, 0.2, to, String::new());
        }
        if names::is_temporary(from) || names::is_temporary(to) {
            return; // save-by-rename of office programs
        }
        let ext_from = names::extension(from);
        let ext_to = names::extension(to);
        if ext_from == ext_to {
            return;
        }
        let detail = format!("{} → {}", from.display(), to.display());
        let Some(ext_to) = ext_to else {
            if ext_from
                .as_deref()
                .is_some_and(names::is_document_extension)
            {
                mark(Code::UnknownExtension, 0.1, to, detail);
            }
            return;
        };
        if names::is_ransom_extension(&ext_to) {
            mark(Code::RansomExtension, 0.5, to, detail);
            return;
        }
        if names::is_known_extension(&ext_to) {
            return;
        }
        let appended = from
            .file_name()
            .zip(to.file_name())
            .is_some_and(|(f, t)| t.to_string_lossy().starts_with(&*f.to_string_lossy()));
        mark(
            Code::UnknownExtension,
            if appended { 0.25 } else { 0.15 },
            to,
            detail,
        );
        let from_ext = ext_from.unwrap_or_default();
        let burst = self.config.burst_window;
        let mut funnel = false;
        for key in keys {
            let state = self.keys.entry(key.clone()).or_default();
            if state.renames.len() >= MAX_RECENT {
                state.renames.clear(); // random per-file extensions: no funnel
            }
            let sources = state.renames.entry(ext_to.clone()).or_default();
            sources.insert(from_ext.clone(), at);
            let recent = sources
                .values()
                .filter(|t| at.saturating_duration_since(**t) <= burst)
                .count();
            funnel |= recent >= 3;
        }
        if funnel {
            let path = PathBuf::from(format!("*.{ext_to}"));
            mark(Code::Funnel, 0.4, &path, String::new());
        }
    }

    /// The same kind of note in three folders or more.
    fn notes_spread(&self, keys: &[Key], at: Instant, marks: &mut Vec<Mark>) {
        let mut folders: HashSet<PathBuf> = marks
            .iter()
            .filter(|m| matches!(m.code, Code::NoteName | Code::NoteText))
            .filter_map(|m| m.path.parent().map(Path::to_path_buf))
            .collect();
        for key in keys {
            if let Some(state) = self.keys.get(key) {
                folders.extend(
                    state
                        .marks
                        .iter()
                        .filter(|m| matches!(m.code, Code::NoteName | Code::NoteText))
                        .filter_map(|m| m.path.parent().map(Path::to_path_buf)),
                );
            }
        }
        if folders.len() >= 3 {
            let actor = marks[0].actor.clone();
            marks.push(Mark {
                at,
                code: Code::NotesSpread,
                weight: 0.3,
                path: PathBuf::from("*"),
                detail: format!("{} folders", folders.len()),
                actor,
            });
        }
    }
}

/// The keys that stand for one person (session, user); a client address
/// may be shared (NAT, terminal server), so pairing one person's new files
/// with another's deletes must not go through it.
fn personal(keys: &[Key]) -> impl Iterator<Item = &Key> {
    let only_shared = keys
        .iter()
        .all(|k| matches!(k, Key::Client(_) | Key::Anonymous));
    keys.iter()
        .filter(move |k| only_shared || !matches!(k, Key::Client(_)))
}

fn push_recent<T>(queue: &mut VecDeque<T>, item: T) {
    push_capped(queue, item, MAX_RECENT);
}

fn push_capped<T>(queue: &mut VecDeque<T>, item: T, cap: usize) {
    if queue.len() >= cap {
        queue.pop_front();
    }
    queue.push_back(item);
}

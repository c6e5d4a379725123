//! `mamori restore`: put back every file an incident's attacker touched.
//!
//! Design. The journal (`mamori_journal`) says exactly what the attacker did
//! (modify, create, rename from → to, delete, ransom note), in order; the
//! [`plan`] replays it into "where each original is now" and "what the
//! attacker left". Restore then, for each original, picks a source:
//! 1. the vault version the guard recorded in the touch (content just before
//!    the attacker's first write);
//! 2. else the vault's versions of that path: the first taken at or after the
//!    attack began, else the newest before it;
//! 3. else a frozen vault link (the file's content when it was deleted),
//!    else the file in the btrfs snapshot the guard took at the detection
//!    (recorded in the incident's folder, `snapshots.jsonl`) if its mtime
//!    is older than the attack, else the newest btrfs snapshot taken before
//!    the attack began;
//! 4. an original that was only renamed is simply renamed back.
//!
//! Two robustness rules cover a journal that is not perfect: incidents of
//! the same attack (same user or client, or unattributed, on the same share
//! within 10 minutes) are restored together, and a delete the journal
//! missed is found by its frozen link in the vault ([`unjournaled`]: a
//! file of a folder the attacker worked in, unlinked while the attack ran,
//! whose name is still free) — both reported.
//!
//! Safety rules, because a recovery tool must never touch what the attacker
//! did not:
//! - only paths named in the journal are ever written or removed;
//! - a file someone else changed after the attacker touched it (a vault
//!   version by another session taken after the attacker's, or an mtime
//!   later than the incident's last touch plus a slack) is skipped and
//!   reported; so is an original whose name is now taken by a file the
//!   attacker did not leave;
//! - writes are atomic (temp file in the same folder, then rename) and keep
//!   the version's mode, owner, mtime and extended attributes;
//! - a file whose content already equals its source is left alone, which
//!   makes a second run a no-op (idempotent).
//!
//! `dry_run` computes the same report and changes nothing.

mod lease;
pub mod plan;
mod render;
pub mod unjournaled;
mod write;

pub use mamori_journal::JournalError;
pub use render::render;

use chrono::{DateTime, Utc};
use mamori_journal::{Incident, IncidentState, Journal};
use mamori_vault::snapshot::Snapshots;
use mamori_vault::{Reason, Vault, VaultConfig, Version};
use plan::{Holder, Original, Plan};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use write::Placed;

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Journal(#[from] mamori_journal::JournalError),
    #[error(transparent)]
    Vault(#[from] mamori_vault::VaultError),
    #[error("share folder {path}: {source}")]
    Share {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub use mamori_journal::window::ATTACKER_SLACK;

/// Progress of a long restore.
pub trait Progress {
    fn step(&self, done: usize, total: usize);
}

pub struct NoProgress;
impl Progress for NoProgress {
    fn step(&self, _done: usize, _total: usize) {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Vault,
    /// A vault version older than the attack (edits between it and the
    /// attack are lost).
    OlderVault,
    Snapshot,
    /// The original was only renamed; renamed back.
    Renamed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub path: String,
    /// Where the attacker left it, when elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Someone else changed it after the attacker did.
    ChangedByOther,
    /// Its original name is taken by a file the attacker did not leave.
    NameTaken,
    /// Someone else had it open throughout: replacing it then would lose
    /// their next write.
    InUse,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failed {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub incident: String,
    /// Other incidents of the same attack restored with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    pub share: String,
    /// Files deleted during the attack that the journal missed, found by
    /// their frozen links in the vault (restored with the rest).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unjournaled: Vec<String>,
    pub dry_run: bool,
    /// Originals put back (or, in a dry run, that would be).
    pub restored: Vec<Restored>,
    /// Files the attacker created (encrypted copies, notes) removed.
    pub removed: Vec<String>,
    pub skipped: Vec<Skipped>,
    pub failed: Vec<Failed>,
    /// Originals already as before the attack (a second run).
    pub already: usize,
}

impl RestoreReport {
    /// Everything the attacker touched is back (skips are deliberate).
    pub fn complete(&self) -> bool {
        self.failed.is_empty()
    }
}

pub struct RestoreOptions<'a> {
    pub dry_run: bool,
    pub progress: &'a dyn Progress,
}

/// Restores one incident (`id` or `latest`) of the state directory.
pub fn restore(
    state_dir: &Path,
    id: &str,
    options: &RestoreOptions<'_>,
) -> Result<RestoreReport, RestoreError> {
    restore_scoped(state_dir, id, options, Scope::Restore)
}

/// The guard's rollback at the verdict (`mamori guard`, response
/// `rollback = true`): the same restore, narrowed to what the guard itself
/// saw while the attack ran —
/// - only the incident and its sibling incidents still open (detected or
///   blocked): an incident released as a false alarm is a user's own work;
/// - only journalled touches (no search for deletes the journal missed: in
///   a live folder other users delete files too);
/// - the incidents keep their state (they stay blocked; a `restored` state
///   would lift the block).
///
/// Safe to repeat (a second run finds everything already back).
pub fn rollback(state_dir: &Path, id: &str) -> Result<RestoreReport, RestoreError> {
    let options = RestoreOptions {
        dry_run: false,
        progress: &NoProgress,
    };
    restore_scoped(state_dir, id, &options, Scope::Rollback)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Restore,
    Rollback,
}

fn restore_scoped(
    state_dir: &Path,
    id: &str,
    options: &RestoreOptions<'_>,
    scope: Scope,
) -> Result<RestoreReport, RestoreError> {
    let journal = Journal::open(state_dir);
    let incident = journal.get(id)?;
    // One attack may have opened several incidents (parallel sessions of
    // one user detected at once): restore them together.
    let mut incidents = siblings(&journal, &incident)?;
    if scope == Scope::Rollback {
        incidents.retain(|i| {
            i.id == incident.id
                || matches!(i.state, IncidentState::Detected | IncidentState::Blocked)
        });
    }
    let mut touches = Vec::new();
    for one in &incidents {
        touches.extend(journal.touches(&one.id)?);
    }
    touches.sort_by_key(|t| t.time);
    let vault = Vault::open(state_dir, VaultConfig::default())?;
    let root = incident.share_root.clone();
    if !root.is_dir() {
        return Err(RestoreError::Share {
            path: root,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        });
    }
    let started = incidents
        .iter()
        .map(|i| i.started)
        .min()
        .unwrap_or(incident.started);
    let journalled_last = touches.iter().map(|t| t.time).max().unwrap_or(started);
    let missed = match scope {
        Scope::Restore => unjournaled::find(
            &vault,
            &incident.share,
            &root,
            &touches,
            started,
            journalled_last,
        ),
        Scope::Rollback => Vec::new(),
    };
    let unjournaled: Vec<String> = missed.iter().map(|t| t.path.clone()).collect();
    touches.extend(missed);
    touches.sort_by_key(|t| t.time);
    let plan = Plan::from_touches(&touches);
    let snapshots = Snapshots::for_share(&incident.share, &root).unwrap_or_else(|e| {
        tracing::warn!("snapshots unavailable: {e}");
        None
    });
    let last_touch = touches
        .iter()
        .map(|t| t.time)
        .max()
        .unwrap_or(incident.started);
    let mut detection_snapshots: Vec<_> = incidents
        .iter()
        .flat_map(|i| mamori_vault::snapshot::recorded(&journal.incident_dir(&i.id)))
        .filter(|s| s.path.is_dir())
        .collect();
    detection_snapshots.sort_by_key(|s| std::cmp::Reverse(s.taken_at));
    let mut ctx = Context {
        root,
        share: incident.share.clone(),
        started,
        last_touch,
        vault,
        snapshots,
        detection_snapshots,
        attacker_sessions: HashSet::new(),
        blocked_writers: incidents
            .iter()
            .filter(|i| i.state == IncidentState::Blocked)
            .filter_map(|i| i.actor.pid)
            .collect(),
        dry_run: options.dry_run,
        report: RestoreReport {
            incident: incident.id.clone(),
            also: incidents
                .iter()
                .filter(|i| i.id != incident.id)
                .map(|i| i.id.clone())
                .collect(),
            share: incident.share.clone(),
            unjournaled,
            dry_run: options.dry_run,
            restored: Vec::new(),
            removed: Vec::new(),
            skipped: Vec::new(),
            failed: Vec::new(),
            already: 0,
        },
    };
    for reference in &plan.vault_refs {
        if let Some(v) = ctx.vault.version(reference)? {
            ctx.attacker_sessions.insert(v.session);
        }
    }
    ctx.run(&plan, options.progress)?;
    if scope == Scope::Restore && !options.dry_run && ctx.report.complete() {
        for one in incidents.iter_mut() {
            if one.state != IncidentState::Restored {
                one.state = IncidentState::Restored;
                journal.save(one)?;
            }
        }
    }
    Ok(ctx.report)
}

/// How far apart two incidents of the same actor may start to count as one attack.
pub use mamori_journal::window::SIBLINGS as SIBLING_WINDOW;

/// The incident and every other incident of the same attacker on the same
/// share (same SMB user, or same client address when the user is unknown,
/// or either side unattributed) starting within [`SIBLING_WINDOW`] of it.
fn siblings(journal: &Journal, incident: &Incident) -> Result<Vec<Incident>, RestoreError> {
    // An incident whose actor could not be attributed (a session cut
    // before its user was known) belongs to the attack around it.
    let unattributed = |i: &Incident| i.actor.user.is_none() && i.actor.client.is_none();
    let same_actor = |other: &Incident| {
        let (a, b) = (&incident.actor, &other.actor);
        if unattributed(incident) || unattributed(other) {
            return true;
        }
        match (&a.user, &b.user) {
            (Some(x), Some(y)) => x == y,
            _ => a.client.is_some() && a.client == b.client,
        }
    };
    let mut out: Vec<Incident> = journal
        .list()?
        .into_iter()
        .filter(|other| {
            other.id == incident.id
                || (other.share == incident.share
                    && other.share_root == incident.share_root
                    && same_actor(other)
                    && (other.started - incident.started).abs() <= SIBLING_WINDOW)
        })
        .collect();
    out.sort_by_key(|i| i.started);
    Ok(out)
}

struct Context {
    root: PathBuf,
    share: String,
    started: DateTime<Utc>,
    last_touch: DateTime<Utc>,
    vault: Vault,
    snapshots: Option<Snapshots>,
    /// Snapshots the guard took at the detection (recorded in the
    /// incidents' journal folders), newest first.
    detection_snapshots: Vec<mamori_vault::snapshot::Snapshot>,
    attacker_sessions: HashSet<String>,
    /// Processes of blocked incidents: the guard refuses every write of
    /// theirs, so a descriptor they keep open does not make a file in use
    /// (with a block but no cut of the session, the attacker's smbd keeps
    /// its handles).
    blocked_writers: HashSet<u32>,
    dry_run: bool,
    report: RestoreReport,
}

/// Where an original's content comes from.
enum Content {
    Version(Version, Source),
    Snapshot(PathBuf),
    /// The attacker's renamed file itself.
    Current(PathBuf),
}

impl Context {
    fn abs(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn run(&mut self, plan: &Plan, progress: &dyn Progress) -> Result<(), RestoreError> {
        // Originals and where they are now (None: gone).
        let mut originals: Vec<(&Original, Option<&str>)> = Vec::new();
        let mut created: Vec<&str> = Vec::new();
        for (path, holder) in &plan.current {
            match holder {
                Holder::Original(o) => originals.push((o, Some(path.as_str()))),
                Holder::Created { .. } => created.push(path.as_str()),
            }
        }
        originals.extend(plan.gone.iter().map(|o| (o, None)));
        let targets: HashSet<&str> = originals.iter().map(|(o, _)| o.path.as_str()).collect();
        let total = originals.len() + created.len();
        let mut done = 0;

        // Attacker files first, except names an original goes back to (the
        // atomic replace handles those, and a second run must not delete a
        // restored file).
        for path in &created {
            if !targets.contains(path) {
                self.remove_attacker_file(path, plan);
            }
            done += 1;
            progress.step(done, total);
        }
        // Names the attacker left that an original may replace.
        let leftovers: HashSet<&str> = plan.current.keys().map(String::as_str).collect();
        for (original, now_at) in originals {
            self.restore_original(original, now_at, plan, &leftovers);
            done += 1;
            progress.step(done, total);
        }
        if !self.dry_run {
            write::sync_filesystem(&self.root);
        }
        Ok(())
    }

    /// Whether someone other than the attacker changed `rel` after `after`.
    fn changed_by_other(&self, rel: &str, after: DateTime<Utc>, plan: &Plan) -> bool {
        let Ok(meta) = std::fs::symlink_metadata(self.abs(rel)) else {
            return false;
        };
        // Our own rewrite, cut short: its mtime and the guard's version of
        // it are ours.
        if write::interrupted(&self.abs(rel)) {
            return false;
        }
        let mtime = DateTime::from_timestamp(meta.mtime(), meta.mtime_nsec() as u32)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let last = plan.last_touch.get(rel).copied().unwrap_or(self.last_touch);
        if mtime > last.max(self.last_touch) + ATTACKER_SLACK {
            return true;
        }
        let by_path = self.vault.versions_of(&self.share, rel).unwrap_or_default();
        let by_inode = self
            .vault
            .versions_of_inode(meta.dev(), meta.ino())
            .unwrap_or_default();
        by_path.iter().chain(by_inode.iter()).any(|v| {
            // Only versions taken before a write or truncation say that
            // someone wrote; links (sweeps, opens) are not writes.
            matches!(v.reason, Reason::Write | Reason::Truncate)
                && v.taken_at > after
                && !self.attacker_sessions.contains(&v.session)
        })
    }

    fn remove_attacker_file(&mut self, rel: &str, plan: &Plan) {
        let path = self.abs(rel);
        match std::fs::symlink_metadata(&path) {
            Err(_) => return, // already gone
            Ok(meta) if !meta.is_file() => {
                self.fail(rel, "not a regular file / 通常のファイルではありません");
                return;
            }
            Ok(_) => {}
        }
        if self.changed_by_other(rel, self.started, plan) {
            self.skip(rel, SkipReason::ChangedByOther);
            return;
        }
        if !self.dry_run {
            if let Err(e) = std::fs::remove_file(&path) {
                self.fail(rel, &e.to_string());
                return;
            }
        }
        self.report.removed.push(rel.to_string());
    }

    fn restore_original(
        &mut self,
        original: &Original,
        now_at: Option<&str>,
        plan: &Plan,
        leftovers: &HashSet<&str>,
    ) {
        let target = self.abs(&original.path);
        let content = match self.source(original, now_at) {
            Ok(content) => content,
            Err(reason) => {
                // A second run: the original is back and the attacker's file gone.
                if now_at.is_some_and(|p| p != original.path && !self.abs(p).exists())
                    && target.exists()
                {
                    self.report.already += 1;
                    return;
                }
                self.fail(&original.path, &reason);
                return;
            }
        };
        // Already as before? (Second run, or never really changed.)
        let same = match &content {
            Content::Version(v, _) => write::same_as_version(v, &target),
            Content::Snapshot(p) => write::same_content(p, &target),
            Content::Current(_) => false,
        };
        if same {
            self.report.already += 1;
            if let Some(now) = now_at.filter(|p| *p != original.path) {
                // The attacker's renamed copy still lies around.
                self.remove_attacker_file(now, plan);
            }
            return;
        }
        let after = match &content {
            Content::Version(v, Source::Vault) => v.taken_at,
            _ => original.first_touch,
        };
        if let Some(now) = now_at {
            if self.changed_by_other(now, after, plan) {
                self.skip(now, SkipReason::ChangedByOther);
                return;
            }
        }
        let over_leftover = target.exists() && now_at != Some(original.path.as_str());
        if over_leftover {
            let attackers = leftovers.contains(original.path.as_str());
            if !attackers || self.changed_by_other(&original.path, self.started, plan) {
                self.skip(&original.path, SkipReason::NameTaken);
                return;
            }
        }
        let source = match &content {
            Content::Version(_, s) => *s,
            Content::Snapshot(_) => Source::Snapshot,
            Content::Current(_) => Source::Renamed,
        };
        if !self.dry_run {
            // The same check again, once nobody else has the file open
            // (`write`): a write that came in since is kept.
            let mut still_the_attackers = || match now_at {
                Some(now) if now == original.path => !self.changed_by_other(now, after, plan),
                _ => !self.changed_by_other(&original.path, self.started, plan),
            };
            let ignored = &self.blocked_writers;
            let result = match &content {
                Content::Version(v, _) => {
                    write::place_version(v, &target, ignored, &mut still_the_attackers)
                }
                Content::Snapshot(p) => {
                    write::place_copy(p, &target, ignored, &mut still_the_attackers)
                }
                Content::Current(p) => write::rename_back(p, &target, over_leftover),
            };
            let skipped = match result {
                Ok(Placed::Done) => None,
                Ok(Placed::InUse) => Some(SkipReason::InUse),
                Ok(Placed::Changed) => Some(SkipReason::ChangedByOther),
                Ok(Placed::NameTaken) => Some(SkipReason::NameTaken),
                Err(e) => {
                    self.fail(&original.path, &e.to_string());
                    return;
                }
            };
            if let Some(reason) = skipped {
                self.skip(&original.path, reason);
                return;
            }
            if let Some(now) = now_at.filter(|p| *p != original.path) {
                if !matches!(content, Content::Current(_)) {
                    if let Err(e) = std::fs::remove_file(self.abs(now)) {
                        if e.kind() != std::io::ErrorKind::NotFound {
                            self.fail(now, &e.to_string());
                        }
                    }
                }
            }
        }
        self.report.restored.push(Restored {
            path: original.path.clone(),
            from: now_at.filter(|p| *p != original.path).map(str::to_string),
            source,
        });
    }

    fn source(&self, original: &Original, now_at: Option<&str>) -> Result<Content, String> {
        if !original.modified {
            if let Some(now) = now_at {
                let path = self.abs(now);
                if path.is_file() {
                    return Ok(Content::Current(path));
                }
            }
        }
        if let Some(reference) = &original.vault {
            if let Ok(Some(v)) = self.vault.version(reference) {
                if v.is_valid() {
                    return Ok(Content::Version(v, Source::Vault));
                }
            }
        }
        let versions: Vec<Version> = self
            .vault
            .versions_of(&self.share, &original.path)
            .unwrap_or_default()
            .into_iter()
            .filter(Version::is_valid)
            .collect();
        // The attacker's own first version holds the content it found;
        // failing that, the first version taken once the attack had begun.
        let attackers = versions
            .iter()
            .find(|v| self.attacker_sessions.contains(&v.session));
        if let Some(v) = attackers.or_else(|| versions.iter().find(|v| v.taken_at >= self.started))
        {
            return Ok(Content::Version(v.clone(), Source::Vault));
        }
        // A frozen link holds the content the file had when it was deleted:
        // newer than any snapshot taken before the attack.
        if let Some(v) = versions.iter().rev().find(|v| v.is_frozen_link()) {
            return Ok(Content::Version(v.clone(), Source::Vault));
        }
        if let Some(path) = self.unchanged_in_detection_snapshot(&original.path) {
            return Ok(Content::Snapshot(path));
        }
        if let Some(snapshots) = &self.snapshots {
            if let Ok(Some(snapshot)) = snapshots.latest_before(self.started) {
                let path = snapshots.path_in(&snapshot, &original.path);
                if path.is_file() {
                    // A snapshot newer than the newest older vault version wins.
                    let newer_vault = versions
                        .iter()
                        .rev()
                        .find(|v| v.taken_at > snapshot.taken_at);
                    if let Some(v) = newer_vault {
                        return Ok(Content::Version(v.clone(), Source::OlderVault));
                    }
                    return Ok(Content::Snapshot(path));
                }
            }
        }
        if let Some(v) = versions.last() {
            // A frozen link holds the content at deletion, not an old one.
            let source = if v.is_frozen_link() {
                Source::Vault
            } else {
                Source::OlderVault
            };
            return Ok(Content::Version(v.clone(), source));
        }
        Err("no copy in the vault or in snapshots / 保護領域にもスナップショットにも複製がありません".into())
    }

    /// The file in a snapshot taken at the detection, if it was not
    /// modified since before the attack began (mtime): the content just
    /// before the attack, for a file deleted after the snapshot that the
    /// vault lacks.
    fn unchanged_in_detection_snapshot(&self, rel: &str) -> Option<PathBuf> {
        let snapshots = self.snapshots.as_ref()?;
        self.detection_snapshots.iter().find_map(|snapshot| {
            let path = snapshots.path_in(snapshot, rel);
            let meta = std::fs::symlink_metadata(&path).ok()?;
            let mtime = DateTime::<Utc>::from(meta.modified().ok()?);
            (meta.is_file() && mtime < self.started).then_some(path)
        })
    }

    fn skip(&mut self, rel: &str, reason: SkipReason) {
        self.report.skipped.push(Skipped {
            path: rel.to_string(),
            reason,
        });
    }

    fn fail(&mut self, rel: &str, reason: &str) {
        self.report.failed.push(Failed {
            path: rel.to_string(),
            reason: reason.to_string(),
        });
    }
}

/// Counts per outcome, for summaries.
pub fn counts(report: &RestoreReport) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("restored", report.restored.len()),
        ("removed", report.removed.len()),
        ("skipped", report.skipped.len()),
        ("failed", report.failed.len()),
        ("already", report.already),
    ])
}

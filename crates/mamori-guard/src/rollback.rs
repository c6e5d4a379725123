//! Rollback at the verdict: once an actor is blocked, put back what it
//! changed before the block (files deleted, renamed away, overwritten or
//! encrypted), from the vault, with `mamori-restore`'s own library
//! ([`mamori_restore::rollback`]: the incident's journalled touches only,
//! never a path someone else changed since, incidents stay blocked).
//!
//! Why: the judge needs evidence before it blocks (four document deletes
//! for a wiper: one delete looks like a user's), so a few files change
//! before every block. Every file is in the vault before the guard says
//! `ready` (hard links; a copy before each session's first write), so
//! those few can come back at once instead of waiting for someone to run
//! `mamori restore`.
//!
//! When: [`SETTLE`] after the verdict, so the block and the cut of the
//! actor's sessions have landed and the attacker cannot race the rollback
//! (its opens are denied, its session is gone); then once more after
//! [`LATE`] if touches reached the journal meanwhile (changes in flight at
//! the block) or a file was left because another process had it open (an
//! smbd of the attacker's not yet gone: an existing file is rewritten in
//! place, never while anyone else has it open, see `mamori-restore`). A rollback is idempotent, so the second run only adds.
//! One thread, jobs in order; the outcome goes back to the main loop, which
//! alerts through every channel and journals it (`rollback.json` in the
//! incident's folder).

use crate::upkeep::VaultHandle;
use mamori_journal::Journal;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

/// From the verdict to the first rollback run.
pub const SETTLE: Duration = Duration::from_millis(300);
/// From the verdict to the second run (only if new touches came in).
pub const LATE: Duration = Duration::from_secs(2);

/// One file that was not put back, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Left {
    pub path: String,
    pub reason: String,
}

/// What one incident's rollback did (both runs together).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Outcome {
    pub incident: String,
    pub share: String,
    /// Originals put back (deleted, renamed away, overwritten).
    pub restored: Vec<String>,
    /// Files the attacker created (encrypted copies, notes) removed.
    pub removed: Vec<String>,
    /// Originals that were already as before.
    pub already: usize,
    /// Skipped (someone else changed them since) or failed.
    pub left: Vec<Left>,
    /// The rollback could not run at all.
    pub error: Option<String>,
    pub runs: usize,
    pub took_ms: u64,
}

struct Job {
    incident: String,
    share: String,
    verdict_at: Instant,
}

/// The rollback thread and its results.
pub struct Rollbacks {
    jobs: Option<Sender<Job>>,
    done: Receiver<Outcome>,
}

impl Rollbacks {
    pub fn start(state_dir: PathBuf, vault: VaultHandle) -> Rollbacks {
        let (jobs, receiver) = channel::<Job>();
        let (report, done) = channel();
        let spawned = std::thread::Builder::new()
            .name("rollback".into())
            .spawn(move || {
                for job in receiver {
                    let outcome = run(&state_dir, &vault, &job);
                    if report.send(outcome).is_err() {
                        return;
                    }
                }
            });
        Rollbacks {
            jobs: spawned.is_ok().then_some(jobs),
            done,
        }
    }

    /// Rolls back `incident` shortly (the verdict was just now).
    pub fn request(&self, incident: &str, share: &str) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job {
                incident: incident.to_string(),
                share: share.to_string(),
                verdict_at: Instant::now(),
            });
        }
    }

    /// Rollbacks finished since the last call.
    pub fn finished(&self) -> Vec<Outcome> {
        self.done.try_iter().collect()
    }
}

fn sleep_until(at: Instant) {
    let now = Instant::now();
    if at > now {
        std::thread::sleep(at - now);
    }
}

fn run(state_dir: &std::path::Path, vault: &VaultHandle, job: &Job) -> Outcome {
    let journal = Journal::open(state_dir);
    let touches = || journal.touches(&job.incident).map_or(0, |t| t.len());
    let mut outcome = Outcome {
        incident: job.incident.clone(),
        share: job.share.clone(),
        ..Outcome::default()
    };
    sleep_until(job.verdict_at + SETTLE);
    let started = Instant::now();
    let seen = touches();
    let in_use = once(state_dir, vault, job, &mut outcome);
    sleep_until(job.verdict_at + LATE);
    if touches() != seen || in_use {
        once(state_dir, vault, job, &mut outcome);
    }
    outcome.took_ms = started.elapsed().as_millis() as u64;
    let path = journal.incident_dir(&job.incident).join("rollback.json");
    match serde_json::to_vec_pretty(&outcome) {
        Ok(json) => {
            if let Err(e) = std::fs::write(&path, json) {
                tracing::error!("{}: {e}", path.display());
            }
        }
        Err(e) => tracing::error!("{}: {e}", path.display()),
    }
    outcome
}

/// One rollback run, merged into `outcome`; whether it left a file because
/// another process had it open (the attacker's smbd not yet gone, say).
fn once(
    state_dir: &std::path::Path,
    vault: &VaultHandle,
    job: &Job,
    outcome: &mut Outcome,
) -> bool {
    #[cfg(feature = "vault")]
    {
        // Versions taken in the last moments are committed in batches.
        if let Some(vault) = vault {
            if let Err(e) = vault.flush() {
                tracing::warn!("vault flush before rollback: {e}");
            }
        }
        outcome.runs += 1;
        match mamori_restore::rollback(state_dir, &job.incident) {
            Ok(report) => {
                merge(outcome, &report);
                let in_use = report
                    .skipped
                    .iter()
                    .any(|s| s.reason == mamori_restore::SkipReason::InUse);
                // Files put back under a missing name are new inodes:
                // link them into the vault now, not at the next sweep.
                if let Some(vault) = vault {
                    let back: Vec<String> =
                        report.restored.iter().map(|r| r.path.clone()).collect();
                    if !back.is_empty() {
                        if let Err(e) = vault.link_new(&job.share, &back) {
                            tracing::warn!("vault links after rollback: {e}");
                        }
                    }
                }
                in_use
            }
            Err(e) => {
                outcome.error = Some(e.to_string());
                false
            }
        }
    }
    #[cfg(not(feature = "vault"))]
    {
        let _ = (state_dir, vault, job);
        outcome.error = Some("built without the vault".into());
        false
    }
}

#[cfg(feature = "vault")]
fn merge(outcome: &mut Outcome, report: &mamori_restore::RestoreReport) {
    for restored in &report.restored {
        if !outcome.restored.contains(&restored.path) {
            outcome.restored.push(restored.path.clone());
        }
    }
    for removed in &report.removed {
        if !outcome.removed.contains(removed) {
            outcome.removed.push(removed.clone());
        }
    }
    outcome.already = report.already;
    outcome.error = None;
    // What is left is what the last run left.
    outcome.left = report
        .skipped
        .iter()
        .map(|s| Left {
            path: s.path.clone(),
            reason: match s.reason {
                mamori_restore::SkipReason::ChangedByOther => {
                    "changed by someone else since / 攻撃後に他の利用者が変更".into()
                }
                mamori_restore::SkipReason::NameTaken => {
                    "its name is taken by another file / 元の名前を別のファイルが使用中".into()
                }
                mamori_restore::SkipReason::InUse => {
                    "open by someone else / 他の利用者が開いたまま".into()
                }
            },
        })
        .chain(report.failed.iter().map(|f| Left {
            path: f.path.clone(),
            reason: f.reason.clone(),
        }))
        .collect();
}

/// The alert text (Japanese, English) of an outcome.
pub fn message(outcome: &Outcome) -> (String, String) {
    if let Some(error) = &outcome.error {
        return (
            format!(
                "インシデント {} の自動ロールバックができませんでした: {error}（`mamori restore {}` で復元してください）",
                outcome.incident, outcome.incident
            ),
            format!(
                "Incident {}: automatic rollback failed: {error} (restore with `mamori restore {}`)",
                outcome.incident, outcome.incident
            ),
        );
    }
    let mut ja = format!(
        "遮断前に変更されたファイルを保護領域から元に戻しました（復元 {} 件、攻撃者が作成したファイルの削除 {} 件）",
        outcome.restored.len(),
        outcome.removed.len()
    );
    let mut en = format!(
        "Rolled back the changes made before the block from the vault ({} files restored, {} attacker files removed)",
        outcome.restored.len(),
        outcome.removed.len()
    );
    if !outcome.left.is_empty() {
        let list = |n: usize| {
            outcome
                .left
                .iter()
                .take(n)
                .map(|l| format!("{} ({})", l.path, l.reason))
                .collect::<Vec<_>>()
                .join(", ")
        };
        ja.push_str(&format!(
            "。戻さなかったファイル {} 件: {}",
            outcome.left.len(),
            list(5)
        ));
        en.push_str(&format!(
            "; left as they are: {} files: {}",
            outcome.left.len(),
            list(5)
        ));
    }
    (ja, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_came_back_and_what_was_left() {
        let mut outcome = Outcome {
            incident: "i1".into(),
            share: "docs".into(),
            restored: vec!["a.docx".into(), "b.xlsx".into()],
            removed: vec!["README_RESTORE.txt".into()],
            ..Outcome::default()
        };
        let (ja, en) = message(&outcome);
        assert!(ja.contains("復元 2 件") && ja.contains("削除 1 件"), "{ja}");
        assert!(en.contains("2 files restored"), "{en}");
        assert!(!en.contains("left"));
        outcome.left.push(Left {
            path: "c.pdf".into(),
            reason: "changed by someone else since".into(),
        });
        let (ja, en) = message(&outcome);
        assert!(ja.contains("戻さなかったファイル 1 件: c.pdf"), "{ja}");
        assert!(en.contains("left as they are: 1 files: c.pdf"), "{en}");
        outcome.error = Some("no vault".into());
        let (ja, en) = message(&outcome);
        assert!(ja.contains("mamori restore i1") && en.contains("rollback failed"));
    }
}

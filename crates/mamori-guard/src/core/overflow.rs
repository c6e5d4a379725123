//! Event-queue overflow: the kernel dropped events, so the shares are
//! rescanned for files changed since the last event seen, and those are
//! judged.
//!
//! Who wrote them: the permission path took a probe of each file's old
//! content at its writer's first write (`perm::Befores`, which no overflow
//! touches) and keeps it until the writer's close is judged. A rescanned
//! file whose probe is still there lost its close: it is judged as that
//! writer's write, against its old content, and journaled with its vault
//! copy; a verdict then blocks the writer and rolls it back like any other
//! (an attacker cannot escape the block by flooding the queues). Files the
//! main loop judged already and that have not changed since
//! ([`JudgedWrites`]) are not judged twice; the rest are judged as an
//! unknown actor's (alerted and journaled, blocking nobody).

use super::Main;
use mamori_alert::Alert;
use mamori_journal::Actor;
use mamori_judge::{FileEvent, FileOp, Judge, Probe};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Instant, SystemTime};

/// Files judged lately (absolute path → mtime in ns and size when their
/// new content was probed), bounded; a `RefCell` because the probe of a
/// written file notes it from `&self` paths.
#[derive(Default)]
pub(super) struct JudgedWrites(RefCell<HashMap<PathBuf, (i64, u64)>>);

/// Entries of [`JudgedWrites`] before it is emptied (a rescan soon after
/// judges such files again, as before there was a record).
const JUDGED_WRITES: usize = 16_384;

fn stamp(meta: &std::fs::Metadata) -> (i64, u64) {
    (
        meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        meta.size(),
    )
}

impl JudgedWrites {
    pub(super) fn note(&self, abs: &Path, meta: &std::fs::Metadata) {
        let mut map = self.0.borrow_mut();
        if map.len() >= JUDGED_WRITES {
            map.clear();
        }
        map.insert(abs.to_path_buf(), stamp(meta));
    }

    /// Whether `abs` is as it was when last judged.
    fn unchanged(&self, abs: &Path, meta: &std::fs::Metadata) -> bool {
        self.0.borrow().get(abs) == Some(&stamp(meta))
    }
}

impl Main<'_> {
    /// Events were lost: alert, then rescan the affected shares for files
    /// changed since the last event seen and judge each as its writer's
    /// where the permission path still holds its old content's probe, else
    /// as an unknown actor's (files judged before and unchanged: skipped).
    pub(super) fn overflow(&mut self, judge: &mut Judge, share: usize) {
        self.hot.stats.overflows.fetch_add(1, Ordering::Relaxed);
        let since = self.last_ok - super::lost::LOSS_MARGIN;
        let targets: Vec<usize> = if share < self.hot.shares.list.len() {
            vec![share]
        } else {
            (0..self.hot.shares.list.len()).collect()
        };
        let mut changed = Vec::new();
        let mut already = 0;
        let judged = &self.judged;
        for index in &targets {
            let root = &self.hot.shares.list[*index].root;
            rescan(root, since, 200_000, &mut |rel, meta| {
                // Judged already and unchanged since: not again.
                if judged.unchanged(&root.join(&rel), meta) {
                    already += 1;
                } else {
                    changed.push((*index, rel));
                }
            });
        }
        let wanted: HashSet<(usize, PathBuf)> = changed.iter().cloned().collect();
        let mut writers = self
            .hot
            .befores
            .lock()
            .map(|mut befores| befores.take_files(&wanted))
            .unwrap_or_default();
        let names: Vec<String> = targets
            .iter()
            .map(|i| self.hot.shares.list[*i].name.clone())
            .collect();
        self.incidents.emit(
            Alert::new(
                "overflow",
                format!(
                    "イベントキューが溢れました。共有 {} を再走査し、変更された {} 件を判定しました",
                    names.join(", "),
                    changed.len()
                ),
                format!(
                    "Event queue overflow: rescanned {} and judged {} changed files",
                    names.join(", "),
                    changed.len()
                ),
            )
            .with("share", names.join(","))
            .with("reason", "event queue overflow; rescanned")
            .with("attributed", writers.len())
            .with("already_judged", already)
            .with("files", changed.iter().take(100).map(|(_, p)| p.to_string_lossy().into_owned()).collect::<Vec<_>>()),
        );
        let unknown = Actor {
            exe: Some("(unknown: event queue overflow)".into()),
            ..Actor::default()
        };
        for (index, rel) in changed {
            let share = self.hot.shares.list[index].clone();
            let abs = share.root.join(&rel);
            let writer = writers.remove(&(index, rel.clone()));
            let actor = match &writer {
                Some((pid, _)) => self.hot.actor_of(*pid),
                None => unknown.clone(),
            };
            let (before, vault) = match writer {
                Some((_, before)) => (Some(before.probe), before.vault),
                None => (None, None),
            };
            let attributed = before.is_some();
            // In the incident's journal if it comes to a verdict (for
            // `incident assess` and restore; an unknown actor's never
            // rolled back: some of these changes are other users' work).
            let touch =
                crate::incidents::touch_of(&mamori_watch::Change::Written, &rel, false, vault);
            if let Some(touch) = touch {
                self.incidents.touch(index, &share.name, &actor, touch);
            }
            if let Ok(meta) = std::fs::metadata(&abs) {
                self.judged.note(&abs, &meta);
            }
            let event = FileEvent {
                at: Instant::now(),
                share: share.name.clone(),
                actor,
                op: FileOp::Written {
                    path: rel.clone(),
                    before,
                    after: Probe::of_file(&abs).unwrap_or_default(),
                },
            };
            if attributed {
                self.judge_event(judge, index, &event);
            } else if let Some(verdict) = judge.observe(&event) {
                self.upkeep
                    .respond(&mut self.incidents, &self.hot, self.config, index, &verdict);
            }
        }
        self.last_ok = SystemTime::now();
    }
}

/// Regular files under `root` changed (mtime or ctime) at or after `since`,
/// with what the walk's `stat` found.
fn rescan(
    root: &Path,
    since: SystemTime,
    limit: usize,
    found: &mut dyn FnMut(PathBuf, &std::fs::Metadata),
) {
    use std::os::unix::fs::MetadataExt;
    let since_secs = since
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut stack = vec![PathBuf::new()];
    let mut visited = 0;
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            visited += 1;
            if visited > limit {
                return;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let path = rel.join(entry.file_name());
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file()
                && (meta.mtime() >= since_secs || meta.ctime() >= since_secs)
                && !mamori_judge::decoy::is_decoy_name(&path)
            {
                found(path, &meta);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rescan_finds_recent_files_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/new.txt"), b"x").unwrap();
        let mut found = Vec::new();
        rescan(
            dir.path(),
            SystemTime::now() - Duration::from_secs(60),
            100,
            &mut |p, _| found.push(p),
        );
        assert_eq!(found, vec![PathBuf::from("sub/new.txt")]);
        found.clear();
        rescan(
            dir.path(),
            SystemTime::now() + Duration::from_secs(60),
            100,
            &mut |p, _| found.push(p),
        );
        assert!(found.is_empty());
    }
}

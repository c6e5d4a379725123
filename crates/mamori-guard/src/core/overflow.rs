//! Event-queue overflow: the kernel dropped events, so the shares are
//! rescanned for files changed since the last event seen and those are
//! judged as changes of an unknown actor.

use super::Main;
use mamori_alert::Alert;
use mamori_journal::Actor;
use mamori_judge::{FileEvent, FileOp, Judge, Probe};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

impl Main<'_> {
    /// Events were lost: alert, then rescan the affected shares for files
    /// changed since the last event seen and judge them as changes of an
    /// unknown actor.
    pub(super) fn overflow(&mut self, judge: &mut Judge, share: usize) {
        self.hot.stats.overflows.fetch_add(1, Ordering::Relaxed);
        let since = self.last_ok - Duration::from_secs(2);
        let targets: Vec<usize> = if share < self.hot.shares.list.len() {
            vec![share]
        } else {
            (0..self.hot.shares.list.len()).collect()
        };
        let mut changed = Vec::new();
        for index in &targets {
            let root = &self.hot.shares.list[*index].root;
            rescan(root, since, 200_000, &mut |rel| changed.push((*index, rel)));
        }
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
            .with("files", changed.iter().take(100).map(|(_, p)| p.to_string_lossy().into_owned()).collect::<Vec<_>>()),
        );
        let unknown = Actor {
            exe: Some("(unknown: event queue overflow)".into()),
            ..Actor::default()
        };
        for (index, rel) in changed {
            let share = self.hot.shares.list[index].clone();
            // In the incident's journal if it comes to a verdict (for
            // `incident assess` and restore; never rolled back: some of
            // these changes are other users' work).
            let touch =
                crate::incidents::touch_of(&mamori_watch::Change::Written, &rel, false, None);
            if let Some(touch) = touch {
                self.incidents.touch(index, &share.name, &unknown, touch);
            }
            let event = FileEvent {
                at: Instant::now(),
                share: share.name.clone(),
                actor: unknown.clone(),
                op: FileOp::Written {
                    path: rel.clone(),
                    before: None,
                    after: Probe::of_file(&share.root.join(&rel)).unwrap_or_default(),
                },
            };
            if let Some(verdict) = judge.observe(&event) {
                self.upkeep
                    .respond(&mut self.incidents, &self.hot, self.config, index, &verdict);
            }
        }
        self.last_ok = SystemTime::now();
    }
}

/// Regular files under `root` changed (mtime or ctime) at or after `since`.
fn rescan(root: &Path, since: SystemTime, limit: usize, found: &mut dyn FnMut(PathBuf)) {
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
                found(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            &mut |p| found.push(p),
        );
        assert_eq!(found, vec![PathBuf::from("sub/new.txt")]);
        found.clear();
        rescan(
            dir.path(),
            SystemTime::now() + Duration::from_secs(60),
            100,
            &mut |p| found.push(p),
        );
        assert!(found.is_empty());
    }
}

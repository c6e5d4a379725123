//! The files a key created, counted per path.
//!
//! Counted, not just remembered: the guard reads creates from a queue of
//! their own, ahead of the renames and deletes read with them, so a create
//! can reach the judge before the rename or delete of an earlier file of
//! the same name (a program that writes `out.txt`, renames it and writes
//! `out.txt` again). With one flag per path the second create was swallowed
//! by the first, the first rename took the flag, and the second file's
//! delete looked like the delete of somebody's existing document — under a
//! storm of such files, a false "burst of deletes". Each create adds one;
//! each rename moves one and each delete takes one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Default)]
pub(super) struct Created {
    /// Path → (creates not yet renamed away or deleted, the latest create).
    map: HashMap<PathBuf, (u32, Instant)>,
}

impl Created {
    pub fn insert(&mut self, path: PathBuf, at: Instant) {
        let entry = self.map.entry(path).or_insert((0, at));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = entry.1.max(at);
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.map.contains_key(path)
    }

    /// Takes one create of `path` (its file was deleted or renamed away).
    pub fn take_one(&mut self, path: &Path) -> Option<Instant> {
        let entry = self.map.get_mut(path)?;
        let at = entry.1;
        entry.0 -= 1;
        if entry.0 == 0 {
            self.map.remove(path);
        }
        Some(at)
    }

    /// A rename: one create of `from` now names `to`.
    pub fn move_one(&mut self, from: &Path, to: &Path) {
        if let Some(at) = self.take_one(from) {
            self.insert(to.to_path_buf(), at);
        }
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Instant) -> bool) {
        self.map.retain(|_, (_, at)| keep(at));
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_read_ahead_of_an_earlier_rename_is_not_lost() {
        let mut created = Created::default();
        let now = Instant::now();
        let (tmp, done) = (Path::new("out.txt"), Path::new("out_done.txt"));
        // Read order: both creates first, then the two renames and deletes.
        created.insert(tmp.into(), now);
        created.insert(tmp.into(), now);
        created.move_one(tmp, done);
        assert!(created.take_one(done).is_some(), "first file");
        created.move_one(tmp, done);
        assert!(created.contains(done));
        assert!(created.take_one(done).is_some(), "second file");
        assert!(!created.contains(tmp) && !created.contains(done));
        assert_eq!(created.len(), 0);
    }

    #[test]
    fn unknown_paths_are_left_alone() {
        let mut created = Created::default();
        assert!(created.take_one(Path::new("a")).is_none());
        created.move_one(Path::new("a"), Path::new("b"));
        assert!(!created.contains(Path::new("b")));
    }
}

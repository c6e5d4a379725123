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

//!
//! Paths and names are kept as 64-bit hashes under a key drawn at random
//! for each table (`RandomState`): the tables of a user every local
//! process shares reach their caps of 100 000 under a storm, and with the
//! paths themselves they held ≈ 45 MB of the guard's heap at its peak
//! (heaptrack, session 34); hashed, ≈ 7 MB. The random key keeps anyone
//! from making a path of theirs collide with somebody's document on
//! purpose; by chance, two of 100 000 paths collide with odds of ≈ 3e-10.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::hash::{BuildHasher, Hash};
use std::path::Path;
use std::time::Instant;

/// A map keyed by keyed hashes of its keys (module doc).
#[derive(Debug)]
pub(super) struct Hashed<V> {
    map: HashMap<u64, V>,
    key: RandomState,
}

impl<V> Default for Hashed<V> {
    fn default() -> Self {
        Hashed {
            map: HashMap::new(),
            key: RandomState::new(),
        }
    }
}

impl<V> Hashed<V> {
    fn id<T: Hash + ?Sized>(&self, item: &T) -> u64 {
        self.key.hash_one(item)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }
}

/// Names of files a key created lately, anywhere, with when.
pub(super) type CreatedNames = Hashed<Instant>;

impl CreatedNames {
    pub fn insert(&mut self, name: &OsStr, at: Instant) {
        let id = self.id(name);
        self.map.insert(id, at);
    }

    pub fn get(&self, name: &OsStr) -> Option<Instant> {
        self.map.get(&self.id(name)).copied()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Instant) -> bool) {
        self.map.retain(|_, at| keep(at));
    }
}

/// Path → (creates not yet renamed away or deleted, the latest create).
pub(super) type Created = Hashed<(u32, Instant)>;

impl Created {
    pub fn insert(&mut self, path: &Path, at: Instant) {
        let id = self.id(path);
        let entry = self.map.entry(id).or_insert((0, at));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = entry.1.max(at);
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.map.contains_key(&self.id(path))
    }

    /// Takes one create of `path` (its file was deleted or renamed away).
    pub fn take_one(&mut self, path: &Path) -> Option<Instant> {
        let id = self.id(path);
        let entry = self.map.get_mut(&id)?;
        let at = entry.1;
        entry.0 -= 1;
        if entry.0 == 0 {
            self.map.remove(&id);
        }
        Some(at)
    }

    /// A rename: one create of `from` now names `to`.
    pub fn move_one(&mut self, from: &Path, to: &Path) {
        if let Some(at) = self.take_one(from) {
            self.insert(to, at);
        }
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Instant) -> bool) {
        self.map.retain(|_, (_, at)| keep(at));
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
        created.insert(tmp, now);
        created.insert(tmp, now);
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

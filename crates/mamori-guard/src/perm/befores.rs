//! Probes of the old content of files being written, from each writer's
//! first pre-content event until its close (or, when the close was lost
//! in an overflow, until the rescan takes them: `core/overflow.rs`).

use mamori_judge::Probe;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

/// What the old content looked like, kept until the writer closes the file.
#[derive(Debug, Clone)]
pub struct Before {
    pub probe: Probe,
    pub vault: Option<String>,
    pub at: Instant,
    /// (dev, ino) of the file: its close is matched by inode
    /// ([`crate::barrier::Barrier::closed`]).
    pub inode: Option<(u64, u64)>,
}

/// Probes of old content per (pid, share, relative path), bounded.
#[derive(Default)]
pub struct Befores {
    map: HashMap<(u32, usize, PathBuf), Before>,
    capacity: usize,
}

impl Befores {
    pub fn new(capacity: usize) -> Self {
        Befores {
            map: HashMap::new(),
            capacity: capacity.max(16),
        }
    }

    pub fn insert(&mut self, key: (u32, usize, PathBuf), before: Before) {
        if self.map.len() >= self.capacity {
            // Forget the oldest half: their writers are long gone or very slow.
            let mut ages: Vec<Instant> = self.map.values().map(|b| b.at).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            self.map.retain(|_, b| b.at > cutoff);
        }
        self.map.insert(key, before);
    }

    pub fn get(&self, key: &(u32, usize, PathBuf)) -> Option<&Before> {
        self.map.get(key)
    }

    pub fn take(&mut self, key: &(u32, usize, PathBuf)) -> Option<Before> {
        self.map.remove(key)
    }

    /// Takes every probe of the files `wanted` (share, path), with its
    /// writer's pid: the writers of files whose closes were lost.
    pub fn take_files(
        &mut self,
        wanted: &HashSet<(usize, PathBuf)>,
    ) -> HashMap<(usize, PathBuf), (u32, Before)> {
        let keys: Vec<_> = self
            .map
            .keys()
            .filter(|(_, share, path)| wanted.contains(&(*share, path.clone())))
            .cloned()
            .collect();
        let mut taken = HashMap::new();
        for key in keys {
            if let Some(before) = self.map.remove(&key) {
                let (pid, share, path) = key;
                // Two writers of one file: the content is the last one's.
                match taken.entry((share, path)) {
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        let (_, kept): &(u32, Before) = e.get();
                        if before.at > kept.at {
                            e.insert((pid, before));
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert((pid, before));
                    }
                }
            }
        }
        taken
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn before(at: Instant) -> Before {
        Before {
            probe: Probe::default(),
            vault: None,
            at,
            inode: None,
        }
    }

    #[test]
    fn befores_stay_bounded() {
        let mut befores = Befores::new(16);
        for i in 0..100u32 {
            befores.insert(
                (i, 0, PathBuf::from("a")),
                Before {
                    probe: Probe::default(),
                    vault: None,
                    at: Instant::now(),
                    inode: None,
                },
            );
        }
        assert!(befores.len() <= 16);
        assert!(befores.take(&(99, 0, PathBuf::from("a"))).is_some());
    }

    #[test]
    fn the_rescan_takes_the_last_writer_of_each_wanted_file() {
        let mut befores = Befores::new(16);
        let first = Instant::now();
        let later = first + std::time::Duration::from_millis(5);
        befores.insert((1, 0, PathBuf::from("a.docx")), before(first));
        befores.insert((2, 0, PathBuf::from("a.docx")), before(later));
        befores.insert((3, 0, PathBuf::from("b.xlsx")), before(first));
        let wanted = HashSet::from([(0, PathBuf::from("a.docx")), (1, PathBuf::from("b.xlsx"))]);
        let taken = befores.take_files(&wanted);
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[&(0, PathBuf::from("a.docx"))].0, 2);
        assert_eq!(befores.len(), 1, "the other share's file stays");
    }
}

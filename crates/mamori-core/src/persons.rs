//! Distinct persons from keyed hashes alone.
//!
//! A person record carries hashes of what identifies them. Records are merged
//! (union-find) when they share an identifier (My Number, bank account, own
//! phone or e-mail) or a normalised name (kanji or kana reading), unless the
//! two sides hold *different* birth dates or My Numbers: that is how two
//! 佐藤健 in one company stay two people while the roster, the bank list and
//! the My Number ledger of one 佐藤健 count once.

use crate::KeyHash;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonKeys {
    /// Names as written in kanji (normalised): strong enough to join records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<KeyHash>,
    /// Readings (katakana, romaji). Many people share one, so a reading joins
    /// a record only to one that has no written name of its own (a bank's
    /// ﾔﾏﾀﾞ ﾀﾛｳ, a card's TARO YAMADA), never two written names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<KeyHash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth: Option<KeyHash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_number: Option<KeyHash>,
    /// Other identifiers one person holds alone (account, own phone, e-mail).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<KeyHash>,
}

impl PersonKeys {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.readings.is_empty()
            && self.birth.is_none()
            && self.my_number.is_none()
            && self.links.is_empty()
    }
}

/// 64 bits of a key hash: union-find needs identity, not secrecy, and
/// half the memory lets a share of millions of records fit in a few
/// hundred megabytes (collisions at 10^7 keys: about 1 in 200 000).
fn short(hash: &KeyHash) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&hash.0[..8]);
    // 0 means "none" in the per-record attribute columns.
    u64::from_le_bytes(b).max(1)
}

/// Counts distinct persons as records stream in, in memory proportional to
/// the records (20 bytes each) and the distinct keys (about 24 bytes each),
/// never to the keys' repetitions.
#[derive(Debug, Default)]
pub struct PersonCounter {
    parent: Vec<u32>,
    birth: Vec<u64>,
    my_number: Vec<u64>,
    by_link: HashMap<u64, u32>,
    /// First root holding a name; later, incompatible holders (homonyms) in `homonyms`.
    by_name: HashMap<u64, u32>,
    homonyms: HashMap<u64, Vec<u32>>,
    /// First record with a written name holding a reading, and first record
    /// known only by that reading.
    reading_of_named: HashMap<u64, u32>,
    reading_only: HashMap<u64, u32>,
    /// Whether a set holds a written name (kept on its root).
    named: Vec<bool>,
}

impl PersonCounter {
    pub fn new() -> Self {
        PersonCounter::default()
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn compatible(&self, a: u32, b: u32) -> bool {
        let differ = |x: u64, y: u64| x != 0 && y != 0 && x != y;
        let (a, b) = (a as usize, b as usize);
        !differ(self.birth[a], self.birth[b]) && !differ(self.my_number[a], self.my_number[b])
    }

    /// Unites two roots if compatible; returns the surviving root.
    fn union(&mut self, a: u32, b: u32) -> Option<u32> {
        if a == b {
            return Some(a);
        }
        if !self.compatible(a, b) {
            return None;
        }
        self.parent[b as usize] = a;
        let (ai, bi) = (a as usize, b as usize);
        if self.birth[ai] == 0 {
            self.birth[ai] = self.birth[bi];
        }
        if self.my_number[ai] == 0 {
            self.my_number[ai] = self.my_number[bi];
        }
        self.named[ai] |= self.named[bi];
        Some(a)
    }

    /// Tries to join `root` to any holder of `name`; remembers it otherwise.
    fn join_name(&mut self, name: u64, root: u32) -> u32 {
        let Some(&first) = self.by_name.get(&name) else {
            self.by_name.insert(name, root);
            return root;
        };
        let first_root = self.find(first);
        self.by_name.insert(name, first_root);
        if let Some(r) = self.union(first_root, root) {
            return r;
        }
        let mut others = self.homonyms.remove(&name).unwrap_or_default();
        let mut joined = None;
        for other in others.iter_mut() {
            let other_root = self.find(*other);
            *other = other_root;
            if let Some(r) = self.union(other_root, root) {
                joined = Some(r);
                break;
            }
        }
        if joined.is_none() {
            others.push(root);
        }
        self.homonyms.insert(name, others);
        joined.unwrap_or(root)
    }

    pub fn add(&mut self, record: &PersonKeys) {
        let node = u32::try_from(self.parent.len()).unwrap_or(u32::MAX);
        if node == u32::MAX {
            return; // four billion records: beyond any share
        }
        self.parent.push(node);
        self.named.push(!record.names.is_empty());
        self.birth
            .push(record.birth.as_ref().map(short).unwrap_or(0));
        self.my_number
            .push(record.my_number.as_ref().map(short).unwrap_or(0));
        let mut root = node;
        for link in record.my_number.iter().chain(record.links.iter()) {
            let link = short(link);
            match self.by_link.get(&link) {
                Some(&other) => {
                    let other_root = self.find(other);
                    if let Some(r) = self.union(other_root, root) {
                        root = r;
                    }
                }
                None => {
                    self.by_link.insert(link, node);
                }
            }
        }
        for name in &record.names {
            root = self.join_name(short(name), root);
        }
        let named = !record.names.is_empty();
        for reading in &record.readings {
            let reading = short(reading);
            // A written name meets reading-only records; a reading-only record
            // meets anyone with that reading.
            let mut candidates = vec![self.reading_only.get(&reading).copied()];
            if !named {
                candidates.insert(0, self.reading_of_named.get(&reading).copied());
            }
            for other in candidates.into_iter().flatten() {
                let other_root = self.find(other);
                // A reading never joins two written names, not even through a
                // reading-only record that joined one of them first.
                if named && self.named[other_root as usize] && other_root != root {
                    continue;
                }
                if let Some(r) = self.union(other_root, root) {
                    root = r;
                }
            }
            let map = if named {
                &mut self.reading_of_named
            } else {
                &mut self.reading_only
            };
            map.entry(reading).or_insert(root);
        }
    }

    /// Distinct persons among the records added so far.
    pub fn count(&mut self) -> usize {
        (0..self.parent.len() as u32)
            .filter(|&i| self.find(i) == i)
            .count()
    }
}

/// Counts distinct persons among `records` (one group, e.g. one category).
pub fn count_persons<'a>(records: impl IntoIterator<Item = &'a PersonKeys>) -> usize {
    let mut counter = PersonCounter::new();
    for record in records {
        counter.add(record);
    }
    counter.count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HashKey;

    fn person(name: &str, birth: Option<&str>, mn: Option<&str>, links: &[&str]) -> PersonKeys {
        let key = HashKey::for_tests();
        PersonKeys {
            names: vec![key.hash("name", name)],
            birth: birth.map(|b| key.hash("birth", b)),
            my_number: mn.map(|m| key.hash("mn", m)),
            links: links.iter().map(|l| key.hash("link", l)).collect(),
            readings: Vec::new(),
        }
    }

    #[test]
    fn same_person_in_three_files_counts_once() {
        let roster = person("佐藤健", Some("1980-03-02"), None, &[]);
        let bank = person("佐藤健", None, None, &["0001-001-1234567"]);
        let ledger = person("佐藤健", Some("1980-03-02"), Some("123456789018"), &[]);
        assert_eq!(count_persons([&roster, &bank, &ledger]), 1);
    }

    #[test]
    fn homonyms_with_different_birth_dates_stay_apart() {
        let a = person("佐藤健", Some("1980-03-02"), None, &[]);
        let b = person("佐藤健", Some("1991-07-15"), None, &[]);
        let c = person("佐藤健", None, None, &[]);
        assert_eq!(count_persons([&a, &b, &c]), 2);
    }

    #[test]
    fn kana_reading_links_kanji_and_bank_holder_name() {
        let key = HashKey::for_tests();
        let roster = PersonKeys {
            names: vec![
                key.hash("name", "山田太郎"),
                key.hash("name", "ヤマダタロウ"),
            ],
            ..Default::default()
        };
        let bank = PersonKeys {
            names: vec![key.hash("name", "ヤマダタロウ")],
            ..Default::default()
        };
        assert_eq!(count_persons([&roster, &bank]), 1);
    }

    #[test]
    fn records_without_keys_each_count() {
        let empty = PersonKeys::default();
        assert_eq!(count_persons([&empty, &empty]), 2);
    }
}

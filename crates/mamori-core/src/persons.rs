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
    /// Normalised name variants: kanji, katakana reading, romaji.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<KeyHash>,
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
            && self.birth.is_none()
            && self.my_number.is_none()
            && self.links.is_empty()
    }
}

struct Sets {
    parent: Vec<usize>,
    birth: Vec<Option<KeyHash>>,
    my_number: Vec<Option<KeyHash>>,
}

impl Sets {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn compatible(&self, a: usize, b: usize) -> bool {
        let differ = |x: &Option<KeyHash>, y: &Option<KeyHash>| matches!((x, y), (Some(p), Some(q)) if p != q);
        !differ(&self.birth[a], &self.birth[b]) && !differ(&self.my_number[a], &self.my_number[b])
    }

    /// Unites two roots if compatible; returns the surviving root.
    fn union(&mut self, a: usize, b: usize) -> Option<usize> {
        if a == b {
            return Some(a);
        }
        if !self.compatible(a, b) {
            return None;
        }
        self.parent[b] = a;
        if self.birth[a].is_none() {
            self.birth[a] = self.birth[b];
        }
        if self.my_number[a].is_none() {
            self.my_number[a] = self.my_number[b];
        }
        Some(a)
    }
}

/// Counts distinct persons among `records` (one group, e.g. one category).
pub fn count_persons<'a>(records: impl IntoIterator<Item = &'a PersonKeys>) -> usize {
    let mut sets = Sets {
        parent: Vec::new(),
        birth: Vec::new(),
        my_number: Vec::new(),
    };
    let mut by_link: HashMap<KeyHash, usize> = HashMap::new();
    let mut by_name: HashMap<KeyHash, Vec<usize>> = HashMap::new();

    for record in records {
        let node = sets.parent.len();
        sets.parent.push(node);
        sets.birth.push(record.birth);
        sets.my_number.push(record.my_number);
        let mut root = node;

        for link in record.my_number.iter().chain(record.links.iter()) {
            match by_link.get(link) {
                Some(&other) => {
                    let other_root = sets.find(other);
                    if let Some(r) = sets.union(other_root, root) {
                        root = r;
                    }
                }
                None => {
                    by_link.insert(*link, node);
                }
            }
        }

        for name in &record.names {
            let candidates = by_name.entry(*name).or_default();
            let mut joined = false;
            for candidate in candidates.iter_mut() {
                let candidate_root = sets.find(*candidate);
                *candidate = candidate_root;
                if let Some(r) = sets.union(candidate_root, root) {
                    root = r;
                    joined = true;
                    break;
                }
            }
            if !joined {
                candidates.push(root);
            }
        }
    }

    (0..sets.parent.len())
        .filter(|&i| sets.find(i) == i)
        .count()
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

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
    /// A person-record number (社員番号, 株主番号) with its numbering:
    /// bytes 0..4 name the numbering (the column's label), the rest the
    /// value ([`PersonKeys::record_id`]). Two records numbered differently
    /// in the same numbering are two people even with one name; numbers of
    /// different numberings are never compared, and equal numbers join
    /// nothing (row numbers repeat across files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<KeyHash>,
}

impl PersonKeys {
    /// The record-id key of `value` in the numbering named `label`.
    pub fn record_id(key: &crate::HashKey, label: &str, value: &str) -> KeyHash {
        PersonKeys::record_id_numbered(
            key,
            PersonKeys::record_numbering(key, label),
            &format!("{label}\u{0}{value}"),
        )
    }

    /// The hash naming the numbering `label`: the same for every row of a
    /// table, so the table engine computes it once.
    pub fn record_numbering(key: &crate::HashKey, label: &str) -> KeyHash {
        key.hash("record_numbering", label)
    }

    /// [`PersonKeys::record_id`] from the numbering's hash and
    /// `label ‖ 0 ‖ value` (the two hashes are unchanged, one is reused).
    pub fn record_id_numbered(
        key: &crate::HashKey,
        numbering: KeyHash,
        label_and_value: &str,
    ) -> KeyHash {
        PersonKeys::numbered(
            numbering,
            key.hash(PersonKeys::RECORD_ID_DOMAIN, label_and_value),
        )
    }

    /// The domain of the hash of `label ‖ 0 ‖ value` in
    /// [`PersonKeys::record_id_numbered`].
    pub const RECORD_ID_DOMAIN: &'static str = "record_id";

    /// The record id from its numbering's hash and the hash of
    /// `label ‖ 0 ‖ value` in [`PersonKeys::RECORD_ID_DOMAIN`].
    pub fn numbered(numbering: KeyHash, mut id: KeyHash) -> KeyHash {
        id.0[..4].copy_from_slice(&numbering.0[..4]);
        id
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.readings.is_empty()
            && self.birth.is_none()
            && self.my_number.is_none()
            && self.links.is_empty()
    }
}

mod runs;

use runs::KeyRuns;

/// 64 bits of a key hash: union-find needs identity, not secrecy.
fn short(hash: &KeyHash) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&hash.0[..8]);
    u64::from_le_bytes(b)
}

/// 32 bits of a birth date or My Number hash, only ever compared between
/// two records that already share a name or an identifier; 0 means none.
fn attribute(hash: Option<&KeyHash>) -> u32 {
    hash.map(|h| {
        let mut b = [0u8; 4];
        b.copy_from_slice(&h.0[8..12]);
        u32::from_le_bytes(b).max(1)
    })
    .unwrap_or(0)
}

/// How a shared key joins records, in the order the kinds are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KeyKind {
    /// My Number, account, own phone, e-mail: one person's alone.
    Link = 0,
    /// A written name: joins unless birth dates or My Numbers differ.
    Name = 1,
    /// A reading: joins a record only to one without a written name.
    Reading = 2,
}

/// Sort key of one (kind, group, hash) — kind in the top two bits so that
/// all links are applied before all names, and names before readings.
fn sort_key(kind: KeyKind, group: u16, hash: u64) -> u64 {
    // Mixing the group in keeps categories apart without widening the key.
    let mixed = (hash ^ u64::from(group).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    ((kind as u64) << 62) | (mixed >> 2)
}

fn kind_of(key: u64) -> KeyKind {
    match key >> 62 {
        0 => KeyKind::Link,
        1 => KeyKind::Name,
        _ => KeyKind::Reading,
    }
}

/// Counts distinct persons per group (category) in bounded memory.
///
/// Records stream in through [`PersonCounter::add`]; each keeps 23 bytes
/// (union-find parent, 32-bit birth, My Number and record-id attributes,
/// group, flags)
/// and each of its keys 16 bytes in a buffer that is sorted and spilled to a
/// temporary file when full ([`KeyRuns`]), so memory does not grow with the
/// keys' number. [`PersonCounter::finish`] merges the sorted runs and joins
/// the records of each key group: links first, then written names (homonyms
/// with different birth dates or My Numbers stay apart), then readings
/// (which never bridge two written names).
#[derive(Debug)]
pub struct PersonCounter {
    parent: Vec<u32>,
    birth: Vec<u32>,
    my_number: Vec<u32>,
    /// Numbering and number of a record id (0: none).
    numbering: Vec<u32>,
    number: Vec<u32>,
    group: Vec<u16>,
    /// Bit 0: the record holds a written name; bit 1: its set does (on roots).
    flags: Vec<u8>,
    keys: KeyRuns,
}

/// A set root's joining attributes (see [`PersonCounter::union`]).
#[derive(Debug, Clone, Copy)]
struct Attributes {
    root: u32,
    birth: u32,
    my_number: u32,
    numbering: u32,
    number: u32,
}

impl Attributes {
    /// Two sets may join unless they hold different birth dates, different
    /// My Numbers, or different numbers in one numbering.
    fn compatible(&self, other: &Attributes) -> bool {
        let differ = |x: u32, y: u32| x != 0 && y != 0 && x != y;
        let renumbered =
            self.numbering != 0 && self.numbering == other.numbering && self.number != other.number;
        !(differ(self.birth, other.birth) || differ(self.my_number, other.my_number) || renumbered)
    }
}

/// The holders of one name (in order) with their indices by birth date.
/// A holder's root only ever gains a birth date (0 → date), never changes it.
#[derive(Default)]
struct HolderIndex {
    list: Vec<Attributes>,
    /// Holders with a birth date, by date, in increasing order.
    by_birth: std::collections::HashMap<u32, Vec<usize>>,
    /// Holders that had no birth date when listed (some may have one now).
    unborn: Vec<usize>,
    /// Holders by their set's root.
    by_root: std::collections::HashMap<u32, Vec<usize>>,
}

impl HolderIndex {
    fn push(&mut self, attributes: Attributes) {
        let index = self.list.len();
        self.list.push(attributes);
        self.by_root.entry(attributes.root).or_default().push(index);
        if attributes.birth == 0 {
            self.unborn.push(index);
        } else {
            self.by_birth
                .entry(attributes.birth)
                .or_default()
                .push(index);
        }
    }

    /// The first holder in order whose set is `own`'s or may join it. A
    /// holder in `own`'s set has `own`'s attributes, so with a birth date
    /// only holders of that date or of none can answer.
    fn first_joinable(&self, own: &Attributes) -> Option<usize> {
        let joinable = |i: &usize| {
            let h = &self.list[*i];
            h.root == own.root || h.compatible(own)
        };
        if own.birth == 0 {
            return (0..self.list.len()).find(joinable);
        }
        let dated = self
            .by_birth
            .get(&own.birth)
            .and_then(|list| list.iter().copied().find(joinable));
        let undated = self
            .unborn
            .iter()
            .copied()
            .filter(|&i| self.list[i].birth == 0)
            .find(joinable);
        match (dated, undated) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// After `root`'s set went under `target`: every copy of either root
    /// takes the merged attributes (and its birth date index).
    fn refresh(&mut self, root: u32, target: u32, merged: Attributes) {
        let mut copies = self.by_root.remove(&target).unwrap_or_default();
        copies.extend(self.by_root.remove(&root).unwrap_or_default());
        for &index in &copies {
            let h = self.list[index];
            self.list[index] = merged;
            if h.birth == 0 && merged.birth != 0 {
                let list = self.by_birth.entry(merged.birth).or_default();
                let at = list.partition_point(|&i| i < index);
                list.insert(at, index);
            }
        }
        self.by_root.insert(target, copies);
    }
}

/// Name groups up to this size join by scanning their holders directly.
const SMALL_NAME_GROUP: usize = 16;

const RECORD_NAMED: u8 = 1;
const SET_NAMED: u8 = 2;

impl Default for PersonCounter {
    fn default() -> Self {
        PersonCounter::new()
    }
}

impl PersonCounter {
    /// A counter that spills sorted key runs to the system's temporary
    /// folder once it holds more than `runs::DEFAULT_BUFFER` keys.
    pub fn new() -> Self {
        Self::with_spill_dir(std::env::temp_dir())
    }

    pub fn with_spill_dir(dir: std::path::PathBuf) -> Self {
        PersonCounter {
            parent: Vec::new(),
            birth: Vec::new(),
            my_number: Vec::new(),
            numbering: Vec::new(),
            number: Vec::new(),
            group: Vec::new(),
            flags: Vec::new(),
            keys: KeyRuns::new(dir, runs::DEFAULT_BUFFER),
        }
    }

    #[cfg(test)]
    fn with_buffer(dir: std::path::PathBuf, buffer: usize) -> Self {
        let mut counter = Self::with_spill_dir(dir.clone());
        counter.keys = KeyRuns::new(dir, buffer);
        counter
    }

    /// Adds one person record to group 0.
    pub fn add(&mut self, record: &PersonKeys) -> std::io::Result<()> {
        self.add_to(0, record)
    }

    /// Adds one person record to `group` (records of different groups never join).
    pub fn add_to(&mut self, group: u16, record: &PersonKeys) -> std::io::Result<()> {
        let node = match u32::try_from(self.parent.len()) {
            Ok(node) if node < u32::MAX => node,
            _ => return Ok(()), // four billion records: beyond any share
        };
        self.parent.push(node);
        self.birth.push(attribute(record.birth.as_ref()));
        self.my_number.push(attribute(record.my_number.as_ref()));
        let (numbering, number) = record
            .record_id
            .as_ref()
            .map(|id| {
                let word = |range: std::ops::Range<usize>| {
                    let mut b = [0u8; 4];
                    b.copy_from_slice(&id.0[range]);
                    u32::from_le_bytes(b).max(1)
                };
                (word(0..4), word(4..8))
            })
            .unwrap_or((0, 0));
        self.numbering.push(numbering);
        self.number.push(number);
        self.group.push(group);
        let named = !record.names.is_empty();
        self.flags
            .push(if named { RECORD_NAMED | SET_NAMED } else { 0 });
        for link in record.my_number.iter().chain(record.links.iter()) {
            self.keys
                .push(sort_key(KeyKind::Link, group, short(link)), node)?;
        }
        for name in &record.names {
            self.keys
                .push(sort_key(KeyKind::Name, group, short(name)), node)?;
        }
        for reading in &record.readings {
            self.keys
                .push(sort_key(KeyKind::Reading, group, short(reading)), node)?;
        }
        Ok(())
    }

    /// Records added so far.
    pub fn records(&self) -> usize {
        self.parent.len()
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Unites the sets of two records if their roots are compatible;
    /// returns the surviving root.
    fn union(&mut self, a: u32, b: u32) -> Option<u32> {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return Some(a);
        }
        if !self.attributes(a).compatible(&self.attributes(b)) {
            return None;
        }
        self.merge_roots(a, b);
        Some(a)
    }

    /// What decides whether the set rooted at `root` may join another.
    fn attributes(&self, root: u32) -> Attributes {
        let i = root as usize;
        Attributes {
            root,
            birth: self.birth[i],
            my_number: self.my_number[i],
            numbering: self.numbering[i],
            number: self.number[i],
        }
    }

    /// Puts the set rooted at `b` under root `a` (both roots, compatible).
    fn merge_roots(&mut self, a: u32, b: u32) {
        let (ai, bi) = (a as usize, b as usize);
        self.parent[bi] = a;
        if self.birth[ai] == 0 {
            self.birth[ai] = self.birth[bi];
        }
        if self.my_number[ai] == 0 {
            self.my_number[ai] = self.my_number[bi];
        }
        if self.numbering[ai] == 0 {
            self.numbering[ai] = self.numbering[bi];
            self.number[ai] = self.number[bi];
        }
        self.flags[ai] |= self.flags[bi] & SET_NAMED;
    }

    /// Each record joins the first compatible holder of the name; an
    /// incompatible one (a homonym) becomes a holder itself. Exactly
    /// `union(holder, record)` over the holders in order, but over compact
    /// copies of the holders' root attributes, indexed by birth date: a
    /// common name has hundreds of holders in a large share, nearly all
    /// with another birth date. A merge refreshes every copy it changes.
    fn join_name_group(&mut self, records: &[u32]) {
        if records.len() <= SMALL_NAME_GROUP {
            self.join_small_name_group(records);
        } else {
            self.join_indexed_name_group(records);
        }
    }

    /// [`PersonCounter::join_name_group`] as its definition: `union(holder,
    /// record)` over the holders in order. Most names are held by a few
    /// records, where the birth-date index's two hash maps cost more than
    /// they save.
    fn join_small_name_group(&mut self, records: &[u32]) {
        let mut holders = [0u32; SMALL_NAME_GROUP];
        holders[0] = records[0];
        let mut held = 1;
        for &r in &records[1..] {
            if !holders[..held].iter().any(|&h| self.union(h, r).is_some()) {
                holders[held] = r;
                held += 1;
            }
        }
    }

    /// [`PersonCounter::join_name_group`] for common names, over the
    /// holders' attributes indexed by birth date.
    fn join_indexed_name_group(&mut self, records: &[u32]) {
        let first = self.find(records[0]);
        let mut holders = HolderIndex::default();
        holders.push(self.attributes(first));
        for &r in &records[1..] {
            let root = self.find(r);
            let own = self.attributes(root);
            let Some(found) = holders.first_joinable(&own) else {
                holders.push(own);
                continue;
            };
            let target = holders.list[found].root;
            if target == root {
                continue;
            }
            self.merge_roots(target, root);
            let merged = self.attributes(target);
            holders.refresh(root, target, merged);
        }
    }

    /// Joins the records (in record order) that share one key.
    fn join_group(&mut self, kind: KeyKind, records: &[u32]) {
        match kind {
            KeyKind::Link => {
                for &r in &records[1..] {
                    self.union(records[0], r);
                }
            }
            KeyKind::Name => self.join_name_group(records),
            KeyKind::Reading => {
                let (mut first_named, mut first_only) = (None, None);
                for &r in records {
                    let named = self.flags[r as usize] & RECORD_NAMED != 0;
                    // A written name meets reading-only records; a
                    // reading-only record meets anyone with that reading.
                    let candidates = if named {
                        [first_only, None]
                    } else {
                        [first_named, first_only]
                    };
                    for other in candidates.into_iter().flatten() {
                        let (root, other_root) = (self.find(r), self.find(other));
                        let set_named = |c: &Self, x: u32| c.flags[x as usize] & SET_NAMED != 0;
                        // Never join two written names through a reading.
                        if named && set_named(self, other_root) && other_root != root {
                            continue;
                        }
                        self.union(other_root, root);
                    }
                    let slot = if named {
                        &mut first_named
                    } else {
                        &mut first_only
                    };
                    slot.get_or_insert(r);
                }
            }
        }
    }

    /// Distinct persons per group, indexed by group (groups never seen: 0).
    pub fn finish(mut self) -> std::io::Result<Vec<usize>> {
        let mut sorted =
            std::mem::replace(&mut self.keys, KeyRuns::new(Default::default(), 0)).into_sorted()?;
        let mut current: Option<u64> = None;
        let mut records: Vec<u32> = Vec::new();
        while let Some((key, record)) = sorted.next_entry()? {
            if current != Some(key) {
                if let Some(previous) = current {
                    if records.len() > 1 {
                        self.join_group(kind_of(previous), &records);
                    }
                }
                records.clear();
                current = Some(key);
            }
            records.push(record);
        }
        if let Some(previous) = current {
            if records.len() > 1 {
                self.join_group(kind_of(previous), &records);
            }
        }
        let groups = self
            .group
            .iter()
            .map(|&g| usize::from(g) + 1)
            .max()
            .unwrap_or(0);
        let mut counts = vec![0usize; groups];
        for i in 0..self.parent.len() as u32 {
            if self.find(i) == i {
                counts[usize::from(self.group[i as usize])] += 1;
            }
        }
        Ok(counts)
    }

    /// Distinct persons of group 0.
    pub fn count(self) -> std::io::Result<usize> {
        Ok(self.finish()?.first().copied().unwrap_or(0))
    }
}

/// Counts distinct persons among `records` (one group, e.g. one category),
/// in memory (a spill failure, impossible below the buffer size, counts
/// every record apart).
pub fn count_persons<'a>(records: impl IntoIterator<Item = &'a PersonKeys>) -> usize {
    let mut counter = PersonCounter::new();
    let mut added = 0;
    for record in records {
        if counter.add(record).is_err() {
            return added + 1;
        }
        added += 1;
    }
    counter.count().unwrap_or(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HashKey;

    /// A counter of `n` records with attributes from small sets (many
    /// clashes, many blanks) and some records already joined by links.
    fn scrambled(n: u32, seed: u64) -> PersonCounter {
        let mut x = seed;
        let mut next = move |m: u32| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % u64::from(m)) as u32
        };
        let mut c = PersonCounter::with_spill_dir(std::env::temp_dir());
        for node in 0..n {
            c.parent.push(node);
            c.birth.push(next(4));
            c.my_number.push(next(3));
            let numbering = next(2);
            c.numbering.push(numbering);
            c.number.push(if numbering == 0 { 0 } else { next(3) });
            c.group.push(0);
            c.flags.push(0);
        }
        for _ in 0..n / 4 {
            let (a, b) = (next(n), next(n));
            c.union(a, b);
        }
        c
    }

    /// The compact holder scan joins exactly as `union` over the holders.
    #[test]
    fn name_groups_join_as_union_over_holders() {
        for seed in 1..200u64 {
            let (mut fast, mut plain) = (scrambled(60, seed), scrambled(60, seed));
            let records: Vec<u32> = (0..60)
                .filter(|r| !(r * 7 + seed as u32).is_multiple_of(3))
                .collect();
            for chunk in records.chunks(5 + seed as usize % 30) {
                fast.join_indexed_name_group(chunk);
                let mut holders = vec![chunk[0]];
                for &r in &chunk[1..] {
                    if !holders.iter().any(|&h| plain.union(h, r).is_some()) {
                        holders.push(r);
                    }
                }
            }
            for node in 0..60 {
                assert_eq!(fast.find(node), plain.find(node), "seed {seed} node {node}");
                let (a, b) = (fast.find(node) as usize, plain.find(node) as usize);
                assert_eq!(fast.birth[a], plain.birth[b]);
                assert_eq!(fast.my_number[a], plain.my_number[b]);
            }
        }
    }

    fn person(name: &str, birth: Option<&str>, mn: Option<&str>, links: &[&str]) -> PersonKeys {
        let key = HashKey::for_tests();
        PersonKeys {
            record_id: None,
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
    fn groups_never_join_and_spilling_changes_nothing() {
        let key = HashKey::for_tests();
        let dir = tempfile::tempdir().unwrap();
        // 300 persons, each in a roster (name + birth), a bank list (reading
        // + account) and a ledger (name + My Number), in two categories.
        let records: Vec<(u16, PersonKeys)> = (0..300)
            .flat_map(|i| {
                let name = key.hash("name", &format!("氏名{i}"));
                let reading = key.hash("name", &format!("シメイ{i}"));
                let group = (i % 2) as u16;
                [
                    (
                        group,
                        PersonKeys {
                            names: vec![name],
                            readings: vec![reading],
                            birth: Some(key.hash("birth", &format!("b{}", i % 50))),
                            ..Default::default()
                        },
                    ),
                    (
                        group,
                        PersonKeys {
                            readings: vec![reading],
                            links: vec![key.hash("account", &format!("a{i}"))],
                            ..Default::default()
                        },
                    ),
                    (
                        group,
                        PersonKeys {
                            names: vec![name],
                            my_number: Some(key.hash("my_number", &format!("m{i}"))),
                            ..Default::default()
                        },
                    ),
                    // The same name in the other group is another person there.
                    (
                        1 - group,
                        PersonKeys {
                            names: vec![name],
                            ..Default::default()
                        },
                    ),
                ]
            })
            .collect();
        let count = |buffer: usize| {
            let mut counter = PersonCounter::with_buffer(dir.path().to_path_buf(), buffer);
            for (group, record) in &records {
                counter.add_to(*group, record).unwrap();
            }
            counter.finish().unwrap()
        };
        assert_eq!(count(1 << 20), vec![300, 300]);
        assert_eq!(count(5), vec![300, 300]);
    }

    #[test]
    fn namesakes_with_different_staff_numbers_stay_apart() {
        let key = HashKey::for_tests();
        let with = |id: Option<(&str, &str)>| PersonKeys {
            names: vec![key.hash("name", "宮崎幸子")],
            record_id: id.map(|(label, value)| PersonKeys::record_id(&key, label, value)),
            ..Default::default()
        };
        // Two employees of one name in the health list, then the roster.
        let a = with(Some(("社員番号", "01001")));
        let b = with(Some(("社員番号", "01022")));
        let roster = with(None);
        assert_eq!(count_persons([&a, &b, &roster]), 2);
        // Another numbering never separates: the same person in two systems.
        let payroll = with(Some(("従業員コード", "77")));
        assert_eq!(count_persons([&a, &payroll]), 1);
    }

    #[test]
    fn records_without_keys_each_count() {
        let empty = PersonKeys::default();
        assert_eq!(count_persons([&empty, &empty]), 2);
    }
}

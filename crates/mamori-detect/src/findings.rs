//! What detection found in one file, in the only forms allowed to leave the
//! detector: counts, masked samples and keyed hashes of persons.

use crate::dates::Date;
use crate::normalize::name_key_of_normalized;
use mamori_core::{mask, DataItem, HashKey, MaskedSample, PersonKeys};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) const SAMPLES_PER_ITEM: usize = 2;

/// Person records keyed per file. Memory per file stays bounded whatever its
/// size; a file with more records (a 10 GB export) still counts every record
/// in `records`, but only this many distinct persons.
pub const MAX_PERSONS_PER_FILE: usize = 250_000;

/// Items that identify a person by themselves: without one of them, the
/// attributes a file mentions (health, family ...) are not personal data.
pub fn is_identifying(item: DataItem) -> bool {
    !matches!(
        item,
        DataItem::BirthDate
            | DataItem::Gender
            | DataItem::Family
            | DataItem::Health
            | DataItem::CriminalRecord
            | DataItem::BloodType
            | DataItem::EmergencyContact
            | DataItem::Resume
            | DataItem::Shareholding
            | DataItem::Dividend
    )
}

#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub items: BTreeMap<DataItem, u64>,
    pub records: u64,
    pub persons: Vec<PersonKeys>,
    pub samples: Vec<MaskedSample>,
    /// Headers and document-type words, for the categoriser.
    pub signals: BTreeSet<String>,
    /// The file's path names its person (社員/1000_斎藤誠/緊急連絡先.txt): what
    /// it holds is about someone identified even without a name inside.
    pub identified_by_path: bool,
    /// Each record's name and mailing address, only when the detector was
    /// asked for them ([`crate::Detector::with_contacts`]): raw, sealed by
    /// the scanner before anything is stored.
    pub contacts: Vec<mamori_core::Contact>,
}

impl Findings {
    pub fn add(&mut self, item: DataItem, count: u64) {
        *self.items.entry(item).or_insert(0) += count;
    }

    /// Keeps a masked sample; the raw value goes no further than this call.
    pub fn sample(&mut self, item: DataItem, raw: &str) {
        if self.samples.iter().filter(|s| s.item == item).count() >= SAMPLES_PER_ITEM {
            return;
        }
        let masked = match item {
            DataItem::Name => mask::name(raw),
            DataItem::Address => mask::address(raw),
            DataItem::Email => mask::email(raw),
            DataItem::Passport | DataItem::ResidenceCard => mask::alnum(raw, 2),
            DataItem::BirthDate => "****-**-**".to_string(),
            _ if raw.chars().any(|c| c.is_ascii_digit()) => mask::digits(raw, 2),
            _ => return,
        };
        self.samples.push(MaskedSample { item, masked });
    }

    /// Keeps a person record unless the per-file bound is reached.
    pub fn push_person(&mut self, keys: PersonKeys) {
        if self.persons.len() < MAX_PERSONS_PER_FILE {
            self.persons.push(keys);
        }
    }

    /// Keeps a record's contact, within the same bound as person records.
    pub fn push_contact(&mut self, contact: mamori_core::Contact) {
        if self.contacts.len() < MAX_PERSONS_PER_FILE && !contact.name.is_empty() {
            self.contacts.push(contact);
        }
    }

    pub fn has_identifying_item(&self) -> bool {
        self.items.keys().any(|i| is_identifying(*i))
    }

    /// A file with nothing that identifies a person holds no personal data.
    pub fn gate(&mut self) {
        if !self.has_identifying_item() && !self.identified_by_path {
            self.items.clear();
            self.records = 0;
            self.persons.clear();
            self.samples.clear();
            self.contacts.clear();
        }
    }

    pub fn merge(&mut self, other: Findings) {
        for (item, count) in other.items {
            self.add(item, count);
        }
        self.records += other.records;
        self.persons.extend(other.persons);
        self.contacts.extend(other.contacts);
        for s in other.samples {
            if self.samples.iter().filter(|x| x.item == s.item).count() < SAMPLES_PER_ITEM {
                self.samples.push(s);
            }
        }
        self.signals.extend(other.signals);
    }
}

/// One person's identifying values while a record is being read; hashed
/// with the inventory key as soon as the record ends.
#[derive(Debug, Default, Clone)]
pub struct PersonDraft {
    pub names: Vec<String>,
    pub readings: Vec<String>,
    pub birth: Option<Date>,
    pub my_number: Option<String>,
    pub links: Vec<(&'static str, String)>,
    /// A person-record number in its numbering (社員番号).
    pub record_id: Option<RecordNumber>,
}

/// A person-record number: its numbering's hash (one per table column) and
/// `label ‖ 0 ‖ number`, the value hashed into [`PersonKeys::record_id`].
#[derive(Debug, Clone)]
pub struct RecordNumber {
    pub numbering: mamori_core::KeyHash,
    pub label_and_value: String,
}

impl RecordNumber {
    pub fn new(numbering: mamori_core::KeyHash, label: &str, value: &str) -> RecordNumber {
        let mut label_and_value = String::with_capacity(label.len() + 1 + value.len());
        label_and_value.push_str(label);
        label_and_value.push('\u{0}');
        label_and_value.push_str(value);
        RecordNumber {
            numbering,
            label_and_value,
        }
    }
}

impl PersonDraft {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.readings.is_empty()
            && self.birth.is_none()
            && self.my_number.is_none()
            && self.links.is_empty()
    }

    /// Empty again, keeping the lists' buffers.
    pub fn clear(&mut self) {
        self.names.clear();
        self.readings.clear();
        self.birth = None;
        self.my_number = None;
        self.links.clear();
        self.record_id = None;
    }

    /// A name as written: kanji names are names, kana and Latin forms are
    /// readings (many people share one reading).
    pub fn add_name(&mut self, name: &str) {
        let normalized = crate::normalize::normalize_cow(name);
        let key = name_key_of_normalized(&normalized);
        self.add_keyed_name(&normalized, key);
    }

    /// [`PersonDraft::add_name`] of a name already normalised, with its
    /// `name_key_of_normalized` (the caller needed both: one pass fewer).
    pub(crate) fn add_keyed_name(&mut self, normalized: &str, key: String) {
        if key.is_empty() {
            return;
        }
        let written = key
            .chars()
            .any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '々'));
        let target = if written {
            &mut self.names
        } else {
            &mut self.readings
        };
        if !target.contains(&key) {
            target.push(key);
        }
        // Readings and Latin spellings also meet under one romaji key.
        if let Some(romaji) = crate::romaji::romaji_key(crate::values::strip_honorific(normalized))
        {
            if !self.readings.contains(&romaji) {
                self.readings.push(romaji);
            }
        }
    }

    /// The record's keys, hashed together ([`HashKey::hash_each`]) in the
    /// order names, readings, My Number, links, record id, birth date.
    ///
    /// A table's birth dates used to be remembered per date; hashed with
    /// the rest of the record (in the second lane of a pair) each costs
    /// less than the lookup did.
    pub fn hash(&self, key: &HashKey) -> PersonKeys {
        let mut keys = PersonKeys {
            names: Vec::with_capacity(self.names.len()),
            readings: Vec::with_capacity(self.readings.len()),
            birth: None,
            my_number: None,
            links: Vec::with_capacity(self.links.len()),
            record_id: None,
        };
        let mut iso = [0u8; 16];
        let birth = self.birth.as_ref().map(|b| ("birth", b.iso_in(&mut iso)));
        let names = self.names.iter().map(|n| ("name", n.as_str()));
        let readings = self.readings.iter().map(|n| ("name", n.as_str()));
        let my_number = self.my_number.iter().map(|m| ("my_number", m.as_str()));
        let links = self.links.iter().map(|(domain, v)| (*domain, v.as_str()));
        let record_id = self
            .record_id
            .iter()
            .map(|r| (PersonKeys::RECORD_ID_DOMAIN, r.label_and_value.as_str()));
        // Where each kind's hashes end in the order hashed.
        let mut ends = [0usize; 5];
        let mut end = 0;
        for (slot, count) in [
            self.names.len(),
            self.readings.len(),
            usize::from(self.my_number.is_some()),
            self.links.len(),
            usize::from(self.record_id.is_some()),
        ]
        .into_iter()
        .enumerate()
        {
            end += count;
            ends[slot] = end;
        }
        let mut index = 0;
        key.hash_each(
            names
                .chain(readings)
                .chain(my_number)
                .chain(links)
                .chain(record_id)
                .chain(birth),
            |hash| {
                match ends.iter().position(|&end| index < end) {
                    Some(0) => keys.names.push(hash),
                    Some(1) => keys.readings.push(hash),
                    Some(2) => keys.my_number = Some(hash),
                    Some(3) => keys.links.push(hash),
                    Some(_) => {
                        keys.record_id = self
                            .record_id
                            .as_ref()
                            .map(|r| PersonKeys::numbered(r.numbering, hash))
                    }
                    None => keys.birth = Some(hash),
                }
                index += 1;
            },
        );
        keys
    }
}

/// 〒123-4567 at the head of an address cell goes to the postal code
/// (any hyphen or dash, ASCII or full-width digits).
pub(crate) fn split_postal_code(mut contact: mamori_core::Contact) -> mamori_core::Contact {
    let address = contact.address.trim_start_matches('〒').trim_start();
    let mut digits = String::new();
    let mut consumed = 0;
    let mut hyphen = false;
    for (index, c) in address.char_indices() {
        let digit = match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        };
        match digit {
            Some(d) => digits.push(d),
            None if digits.len() == 3 && matches!(c, '-' | '‐' | '‑' | '−' | '－' | 'ー' | '―') => {
                hyphen = true
            }
            None => break,
        }
        consumed = index + c.len_utf8();
        if digits.len() == 7 {
            break;
        }
    }
    let had_mark = contact.address.trim_start().starts_with('〒');
    // Without 〒, only the 123-4567 shape is a postal code (not a bare number).
    if digits.len() == 7 && (had_mark || hyphen) {
        if contact.postal_code.is_empty() {
            contact.postal_code = digits;
        }
        contact.address = address[consumed..].trim().to_string();
    }
    let postal: String = contact
        .postal_code
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    if postal.len() == 7 {
        contact.postal_code = format!("{}-{}", &postal[..3], &postal[3..]);
    }
    contact
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(address: &str, postal: &str) -> (String, String) {
        let c = split_postal_code(mamori_core::Contact {
            name: "x".into(),
            postal_code: postal.into(),
            address: address.into(),
        });
        (c.postal_code, c.address)
    }

    /// The keys hashed field by field, as before they were hashed together.
    fn hashed_one_by_one(draft: &PersonDraft, key: &HashKey) -> PersonKeys {
        PersonKeys {
            names: draft.names.iter().map(|n| key.hash("name", n)).collect(),
            readings: draft.readings.iter().map(|n| key.hash("name", n)).collect(),
            birth: draft.birth.map(|b| key.hash("birth", &b.iso())),
            my_number: draft.my_number.as_ref().map(|m| key.hash("my_number", m)),
            links: draft
                .links
                .iter()
                .map(|(domain, v)| key.hash(domain, v))
                .collect(),
            record_id: draft
                .record_id
                .as_ref()
                .map(|r| PersonKeys::record_id_numbered(key, r.numbering, &r.label_and_value)),
        }
    }

    /// Random drafts (every field present or not, lists of 0..4, short and
    /// long values) hash to the same keys as field by field.
    #[test]
    fn draft_hash_equals_field_by_field() {
        let key = HashKey::for_tests();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize
        };
        let words = [
            "山田太郎",
            "ヤマダタロウ",
            "yamada taro",
            "09012345678",
            "a@b.jp",
        ];
        for round in 0..2000 {
            let value = |n: usize| -> String {
                let word = words[n % words.len()];
                word.repeat(1 + n % 9)
            };
            let mut draft = PersonDraft::default();
            for _ in 0..next() % 4 {
                draft.names.push(value(next()));
            }
            for _ in 0..next() % 4 {
                draft.readings.push(value(next()));
            }
            if next() % 2 == 0 {
                draft.birth = Some(Date {
                    year: 1900 + (next() % 150) as u16,
                    month: 1 + (next() % 12) as u8,
                    day: 1 + (next() % 28) as u8,
                });
            }
            if next() % 2 == 0 {
                draft.my_number = Some(value(next()));
            }
            for _ in 0..next() % 4 {
                let domain = ["email", "phone", "account", "id"][next() % 4];
                draft.links.push((domain, value(next())));
            }
            if next() % 2 == 0 {
                let numbering = PersonKeys::record_numbering(&key, "社員番号");
                draft.record_id = Some(RecordNumber::new(numbering, "社員番号", &value(next())));
            }
            assert_eq!(
                draft.hash(&key),
                hashed_one_by_one(&draft, &key),
                "round {round}"
            );
        }
    }

    #[test]
    fn postal_codes_leave_the_address() {
        let want = ("758-0302".to_string(), "山口県萩市".to_string());
        assert_eq!(split("〒758-0302 山口県萩市", ""), want);
        assert_eq!(split("〒７５８－０３０２　山口県萩市", ""), want);
        assert_eq!(split("〒758−0302山口県萩市", ""), want);
        assert_eq!(split("山口県萩市", "7580302"), want);
        assert_eq!(split("758-0302 山口県萩市", ""), want);
        // A street number is no postal code.
        assert_eq!(split("1234567 番地", "").1, "1234567 番地".to_string());
    }
}

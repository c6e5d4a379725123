//! Builders shared by the integration tests.
#![allow(dead_code)]

use mamori_core::{Category, DataItem, HashKey, MaskedSample, PersonKeys};
use mamori_inventory::{FileRecord, FileStamp};
use std::collections::BTreeMap;

pub fn key() -> HashKey {
    HashKey::for_tests()
}

pub fn person(
    name: &str,
    birth: Option<&str>,
    my_number: Option<&str>,
    links: &[&str],
) -> PersonKeys {
    let key = key();
    PersonKeys {
        record_id: None,
        names: vec![key.hash("name", name)],
        birth: birth.map(|b| key.hash("birth", b)),
        my_number: my_number.map(|m| key.hash("my_number", m)),
        links: links.iter().map(|l| key.hash("link", l)).collect(),
        readings: Vec::new(),
    }
}

pub fn stamp(size: u64) -> FileStamp {
    FileStamp {
        size,
        mtime_ns: 1_700_000_000_000_000_000 + size as i64,
        ctime_ns: 1_700_000_000_000_000_001,
        inode: 1000 + size,
    }
}

pub fn file(
    path: &str,
    category: &str,
    items: &[(DataItem, u64)],
    persons: Vec<PersonKeys>,
) -> FileRecord {
    FileRecord {
        path: path.to_string(),
        stamp: Some(stamp(path.len() as u64)),
        category: Some(Category::new(category)),
        items: items.iter().copied().collect::<BTreeMap<_, _>>(),
        records: persons.len() as u64,
        error: None,
        samples: vec![MaskedSample {
            item: DataItem::Name,
            masked: "佐＊＊".to_string(),
        }],
        persons,
        sealed_contacts: None,
    }
}

pub fn plain(path: &str) -> FileRecord {
    FileRecord {
        path: path.to_string(),
        stamp: Some(stamp(7)),
        ..Default::default()
    }
}

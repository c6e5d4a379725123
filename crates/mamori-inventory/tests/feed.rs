//! Persons counted from records on their way in equal the count read back
//! from the inventory, whenever the feed says it stands.

mod common;

use common::{file, person, plain};
use mamori_core::{DataItem, PersonKeys};
use mamori_inventory::{FileRecord, Inventory, SubjectFeed};

/// Records of one share: homonyms apart and joined, a keyless person, an
/// uncategorised file with persons, more than 255 names and links on one
/// record (the blob keeps 255), and categories met in a mixed order.
fn records(share: &str) -> Vec<FileRecord> {
    let key = common::key();
    let mut crowded = person("多名", None, None, &[]);
    crowded.names = (0..300)
        .map(|i| key.hash("name", &format!("名{i}")))
        .collect();
    crowded.links = (0..300)
        .map(|i| key.hash("link", &format!("l{i}")))
        .collect();
    crowded.readings = (0..300)
        .map(|i| key.hash("kana", &format!("ヨミ{i}")))
        .collect();
    let mut tail = person("名299", Some("1970-01-01"), None, &[]);
    tail.links.clear();
    let mut ghost = plain("readme.txt");
    ghost.persons = vec![person("幽霊", None, None, &[])];
    vec![
        file(
            "customers.csv",
            "customer",
            &[(DataItem::Email, 3)],
            vec![
                person("田中", None, None, &["a@x"]),
                person(&format!("{share}鈴木"), None, None, &["b@x"]),
                PersonKeys::default(),
            ],
        ),
        file(
            "roster.xlsx",
            "employee",
            &[(DataItem::Name, 2), (DataItem::BirthDate, 2)],
            vec![
                person("佐藤健", Some("1980-03-02"), None, &[]),
                person("佐藤健", Some("1991-07-15"), None, &[]),
            ],
        ),
        ghost,
        file(
            "crowded.csv",
            "employee",
            &[(DataItem::Name, 2)],
            vec![crowded, tail],
        ),
        file(
            "mynumber.xlsx",
            "employee",
            &[(DataItem::MyNumber, 1)],
            vec![person(
                "佐藤健",
                Some("1980-03-02"),
                Some("123456789018"),
                &[],
            )],
        ),
        file(
            "old.zip!/list.csv",
            "shareholder",
            &[(DataItem::Name, 1)],
            vec![],
        ),
    ]
}

#[test]
fn a_fed_count_of_new_roots_equals_the_stored_count() {
    let mut inv = Inventory::open_in_memory().unwrap();
    let mut feed = SubjectFeed::new(&inv);
    let roots = ["/srv/a".to_string(), "/srv/b".to_string()];
    for (root, share) in roots.iter().zip(["A", "B"]) {
        let before = feed.fed();
        let scan = inv.begin_scan(root, share).unwrap();
        let records = records(share);
        for record in &records {
            feed.add(record).unwrap();
        }
        inv.record_files(scan, root, &records[..3]).unwrap();
        inv.record_files(scan, root, &records[3..]).unwrap();
        let counts = inv.finish_scan(scan, root).unwrap();
        assert!(SubjectFeed::stands(&counts, feed.fed() - before));
    }
    let stored = inv.subjects_of_roots(&roots).unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(feed.finish().unwrap(), stored);
}

#[test]
fn rescans_and_paths_written_twice_do_not_stand() {
    let mut inv = Inventory::open_in_memory().unwrap();
    let root = "/srv/a";
    let scan = inv.begin_scan(root, "A").unwrap();
    let mut twice = records("A");
    twice.push(twice[0].clone());
    inv.record_files(scan, root, &twice).unwrap();
    let counts = inv.finish_scan(scan, root).unwrap();
    assert!(!SubjectFeed::stands(&counts, twice.len() as u64));

    let scan = inv.begin_scan(root, "A").unwrap();
    let again = records("A");
    inv.record_files(scan, root, &again).unwrap();
    let counts = inv.finish_scan(scan, root).unwrap();
    assert!(!SubjectFeed::stands(&counts, again.len() as u64));
}

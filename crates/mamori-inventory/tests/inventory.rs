//! Behaviour of the inventory through its public API.

mod common;

use common::{file, person, plain, stamp};
use mamori_core::{Category, DataItem, KeyHash, MaskedSample, PersonKeys};
use mamori_inventory::{FileRecord, Inventory, InventoryError, ScanCounts, SCHEMA_VERSION};
use std::collections::BTreeMap;

const ROOT: &str = "/srv/samba/soumu";
const SHARE: &str = "総務";

fn paths(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn file_record_round_trips() {
    let mut inv = Inventory::open_in_memory().unwrap();
    let key = common::key();
    let rich = FileRecord {
        path: "人事/社員名簿.xlsx".into(),
        stamp: Some(mamori_inventory::FileStamp {
            size: 12345,
            mtime_ns: -5,
            ctime_ns: 1_700_000_000_123_456_789,
            inode: u64::MAX - 3,
        }),
        category: Some(Category::new(Category::EMPLOYEE)),
        items: [
            (DataItem::Name, 40),
            (DataItem::MyNumber, 38),
            (DataItem::BirthDate, 40),
        ]
        .into_iter()
        .collect(),
        records: 40,
        error: None,
        samples: vec![
            MaskedSample {
                item: DataItem::MyNumber,
                masked: "**********18".into(),
            },
            MaskedSample {
                item: DataItem::Name,
                masked: "山＊＊＊".into(),
            },
        ],
        persons: vec![
            PersonKeys {
                record_id: None,
                names: vec![key.hash("name", "山田太郎")],
                readings: vec![key.hash("name", "ヤマダタロウ")],
                birth: Some(key.hash("birth", "1980-01-02")),
                my_number: Some(key.hash("my_number", "123456789018")),
                links: vec![key.hash("link", "a"), key.hash("link", "b")],
            },
            PersonKeys::default(),
            person("佐藤健", None, None, &[]),
        ],
        sealed_contacts: None,
    };
    let member = FileRecord {
        path: "old.zip!/list.csv".into(),
        stamp: None,
        error: Some("encrypted member".into()),
        ..Default::default()
    };
    let scan = inv.begin_scan(ROOT, SHARE).unwrap();
    inv.record_files(scan, ROOT, &[rich.clone(), member.clone()])
        .unwrap();
    inv.finish_scan(scan, ROOT).unwrap();

    assert_eq!(inv.file(ROOT, &rich.path).unwrap(), Some(rich.clone()));
    // Sorted by path bytes: ASCII before kanji.
    assert_eq!(inv.files(ROOT).unwrap(), vec![member, rich]);
    assert_eq!(inv.file(ROOT, "missing").unwrap(), None);
    assert_eq!(inv.file("/elsewhere", "x").unwrap(), None);
    // Members without a stamp are not offered as stamps.
    assert_eq!(inv.stamps(ROOT).unwrap().len(), 1);
    assert_eq!(
        inv.roots().unwrap(),
        vec![(ROOT.to_string(), SHARE.to_string())]
    );
}

#[test]
fn incremental_flow_counts_new_changed_unchanged_deleted() {
    let mut inv = Inventory::open_in_memory().unwrap();
    let first = inv.begin_scan(ROOT, SHARE).unwrap();
    let mut broken = plain("broken.pdf");
    broken.error = Some("cannot parse".into());
    inv.record_files(
        first,
        ROOT,
        &[
            plain("a.txt"),
            plain("b.txt"),
            plain("c.txt"),
            plain("archive.zip"),
            broken,
        ],
    )
    .unwrap();
    inv.record_files(
        first,
        ROOT,
        &[
            plain("archive.zip!/in.csv"),
            plain("archive.zip!/deep.zip!/x.csv"),
        ],
    )
    .unwrap();
    let counts = inv.finish_scan(first, ROOT).unwrap();
    assert_eq!(
        counts,
        ScanCounts {
            new: 7,
            changed: 0,
            unchanged: 0,
            deleted: 0,
            errors: 1
        }
    );
    assert_eq!(inv.stamps(ROOT).unwrap().len(), 7);

    // Second scan: a changed, b unchanged, c deleted, d new, archive unchanged.
    let second = inv.begin_scan(ROOT, SHARE).unwrap();
    let stamps = inv.stamps(ROOT).unwrap();
    assert_eq!(stamps["a.txt"], stamp(7));
    let mut a = plain("a.txt");
    a.stamp = Some(stamp(99));
    a.category = Some(Category::new("customer"));
    a.persons = vec![person("顧客一", None, None, &[])];
    inv.record_files(second, ROOT, &[a.clone(), plain("d.txt")])
        .unwrap();
    inv.mark_unchanged(
        second,
        ROOT,
        &paths(&["b.txt", "archive.zip", "broken.pdf", "gone-already"]),
    )
    .unwrap();
    let counts = inv.finish_scan(second, ROOT).unwrap();
    assert_eq!(
        counts,
        ScanCounts {
            new: 1,
            changed: 1,
            unchanged: 5,
            deleted: 1,
            errors: 0
        }
    );

    let now: Vec<String> = inv
        .files(ROOT)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(
        now,
        paths(&[
            "a.txt",
            "archive.zip",
            "archive.zip!/deep.zip!/x.csv",
            "archive.zip!/in.csv",
            "b.txt",
            "broken.pdf",
            "d.txt"
        ])
    );
    assert_eq!(inv.file(ROOT, "a.txt").unwrap(), Some(a));

    // A finished scan takes no more writes; a scan of another root is refused.
    let err = inv
        .record_files(second, ROOT, &[plain("e.txt")])
        .unwrap_err();
    assert!(err.to_string().contains("already finished"), "{err}");
    let third = inv.begin_scan(ROOT, SHARE).unwrap();
    let err = inv
        .mark_unchanged(third, "/srv/samba/other", &paths(&["b.txt"]))
        .unwrap_err();
    assert!(err.to_string().contains("belongs to root"), "{err}");

    // Changed archive: members not re-recorded disappear with the old content.
    let mut zip = plain("archive.zip");
    zip.stamp = Some(stamp(123));
    inv.record_files(third, ROOT, &[zip, plain("archive.zip!/in.csv")])
        .unwrap();
    inv.mark_unchanged(
        third,
        ROOT,
        &paths(&["a.txt", "b.txt", "broken.pdf", "d.txt"]),
    )
    .unwrap();
    let counts = inv.finish_scan(third, ROOT).unwrap();
    assert_eq!(
        counts,
        ScanCounts {
            new: 0,
            changed: 2,
            unchanged: 4,
            deleted: 1,
            errors: 0
        }
    );

    let scans = inv.scans().unwrap();
    assert_eq!(scans.len(), 3);
    assert_eq!(scans[1].counts.deleted, 1);
    assert_eq!(scans[1].share, SHARE);
    assert!(scans[2].finished.is_some());
    assert!(
        scans[0].started.ends_with('Z') && scans[0].started.contains('T'),
        "{}",
        scans[0].started
    );
}

#[test]
fn subjects_merge_one_person_across_files_and_keep_homonyms_apart() {
    let mut inv = Inventory::open_in_memory().unwrap();
    let scan = inv.begin_scan(ROOT, SHARE).unwrap();
    let roster = file(
        "roster.xlsx",
        "employee",
        &[(DataItem::Name, 2), (DataItem::BirthDate, 2)],
        vec![
            person("佐藤健", Some("1980-03-02"), None, &[]),
            person("佐藤健", Some("1991-07-15"), None, &[]),
        ],
    );
    let bank = file(
        "bank.csv",
        "employee",
        &[(DataItem::Name, 1), (DataItem::BankAccount, 1)],
        vec![person(
            "佐藤健",
            Some("1980-03-02"),
            None,
            &["0001-001-1234567"],
        )],
    );
    let ledger = file(
        "mynumber.xlsx",
        "employee",
        &[(DataItem::MyNumber, 1)],
        vec![person(
            "佐藤健",
            Some("1980-03-02"),
            Some("123456789018"),
            &[],
        )],
    );
    let customers = file(
        "customers.csv",
        "customer",
        &[(DataItem::Email, 3)],
        vec![
            person("田中", None, None, &["a@x"]),
            person("鈴木", None, None, &["b@x"]),
            PersonKeys::default(),
        ],
    );
    let mut nothing = plain("readme.txt");
    nothing.persons = vec![person("幽霊", None, None, &[])];
    inv.record_files(scan, ROOT, &[roster, bank, ledger, customers, nothing])
        .unwrap();
    inv.finish_scan(scan, ROOT).unwrap();

    let subjects = inv.subjects(Some(ROOT)).unwrap();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    let employees = &subjects[&Category::new("employee")];
    assert_eq!(employees.persons, 2);
    assert_eq!(employees.files, 3);
    assert_eq!(
        employees.items.iter().copied().collect::<Vec<_>>(),
        vec![
            DataItem::Name,
            DataItem::BirthDate,
            DataItem::BankAccount,
            DataItem::MyNumber
        ]
    );
    let customers = &subjects[&Category::new("customer")];
    assert_eq!((customers.persons, customers.files), (3, 1));
    assert_eq!(inv.subjects(None).unwrap(), subjects);
    assert!(inv.subjects(Some("/nowhere")).unwrap().is_empty());

    // Incident view: only the bank list and the ledger were touched.
    let touched = inv
        .subjects_of_files(
            ROOT,
            &paths(&["bank.csv", "mynumber.xlsx", "not-in-inventory"]),
        )
        .unwrap();
    assert_eq!(touched.len(), 1);
    let e = &touched[&Category::new("employee")];
    assert_eq!((e.persons, e.files), (1, 2));
    assert_eq!(
        e.items.iter().copied().collect::<Vec<_>>(),
        vec![DataItem::Name, DataItem::BankAccount, DataItem::MyNumber]
    );
    let none = inv.subjects_of_files(ROOT, &[]).unwrap();
    assert!(none.is_empty());
}

#[test]
fn subjects_span_roots_and_archives() {
    let mut inv = Inventory::open_in_memory().unwrap();
    for (root, share) in [("/srv/a", "A"), ("/srv/b", "B")] {
        let scan = inv.begin_scan(root, share).unwrap();
        let shared = file(
            "x.csv",
            "employee",
            &[(DataItem::Name, 1)],
            vec![person("同一人", Some("1970-01-01"), None, &[])],
        );
        let own = file(
            "old.zip!/list.csv",
            "employee",
            &[(DataItem::Name, 1)],
            vec![person(&format!("{share}さん"), None, None, &[])],
        );
        inv.record_files(scan, root, &[shared, own]).unwrap();
        inv.finish_scan(scan, root).unwrap();
    }
    assert_eq!(
        inv.subjects(Some("/srv/a")).unwrap()[&Category::new("employee")].persons,
        2
    );
    assert_eq!(
        inv.subjects(None).unwrap()[&Category::new("employee")].persons,
        3
    );
    let in_zip = inv
        .subjects_of_files("/srv/a", &paths(&["old.zip"]))
        .unwrap();
    assert_eq!(in_zip[&Category::new("employee")].files, 1);
}

#[test]
fn summary_counts_files_and_occurrences_per_share() {
    let mut inv = Inventory::open_in_memory().unwrap();
    for (root, share, n) in [("/srv/a", "経理", 2), ("/srv/b", "人事", 1)] {
        let scan = inv.begin_scan(root, share).unwrap();
        let mut records: Vec<FileRecord> = (0..n)
            .map(|i| {
                file(
                    &format!("f{i}.csv"),
                    "employee",
                    &[(DataItem::Name, 10), (DataItem::Phone, 3)],
                    vec![],
                )
            })
            .collect();
        let mut loose = plain("memo.txt");
        loose.items = BTreeMap::from([(DataItem::Phone, 1)]);
        records.push(loose);
        inv.record_files(scan, root, &records).unwrap();
        inv.finish_scan(scan, root).unwrap();
    }
    let rows: Vec<(String, Option<String>, DataItem, u64, u64)> = inv
        .summary()
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.share,
                r.category.map(|c| c.id().to_string()),
                r.item,
                r.files,
                r.occurrences,
            )
        })
        .collect();
    let employee = || Some("employee".to_string());
    assert_eq!(
        rows,
        vec![
            ("人事".into(), None, DataItem::Phone, 1, 1),
            ("人事".into(), employee(), DataItem::Name, 1, 10),
            ("人事".into(), employee(), DataItem::Phone, 1, 3),
            ("経理".into(), None, DataItem::Phone, 1, 1),
            ("経理".into(), employee(), DataItem::Name, 2, 20),
            ("経理".into(), employee(), DataItem::Phone, 2, 6),
        ]
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn database_bytes_hold_hashes_never_raw_values() {
    let dir = tempfile::tempdir().unwrap();
    let my_number = "123456789018";
    let account = "0001-001-7654321";
    let hash: KeyHash = common::key().hash("my_number", my_number);
    {
        let mut inv = Inventory::open(dir.path()).unwrap();
        let scan = inv.begin_scan(ROOT, SHARE).unwrap();
        let mut rec = file(
            "mn.csv",
            "employee",
            &[(DataItem::MyNumber, 1)],
            vec![person("佐藤健", None, Some(my_number), &[account])],
        );
        // A careless caller: the inventory must re-mask this.
        rec.samples.push(MaskedSample {
            item: DataItem::MyNumber,
            masked: my_number.into(),
        });
        inv.record_files(scan, ROOT, &[rec]).unwrap();
        inv.finish_scan(scan, ROOT).unwrap();
        let stored = inv.file(ROOT, "mn.csv").unwrap().unwrap();
        assert_eq!(stored.samples[1].masked, "**********18");
    }
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(
        contains(&bytes, &hash.0),
        "the hash is stored as a 16-byte blob"
    );
    assert!(!contains(&bytes, hash.to_hex().as_bytes()), "not as hex");
    for raw in [my_number, account, "7654321", "佐藤健"] {
        assert!(
            !contains(&bytes, raw.as_bytes()),
            "{raw} leaked into the database"
        );
    }
}

#[test]
fn reopening_keeps_data_and_the_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state/nested");
    {
        let mut inv = Inventory::open(&state).unwrap();
        let scan = inv.begin_scan(ROOT, SHARE).unwrap();
        inv.record_files(
            scan,
            ROOT,
            &[file(
                "a.csv",
                "employee",
                &[(DataItem::Name, 1)],
                vec![person("甲", None, None, &[])],
            )],
        )
        .unwrap();
        inv.finish_scan(scan, ROOT).unwrap();
    }
    let inv = Inventory::open(&state).unwrap();
    assert_eq!(inv.files(ROOT).unwrap().len(), 1);
    assert_eq!(
        inv.subjects(None).unwrap()[&Category::new("employee")].persons,
        1
    );
    assert_eq!(inv.scans().unwrap().len(), 1);
    assert_eq!(inv.path(), state.join("inventory.db"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(inv.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn corrupt_foreign_and_newer_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inventory.db");
    std::fs::write(&db, vec![0x5au8; 8192]).unwrap();
    let err = Inventory::open(dir.path()).unwrap_err();
    assert!(matches!(err, InventoryError::Corrupt { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&db.display().to_string()) && msg.contains("corrupt"),
        "{msg}"
    );

    let foreign = tempfile::tempdir().unwrap();
    {
        let conn = rusqlite::Connection::open(foreign.path().join("inventory.db")).unwrap();
        conn.execute_batch("CREATE TABLE mail (x)").unwrap();
    }
    let err = Inventory::open(foreign.path()).unwrap_err().to_string();
    assert!(err.contains("not a mamori inventory"), "{err}");

    let newer = tempfile::tempdir().unwrap();
    drop(Inventory::open(newer.path()).unwrap());
    {
        let conn = rusqlite::Connection::open(newer.path().join("inventory.db")).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 6)
            .unwrap();
    }
    let err = Inventory::open(newer.path()).unwrap_err().to_string();
    assert!(
        err.contains(&format!("newer mamori (schema {})", SCHEMA_VERSION + 6)),
        "{err}"
    );
}

#[test]
fn a_writer_in_another_process_gives_a_locked_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut inv = Inventory::open(dir.path()).unwrap();
    inv.set_busy_timeout(std::time::Duration::from_millis(50))
        .unwrap();
    let other = rusqlite::Connection::open(dir.path().join("inventory.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = inv.begin_scan(ROOT, SHARE).unwrap_err().to_string();
    assert!(
        err.contains("inventory.db is locked by another process"),
        "{err}"
    );
    other.execute_batch("ROLLBACK").unwrap();
    assert!(inv.begin_scan(ROOT, SHARE).is_ok());
}

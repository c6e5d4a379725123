//! Timings the scanner depends on. The quick version runs with the suite;
//! the full one (100 000 files) is ignored by default:
//! `cargo test -p mamori-inventory --release --test perf -- --ignored --nocapture`.

mod common;

use common::{key, stamp};
use mamori_core::{Category, DataItem, MaskedSample, PersonKeys};
use mamori_inventory::{FileRecord, Inventory};
use std::time::{Duration, Instant};

const ROOT: &str = "/srv/samba/share";

const BATCH: usize = 1000;

fn persons_per_file() -> usize {
    std::env::var("MAMORI_PERF_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// A pool of distinct persons; files draw overlapping slices so that
/// count_persons has real merging to do.
fn pool(n: usize) -> Vec<PersonKeys> {
    let key = key();
    (0..n)
        .map(|i| PersonKeys {
            record_id: None,
            names: vec![
                key.hash("name", &format!("氏名{i}")),
                key.hash("name", &format!("シメイ{i}")),
            ],
            birth: Some(key.hash("birth", &format!("19{:02}-01-01", i % 100))),
            my_number: None,
            links: vec![key.hash("link", &format!("acct{i}"))],
            readings: Vec::new(),
        })
        .collect()
}

fn record(i: usize, pool: &[PersonKeys]) -> FileRecord {
    let persons: Vec<PersonKeys> = (0..persons_per_file())
        .map(|p| pool[(i * 7 + p) % pool.len()].clone())
        .collect();
    FileRecord {
        path: format!("dept{}/sub{}/file{i:06}.xlsx", i % 20, i % 300),
        stamp: Some(stamp(i as u64)),
        // `match`, not `is_multiple_of`: the workspace MSRV is 1.85.
        category: Some(Category::new(match i % 3 {
            0 => "customer",
            _ => "employee",
        })),
        items: [
            (DataItem::Name, 10),
            (DataItem::BirthDate, 10),
            (DataItem::BankAccount, 10),
        ]
        .into_iter()
        .collect(),
        records: persons_per_file() as u64,
        error: None,
        samples: vec![MaskedSample {
            item: DataItem::BankAccount,
            masked: "****-***-*****67".into(),
        }],
        persons,
        sealed_contacts: None,
    }
}

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    println!("{label:<44} {:>8.3} s", took.as_secs_f64());
    (out, took)
}

/// Returns (record_files, unchanged rescan, subjects) durations.
fn run(files: usize) -> (Duration, Duration, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut inv = Inventory::open(dir.path()).unwrap();
    let pool = pool(files);
    let records: Vec<FileRecord> = (0..files).map(|i| record(i, &pool)).collect();
    println!("--- {files} files, {} persons each ---", persons_per_file());

    let scan = inv.begin_scan(ROOT, "share").unwrap();
    let (_, write) = timed("record_files (batches of 1000)", || {
        for chunk in records.chunks(BATCH) {
            inv.record_files(scan, ROOT, chunk).unwrap();
        }
    });
    let (counts, _) = timed("finish_scan (first)", || {
        inv.finish_scan(scan, ROOT).unwrap()
    });
    assert_eq!(counts.new, files as u64);

    let (subjects, subjects_time) = timed("subjects(None)", || inv.subjects(None).unwrap());
    let total: usize = subjects.values().map(|s| s.files).sum();
    assert_eq!(total, files);

    let rescan_start = Instant::now();
    let scan = inv.begin_scan(ROOT, "share").unwrap();
    let (stamps, _) = timed("stamps", || inv.stamps(ROOT).unwrap());
    assert_eq!(stamps.len(), files);
    let unchanged: Vec<String> = stamps.into_keys().collect();
    timed("mark_unchanged (one call)", || {
        inv.mark_unchanged(scan, ROOT, &unchanged).unwrap()
    });
    let (counts, _) = timed("finish_scan (all unchanged)", || {
        inv.finish_scan(scan, ROOT).unwrap()
    });
    assert_eq!(counts.unchanged, files as u64);
    let rescan = rescan_start.elapsed();
    println!(
        "{:<44} {:>8.3} s",
        "= unchanged rescan total",
        rescan.as_secs_f64()
    );

    let touched: Vec<String> = records.iter().take(1000).map(|r| r.path.clone()).collect();
    timed("subjects_of_files (1000 files)", || {
        inv.subjects_of_files(ROOT, &touched).unwrap()
    });
    timed("summary", || inv.summary().unwrap());
    timed("files(root)", || inv.files(ROOT).unwrap());
    let size = std::fs::metadata(inv.path()).map(|m| m.len()).unwrap_or(0);
    println!("{:<44} {:>8.1} MB", "database size", size as f64 / 1e6);
    (write, rescan, subjects_time)
}

#[test]
fn quick_20k_files() {
    let (write, rescan, _) = run(20_000);
    // Generous bounds: debug builds of SQLite are several times slower.
    assert!(
        rescan < Duration::from_secs(10),
        "unchanged rescan took {rescan:?}"
    );
    assert!(
        write < Duration::from_secs(60),
        "record_files took {write:?}"
    );
}

#[test]
#[ignore = "takes a while; run with --release --ignored --nocapture"]
fn full_100k_files() {
    let (_, rescan, _) = run(100_000);
    assert!(
        rescan < Duration::from_secs(10),
        "unchanged rescan took {rescan:?}"
    );
}

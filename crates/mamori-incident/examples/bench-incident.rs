//! Speed of `assess` and `report` for a large incident (scripts/bench-incident).
//!
//! Builds a synthetic inventory (FILES files, PERSONS persons each drawn
//! from an overlapping pool, a sealed contact blob per file) and a guard
//! journal that renames and rewrites every file, then times reading the
//! journal, the assessment, and every document (md, html, docx, csv) with
//! and without opening the sealed contacts.
//!
//! `cargo run --release -p mamori-incident --example bench-incident -- [FILES] [PERSONS]`

use chrono::Utc;
use mamori_core::{Category, Contact, DataItem, HashKey, PersonKeys};
use mamori_incident::contacts::{self, Opener, Sealer};
use mamori_incident::report::{self, Format};
use mamori_incident::{assess, AssessOptions};
use mamori_inventory::{FileRecord, Inventory};
use mamori_journal::{Incident, IncidentSource, Journal, Touch, TouchOp};
use std::time::Instant;

const ROOT: &str = "/srv/samba/bench";

/// CPU seconds of this process so far (user + system), from /proc: wall
/// time on a shared machine says more about the neighbours than about us.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let files = args.first().copied().unwrap_or(100_000);
    let persons_per_file = args.get(1).copied().unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let state = dir.path();

    let setup = Instant::now();
    let keys = contacts::init_keys(state, false)?;
    let key_file = state.join("key.txt");
    std::fs::write(&key_file, &keys.secret)?;
    let sealer = Sealer::load(state)?.ok_or("no sealer")?;
    let hash = HashKey::for_tests();
    let pool_size = (files * persons_per_file / 4).max(1);
    let categories = ["employee", "customer", "applicant", "shareholder"];
    let mut inventory = Inventory::open(state)?;
    let scan = inventory.begin_scan(ROOT, "bench")?;
    let mut batch = Vec::new();
    for i in 0..files {
        let category = categories[i % categories.len()];
        let ids: Vec<usize> = (0..persons_per_file)
            .map(|p| (i * 7 + p * 13) % pool_size)
            .collect();
        let persons = ids
            .iter()
            .map(|id| PersonKeys {
                names: vec![hash.hash("name", &format!("氏名{id}"))],
                birth: Some(hash.hash("birth", &format!("19{:02}-01-01", id % 100))),
                ..Default::default()
            })
            .collect();
        let contacts: Vec<Contact> = ids
            .iter()
            .map(|id| Contact {
                name: format!("氏名{id}"),
                postal_code: "100-0001".into(),
                address: format!("東京都千代田区千代田{}-1", id % 50),
            })
            .collect();
        let mut items: std::collections::BTreeMap<DataItem, u64> =
            [(DataItem::Name, 5), (DataItem::Address, 5)].into();
        if i % 1000 == 0 {
            items.insert(DataItem::Health, 1);
        }
        batch.push(FileRecord {
            path: format!("dept{}/sub{}/file{i:06}.csv", i % 20, i % 300),
            category: Some(Category::new(category)),
            items,
            records: persons_per_file as u64,
            persons,
            sealed_contacts: Some(sealer.seal(&contacts)?),
            ..FileRecord::empty("")
        });
        if batch.len() == 1000 {
            inventory.record_files(scan, ROOT, &batch)?;
            batch.clear();
        }
    }
    inventory.record_files(scan, ROOT, &batch)?;
    inventory.finish_scan(scan, ROOT)?;
    drop(inventory);

    let journal = Journal::open(state);
    let mut incident = Incident::new(
        IncidentSource::Guard,
        "bench",
        std::path::Path::new(ROOT),
        Utc::now(),
    );
    incident.actor.user = Some("bench".into());
    journal.save(&incident)?;
    let mut touches = Vec::with_capacity(files * 2);
    for i in 0..files {
        let path = format!("dept{}/sub{}/file{i:06}.csv", i % 20, i % 300);
        let mut rename = Touch::new(TouchOp::Rename, format!("{path}.lockbit"));
        rename.from = Some(path.clone());
        touches.push(rename);
        touches.push(Touch::new(TouchOp::Modify, format!("{path}.lockbit")));
    }
    journal.append(&incident.id, &touches)?;
    drop(touches);
    let setup = setup.elapsed();

    let total = Instant::now();
    let cpu_start = cpu();
    let t = Instant::now();
    let incident = journal.get("latest")?;
    let touches = journal.touches(&incident.id)?;
    let read = t.elapsed();
    let t = Instant::now();
    let assessment = assess(state, &incident, &touches, &AssessOptions::default())?;
    let assessed = t.elapsed();
    let context = report::Context {
        assessment: &assessment,
        incident: &incident,
        lang: mamori_core::Lang::Ja,
        organization: None,
    };
    let t = Instant::now();
    let out = state.join("report");
    report::write_all(&out, &context, &Format::ALL, &Default::default())?;
    let documents = t.elapsed();
    let without_contacts = total.elapsed();
    let cpu_documents = cpu() - cpu_start;
    let cpu_open = cpu();
    let t = Instant::now();
    let inventory = Inventory::open(state)?;
    let opener = Opener::from_file(&key_file)?;
    let list = contacts::notification_list(&inventory, &assessment, &opener)?;
    report::write_all(&out, &context, &[Format::Csv], &list)?;
    let opened = t.elapsed();
    let cpu_open = cpu() - cpu_open;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    println!(
        "### incident: {} files touched ({} touches), {} persons per file, {} distinct persons; setup {:.1} s",
        assessment.files,
        touches.len(),
        persons_per_file,
        assessment.persons,
        setup.as_secs_f64()
    );
    println!();
    println!(
        "load average at the end: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!();
    println!("| step | wall time |");
    println!("|---|---|");
    println!("| read the journal | {:.2} s |", read.as_secs_f64());
    println!(
        "| assess (join with the inventory, count persons) | {:.2} s |",
        assessed.as_secs_f64()
    );
    println!(
        "| documents (md, html, docx) and CSV lists | {:.2} s |",
        documents.as_secs_f64()
    );
    println!(
        "| **total, assessment and all documents** | **{:.2} s** (CPU {:.2} s) |",
        without_contacts.as_secs_f64(),
        cpu_documents
    );
    println!(
        "| open {} sealed contact blobs, notification CSVs ({} entries) | {:.2} s (CPU {:.2} s) |",
        files,
        list.len(),
        opened.as_secs_f64(),
        cpu_open
    );
    Ok(())
}

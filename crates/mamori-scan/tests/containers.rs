//! Containers end to end: members reported as `parent!/member`, nesting
//! bounded, hostile and broken containers listed with a reason, rescans of
//! unchanged archives keeping their members, and nothing under the share
//! touched.

use mamori_samples::office::ooxml::{self, Cell, Sheet};
use mamori_samples::office::zipw::{Names, ZipWriter};
use mamori_scan::{scan, NoProgress, Report, ScanOptions};
use std::path::Path;

const ROSTER: &str = "氏名,生年月日,電話番号,住所\r\n山田 太郎,1980/03/02,090-1234-5678,東京都千代田区千代田1-1\r\n佐藤 花子,1985/07/21,080-2345-6789,大阪府大阪市北区梅田1-2-3\r\n鈴木 一郎,1972/11/05,070-3456-7890,愛知県名古屋市中区栄3-4-5\r\n";

fn run(share: &Path, state: &Path) -> Report {
    let mut o = ScanOptions::new(state.to_path_buf());
    o.morphology = false;
    scan(&[share.to_path_buf()], &o, &NoProgress).unwrap()
}

fn file<'r>(report: &'r Report, path: &str) -> &'r mamori_scan::FileReport {
    report
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| {
            panic!(
                "{path} not reported: {:?}",
                report.files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        })
}

#[test]
fn members_nesting_and_broken_containers() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    std::fs::create_dir_all(&share).unwrap();

    // A zip with CP932 names holding a roster and a zip holding a roster.
    let mut inner = ZipWriter::new();
    inner.add_with("名簿.csv", ROSTER.as_bytes(), Names::Cp932, None);
    let mut outer = ZipWriter::new();
    outer.add_with("人事/社員名簿.csv", ROSTER.as_bytes(), Names::Cp932, None);
    outer.add_with("古い/旧名簿.zip", &inner.finish(), Names::Cp932, None);
    std::fs::write(share.join("送付.zip"), outer.finish()).unwrap();

    // Eight zips deep: read to the depth limit, then listed with a reason.
    let mut nested = {
        let mut z = ZipWriter::new();
        z.add("deep.csv", ROSTER.as_bytes());
        z.finish()
    };
    for level in (1..=7).rev() {
        let mut z = ZipWriter::new();
        z.add(&format!("l{level}.zip"), &nested);
        nested = z.finish();
    }
    std::fs::write(share.join("deep.zip"), nested).unwrap();

    // An xlsx roster, a broken xlsx, a truncated PDF.
    let rows = ROSTER
        .lines()
        .map(|l| l.split(',').map(|c| Cell::Text(c.to_string())).collect())
        .collect();
    let sheet = Sheet {
        name: "名簿".into(),
        hidden: true,
        rows,
        merges: vec![],
    };
    std::fs::write(share.join("社員名簿.xlsx"), ooxml::xlsx(&[sheet])).unwrap();
    std::fs::write(share.join("壊れた.xlsx"), b"PK\x03\x04garbage").unwrap();
    std::fs::write(share.join("途中まで.pdf"), b"%PDF-1.4\n1 0 obj <<").unwrap();

    let before: Vec<_> = walkdir::WalkDir::new(&share)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| (e.path().to_path_buf(), e.metadata().unwrap().len()))
        .collect();
    let report = run(&share, &tmp.path().join("state"));

    let roster = file(&report, "送付.zip!/人事/社員名簿.csv");
    assert!(roster.category.is_some(), "{:?}", roster.category);
    assert!(
        roster.items.keys().any(|i| i.id() == "phone"),
        "{:?}",
        roster.items
    );
    let nested = file(&report, "送付.zip!/古い/旧名簿.zip!/名簿.csv");
    assert!(
        nested.items.keys().any(|i| i.id() == "name"),
        "{:?}",
        nested.items
    );
    assert!(file(&report, "送付.zip").items.is_empty());

    let deepest_read = "deep.zip!/l1.zip!/l2.zip!/l3.zip!/l4.zip!/l5.zip";
    assert!(file(&report, deepest_read).error.is_none());
    let too_deep = file(&report, &format!("{deepest_read}!/l6.zip"));
    assert!(
        too_deep
            .error
            .as_deref()
            .unwrap_or("")
            .contains("nested deeper"),
        "{:?}",
        too_deep.error
    );

    let xlsx = file(&report, "社員名簿.xlsx");
    assert!(
        xlsx.items.keys().any(|i| i.id() == "birth_date"),
        "hidden sheet read: {:?}",
        xlsx.items
    );
    assert!(file(&report, "壊れた.xlsx").error.is_some());
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
    {
        assert!(file(&report, "途中まで.pdf").error.is_some());
    }

    // Nothing under the share changed; an unchanged rescan keeps the members.
    let after: Vec<_> = walkdir::WalkDir::new(&share)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| (e.path().to_path_buf(), e.metadata().unwrap().len()))
        .collect();
    assert_eq!(before, after);
    let again = run(&share, &tmp.path().join("state"));
    assert_eq!(again.files.len(), report.files.len());
    assert!(again
        .files
        .iter()
        .any(|f| f.path == "送付.zip!/古い/旧名簿.zip!/名簿.csv"));
}

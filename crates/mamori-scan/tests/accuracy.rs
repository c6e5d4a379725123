//! End to end on generated shares: the accuracy targets, on a share
//! style the detectors were not tuned on (Style::Alternate, unseen seed).

use mamori_samples::{generate, ShareSpec, Style, Truth};
use mamori_scan::{scan, NoProgress, Report, ScanOptions};
use std::collections::BTreeSet;

struct Score {
    f1: f64,
    precision: f64,
    recall: f64,
    category_accuracy: f64,
    false_item_files: Vec<String>,
    worst_person_error: (String, f64),
    /// Files reported with an `error`: a generated share has none.
    errors: usize,
    details: Vec<String>,
}

fn evaluate(report: &Report, truth: &Truth) -> Score {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut errors = 0usize;
    let mut details = Vec::new();
    let (mut right, mut with_data) = (0usize, 0usize);
    let mut false_item_files = Vec::new();
    for file in &report.files {
        let Some(expected) = truth.files.get(&file.path) else {
            details.push(format!("not in truth: {}", file.path));
            continue;
        };
        match (&file.error, expected.error) {
            (Some(error), false) => {
                details.push(format!("ERROR {}: {error}", file.path));
                errors += 1;
            }
            (None, true) => {
                details.push(format!("NO ERROR on an unreadable file {}", file.path));
                errors += 1;
            }
            _ => {}
        }
        let found: BTreeSet<String> = file.items.keys().map(|i| i.id().to_string()).collect();
        for item in &found {
            if expected.items.contains(item) {
                tp += 1;
            } else {
                fp += 1;
                details.push(format!("FP {} {item}", file.path));
            }
        }
        for item in expected.items.difference(&found) {
            fn_ += 1;
            details.push(format!("FN {} {item}", file.path));
        }
        if expected.category.is_some() {
            with_data += 1;
            if file.category == expected.category {
                right += 1;
            } else {
                details.push(format!(
                    "category {}: {:?} expected {:?}",
                    file.path, file.category, expected.category
                ));
            }
        } else if !found.is_empty() {
            false_item_files.push(file.path.clone());
        }
    }
    let missing: Vec<_> = truth
        .files
        .keys()
        .filter(|p| !report.files.iter().any(|f| &f.path == *p))
        .collect();
    assert!(
        missing.is_empty(),
        "files missing from the report: {missing:?}"
    );
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
    let mut worst = (String::new(), 0.0);
    for (category, subject) in &truth.subjects {
        let found = report
            .subjects
            .get(category)
            .map(|s| s.persons)
            .unwrap_or(0);
        let error = (found as f64 - subject.persons as f64).abs() / subject.persons.max(1) as f64;
        details.push(format!(
            "persons {category}: found {found}, truth {}",
            subject.persons
        ));
        if error > worst.1 {
            worst = (category.clone(), error);
        }
    }
    Score {
        f1,
        precision,
        recall,
        category_accuracy: right as f64 / with_data.max(1) as f64,
        false_item_files,
        worst_person_error: worst,
        errors,
        details,
    }
}

fn run(spec: &ShareSpec) -> (Report, Truth) {
    run_with(spec, true)
}

fn run_with(spec: &ShareSpec, morphology: bool) -> (Report, Truth) {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    let truth = generate(&share, spec).unwrap();
    let mut options = ScanOptions::new(tmp.path().join("state"));
    options.morphology = morphology;
    let report = scan(&[share], &options, &NoProgress).unwrap();
    (report, truth)
}

fn check(name: &str, spec: ShareSpec) {
    let (report, truth) = run(&spec);
    check_score(name, &report, &truth);
}

fn check_score(name: &str, report: &Report, truth: &Truth) {
    let score = evaluate(report, truth);
    eprintln!(
        "{name}: F1 {:.3} (P {:.3} R {:.3}), category {:.3}, worst persons error {:?}, morphology {}",
        score.f1, score.precision, score.recall, score.category_accuracy, score.worst_person_error, report.scan.morphology
    );
    for line in &score.details {
        eprintln!("  {line}");
    }
    assert_eq!(score.errors, 0, "{name}: files reported with an error");
    assert!(score.f1 >= 0.95, "{name}: micro-F1 {:.3} < 0.95", score.f1);
    assert!(
        score.category_accuracy >= 0.95,
        "{name}: category accuracy {:.3}",
        score.category_accuracy
    );
    assert!(
        score.false_item_files.is_empty(),
        "{name}: items on files without personal data: {:?}",
        score.false_item_files
    );
    assert!(
        score.worst_person_error.1 <= 0.05,
        "{name}: persons off by {:?}",
        score.worst_person_error
    );
}

#[test]
fn primary_style_meets_the_targets() {
    check("primary", ShareSpec::standard(7));
}

#[test]
fn unseen_style_and_seed_meet_the_targets() {
    check(
        "alternate",
        ShareSpec::standard(20261125).with_style(Style::Alternate),
    );
}

/// A third office's files, written apart from the detector (Style::Held:
/// title blocks, two-row headers, 法人 rows, prose memos, box-drawn resumes).
#[test]

fn held_out_office_meets_the_targets() {
    check(
        "held",
        ShareSpec::standard(44_195_071).with_style(Style::Held),
    );
}

/// A fourth company (Style::Fresh: a logistics firm), written apart from the
/// detector and from the other three styles: English/romaji headers, split
/// address columns, two persons per row, Zengin and fixed-width exports,
/// quoted mails, 記入例 forms and minutes as noise.
#[test]

fn fresh_company_meets_the_targets() {
    check(
        "fresh",
        ShareSpec::standard(73_019_554).with_style(Style::Fresh),
    );
}

/// A fifth company (Style::Fifth: a food manufacturer), written apart from
/// the detector and from the other four styles: HR/勤怠 SaaS, 給与ソフト,
/// 年末調整, 信託銀行 and EC exports, 髙/﨑 official kanji, UTF-16LE prose
/// memos, 検便 and 衛生チェック health data, printed 申込書, questionnaires,
/// and code, logs and phone lists as noise.
#[test]

fn fifth_company_meets_the_targets() {
    check(
        "fifth",
        ShareSpec::standard(58_114_237).with_style(Style::Fifth),
    );
}

/// A sixth company (Style::Sixth: a real-estate manager), written apart from
/// the detector and from the other five styles: persons named only in paths
/// (per-person folders, 山田太郎_源泉徴収票.txt), hand-filled .txt forms,
/// ledgers with preambles and merged-cell blocks, 法人 owners, mixed
/// encodings, S.55.3.2 dates, (045)531-2234 phones, kanji 丁目, and a
/// 取引先担当者一覧 and mail signatures as noise.
#[test]

fn sixth_company_meets_the_targets() {
    check(
        "sixth",
        ShareSpec::standard(61_402_887).with_style(Style::Sixth),
    );
}

/// A share the project has never seen (the sixth company, a new seed)
/// stored as offices store it: .xlsx (date cells, hidden sheets, merged
/// two-row headers, formulas), .docx, .pptx, CID-font PDFs, .eml in three
/// encodings with attachments, .msg, zips with CP932 names and nested
/// zips, .tar.gz, Word/PowerPoint 97-2003 .doc (with tables) and .ppt; and
/// unreadable files (image-only PDF, a Word 6.0/95 .doc, an encrypted
/// member) that must be listed with an error. Needs poppler's pdftotext
/// with poppler-data (scripts/test installs them).
#[test]
fn office_formats_meet_the_targets() {
    if !pdf_text_available() {
        eprintln!("skipped: pdftotext or poppler-data (Adobe-Japan1) is not installed");
        return;
    }
    let mut formats = BTreeSet::new();
    for (name, spec) in [
        (
            "sixth/containers",
            ShareSpec::standard(90_210)
                .with_style(Style::Sixth)
                .with_containers(),
        ),
        (
            "fifth/containers",
            ShareSpec::standard(31_415)
                .with_style(Style::Fifth)
                .with_containers(),
        ),
        (
            "primary/containers",
            ShareSpec::standard(2_718).with_containers(),
        ),
    ] {
        let (report, truth) = run(&spec);
        let members = report
            .files
            .iter()
            .filter(|f| f.path.contains("!/"))
            .count();
        eprintln!("{name}: {members} archive/mail members");
        assert!(members > 0, "{name}: no archive members reported");
        for ext in [".doc", ".ppt"] {
            let (read, with_items) = report
                .files
                .iter()
                .filter(|f| f.path.ends_with(ext) && f.error.is_none())
                .fold((0, 0), |(n, i), f| {
                    (n + 1, i + usize::from(!f.items.is_empty()))
                });
            eprintln!("{name}: {read} {ext} files read, {with_items} with personal data");
        }
        formats.extend(
            report
                .files
                .iter()
                .filter_map(|f| f.path.rsplit('.').next().map(str::to_string)),
        );
        check_score(name, &report, &truth);
    }
    for ext in [
        "xlsx", "docx", "pptx", "pdf", "eml", "msg", "zip", "gz", "doc", "ppt",
    ] {
        assert!(
            formats.contains(ext),
            "no .{ext} file generated: {formats:?}"
        );
    }
}

fn pdf_text_available() -> bool {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
        && std::path::Path::new("/usr/share/poppler/cMap/Adobe-Japan1").is_dir()
}

/// Without the IPADIC dictionary (mecab-ipadic not installed) detection
/// degrades to labels and honorifics; the targets still hold.
#[test]
fn without_the_dictionary_the_targets_still_hold() {
    for (name, spec) in [
        ("primary/no-dictionary", ShareSpec::standard(11)),
        (
            "fifth/no-dictionary",
            ShareSpec::standard(31_337).with_style(Style::Fifth),
        ),
    ] {
        let (report, truth) = run_with(&spec, false);
        assert!(!report.scan.morphology);
        let score = evaluate(&report, &truth);
        eprintln!(
            "{name}: F1 {:.3}, category {:.3}, worst persons {:?}",
            score.f1, score.category_accuracy, score.worst_person_error
        );
        for line in score.details.iter().filter(|l| !l.starts_with("persons")) {
            eprintln!("  {line}");
        }
        assert!(score.f1 >= 0.95, "{name}: micro-F1 {:.3}", score.f1);
        assert!(
            score.category_accuracy >= 0.95,
            "{name}: category {:.3}",
            score.category_accuracy
        );
        assert!(
            score.false_item_files.is_empty(),
            "{name}: {:?}",
            score.false_item_files
        );
        assert!(
            score.worst_person_error.1 <= 0.05,
            "{name}: persons {:?}",
            score.worst_person_error
        );
    }
}

/// Every style over more seeds: slower, run with `--ignored` when changing detection.
#[test]
#[ignore = "slow: many shares"]
fn every_style_over_many_seeds() {
    for style in [
        Style::Primary,
        Style::Alternate,
        Style::Held,
        Style::Fresh,
        Style::Fifth,
        Style::Sixth,
    ] {
        for seed in [101, 202, 303] {
            check(
                &format!("{style:?}/{seed}"),
                ShareSpec::standard(seed).with_style(style),
            );
        }
    }
}

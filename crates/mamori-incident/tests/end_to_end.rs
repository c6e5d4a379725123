//! End to end on the project's sample share: scan (with the sealed contact
//! index) → an attack on part of the share (the guard's journal written as
//! the guard writes it, or real encryption found by `sweep`) → assess and
//! report; every figure is checked against the generator's truth.

use chrono::{DateTime, NaiveDate, Utc};
use mamori_incident::contacts::{self, Opener, Sealer};
use mamori_incident::report::{self, Format};
use mamori_incident::{assess, AssessOptions, Assessment};
use mamori_journal::{Incident, IncidentSource, IncidentState, Journal, Touch, TouchOp};
use mamori_samples::{generate, ShareSpec, Truth};
use mamori_scan::{scan, NoProgress, ScanOptions};
use rand::{RngCore, SeedableRng};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct Setup {
    _dir: tempfile::TempDir,
    share: PathBuf,
    state: PathBuf,
    identity: PathBuf,
    truth: Truth,
}

/// A generated share, scanned with a contact index key set up.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    let state = dir.path().join("state");
    let truth = generate(&share, &ShareSpec::demo()).unwrap();
    let keys = contacts::init_keys(&state, false).unwrap();
    let identity = dir.path().join("offline-key.txt");
    std::fs::write(&identity, format!("{}\n", keys.secret)).unwrap();
    let mut options = ScanOptions::new(state.clone());
    options.morphology = false;
    options.contact_sealer = Some(Arc::new(Sealer::load(&state).unwrap().unwrap()));
    scan(std::slice::from_ref(&share), &options, &NoProgress).unwrap();
    Setup {
        _dir: dir,
        share,
        state,
        identity,
        truth,
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// The assessment agrees with the truth of the files under `prefixes`.
fn check_against_truth(assessment: &Assessment, truth: &Truth, prefixes: &[&str]) {
    let inside = |p: &str| prefixes.iter().any(|prefix| p.starts_with(prefix));
    let expected = truth.subjects_of(inside);
    let expected_files = truth.personal_files().filter(|(p, _)| inside(p)).count();
    assert_eq!(assessment.files, expected_files, "personal-data files");
    assert_eq!(
        assessment.subjects.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "categories"
    );
    for (category, want) in &expected {
        let got = &assessment.subjects[category];
        let items: BTreeSet<String> = got.items.iter().map(|i| i.id().to_string()).collect();
        assert_eq!(items, want.items, "items of {category}");
        let diff = (got.persons as f64 - want.persons as f64).abs();
        assert!(
            diff <= 0.05 * want.persons as f64,
            "{category}: {} persons, truth {}",
            got.persons,
            want.persons
        );
    }
}

fn libreoffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|bin| {
        std::process::Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Every .docx converts to PDF with LibreOffice (one run); each `expected`
/// (document stem, texts) reads back from its PDF.
fn check_docx_in_libreoffice(dir: &Path, expected: &[(&str, Vec<String>)]) {
    let Some(office) = libreoffice() else {
        eprintln!(
            "skipped: LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
        );
        return;
    };
    let docs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "docx"))
        .collect();
    let out = dir.join("pdf");
    let profile = dir.join("lo-profile");
    let status = std::process::Command::new(office)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(&docs)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    for docx in &docs {
        let pdf = out.join(docx.with_extension("pdf").file_name().unwrap());
        assert!(pdf.is_file(), "no PDF from {}", docx.display());
    }
    for (stem, texts) in expected {
        let pdf = out.join(format!("{stem}.pdf"));
        let Ok(text) = std::process::Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
        else {
            eprintln!("skipped text check: pdftotext is not installed (poppler-utils)");
            return;
        };
        // Line breaks may fall anywhere in running text.
        let text: String = String::from_utf8_lossy(&text.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for want in texts {
            let want: String = want.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(text.contains(&want), "{want} not in {stem}.pdf:\n{text}");
        }
    }
}

#[test]
fn guard_incident_on_one_department() {
    let s = setup();
    // The guard saw an attack on 総務部 and blocked it: renames to .locked,
    // rewrites, a ransom note.
    let dept = "総務部/";
    let started = at("2025-06-01T15:10:00Z");
    let mut incident = Incident::new(IncidentSource::Guard, "share", &s.share, started);
    incident.state = IncidentState::Blocked;
    incident.discovered = at("2025-06-01T15:12:00Z"); // 2 June, 00:12 JST
    incident.actor.user = Some("tanaka".into());
    incident.actor.client = Some("192.0.2.45".into());
    incident.actor.machine = Some("PC-SOUMU-03".into());
    incident
        .reasons
        .push("high-entropy rewrites of 12 files in 20 s".into());
    let mut touches = Vec::new();
    for path in s.truth.files.keys().filter(|p| p.starts_with(dept)) {
        let mut rename = Touch::new(TouchOp::Rename, format!("{path}.locked"));
        rename.from = Some(path.clone());
        rename.time = started;
        touches.push(rename);
        let mut write = Touch::new(TouchOp::Modify, format!("{path}.locked"));
        write.time = started;
        touches.push(write);
    }
    touches.push(Touch::new(TouchOp::RansomNote, "総務部/README.txt"));
    let journal = Journal::open(&s.state);
    journal.save(&incident).unwrap();
    journal.append(&incident.id, &touches).unwrap();

    let assessment = assess(&s.state, &incident, &touches, &AssessOptions::default()).unwrap();
    check_against_truth(&assessment, &s.truth, &[dept]);
    let t = assessment.triggers;
    assert!(t.sensitive, "health data of employees");
    assert!(!t.financial, "no card numbers in 総務部");
    assert!(t.malicious && t.my_number_act && !t.over_1000);
    assert_eq!(
        assessment.deadlines.preliminary,
        NaiveDate::from_ymd_opt(2025, 6, 6).unwrap()
    );
    assert_eq!(
        assessment.deadlines.final_report,
        NaiveDate::from_ymd_opt(2025, 7, 31).unwrap()
    );
    assert_eq!(assessment.ransom_notes, 1);
    let json: serde_json::Value = serde_json::from_str(&assessment.to_json()).unwrap();
    for key in [
        "version",
        "incident",
        "discovered",
        "files",
        "subjects",
        "persons",
        "triggers",
        "deadlines",
    ] {
        assert!(json.get(key).is_some(), "{key} missing from the JSON");
    }
    assert_eq!(json["deadlines"]["final"], "2025-07-31");
    assert_eq!(json["triggers"]["my_number_act"], true);

    // Contacts opened from the sealed index, with the offline key.
    let inventory = mamori_inventory::Inventory::open(&s.state).unwrap();
    let opener = Opener::from_file(&s.identity).unwrap();
    let list = contacts::notification_list(&inventory, &assessment, &opener).unwrap();
    let employees = assessment.subjects["employee"].persons;
    let listed = list.by_category.get("employee").map_or(0, |c| c.len());
    assert!(
        // One entry per person and address: a person listed with two
        // different addresses (an old one in another file) gets both.
        listed as f64 >= 0.9 * employees as f64 && listed as f64 <= 1.1 * employees as f64,
        "{listed} employee contacts for {employees} persons: {:?}",
        list.by_category.get("employee")
    );
    assert!(list.by_category["employee"]
        .iter()
        .all(|c| !c.name.is_empty()));
    assert!(
        list.by_category["employee"]
            .iter()
            .filter(|c| !c.address.is_empty())
            .count()
            >= listed * 9 / 10
    );

    // The documents, in Japanese.
    let out = s.state.join("report");
    let context = report::Context {
        assessment: &assessment,
        incident: &incident,
        lang: mamori_core::Lang::Ja,
        organization: Some("株式会社やまと工務店".into()),
    };
    let written = report::write_all(&out, &context, &Format::ALL, &list).unwrap();
    for stem in ["impact-assessment", "commission-report", "public-notice"] {
        for ext in ["md", "html", "docx"] {
            assert!(out.join(format!("{stem}.{ext}")).is_file(), "{stem}.{ext}");
        }
    }
    for category in assessment.subjects.keys() {
        assert!(out.join(format!("letter-{category}.docx")).is_file());
        assert!(out.join(format!("notification-{category}.csv")).is_file());
    }
    assert!(written.len() >= 10 + 4 * assessment.subjects.len());
    let affected = std::fs::read_to_string(out.join("affected-files.csv")).unwrap();
    assert_eq!(affected.lines().count(), assessment.files + 1);
    let md = std::fs::read_to_string(out.join("commission-report.md")).unwrap();
    for heading in [
        "1. 概要",
        "2. 漏えい等が発生し、又は発生したおそれがある個人データの項目",
        "3. 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
        "4. 原因",
        "5. 二次被害又はそのおそれの有無及びその内容",
        "6. 本人への対応の実施状況",
        "7. 公表の実施状況",
        "8. 再発防止のための措置",
        "9. その他参考となる事項",
        "【要記入】",
        "tanaka",
        "2025年7月31日",
    ] {
        assert!(
            md.contains(heading),
            "{heading} not in the commission report"
        );
    }
    let impact = std::fs::read_to_string(out.join("impact-assessment.md")).unwrap();
    assert!(impact.contains("過去に勤務されていた方・現在勤務されている方"));
    assert!(impact.contains(&format!("{}名", employees)));
    assert!(impact.contains("個人番号（マイナンバー）"));
    let csv_path = out.join("notification-employee.csv");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&csv_path).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "names and addresses readable by the owner only"
        );
    }
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(csv.starts_with("\u{feff}区分,氏名,郵便番号,住所"));
    assert_eq!(csv.lines().count(), listed + 1);
    // Every figure of the impact assessment appears alike in each format.
    let html = std::fs::read_to_string(out.join("impact-assessment.html")).unwrap();
    let docx = std::fs::read(out.join("impact-assessment.docx")).unwrap();
    let docx_text = String::from_utf8_lossy(&docx);
    for (category, subject) in &assessment.subjects {
        let category = mamori_core::Category::new(category.as_str());
        let label = category.notice_phrase_ja();
        let persons = format!("{}名", subject.persons);
        for (format, text) in [
            ("md", &impact),
            ("html", &html),
            ("docx", &docx_text.to_string()),
        ] {
            assert!(text.contains(label), "{label} in {format}");
            assert!(text.contains(&persons), "{persons} in {format}");
        }
    }
    let owned = |texts: &[&str]| texts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let mut impact_texts = owned(&["個人データへの影響評価", "報告義務の判定"]);
    for (category, subject) in &assessment.subjects {
        let phrase = mamori_core::Category::new(category.as_str())
            .notice_phrase_ja()
            .to_string();
        impact_texts.push(phrase);
        impact_texts.push(format!("対象となる方の人数: {}名", subject.persons));
    }
    check_docx_in_libreoffice(
        &out,
        &[
            (
                "commission-report",
                owned(&[
                    "個人データの漏えい等の報告（案）",
                    "3. 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
                    "8. 再発防止のための措置",
                    "【要記入】",
                ]),
            ),
            ("impact-assessment", impact_texts),
            (
                "letter-employee",
                owned(&["«氏名» 様", "漏えいのおそれのある情報"]),
            ),
        ],
    );
}

/// ChaCha20 keystream over the whole file (or its first `limit` bytes).
fn encrypt(path: &Path, rng: &mut rand_chacha::ChaCha20Rng, limit: Option<usize>) {
    let mut bytes = std::fs::read(path).unwrap();
    let end = limit.unwrap_or(bytes.len()).min(bytes.len());
    let mut stream = vec![0u8; end];
    rng.fill_bytes(&mut stream);
    for (b, k) in bytes.iter_mut().zip(stream) {
        *b ^= k;
    }
    std::fs::write(path, bytes).unwrap();
}

const NOTE: &str = "!!! YOUR FILES ARE ENCRYPTED !!!\nAll your documents were encrypted. To decrypt them, pay 2 BTC (bitcoin) to the address below and contact us via Tor browser: http://example.onion/\n";

#[test]
fn sweep_finds_a_real_attack_and_assesses_it() {
    let s = setup();
    let hit = ["営業部/", "工事部/"];
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let mut expected_encrypted = 0;
    let targets: Vec<String> = s
        .truth
        .files
        .keys()
        .filter(|p| hit.iter().any(|h| p.starts_with(h)))
        .cloned()
        .collect();
    for (index, rel) in targets.iter().enumerate() {
        let path = s.share.join(rel);
        if index == 0 {
            // Partial encryption in place, no rename: only the content tells.
            encrypt(&path, &mut rng, Some(4096));
        } else {
            encrypt(&path, &mut rng, None);
            let locked = PathBuf::from(format!("{}.locked", path.display()));
            std::fs::rename(&path, locked).unwrap();
        }
        expected_encrypted += 1;
    }
    for dir in ["営業部", "工事部", "工事部/協力会社"] {
        std::fs::write(s.share.join(dir).join("HOW_TO_DECRYPT.txt"), NOTE).unwrap();
    }

    let options = mamori_incident::sweep::SweepOptions {
        discovered: Some(at("2025-06-03T00:30:00Z")),
        exclude: vec![s.state.clone()],
    };
    let result = mamori_incident::sweep::sweep(&s.state, &s.share, "share", &options)
        .unwrap()
        .expect("the attack is found");
    assert_eq!(
        result.encrypted, expected_encrypted,
        "no file missed, none too many"
    );
    assert_eq!(result.notes, 3);
    assert_eq!(result.extension.as_deref(), Some("locked"));
    let journal = Journal::open(&s.state);
    let incident = journal.get("latest").unwrap();
    assert_eq!(incident.source, IncidentSource::Sweep);
    let touches = journal.touches(&incident.id).unwrap();
    let assessment = assess(&s.state, &incident, &touches, &AssessOptions::default()).unwrap();
    check_against_truth(&assessment, &s.truth, &hit);
    assert!(assessment.triggers.malicious);
    assert_eq!(
        assessment.deadlines.final_report,
        NaiveDate::from_ymd_opt(2025, 8, 1).unwrap()
    );

    // An untouched share: nothing found, no incident.
    let clean = s.state.parent().unwrap().join("clean");
    generate(&clean, &ShareSpec::demo()).unwrap();
    let none = mamori_incident::sweep::sweep(&s.state, &clean, "clean", &options).unwrap();
    assert!(none.is_none(), "false alarm on a clean share");
}

#[test]
fn english_documents_on_request() {
    let s = setup();
    let mut incident = Incident::new(
        IncidentSource::Guard,
        "share",
        &s.share,
        at("2025-06-01T01:00:00Z"),
    );
    incident.discovered = at("2025-06-01T02:00:00Z");
    let touches: Vec<Touch> = s
        .truth
        .files
        .keys()
        .filter(|p| p.starts_with("株式/"))
        .map(|p| Touch::new(TouchOp::Modify, p.clone()))
        .collect();
    let assessment = assess(&s.state, &incident, &touches, &AssessOptions::default()).unwrap();
    check_against_truth(&assessment, &s.truth, &["株式/"]);
    let out = s.state.join("en");
    let context = report::Context {
        assessment: &assessment,
        incident: &incident,
        lang: mamori_core::Lang::En,
        organization: None,
    };
    report::write_all(&out, &context, &[Format::Markdown], &Default::default()).unwrap();
    let md = std::fs::read_to_string(out.join("commission-report.md")).unwrap();
    assert!(md.contains("3. Number of persons concerned"));
    assert!(md.contains("[TO COMPLETE]"));
    assert!(!md.contains("【要記入】"));
}

#[test]
fn without_a_public_key_no_contact_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    let state = dir.path().join("state");
    let truth = generate(&share, &ShareSpec::demo()).unwrap();
    let mut options = ScanOptions::new(state.clone());
    options.morphology = false;
    assert!(Sealer::load(&state).unwrap().is_none());
    scan(std::slice::from_ref(&share), &options, &NoProgress).unwrap();
    let inventory = mamori_inventory::Inventory::open(&state).unwrap();
    let root = std::fs::canonicalize(&share)
        .unwrap()
        .to_string_lossy()
        .to_string();
    let paths: Vec<String> = truth.files.keys().cloned().collect();
    assert!(inventory.sealed_contacts(&root, &paths).unwrap().is_empty());
}

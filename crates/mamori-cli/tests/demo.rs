//! The README's first command: `mamori demo` tells the whole story on this
//! machine — inventory, then (as root, with Samba) the guard blocking a
//! simulated attack over SMB, the restore and the incident report.

use std::process::Command;

fn mamori() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mamori"))
}

#[test]
fn demo_without_guard_shows_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let out = mamori()
        .args(["demo", "--no-guard", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("把握"), "{text}");
    assert!(text.contains("生成した本人数（正解）"), "{text}");
    assert!(!text.contains("防御"), "{text}");
    assert!(dir.path().join("report.json").is_file());
}

#[test]
fn demo_blocks_restores_and_reports_where_the_machine_allows() {
    if let Some(reason) = mamori_attack::samba::skip_reason(mamori_attack::samba::Fs::Ext4) {
        eprintln!("SKIP: {reason}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = mamori()
        .args(["--lang", "en", "demo", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if text.contains("the guard could not start") {
        eprintln!("SKIP: {text}");
        return;
    }
    assert!(text.contains("] detection user=mmr-alice"), "{text}");
    assert!(text.contains("] containment user=mmr-alice"), "{text}");
    assert!(
        text.contains("A colleague (mmr-bob) can still save files."),
        "{text}"
    );
    // Every file of the attacked folder is back, and nothing the attack added is left.
    let line = text
        .lines()
        .find(|l| l.contains("files identical to before the attack"))
        .unwrap_or_default();
    let counts = line
        .split("attack: ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_default();
    let (same, all) = counts.split_once(" / ").unwrap_or(("0", "1"));
    assert_eq!(same.trim(), all.trim(), "{line}");
    assert!(line.contains("still there: 0"), "{line}");
    assert!(dir.path().join("incident-report").is_dir(), "{text}");
    assessment_matches_the_truth(&dir.path().join("state"));
}

/// The real guard's journal joined with the inventory names exactly the
/// generator's truth for the files the attacker touched.
fn assessment_matches_the_truth(state: &std::path::Path) {
    use mamori_journal::{Journal, TouchOp};
    let journal = Journal::open(state);
    let incident = journal.get("latest").unwrap();
    let mut touched = std::collections::BTreeSet::new();
    for touch in journal.touches(&incident.id).unwrap() {
        if matches!(
            touch.op,
            TouchOp::Modify | TouchOp::Rename | TouchOp::Delete
        ) {
            touched.extend(touch.from.clone());
            touched.insert(touch.path.clone());
        }
    }
    // The demo share is deterministic: the same spec gives the same truth.
    let again = tempfile::tempdir().unwrap();
    let truth = mamori_samples::generate(again.path(), &mamori_samples::ShareSpec::demo()).unwrap();
    let expected = truth.subjects_of(|path| touched.contains(path));
    assert!(
        !expected.is_empty(),
        "the attack touched no personal data: {touched:?}"
    );
    let out = mamori()
        .args(["incident", "assess", "--state-dir"])
        .arg(state)
        .args(["--incident", "latest", "--json", "-"])
        .output()
        .unwrap();
    let assessment: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let subjects = assessment["subjects"].as_object().unwrap();
    assert_eq!(
        subjects.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{assessment}"
    );
    for (category, truth) in &expected {
        let found = &subjects[category.as_str()];
        let items: std::collections::BTreeSet<String> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect();
        assert_eq!(items, truth.items, "{category}");
        let persons = found["persons"].as_u64().unwrap() as f64;
        let want = truth.persons as f64;
        // The attack usually reaches one small file before the block (a
        // health-check list whose namesakes only 社員番号 tells apart).
        assert!(
            (persons - want).abs() <= want * 0.05,
            "{category}: {persons} vs {want}"
        );
    }
    assert_eq!(assessment["triggers"]["malicious"], true);
}

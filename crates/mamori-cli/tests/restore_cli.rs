//! `mamori restore` end to end on a plain folder (state and share on one
//! filesystem): dry run, restore, idempotent rerun, exit codes, languages.

use mamori_journal::{Incident, IncidentSource, Journal, Touch, TouchOp};
use mamori_vault::{Reason, Vault, VaultConfig};
use std::fs::File;
use std::path::Path;
use std::process::Command;

fn mamori(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn attack(state: &Path, share: &Path, lose_one: bool) {
    let vault = Vault::open(state, quiet_config()).unwrap();
    vault.register_share("docs", share).unwrap();
    let journal = Journal::open(state);
    let incident = Incident::new(IncidentSource::Guard, "docs", share, chrono::Utc::now());
    journal.save(&incident).unwrap();
    let mut touches = Vec::new();
    // In-place encryption of 見積書.txt.
    let file = File::open(share.join("見積書.txt")).unwrap();
    let v = vault
        .preserve_fd("docs", "見積書.txt", &file, Reason::Write, "smbd:1")
        .unwrap();
    let mut t = Touch::new(TouchOp::Modify, "見積書.txt");
    t.vault = v.map(|v| v.0);
    touches.push(t);
    std::fs::write(share.join("見積書.txt"), b"\x8f\x01encrypted").unwrap();
    // Rename of 名簿.csv to 名簿.csv.locked.
    std::fs::rename(share.join("名簿.csv"), share.join("名簿.csv.locked")).unwrap();
    let mut t = Touch::new(TouchOp::Rename, "名簿.csv.locked");
    t.from = Some("名簿.csv".into());
    touches.push(t);
    std::fs::write(share.join("README.txt"), "pay\n").unwrap();
    touches.push(Touch::new(TouchOp::RansomNote, "README.txt"));
    if lose_one {
        std::fs::remove_file(share.join("memo.txt")).unwrap();
        touches.push(Touch::new(TouchOp::Delete, "memo.txt"));
    }
    journal.append(&incident.id, &touches).unwrap();
}

fn setup(lose_one: bool) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let share = dir.path().join("share");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&share).unwrap();
    std::fs::write(share.join("見積書.txt"), "見積金額 100万円\n").unwrap();
    std::fs::write(share.join("名簿.csv"), "氏名,部署\n山田太郎,総務\n").unwrap();
    std::fs::write(share.join("memo.txt"), "untouched?\n").unwrap();
    attack(&state, &share, lose_one);
    (dir, state, share)
}

#[test]
fn dry_run_restore_and_rerun() {
    let (_dir, state, share) = setup(false);
    let s = state.to_str().unwrap();
    let (code, out, _) = mamori(&[
        "restore",
        "--state-dir",
        s,
        "--incident",
        "latest",
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("dry-run"), "{out}");
    assert!(share.join("README.txt").exists());
    assert!(share.join("名簿.csv.locked").exists());

    let (code, out, _) = mamori(&["restore", "--state-dir", s, "--incident", "latest"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("復元したファイル"), "{out}");
    assert_eq!(
        std::fs::read_to_string(share.join("見積書.txt")).unwrap(),
        "見積金額 100万円\n"
    );
    assert!(share.join("名簿.csv").exists());
    assert!(!share.join("名簿.csv.locked").exists());
    assert!(!share.join("README.txt").exists());
    assert_eq!(
        std::fs::read_to_string(share.join("memo.txt")).unwrap(),
        "untouched?\n"
    );

    let json = state.join("again.json");
    let (code, out, _) = mamori(&[
        "--lang",
        "en",
        "restore",
        "--state-dir",
        s,
        "--incident",
        "latest",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Restore result"), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["restored"].as_array().unwrap().len(), 0);
    assert_eq!(report["already"], 2);
}

#[test]
fn unrecoverable_file_exits_1_and_unknown_incident_exits_2() {
    let (_dir, state, _share) = setup(true);
    let s = state.to_str().unwrap();
    let (code, out, _) = mamori(&["restore", "--state-dir", s, "--incident", "latest"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("memo.txt"), "{out}");
    assert!(out.contains("復元できなかったファイル"), "{out}");
    let (code, _, err) = mamori(&["restore", "--state-dir", s, "--incident", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("インシデントが見つかりません"), "{err}");
}

/// No background link sweep: tests decide when files are linked.
fn quiet_config() -> VaultConfig {
    VaultConfig {
        sweep_on_register: false,
        ..VaultConfig::default()
    }
}

//! Restore beside people still at work: a file someone keeps open is never
//! replaced (their next write would go to a deleted inode and be lost
//! without an error); it is reported and theirs stays theirs.

mod common;

use common::*;
use mamori_journal::Journal;
use mamori_restore::{restore, NoProgress, RestoreOptions, SkipReason};
use mamori_vault::{Vault, VaultConfig};
use std::io::Write;

#[test]
fn a_file_someone_keeps_open_is_left_to_them_and_their_write_kept() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let root = dir.path().join("share");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    for name in ["a.xlsx", "b.xlsx"] {
        std::fs::write(root.join(name), format!("{name} の中身\n")).unwrap();
    }
    let before = snapshot_tree(&root);
    let vault = Vault::open(
        &state,
        VaultConfig {
            sweep_on_register: false,
            ..VaultConfig::default()
        },
    )
    .unwrap();
    vault.register_share("s", &root).unwrap();
    let journal = Journal::open(&state);
    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    attacker.encrypt_in_place("a.xlsx", false);
    attacker.encrypt_in_place("b.xlsx", false);
    attacker.flush();
    // A colleague's program opened b.xlsx (the damaged one) and will write.
    let mut colleague = std::fs::OpenOptions::new()
        .write(true)
        .open(root.join("b.xlsx"))
        .unwrap();

    let report = restore(
        &state,
        "latest",
        &RestoreOptions {
            dry_run: false,
            progress: &NoProgress,
        },
    )
    .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let skipped: Vec<(&str, SkipReason)> = report
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason))
        .collect();
    assert_eq!(skipped, [("b.xlsx", SkipReason::InUse)]);
    assert_eq!(snapshot_tree(&root)["a.xlsx"], before["a.xlsx"]);

    colleague.write_all("同僚の編集".as_bytes()).unwrap();
    drop(colleague);
    let b = std::fs::read(root.join("b.xlsx")).unwrap();
    assert!(
        b.starts_with("同僚の編集".as_bytes()),
        "the colleague's write was lost"
    );
}

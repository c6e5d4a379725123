//! The guard's detection snapshot as restore's second source, on a real
//! loop-mounted btrfs: a file the vault has no copy of (no link, no
//! version), deleted by the attacker after the detection, comes back from
//! the snapshot recorded in the incident's journal folder; a file the
//! attacker had already changed when the snapshot was taken does not (the
//! snapshot holds the attacker's content). Skips without root or btrfs.

mod common;

use common::*;
use mamori_journal::Journal;
use mamori_restore::Source;
use mamori_vault::snapshot::{self, LABEL_DETECTION};
use mamori_vault::{Maintenance, MaintenanceConfig, Vault, VaultConfig};
use std::sync::Arc;

#[test]
fn deleted_after_detection_restored_from_the_detection_snapshot() {
    if let Some(why) = cannot_mount("mkfs.btrfs")
        .or_else(|| (!snapshot::btrfs_available()).then(|| "btrfs-progs not installed".to_string()))
    {
        eprintln!("skipping btrfs detection snapshot test: {why}");
        return;
    }
    let fs = LoopFs::new("btrfs", 256);
    let root = fs.mnt.join("share");
    std::fs::create_dir_all(root.join("経理")).unwrap();
    let kept = "経理/請求書.txt";
    let changed = "経理/changed.txt";
    std::fs::write(root.join(kept), "請求書 2026年11月\n".repeat(200)).unwrap();
    std::fs::write(root.join(changed), "before\n").unwrap();
    let before = std::fs::read(root.join(kept)).unwrap();
    let state = fs.dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    // No link sweep: the vault knows nothing of these files.
    let config = VaultConfig {
        sweep_on_register: false,
        ..VaultConfig::default()
    };
    let vault = Arc::new(Vault::open(&state, config).unwrap());
    vault.register_share("share", &root).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));

    let journal = Journal::open(&state);
    let mut attacker = Attacker::start(&vault, &journal, "share", &root);
    // Whole-second mtimes on some paths: keep the attacker's write clearly
    // after the start.
    std::thread::sleep(std::time::Duration::from_millis(50));
    std::fs::write(root.join(changed), "encrypted").unwrap();

    // The detection: the guard's upkeep takes a snapshot and records it.
    let upkeep = Maintenance::start(
        vault.clone(),
        &[("share".to_string(), root.clone())],
        MaintenanceConfig {
            first_pass_at_start: false,
            ..MaintenanceConfig::default()
        },
    );
    let taken = upkeep.on_detection("share").expect("detection snapshot");
    assert_eq!(taken.label, LABEL_DETECTION);
    snapshot::record(&journal.incident_dir(&attacker.incident.id), &taken).unwrap();
    drop(upkeep);

    // The wiper goes on after the snapshot; the guard saw the deletes but
    // the vault has no copy.
    attacker.unseen_delete(kept);
    attacker.unseen_delete(changed);
    attacker.flush();

    let report = restore_latest(&state, false);
    assert_eq!(std::fs::read(root.join(kept)).unwrap(), before);
    let restored = report.restored.iter().find(|r| r.path == kept).unwrap();
    assert_eq!(restored.source, Source::Snapshot);
    // The snapshot holds the attacker's content of `changed`: not used.
    assert!(!root.join(changed).exists());
    assert!(
        report.failed.iter().any(|f| f.path == changed),
        "{report:?}"
    );
}

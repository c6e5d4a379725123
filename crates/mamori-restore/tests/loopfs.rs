//! Attack and restore on real loop-mounted ext4 and btrfs filesystems.
//! Needs root and mkfs.ext4 / mkfs.btrfs + btrfs-progs; skips (with the
//! reason) otherwise.

mod common;

use common::*;
use mamori_journal::{IncidentState, Journal};
use mamori_restore::{SkipReason, Source};
use mamori_vault::snapshot::{Snapshots, LABEL_SCHEDULED};
use mamori_vault::Vault;
use std::path::Path;

fn attack_and_restore(kind: &str) {
    let mkfs = if kind == "btrfs" {
        "mkfs.btrfs"
    } else {
        "mkfs.ext4"
    };
    if let Some(why) = cannot_mount(mkfs) {
        eprintln!("skipping {kind} test: {why}");
        return;
    }
    let fs = LoopFs::new(kind, 256);
    let root = fs.mnt.join("share");
    mamori_samples::generate(&root, &mamori_samples::ShareSpec::demo()).unwrap();
    let state = fs.dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let vault = Vault::open(&state, quiet_config()).unwrap();
    let store = vault.register_share("share", &root).unwrap();
    assert!(!store.inside_share);
    assert!(!store.dir.starts_with(root.canonicalize().unwrap()));

    let snapshots = Snapshots::for_share("share", &root).unwrap();
    assert_eq!(snapshots.is_some(), kind == "btrfs");
    if let Some(s) = &snapshots {
        s.take(LABEL_SCHEDULED).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(20));

    let before = snapshot_tree(&root);
    let files: Vec<String> = before.keys().cloned().collect();
    assert!(files.len() >= 40, "{} files", files.len());
    let dirs: std::collections::BTreeSet<String> = files
        .iter()
        .map(|f| {
            Path::new(f)
                .parent()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();

    let journal = Journal::open(&state);
    let mut attacker = Attacker::start(&vault, &journal, "share", &root);
    // Every attack pattern of the reference: in place (whole, partial),
    // rename then encrypt, copy then delete, truncate, temp + rename over,
    // rename only; plus a delete nobody saw coming (btrfs: snapshot).
    let mut untouched = Vec::new();
    for (i, rel) in files.iter().enumerate() {
        match i % 8 {
            0 => attacker.encrypt_in_place(rel, false),
            1 => attacker.encrypt_in_place(rel, true),
            2 => attacker.rename_then_encrypt(rel, "lockbit"),
            3 => attacker.copy_then_delete(rel, "akira"),
            4 => attacker.truncate_and_write(rel),
            5 => attacker.replace_via_temp(rel),
            6 if i % 16 == 6 => attacker.rename_only(rel, "play"),
            7 if kind == "btrfs" && i % 16 == 7 => attacker.unseen_delete(rel),
            _ => untouched.push(rel.clone()),
        }
        if i % 10 == 9 {
            attacker.flush();
        }
    }
    for dir in &dirs {
        attacker.ransom_note(dir);
    }
    attacker.flush();

    // Another user keeps working: edits a file the attacker encrypted in
    // place, and one the attacker never touched.
    let attacked_then_edited = files[8].clone();
    let untouched_edited = untouched[0].clone();
    other_user_edit(
        &vault,
        "share",
        &root,
        &attacked_then_edited,
        "追記".as_bytes(),
    );
    other_user_edit(&vault, "share", &root, &untouched_edited, "追記".as_bytes());
    let after_attack = snapshot_tree(&root);
    assert_eq!(
        vault.share("share").unwrap().reflinks(),
        Some(kind == "btrfs"),
        "reflinks on btrfs, copies on ext4"
    );

    // The guard's upkeep commits the vault's index rows every 100 ms.
    vault.flush().unwrap();

    // Dry run: a plan, no change.
    let dry = restore_latest(&state, true);
    assert!(dry.dry_run);
    assert!(!dry.restored.is_empty());
    assert_eq!(
        snapshot_tree(&root),
        after_attack,
        "dry run changed the share"
    );

    let report = restore_latest(&state, false);
    eprintln!("{kind}: {:?}", mamori_restore::counts(&report));
    assert!(report.failed.is_empty(), "{:#?}", report.failed);
    assert_eq!(report.skipped.len(), 1, "{:#?}", report.skipped);
    assert_eq!(report.skipped[0].path, attacked_then_edited);
    assert_eq!(report.skipped[0].reason, SkipReason::ChangedByOther);
    if kind == "btrfs" {
        assert!(report.restored.iter().any(|r| r.source == Source::Snapshot));
    }
    assert!(report.restored.iter().any(|r| r.source == Source::Renamed));

    let restored = snapshot_tree(&root);
    let mut expected = before.clone();
    expected.insert(
        attacked_then_edited.clone(),
        after_attack[&attacked_then_edited].clone(),
    );
    expected.insert(
        untouched_edited.clone(),
        after_attack[&untouched_edited].clone(),
    );
    let extra: Vec<&String> = restored
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    assert!(extra.is_empty(), "left behind: {extra:?}");
    for (rel, want) in &expected {
        let got = restored.get(rel).unwrap_or_else(|| panic!("{rel} missing"));
        assert_eq!(got, want, "{rel} differs from before the attack");
    }

    // Idempotent: nothing more to do.
    let again = restore_latest(&state, false);
    assert!(again.restored.is_empty(), "{:#?}", again.restored);
    assert!(again.removed.is_empty(), "{:#?}", again.removed);
    assert!(again.failed.is_empty());
    assert_eq!(snapshot_tree(&root), restored);
    assert_eq!(
        journal.get("latest").unwrap().state,
        IncidentState::Restored
    );
    let text = mamori_restore::render(&report, mamori_core::Lang::Ja);
    assert!(text.contains("スキップ"), "{text}");
}

#[test]
fn attack_and_restore_on_ext4() {
    attack_and_restore("ext4");
}

#[test]
fn attack_and_restore_on_btrfs() {
    attack_and_restore("btrfs");
}

//! The free-space reserve on a real loop-mounted ext4 (root; skips with the
//! reason otherwise). The vault links every file of a share, so a delete
//! keeps its blocks; with a budget larger than the filesystem nothing but
//! the reserve gives them back before the users' writes fail.

use chrono::Utc;
use mamori_journal::{Incident, IncidentSource, Journal, Touch, TouchOp};
use mamori_testkit::Mounted;
use mamori_vault::{fsutil, Reason, Vault, VaultConfig, VaultError};
use std::path::{Path, PathBuf};
use std::time::Duration;

const MIB: u64 = 1 << 20;

fn config() -> VaultConfig {
    VaultConfig {
        // Larger than the filesystem: the case that used to fill it.
        budget_bytes: 1 << 30,
        quiet_period: Duration::from_secs(3600),
        min_free_ratio: 0.10,
        sweep_on_register: false,
    }
}

/// Makes ext4 count freed and written blocks now (it does at its commit).
fn settle(path: &Path) {
    let dir = std::fs::File::open(path).unwrap();
    // SAFETY: syncfs on a valid descriptor.
    assert_eq!(
        unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&dir)) },
        0
    );
}

fn available(path: &Path) -> u64 {
    settle(path);
    fsutil::space(path).unwrap().available
}

fn reserve(path: &Path) -> u64 {
    (fsutil::space(path).unwrap().total as f64 * 0.10) as u64
}

fn write_files(dir: &Path, prefix: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let name = format!("{prefix}{i:02}.bin");
            std::fs::write(dir.join(&name), vec![i as u8; MIB as usize]).unwrap();
            name
        })
        .collect()
}

/// Leaves `left` bytes available (as users see it) on the filesystem.
fn fill_to(share: &Path, name: &str, left: u64) {
    let free = available(share);
    assert!(free > left, "already below: {free} <= {left}");
    std::fs::write(share.join(name), vec![0xA5u8; (free - left) as usize]).unwrap();
    settle(share);
}

/// A vault over share `s`, a folder on a fresh ext4 image of `size_mb`
/// MiB, its state directory off that image; `None` where that cannot be.
fn vault_on_ext4(size_mb: u64) -> Option<(Mounted, PathBuf, tempfile::TempDir, Vault)> {
    let fs = mamori_testkit::mount("ext4", size_mb)?;
    let share = fs.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    let state = tempfile::tempdir().unwrap();
    let vault = Vault::open(state.path(), config()).unwrap();
    vault.register_share("s", &share).unwrap();
    Some((fs, share, state, vault))
}

#[test]
fn deletes_get_their_space_back_below_the_reserve_oldest_first() {
    let Some((_fs, share, state, vault)) = vault_on_ext4(64) else {
        return;
    };

    // Two generations of linked files, the older first.
    let older = write_files(&share, "a", 12);
    assert_eq!(vault.sweep_links("s").unwrap().linked, 12);
    std::thread::sleep(Duration::from_millis(20));
    let newer = write_files(&share, "b", 12);
    assert_eq!(vault.sweep_links("s").unwrap().linked, 12);
    assert!(vault.keep_free().unwrap().low.is_empty());

    // Deleted: 24 MiB held by frozen links, nothing given back.
    let before = available(&share);
    for name in older.iter().chain(&newer) {
        std::fs::remove_file(share.join(name)).unwrap();
    }
    assert!(
        available(&share) < before + 2 * MIB,
        "links keep the blocks"
    );

    // The users fill what is left down to 2 MiB, under the 10 % reserve.
    fill_to(&share, "big.iso", 2 * MIB);
    assert!(available(&share) < reserve(&share));
    let report = vault.keep_free().unwrap();
    assert_eq!(report.low, vec!["s".to_string()]);
    assert!(report.still_low.is_empty(), "{report:?}");
    assert!(report.removed >= 4, "{report:?}");
    assert!(available(&share) >= reserve(&share), "the reserve is back");

    // Oldest first: only the older generation's versions went.
    let kept = |name: &String| !vault.versions_of("s", name).unwrap().is_empty();
    let older_gone = older.iter().filter(|n| !kept(n)).count();
    assert_eq!(older_gone, report.removed, "{report:?}");
    assert!(newer.iter().all(kept), "the newer versions are kept");

    let alerts = std::fs::read_to_string(state.path().join("alerts.jsonl")).unwrap();
    assert!(alerts.contains("\"kind\":\"vault_space\""), "{alerts}");

    // With the room made, the next look finds nothing low, but free space
    // close to the reserve: the upkeep looks ten times a second then.
    let report = vault.keep_free().unwrap();
    assert!(report.low.is_empty(), "{report:?}");
    assert_eq!(report.near, vec!["s".to_string()], "{report:?}");

    // A user's file brings it under the reserve again, and its copy before
    // an overwrite, seconds after the last prune, makes room for both
    // (what that prune freed counts once, whether or not ext4 shows it yet).
    std::fs::write(share.join("決算.xlsx"), vec![9u8; 3 * MIB as usize]).unwrap();
    assert!(available(&share) < reserve(&share) + 3 * MIB);
    let copy = vault.preserve_path("s", "決算.xlsx", Reason::Write, "smbd:9");
    assert!(copy.unwrap().is_some());
    assert!(
        available(&share) >= reserve(&share),
        "the copy kept the reserve"
    );
}

#[test]
fn versions_of_open_incidents_stay_and_no_copy_crosses_the_reserve() {
    let Some((_fs, share, state, vault)) = vault_on_ext4(48) else {
        return;
    };

    // One victim's file, copied before its overwrite and touched by an
    // open incident.
    std::fs::write(share.join("victim.xlsx"), vec![7u8; 4 * MIB as usize]).unwrap();
    let copy = vault
        .preserve_path("s", "victim.xlsx", Reason::Write, "smbd:1")
        .unwrap()
        .unwrap();
    let journal = Journal::open(state.path());
    let incident = Incident::new(IncidentSource::Guard, "s", &share, Utc::now());
    journal.save(&incident).unwrap();
    let mut touch = Touch::new(TouchOp::Modify, "victim.xlsx");
    touch.vault = Some(copy.to_string());
    journal.append(&incident.id, &[touch]).unwrap();

    // Below the reserve with nothing clean to prune.
    std::fs::write(share.join("doc.docx"), vec![3u8; MIB as usize]).unwrap();
    fill_to(&share, "big.iso", MIB);
    let report = vault.keep_free().unwrap();
    assert_eq!(report.still_low, vec!["s".to_string()], "{report:?}");
    assert!(
        vault.version(&copy.0).unwrap().is_some(),
        "the pinned copy stays"
    );

    // A copy would cross the reserve: refused, the file untouched.
    let refused = vault.preserve_path("s", "doc.docx", Reason::Write, "smbd:2");
    assert!(
        matches!(refused, Err(VaultError::Full { .. })),
        "{refused:?}"
    );
    assert_eq!(
        std::fs::read(share.join("doc.docx")).unwrap().len() as u64,
        MIB
    );
    assert!(vault.versions_of("s", "doc.docx").unwrap().is_empty());

    // Room again (the user deleted the image): copies are taken as before,
    // once the last failed attempt has aged (it is not retried at once).
    std::fs::remove_file(share.join("big.iso")).unwrap();
    settle(&share);
    assert!(available(&share) > reserve(&share) + 2 * MIB);
    let taken = vault
        .preserve_path("s", "doc.docx", Reason::Write, "smbd:2")
        .unwrap();
    assert!(taken.is_some());
}

/// A frozen link holds its deleted file's inode too: a share whose users
/// deleted many small files after the link sweep ran out of inodes (ENOSPC
/// with blocks to spare) until the reserve counted inodes as well.
#[test]
fn deletes_of_many_small_files_get_their_inodes_back() {
    let Some((_fs, share, _state, vault)) = vault_on_ext4(64) else {
        return;
    };
    let space = fsutil::space(&share).unwrap();
    assert!(space.inodes_total > 0, "ext4 counts inodes");
    // Leave 2 % of the inodes: below the 10 % reserve once deleted.
    let count = space.inodes_available - space.inodes_total / 50;
    let names: Vec<String> = (0..count).map(|i| format!("memo{i:05}.txt")).collect();
    for name in &names {
        std::fs::write(share.join(name), "x").unwrap();
    }
    vault.sweep_links("s").unwrap();
    for name in &names {
        std::fs::remove_file(share.join(name)).unwrap();
    }
    let before = fsutil::space(&share).unwrap();
    assert!(
        before.inodes_available < before.inodes_total / 10,
        "the links hold the inodes: {before:?}"
    );
    let report = vault.keep_free().unwrap();
    assert_eq!(report.low, vec!["s".to_string()]);
    assert!(report.still_low.is_empty(), "{report:?}");
    let after = fsutil::space(&share).unwrap();
    assert!(
        after.inodes_available >= after.inodes_total / 10,
        "reserve back: {after:?} ({report:?})"
    );
    // Users can create files again.
    std::fs::write(share.join("new.txt"), "ok").unwrap();
}

//! The guard gives the users their space back (root only; skipped with a
//! reason otherwise): files linked by the start-up sweep and then deleted
//! keep their blocks in the vault, and once the share's filesystem falls
//! below the reserve (`[vault] min_free_percent`) the guard's upkeep prunes
//! them within seconds, with a `vault_space` alert.

#![cfg(feature = "vault")]

use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::{fresh_share, RunningGuard};

const MIB: u64 = 1 << 20;

fn available(path: &Path) -> u64 {
    let dir = std::fs::File::open(path).unwrap();
    // SAFETY: syncfs on a valid descriptor (ext4 counts freed blocks at its commit).
    unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&dir)) };
    mamori_vault::fsutil::space(path).unwrap().available
}

#[test]
fn deleted_files_kept_by_the_vault_are_pruned_below_the_reserve() {
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    for name in ["old-project-1.zip", "old-project-2.zip"] {
        std::fs::write(share.join(name), vec![0x5Au8; 80 * MIB as usize]).unwrap();
    }
    // Off the share's filesystem: the store is `.mamori-vault` at its top.
    let state = tempfile::tempdir().unwrap();
    let config = "[response]\nladder = [\"alert\"]\n[vault]\nmin_free_percent = 10\n";
    let Some((guard, ready)) = RunningGuard::start(&share, state.path(), config) else {
        return;
    };
    assert!(ready.vault_linked >= 2, "{ready:?}");
    let total = mamori_vault::fsutil::space(&share).unwrap().total;
    let reserve = total / 10;

    // Deleted to make room: the vault's links keep all 160 MiB.
    let before = available(&share);
    for name in ["old-project-1.zip", "old-project-2.zip"] {
        std::fs::remove_file(share.join(name)).unwrap();
    }
    assert!(
        available(&share) < before + 8 * MIB,
        "the links hold the blocks"
    );
    // Then the share fills up to 4 MiB left, under the reserve.
    let fill = available(&share) - 4 * MIB;
    std::fs::write(share.join("video.mp4"), vec![1u8; fill as usize]).unwrap();
    assert!(available(&share) < reserve);

    let deadline = Instant::now() + Duration::from_secs(15);
    while available(&share) < reserve && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let left = available(&share);
    let summary = guard.stop();
    assert!(left >= reserve, "{left} bytes free, reserve {reserve}");
    assert_eq!(summary.incidents, 0);
    let alerts = std::fs::read_to_string(state.path().join("alerts.jsonl")).unwrap();
    assert!(alerts.contains("\"kind\":\"vault_space\""), "{alerts}");
    drop(mounted);
}

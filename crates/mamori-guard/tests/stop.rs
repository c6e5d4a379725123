//! Stopping an idle guard: its permission reader sleeps in `read` with no
//! timeout and must be woken to close its group (root only; skipped with a
//! reason otherwise). A binary of its own, so no other guard's groups are
//! counted.

use std::process::Command;

mod common;
use common::{mount, permission_groups_open, wait_until_permission_group_closed, RunningGuard};

#[test]
fn an_idle_guard_closes_its_permission_group_when_stopped() {
    let Some(mounted) = mount("ext4") else { return };
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    std::fs::write(
        share.join("memo.txt"),
        "社員番号 0001 山田太郎\n".repeat(50),
    )
    .unwrap();
    // Off the share's filesystem: nothing the guard writes while stopping
    // raises a permission event that would wake its reader anyway.
    let state = tempfile::tempdir().unwrap();
    let Some(guard) = RunningGuard::alert_only(&share, state.path()) else {
        return;
    };
    assert_eq!(permission_groups_open(), 1);
    // Another process reads one file and creates one: the reader answers,
    // then goes back to sleep in `read`.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cat {0}/memo.txt > /dev/null && echo new > {0}/new.txt",
            share.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(std::time::Duration::from_millis(500));
    let summary = guard.stop();
    assert_eq!(summary.incidents, 0);
    assert!(
        wait_until_permission_group_closed(),
        "the permission reader was woken and closed its group"
    );
}

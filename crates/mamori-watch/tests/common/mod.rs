//! Shared by the kernel tests: a loop-mounted ext4 image (root only).

use mamori_watch::{Share, Shares};
use std::path::PathBuf;

pub use mamori_testkit::Mounted;

pub fn mount_ext4() -> Option<Mounted> {
    mamori_testkit::mount("ext4", 64)
}

/// A share `docs` at `MNT/share` holding `doc.txt` (16 KiB of `OLD-`):
/// (share root, the file, the shares).
pub fn share_with_doc(mounted: &Mounted) -> (PathBuf, PathBuf, Shares) {
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    let path = share.join("doc.txt");
    std::fs::write(&path, b"OLD-".repeat(4096)).unwrap();
    let shares = Shares::new(vec![Share {
        name: "docs".into(),
        root: share.clone(),
    }]);
    (share, path, shares)
}

/// Reads `alarm` until `pids` holds `want` pids or two seconds passed.
#[allow(dead_code)]
pub fn read_alarms(alarm: &mamori_watch::AlarmGroup, pids: &mut Vec<u32>, want: usize) {
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while pids.len() < want && std::time::Instant::now() < deadline {
        let _ = mamori_watch::wait_readable(alarm.raw_fd(), 100);
        alarm.read(&mut buf, &mut |pid| pids.push(pid)).unwrap();
    }
}

/// Runs a shell command in `dir` as another process (the groups drop, or
/// would answer, their own process's events).
#[allow(dead_code)]
pub fn sh(dir: &std::path::Path, script: &str) {
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "{script}");
}

//! A folder that grows large after the guard started gets decoys too
//! (root only; skipped with a reason otherwise): the shares are walked
//! again every `[decoys] replan_secs`, new decoys are placed and
//! registered, and deleting one is a verdict like deleting any other.

use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{detection_reason, fresh_share, RunningGuard};

#[test]
fn a_folder_that_grows_large_later_gets_decoys() {
    let Some((_mounted, share)) = fresh_share() else {
        return;
    };
    std::fs::write(share.join("memo.txt"), "社内連絡\n").unwrap();
    let state = tempfile::tempdir().unwrap();
    let config = "[response]\nladder = [\"alert\"]\n[decoys]\nreplan_secs = 1\n";
    let Some((guard, ready)) = RunningGuard::start(&share, state.path(), config) else {
        return;
    };
    if ready.backend != "fanotify" {
        eprintln!("skipped: decoys are placed again only with fanotify");
        guard.stop();
        return;
    }
    // A new fiscal year's folder fills up after the start.
    let folder = share.join("2027年度");
    std::fs::create_dir(&folder).unwrap();
    for i in 0..45 {
        std::fs::write(
            folder.join(format!("請求書{i:02}.docx")),
            b"PK\x03\x04 word",
        )
        .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    // The guard renames a new decoy a few times to find a name early in
    // directory order: wait until its name holds still (then it is
    // registered).
    let mut seen = None;
    let decoy = loop {
        let found = std::fs::read_dir(&folder)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| mamori_judge::decoy::is_decoy_name(p));
        if let Some(path) = found.as_ref().filter(|_| found == seen) {
            break path.clone();
        }
        seen = found;
        assert!(
            Instant::now() < deadline,
            "no decoy placed in the new folder"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    // Registered: another process deleting it is judged at once.
    let status = Command::new("perl")
        .arg("-e")
        .arg("unlink $ARGV[0] or die; sleep 1")
        .arg(&decoy)
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    guard.stop();
    let reason = detection_reason(state.path());
    assert!(reason.contains("decoy"), "{reason}");
}

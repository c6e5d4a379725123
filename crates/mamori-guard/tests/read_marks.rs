//! The guard's read ignore marks on a loop-mounted ext4 image (root only;
//! skipped with a reason otherwise): after readers have had their ignore
//! marks set, every first write of a file is still probed before it is
//! allowed — by writers that open the file after the readers, and by a
//! writer that had it open before the readers came. (A writer that opened
//! its file before the guard started gets no pre-content events at all:
//! the kernel decides that per open file, at open time. Its change is
//! still seen, after the fact.)

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{fresh_share, guard_beside, guard_stopped};
use std::time::Duration;

fn wait_open(child: &std::process::Child, file: &Path) {
    let fd = PathBuf::from(format!("/proc/{}/fd/3", child.id()));
    for _ in 0..500 {
        if std::fs::read_link(&fd).is_ok_and(|p| p == file) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{} never opened {}", child.id(), file.display());
}

fn sh(script: &str) -> std::process::Child {
    Command::new("sh").arg("-c").arg(script).spawn().unwrap()
}

#[test]
fn first_writes_after_read_marks_are_still_probed() {
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    for i in 0..10 {
        let line = format!("line {i:04} of an ordinary document\n");
        std::fs::write(share.join(format!("doc{i:02}.txt")), line.repeat(500)).unwrap();
    }
    let go = mounted.mnt.join("go");
    // A writer that opened its file before the guard started.
    let early_file = share.join("doc00.txt");
    let mut early = sh(&format!(
        "exec 3<>{}; while [ ! -e {} ]; do sleep 0.05; done; printf XXXX >&3",
        early_file.display(),
        go.display()
    ));
    wait_open(&early, &early_file);

    let Some((guard, state)) = guard_beside(&mounted, &share) else {
        let _ = early.kill();
        let _ = early.wait();
        return;
    };

    // A writer that opens its file while the guard runs and writes only
    // after the readers below have come and gone.
    let middle_file = share.join("doc06.txt");
    let mut middle = sh(&format!(
        "exec 3<>{}; while [ ! -e {} ]; do sleep 0.05; done; printf YYYY >&3",
        middle_file.display(),
        go.display()
    ));
    wait_open(&middle, &middle_file);

    // Readers: their opens set the ignore marks (not on doc00 or doc06).
    let docs = format!("{}/doc*.txt", share.display());
    assert!(
        sh(&format!("cat {docs} > /dev/null; cat {docs} > /dev/null"))
            .wait()
            .unwrap()
            .success()
    );
    // Later writers, in place without truncation: each first write must
    // be held for its probe although a reader's mark was on the file.
    for i in 1..=5 {
        let path = share.join(format!("doc{i:02}.txt"));
        let status = Command::new("dd")
            .args(["if=/dev/urandom", "bs=4096", "count=1", "conv=notrunc"])
            .arg(format!("of={}", path.display()))
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    // Readers again, then the early writer's first write.
    assert!(sh(&format!("cat {docs} > /dev/null"))
        .wait()
        .unwrap()
        .success());
    std::fs::write(&go, b"").unwrap();
    assert!(early.wait().unwrap().success());
    assert!(middle.wait().unwrap().success());
    assert!(std::fs::read(&early_file).unwrap().starts_with(b"XXXX"));
    assert!(std::fs::read(&middle_file).unwrap().starts_with(b"YYYY"));

    std::thread::sleep(Duration::from_millis(300));
    guard.stop();
    let stopped = guard_stopped(&state);
    let count = |key: &str| stopped[key].as_u64().unwrap_or(0);
    eprintln!(
        "probes {} read marks {} lifted {}",
        count("probes"),
        count("read_marks"),
        count("read_marks_lifted")
    );
    assert!(count("read_marks") >= 5, "{stopped}");
    assert!(count("read_marks_lifted") >= 5, "{stopped}");
    assert!(
        count("probes") >= 6,
        "the five later writers and the one open across the readers were probed: {stopped}"
    );
    assert!(count("changes") >= 7, "every change seen: {stopped}");
}

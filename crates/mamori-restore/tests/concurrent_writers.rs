//! Restore beside people still at work: a file someone keeps open is never
//! replaced (their next write would go to a deleted inode and be lost
//! without an error); it is reported and theirs stays theirs.

mod common;

use common::*;
use mamori_restore::SkipReason;
use std::io::Write;

#[test]
fn a_file_someone_keeps_open_is_left_to_them_and_their_write_kept() {
    let (_dir, state, root, vault, journal) =
        scene(&["a.xlsx", "b.xlsx"], |name| format!("{name} の中身\n"));
    let before = snapshot_tree(&root);
    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    attacker.encrypt_in_place("a.xlsx", false);
    attacker.encrypt_in_place("b.xlsx", false);
    attacker.flush();
    // A colleague's program (another process) opened b.xlsx, the damaged
    // one, and will write once told to.
    let mut colleague = hold_open(&root.join("b.xlsx"), "printf '同僚の編集' >&3");

    let report = restore_latest(&state, false);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let skipped: Vec<(&str, SkipReason)> = report
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason))
        .collect();
    assert_eq!(skipped, [("b.xlsx", SkipReason::InUse)]);
    assert_eq!(snapshot_tree(&root)["a.xlsx"], before["a.xlsx"]);

    colleague.stdin.take().unwrap().write_all(b"go\n").unwrap();
    assert!(colleague.wait().unwrap().success());
    let b = std::fs::read(root.join("b.xlsx")).unwrap();
    assert!(
        b.starts_with("同僚の編集".as_bytes()),
        "the colleague's write was lost"
    );
}

/// Another process with `path` open for reading and writing on fd 3, which
/// runs `then` once a line comes on its stdin (or it closes).
fn hold_open(path: &std::path::Path, then: &str) -> std::process::Child {
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("exec 3<>\"$0\"; read line; {then}"))
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_open_elsewhere(path);
    child
}

/// Until another process has `path` open (`/proc/PID/fd`).
fn wait_until_open_elsewhere(path: &std::path::Path) {
    use std::os::unix::fs::MetadataExt;
    let target = std::fs::metadata(path).unwrap();
    let started = std::time::Instant::now();
    loop {
        let open = std::fs::read_dir("/proc").unwrap().flatten().any(|p| {
            std::fs::read_dir(p.path().join("fd")).is_ok_and(|fds| {
                fds.flatten().any(|fd| {
                    std::fs::metadata(fd.path())
                        .is_ok_and(|m| m.dev() == target.dev() && m.ino() == target.ino())
                })
            })
        });
        if open {
            return;
        }
        assert!(started.elapsed().as_secs() < 10, "never opened");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn a_blocked_attackers_own_open_handle_does_not_keep_a_file_damaged() {
    let (_dir, state, root, vault, journal) = scene(&["c.docx"], |name| format!("{name} の中身\n"));
    let before = snapshot_tree(&root);
    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    attacker.encrypt_in_place("c.docx", false);
    attacker.flush();
    // Blocked, not cut: its smbd keeps the handle (the guard refuses every
    // write through it).
    let mut smbd = hold_open(&root.join("c.docx"), "true");
    attacker.incident.actor.pid = Some(smbd.id());
    attacker.incident.state = mamori_journal::IncidentState::Blocked;
    journal.save(&attacker.incident).unwrap();

    let report = restore_latest(&state, false);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(snapshot_tree(&root)["c.docx"], before["c.docx"]);
    drop(smbd.stdin.take());
    smbd.wait().unwrap();
}

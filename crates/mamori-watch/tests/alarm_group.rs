//! The alarm group: every delete or rename of a file by another process
//! reaches it with that process's pid, as the notification group's copy
//! does; directories, creates, writes and the group owner's own deletes do
//! not. Real kernel on a loop-mounted ext4 image (root only; skipped with
//! a reason otherwise).

mod common;

use common::mount_ext4;
use mamori_watch::{AlarmGroup, NotifyGroup};
use std::process::Command;

#[test]
fn deletes_and_renames_of_files_by_others_carry_their_pid() {
    let Some(mounted) = mount_ext4() else { return };
    let (share, _doc, shares) = common::share_with_doc(&mounted);
    let (alarm, notify) = match (AlarmGroup::new(&shares), NotifyGroup::new(&shares)) {
        (Ok(alarm), Ok(notify)) => (alarm, notify),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut pids = Vec::new();
    alarm.read(&mut buf, &mut |pid| pids.push(pid)).unwrap();
    assert!(pids.is_empty(), "nothing yet: {pids:?}");

    // Our own delete: not an alarm.
    std::fs::write(share.join("mine.txt"), b"x").unwrap();
    std::fs::remove_file(share.join("mine.txt")).unwrap();
    // Another process: a new file and folder (no alarm), then a rename and
    // a delete of files (two alarms) and of a folder (none).
    let child = Command::new("sh")
        .arg("-c")
        .arg("echo a > a.txt && mkdir d && mv a.txt b.txt && rm b.txt && rmdir d")
        .current_dir(&share)
        .spawn()
        .unwrap();
    let child_pid = child.id();
    assert!(child.wait_with_output().unwrap().status.success());
    common::read_alarms(&alarm, &mut pids, 2);
    // `mv` and `rm` are children of the shell: two pids, neither ours.
    assert_eq!(pids.len(), 2, "{pids:?}");
    assert!(pids.iter().all(|&p| p != std::process::id() && p != 0));
    assert!(
        pids.iter().all(|&p| p != child_pid),
        "the shell itself deleted nothing"
    );
    // The notification group saw the same events (its twins).
    assert!(notify.wait(1000));
}

//! Reading a file through a permission event's descriptor leaves its
//! access time alone (the descriptors are opened `O_NOATIME`): the guard's
//! probes and vault copies must not write evidence of their own. Real
//! kernel on a loop-mounted ext4 image (root only; skipped with a reason
//! otherwise).

mod common;

use common::mount_ext4;
use mamori_watch::PermGroup;
use std::os::fd::BorrowedFd;
use std::os::unix::fs::MetadataExt;
use std::process::Command;

#[test]
fn reading_through_an_event_descriptor_keeps_the_access_time() {
    let Some(mounted) = mount_ext4() else { return };
    let (_share, path, shares) = common::share_with_doc(&mounted);
    // An access time older than the modification: relatime would update it.
    let ok = Command::new("touch")
        .args(["-a", "-d", "2020-01-01 00:00:00"])
        .arg(&path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "touch -a");
    let before = std::fs::metadata(&path).unwrap().atime();
    let group = match PermGroup::new(&shares) {
        Ok(group) => group,
        Err(e) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    // Another process opens the file (the group's own opens are silent);
    // it exits without reading, so only our read could touch the time.
    let mut opener = Command::new("sh")
        .arg("-c")
        .arg("exec 3< \"$0\"")
        .arg(&path)
        .spawn()
        .unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut batch = Vec::new();
    let mut read = 0;
    while read == 0 {
        assert!(group.wait(5000), "no open event");
        group.read(&mut buf, &mut batch).unwrap();
        for pending in batch.drain(..) {
            if pending.path().as_deref() == Some(path.as_path()) {
                // SAFETY: the event's descriptor lives as long as `pending`.
                let fd = unsafe { BorrowedFd::borrow_raw(pending.fd()) };
                let file = std::fs::File::from(fd.try_clone_to_owned().unwrap());
                let mut bytes = vec![0u8; 4096];
                read = std::os::unix::fs::FileExt::read_at(&file, &mut bytes, 0).unwrap();
            }
            pending.allow();
        }
    }
    assert!(opener.wait().unwrap().success());
    assert!(read > 0);
    assert_eq!(std::fs::metadata(&path).unwrap().atime(), before);
}

//! Creates, renames and deletes name the inode they concern (from the
//! event's own file handle), so the guard can tell which incarnation of a
//! reused name was deleted after its path is gone. Real kernel on
//! loop-mounted ext4 and btrfs images (root only; skipped otherwise).

use mamori_watch::{Change, NotifyGroup, Share, Shares};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn inodes_follow_the_file(fs: &str) {
    let Some(mounted) = mamori_testkit::mount(fs, 160) else {
        return;
    };
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    let shares = Shares::new(vec![Share {
        name: "docs".into(),
        root: share.clone(),
    }]);
    let mut notify = match NotifyGroup::new(&shares) {
        Ok(group) => group,
        Err(e) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    // Two incarnations of one name, by another process (the group skips
    // its own): the first kept alive by a second link (as the vault's link
    // keeps it), so the second cannot reuse its inode.
    let script = "echo first > report.txt && stat -c %i report.txt && ln report.txt ../kept \
                  && rm report.txt && echo second > report.txt && stat -c %i report.txt \
                  && mv report.txt report.old && rm report.old";
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&share)
        .output()
        .unwrap();
    assert!(out.status.success(), "{script}");
    let inodes: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    let (first, second) = (inodes[0], inodes[1]);
    assert_ne!(first, second);
    assert_eq!(
        std::fs::metadata(mounted.mnt.join("kept")).unwrap().ino(),
        first
    );

    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(2);
    while seen.len() < 5 && Instant::now() < deadline {
        notify.read_creates(&mut seen).unwrap();
        if notify.wait(100) {
            notify.read(&mut buf, &mut seen).unwrap();
        }
    }
    let path = PathBuf::from;
    let mut got: Vec<_> = seen
        .iter()
        .filter(|o| o.change != Change::Written)
        .map(|o| (o.change.clone(), o.path.clone(), o.inode))
        .collect();
    // Creates come from a group of their own, read first.
    got.sort_by_key(|(change, _, inode)| (*inode, change != &Change::Created));
    let mut want = vec![
        (Change::Created, path("report.txt"), Some(first)),
        (Change::Deleted, path("report.txt"), Some(first)),
        (Change::Created, path("report.txt"), Some(second)),
        (
            Change::Renamed {
                from: path("report.txt"),
            },
            path("report.old"),
            Some(second),
        ),
        (Change::Deleted, path("report.old"), Some(second)),
    ];
    want.sort_by_key(|(change, _, inode)| (*inode, change != &Change::Created));
    assert_eq!(got, want, "{fs}");
}

#[test]
fn inodes_of_created_renamed_and_deleted_files_on_ext4() {
    inodes_follow_the_file("ext4");
}

#[test]
fn inodes_of_created_renamed_and_deleted_files_on_btrfs() {
    inodes_follow_the_file("btrfs");
}

//! Creates wake nobody: the notification group's waited descriptor stays
//! unreadable after a create, `read_creates` returns it, and a read after
//! a close-after-write lists the create before the write. Deletes still
//! wake at once. Real kernel on a loop-mounted ext4 image (root only;
//! skipped with a reason otherwise).

mod common;

use common::{mount_ext4, sh};
use mamori_watch::{Change, NotifyGroup};
use std::path::PathBuf;
use std::time::Duration;

fn changes(batch: &[mamori_watch::Observed]) -> Vec<(PathBuf, &'static str)> {
    batch
        .iter()
        .map(|o| {
            let kind = match o.change {
                Change::Created => "created",
                Change::Written => "written",
                Change::Deleted => "deleted",
                _ => "other",
            };
            (o.path.clone(), kind)
        })
        .collect()
}

#[test]
fn creates_wait_in_their_queue_and_come_first() {
    let Some(mounted) = mount_ext4() else { return };
    let (share, _doc, shares) = common::share_with_doc(&mounted);
    let mut group = match NotifyGroup::new(&shares) {
        Ok(group) => group,
        Err(e) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut batch = Vec::new();

    // A folder: a create with nothing after it.
    sh(&share, "mkdir new");
    assert!(!group.wait(100), "a create alone wakes nobody");
    group.read_creates(&mut batch).unwrap();
    assert_eq!(changes(&batch), [(PathBuf::from("new"), "created")]);
    batch.clear();
    group.read_creates(&mut batch).unwrap();
    assert!(
        batch.is_empty(),
        "read once; an empty queue returns at once"
    );

    // A new file written and closed: one wake-up, create first.
    sh(&share, "echo hello > new/a.txt");
    assert!(group.wait(1000), "the close after writing wakes the reader");
    group.read(&mut buf, &mut batch).unwrap();
    assert_eq!(
        changes(&batch),
        [
            (PathBuf::from("new/a.txt"), "created"),
            (PathBuf::from("new/a.txt"), "written"),
        ]
    );
    batch.clear();

    // A delete wakes at once.
    sh(&share, "rm new/a.txt");
    assert!(group.wait(1000));
    group.read(&mut buf, &mut batch).unwrap();
    assert_eq!(changes(&batch), [(PathBuf::from("new/a.txt"), "deleted")]);
    assert!(group.creates_due(Duration::ZERO));
}

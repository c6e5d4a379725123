//! The permission group's descriptor lies above the notification group's
//! (`PermGroup::place_above`), so a process holding the last references
//! to both releases the permission group first and answers every waiter;
//! the moved group still delivers and takes answers. Real kernel on a
//! loop-mounted ext4 image (root only; skipped with a reason otherwise).

mod common;

use common::mount_ext4;
use mamori_watch::{NotifyGroup, PermGroup};

#[test]
fn the_permission_group_is_released_first_and_still_answers() {
    let Some(mounted) = mount_ext4() else { return };
    let (_share, path, shares) = common::share_with_doc(&mounted);
    let (mut perm, notify) =
        match PermGroup::new(&shares).and_then(|p| NotifyGroup::new(&shares).map(|n| (p, n))) {
            Ok(groups) => groups,
            Err(e) => {
                eprintln!("skipped: fanotify unavailable: {e}");
                return;
            }
        };
    assert!(
        perm.raw_fd() < notify.highest_fd(),
        "created first, numbered lower"
    );
    perm.place_above(notify.highest_fd()).unwrap();
    assert!(perm.raw_fd() > notify.highest_fd());
    let placed = perm.raw_fd();
    perm.place_above(notify.highest_fd()).unwrap();
    assert_eq!(perm.raw_fd(), placed, "already above: left as it is");

    let opener = std::thread::spawn(move || std::fs::read(&path).map(|b| b.len()));
    let mut buf = vec![0u8; 64 * 1024];
    let mut batch = Vec::new();
    let mut answered = 0;
    while !opener.is_finished() {
        if perm.wait(50) {
            perm.read(&mut buf, &mut batch).unwrap();
            for pending in batch.drain(..) {
                pending.allow();
                answered += 1;
            }
        }
    }
    assert!(opener.join().unwrap().unwrap() > 0);
    assert!(answered > 0, "the moved group delivered the open");
}

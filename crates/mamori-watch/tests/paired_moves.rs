//! Before Linux 5.17 (no `FAN_RENAME`) a rename comes as `FAN_MOVED_FROM`
//! then `FAN_MOVED_TO`; with `rename_events` off the groups take that path
//! on this kernel: the notification group pairs the two into one
//! `Renamed` (files and folders, within and across folders), and the alarm
//! group names the renaming process once per file renamed. Real kernel on a
//! loop-mounted ext4 image (root only; skipped with a reason otherwise).

mod common;

use common::mount_ext4;
use mamori_watch::{AlarmGroup, Change, KernelFeatures, NotifyGroup};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn renames_are_paired_from_their_moves() {
    let Some(mounted) = mount_ext4() else { return };
    let (share, _doc, shares) = common::share_with_doc(&mounted);
    let moves_only = KernelFeatures {
        rename_events: false,
        ..KernelFeatures::default()
    };
    let groups = (
        NotifyGroup::with_features(&shares, moves_only),
        AlarmGroup::with_features(&shares, moves_only),
    );
    let (mut notify, alarm) = match groups {
        (Ok(notify), Ok(alarm)) => (notify, alarm),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    assert!(!notify.rename_events());
    let script = "mv doc.txt doc.txt.lockbit && mkdir sub && mv doc.txt.lockbit sub/x.bin \
                  && mv sub sub2 && echo a > sub2/y && mv sub2/y ../outside";
    let ok = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&share)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "{script}");

    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut renames = Vec::new();
    while renames.len() < 3 && Instant::now() < deadline {
        if notify.wait(100) {
            notify.read(&mut buf, &mut seen).unwrap();
        }
        renames = seen
            .iter()
            .filter_map(|o| match &o.change {
                Change::Renamed { from } => Some((from.clone(), o.path.clone(), o.is_dir)),
                _ => None,
            })
            .collect();
    }
    let path = PathBuf::from;
    // Directory handles resolve to where the folder is when read (as with
    // `FAN_RENAME`): `sub` is `sub2` by then.
    assert_eq!(
        renames,
        [
            (path("doc.txt"), path("doc.txt.lockbit"), false),
            (path("doc.txt.lockbit"), path("sub2/x.bin"), false),
            (path("sub"), path("sub2"), true),
        ]
    );
    // Moved out of the share (same filesystem): gone from the share.
    let deadline = Instant::now() + Duration::from_secs(2);
    while !seen
        .iter()
        .any(|o| o.path == path("sub2/y") && o.change == Change::Deleted)
        && Instant::now() < deadline
    {
        if notify.wait(100) {
            notify.read(&mut buf, &mut seen).unwrap();
        }
    }
    assert!(
        seen.iter()
            .any(|o| o.path == path("sub2/y") && o.change == Change::Deleted),
        "{seen:?}"
    );

    // Three files moved (by three `mv`s), one folder: three alarms.
    let mut pids = Vec::new();
    common::read_alarms(&alarm, &mut pids, 3);
    assert_eq!(pids.len(), 3, "{pids:?}");
    assert!(pids.iter().all(|&p| p != std::process::id() && p != 0));
}

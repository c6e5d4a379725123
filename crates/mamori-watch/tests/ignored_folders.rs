//! The guard's own folders (its vault store) raise no events in its
//! groups: files made, written and read through an ignored folder reach
//! neither the permission group nor the notification groups, the share's
//! files beside it still do, and a flush of the permission group's inode
//! marks (a block) does not bring the folder's events back. Real kernel on
//! a loop-mounted ext4 image (root only; skipped with a reason otherwise).

mod common;

use common::{mount_ext4, sh};
use mamori_watch::{AlarmGroup, NotifyGroup, PermGroup};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn an_ignored_folder_raises_no_event_and_a_flush_keeps_it_so() {
    let Some(mounted) = mount_ext4() else { return };
    let (share, _doc, shares) = common::share_with_doc(&mounted);
    let store = mounted.mnt.join("store").join("20261129");
    std::fs::create_dir_all(&store).unwrap();
    let perm = match PermGroup::new(&shares) {
        Ok(group) => group,
        Err(e) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    let mut notify = NotifyGroup::new(&shares).unwrap();
    let alarm = AlarmGroup::new(&shares).unwrap();
    let folders = perm.ignored_folders();
    notify.ignore_folders_of(&folders);
    alarm.ignore_folders_of(&folders);
    folders.ignore(&store).unwrap();
    let flusher = perm.flusher();

    let seen = Arc::new(Mutex::new(Vec::<PathBuf>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let handler = {
        let (seen, stop) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut batch = Vec::new();
            while !stop.load(Ordering::Acquire) {
                if perm.wait(50) {
                    perm.read(&mut buf, &mut batch).unwrap();
                }
                perm.read_closes(&mut buf, &mut batch).unwrap();
                for pending in batch.drain(..) {
                    if let Some(path) = pending.path() {
                        seen.lock().unwrap().push(path);
                    }
                    pending.allow();
                }
            }
        })
    };
    let work = |name: &str| {
        sh(
            &mounted.mnt,
            &format!(
                "echo copy > store/20261129/{name}; cat store/20261129/{name} >/dev/null; \
                 mv store/20261129/{name} store/20261129/{name}.moved; \
                 rm store/20261129/{name}.moved; echo user > share/{name}"
            ),
        );
    };
    let notified = |notify: &mut NotifyGroup| {
        let mut buf = vec![0u8; 64 * 1024];
        let mut batch = Vec::new();
        std::thread::sleep(Duration::from_millis(100));
        notify.read_creates(&mut batch).unwrap();
        while notify.wait(100) {
            notify.read(&mut buf, &mut batch).unwrap();
        }
        batch.into_iter().map(|o| o.path).collect::<Vec<_>>()
    };

    work("a.bin");
    let mut alarms = Vec::new();
    common::read_alarms(&alarm, &mut alarms, 1);
    assert!(
        alarms.is_empty(),
        "no alarm of the store's rename or delete: {alarms:?}"
    );
    let changes = notified(&mut notify);
    assert!(
        changes.iter().all(|p| !p.starts_with("store")),
        "{changes:?}"
    );
    assert!(changes.contains(&PathBuf::from("a.bin")), "{changes:?}");

    // A block flushes every inode mark of the permission group.
    flusher.flush().unwrap();
    work("b.bin");
    let changes = notified(&mut notify);
    assert!(
        changes.iter().all(|p| !p.starts_with("store")),
        "{changes:?}"
    );
    stop.store(true, Ordering::Release);
    handler.join().unwrap();

    let seen = seen.lock().unwrap();
    assert!(
        seen.iter()
            .all(|p| !p.starts_with(mounted.mnt.join("store"))),
        "permission events of the store: {seen:?}"
    );
    for name in ["a.bin", "b.bin"] {
        assert!(seen.contains(&share.join(name)), "{name} unseen: {seen:?}");
    }
}

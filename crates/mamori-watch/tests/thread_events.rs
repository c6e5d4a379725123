//! Permission events name the waiting thread and its process, against the
//! real kernel on a loop-mounted ext4 image (root only; skipped with a
//! reason otherwise): an open and a read by a second thread of this test
//! arrive with `tid` = that thread and `pid` = this process, so every
//! process-keyed table of the guard sees the same pid as before.

mod common;

use common::mount_ext4;
use mamori_watch::{PermGroup, PermKind};
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn gettid() -> u32 {
    // SAFETY: plain syscall.
    unsafe { libc::syscall(libc::SYS_gettid) as u32 }
}

#[test]
fn events_name_the_thread_and_its_process() {
    let Some(mounted) = mount_ext4() else { return };
    let (_share, path, shares) = common::share_with_doc(&mounted);
    let group = match PermGroup::new(&shares) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    if !group.reports_threads() {
        eprintln!("skipped: this kernel has no thread pidfds: events name processes");
        return;
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let handler = {
        let (seen, stop) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut batch = Vec::new();
            while !stop.load(Ordering::Acquire) {
                if !group.wait(50) {
                    continue;
                }
                group.read(&mut buf, &mut batch).unwrap();
                for pending in batch.drain(..) {
                    let open = pending.kind == PermKind::Open;
                    let access = matches!(pending.kind, PermKind::PreAccess { .. });
                    if open || access {
                        seen.lock().unwrap().push((
                            open,
                            pending.pid,
                            pending.tid,
                            pending.process_known,
                        ));
                    }
                    pending.allow();
                }
            }
        })
    };
    for _ in 0..2 {
        // A fresh thread each time: the second is a new entry of the cache.
        let path = path.clone();
        let reader = std::thread::spawn(move || {
            let mut data = Vec::new();
            std::fs::File::open(&path)
                .unwrap()
                .read_to_end(&mut data)
                .unwrap();
            (gettid(), data.len())
        });
        let (tid, len) = reader.join().unwrap();
        assert_eq!(len, 16384);
        let events = std::mem::take(&mut *seen.lock().unwrap());
        assert!(events.iter().any(|e| e.0), "no open event: {events:?}");
        for (_, pid, event_tid, known) in events {
            assert_eq!(pid, std::process::id(), "the process, not the thread");
            assert_eq!(event_tid, Some(tid));
            assert!(known);
        }
    }
    stop.store(true, Ordering::Release);
    handler.join().unwrap();
}

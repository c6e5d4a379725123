//! A file the guard writes into a share closes last in the guard, whatever
//! another thread forks meanwhile (`own_writes.rs`; root only, on a
//! loop-mounted ext4 image, skipped with the reason otherwise). Without a
//! descriptor table of its own, a child forked while the file is open keeps
//! a copy, and when the guard closes first the kernel reports the close
//! after writing with the child's pid: the guard then took that child for
//! somebody writing one of its decoys.

use mamori_watch::{Change, NotifyGroup, Observed, Share, Shares};
use std::path::Path;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

mod common;

/// Opens `path` for writing on a thread (one with a table of its own with
/// `own_table`); while it is open, this thread forks a child that lives
/// 200 ms; then the file is written and closed. Returns the child's pid.
fn write_while_forking(path: &Path, own_table: bool) -> u32 {
    let (opened_tx, opened) = channel();
    let (forked, forked_rx) = channel();
    let work = move || {
        let mut file = std::fs::File::create(path).unwrap();
        opened_tx.send(()).unwrap();
        forked_rx.recv().unwrap();
        use std::io::Write;
        file.write_all(b"decoy content").unwrap();
    };
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            if own_table {
                mamori_guard::with_own_descriptors(work);
            } else {
                work();
            }
        });
        opened.recv().unwrap();
        // SAFETY: the child only sleeps and exits (async-signal-safe).
        let child = unsafe { libc::fork() };
        assert!(child >= 0, "fork");
        if child == 0 {
            unsafe {
                libc::usleep(200_000);
                libc::_exit(0);
            }
        }
        forked.send(()).unwrap();
        writer.join().unwrap();
        let mut status = 0;
        // SAFETY: waiting for our own child.
        unsafe { libc::waitpid(child, &mut status, 0) };
        child as u32
    })
}

/// The closes after writing of `name` the group reports within a second.
fn closes_of(notify: &mut NotifyGroup, name: &str) -> Vec<Observed> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        if notify.wait(100) {
            notify.read(&mut buf, &mut seen).unwrap();
        }
    }
    seen.retain(|o| o.change == Change::Written && o.path == Path::new(name));
    seen
}

#[test]
fn the_guards_own_writes_close_last_in_the_guard() {
    let Some((_mounted, share)) = common::fresh_share() else {
        return;
    };
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
    // Without a table of its own: the child's exit is the last close.
    let child = write_while_forking(&share.join("plain.docx"), false);
    let closes = closes_of(&mut notify, "plain.docx");
    assert_eq!(
        closes.iter().map(|o| o.pid).collect::<Vec<_>>(),
        vec![Some(child)],
        "the kernel names the child that closed last (the hazard itself)"
    );
    // With one: the close is ours, which the group leaves out.
    write_while_forking(&share.join("decoy.docx"), true);
    let closes = closes_of(&mut notify, "decoy.docx");
    assert!(closes.is_empty(), "taken for somebody else's: {closes:?}");
    assert!(notify.own_events > 0, "our own close was seen");
}

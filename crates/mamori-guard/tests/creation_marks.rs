#![cfg(feature = "vault")]
//! The guard's creation marks on a loop-mounted ext4 image (root only;
//! skipped with a reason otherwise): files created and written by their
//! only writer need no pre-content round trips, yet the content they end
//! up with is kept in the vault before anyone else changes it — by a
//! second writer while the creator still holds the file open, and by a
//! writer after the creator closed it — and the creator's later write
//! still finds the second writer's content kept, though a reader opened
//! the file in between (the creator's close is never queued: a read
//! ignore mark there would have silenced that write).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

mod common;
use common::{fresh_share, guard_beside, guard_stopped};

fn overwrite_in_place(path: &Path, bytes: &str) {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "printf '{bytes}' | dd of={} conv=notrunc status=none",
            path.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_for(path: &Path) {
    for _ in 0..500 {
        if path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn created_files_skip_events_but_their_content_is_kept_before_others_change_it() {
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    let Some((guard, state)) = guard_beside(&mounted, &share) else {
        return;
    };

    // One creator process: new files written and closed, then one held
    // open across another writer's overwrite.
    let (held_open, go) = (mounted.mnt.join("held-open"), mounted.mnt.join("go"));
    let mut creator = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cd {share}; for i in 1 2 3 4 5 6; do printf 'created %s by its only writer\\n' $i > new$i.txt; done; \
             exec 3> held.txt; printf 'AAAA written by the creator\\n' >&3; : > {held_open}; \
             while [ ! -e {go} ]; do sleep 0.05; done; printf 'more\\n' >&3; exec 3>&-",
            share = share.display(),
            held_open = held_open.display(),
            go = go.display()
        ))
        .spawn()
        .unwrap();
    wait_for(&held_open);
    // A second writer while the creator holds the file: its first write
    // must find the creator's content kept. It stays alive after its
    // close, so the guard can tell whose close that was and count it.
    let mut second = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "exec 4<> {}; printf BBBB >&4; exec 4>&-; sleep 2",
            share.join("held.txt").display()
        ))
        .spawn()
        .unwrap();
    // A reader while the creator, uncounted since its open, still holds
    // the file (after the second writer's close has been read: closes are
    // drained every 20 ms while events come, else within 200 ms). Counted
    // as a writer still, the creator keeps read marks off: its next write
    // is held like any other.
    std::thread::sleep(Duration::from_millis(400));
    let read = Command::new("cat")
        .arg(share.join("held.txt"))
        .output()
        .unwrap();
    assert!(read.stdout.starts_with(b"BBBB"));
    std::fs::write(&go, b"").unwrap();
    assert!(creator.wait().unwrap().success());
    let _ = second.kill();
    let _ = second.wait();
    // A writer after the creator closed its file.
    overwrite_in_place(&share.join("new2.txt"), "CCCCCCC");

    std::thread::sleep(Duration::from_millis(300));
    guard.stop();

    let stopped = guard_stopped(&state);
    let count = |key: &str| stopped[key].as_u64().unwrap_or(0);
    eprintln!(
        "probes {} creation marks {}",
        count("probes"),
        count("creation_marks")
    );
    // The creator's first open may go to a worker (a new pid); the rest
    // are answered with a creation mark.
    assert!(count("creation_marks") >= 5, "{stopped}");
    assert!(
        count("creator_closes_ignored") >= 5,
        "the creators' closes were not queued: {stopped}"
    );

    let vault = mamori_vault::Vault::open(&state, Default::default()).unwrap();
    let kept = |rel: &str| -> Vec<Vec<u8>> {
        vault
            .versions_of("docs", rel)
            .unwrap()
            .into_iter()
            .filter(|v| {
                matches!(
                    v.reason,
                    mamori_vault::Reason::Write | mamori_vault::Reason::Truncate
                )
            })
            .filter_map(|v| std::fs::read(&v.object).ok())
            .collect()
    };
    assert!(
        kept("held.txt").contains(&b"AAAA written by the creator\n".to_vec()),
        "the second writer's overwrite found the creator's content kept: {:?}",
        kept("held.txt")
    );
    assert!(
        kept("held.txt").contains(&b"BBBB written by the creator\n".to_vec()),
        "the creator's write after a reader found the second writer's content kept: {:?}",
        kept("held.txt")
    );
    assert!(
        kept("new2.txt").contains(&b"created 2 by its only writer\n".to_vec()),
        "the later overwrite found the created content kept: {:?}",
        kept("new2.txt")
    );
    for i in [1, 3, 4, 5, 6] {
        assert!(
            kept(&format!("new{i}.txt")).is_empty(),
            "nothing to keep of a file nobody else wrote"
        );
    }
    assert!(std::fs::read(share.join("held.txt"))
        .unwrap()
        .starts_with(b"BBBB"));
}

#![cfg(feature = "vault")]
//! An idle share costs the guard (almost) no wake-ups: `notify-reader`
//! sleeps until the first change once a look found nothing queued, and
//! `hold-expiry` until the first hold (`core/notify.rs`, `core.rs`); yet
//! the first change after a quiet spell is still read and handled (here:
//! the new file's vault link appears). On a loop-mounted ext4 image (root
//! only; skipped with a reason otherwise).

use std::path::Path;
use std::time::{Duration, Instant};

mod common;
use common::{fresh_share, guard_beside};

/// Voluntary context switches of this process's thread named `name`.
fn wake_ups(name: &str) -> Option<u64> {
    for entry in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).ok()?;
        return status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|v| v.trim().parse().ok());
    }
    None
}

/// Writes `path` from another process (the guard ignores its own).
fn write_elsewhere(path: &Path) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("printf 'a new file\\n' > '{}'", path.display()))
        .status()
        .unwrap();
    assert!(status.success());
}

/// Files the vault keeps (links and copies) under `store`.
fn kept(store: &Path) -> usize {
    let Ok(days) = std::fs::read_dir(store.join("docs").join("objects")) else {
        return 0;
    };
    days.flatten()
        .filter_map(|day| std::fs::read_dir(day.path()).ok())
        .map(|files| files.count())
        .sum()
}

#[test]
fn an_idle_guard_sleeps_and_still_handles_the_next_change() {
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    let Some((guard, state)) = guard_beside(&mounted, &share) else {
        return;
    };
    // The state directory is on the share's filesystem: the store is in it.
    let store = state.join("vault").join("store");
    write_elsewhere(&share.join("before.txt"));
    std::thread::sleep(Duration::from_millis(500));
    let threads = ["notify-reader", "hold-expiry"];
    let before = threads.map(wake_ups);
    std::thread::sleep(Duration::from_secs(2));
    let after = threads.map(wake_ups);
    for ((name, before), after) in threads.iter().zip(before).zip(after) {
        let (Some(before), Some(after)) = (before, after) else {
            panic!("no thread {name}");
        };
        // They used to wake 50 and 10 times a second.
        assert!(
            after - before <= 6,
            "{name} woke {} times in 2 s of quiet",
            after - before
        );
    }
    let linked = kept(&store);
    write_elsewhere(&share.join("after.txt"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while kept(&store) <= linked && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        kept(&store) > linked,
        "the change after the quiet spell was not handled (no vault link)"
    );
    guard.stop();
}

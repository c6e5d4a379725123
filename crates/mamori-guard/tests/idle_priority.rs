#![cfg(feature = "vault")]
//! The guard's idle priority (`[watch] idle_priority`, `lazy.rs`) on a
//! loop-mounted ext4 image (root only; skipped with a reason otherwise):
//! the main loop and `vault-links` run `SCHED_IDLE` while they only judge
//! and link new files, every other thread of the guard at normal
//! priority, and with `idle_priority = false` nothing is lowered.

use std::time::{Duration, Instant};

mod common;
use common::{guard_stopped, mount, RunningGuard};

/// (thread name, scheduling policy) of every thread of this process.
fn policies() -> Vec<(String, i32)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let Ok(tid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        // SAFETY: plain syscall.
        let policy = unsafe { libc::sched_getscheduler(tid) };
        out.push((name.trim().to_string(), policy));
    }
    out
}

fn policy_of(name: &str) -> Option<i32> {
    policies()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| p)
}

/// Waits up to 3 s for `name` to run under `policy`.
fn wait_for_policy(name: &str, policy: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if policy_of(name) == Some(policy) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn lazy_threads_idle_while_new_files_are_judged_and_normal_when_off() {
    let Some(mounted) = mount("ext4") else { return };
    for (idle_priority, expected) in [(true, libc::SCHED_IDLE), (false, libc::SCHED_OTHER)] {
        let share = mounted.mnt.join(format!("share-{idle_priority}"));
        std::fs::create_dir(&share).unwrap();
        let state = mounted.mnt.join(format!("state-{idle_priority}"));
        let config =
            format!("[response]\nladder = [\"alert\"]\n[watch]\nidle_priority = {idle_priority}\n");
        let Some((guard, _)) = RunningGuard::start(&share, &state, &config) else {
            return;
        };
        for i in 0..50 {
            std::fs::write(share.join(format!("new{i}.txt")), b"a new file\n").unwrap();
        }
        assert!(
            wait_for_policy("guard-main", expected),
            "main loop: {:?}",
            policy_of("guard-main")
        );
        assert!(
            wait_for_policy("vault-links", expected),
            "vault-links: {:?}",
            policy_of("vault-links")
        );
        // Threads somebody waits for never idle.
        for (name, policy) in policies() {
            if [
                "perm-reader",
                "perm-worker-0",
                "perm-worker-1",
                "lazy-watch",
                "hold-expiry",
            ]
            .contains(&name.as_str())
            {
                assert_eq!(policy, libc::SCHED_OTHER, "{name}");
            }
        }
        guard.stop();
        assert_eq!(guard_stopped(&state)["idle_priority"], idle_priority);
    }
}

//! Stopping an idle guard: its permission readers sleep in `read` or `poll`
//! with no timeout and must be woken to close their group (root only; skipped with a
//! reason otherwise). A binary of its own, so no other guard's groups are
//! counted.

use std::process::Command;

mod common;
use common::{mount, permission_groups_open, wait_until_permission_group_closed, RunningGuard};

/// Threads of this process whose name starts with `prefix`.
fn threads_named(prefix: &str) -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .filter(|name| name.trim_end().starts_with(prefix))
        .count()
}

/// One reader sleeps in `read`; several (one pinned to each CPU) sleep in
/// `poll`: each must be woken, and the group closes once all have left.
#[test]
fn an_idle_guard_closes_its_permission_group_when_stopped() {
    let Some(mounted) = mount("ext4") else { return };
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    for readers in [1, 2].into_iter().filter(|&n| n <= cpus) {
        let share = mounted.mnt.join(format!("share{readers}"));
        std::fs::create_dir(&share).unwrap();
        std::fs::write(
            share.join("memo.txt"),
            "社員番号 0001 山田太郎\n".repeat(50),
        )
        .unwrap();
        // Off the share's filesystem: nothing the guard writes while stopping
        // raises a permission event that would wake a reader anyway.
        let state = tempfile::tempdir().unwrap();
        let config = format!("[response]\nladder = [\"alert\"]\n[watch]\nreaders = {readers}\n");
        let Some((guard, ready)) = RunningGuard::start(&share, state.path(), &config) else {
            return;
        };
        assert_eq!(permission_groups_open(), 1);
        assert_eq!(threads_named("perm-reader"), readers, "readers started");
        // Another process reads one file and creates one: a reader answers,
        // then they all go back to sleep.
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "cat {0}/memo.txt > /dev/null && echo new > {0}/new.txt",
                share.display()
            ))
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(std::time::Duration::from_millis(500));
        let summary = guard.stop();
        assert_eq!(summary.incidents, 0);
        assert!(
            wait_until_permission_group_closed(),
            "every permission reader was woken and the group closed ({readers} readers, pre-content {})",
            ready.pre_content
        );
        let mut left = threads_named("perm-reader");
        for _ in 0..100 {
            if left == 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            left = threads_named("perm-reader");
        }
        assert_eq!(left, 0, "readers gone");
    }
}

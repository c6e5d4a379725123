//! A guard whose thread panics ends, loudly (root only; skipped with a
//! reason otherwise): it writes a `guard_failed` alert and exits with
//! status 70 — the kernel then drops its groups, so the share stays usable
//! — and its next start alerts `guard_unclean`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn guard(share: &std::path::Path, state: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mamori"));
    command
        .args(["--lang", "en", "guard", "--share"])
        .arg(format!("docs={}", share.display()))
        .arg("--state-dir")
        .arg(state)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

fn alert_kinds(state: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(state.join("alerts.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["kind"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_panicking_thread_ends_the_guard_loudly_and_the_next_start_says_so() {
    let Some(mounted) = mamori_testkit::mount("ext4", 64) else {
        return;
    };
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    std::fs::write(share.join("memo.txt"), "社員番号 0001\n").unwrap();
    let state = tempfile::tempdir().unwrap();

    let mut failing = guard(&share, state.path())
        .env("MAMORI_GUARD_FAULT", "panic")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = failing.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the failing guard did not exit");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(failing.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(70), "{stderr}");
    assert!(stderr.contains("failed and the guard exited"), "{stderr}");
    assert!(alert_kinds(state.path()).contains(&"guard_failed".to_string()));
    // Fail-open: the share is usable with the guard gone.
    std::fs::write(share.join("memo.txt"), "社員番号 0002\n").unwrap();

    let mut next = guard(&share, state.path()).spawn().unwrap();
    let mut lines = BufReader::new(next.stderr.take().unwrap()).lines();
    let ready = lines.any(|l| l.is_ok_and(|l| l.contains("ready")));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(next.id() as i32, libc::SIGTERM) };
    next.wait().unwrap();
    assert!(ready, "the guard started again");
    assert!(alert_kinds(state.path()).contains(&"guard_unclean".to_string()));
}

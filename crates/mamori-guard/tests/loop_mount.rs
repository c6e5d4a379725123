//! The guard against a local encrypting process on loop-mounted ext4 and
//! btrfs images (root only; skipped with a reason otherwise).
//!
//! The attacker is this test binary run again as a child (`attacker_entry`
//! with `MAMORI_ATTACK_DIR` set): one process that overwrites every file
//! with random bytes and renames it, as ransomware does, so the guard (in
//! this process) sees a foreign pid.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

mod common;
use common::{mount, wait_until_permission_group_closed, RunningGuard};

static ONE_GUARD: Mutex<()> = Mutex::new(());
const FILES: usize = 40;

/// Not a test on its own: the attacker process.
#[test]
fn attacker_entry() {
    let Ok(dir) = std::env::var("MAMORI_ATTACK_DIR") else {
        return;
    };
    common::encrypt_txt_files(&dir, true, std::time::Duration::ZERO, 0x9e37_79b9_7f4a_7c15);
}

fn alerts(state: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(state.join("alerts.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn guard_blocks_an_encrypting_process(fs: &str, watch: &str) {
    let _one = ONE_GUARD.lock().unwrap_or_else(|e| e.into_inner());
    let Some(mounted) = mount(fs) else { return };
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    for i in 0..FILES {
        let line =
            format!("社員番号 {i:04} 氏名 山田太郎 住所 東京都千代田区 電話 03-0000-{i:04}\n");
        std::fs::write(share.join(format!("doc{i:02}.txt")), line.repeat(300)).unwrap();
    }
    // Off the share's filesystem: after the stop, nothing the guard writes
    // there raises a permission event that would wake its reader anyway.
    let state_dir = tempfile::tempdir().unwrap();
    let state = state_dir.path().to_path_buf();
    // A previous guard that died: the new one must say so.
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("guard.pid"), "999999999\n").unwrap();
    let config = format!("[response]\nladder = [\"alert\", \"block\"]\n{watch}");
    let config = config.as_str();
    let Some((guard, ready)) = RunningGuard::start(&share, &state, config) else {
        return;
    };
    assert_eq!(ready.backend, "fanotify");
    assert!(common::permission_groups_open() >= 1);
    assert_eq!(ready.unclean_previous, Some(999_999_999));

    let (pid, out) = common::run_attacker(&share);
    eprintln!("{fs}: attacker pid {pid}: {out}");
    // The attacker may be killed (a blocked process that renames anyway
    // loses its process), so count on disk what it managed to encrypt.
    let encrypted = std::fs::read_dir(&share)
        .unwrap()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with("!0000_"))
        .filter(|e| {
            let data = std::fs::read(e.path()).unwrap_or_default();
            !data.is_empty() && !data.starts_with("社員番号".as_bytes())
        })
        .count();
    assert!(encrypted >= 1, "the attack ran: {out}");
    assert!(encrypted <= 5, "blocked after at most 5 files: {out}");

    // A benign local process (this one is the guard; use a child) still works.
    let benign = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "echo ok > {}/benign.txt && cat {}/doc39.txt > /dev/null",
            share.display(),
            share.display()
        ))
        .status()
        .unwrap();
    assert!(benign.success(), "other processes keep working");

    let summary = guard.stop();
    assert!(
        wait_until_permission_group_closed(),
        "the permission reader closes its group once stopped"
    );
    let lines = alerts(&state);
    assert!(summary.denied >= 1, "{out} {lines:?}");
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"guard_unclean"), "{kinds:?}");
    let detection = lines
        .iter()
        .find(|l| l["kind"] == "detection")
        .expect("a detection alert");
    assert_eq!(detection["pid"], pid);
    assert_eq!(detection["share"], "docs");
    assert!(!detection["files"].as_array().unwrap().is_empty());
    let containment = lines
        .iter()
        .find(|l| l["kind"] == "containment")
        .expect("a containment alert");
    assert_eq!(containment["incident"], detection["incident"]);
    // What it tried after the block, reported in full by the stop at the
    // latest: every refused open counted, the files it was after named.
    let attempts: Vec<_> = lines
        .iter()
        .filter(|l| l["kind"] == "blocked_attempts")
        .collect();
    let last = attempts.last().expect("a blocked_attempts alert");
    assert_eq!(last["incident"], detection["incident"]);
    assert_eq!(last["pid"], pid);
    assert_eq!(last["count"], summary.denied, "{attempts:?}");
    let news: u64 = attempts.iter().map(|a| a["new"].as_u64().unwrap()).sum();
    assert_eq!(news, summary.denied, "{attempts:?}");
    assert!(!last["files"].as_array().unwrap().is_empty());
    assert!(kinds.contains(&"guard_stopped"));
    assert!(
        !state.join("guard.pid").exists(),
        "a clean stop removes the pid file"
    );

    // The journal: the incident is blocked and lists what the attacker touched.
    let journal = mamori_journal::Journal::open(&state);
    let id = detection["incident"].as_str().unwrap();
    let incident = journal.get(id).unwrap();
    assert_eq!(incident.state, mamori_journal::IncidentState::Blocked);
    assert_eq!(incident.actor.pid, Some(pid));
    let touches = journal.touches(id).unwrap();
    let modified = touches
        .iter()
        .filter(|t| t.op == mamori_journal::TouchOp::Modify)
        .count();
    assert!(modified >= encrypted, "{touches:?}");
    assert!(touches
        .iter()
        .any(|t| t.op == mamori_journal::TouchOp::Modify && t.vault.is_some()));

    // Restart: the block comes back from the journal; release lifts it.
    let Some((guard, ready)) = RunningGuard::start(&share, &state, config) else {
        return;
    };
    assert_eq!(ready.reloaded_blocks, 1);
    assert_eq!(ready.unclean_previous, None);
    mamori_guard::state::release(&journal, id).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    guard.stop();
    assert_eq!(
        journal.get(id).unwrap().state,
        mamori_journal::IncidentState::Released
    );
}

#[test]
fn ext4() {
    guard_blocks_an_encrypting_process("ext4", "");
}

#[test]
fn btrfs() {
    guard_blocks_an_encrypting_process("btrfs", "");
}

/// `[watch] one_reader`: the notification side in the permission reader's
/// `poll`, no alarm group.
#[test]
fn ext4_one_reader() {
    guard_blocks_an_encrypting_process("ext4", "[watch]\none_reader = true\n");
}

/// `[watch] readers = 2`: a reader pinned to each of two CPUs, the group
/// non-blocking and both waiting in `poll` (one CPU here: one reader).
#[test]
fn ext4_reader_per_cpu() {
    guard_blocks_an_encrypting_process("ext4", "[watch]\nreaders = 2\n");
}

/// Both at once: the lead reader serves the notification side in its
/// `poll` while the other reader handles permission events beside it.
#[test]
fn btrfs_reader_per_cpu_one_reader() {
    guard_blocks_an_encrypting_process("btrfs", "[watch]\none_reader = true\nreaders = 2\n");
}

//! An attacker whose closes are all lost in overflows is still blocked:
//! the rescan after the overflow finds the files it overwrote, and the
//! permission path's probe of each one's old content names the writer
//! (`core/overflow.rs`). The guard runs with `MAMORI_GUARD_FAULT=lose-writes`
//! (every close after writing is taken for lost) on a loop-mounted ext4
//! image (root only; skipped with a reason otherwise).
//!
//! The attacker is this test binary run again as a child
//! (`attacker_entry` with `MAMORI_ATTACK_DIR` set): it overwrites the
//! documents in place with random bytes, one every 100 ms, no renames.

mod common;
use common::{fresh_share, RunningGuard};

const FILES: usize = 40;

/// Not a test on its own: the attacker process.
#[test]
fn attacker_entry() {
    let Ok(dir) = std::env::var("MAMORI_ATTACK_DIR") else {
        return;
    };
    common::encrypt_txt_files(
        &dir,
        false,
        std::time::Duration::from_millis(100),
        0x2545_f491_4f6c_dd1d,
    );
}

#[test]
fn an_attacker_whose_closes_were_lost_is_named_and_blocked() {
    if std::env::var_os("MAMORI_ATTACK_DIR").is_some() {
        return;
    }
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    for i in 0..FILES {
        let line =
            format!("社員番号 {i:04} 氏名 山田太郎 住所 東京都千代田区 電話 03-0000-{i:04}\n");
        std::fs::write(share.join(format!("doc{i:02}.txt")), line.repeat(300)).unwrap();
    }
    let state = mounted.mnt.join("state");
    // The only test of this binary that starts a guard (the variable is
    // read by the guard in this process).
    std::env::set_var("MAMORI_GUARD_FAULT", "lose-writes");
    let config = "[response]\nladder = [\"alert\", \"block\"]\n";
    let Some((guard, ready)) = RunningGuard::start(&share, &state, config) else {
        return;
    };
    if !ready.pre_content {
        eprintln!("skipped: no pre-content events here");
        guard.stop();
        return;
    }
    let (pid, out) = common::run_attacker(&share);
    eprintln!("attacker pid {pid}: {out}");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let summary = guard.stop();
    std::env::remove_var("MAMORI_GUARD_FAULT");
    let alerts: Vec<serde_json::Value> = std::fs::read_to_string(state.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let overflow = alerts
        .iter()
        .find(|a| a["kind"] == "overflow" && a["attributed"].as_u64() > Some(0))
        .unwrap_or_else(|| panic!("a rescan that named the writer: {alerts:?}"));
    assert_eq!(overflow["share"], "docs");
    let detection = alerts
        .iter()
        .find(|a| a["kind"] == "detection")
        .unwrap_or_else(|| panic!("a detection: {alerts:?}"));
    assert_eq!(detection["pid"], pid, "{detection}");
    assert!(
        alerts
            .iter()
            .any(|a| a["kind"] == "containment" && a["incident"] == detection["incident"]),
        "{alerts:?}"
    );
    assert!(summary.denied >= 1, "{out}");
    assert!(out.contains("refused="), "{out}");
    assert!(!out.contains("refused=0"), "the block stopped it: {out}");
    // The journal holds the vault copies the rollback puts back.
    let journal = mamori_journal::Journal::open(&state);
    let id = detection["incident"].as_str().unwrap();
    let touches = journal.touches(id).unwrap();
    assert!(
        touches
            .iter()
            .any(|t| t.op == mamori_journal::TouchOp::Modify && t.vault.is_some()),
        "{touches:?}"
    );
}

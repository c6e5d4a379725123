//! The README's first command: `mamori demo` tells the whole story on this
//! machine — inventory, then (as root, with Samba) the guard blocking a
//! simulated attack over SMB, the restore and the incident report.

use std::process::Command;

fn mamori() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mamori"))
}

#[test]
fn demo_without_guard_shows_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let out = mamori()
        .args(["demo", "--no-guard", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("把握"), "{text}");
    assert!(text.contains("生成した本人数（正解）"), "{text}");
    assert!(!text.contains("防御"), "{text}");
    assert!(dir.path().join("report.json").is_file());
}

#[test]
fn demo_blocks_restores_and_reports_where_the_machine_allows() {
    if let Some(reason) = mamori_attack::samba::skip_reason(mamori_attack::samba::Fs::Ext4) {
        eprintln!("SKIP: {reason}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = mamori()
        .args(["--lang", "en", "demo", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if text.contains("the guard could not start") {
        eprintln!("SKIP: {text}");
        return;
    }
    assert!(text.contains("] detection user=mmr-alice"), "{text}");
    assert!(text.contains("] containment user=mmr-alice"), "{text}");
    assert!(
        text.contains("A colleague (mmr-bob) can still save files."),
        "{text}"
    );
    // Every file of the attacked folder is back, and nothing the attack added is left.
    let line = text
        .lines()
        .find(|l| l.contains("files identical to before the attack"))
        .unwrap_or_default();
    let counts = line
        .split("attack: ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_default();
    let (same, all) = counts.split_once(" / ").unwrap_or(("0", "1"));
    assert_eq!(same.trim(), all.trim(), "{line}");
    assert!(line.contains("still there: 0"), "{line}");
    assert!(dir.path().join("incident-report").is_dir(), "{text}");
}

//! The inotify fallback (no root needed): attribution from a Samba
//! `full_audit` log, and an event queue so small that it overflows, which
//! must end in an `overflow` alert and a rescan that still finds the attack.

use mamori_core::Lang;
use mamori_guard::{GuardConfig, GuardOptions};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mamori_testkit::noise;

/// The alerts of the run, and its directory (`state/` holds the incidents).
fn run_attack(queue: usize) -> (Vec<serde_json::Value>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    let state = dir.path().join("state");
    std::fs::create_dir(&share).unwrap();
    for i in 0..30 {
        let line = format!("社員番号 {i:04} 氏名 山田太郎 住所 東京都千代田区\n");
        std::fs::write(share.join(format!("doc{i:02}.txt")), line.repeat(200)).unwrap();
    }
    let audit = dir.path().join("audit.log");
    std::fs::write(&audit, "").unwrap();
    let config = format!(
        "[response]\nladder = [\"alert\", \"block\"]\n[watch]\nbackend = \"inotify\"\naudit_log = \"{}\"\n[limits]\nqueue = {queue}\n",
        audit.display()
    );
    let options = GuardOptions {
        shares: vec![("docs".into(), share.clone())],
        state_dir: state.clone(),
        smb_conf: None,
        config: GuardConfig::parse(&config, Path::new("test.toml")).unwrap(),
        lang: Lang::En,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let flag = stop.clone();
    let guard = std::thread::spawn(move || {
        mamori_guard::run(options, &flag, |ready| {
            let _ = ready_tx.send(ready.backend);
        })
    });
    assert_eq!(ready_rx.recv().unwrap(), "inotify");
    // What Samba's full_audit would log for an SMB user encrypting the share.
    let mut log = String::new();
    for i in 0..30 {
        let path = share.join(format!("doc{i:02}.txt"));
        log.push_str(&format!(
            "  mallory|10.0.0.66|EVILPC|docs|openat|ok|w|{}\n",
            path.display()
        ));
    }
    std::fs::write(&audit, log).unwrap();
    for i in 0..30 {
        let path = share.join(format!("doc{i:02}.txt"));
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        std::fs::write(&path, noise(len, i as u64 + 7)).unwrap();
        std::fs::rename(&path, path.with_extension("txt.locked")).unwrap();
    }
    // Let the guard catch up, then stop it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        let text = std::fs::read_to_string(state.join("alerts.jsonl")).unwrap_or_default();
        if text.contains("\"detection\"") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.store(true, Ordering::Release);
    guard.join().unwrap().unwrap();
    let alerts = std::fs::read_to_string(state.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (alerts, dir)
}

#[test]
fn attributes_from_the_audit_log() {
    let (alerts, _dir) = run_attack(65536);
    let detection = alerts
        .iter()
        .find(|a| a["kind"] == "detection")
        .expect("a detection alert");
    assert_eq!(detection["user"], "mallory");
    assert_eq!(detection["client"], "10.0.0.66");
    assert_eq!(detection["machine"], "EVILPC");
    let containment = alerts
        .iter()
        .find(|a| a["kind"] == "containment")
        .expect("a containment alert");
    assert_eq!(containment["incident"], detection["incident"]);
}

#[test]
fn queue_overflow_is_alerted_and_rescanned() {
    let (alerts, dir) = run_attack(1);
    let overflow = alerts
        .iter()
        .find(|a| a["kind"] == "overflow")
        .expect("an overflow alert");
    assert!(overflow["reason"].as_str().unwrap().contains("rescanned"));
    assert!(
        alerts.iter().any(|a| a["kind"] == "detection"),
        "the attack is still detected: {alerts:?}"
    );
    // A verdict on the rescan's unknown actor: nobody to block, so the
    // alert alone, and the files it found in the incident's journal.
    let journal = mamori_journal::Journal::open(&dir.path().join("state"));
    for detection in alerts.iter().filter(|a| a["kind"] == "detection") {
        if !(detection["user"].is_null() && detection["pid"].is_null()) {
            continue;
        }
        let id = detection["incident"].as_str().unwrap();
        assert!(
            !alerts
                .iter()
                .any(|a| a["kind"] == "containment" && a["incident"] == id),
            "no block claimed for an unknown actor: {alerts:?}"
        );
        let incident = journal.get(id).unwrap();
        assert_eq!(incident.state, mamori_journal::IncidentState::Detected);
        assert!(
            !journal.touches(id).unwrap().is_empty(),
            "the rescan's files are journalled"
        );
    }
}

//! `mamori guard` argument handling and `mamori guard release` (no root needed).

use std::process::Command;

fn mamori() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mamori"))
}

#[test]
fn bad_usage_exits_2_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = mamori()
        .args(["--lang", "en", "guard", "--state-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--share"));

    let out = mamori()
        .args(["--lang", "en", "guard", "--share", "nodir", "--state-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let missing = dir.path().join("missing");
    let out = mamori()
        .args(["--lang", "en", "guard", "--share"])
        .arg(format!("docs={}", missing.display()))
        .arg("--state-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docs"));

    let config = dir.path().join("guard.toml");
    std::fs::write(&config, "[response]\nladder = [\"explode\"]\n").unwrap();
    let out = mamori()
        .args(["--lang", "en", "guard", "--share"])
        .arg(format!("docs={}", dir.path().display()))
        .arg("--state-dir")
        .arg(dir.path())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("guard.toml"));
}

#[test]
fn release_marks_the_incident_and_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let journal = mamori_journal::Journal::open(dir.path());
    let mut incident = mamori_journal::Incident::new(
        mamori_journal::IncidentSource::Guard,
        "docs",
        std::path::Path::new("/srv/docs"),
        chrono::Utc::now(),
    );
    incident.state = mamori_journal::IncidentState::Blocked;
    incident.actor.user = Some("taro".into());
    journal.save(&incident).unwrap();

    let out = mamori()
        .args(["--lang", "en", "guard", "release", "nosuch", "--state-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = mamori()
        .args(["guard", "release", "latest", "--state-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("解除"));
    assert_eq!(
        journal.get(&incident.id).unwrap().state,
        mamori_journal::IncidentState::Released
    );
    let alerts = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    let alert: serde_json::Value = serde_json::from_str(alerts.lines().next().unwrap()).unwrap();
    assert_eq!(alert["kind"], "release");
    assert_eq!(alert["incident"], incident.id.as_str());
    assert_eq!(alert["user"], "taro");
}

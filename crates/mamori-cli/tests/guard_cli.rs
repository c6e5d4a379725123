//! `mamori guard` argument handling and `mamori guard release` (no root needed).

use std::process::Command;

fn mamori() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mamori"))
}

/// `mamori guard` over share `name` = `dir` (also the state directory)
/// with the configuration file `config`.
fn guard_with_config(
    name: &str,
    dir: &std::path::Path,
    config: &std::path::Path,
) -> std::process::Output {
    mamori()
        .args(["--lang", "en", "guard", "--share"])
        .arg(format!("{name}={}", dir.display()))
        .arg("--state-dir")
        .arg(dir)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap()
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
    let out = guard_with_config("docs", dir.path(), &config);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("guard.toml"));

    // A share section for a share not guarded (a misspelt name).
    std::fs::write(&config, "[share.\"経里\"]\nrollback = false\n").unwrap();
    let out = guard_with_config("経理", dir.path(), &config);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("guard.toml") && stderr.contains("経里"),
        "{stderr}"
    );
}

/// A state directory holding one blocked incident of `user`.
fn blocked_incident(
    user: Option<&str>,
) -> (
    tempfile::TempDir,
    mamori_journal::Journal,
    mamori_journal::Incident,
) {
    let dir = tempfile::tempdir().unwrap();
    let journal = mamori_journal::Journal::open(dir.path());
    let mut incident = mamori_journal::Incident::new(
        mamori_journal::IncidentSource::Guard,
        "docs",
        std::path::Path::new("/srv/docs"),
        chrono::Utc::now(),
    );
    incident.state = mamori_journal::IncidentState::Blocked;
    incident.actor.user = user.map(str::to_string);
    journal.save(&incident).unwrap();
    (dir, journal, incident)
}

#[test]
fn release_marks_the_incident_and_alerts() {
    let (dir, journal, incident) = blocked_incident(Some("taro"));

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

#[test]
fn release_alerts_the_guard_s_channels_too() {
    let (dir, journal, incident) = blocked_incident(None);
    let socket = dir.path().join("log.sock");
    let syslog = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
    syslog
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let config = dir.path().join("guard.toml");
    std::fs::write(
        &config,
        format!(
            "[alerts]\nsyslog = true\nsyslog_socket = \"{}\"\n",
            socket.display()
        ),
    )
    .unwrap();

    // A configuration that does not parse: exit 2, naming the file.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[alerts]\nsyslg = true\n").unwrap();
    let out = mamori()
        .args(["guard", "release", "latest", "--state-dir"])
        .arg(dir.path())
        .arg("--config")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
    assert_eq!(
        journal.get(&incident.id).unwrap().state,
        mamori_journal::IncidentState::Blocked,
        "nothing released on a bad configuration"
    );

    let out = mamori()
        .args(["guard", "release", "latest", "--state-dir"])
        .arg(dir.path())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut datagram = [0u8; 2048];
    let n = syslog.recv(&mut datagram).expect("the release on syslog");
    let line = String::from_utf8_lossy(&datagram[..n]);
    assert!(
        line.contains(&incident.id) && line.contains("解除"),
        "{line}"
    );
}

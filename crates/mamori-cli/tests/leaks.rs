//! `mamori leaks` from the outside: poll against a local tracker, exit
//! codes, list/show, watch, a bad configuration.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

fn mamori() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mamori"));
    cmd.env_remove("MAMORI_STATE_DIR")
        .env_remove("MAMORI_LANG")
        .env("MAMORI_LOG", "error");
    cmd
}

/// Serves one JSON body to every request, forever.
fn tracker(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

fn write_config(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("leaks.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[[organization]]
name = "株式会社やまと工務店"
aliases = ["やまと工務店", "Yamato Koumuten Co., Ltd."]
domains = ["yamato-koumuten.example.jp"]

[[source]]
kind = "ransomware_live"
name = "tracker"
url = "{url}"
"#
        ),
    )
    .unwrap();
    path
}

#[test]
fn poll_alerts_once_then_lists_and_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let url = tracker(
        r#"[{"victim":"株式会社やまと工務店","group":"akira","post_url":"http://a.onion/yk","discovered":"2025-03-01"},
            {"victim":"ヤマト運輸","group":"play","post_url":"http://p.onion/yu","discovered":"2025-03-01"}]"#
            .to_string(),
    );
    let config = write_config(tmp.path(), &url);
    let state = tmp.path().join("state");
    let poll = || {
        mamori()
            .args(["leaks", "poll", "--config"])
            .arg(&config)
            .arg("--state-dir")
            .arg(&state)
            .output()
            .unwrap()
    };
    let first = poll();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert_eq!(
        first.status.code(),
        Some(1),
        "a leak is a problem reported: {stdout}"
    );
    assert!(stdout.contains("リークサイト"), "{stdout}");
    let second = poll();
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(state.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["kind"], "leak");
    assert_eq!(lines[0]["victim"], "株式会社やまと工務店");

    let list = mamori()
        .args(["--lang", "en", "leaks", "list", "--state-dir"])
        .arg(&state)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.contains("株式会社やまと工務店") && !text.contains("ヤマト運輸"),
        "{text}"
    );
    let all = mamori()
        .args(["leaks", "list", "--all", "--json", "--state-dir"])
        .arg(&state)
        .output()
        .unwrap();
    let posts: Vec<serde_json::Value> = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(posts.len(), 2);
    let show = mamori()
        .args(["leaks", "show", "1", "--state-dir"])
        .arg(&state)
        .output()
        .unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(shown["post_url"], "http://a.onion/yk");
    assert_eq!(shown["matched"], "organization");
    let missing = mamori()
        .args(["leaks", "show", "http://nowhere/", "--state-dir"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn watch_polls_on_its_schedule() {
    let tmp = tempfile::tempdir().unwrap();
    let url = tracker(
        r#"[{"victim":"Yamato Koumuten","group":"akira","post_url":"http://a.onion/1"}]"#
            .to_string(),
    );
    let config = write_config(tmp.path(), &url);
    let state = tmp.path().join("state");
    let out = mamori()
        .args([
            "leaks",
            "watch",
            "--interval-minutes",
            "0.001",
            "--max-polls",
            "2",
            "--config",
        ])
        .arg(&config)
        .arg("--state-dir")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ready"));
    let alerts = std::fs::read_to_string(state.join("alerts.jsonl")).unwrap();
    assert_eq!(alerts.lines().count(), 1, "two polls, one alert");
}

#[test]
fn a_bad_configuration_exits_2_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("bad.toml");
    std::fs::write(
        &config,
        "[[source]]\nkind = \"gopher\"\nurl = \"gopher://x\"\n",
    )
    .unwrap();
    let state = tmp.path().join("state");
    let out = mamori()
        .args(["leaks", "poll", "--config"])
        .arg(&config)
        .arg("--state-dir")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
    assert!(!state.exists());
}

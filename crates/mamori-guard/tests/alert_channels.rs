//! The guard's alerts reach the `[alerts]` channels, not only
//! `alerts.jsonl` (root only; skipped with a reason otherwise): a local
//! process encrypting files in place is detected, and the detection goes
//! in Japanese to a Slack-format webhook (a listener on loopback) and to
//! syslog (a datagram socket standing in for `/dev/log`); the stop alert
//! follows before the guard returns.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixDatagram;
use std::process::Command;
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

mod common;
use common::{fresh_share, RunningGuard};

/// Answers every POST with 200; the bodies, as they come.
fn webhook_listener() -> (String, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (bodies, received) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = Vec::new();
            let mut buf = [0u8; 8192];
            let body = loop {
                let Ok(n) = stream.read(&mut buf) else {
                    break None;
                };
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some(head) = text.find("\r\n\r\n") {
                    let length = text[..head]
                        .lines()
                        .filter_map(|l| l.split_once(':'))
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= head + 4 + length {
                        break Some(String::from_utf8_lossy(&request[head + 4..]).into_owned());
                    }
                }
                if n == 0 {
                    break None;
                }
            };
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            if let Some(body) = body {
                if bodies.send(body).is_err() {
                    break;
                }
            }
        }
    });
    (url, received)
}

#[test]
fn detections_go_to_the_webhook_and_syslog_in_japanese() {
    let Some((_mounted, share)) = fresh_share() else {
        return;
    };
    for i in 0..8 {
        let mut doc = b"PK\x03\x04".to_vec();
        doc.extend(
            format!("word/document.xml 見積書 {i} ")
                .repeat(300)
                .as_bytes(),
        );
        std::fs::write(share.join(format!("見積書{i}.docx")), &doc).unwrap();
    }
    let (url, posts) = webhook_listener();
    let logs = tempfile::tempdir().unwrap();
    let socket_path = logs.path().join("log.sock");
    let syslog = UnixDatagram::bind(&socket_path).unwrap();
    syslog
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let config = format!(
        "[response]\nladder = [\"alert\"]\n\
         [alerts]\nsyslog = true\nsyslog_socket = \"{}\"\n\
         [alerts.webhook]\nurl = \"{url}\"\nformat = \"slack\"\n",
        socket_path.display()
    );
    let state = tempfile::tempdir().unwrap();
    let Some((guard, _ready)) = RunningGuard::start(&share, state.path(), &config) else {
        return;
    };

    // One process overwrites every document with random bytes, in place,
    // and lives on a moment (a local process is attributed while it lives).
    let script = r#"
        opendir(my $d, ".") or die;
        for my $f (sort grep { /\.docx$/ } readdir($d)) {
            open(my $r, "<", "/dev/urandom") or die; read($r, my $b, 16384) == 16384 or die;
            open(my $w, "+<", $f) or die; print $w $b; close($w) or die;
        }
        sleep 1;
    "#;
    let status = Command::new("perl")
        .arg("-e")
        .arg(script)
        .current_dir(&share)
        .status()
        .unwrap();
    assert!(status.success());

    let detection = loop {
        let body = posts
            .recv_timeout(Duration::from_secs(10))
            .expect("a webhook post for the detection");
        if body.contains("ランサムウェアの疑い") {
            break body;
        }
    };
    assert!(detection.starts_with("{\"text\""), "{detection}");
    assert!(detection.contains("docs"), "{detection}");
    let mut datagram = [0u8; 4096];
    let line = loop {
        let n = syslog.recv(&mut datagram).expect("a syslog line");
        let line = String::from_utf8_lossy(&datagram[..n]).into_owned();
        if line.contains("ランサムウェアの疑い") {
            break line;
        }
    };
    assert!(line.starts_with('<'), "RFC 3164 priority first: {line}");

    // The stop alert is sent before the guard returns.
    guard.stop();
    let stopped = std::iter::from_fn(|| posts.recv_timeout(Duration::from_millis(200)).ok())
        .any(|body| body.contains("mamori guard を停止しました"));
    assert!(stopped, "the stop alert reached the webhook");
    let journal = std::fs::read_to_string(state.path().join("alerts.jsonl")).unwrap();
    assert!(journal.contains("\"kind\":\"detection\""), "{journal}");
}

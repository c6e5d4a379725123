//! The bench's bare responder (`mamori-attack bare-responder`) on a real
//! kernel: started on a loop-mounted ext4 image, it answers the opens (and
//! with the guard's marks the reads and writes; with creation marks the
//! content events of new files spared) of files under it (they
//! succeed, with their content), and on SIGTERM it exits 0 and says how
//! many events it answered. Root only; skipped with a
//! reason when not root, without loop mounts or without fanotify.

use mamori_attack::bare::{BareMarks, BareProcess};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_mamori-attack");

/// A 64 MB ext4 image mounted on a temporary folder, so the responder's
/// mount mark covers nothing but this test's files.
fn mount_ext4() -> Option<mamori_testkit::Mounted> {
    mamori_testkit::mount("ext4", 64)
}

/// Starts the responder, or None (skip) when fanotify is unavailable here.
fn start(dir: &Path, marks: BareMarks) -> Option<BareProcess> {
    start_with(dir, marks, false)
}

fn start_with(dir: &Path, marks: BareMarks, per_cpu: bool) -> Option<BareProcess> {
    match BareProcess::start_with(Path::new(EXE), dir, marks, per_cpu) {
        Ok(bare) => Some(bare),
        Err(e) => {
            eprintln!("SKIP: bare responder could not start (fanotify unavailable?): {e}");
            None
        }
    }
}

/// Opens, reads and rewrites every file of `share` `times` times through
/// the responder's mark (each open waits for its answer).
fn churn(share: &Path, times: usize) {
    for round in 0..times {
        for i in 0..4 {
            let path = share.join(format!("f{i}.bin"));
            let content = vec![round as u8; 16 * 1024];
            std::fs::write(&path, &content).unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), content);
        }
    }
}

#[test]
fn the_bare_responder_answers_opens_and_stops_cleanly() {
    let Some(mounted) = mount_ext4() else { return };
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    for marks in [BareMarks::Open, BareMarks::GuardSet, BareMarks::Creation] {
        let Some(bare) = start(&share, marks) else {
            return;
        };
        let started = Instant::now();
        churn(&share, 5);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{marks:?}: 40 opens took {:?}",
            started.elapsed()
        );
        let stopped = bare.stop();
        let status = stopped.status.expect("the responder's exit status");
        assert!(status.success(), "{marks:?}: {status:?}");
        // Five rounds of four files, each opened to write and to read; the
        // guard's marks add the reads and writes of content.
        let answered = stopped.answered.expect("an `answered N events` line");
        match marks {
            // Creation marks spare the content events of new files.
            BareMarks::Open | BareMarks::Creation => {
                assert!(answered >= 40, "{marks:?}: {answered}")
            }
            BareMarks::GuardSet => assert!(answered >= 80, "{marks:?}: {answered}"),
        }
    }
}

/// `--per-cpu`: a reader pinned to each CPU, all on the same group; every
/// open still gets its one answer, and a stop with readers asleep in
/// `read` still exits 0 with the count.
#[test]
fn the_bare_responder_with_a_reader_per_cpu_answers_and_stops() {
    let Some(mounted) = mount_ext4() else { return };
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    let Some(bare) = start_with(&share, BareMarks::Open, true) else {
        return;
    };
    churn(&share, 5);
    let stopped = bare.stop();
    let status = stopped.status.expect("the responder's exit status");
    assert!(status.success(), "{status:?}");
    let answered = stopped.answered.expect("an `answered N events` line");
    assert!(answered >= 40, "{answered}");
}

#[test]
fn the_bare_responder_reports_what_it_answered() {
    let Some(mounted) = mount_ext4() else { return };
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    let mut child = Command::new(EXE)
        .arg("bare-responder")
        .arg("--dir")
        .arg(&share)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(|l| l.ok())
        {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    if first != "ready" {
        let _ = child.kill();
        let _ = child.wait();
        eprintln!("SKIP: bare responder not ready (fanotify unavailable?): {first}");
        return;
    }
    churn(&share, 2);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let last = rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default();
    let answered: u64 = last
        .strip_prefix("answered ")
        .and_then(|rest| rest.strip_suffix(" events"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected last line {last:?}"));
    // Two rounds of four files, each opened to write and to read.
    assert!(answered >= 16, "answered {answered}");
}

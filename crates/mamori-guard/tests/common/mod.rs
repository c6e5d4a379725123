//! Test support shared by the guard's loop-mount tests: a fresh ext4 or
//! btrfs image, loop-mounted, unmounted when dropped (root only; `None`
//! with the reason printed otherwise), and a guard with an alert-only
//! ladder started on one share of it.

use mamori_core::Lang;
use mamori_guard::{GuardConfig, GuardError, GuardOptions, Ready, Summary};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

pub use mamori_testkit::Mounted;

pub fn mount(fs: &str) -> Option<Mounted> {
    mamori_testkit::mount(fs, 256)
}

/// A fresh ext4 image with an empty folder `share` on it; `None` (the
/// reason printed) when it cannot be made here.
#[allow(dead_code)]
pub fn fresh_share() -> Option<(Mounted, std::path::PathBuf)> {
    let mounted = mount("ext4")?;
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    Some((mounted, share))
}

/// An alert-only guard over `share` ([`RunningGuard::alert_only`]) with
/// its state directory `state` on the same image (so the vault's store is
/// in it), and that directory.
#[allow(dead_code)]
pub fn guard_beside(mounted: &Mounted, share: &Path) -> Option<(RunningGuard, std::path::PathBuf)> {
    let state = mounted.mnt.join("state");
    let guard = RunningGuard::alert_only(share, &state)?;
    Some((guard, state))
}

/// A guard running on a thread over one share named `docs`.
#[allow(dead_code)] // not every test binary sharing this module starts one
pub struct RunningGuard {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<Summary, GuardError>>,
}

#[allow(dead_code)]
impl RunningGuard {
    /// Starts it with the TOML `config`; `None` (the reason printed) when
    /// it cannot start.
    pub fn start(share: &Path, state: &Path, config: &str) -> Option<(RunningGuard, Ready)> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let options = GuardOptions {
            shares: vec![("docs".into(), share.to_path_buf())],
            state_dir: state.to_path_buf(),
            smb_conf: None,
            config: GuardConfig::parse(config, Path::new("test.toml")).unwrap(),
            lang: Lang::En,
        };
        let flag = stop.clone();
        // Named, so a test can find the guard's main loop among the threads.
        let thread = std::thread::Builder::new()
            .name("guard-main".into())
            .spawn(move || {
                mamori_guard::run(options, &flag, |ready| {
                    let _ = ready_tx.send(ready.clone());
                })
            })
            .unwrap();
        let Ok(ready) = ready_rx.recv() else {
            eprintln!("skipped: the guard could not start: {:?}", thread.join());
            return None;
        };
        Some((RunningGuard { stop, thread }, ready))
    }

    /// An alert-only guard; `None` (the reason printed) also when this
    /// kernel gives no pre-content events.
    pub fn alert_only(share: &Path, state: &Path) -> Option<RunningGuard> {
        let (guard, ready) = Self::start(share, state, "[response]\nladder = [\"alert\"]\n")?;
        if !ready.pre_content {
            eprintln!("skipped: no pre-content events here");
            guard.stop();
            return None;
        }
        Some(guard)
    }

    pub fn stop(self) -> Summary {
        self.stop.store(true, Ordering::Release);
        self.thread.join().unwrap().unwrap()
    }
}

/// The reason of the guard's first `detection` alert (panics without one).
#[allow(dead_code)]
pub fn detection_reason(state: &Path) -> String {
    let alerts = std::fs::read_to_string(state.join("alerts.jsonl")).unwrap();
    let detection = alerts
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|a| a["kind"] == "detection")
        .unwrap_or_else(|| panic!("no detection among the alerts:\n{alerts}"));
    detection["reason"].as_str().unwrap_or_default().to_string()
}

/// The counters of the guard's `guard_stopped` alert.
#[allow(dead_code)]
pub fn guard_stopped(state: &Path) -> serde_json::Value {
    std::fs::read_to_string(state.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|a| a["kind"] == "guard_stopped")
        .expect("a guard_stopped alert")
}

/// fanotify groups of a permission class (content or pre-content) this
/// process holds: the guard's permission group while its reader runs.
#[allow(dead_code)]
pub fn permission_groups_open() -> usize {
    let Ok(fds) = std::fs::read_dir("/proc/self/fdinfo") else {
        return 0;
    };
    fds.flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .filter(|info| {
            info.lines().any(|line| {
                line.strip_prefix("fanotify flags:")
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .is_some_and(|flags| {
                        flags & (libc::FAN_CLASS_CONTENT | libc::FAN_CLASS_PRE_CONTENT) != 0
                    })
            })
        })
        .count()
}

/// After a stop the permission reader, asleep in `read`, is woken and
/// closes its group.
#[allow(dead_code)]
pub fn wait_until_permission_group_closed() -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while std::time::Instant::now() < deadline {
        if permission_groups_open() == 0 {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// The body of the tests' attacker processes: overwrites every `.txt`
/// file of `dir` (name order) with pseudo-random bytes of its length,
/// renaming each to `.txt.locked` with `rename`, pausing `pause` after
/// each; prints and returns (encrypted, refused).
#[allow(dead_code)]
pub fn encrypt_txt_files(
    dir: &str,
    rename: bool,
    pause: std::time::Duration,
    seed: u64,
) -> (usize, usize) {
    let mut state = seed;
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    let (mut encrypted, mut refused) = (0, 0);
    for path in names {
        let Ok(data) = std::fs::read(&path) else {
            refused += 1;
            continue;
        };
        state = state.wrapping_add(0x9e37_79b9);
        let noise = mamori_testkit::noise(data.len(), state);
        match std::fs::write(&path, &noise) {
            Ok(()) => {
                encrypted += 1;
                if rename {
                    let _ = std::fs::rename(&path, path.with_extension("txt.locked"));
                }
            }
            Err(_) => refused += 1,
        }
        std::thread::sleep(pause);
    }
    println!("ATTACK encrypted={encrypted} refused={refused}");
    (encrypted, refused)
}

/// Runs this test binary again as the attacker (its `attacker_entry`
/// test with `MAMORI_ATTACK_DIR` set, no `MAMORI_GUARD_FAULT`): its pid and
/// what it printed.
#[allow(dead_code)]
pub fn run_attacker(share: &Path) -> (u32, String) {
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "attacker_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MAMORI_ATTACK_DIR", share)
        .env_remove("MAMORI_GUARD_FAULT")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let output = child.wait_with_output().unwrap();
    (pid, String::from_utf8_lossy(&output.stdout).into_owned())
}

//! Test support shared by the guard's loop-mount tests: a fresh ext4 or
//! btrfs image, loop-mounted, unmounted when dropped (root only; `None`
//! with the reason printed otherwise), and a guard with an alert-only
//! ladder started on one share of it.

use mamori_core::Lang;
use mamori_guard::{GuardConfig, GuardError, GuardOptions, Summary};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

fn is_root() -> bool {
    // SAFETY: plain syscall.
    unsafe { libc::geteuid() == 0 }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

pub struct Mounted {
    pub mnt: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mnt).status();
    }
}

pub fn mount(fs: &str) -> Option<Mounted> {
    if !is_root() {
        eprintln!("skipped: needs root (fanotify, loop mounts)");
        return None;
    }
    let mkfs = format!("mkfs.{fs}");
    if !have(&mkfs) {
        eprintln!("skipped: {mkfs} not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("fs.img");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    std::fs::File::create(&image)
        .unwrap()
        .set_len(256 << 20)
        .unwrap();
    let made = Command::new(&mkfs)
        .args(if fs == "btrfs" {
            vec!["-q", "-f"]
        } else {
            vec!["-q", "-F"]
        })
        .arg(&image)
        .status()
        .is_ok_and(|s| s.success());
    let mounted = made
        && Command::new("mount")
            .args(["-o", "loop"])
            .arg(&image)
            .arg(&mnt)
            .status()
            .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot make or loop-mount a {fs} image");
        return None;
    }
    Some(Mounted { mnt, _dir: dir })
}

/// A guard with an alert-only ladder running on a thread over one share
/// named `docs`.
#[allow(dead_code)] // not every test binary sharing this module starts one
pub struct AlertOnlyGuard {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<Summary, GuardError>>,
}

#[allow(dead_code)]
impl AlertOnlyGuard {
    /// Starts it; `None` (the reason printed) when it cannot start or this
    /// kernel gives no pre-content events.
    pub fn start(share: &Path, state: &Path) -> Option<AlertOnlyGuard> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let options = GuardOptions {
            shares: vec![("docs".into(), share.to_path_buf())],
            state_dir: state.to_path_buf(),
            smb_conf: None,
            config: GuardConfig::parse("[response]\nladder = [\"alert\"]\n", Path::new("t.toml"))
                .unwrap(),
            lang: Lang::En,
        };
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            mamori_guard::run(options, &flag, |ready| {
                let _ = ready_tx.send(ready.clone());
            })
        });
        let Ok(ready) = ready_rx.recv() else {
            eprintln!("skipped: the guard could not start: {:?}", thread.join());
            return None;
        };
        let guard = AlertOnlyGuard { stop, thread };
        if !ready.pre_content {
            eprintln!("skipped: no pre-content events here");
            let _ = guard.stop();
            return None;
        }
        Some(guard)
    }

    pub fn stop(self) -> Result<Summary, GuardError> {
        self.stop.store(true, Ordering::Release);
        self.thread.join().unwrap()
    }
}

//! Test support shared by the guard's loop-mount tests: a fresh ext4 or
//! btrfs image, loop-mounted, unmounted when dropped (root only; `None`
//! with the reason printed otherwise).

use std::path::PathBuf;
use std::process::Command;

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

//! Test support for mamori's kernel tests (fanotify, vaults, Samba shares):
//! a fresh ext4 or btrfs image, loop-mounted on a temporary folder and
//! unmounted when dropped, so a test's marks and files touch nothing else
//! on the machine.
//!
//! Design: root only, and never a failure where the machine cannot do it —
//! [`mount`] returns `None` and prints why (not root, the `mkfs` tool
//! missing, no loop devices), and the test returns early, skipped. Only
//! dev-dependencies use this crate.

use std::path::PathBuf;
use std::process::Command;

/// A loop-mounted image; unmounted (lazily) when dropped, its folder and
/// image removed with the temporary directory.
pub struct Mounted {
    pub mnt: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mnt).status();
    }
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Whether `tool` is on the PATH.
pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A fresh `fs` image ("ext4" or "btrfs") of `size_mb` MiB, loop-mounted;
/// `None`, with the reason printed as `skipped: …`, where that cannot be done.
pub fn mount(fs: &str, size_mb: u64) -> Option<Mounted> {
    if !is_root() {
        eprintln!("skipped: needs root (fanotify, loop mounts)");
        return None;
    }
    let mkfs = format!("mkfs.{fs}");
    if !have(&mkfs) {
        eprintln!("skipped: {mkfs} not installed");
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    let image = dir.path().join("fs.img");
    let mnt = dir.path().join("mnt");
    let made_image = std::fs::create_dir(&mnt).is_ok()
        && std::fs::File::create(&image)
            .and_then(|f| f.set_len(size_mb << 20))
            .is_ok();
    let force = if fs == "btrfs" { "-f" } else { "-F" };
    let made = made_image
        && Command::new(&mkfs)
            .args(["-q", force])
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
        eprintln!("skipped: cannot make or loop-mount a {fs} image ({mkfs}, loop devices)");
        return None;
    }
    Some(Mounted { mnt, _dir: dir })
}

/// `len` pseudo-random bytes (xorshift64 from `seed`): what ransomware
/// leaves of a file, as far as entropy and byte tests can tell.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn mounts_an_ext4_image_or_says_why_not() {
        let Some(mounted) = super::mount("ext4", 32) else {
            return;
        };
        let file = mounted.mnt.join("probe.txt");
        std::fs::write(&file, b"ok").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"ok");
        let mnt = mounted.mnt.clone();
        drop(mounted);
        assert!(!file.exists() || !mnt.exists(), "unmounted with the folder");
    }
}

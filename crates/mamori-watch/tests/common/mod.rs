//! Shared by the kernel tests: a loop-mounted ext4 image (root only).

use mamori_watch::{Share, Shares};
use std::path::PathBuf;
use std::process::Command;

pub struct Mounted {
    pub mnt: PathBuf,
    _dir: tempfile::TempDir,
}
impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mnt).status();
    }
}

pub fn mount_ext4() -> Option<Mounted> {
    // SAFETY: plain syscall.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root (fanotify, loop mounts)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("fs.img");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    std::fs::File::create(&image)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let made = Command::new("mkfs.ext4")
        .args(["-q", "-F"])
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
        eprintln!("skipped: cannot make or loop-mount an ext4 image (mkfs.ext4, loop devices)");
        return None;
    }
    Some(Mounted { mnt, _dir: dir })
}

/// A share `docs` at `MNT/share` holding `doc.txt` (16 KiB of `OLD-`):
/// (share root, the file, the shares).
pub fn share_with_doc(mounted: &Mounted) -> (PathBuf, PathBuf, Shares) {
    let share = mounted.mnt.join("share");
    std::fs::create_dir(&share).unwrap();
    let path = share.join("doc.txt");
    std::fs::write(&path, b"OLD-".repeat(4096)).unwrap();
    let shares = Shares::new(vec![Share {
        name: "docs".into(),
        root: share.clone(),
    }]);
    (share, path, shares)
}

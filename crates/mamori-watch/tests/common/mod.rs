//! Shared by the kernel tests: a loop-mounted ext4 image (root only).

use mamori_watch::{Share, Shares};
use std::path::PathBuf;

pub use mamori_testkit::Mounted;

pub fn mount_ext4() -> Option<Mounted> {
    mamori_testkit::mount("ext4", 64)
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

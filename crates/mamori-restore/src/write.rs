//! Atomic writes into the share: a temp file beside the target, content
//! (reflink when possible), owner, mode, times, extended attributes, then
//! `rename` over the target.

use mamori_vault::fsutil;
use mamori_vault::{Version, VersionKind};
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Whether `target` holds exactly a version's content.
pub fn same_as_version(version: &Version, target: &Path) -> bool {
    if version.kind == VersionKind::Empty {
        return std::fs::metadata(target).is_ok_and(|m| m.is_file() && m.len() == 0);
    }
    same_content(&version.object, target)
}

/// Whether two files exist and hold the same bytes.
pub fn same_content(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if !ma.is_file() || !mb.is_file() || ma.len() != mb.len() {
        return false;
    }
    let (Ok(mut fa), Ok(mut fb)) = (fsutil::open_noatime(a), fsutil::open_noatime(b)) else {
        return false;
    };
    let mut ba = vec![0u8; 1 << 16];
    let mut bb = vec![0u8; 1 << 16];
    loop {
        let Ok(n) = read_full(&mut fa, &mut ba) else {
            return false;
        };
        let Ok(m) = read_full(&mut fb, &mut bb) else {
            return false;
        };
        if n != m || ba[..n] != bb[..m] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    mtime_ns: i64,
}

fn temp_beside(target: &Path) -> io::Result<PathBuf> {
    let parent = target
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no parent folder"))?;
    if !parent.is_dir() {
        std::fs::create_dir_all(parent)?;
    }
    let mut random = [0u8; 6];
    let _ = getrandom::fill(&mut random);
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    Ok(parent.join(format!(".~mamori-restore-{hex}")))
}

/// `source` `None`: an empty file.
fn place(source: Option<&Path>, target: &Path, meta: Meta) -> io::Result<()> {
    let src = source.map(fsutil::open_noatime).transpose()?;
    let temp = temp_beside(target)?;
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)?;
    let result = (|| {
        if let Some(src) = &src {
            if fsutil::reflink(src, &out).is_err() {
                fsutil::copy_range(src, &out, src.metadata()?.len())?;
            }
            fsutil::copy_xattrs(src, &out);
        }
        // Owner first: chown clears set-id bits, the mode comes after.
        if let Err(e) = std::os::unix::fs::fchown(&out, Some(meta.uid), Some(meta.gid)) {
            if e.raw_os_error() != Some(libc::EPERM) {
                return Err(e);
            }
        }
        out.set_permissions(std::fs::Permissions::from_mode(meta.mode & 0o7777))?;
        fsutil::set_times(&out, meta.mtime_ns, meta.mtime_ns)?;
        std::fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Writes a vault version's content to `target`, with the recorded metadata.
pub fn place_version(version: &Version, target: &Path) -> io::Result<()> {
    let source = (version.kind != VersionKind::Empty).then_some(version.object.as_path());
    place(
        source,
        target,
        Meta {
            mode: version.mode,
            uid: version.uid,
            gid: version.gid,
            mtime_ns: version.mtime_ns,
        },
    )
}

/// Copies a file (from a snapshot) to `target`, with its metadata.
pub fn place_copy(source: &Path, target: &Path) -> io::Result<()> {
    let m = std::fs::metadata(source)?;
    place(
        Some(source),
        target,
        Meta {
            mode: m.mode(),
            uid: m.uid(),
            gid: m.gid(),
            mtime_ns: m.mtime() * 1_000_000_000 + m.mtime_nsec(),
        },
    )
}

/// Renames the attacker's renamed (unchanged) file back.
pub fn rename_back(current: &Path, target: &Path) -> io::Result<()> {
    if let Some(parent) = target.parent() {
        if !parent.is_dir() {
            std::fs::create_dir_all(parent)?;
        }
    }
    std::fs::rename(current, target)
}

/// Flushes the share's filesystem once at the end (cheaper than an fsync
/// per file on a 10 000-file restore).
pub fn sync_filesystem(root: &Path) {
    if let Ok(dir) = File::open(root) {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid fd.
        unsafe {
            libc::syncfs(dir.as_raw_fd());
        }
    }
}

//! Writes into the share that keep other people's writes. A file that
//! exists is rewritten in place once nobody else has it open
//! ([`crate::lease`]; only a write landing within the rewrite's own
//! milliseconds could be overwritten); a missing one is written beside —
//! content (reflink when possible), owner, mode, times, extended
//! attributes — and renamed in without replacing anything.

use crate::lease::{self, NoLease};
use mamori_vault::fsutil;
use mamori_vault::{Version, VersionKind};
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
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

/// How a placement ended, when nothing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    Done,
    /// Someone else has the file open: left, or their next write would
    /// be lost.
    InUse,
    /// The check made again just before writing found it changed by
    /// someone else.
    Changed,
    /// A file appeared under the name meanwhile.
    NameTaken,
}

/// `source` `None`: an empty file. An existing `target` is rewritten in
/// place once nobody else has it open for writing ([`crate::lease`]; the
/// `blocked_writers` cannot write) and
/// `still_the_attackers` says so again; a missing one is created beside and
/// renamed in, never over a file that appeared meanwhile.
fn place(
    source: Option<&Path>,
    target: &Path,
    meta: Meta,
    blocked_writers: &HashSet<u32>,
    still_the_attackers: &mut dyn FnMut() -> bool,
) -> io::Result<Placed> {
    let src = source.map(fsutil::open_noatime).transpose()?;
    match lease::open_unshared(target, blocked_writers) {
        Ok(out) => {
            if !still_the_attackers() {
                return Ok(Placed::Changed);
            }
            rewrite(src.as_ref(), &out, &meta)?;
            Ok(Placed::Done)
        }
        Err(NoLease::InUse) => Ok(Placed::InUse),
        Err(NoLease::Missing) if std::fs::symlink_metadata(target).is_err() => {
            via_temp(src.as_ref(), target, &meta, false)
        }
        Err(NoLease::Missing) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file / 通常のファイルではありません",
        )),
        // No leases here: the old way, the check made once more just
        // before the rename (a narrow window instead of none).
        Err(NoLease::Unsupported(e)) => {
            tracing::debug!(
                "{}: no write lease ({e}); replaced by rename",
                target.display()
            );
            if !still_the_attackers() {
                return Ok(Placed::Changed);
            }
            via_temp(src.as_ref(), target, &meta, true)
        }
        Err(NoLease::Io(e)) => Err(e),
    }
}

/// Extended attribute a file carries while it is being rewritten in place:
/// a rewrite cut short (a crash, Ctrl-C) leaves the file part-written with
/// a fresh mtime, which the next run would take for someone else's change
/// and leave; with the mark it knows the file is its own work.
const REWRITING: &std::ffi::CStr = c"user.mamori.restoring";

/// Whether a rewrite of `path` was cut short ([`REWRITING`]).
pub fn interrupted(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: NUL-terminated strings; a zero-length query reads nothing.
    unsafe { libc::lgetxattr(c.as_ptr(), REWRITING.as_ptr(), std::ptr::null_mut(), 0) >= 0 }
}

/// Rewrites an open file with `src`'s content and `meta`, in place.
fn rewrite(src: Option<&File>, out: &File, meta: &Meta) -> io::Result<()> {
    if let Some(src) = src {
        let (s, o) = (src.metadata()?, out.metadata()?);
        if (s.dev(), s.ino()) == (o.dev(), o.ino()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the copy is the file itself / 複製が対象ファイルそのものです",
            ));
        }
    }
    let fd = out.as_raw_fd();
    // SAFETY: a valid fd and NUL-terminated name. Without user xattrs
    // (refused) the rewrite goes on unmarked.
    unsafe {
        libc::fsetxattr(fd, REWRITING.as_ptr(), b"1".as_ptr().cast(), 1, 0);
    }
    out.set_len(0)?;
    if let Some(src) = src {
        if fsutil::reflink(src, out).is_err() {
            fsutil::copy_range(src, out, src.metadata()?.len())?;
        }
        fsutil::copy_xattrs(src, out);
    }
    set_meta(out, meta)?;
    // SAFETY: as above.
    unsafe {
        libc::fremovexattr(fd, REWRITING.as_ptr());
    }
    Ok(())
}

fn set_meta(out: &File, meta: &Meta) -> io::Result<()> {
    // Owner first: chown clears set-id bits, the mode comes after.
    if let Err(e) = std::os::unix::fs::fchown(out, Some(meta.uid), Some(meta.gid)) {
        if e.raw_os_error() != Some(libc::EPERM) {
            return Err(e);
        }
    }
    out.set_permissions(std::fs::Permissions::from_mode(meta.mode & 0o7777))?;
    fsutil::set_times(out, meta.mtime_ns, meta.mtime_ns)
}

/// Writes a temp file beside `target` and renames it in: over whatever is
/// there only with `replace`.
fn via_temp(src: Option<&File>, target: &Path, meta: &Meta, replace: bool) -> io::Result<Placed> {
    let temp = temp_beside(target)?;
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)?;
    let result = (|| {
        if let Some(src) = src {
            if fsutil::reflink(src, &out).is_err() {
                fsutil::copy_range(src, &out, src.metadata()?.len())?;
            }
            fsutil::copy_xattrs(src, &out);
        }
        set_meta(&out, meta)?;
        if replace {
            std::fs::rename(&temp, target).map(|()| Placed::Done)
        } else {
            rename_no_replace(&temp, target)
        }
    })();
    if !matches!(result, Ok(Placed::Done)) {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// `rename` that never replaces: [`Placed::NameTaken`] when `to` exists.
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<Placed> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a path"))
    };
    let (from_c, to_c) = (c(from)?, c(to)?);
    // SAFETY: valid NUL-terminated paths.
    let ret = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from_c.as_ptr(),
            libc::AT_FDCWD,
            to_c.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if ret == 0 {
        return Ok(Placed::Done);
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EEXIST) => Ok(Placed::NameTaken),
        // Filesystems without RENAME_NOREPLACE: check, then rename.
        Some(libc::EINVAL) | Some(libc::ENOSYS) => {
            if std::fs::symlink_metadata(to).is_ok() {
                return Ok(Placed::NameTaken);
            }
            std::fs::rename(from, to).map(|()| Placed::Done)
        }
        _ => Err(e),
    }
}

/// Writes a vault version's content to `target`, with the recorded metadata.
pub fn place_version(
    version: &Version,
    target: &Path,
    blocked_writers: &HashSet<u32>,
    still_the_attackers: &mut dyn FnMut() -> bool,
) -> io::Result<Placed> {
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
        blocked_writers,
        still_the_attackers,
    )
}

/// Copies a file (from a snapshot) to `target`, with its metadata.
pub fn place_copy(
    source: &Path,
    target: &Path,
    blocked_writers: &HashSet<u32>,
    still_the_attackers: &mut dyn FnMut() -> bool,
) -> io::Result<Placed> {
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
        blocked_writers,
        still_the_attackers,
    )
}

/// Renames the attacker's renamed (unchanged) file back.
/// Over `target` only with `over_leftover` (the attacker's file there);
/// else never over a file that appeared under the name meanwhile.
pub fn rename_back(current: &Path, target: &Path, over_leftover: bool) -> io::Result<Placed> {
    if let Some(parent) = target.parent() {
        if !parent.is_dir() {
            std::fs::create_dir_all(parent)?;
        }
    }
    if over_leftover {
        return std::fs::rename(current, target).map(|()| Placed::Done);
    }
    rename_no_replace(current, target)
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

//! Thin, safe wrappers over the Linux calls the vault and restore need.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

fn cstring(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path holds a NUL byte"))
}

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Opens read-only without updating atime and without following a final
/// symlink. `O_NOATIME` needs ownership or CAP_FOWNER; retried without it.
pub fn open_noatime(path: &Path) -> io::Result<File> {
    let open = |flags| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
    };
    match open(libc::O_NOATIME | libc::O_NOFOLLOW) {
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => open(libc::O_NOFOLLOW),
        other => other,
    }
}

/// A copy-on-write clone of the whole of `src` into `dst` (btrfs, XFS).
pub fn reflink(src: &File, dst: &File) -> io::Result<()> {
    // SAFETY: FICLONE takes the source fd as its argument; both fds are open.
    check(unsafe { libc::ioctl(dst.as_raw_fd(), libc::FICLONE, src.as_raw_fd()) })
}

/// Copies `len` bytes from offset 0 of `src` to `dst` without moving
/// `src`'s file position (the guard may pass the fanotify event fd).
pub fn copy_range(src: &File, dst: &File, len: u64) -> io::Result<()> {
    let mut off_in: libc::loff_t = 0;
    let mut off_out: libc::loff_t = 0;
    while (off_in as u64) < len {
        let chunk = (len - off_in as u64).min(1 << 30) as usize;
        // SAFETY: valid fds and pointers to local offsets.
        let n = unsafe {
            libc::copy_file_range(
                src.as_raw_fd(),
                &mut off_in,
                dst.as_raw_fd(),
                &mut off_out,
                chunk,
                0,
            )
        };
        if n < 0 {
            let err = io::Error::last_os_error();
            return match err.raw_os_error() {
                Some(libc::EXDEV)
                | Some(libc::ENOSYS)
                | Some(libc::EINVAL)
                | Some(libc::EOPNOTSUPP) => copy_pread(src, dst, off_in as u64, len),
                _ => Err(err),
            };
        }
        if n == 0 {
            break; // the file shrank meanwhile
        }
    }
    Ok(())
}

fn copy_pread(src: &File, dst: &File, from: u64, len: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; 1 << 20];
    let mut off = from;
    while off < len {
        let n = src.read_at(&mut buf, off)?;
        if n == 0 {
            break;
        }
        dst.write_all_at(&buf[..n], off)?;
        off += n as u64;
    }
    Ok(())
}

/// Copies every extended attribute it can (Samba keeps DOS attributes in
/// `user.DOSATTRIB` and NT ACLs in `security.NTACL`); failures of single
/// attributes are ignored, the content matters more.
pub fn copy_xattrs(src: &File, dst: &File) {
    let mut names = vec![0u8; 4096];
    // SAFETY: buffer pointer and length match.
    let n = unsafe {
        libc::flistxattr(
            src.as_raw_fd(),
            names.as_mut_ptr() as *mut libc::c_char,
            names.len(),
        )
    };
    if n <= 0 {
        return;
    }
    let mut value = vec![0u8; 65536];
    for name in names[..n as usize]
        .split(|b| *b == 0)
        .filter(|n| !n.is_empty())
    {
        let Ok(cname) = CString::new(name) else {
            continue;
        };
        // SAFETY: NUL-terminated name, buffer pointer and length match.
        let len = unsafe {
            libc::fgetxattr(
                src.as_raw_fd(),
                cname.as_ptr(),
                value.as_mut_ptr() as *mut libc::c_void,
                value.len(),
            )
        };
        if len < 0 {
            continue;
        }
        // SAFETY: as above.
        unsafe {
            libc::fsetxattr(
                dst.as_raw_fd(),
                cname.as_ptr(),
                value.as_ptr() as *const libc::c_void,
                len as usize,
                0,
            );
        }
    }
}

/// Sets access and modification times (nanoseconds since the epoch).
pub fn set_times(file: &File, atime_ns: i64, mtime_ns: i64) -> io::Result<()> {
    let ts = |ns: i64| libc::timespec {
        tv_sec: ns.div_euclid(1_000_000_000),
        tv_nsec: ns.rem_euclid(1_000_000_000),
    };
    let times = [ts(atime_ns), ts(mtime_ns)];
    // SAFETY: a valid fd and a two-element timespec array.
    check(unsafe { libc::futimens(file.as_raw_fd(), times.as_ptr()) })
}

/// A new name for an open file's inode (`linkat` with `AT_EMPTY_PATH`,
/// falling back to the `/proc/self/fd` path without CAP_DAC_READ_SEARCH).
pub fn link_fd(file: &File, dst: &Path) -> io::Result<()> {
    let dst_c = cstring(dst)?;
    let empty = c"";
    // SAFETY: NUL-terminated strings, a valid fd.
    let ret = unsafe {
        libc::linkat(
            file.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            dst_c.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    if ret == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() != Some(libc::ENOENT) && err.raw_os_error() != Some(libc::EPERM) {
        return Err(err);
    }
    let proc_path = cstring(Path::new(&format!("/proc/self/fd/{}", file.as_raw_fd())))?;
    // SAFETY: as above.
    check(unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            proc_path.as_ptr(),
            libc::AT_FDCWD,
            dst_c.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    })
}

/// Space on the filesystem holding `path`: bytes, and inodes (a frozen
/// link holds its deleted file's inode as well as its blocks; ext4's inodes
/// are fixed at mkfs, and running out of them is the same ENOSPC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Space {
    /// Free for unprivileged writers (`f_bavail`): what Samba's users can fill.
    pub available: u64,
    pub total: u64,
    /// Free inodes for unprivileged writers (`f_favail`).
    pub inodes_available: u64,
    /// All inodes (`f_files`; 0 where they are not counted, as on btrfs).
    pub inodes_total: u64,
}

/// The space of the filesystem holding `path`.
pub fn space(path: &Path) -> io::Result<Space> {
    let c = cstring(path)?;
    // SAFETY: zeroed statvfs is a valid out-parameter.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    check(unsafe { libc::statvfs(c.as_ptr(), &mut st) })?;
    let unit = st.f_frsize.max(1);
    Ok(Space {
        available: st.f_bavail.saturating_mul(unit),
        total: st.f_blocks.saturating_mul(unit),
        inodes_available: st.f_favail,
        inodes_total: st.f_files,
    })
}

/// The filesystem type magic of `path` (`statfs.f_type`).
pub fn fs_type(path: &Path) -> io::Result<i64> {
    let c = cstring(path)?;
    // SAFETY: zeroed statfs is a valid out-parameter.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    check(unsafe { libc::statfs(c.as_ptr(), &mut st) })?;
    Ok(st.f_type as i64)
}

pub const BTRFS_SUPER_MAGIC: i64 = 0x9123_683E;

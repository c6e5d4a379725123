//! Turning files on a share into text, without changing them.
//!
//! Design:
//! - [`walk()`] enumerates every regular file under the scanned root,
//!   depth-first and sorted by name, with a reason for everything it does not
//!   read: symlinks are never followed (so a symlink loop cannot trap a scan),
//!   devices, FIFOs and sockets are skipped, unreadable directories and paths
//!   that vanish mid-scan become error entries. Mount points *are* crossed
//!   (Samba shares can span mounts); a bind-mount directory cycle is detected
//!   by (device, inode) of the ancestors. Names are decoded from UTF-8, or
//!   from the CP932 bytes old Samba/Windows tools wrote ([`decode_name`]).
//! - [`open()`] opens read-only with `O_NOATIME` where the kernel allows it
//!   (falling back to a plain read-only open on `EPERM`), with `O_NOFOLLOW`
//!   and `O_NONBLOCK` so that a symlink or a FIFO swapped in after the walk
//!   is refused instead of followed or blocked on, then `fstat`s the open
//!   descriptor: only regular files are read. It reads a 64 KiB head once,
//!   and everything after that streams from the same descriptor.
//! - [`sniff()`] decides what a file is from its first bytes and its
//!   extension; magic numbers win over a lying extension.
//! - [`decode`] detects the text encoding (BOM for UTF-8/UTF-16, a NUL
//!   pattern for UTF-16 without BOM, escape sequences for ISO-2022-JP,
//!   chardetng for UTF-8/Shift_JIS(CP932)/EUC-JP) and turns the file into a
//!   UTF-8 stream through fixed buffers; malformed input becomes U+FFFD and
//!   is counted, never an error.
//! - [`TextChunks`] cuts that stream into chunks of bounded size at line
//!   ends where possible, so memory stays bounded even for a 2 GB line;
//!   each chunk carries a short overlap of the previous one for detectors.
//! - Every failure is an [`ExtractError`] whose `Display` is a one-line
//!   reason; the caller adds the path.

pub mod chunks;
pub mod decode;
pub mod open;
pub mod sniff;
pub mod walk;

pub use chunks::{Chunk, TextChunks};
pub use decode::{detect_encoding, DecodingReader, TextEncoding};
pub use open::{open, FileSource, Limits, Opened};
pub use sniff::{sniff, Kind};
pub use walk::{decode_name, walk, Stamp, Walk, WalkEntry};

use std::io;

/// Why a path could not be read. `Display` is one line of English naming
/// the reason only; the scanner prefixes the path.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("permission denied")]
    PermissionDenied,
    #[error("vanished during scan")]
    Vanished,
    /// What the path is instead ("directory", "FIFO", "symbolic link" ...).
    #[error("not a regular file: {0}")]
    NotRegularFile(&'static str),
    /// Not a `#[source]`: the io error is already in the message, and
    /// chained printers would repeat it.
    #[error("read error: {0}")]
    Read(io::Error),
    /// For readers that cannot use a truncated file (text is read up to the
    /// limit and flagged instead, see [`Opened::truncated`]).
    #[error("too large: {size} bytes, limit {limit}")]
    TooLarge { size: u64, limit: u64 },
}

impl ExtractError {
    /// Classifies an io error from opening, listing or reading a path.
    pub fn from_io(err: io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::PermissionDenied => ExtractError::PermissionDenied,
            io::ErrorKind::NotFound => ExtractError::Vanished,
            _ => match err.raw_os_error() {
                Some(libc::EPERM) | Some(libc::EACCES) => ExtractError::PermissionDenied,
                // A stale handle on a network share means the file was
                // replaced or removed on the server.
                Some(libc::ESTALE) | Some(libc::ENOENT) => ExtractError::Vanished,
                Some(libc::ELOOP) => ExtractError::NotRegularFile("symbolic link"),
                Some(libc::ENXIO) => ExtractError::NotRegularFile("socket or device"),
                _ => ExtractError::Read(err),
            },
        }
    }
}

impl From<io::Error> for ExtractError {
    fn from(err: io::Error) -> Self {
        ExtractError::from_io(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_classified_into_one_line_reasons() {
        let e = ExtractError::from_io(io::Error::from_raw_os_error(libc::EACCES));
        assert_eq!(e.to_string(), "permission denied");
        let e = ExtractError::from_io(io::Error::from_raw_os_error(libc::ENOENT));
        assert_eq!(e.to_string(), "vanished during scan");
        let e = ExtractError::from_io(io::Error::from_raw_os_error(libc::ESTALE));
        assert_eq!(e.to_string(), "vanished during scan");
        let e = ExtractError::from_io(io::Error::from_raw_os_error(libc::ELOOP));
        assert_eq!(e.to_string(), "not a regular file: symbolic link");
        let e = ExtractError::from_io(io::Error::from_raw_os_error(libc::EIO));
        let s = e.to_string();
        assert!(s.starts_with("read error: "), "{s}");
        assert!(!s.contains('\n'));
        let e = ExtractError::TooLarge { size: 10, limit: 5 };
        assert_eq!(e.to_string(), "too large: 10 bytes, limit 5");
    }
}

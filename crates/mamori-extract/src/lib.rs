//! Turning files on a share into text, without changing them.
//!
//! Design (to be completed by the implementation):
//! - [`walk`] enumerates every regular file under the scanned roots, with a
//!   reason for everything it skips (symlink loops, devices, FIFOs, sockets,
//!   permission denied, vanished) and the original file name decoded (UTF-8,
//!   or CP932 bytes written by old Samba/Windows tools).
//! - [`sniff`] decides what a file is from its first bytes and its extension.
//! - [`decode`] detects the text encoding (BOM first for UTF-16/UTF-8, escape
//!   sequences for ISO-2022-JP, chardetng for Shift_JIS/CP932/EUC-JP/UTF-8)
//!   and turns the file into a UTF-8 stream with bounded memory.
//! - Files are opened read-only with `O_NOATIME` where the kernel allows, so a
//!   scan leaves access times alone.

//! Enumerating the files under a root without following symlinks.

use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use encoding_rs::SHIFT_JIS;

use crate::ExtractError;

/// What identifies one version of a file, to notice changes between scans
/// (or between the walk and the read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

impl Stamp {
    pub fn from_metadata(md: &Metadata) -> Self {
        Stamp {
            size: md.size(),
            mtime_ns: md
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(md.mtime_nsec()),
            ctime_ns: md
                .ctime()
                .saturating_mul(1_000_000_000)
                .saturating_add(md.ctime_nsec()),
            inode: md.ino(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkEntry {
    /// A regular file. `rel` is relative to the root with `/` separators and
    /// decoded names (see [`decode_name`]).
    File {
        abs: PathBuf,
        rel: String,
        stamp: Stamp,
    },
    /// A path listed in the report with an error (unreadable directory,
    /// permission denied, vanished during scan ...).
    Error {
        abs: PathBuf,
        rel: String,
        reason: String,
    },
    /// Not a regular file: symlink (not followed), device, FIFO, socket.
    /// Listed in logs with the reason, not in the report.
    Skipped {
        abs: PathBuf,
        rel: String,
        reason: String,
    },
}

impl WalkEntry {
    pub fn rel(&self) -> &str {
        match self {
            WalkEntry::File { rel, .. }
            | WalkEntry::Error { rel, .. }
            | WalkEntry::Skipped { rel, .. } => rel,
        }
    }

    pub fn abs(&self) -> &Path {
        match self {
            WalkEntry::File { abs, .. }
            | WalkEntry::Error { abs, .. }
            | WalkEntry::Skipped { abs, .. } => abs,
        }
    }
}

/// Decodes a file name: UTF-8 as is; otherwise CP932 (old Windows/Samba
/// tools wrote Shift_JIS names) when that decodes cleanly, else lossy UTF-8
/// with U+FFFD. Never fails.
pub fn decode_name(bytes: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_owned();
    }
    if let Some(s) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        return s.into_owned();
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// The reason a non-regular, non-directory entry is skipped.
fn skip_reason(ft: fs::FileType) -> &'static str {
    if ft.is_symlink() {
        "symbolic link (not followed)"
    } else if ft.is_char_device() {
        "character device"
    } else if ft.is_block_device() {
        "block device"
    } else if ft.is_fifo() {
        "FIFO"
    } else if ft.is_socket() {
        "socket"
    } else {
        "not a regular file"
    }
}

/// A directory being listed: its remaining entries, sorted by name, popped
/// from the end.
struct Frame {
    rel: String,
    abs: PathBuf,
    /// (device, inode), to refuse a bind-mount cycle.
    id: (u64, u64),
    pending: Vec<OsString>,
}

/// The iterator returned by [`walk`]. Memory is one sorted name list per
/// directory on the current path.
pub struct Walk {
    root: Option<PathBuf>,
    stack: Vec<Frame>,
}

/// Walks `root` depth-first, sorted by name (bytewise). Symlinks are never
/// followed, other filesystems mounted below are entered. `root` may be a
/// directory or a single file (then `rel` is the file name); a root that is
/// itself a symlink is resolved once, since the user named it.
pub fn walk(root: &Path) -> Walk {
    Walk {
        root: Some(root.to_path_buf()),
        stack: Vec::new(),
    }
}

fn join_rel(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

impl Walk {
    fn start(&mut self, root: PathBuf) -> Option<WalkEntry> {
        let root_name = root
            .file_name()
            .map(|n| decode_name(n.as_bytes()))
            .unwrap_or_else(|| ".".to_owned());
        let error = |abs: PathBuf, e: std::io::Error| WalkEntry::Error {
            abs,
            rel: root_name.clone(),
            reason: ExtractError::from_io(e).to_string(),
        };
        let root = match fs::symlink_metadata(&root) {
            Ok(md) if md.file_type().is_symlink() => match fs::canonicalize(&root) {
                Ok(resolved) => resolved,
                Err(e) => return Some(error(root, e)),
            },
            Ok(_) => root,
            Err(e) => return Some(error(root, e)),
        };
        let md = match fs::symlink_metadata(&root) {
            Ok(md) => md,
            Err(e) => return Some(error(root, e)),
        };
        let ft = md.file_type();
        if ft.is_dir() {
            self.enter(root, String::new(), &md)
        } else if ft.is_file() {
            let rel = root
                .file_name()
                .map(|n| decode_name(n.as_bytes()))
                .unwrap_or(root_name);
            Some(WalkEntry::File {
                abs: root,
                rel,
                stamp: Stamp::from_metadata(&md),
            })
        } else {
            Some(WalkEntry::Skipped {
                abs: root,
                rel: root_name,
                reason: skip_reason(ft).to_owned(),
            })
        }
    }

    /// Lists a directory and pushes it, or reports why it cannot be.
    fn enter(&mut self, abs: PathBuf, rel: String, md: &Metadata) -> Option<WalkEntry> {
        let id = (md.dev(), md.ino());
        if self.stack.iter().any(|f| f.id == id) {
            return Some(WalkEntry::Skipped {
                abs,
                rel,
                reason: "directory cycle (bind mount), not entered again".to_owned(),
            });
        }
        let listing = fs::read_dir(&abs).and_then(|entries| {
            entries
                .map(|e| e.map(|e| e.file_name()))
                .collect::<Result<Vec<_>, _>>()
        });
        match listing {
            Ok(mut names) => {
                // Reverse order, so that popping yields ascending names.
                names.sort_unstable_by(|a, b| b.as_bytes().cmp(a.as_bytes()));
                self.stack.push(Frame {
                    rel,
                    abs,
                    id,
                    pending: names,
                });
                None
            }
            Err(e) => Some(WalkEntry::Error {
                abs,
                rel: if rel.is_empty() { ".".to_owned() } else { rel },
                reason: ExtractError::from_io(e).to_string(),
            }),
        }
    }
}

impl Iterator for Walk {
    type Item = WalkEntry;

    fn next(&mut self) -> Option<WalkEntry> {
        if let Some(root) = self.root.take() {
            if let Some(entry) = self.start(root) {
                return Some(entry);
            }
        }
        loop {
            let frame = self.stack.last_mut()?;
            let Some(name) = frame.pending.pop() else {
                self.stack.pop();
                continue;
            };
            let abs = frame.abs.join(&name);
            let rel = join_rel(&frame.rel, &decode_name(name.as_bytes()));
            let md = match fs::symlink_metadata(&abs) {
                Ok(md) => md,
                Err(e) => {
                    return Some(WalkEntry::Error {
                        abs,
                        rel,
                        reason: ExtractError::from_io(e).to_string(),
                    })
                }
            };
            let ft = md.file_type();
            if ft.is_file() {
                return Some(WalkEntry::File {
                    abs,
                    rel,
                    stamp: Stamp::from_metadata(&md),
                });
            } else if ft.is_dir() {
                if let Some(entry) = self.enter(abs, rel, &md) {
                    return Some(entry);
                }
            } else {
                return Some(WalkEntry::Skipped {
                    abs,
                    rel,
                    reason: skip_reason(ft).to_owned(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_decode_utf8_cp932_or_lossy() {
        assert_eq!(decode_name("山田.txt".as_bytes()), "山田.txt");
        let (sjis, _, _) = SHIFT_JIS.encode("①㈱山田.txt");
        assert_eq!(decode_name(&sjis), "①㈱山田.txt");
        // 0x80 alone is neither UTF-8 nor Shift_JIS.
        assert_eq!(decode_name(b"a\x80\xFFb"), "a\u{FFFD}\u{FFFD}b");
    }

    #[test]
    fn rel_paths_use_slashes() {
        assert_eq!(join_rel("", "a"), "a");
        assert_eq!(join_rel("a/b", "c"), "a/b/c");
    }
}

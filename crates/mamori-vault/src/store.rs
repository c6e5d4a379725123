//! Where a share's versions live, and how one is made.

use crate::{fsutil, io_err, Result, VaultError, VersionKind};
use chrono::{DateTime, Utc};
use std::fs::File;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

const REFLINK_UNKNOWN: u8 = 0;
const REFLINK_YES: u8 = 1;
const REFLINK_NO: u8 = 2;

/// A share and the store of its versions.
#[derive(Debug, Clone)]
pub struct ShareStore {
    pub name: String,
    /// The share's directory (canonical).
    pub root: PathBuf,
    /// The store directory (objects live under `dir/objects/<day>/`).
    pub dir: PathBuf,
    /// The store is inside the share (the share is its filesystem's root):
    /// Samba must veto `.mamori-vault`.
    pub inside_share: bool,
    /// Device of the store: links are possible from files on the same one.
    pub dev: u64,
    reflink: Arc<AtomicU8>,
    /// The day folder last created.
    day: Arc<std::sync::Mutex<String>>,
    /// Told of each day folder this process makes ([`crate::Vault::on_new_folders`]).
    pub(crate) new_folders: NewFolders,
}

/// Told the path of each folder the vault makes for its objects.
pub type FolderHook = Box<dyn Fn(&Path) + Send + Sync>;

/// The vault's [`FolderHook`], once set; shared by every store.
#[derive(Clone, Default)]
pub(crate) struct NewFolders(Arc<std::sync::OnceLock<FolderHook>>);

impl NewFolders {
    pub(crate) fn set(&self, hook: FolderHook) -> bool {
        self.0.set(hook).is_ok()
    }

    pub(crate) fn tell(&self, folder: &Path) {
        if let Some(hook) = self.0.get() {
            hook(folder);
        }
    }
}

impl std::fmt::Debug for NewFolders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "NewFolders(set)"
        } else {
            "NewFolders"
        })
    }
}

pub(crate) struct Kept {
    pub id: String,
    pub kind: VersionKind,
    pub object: PathBuf,
}

impl Kept {
    pub fn empty(ino: u64, taken_at: DateTime<Utc>) -> Kept {
        Kept {
            id: version_id(ino, taken_at),
            kind: VersionKind::Empty,
            object: PathBuf::new(),
        }
    }
}

/// Unique per server: time, inode, 32 bits that differ between the ids
/// of one process (a random start, then counted: one `getrandom` per
/// process, not per version).
pub(crate) fn version_id(ino: u64, taken_at: DateTime<Utc>) -> String {
    static START: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let start = *START.get_or_init(|| {
        let mut random = [0u8; 4];
        let _ = getrandom::fill(&mut random);
        u32::from_be_bytes(random)
    });
    let suffix = start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed));
    format!(
        "{:x}-{:x}-{:08x}",
        taken_at.timestamp_nanos_opt().unwrap_or(0),
        ino,
        suffix
    )
}

/// Creates `dir` (and parents) and makes it 0700.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io_err(dir))
}

fn dev_of(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path).map_err(io_err(path))?.dev())
}

/// The highest ancestor of `path` on the same device.
fn device_root(path: &Path) -> Result<PathBuf> {
    let dev = dev_of(path)?;
    let mut top = path.to_path_buf();
    while let Some(parent) = top.parent() {
        match std::fs::metadata(parent) {
            Ok(meta) if meta.dev() == dev => top = parent.to_path_buf(),
            _ => break,
        }
    }
    Ok(top)
}

fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl ShareStore {
    pub(crate) fn choose(state_dir: &Path, name: &str, root: &Path) -> Result<ShareStore> {
        let root = root.canonicalize().map_err(io_err(root))?;
        if !root.is_dir() {
            return Err(VaultError::Io {
                path: root,
                source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
            });
        }
        let state_dir = state_dir.canonicalize().map_err(io_err(state_dir))?;
        let root_dev = dev_of(&root)?;
        let share_dir = safe_name(name);
        let (dir, inside_share) =
            if dev_of(&state_dir)? == root_dev && !state_dir.starts_with(&root) {
                (
                    state_dir.join("vault").join("store").join(&share_dir),
                    false,
                )
            } else {
                let top = device_root(&root)?;
                if top != root {
                    (top.join(".mamori-vault").join(&share_dir), false)
                } else {
                    (root.join(".mamori-vault").join(&share_dir), true)
                }
            };
        if let Some(parent) = dir.parent() {
            create_private_dir(parent)?;
        }
        create_private_dir(&dir)?;
        if inside_share {
            tracing::warn!(
                "share {name}: {} is the root of its filesystem, so its vault {} is inside it; \
                 add `veto files = /.mamori-vault/` to the share in smb.conf",
                root.display(),
                dir.display()
            );
        }
        Ok(ShareStore {
            name: name.to_string(),
            dev: dev_of(&dir)?,
            root,
            dir,
            inside_share,
            reflink: Arc::new(AtomicU8::new(REFLINK_UNKNOWN)),
            day: Arc::new(std::sync::Mutex::new(String::new())),
            new_folders: NewFolders::default(),
        })
    }

    /// Hard links need the same device (and, on btrfs, the same subvolume,
    /// which has its own device number).
    pub fn links_possible(&self, file_dev: u64) -> bool {
        self.dev == file_dev
    }

    /// `objects/<day>/`, created once per day (not stat'ed per version).
    pub(crate) fn day_dir(&self, taken_at: DateTime<Utc>) -> Result<PathBuf> {
        let name = taken_at.format("%Y%m%d").to_string();
        let day = self.dir.join("objects").join(&name);
        let mut known = self.day.lock().unwrap_or_else(|e| e.into_inner());
        if *known != name {
            std::fs::create_dir_all(&day).map_err(io_err(&day))?;
            self.new_folders.tell(&day);
            *known = name;
        }
        Ok(day)
    }

    /// The day folders there are (objects of earlier days, kept until pruned).
    pub(crate) fn day_dirs(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.join("objects"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether reflinks worked here (`None` before the first try).
    pub fn reflinks(&self) -> Option<bool> {
        match self.reflink.load(Ordering::Relaxed) {
            REFLINK_YES => Some(true),
            REFLINK_NO => Some(false),
            _ => None,
        }
    }

    pub(crate) fn keep(
        &self,
        file: &File,
        meta: &std::fs::Metadata,
        link: bool,
        taken_at: DateTime<Utc>,
    ) -> Result<Kept> {
        let day = self.day_dir(taken_at)?;
        let id = version_id(meta.ino(), taken_at);
        let object = day.join(&id);
        if link {
            fsutil::link_fd(file, &object).map_err(io_err(&object))?;
            return Ok(Kept {
                id,
                kind: VersionKind::Link,
                object,
            });
        }
        let out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&object)
            .map_err(io_err(&object))?;
        let kind = match self.try_reflink(file, &out) {
            true => VersionKind::Reflink,
            false => {
                let copied = fsutil::copy_range(file, &out, meta.len());
                if let Err(e) = copied {
                    let _ = std::fs::remove_file(&object);
                    return Err(io_err(&object)(e));
                }
                VersionKind::Copy
            }
        };
        fsutil::copy_xattrs(file, &out);
        let mtime = crate::mtime_ns(meta);
        let atime = meta.atime() * 1_000_000_000 + meta.atime_nsec();
        if let Err(e) = fsutil::set_times(&out, atime, mtime) {
            tracing::debug!("vault: times of {}: {e}", object.display());
        }
        Ok(Kept { id, kind, object })
    }

    fn try_reflink(&self, src: &File, dst: &File) -> bool {
        if self.reflink.load(Ordering::Relaxed) == REFLINK_NO {
            return false;
        }
        match fsutil::reflink(src, dst) {
            Ok(()) => {
                self.reflink.store(REFLINK_YES, Ordering::Relaxed);
                true
            }
            Err(e) => {
                let unsupported = matches!(
                    e.raw_os_error(),
                    Some(libc::EOPNOTSUPP)
                        | Some(libc::EXDEV)
                        | Some(libc::ENOTTY)
                        | Some(libc::ENOSYS)
                );
                if unsupported {
                    self.reflink.store(REFLINK_NO, Ordering::Relaxed);
                }
                false
            }
        }
    }
}

pub(crate) fn remove_object(object: &Path) {
    if object.as_os_str().is_empty() {
        return;
    }
    if let Err(e) = std::fs::remove_file(object) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!("vault: cannot remove {}: {e}", object.display());
        }
    }
}

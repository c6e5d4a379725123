//! Shared by the loop-mount tests and the restore benchmark: loop-mounted
//! filesystems, share snapshots (hash, mtime, mode of every file), and an
//! attacker that acts, and is journalled, the way `mamori guard` sees it.

#![allow(dead_code)]

use chrono::Utc;
use mamori_journal::{Incident, IncidentSource, Journal, Touch, TouchOp};
use mamori_vault::{Reason, Vault, VaultConfig, VersionRef};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why a filesystem test cannot run here, if it cannot.
pub fn cannot_mount(mkfs: &str) -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("needs root (loop mounts)".into());
    }
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {mkfs}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        return Some(format!("{mkfs} is not installed"));
    }
    None
}

/// A loop-mounted filesystem image, unmounted on drop.
pub struct LoopFs {
    pub dir: tempfile::TempDir,
    pub mnt: PathBuf,
}

impl LoopFs {
    pub fn new(kind: &str, size_mb: u64) -> LoopFs {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("fs.img");
        let mnt = dir.path().join("mnt");
        std::fs::create_dir(&mnt).unwrap();
        run(
            "truncate",
            &["-s", &format!("{size_mb}M"), image.to_str().unwrap()],
        );
        match kind {
            "btrfs" => run("mkfs.btrfs", &["-q", image.to_str().unwrap()]),
            _ => run("mkfs.ext4", &["-q", "-F", image.to_str().unwrap()]),
        }
        run(
            "mount",
            &["-o", "loop", image.to_str().unwrap(), mnt.to_str().unwrap()],
        );
        LoopFs { dir, mnt }
    }
}

impl Drop for LoopFs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.mnt)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.mnt).status();
        }
    }
}

pub fn run(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub sha256: String,
    pub mtime_ns: i64,
    pub mode: u32,
    pub uid: u32,
}

/// Every regular file under `root`: relative path → state.
pub fn snapshot_tree(root: &Path) -> BTreeMap<String, FileState> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, FileState>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            walk(root, &path, out);
        } else if meta.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&path).unwrap();
            out.insert(
                rel,
                FileState {
                    sha256: hex::encode(Sha256::digest(&bytes)),
                    mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
                    mode: meta.permissions().mode(),
                    uid: meta.uid(),
                },
            );
        }
    }
}

/// An attacker over "SMB", journalled as the guard does it: a version
/// (preserve) before every first write / truncation, a link at open for
/// files it will delete, and one touch per action.
pub struct Attacker<'a> {
    pub vault: &'a Vault,
    pub journal: &'a Journal,
    pub incident: Incident,
    pub share: String,
    pub root: PathBuf,
    pub session: String,
    touches: Vec<Touch>,
}

fn encrypt(bytes: &mut [u8]) {
    for (i, b) in bytes.iter_mut().enumerate() {
        *b ^= 0x5a ^ (i as u8).wrapping_mul(31);
    }
}

impl<'a> Attacker<'a> {
    pub fn start(vault: &'a Vault, journal: &'a Journal, share: &str, root: &Path) -> Self {
        let mut incident = Incident::new(IncidentSource::Guard, share, root, Utc::now());
        incident.actor.user = Some("attacker".into());
        incident.actor.client = Some("192.0.2.66".into());
        journal.save(&incident).unwrap();
        Attacker {
            vault,
            journal,
            incident,
            share: share.to_string(),
            root: root.to_path_buf(),
            session: "smbd:6666".into(),
            touches: Vec::new(),
        }
    }

    fn abs(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn preserve(&self, rel: &str, reason: Reason) -> Option<VersionRef> {
        // The guard passes the fanotify event fd; an O_RDONLY fd is the same.
        let file = File::open(self.abs(rel)).unwrap();
        self.vault
            .preserve_fd(&self.share, rel, &file, reason, &self.session)
            .unwrap()
    }

    fn touch(&mut self, op: TouchOp, path: &str, from: Option<&str>, vault: Option<VersionRef>) {
        let mut t = Touch::new(op, path);
        t.from = from.map(str::to_string);
        t.vault = vault.map(|v| v.0);
        self.touches.push(t);
    }

    /// Overwrites in place (whole file, or only the first 4 KiB).
    pub fn encrypt_in_place(&mut self, rel: &str, partial: bool) {
        let v = self.preserve(rel, Reason::Write);
        self.touch(TouchOp::Modify, rel, None, v);
        let mut bytes = std::fs::read(self.abs(rel)).unwrap();
        let n = if partial {
            bytes.len().min(4096)
        } else {
            bytes.len()
        };
        encrypt(&mut bytes[..n]);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(self.abs(rel))
            .unwrap();
        f.write_all(&bytes[..n]).unwrap();
    }

    /// Renames to `rel.ext`, then encrypts the renamed file.
    pub fn rename_then_encrypt(&mut self, rel: &str, ext: &str) {
        let new = format!("{rel}.{ext}");
        std::fs::rename(self.abs(rel), self.abs(&new)).unwrap();
        self.touch(TouchOp::Rename, &new, Some(rel), None);
        self.encrypt_in_place(&new, false);
    }

    /// Renames only (content intact).
    pub fn rename_only(&mut self, rel: &str, ext: &str) {
        let new = format!("{rel}.{ext}");
        std::fs::rename(self.abs(rel), self.abs(&new)).unwrap();
        self.touch(TouchOp::Rename, &new, Some(rel), None);
    }

    /// Reads, writes an encrypted copy, deletes the original.
    pub fn copy_then_delete(&mut self, rel: &str, ext: &str) {
        let link = self.preserve(rel, Reason::Open);
        let mut bytes = std::fs::read(self.abs(rel)).unwrap();
        encrypt(&mut bytes);
        let new = format!("{rel}.{ext}");
        std::fs::write(self.abs(&new), &bytes).unwrap();
        self.touch(TouchOp::Create, &new, None, None);
        std::fs::remove_file(self.abs(rel)).unwrap();
        let v = link.or_else(|| self.vault.latest(&self.share, rel).unwrap());
        self.touch(TouchOp::Delete, rel, None, v);
    }

    /// Truncates, then writes ciphertext (O_TRUNC open).
    pub fn truncate_and_write(&mut self, rel: &str) {
        let v = self.preserve(rel, Reason::Truncate);
        self.touch(TouchOp::Modify, rel, None, v);
        let mut bytes = std::fs::read(self.abs(rel)).unwrap();
        encrypt(&mut bytes);
        bytes.truncate(bytes.len() / 2 + 1);
        std::fs::write(self.abs(rel), &bytes).unwrap();
    }

    /// Office-style: write a temp file, rename it over the original.
    pub fn replace_via_temp(&mut self, rel: &str) {
        let tmp = format!("{rel}.~tmp");
        let mut bytes = std::fs::read(self.abs(rel)).unwrap();
        encrypt(&mut bytes);
        std::fs::write(self.abs(&tmp), &bytes).unwrap();
        self.touch(TouchOp::Create, &tmp, None, None);
        let link = self.preserve(rel, Reason::Open);
        std::fs::rename(self.abs(&tmp), self.abs(rel)).unwrap();
        self.touch(TouchOp::Delete, rel, None, link);
        self.touch(TouchOp::Rename, rel, Some(&tmp), None);
    }

    /// Deletes without the guard seeing it coming (no version): only a
    /// snapshot can bring it back.
    pub fn unseen_delete(&mut self, rel: &str) {
        std::fs::remove_file(self.abs(rel)).unwrap();
        self.touch(TouchOp::Delete, rel, None, None);
    }

    pub fn ransom_note(&mut self, dir: &str) {
        let rel = if dir.is_empty() {
            "README-RESTORE-FILES.txt".to_string()
        } else {
            format!("{dir}/README-RESTORE-FILES.txt")
        };
        std::fs::write(self.abs(&rel), "あなたのファイルは暗号化されました\n").unwrap();
        self.touch(TouchOp::RansomNote, &rel, None, None);
    }

    /// Writes the touches to the journal (the guard does it in batches).
    pub fn flush(&mut self) {
        self.journal
            .append(&self.incident.id, &std::mem::take(&mut self.touches))
            .unwrap();
        // The guard's upkeep commits the vault's index rows every 100 ms.
        self.vault.flush().unwrap();
    }
}

/// Another user's ordinary edit, seen by the guard like any write.
pub fn other_user_edit(vault: &Vault, share: &str, root: &Path, rel: &str, text: &[u8]) {
    let file = File::open(root.join(rel)).unwrap();
    vault
        .preserve_fd(share, rel, &file, Reason::Write, "smbd:7777")
        .unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(root.join(rel))
        .unwrap();
    f.write_all(text).unwrap();
    vault.flush().unwrap();
}

/// No background link sweep: tests decide when files are linked.
pub fn quiet_config() -> VaultConfig {
    VaultConfig {
        sweep_on_register: false,
        ..VaultConfig::default()
    }
}

/// `mamori restore --incident latest` on a state directory.
pub fn restore_latest(state: &Path, dry_run: bool) -> mamori_restore::RestoreReport {
    mamori_restore::restore(
        state,
        "latest",
        &mamori_restore::RestoreOptions {
            dry_run,
            progress: &mamori_restore::NoProgress,
        },
    )
    .unwrap()
}

/// A fresh temporary folder (kept alive by the first element) with a share
/// (`root`, holding `files`, each with `content(name)`) and a state
/// directory whose vault (no background sweep) has the share registered as
/// "s", and the journal there: `(dir, state, root, vault, journal)`.
pub fn scene(
    files: &[&str],
    content: impl Fn(&str) -> String,
) -> (tempfile::TempDir, PathBuf, PathBuf, Vault, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let root = dir.path().join("share");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    for name in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content(name)).unwrap();
    }
    let vault = Vault::open(&state, quiet_config()).unwrap();
    vault.register_share("s", &root).unwrap();
    let journal = Journal::open(&state);
    (dir, state, root, vault, journal)
}

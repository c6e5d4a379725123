//! The link sweep: a hard link in the store for every file of a share.
//!
//! fanotify announces writes and truncations before they happen, but not
//! unlinks or renames over a name. A hard link taken in advance makes a
//! delete harmless: the inode, with the content it had when it lost its
//! last name in the share, stays in the store. While the file lives the
//! link costs nothing but a directory entry (its writes still get a
//! reflink/copy first); it costs space only once *frozen* (link count 1),
//! and is pruned like any version from then on.
//!
//! Linking by path (`link(2)`) opens nothing, so it raises no fanotify
//! permission event on a guarded mount.

use crate::store::ShareStore;
use crate::{store, Reason, Result, Vault, VaultError, Version, VersionKind};
use chrono::Utc;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub linked: usize,
    pub already: usize,
    /// Files that could not be linked (vanished, other device, ...).
    pub failed: usize,
    /// The store is on another device than the share: nothing done.
    pub unsupported: bool,
}

pub(crate) fn is_frozen(object: &Path) -> bool {
    std::fs::symlink_metadata(object).is_ok_and(|m| m.nlink() == 1)
}

/// When a frozen link's file lost its last name in the share: the inode's
/// ctime, which nothing changes once only the store has a name for it.
/// `None` when the link is not frozen (or gone).
pub(crate) fn frozen_since(object: &Path) -> Option<chrono::DateTime<Utc>> {
    let meta = std::fs::symlink_metadata(object).ok()?;
    if meta.nlink() != 1 {
        return None;
    }
    chrono::DateTime::from_timestamp(meta.ctime(), meta.ctime_nsec() as u32)
}

pub(crate) fn exists(object: &Path) -> bool {
    std::fs::symlink_metadata(object).is_ok()
}

const BATCH: usize = 1000;

/// Sweeps with its own index connection, so the guard's `preserve_fd`
/// calls never wait for a sweep (SQLite WAL: one writer at a time, briefly).
pub(crate) fn sweep(vault: &Vault, share: &str) -> Result<SweepReport> {
    let store = vault
        .share(share)
        .ok_or_else(|| VaultError::UnknownShare(share.to_string()))?;
    // Links taken at open time are pending rows until flushed.
    vault.flush()?;
    let index = crate::index::Index::open(&vault.index_path())?;
    sweep_store(&store, share, &index)
}

/// Starts one sweep of a newly registered share in the background.
pub(crate) fn sweep_in_background(store: ShareStore, share: String, index_path: PathBuf) {
    let spawned = std::thread::Builder::new()
        .name("vault-sweep".into())
        .spawn(move || {
            let result = crate::index::Index::open(&index_path)
                .and_then(|index| sweep_store(&store, &share, &index));
            match result {
                Ok(r) => tracing::info!("vault: {share}: {} files linked", r.linked),
                Err(e) => tracing::warn!("vault: link sweep of {share}: {e}"),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("vault: cannot start the link sweep: {e}");
    }
}

fn sweep_store(
    store: &ShareStore,
    share: &str,
    index: &crate::index::Index,
) -> Result<SweepReport> {
    let mut report = SweepReport::default();
    let Some(root_dev) = linkable_device(store)? else {
        report.unsupported = true;
        return Ok(report);
    };
    // Files are looked up in the index a batch at a time: reading every
    // link of the share into memory first cost the guard a peak that grew
    // with the index (frozen links of deleted files included) at each sweep.
    let mut found: Vec<Found> = Vec::with_capacity(BATCH);
    let mut stack = vec![store.root.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if path != store.dir && !path.ends_with(".mamori-vault") {
                    stack.push(path);
                }
                continue;
            }
            if !meta.is_file() || meta.dev() != root_dev {
                continue;
            }
            let Some(rel) = path
                .strip_prefix(&store.root)
                .ok()
                .and_then(|rel| rel.to_str())
                .map(str::to_string)
            else {
                report.failed += 1;
                continue;
            };
            found.push(Found {
                rel,
                path,
                dev: meta.dev(),
                ino: meta.ino(),
            });
            if found.len() >= BATCH {
                link_unknown(store, share, index, &mut found, &mut report)?;
            }
        }
    }
    link_unknown(store, share, index, &mut found, &mut report)?;
    Ok(report)
}

/// A regular file the sweep found.
struct Found {
    rel: String,
    path: PathBuf,
    dev: u64,
    ino: u64,
}

/// Links the files of `found` not linked under their name yet (a renamed
/// file gets a link under its new name too: restore looks deleted files up
/// by name), in one index transaction; empties `found`.
fn link_unknown(
    store: &ShareStore,
    share: &str,
    index: &crate::index::Index,
    found: &mut Vec<Found>,
    report: &mut SweepReport,
) -> Result<()> {
    if found.is_empty() {
        return Ok(());
    }
    let keys: Vec<(&str, u64, u64)> = found
        .iter()
        .map(|f| (f.rel.as_str(), f.dev, f.ino))
        .collect();
    let linked = index.linked_among(share, &keys)?;
    let mut batch = Vec::new();
    for (file, linked) in found.iter().zip(linked) {
        if linked {
            report.already += 1;
            continue;
        }
        match link_one(store, share, &file.rel, &file.path, file.ino) {
            Ok(version) => {
                batch.push(version);
                report.linked += 1;
            }
            Err(e) => {
                tracing::debug!("link sweep: {}: {e}", file.path.display());
                report.failed += 1;
            }
        }
    }
    if !batch.is_empty() {
        index.insert_many(&batch)?;
    }
    found.clear();
    Ok(())
}

/// Whether the files handed to [`link_paths`] may be linked already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    /// Renamed or otherwise older: ask the index first.
    Maybe,
    /// Just created: new inodes.
    No,
}

/// Links the given share-relative paths (files just created or renamed,
/// as the guard learns of them) in one index transaction, each only if it
/// is still the inode its event named (when it named one: a later file of
/// the same name is not the one seen). Paths gone or not regular files are
/// skipped; with [`Known::Maybe`], an inode already linked under the same
/// name is not linked twice.
pub(crate) fn link_paths(
    vault: &Vault,
    share: &str,
    rels: &[(String, Option<u64>)],
    known: Known,
) -> Result<SweepReport> {
    let store = vault
        .share(share)
        .ok_or_else(|| VaultError::UnknownShare(share.to_string()))?;
    let mut report = SweepReport::default();
    let Some(root_dev) = linkable_device(&store)? else {
        report.unsupported = true;
        return Ok(report);
    };
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for (rel, expected) in rels {
        if crate::check_rel_path(rel).is_err() {
            continue;
        }
        let path = store.root.join(rel);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            report.failed += 1;
            continue;
        };
        if !meta.is_file() || meta.dev() != root_dev || path.starts_with(&store.dir) {
            continue;
        }
        if expected.is_some_and(|ino| ino != meta.ino()) || !seen.insert(rel.as_str()) {
            continue;
        }
        found.push((rel.as_str(), path, meta.dev(), meta.ino()));
    }
    let linked = if found.is_empty() || known == Known::No {
        vec![false; found.len()]
    } else {
        let keys: Vec<(&str, u64, u64)> = found.iter().map(|f| (f.0, f.2, f.3)).collect();
        vault.linked_among(share, &keys)?
    };
    let mut batch = Vec::new();
    for ((rel, path, _, ino), linked) in found.iter().zip(linked) {
        if linked {
            report.already += 1;
            continue;
        }
        match link_one(&store, share, rel, path, *ino) {
            Ok(version) => {
                batch.push(version);
                report.linked += 1;
            }
            Err(e) => {
                tracing::debug!("link: {}: {e}", path.display());
                report.failed += 1;
            }
        }
    }
    if !batch.is_empty() {
        vault.insert_many(&batch)?;
    }
    Ok(report)
}

/// Links `path`, whose inode the caller's `stat` found to be `ino`, into
/// the store.
fn link_one(store: &ShareStore, share: &str, rel: &str, path: &Path, ino: u64) -> Result<Version> {
    let taken_at = Utc::now();
    let day = store.day_dir(taken_at)?;
    let id = store::version_id(ino, taken_at);
    let object = day.join(&id);
    std::fs::hard_link(path, &object).map_err(crate::io_err(&object))?;
    // What was linked, whatever raced with the stat above.
    let meta = std::fs::symlink_metadata(&object).map_err(crate::io_err(&object))?;
    Ok(Version {
        id,
        share: share.to_string(),
        path: rel.to_string(),
        dev: meta.dev(),
        ino: meta.ino(),
        size: meta.len(),
        mtime_ns: crate::mtime_ns(&meta),
        mode: meta.mode(),
        uid: meta.uid(),
        gid: meta.gid(),
        taken_at,
        reason: Reason::Open,
        session: "sweep".into(),
        kind: VersionKind::Link,
        object,
    })
}

/// The device of the share's root when links into the store are possible
/// there (same filesystem), else `None`.
fn linkable_device(store: &ShareStore) -> Result<Option<u64>> {
    let root_dev = std::fs::metadata(&store.root)
        .map_err(crate::io_err(&store.root))?
        .dev();
    Ok(store.links_possible(root_dev).then_some(root_dev))
}

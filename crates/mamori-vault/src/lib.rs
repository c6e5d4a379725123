//! The version vault: the content a file had before an attacker changed it.
//!
//! Design. The guard answers fanotify pre-content events (`FAN_PRE_ACCESS`,
//! delivered before a write or an `ftruncate`, with the file still
//! unchanged; an `O_TRUNC` open truncates *before* any pre-content event, so
//! the guard preserves at that open's `FAN_OPEN_PERM` instead) and, while it
//! holds the event, calls [`Vault::preserve_fd`] with the event's own fd. That fd was opened by the kernel with `FMODE_NONOTIFY`, so
//! reading it raises no new event (re-opening the path from the listener
//! would, and could deadlock a single-threaded listener). The vault keeps the
//! content once per (inode, session): the first write of each SMB session
//! (or local process) to a file is preceded by one version, later writes of
//! the same session cost one hash lookup.
//!
//! How the content is kept, cheapest first:
//! - a reflink (`ioctl(FICLONE)`) on btrfs / XFS: a copy-on-write clone, no
//!   data copied; the attacker's writes then go to new extents;
//! - a copy (`copy_file_range`, in-kernel) elsewhere (ext4);
//! - a hard link for [`Reason::Open`]: taken when a file is opened by a
//!   suspicious actor, before a possible unlink or rename, which fanotify
//!   cannot announce in advance (there is no pre-delete / pre-rename
//!   permission event). A link keeps the inode alive after an unlink at zero
//!   cost; it does not protect content, so a link version is only valid
//!   while the inode's size and mtime equal those recorded (checked at
//!   restore), and a later write still takes a reflink or copy first;
//! - the link sweep ([`Vault::sweep_links`], run by [`Maintenance`]): the
//!   same hard link, in advance, for every file of the share, so a delete
//!   nobody announced (fanotify has no pre-delete event, and a wiper need
//!   not read a file before deleting it) still leaves the inode, *frozen*
//!   with the content it had when deleted. Live links cost no space; frozen ones count against
//!   the budget and are pruned like any version.
//!   Btrfs snapshots ([`snapshot`]) are the second line against deletes.
//!
//! Where versions live: a *store* on the same filesystem as the share, so
//! reflinks and links work, and outside the share, so it is unreachable
//! through Samba: `STATE/vault/store` when the state directory is on the
//! share's filesystem, else `.mamori-vault/` (0700, root) at the root of the
//! share's filesystem. If the share *is* that root (a dedicated filesystem
//! or subvolume), the store is `SHARE/.mamori-vault` (0700, root-owned) and
//! [`ShareStore::inside_share`] is set: the Samba configuration must then
//! veto it (`veto files = /.mamori-vault/`); the guard logs that.
//!
//! Index: SQLite at `STATE/vault/index.sqlite` (WAL), one row per version:
//! share, relative path, device, inode, size, mtime, owner, mode, session,
//! reason, kind, object path. Restore looks versions up by the reference the
//! guard wrote into the journal, or by path and time.
//!
//! Budget: the sum of versions' sizes is kept under `budget_bytes` by
//! pruning the oldest *clean* versions first (clean = not referenced by an
//! open incident: state `detected` or `blocked`). Versions older than the
//! quiet period are pruned by [`Vault::prune`]. When pruning cannot make
//! room (everything left belongs to open incidents), versions are still
//! taken while the filesystem keeps `min_free_ratio` free, since losing a
//! file in an attack is worse than exceeding a soft budget, and a
//! `vault_full` alert goes to `alerts.jsonl`; below that reserve
//! [`Vault::preserve_fd`] returns [`VaultError::Full`] and the guard lets
//! the write through without a version.
//!
//! Reserve: the store shares the users' filesystem, and a frozen link holds
//! a deleted file's blocks, so the reserve is kept whatever the budget:
//! below `min_free_ratio` free the oldest clean versions stored there are
//! pruned, age aside ([`Vault::keep_free`], every second), and no copy is
//! taken that would cross it (`prune.rs`).

pub mod fsutil;
mod index;
mod links;
pub mod maintenance;
mod prune;
pub mod snapshot;
mod store;

pub use index::Version;
pub use links::SweepReport;
pub use maintenance::{Maintenance, MaintenanceConfig};
pub use prune::SpaceReport;
pub use store::{FolderHook, ShareStore};

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
#[cfg(test)]
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("vault {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("vault index {path}: {source}")]
    Index {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("vault: unknown share {0} (register it first)")]
    UnknownShare(String),
    #[error("vault: bad relative path {0:?}")]
    BadPath(String),
    #[error("vault full: {needed} bytes needed, the filesystem of {store} is below its free-space reserve")]
    Full { store: PathBuf, needed: u64 },
    #[error("the vault is disabled (MAMORI_VAULT=off)")]
    Disabled,
    #[error("snapshot: {0}")]
    Snapshot(String),
    #[error("incident journal: {0}")]
    Journal(#[from] mamori_journal::JournalError),
}

pub type Result<T> = std::result::Result<T, VaultError>;

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> VaultError + '_ {
    move |source| VaultError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Why a version is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Before the first write (fanotify pre-content event).
    Write,
    /// Before a truncation (also a pre-content event).
    Truncate,
    /// Before a rename the guard learnt of in advance.
    Rename,
    /// Before a delete the guard learnt of in advance.
    Delete,
    /// Pre-emptive hard link at open time by a suspicious actor (cheap;
    /// protects against unlink/rename, not against in-place writes).
    /// Skipped (`Ok(None)`) where links are impossible.
    Open,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Write => "write",
            Reason::Truncate => "truncate",
            Reason::Rename => "rename",
            Reason::Delete => "delete",
            Reason::Open => "open",
        }
    }

    pub fn parse(text: &str) -> Option<Reason> {
        Some(match text {
            "write" => Reason::Write,
            "truncate" => Reason::Truncate,
            "rename" => Reason::Rename,
            "delete" => Reason::Delete,
            "open" => Reason::Open,
            _ => return None,
        })
    }

    fn wants_link(self) -> bool {
        self == Reason::Open
    }
}

/// How a version's content is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionKind {
    Reflink,
    Copy,
    /// A hard link to the live inode: valid while size and mtime are unchanged.
    Link,
    /// The file was empty: nothing stored (`object` is empty).
    Empty,
}

impl VersionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionKind::Reflink => "reflink",
            VersionKind::Copy => "copy",
            VersionKind::Link => "link",
            VersionKind::Empty => "empty",
        }
    }

    pub fn parse(text: &str) -> Option<VersionKind> {
        Some(match text {
            "reflink" => VersionKind::Reflink,
            "copy" => VersionKind::Copy,
            "link" => VersionKind::Link,
            "empty" => VersionKind::Empty,
            _ => return None,
        })
    }
}

/// The reference the guard stores in `Touch::vault`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionRef(pub String);

impl std::fmt::Display for VersionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone)]
pub struct VaultConfig {
    /// Soft budget for the sum of version sizes.
    pub budget_bytes: u64,
    /// Versions older than this and not held by an open incident are pruned.
    pub quiet_period: Duration,
    /// The free-space reserve: while a store's filesystem has less than
    /// this fraction free, its oldest clean versions are pruned (age and
    /// budget aside) and no new copy is taken (`prune.rs`). 0 turns it off.
    pub min_free_ratio: f64,
    /// Link every file of a share in the background when it is registered
    /// (files created later are linked by [`Maintenance`]'s periodic sweep).
    pub sweep_on_register: bool,
}

impl Default for VaultConfig {
    fn default() -> Self {
        VaultConfig {
            budget_bytes: 20 * 1024 * 1024 * 1024,
            quiet_period: Duration::from_secs(72 * 3600),
            min_free_ratio: 0.05,
            sweep_on_register: true,
        }
    }
}

/// What [`Vault::prune`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PruneReport {
    pub removed: usize,
    pub freed_bytes: u64,
    /// Inodes given back (copies, and links that were the last name of a
    /// deleted file's inode).
    pub freed_inodes: u64,
    pub kept_pinned: usize,
    pub total_bytes: u64,
    pub over_budget: bool,
}

/// How many (inode, session) pairs are remembered before starting afresh
/// (≈ 150 bytes each; a million of them, reached in an hour of a storm of
/// new files while creation marks were off, held ≈ 150 MB).
const MAX_REMEMBERED: usize = 65_536;

/// (dev, inode, birth time ns, session, is_link): the birth time tells a
/// reused inode number from the file that had it before.
type SessionKey = (u64, u64, i64, String, bool);

struct State {
    index: index::Index,
    shares: HashMap<String, ShareStore>,
    /// (dev, inode, session, is_link) → version already taken.
    taken: HashMap<SessionKey, VersionRef>,
    total_bytes: u64,
    last_full_alert: Option<DateTime<Utc>>,
    /// When a prune last failed to get under budget (pruning again at every
    /// preserve would scan the whole index each time).
    last_failed_prune: Option<std::time::Instant>,
    /// Per share, when its store was last pruned for free space and whether
    /// that made the room asked for (see `prune.rs`).
    /// (when, whether it made the room asked for).
    space_pruned: HashMap<String, (std::time::Instant, bool)>,
    last_space_alert: Option<DateTime<Utc>>,
    /// Index rows of versions taken but not yet committed (see [`Vault::flush`]).
    pending: Vec<Version>,
    pending_since: Option<std::time::Instant>,
}

/// Rows committed together (one SQLite transaction instead of one each:
/// a commit costs ~100-200 µs, as much as the reflink it records).
const PENDING_ROWS: usize = 64;
/// Longest a taken version waits for its row to be committed.
const PENDING_FOR: Duration = Duration::from_millis(50);

impl State {
    fn flush(&mut self) -> Result<()> {
        self.pending_since = None;
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        self.index.insert_many(&rows)
    }

    /// The index with every pending row committed (for lookups).
    fn flushed(&mut self) -> Result<&index::Index> {
        self.flush()?;
        Ok(&self.index)
    }
}

/// The vault of one state directory. `Send + Sync`: the guard may call it
/// from several threads; the copy itself runs outside the lock.
pub struct Vault {
    state_dir: PathBuf,
    config: VaultConfig,
    state: Mutex<State>,
    /// Where alerts go besides the default (`STATE/alerts.jsonl` alone).
    alert_sink: std::sync::OnceLock<AlertSink>,
    new_folders: store::NewFolders,
}

/// Receives the vault's alerts ([`Vault::send_alerts_to`]).
pub type AlertSink = Box<dyn Fn(&mamori_alert::Alert) + Send + Sync>;

impl Vault {
    /// Opens (creating) the vault under `STATE/vault`.
    /// `MAMORI_VAULT=off` in the environment makes this fail with
    /// [`VaultError::Disabled`]: the guard then runs without versions (to
    /// measure what the vault costs; never for production).
    pub fn open(state_dir: &Path, config: VaultConfig) -> Result<Vault> {
        if std::env::var("MAMORI_VAULT").is_ok_and(|v| v == "off") {
            return Err(VaultError::Disabled);
        }
        let dir = state_dir.join("vault");
        store::create_private_dir(&dir)?;
        let index = index::Index::open(&dir.join("index.sqlite"))?;
        let total_bytes = index.total_bytes()?;
        Ok(Vault {
            state_dir: state_dir.to_path_buf(),
            config,
            state: Mutex::new(State {
                index,
                shares: HashMap::new(),
                taken: HashMap::new(),
                total_bytes,
                last_full_alert: None,
                last_failed_prune: None,
                space_pruned: HashMap::new(),
                last_space_alert: None,
                pending: Vec::new(),
                pending_since: None,
            }),
            alert_sink: std::sync::OnceLock::new(),
            new_folders: store::NewFolders::default(),
        })
    }

    /// Tells `hook` of every folder the stores keep objects in: those there
    /// are now, then each new one before anything is put in it. The guard
    /// keeps its watchers' events of them in the kernel (its own copies and
    /// links). Once.
    pub fn on_new_folders(&self, hook: FolderHook) {
        if !self.new_folders.set(hook) {
            tracing::warn!("vault: folder hook already set");
            return;
        }
        let stores: Vec<ShareStore> = self.lock().shares.values().cloned().collect();
        for store in stores {
            for folder in store.day_dirs() {
                self.new_folders.tell(&folder);
            }
        }
    }

    /// Sends the vault's alerts (`vault_full`, `vault_space`) to `sink`
    /// instead of `STATE/alerts.jsonl` alone: the guard's channels. Once.
    pub fn send_alerts_to(&self, sink: AlertSink) {
        if self.alert_sink.set(sink).is_err() {
            tracing::warn!("vault: alert destination already set");
        }
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic in another thread must not stop versions being taken.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a share and chooses its store (see the crate doc).
    /// With `sweep_on_register`, one link sweep of the share starts in the
    /// background (see [`Vault::sweep_links`]).
    pub fn register_share(&self, name: &str, root: &Path) -> Result<ShareStore> {
        let mut share = store::ShareStore::choose(&self.state_dir, name, root)?;
        share.new_folders = self.new_folders.clone();
        self.lock().shares.insert(name.to_string(), share.clone());
        for folder in share.day_dirs() {
            self.new_folders.tell(&folder);
        }
        if self.config.sweep_on_register {
            links::sweep_in_background(share.clone(), name.to_string(), self.index_path());
        }
        Ok(share)
    }

    pub(crate) fn index_path(&self) -> PathBuf {
        self.state_dir.join("vault").join("index.sqlite")
    }

    /// The store of a registered share.
    pub fn share(&self, name: &str) -> Option<ShareStore> {
        self.lock().shares.get(name).cloned()
    }

    /// Keeps the current content of `file` (an open fd of the share file at
    /// `rel_path`; pass the fanotify event's fd) unless this session already
    /// has a version of this inode. Returns the version (new or earlier) or
    /// `None` when nothing was kept (a non-regular file, or [`Reason::Open`]
    /// where no link is possible). `session` identifies the writer (e.g.
    /// `smbd:1234` or `user@client`); versions of other sessions let restore
    /// see that someone else changed a file after the attack began.
    pub fn preserve_fd(
        &self,
        share: &str,
        rel_path: &str,
        file: &File,
        reason: Reason,
        session: &str,
    ) -> Result<Option<VersionRef>> {
        check_rel_path(rel_path)?;
        let meta = file.metadata().map_err(io_err(Path::new(rel_path)))?;
        if !meta.is_file() {
            return Ok(None);
        }
        let born = meta
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        let key: SessionKey = (
            meta.dev(),
            meta.ino(),
            born,
            session.to_string(),
            reason.wants_link(),
        );
        let store = {
            let state = self.lock();
            if let Some(version) = state.taken.get(&key) {
                return Ok(Some(version.clone()));
            }
            // A content version of this session also covers a later link request.
            if reason.wants_link() {
                let content_key = (key.0, key.1, key.2, key.3.clone(), false);
                if let Some(version) = state.taken.get(&content_key) {
                    return Ok(Some(version.clone()));
                }
            }
            state
                .shares
                .get(share)
                .cloned()
                .ok_or_else(|| VaultError::UnknownShare(share.to_string()))?
        };
        if reason.wants_link() && !store.links_possible(meta.dev()) {
            return Ok(None);
        }
        self.make_room(&store, meta.len())?;
        let taken_at = Utc::now();
        // An empty file (a new file's first write, a temp file of an Office
        // save) needs no object: one index row says it was empty.
        let kept = if meta.len() == 0 && !reason.wants_link() {
            store::Kept::empty(meta.ino(), taken_at)
        } else {
            store.keep(file, &meta, reason.wants_link(), taken_at)?
        };
        let version = Version {
            id: kept.id.clone(),
            share: share.to_string(),
            path: rel_path.to_string(),
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            mode: meta.mode(),
            uid: meta.uid(),
            gid: meta.gid(),
            taken_at,
            reason,
            session: session.to_string(),
            kind: kept.kind,
            object: kept.object,
        };
        let mut state = self.lock();
        if version.kind != VersionKind::Link {
            state.total_bytes += version.size;
        }
        let reference = VersionRef(version.id.clone());
        state.pending.push(version);
        let since = *state
            .pending_since
            .get_or_insert_with(std::time::Instant::now);
        if state.pending.len() >= PENDING_ROWS || since.elapsed() >= PENDING_FOR {
            state.flush()?;
        }
        if state.taken.len() >= MAX_REMEMBERED {
            // Forgetting only costs an extra version at a session's next write.
            state.taken.clear();
        }
        state.taken.insert(key, reference.clone());
        Ok(Some(reference))
    }

    /// Like [`Vault::preserve_fd`], opening the file itself (`O_RDONLY |
    /// O_NOATIME | O_NOFOLLOW`). Not for use inside a fanotify listener on
    /// a marked mount (the open raises an event); `Ok(None)` if the file is gone.
    pub fn preserve_path(
        &self,
        share: &str,
        rel_path: &str,
        reason: Reason,
        session: &str,
    ) -> Result<Option<VersionRef>> {
        check_rel_path(rel_path)?;
        let root = self
            .share(share)
            .ok_or_else(|| VaultError::UnknownShare(share.to_string()))?
            .root;
        let path = root.join(rel_path);
        let file = match fsutil::open_noatime(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path)(e)),
        };
        self.preserve_fd(share, rel_path, &file, reason, session)
    }

    /// Hard-links every file of the share not linked yet into the store
    /// (zero copy): a file deleted later, even with no warning, keeps its
    /// inode, hence its content at deletion. Run at start and periodically
    /// ([`Maintenance`] does); shares whose store is on another device
    /// (a btrfs subvolume) are skipped, snapshots cover them.
    pub fn sweep_links(&self, share: &str) -> Result<SweepReport> {
        links::sweep(self, share)
    }

    /// Links files the guard just saw created or renamed (see
    /// [`Vault::sweep_links`]), in one index transaction: a file made after
    /// the sweep is then as safe from a delete as one that was there before.
    pub fn link_new(&self, share: &str, rel_paths: &[String]) -> Result<SweepReport> {
        links::link_paths(self, share, &any_inode(rel_paths), links::Known::Maybe)
    }

    /// [`Vault::link_new`] (or [`Vault::link_created`] with `created`) for
    /// files each named with the inode its event reported, if known: a path
    /// that holds another inode by now (a later file of the same name) is
    /// not linked in its place.
    pub fn link_seen(
        &self,
        share: &str,
        files: &[(String, Option<u64>)],
        created: bool,
    ) -> Result<SweepReport> {
        let known = if created {
            links::Known::No
        } else {
            links::Known::Maybe
        };
        links::link_paths(self, share, files, known)
    }

    /// [`Vault::link_new`] for files the guard saw *created*: new inodes,
    /// so the index is not asked whether they are linked already (a sweep
    /// racing with the create may link one twice: one more name, pruned
    /// like any).
    pub fn link_created(&self, share: &str, rel_paths: &[String]) -> Result<SweepReport> {
        links::link_paths(self, share, &any_inode(rel_paths), links::Known::No)
    }

    pub(crate) fn linked_among(
        &self,
        share: &str,
        files: &[(&str, u64, u64)],
    ) -> Result<Vec<bool>> {
        self.lock().flushed()?.linked_among(share, files)
    }

    pub(crate) fn insert_many(&self, versions: &[Version]) -> Result<()> {
        self.lock().flushed()?.insert_many(versions)
    }

    /// Commits the index rows of versions taken in the last moments (they
    /// are committed in batches: every [`PENDING_ROWS`] versions, at the
    /// first version after [`PENDING_FOR`], before every lookup, by this
    /// call — the guard's upkeep makes it every 100 ms — and on drop).
    pub fn flush(&self) -> Result<()> {
        self.lock().flush()
    }

    /// Forgets which (inode, session) pairs have versions, so the next write
    /// of every session takes a new one (call when sessions end or hourly).
    pub fn end_sessions(&self) {
        self.lock().taken.clear();
    }

    /// Forgets one session's (e.g. when its SMB connection closed).
    pub fn end_session(&self, session: &str) {
        self.lock().taken.retain(|key, _| key.3 != session);
    }

    /// One version by reference.
    pub fn version(&self, reference: &str) -> Result<Option<Version>> {
        self.lock().flushed()?.get(reference)
    }

    /// Every version of a path of a share, oldest first.
    pub fn versions_of(&self, share: &str, rel_path: &str) -> Result<Vec<Version>> {
        self.lock().flushed()?.by_path(share, rel_path)
    }

    /// Every version of an inode, oldest first.
    pub fn versions_of_inode(&self, dev: u64, ino: u64) -> Result<Vec<Version>> {
        self.lock().flushed()?.by_inode(dev, ino)
    }

    /// The newest version of a path (for a delete/rename the guard learnt of
    /// afterwards: put it in the journal's touch).
    pub fn latest(&self, share: &str, rel_path: &str) -> Result<Option<VersionRef>> {
        Ok(self
            .versions_of(share, rel_path)?
            .pop()
            .map(|v| VersionRef(v.id)))
    }

    /// Link versions of the files directly in `dir` of a share ("" = root).
    pub fn links_in(&self, share: &str, dir: &str) -> Result<Vec<Version>> {
        self.lock().flushed()?.links_in(share, dir)
    }

    /// Frozen links of files directly in `dir` of a share whose file was
    /// deleted between `from` and `to`, with that time: the deletes an
    /// attack made that its journal may have missed.
    pub fn unlinked_in(
        &self,
        share: &str,
        dir: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(Version, DateTime<Utc>)>> {
        Ok(self
            .links_in(share, dir)?
            .into_iter()
            .filter_map(|v| {
                let at = v.unlinked_at()?;
                (from <= at && at <= to).then_some((v, at))
            })
            .collect())
    }

    /// Every version of a share taken at or after `since`, oldest first.
    pub fn versions_since(&self, share: &str, since: DateTime<Utc>) -> Result<Vec<Version>> {
        self.lock().flushed()?.since(share, since)
    }

    pub fn total_bytes(&self) -> u64 {
        self.lock().total_bytes
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        if let Err(e) = self.lock().flush() {
            tracing::warn!("vault: last index rows: {e}");
        }
    }
}

pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.mtime() * 1_000_000_000 + meta.mtime_nsec()
}

/// A share-relative path: not empty, not absolute, no `..`.
pub fn check_rel_path(rel_path: &str) -> Result<()> {
    let bad = rel_path.is_empty()
        || rel_path.starts_with('/')
        || rel_path.split('/').any(|c| c == ".." || c.is_empty())
        || rel_path.contains('\0');
    if bad {
        return Err(VaultError::BadPath(rel_path.to_string()));
    }
    Ok(())
}

impl Version {
    /// A link whose file no longer has a name in the share: it holds the
    /// content the file had when it was deleted or replaced.
    pub fn is_frozen_link(&self) -> bool {
        self.kind == VersionKind::Link && links::is_frozen(&self.object)
    }

    /// When a frozen link's file was deleted (or replaced): `None` unless
    /// this is a frozen link.
    pub fn unlinked_at(&self) -> Option<DateTime<Utc>> {
        if self.kind != VersionKind::Link {
            return None;
        }
        links::frozen_since(&self.object)
    }

    /// Whether the object still holds the content recorded (always for
    /// reflinks and copies; for a link, while the inode is unchanged).
    pub fn is_valid(&self) -> bool {
        if self.kind == VersionKind::Empty {
            return true;
        }
        match std::fs::symlink_metadata(&self.object) {
            // A frozen link (no name left in the share) holds the content
            // the file had when it was deleted or replaced: nobody can have
            // written it since.
            Ok(meta) => {
                self.kind != VersionKind::Link
                    || (meta.len() == self.size && mtime_ns(&meta) == self.mtime_ns)
                    || meta.nlink() == 1
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests;

fn any_inode(rel_paths: &[String]) -> Vec<(String, Option<u64>)> {
    rel_paths.iter().map(|rel| (rel.clone(), None)).collect()
}

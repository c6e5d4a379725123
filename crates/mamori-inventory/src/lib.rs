//! The embedded SQLite inventory: per scanned root (a share), every file with
//! its category, item counts, record count, read error, masked samples and the
//! keyed hashes of the persons it holds.
//!
//! Design:
//! - **Nothing raw.** The inventory only ever receives [`MaskedSample`]s and
//!   [`KeyHash`](mamori_core::KeyHash)es; the schema has no column that could
//!   hold a raw My Number, account, phone or card number, and person keys are
//!   stored as 16-byte blobs. Samples of secret identifiers that still show
//!   more than a few digits are re-masked on the way in (defence in depth).
//! - **Incremental rescans.** Each file row carries three scan ids
//!   (`first_seen`, `last_change`, `last_scan`). The scanner reads
//!   [`Inventory::stamps`], re-reads new or changed files
//!   ([`Inventory::record_files`]), reports the rest with
//!   [`Inventory::mark_unchanged`], and [`Inventory::finish_scan`] deletes
//!   whatever this scan did not see and derives the counts from the ids.
//!   Archive members (`a.zip!/b.csv`) follow their archive when it is marked
//!   unchanged.
//! - **Counting persons without loading files.** A file's person records are
//!   one blob of keyed hashes (`person_blobs`, see `blob.rs`);
//!   [`Inventory::subjects`] streams the blobs file by file into one
//!   [`mamori_core::PersonCounter`] per category.
//! - **One file, one writer at a time.** WAL journal, write transactions taken
//!   `IMMEDIATE` with a busy timeout, so a second process gets a clear
//!   "locked" error instead of a deadlock. The database file is created 0600.
//! - **Bulk speed over declarative integrity.** `foreign_keys` is off and
//!   children are deleted explicitly; person records are one row per file. Schema changes go through [`SCHEMA_VERSION`] migrations.

mod blob;
mod error;
mod read;
mod schema;
mod subjects;
mod write;

pub use error::InventoryError;
pub use read::SealedContacts;
pub use schema::SCHEMA_VERSION;

use mamori_core::{Category, DataItem, MaskedSample, PersonKeys};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File name of the database inside the state directory.
pub const DB_FILE: &str = "inventory.db";

/// How long a write waits for another process's transaction before failing
/// with [`InventoryError::Locked`].
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What tells the scanner a file changed since the last scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

/// One file (or archive member) as the scanner found it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Relative to the root, '/' separators; archive members as `a.zip!/b.csv`.
    pub path: String,
    pub stamp: Option<FileStamp>,
    /// `None`: no personal data.
    pub category: Option<Category>,
    pub items: BTreeMap<DataItem, u64>,
    pub records: u64,
    pub error: Option<String>,
    pub samples: Vec<MaskedSample>,
    pub persons: Vec<PersonKeys>,
    /// The file's contacts (names, mailing addresses) sealed to the contact
    /// index's public key (mamori-incident); opaque here, only written when
    /// a key is set up. Not loaded back by [`Inventory::files`]: see
    /// [`Inventory::sealed_contacts`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_contacts: Option<Vec<u8>>,
}

impl FileRecord {
    /// A file with nothing found (yet): listed, no items.
    pub fn empty(path: impl Into<String>) -> Self {
        FileRecord {
            path: path.into(),
            stamp: None,
            category: None,
            items: BTreeMap::new(),
            records: 0,
            error: None,
            samples: Vec::new(),
            persons: Vec::new(),
            sealed_contacts: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ScanId(pub i64);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCounts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub deleted: u64,
    /// Files read in this scan (new or changed) whose reading failed.
    pub errors: u64,
}

/// The data subjects of one category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Distinct persons, as [`mamori_core::count_persons`] merges them.
    pub persons: usize,
    pub items: BTreeSet<DataItem>,
    pub files: usize,
}

/// One line of the category × item × share overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub share: String,
    pub category: Option<Category>,
    pub item: DataItem,
    /// Files holding the item.
    pub files: u64,
    /// Sum of the item's counts over those files.
    pub occurrences: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInfo {
    pub id: i64,
    pub root: String,
    pub share: String,
    /// RFC 3339, UTC.
    pub started: String,
    /// `None` while running, or if the scan was interrupted.
    pub finished: Option<String>,
    /// All zero until the scan finishes.
    pub counts: ScanCounts,
}

/// A handle on one inventory database.
pub struct Inventory {
    conn: Connection,
    path: PathBuf,
    /// The person blob being written, reused from file to file.
    blob: Vec<u8>,
}

impl std::fmt::Debug for Inventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inventory")
            .field("path", &self.path)
            .finish()
    }
}

impl Inventory {
    /// Opens (creating if needed) `state_dir/inventory.db`.
    pub fn open(state_dir: &Path) -> Result<Inventory, InventoryError> {
        std::fs::create_dir_all(state_dir).map_err(|source| InventoryError::CreateDir {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let path = state_dir.join(DB_FILE);
        create_private(&path)?;
        let mut conn =
            Connection::open(&path).map_err(|e| InventoryError::from_sqlite(&path, e))?;
        conn.busy_timeout(DEFAULT_BUSY_TIMEOUT)
            .map_err(|e| InventoryError::from_sqlite(&path, e))?;
        schema::prepare(&mut conn, &path, false)?;
        Ok(Inventory {
            conn,
            path,
            blob: Vec::new(),
        })
    }

    /// A throw-away inventory for tests and dry runs.
    pub fn open_in_memory() -> Result<Inventory, InventoryError> {
        let path = PathBuf::from(":memory:");
        let mut conn =
            Connection::open_in_memory().map_err(|e| InventoryError::from_sqlite(&path, e))?;
        schema::prepare(&mut conn, &path, true)?;
        Ok(Inventory {
            conn,
            path,
            blob: Vec::new(),
        })
    }

    /// The database file (`:memory:` for an in-memory inventory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long writes wait for another process before [`InventoryError::Locked`].
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), InventoryError> {
        self.conn
            .busy_timeout(timeout)
            .map_err(|e| InventoryError::from_sqlite(&self.path, e))
    }

    /// Shrinks the page cache (and frees the writer's buffer) once the
    /// scan's writes are done: the reads that follow (listing, counting
    /// persons) stream each page once, and the memory is better spent on
    /// the person counter's keys.
    pub fn end_writes(&mut self) -> Result<(), InventoryError> {
        self.blob = Vec::new();
        self.conn
            .pragma_update(None, "cache_size", schema::READ_CACHE_KIB)
            .map_err(|e| InventoryError::from_sqlite(&self.path, e))
    }
}

/// Creates the database file with mode 0600 before SQLite does (SQLite would
/// honour the umask), and tightens an existing file. SQLite gives its `-wal`
/// and `-shm` files the mode of the database.
fn create_private(path: &Path) -> Result<(), InventoryError> {
    let err = |source| InventoryError::CreateFile {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    Ok(())
}

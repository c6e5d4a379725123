//! Schema and migrations, versioned with `PRAGMA user_version`.
//!
//! Each entry of [`MIGRATIONS`] moves the schema up by one version; a
//! database at version N runs entries N.. in order, each in its own
//! transaction. Never edit a released entry: append a new one.

use crate::error::{Ctx, InventoryError};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// "mmri": marks the file as ours, so another program's SQLite file is refused
/// instead of being migrated into.
const APPLICATION_ID: i32 = 0x6d6d_7269;

const MIGRATIONS: &[&str] = &[V1, V2];

/// Page size of a newly created inventory (see [`prepare`]).
const PAGE_SIZE: i64 = 16_384;

/// Page cache while writing (negative: KiB). Larger than the 2 MB default:
/// the (root, path) index is updated in path order that rarely matches the
/// order files arrive in.
const WRITE_CACHE_KIB: i64 = -32_768;

/// Page cache after [`crate::Inventory::end_writes`].
pub(crate) const READ_CACHE_KIB: i64 = -2_048;

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Version 1.
///
/// - `files.first_seen / last_change / last_scan` are scan ids; comparing them
///   with the running scan yields new/changed/unchanged/deleted without a
///   status column to reset on every rescan.
/// - Child tables are `WITHOUT ROWID` and keyed by `file_id` first: each file's
///   rows are contiguous on disk, which serves both deletion on replace and
///   the persons query that streams rows ordered by file and record.
/// - `REFERENCES` documents the links, but `foreign_keys` stays off: checking
///   a parent for each of millions of key rows cost more than the explicit
///   child deletes the writer does anyway.
/// - `person_blobs.data` holds a file's person records (see `blob.rs`): keyed hashes only; there is no column
///   able to hold a raw identifier.
const V1: &str = "
CREATE TABLE roots (
    id    INTEGER PRIMARY KEY,
    path  TEXT NOT NULL UNIQUE,
    share TEXT NOT NULL
);
CREATE TABLE scans (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    root_id   INTEGER NOT NULL REFERENCES roots(id),
    started   TEXT NOT NULL,
    finished  TEXT,
    new       INTEGER NOT NULL DEFAULT 0,
    changed   INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    deleted   INTEGER NOT NULL DEFAULT 0,
    errors    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX scans_by_root ON scans(root_id);
CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    root_id     INTEGER NOT NULL REFERENCES roots(id),
    path        TEXT NOT NULL,
    size        INTEGER,
    mtime_ns    INTEGER,
    ctime_ns    INTEGER,
    inode       INTEGER,
    category    TEXT,
    records     INTEGER NOT NULL,
    persons     INTEGER NOT NULL,
    error       TEXT,
    first_seen  INTEGER NOT NULL,
    last_change INTEGER NOT NULL,
    last_scan   INTEGER NOT NULL,
    UNIQUE (root_id, path)
);
CREATE INDEX files_by_category ON files(category, root_id);
CREATE TABLE file_items (
    file_id INTEGER NOT NULL REFERENCES files(id),
    item    TEXT NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (file_id, item)
) WITHOUT ROWID;
CREATE TABLE samples (
    file_id INTEGER NOT NULL REFERENCES files(id),
    seq     INTEGER NOT NULL,
    item    TEXT NOT NULL,
    masked  TEXT NOT NULL,
    PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;
CREATE TABLE person_blobs (
    file_id INTEGER PRIMARY KEY REFERENCES files(id),
    data    BLOB NOT NULL CHECK (typeof(data) = 'blob')
);
";

/// Version 2: the sealed contact index (mamori-incident). One opaque blob
/// per file (an age file sealed to the index's public key); rows exist only
/// where a key was set up when the file was scanned.
const V2: &str = "
CREATE TABLE sealed_contacts (
    file_id INTEGER PRIMARY KEY REFERENCES files(id),
    data    BLOB NOT NULL CHECK (typeof(data) = 'blob')
);
";

/// Sets connection pragmas, refuses foreign or newer files, and migrates.
pub(crate) fn prepare(
    conn: &mut Connection,
    path: &Path,
    in_memory: bool,
) -> Result<(), InventoryError> {
    // A file that is not SQLite fails at its first read: probe before any write.
    let (version, app_id) = read_header(conn, path)?;
    check_header(conn, path, version, app_id)?;
    if version == 0 {
        // A new file: 16 KiB pages instead of 4 KiB. A roster's person blob
        // runs to megabytes of overflow pages, each written to the WAL and
        // again by the checkpoint; a quarter of the pages is a quarter of the
        // frames, page writes and checkpoints. Only takes effect before the
        // first table (and before WAL), so existing files keep their size.
        conn.pragma_update(None, "page_size", PAGE_SIZE).ctx(path)?;
    }
    if !in_memory {
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .ctx(path)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(InventoryError::corrupt(
                path,
                format!("cannot switch to WAL journal (got {mode})"),
            ));
        }
        // WAL + NORMAL is durable across application crashes; only an OS crash
        // can lose the last transactions, which a rescan recovers.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .ctx(path)?;
    }
    conn.pragma_update(None, "cache_size", WRITE_CACHE_KIB)
        .ctx(path)?;
    conn.set_prepared_statement_cache_capacity(64);
    migrate(conn, path)
}

fn read_header(conn: &Connection, path: &Path) -> Result<(i64, i32), InventoryError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ctx(path)?;
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .ctx(path)?;
    Ok((version, app_id))
}

fn check_header(
    conn: &Connection,
    path: &Path,
    version: i64,
    app_id: i32,
) -> Result<(), InventoryError> {
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(InventoryError::corrupt(
            path,
            format!("SQLite file of another application, id {app_id:#x}"),
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(InventoryError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == 0 {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .ctx(path)?;
        if tables > 0 {
            return Err(InventoryError::corrupt(
                path,
                "an SQLite database with foreign tables and no mamori schema",
            ));
        }
    }
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), InventoryError> {
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx(path)?;
        // Re-read under the write lock: another process may have migrated meanwhile.
        let (version, app_id) = read_header(&tx, path)?;
        check_header(&tx, path, version, app_id)?;
        let Some(step) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        tx.execute_batch(step).ctx(path)?;
        tx.pragma_update(None, "user_version", version + 1)
            .ctx(path)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .ctx(path)?;
        tx.commit().ctx(path)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_size(dir: &Path) -> i64 {
        let conn = Connection::open(dir.join(crate::DB_FILE)).unwrap();
        conn.query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn new_files_get_large_pages_and_old_files_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        drop(crate::Inventory::open(dir.path()).unwrap());
        assert_eq!(page_size(dir.path()), PAGE_SIZE);

        // A file made with 4 KiB pages (an earlier release) keeps them.
        let old = tempfile::tempdir().unwrap();
        {
            let mut conn = Connection::open(old.path().join(crate::DB_FILE)).unwrap();
            conn.pragma_update(None, "page_size", 4096).unwrap();
            conn.pragma_update(None, "journal_mode", "WAL").unwrap();
            migrate(&mut conn, old.path()).unwrap();
        }
        let inv = crate::Inventory::open(old.path()).unwrap();
        assert!(inv.stamps("/r").unwrap().is_empty());
        drop(inv);
        assert_eq!(page_size(old.path()), 4096);
    }
}

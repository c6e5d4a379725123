//! Reading the current view back: stamps, files, scans, roots.

use crate::error::{Ctx, InventoryError};
use crate::{FileRecord, FileStamp, Inventory, ScanCounts, ScanInfo};
use mamori_core::{Category, DataItem, MaskedSample, PersonKeys};
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Inverse of `write::to_sql_u64`.
pub(crate) fn from_sql_u64(v: i64) -> u64 {
    v as u64
}

pub(crate) fn parse_item(path: &Path, id: &str) -> Result<DataItem, InventoryError> {
    DataItem::from_id(id).ok_or_else(|| {
        InventoryError::corrupt(
            path,
            format!("unknown data item '{id}' (written by a newer mamori?)"),
        )
    })
}

pub(crate) fn root_id(
    conn: &Connection,
    path: &Path,
    root: &str,
) -> Result<Option<i64>, InventoryError> {
    conn.query_row("SELECT id FROM roots WHERE path = ?1", [root], |r| r.get(0))
        .optional()
        .ctx(path)
}

/// How much of each file record to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Full,
    /// Path, stamp, category, items, records and error: no samples, no person keys.
    Listing,
}

/// Loads whole records for the files matching `filter` (a condition on `f`).
fn load_files(
    conn: &Connection,
    path: &Path,
    filter: &str,
    args: &[&dyn ToSql],
    detail: Detail,
) -> Result<Vec<FileRecord>, InventoryError> {
    let mut files: Vec<FileRecord> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();

    let mut stmt = conn
        .prepare(&format!(
            "SELECT f.id, f.path, f.size, f.mtime_ns, f.ctime_ns, f.inode, f.category,
                    f.records, f.persons, f.error
             FROM files f WHERE {filter} ORDER BY f.path"
        ))
        .ctx(path)?;
    let mut rows = stmt.query(args).ctx(path)?;
    while let Some(row) = rows.next().ctx(path)? {
        let id: i64 = row.get(0).ctx(path)?;
        let size: Option<i64> = row.get(2).ctx(path)?;
        let stamp = match size {
            Some(size) => Some(FileStamp {
                size: from_sql_u64(size),
                mtime_ns: row.get(3).ctx(path)?,
                ctime_ns: row.get(4).ctx(path)?,
                inode: from_sql_u64(row.get(5).ctx(path)?),
            }),
            None => None,
        };
        let persons: i64 = row.get(8).ctx(path)?;
        let persons = usize::try_from(persons)
            .map_err(|_| InventoryError::corrupt(path, "negative person count"))?;
        index.insert(id, files.len());
        files.push(FileRecord {
            path: row.get(1).ctx(path)?,
            stamp,
            category: row
                .get::<_, Option<String>>(6)
                .ctx(path)?
                .map(Category::new),
            items: BTreeMap::new(),
            records: from_sql_u64(row.get(7).ctx(path)?),
            error: row.get(9).ctx(path)?,
            samples: Vec::new(),
            persons: match detail {
                Detail::Full => vec![PersonKeys::default(); persons],
                Detail::Listing => Vec::new(),
            },
            sealed_contacts: None,
        });
    }
    drop(rows);

    let mut stmt = conn
        .prepare(&format!(
            "SELECT f.id, c.item, c.count FROM files f JOIN file_items c ON c.file_id = f.id
             WHERE {filter}"
        ))
        .ctx(path)?;
    let mut rows = stmt.query(args).ctx(path)?;
    while let Some(row) = rows.next().ctx(path)? {
        let file = file_of(path, &index, row.get(0).ctx(path)?)?;
        let item = parse_item(path, &row.get::<_, String>(1).ctx(path)?)?;
        let count: i64 = row.get(2).ctx(path)?;
        files[file].items.insert(item, from_sql_u64(count));
    }
    drop(rows);
    if detail == Detail::Listing {
        return Ok(files);
    }

    let mut stmt = conn
        .prepare(&format!(
            "SELECT f.id, c.item, c.masked FROM files f JOIN samples c ON c.file_id = f.id
             WHERE {filter} ORDER BY f.id, c.seq"
        ))
        .ctx(path)?;
    let mut rows = stmt.query(args).ctx(path)?;
    while let Some(row) = rows.next().ctx(path)? {
        let file = file_of(path, &index, row.get(0).ctx(path)?)?;
        let item = parse_item(path, &row.get::<_, String>(1).ctx(path)?)?;
        files[file].samples.push(MaskedSample {
            item,
            masked: row.get(2).ctx(path)?,
        });
    }
    drop(rows);

    let mut stmt = conn
        .prepare(&format!(
            "SELECT f.id, b.data FROM files f JOIN person_blobs b ON b.file_id = f.id WHERE {filter}"
        ))
        .ctx(path)?;
    let mut rows = stmt.query(args).ctx(path)?;
    while let Some(row) = rows.next().ctx(path)? {
        let file = file_of(path, &index, row.get(0).ctx(path)?)?;
        let data = row
            .get_ref(1)
            .ctx(path)?
            .as_blob()
            .map_err(|_| InventoryError::corrupt(path, "person record blob is not a blob"))?;
        for (slot, record) in crate::blob::decode(data).enumerate() {
            let keys = record.map_err(|reason| InventoryError::corrupt(path, reason))?;
            let target = files[file]
                .persons
                .get_mut(slot)
                .ok_or_else(|| InventoryError::corrupt(path, "person key of a missing record"))?;
            *target = keys;
        }
    }
    Ok(files)
}

fn file_of(path: &Path, index: &HashMap<i64, usize>, id: i64) -> Result<usize, InventoryError> {
    index
        .get(&id)
        .copied()
        .ok_or_else(|| InventoryError::corrupt(path, format!("row of unknown file {id}")))
}

/// One file's sealed contacts: its path, category and the opaque blob.
pub type SealedContacts = (String, Option<Category>, Vec<u8>);

impl Inventory {
    /// Stamps of the current files of `root` (those recorded with a stamp),
    /// keyed by path. Files whose reading failed are included: retrying them
    /// is the scanner's decision.
    pub fn stamps(&self, root: &str) -> Result<HashMap<String, FileStamp>, InventoryError> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT f.path, f.size, f.mtime_ns, f.ctime_ns, f.inode
                 FROM files f JOIN roots r ON r.id = f.root_id
                 WHERE r.path = ?1 AND f.size IS NOT NULL",
            )
            .ctx(path)?;
        let mut out = HashMap::new();
        let mut rows = stmt.query([root]).ctx(path)?;
        while let Some(row) = rows.next().ctx(path)? {
            let stamp = FileStamp {
                size: from_sql_u64(row.get(1).ctx(path)?),
                mtime_ns: row.get(2).ctx(path)?,
                ctime_ns: row.get(3).ctx(path)?,
                inode: from_sql_u64(row.get(4).ctx(path)?),
            };
            out.insert(row.get(0).ctx(path)?, stamp);
        }
        Ok(out)
    }

    /// Current files of `root`, sorted by path, with items, samples and persons.
    pub fn files(&self, root: &str) -> Result<Vec<FileRecord>, InventoryError> {
        let path = &self.path;
        // One read transaction: the four queries see the same snapshot.
        let tx = self.conn.unchecked_transaction().ctx(path)?;
        let Some(root_id) = root_id(&tx, path, root)? else {
            return Ok(Vec::new());
        };
        // `+`: scan by id rather than sort every key row by file (see subjects).
        load_files(&tx, path, "+f.root_id = ?1", params![root_id], Detail::Full)
    }

    /// Current files of `root`, sorted by path, without samples and person
    /// keys: what a report lists, in memory proportional to the file count.
    pub fn listing(&self, root: &str) -> Result<Vec<FileRecord>, InventoryError> {
        let path = &self.path;
        let tx = self.conn.unchecked_transaction().ctx(path)?;
        let Some(root_id) = root_id(&tx, path, root)? else {
            return Ok(Vec::new());
        };
        load_files(
            &tx,
            path,
            "+f.root_id = ?1",
            params![root_id],
            Detail::Listing,
        )
    }

    pub fn file(&self, root: &str, file: &str) -> Result<Option<FileRecord>, InventoryError> {
        let path = &self.path;
        let tx = self.conn.unchecked_transaction().ctx(path)?;
        let Some(root_id) = root_id(&tx, path, root)? else {
            return Ok(None);
        };
        let found = load_files(
            &tx,
            path,
            "f.root_id = ?1 AND f.path = ?2",
            params![root_id, file],
            Detail::Full,
        )?;
        Ok(found.into_iter().next())
    }

    /// The sealed contacts of `paths` of `root` (an archive's path includes
    /// its members): (file path, category, sealed blob), sorted by path.
    /// Paths without sealed contacts are left out.
    pub fn sealed_contacts(
        &self,
        root: &str,
        paths: &[String],
    ) -> Result<Vec<SealedContacts>, InventoryError> {
        let path = &self.path;
        let tx = self.conn.unchecked_transaction().ctx(path)?;
        let Some(root_id) = root_id(&tx, path, root)? else {
            return Ok(Vec::new());
        };
        let mut stmt = tx
            .prepare_cached(
                "SELECT f.path, f.category, s.data FROM files f JOIN sealed_contacts s ON s.file_id = f.id
                 WHERE f.root_id = ?1 AND (f.path = ?2 OR (f.path >= ?3 AND f.path < ?4))",
            )
            .ctx(path)?;
        let mut out = Vec::new();
        for p in paths {
            let (from, to) = crate::write::member_range(p);
            let mut rows = stmt.query(params![root_id, p, from, to]).ctx(path)?;
            while let Some(row) = rows.next().ctx(path)? {
                out.push((
                    row.get::<_, String>(0).ctx(path)?,
                    row.get::<_, Option<String>>(1)
                        .ctx(path)?
                        .map(Category::new),
                    row.get::<_, Vec<u8>>(2).ctx(path)?,
                ));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out)
    }

    /// All scans, oldest first.
    pub fn scans(&self) -> Result<Vec<ScanInfo>, InventoryError> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, r.path, r.share, s.started, s.finished,
                        s.new, s.changed, s.unchanged, s.deleted, s.errors
                 FROM scans s JOIN roots r ON r.id = s.root_id ORDER BY s.id",
            )
            .ctx(path)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ScanInfo {
                    id: r.get(0)?,
                    root: r.get(1)?,
                    share: r.get(2)?,
                    started: r.get(3)?,
                    finished: r.get(4)?,
                    counts: ScanCounts {
                        new: from_sql_u64(r.get(5)?),
                        changed: from_sql_u64(r.get(6)?),
                        unchanged: from_sql_u64(r.get(7)?),
                        deleted: from_sql_u64(r.get(8)?),
                        errors: from_sql_u64(r.get(9)?),
                    },
                })
            })
            .ctx(path)?;
        rows.collect::<Result<_, _>>().ctx(path)
    }

    /// Known roots as (root, share), sorted by root.
    pub fn roots(&self) -> Result<Vec<(String, String)>, InventoryError> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare("SELECT path, share FROM roots ORDER BY path")
            .ctx(path)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx(path)?;
        rows.collect::<Result<_, _>>().ctx(path)
    }
}

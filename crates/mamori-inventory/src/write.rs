//! The scan life cycle: begin, record, mark unchanged, finish.

use crate::error::{Ctx, InventoryError};
use crate::{FileRecord, Inventory, ScanCounts, ScanId};
use mamori_core::{mask, DataItem};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::borrow::Cow;
use std::path::Path;

/// RFC 3339 UTC timestamp computed by SQLite, so no clock crate is needed.
pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

/// Stored as INTEGER: u64 values (inode numbers of some file systems exceed
/// i64::MAX) are bit-cast and cast back on read, which round-trips exactly.
pub(crate) fn to_sql_u64(v: u64) -> i64 {
    v as i64
}

/// Bounds of the paths of an archive's members: every `P!/...` sorts in
/// `["P!/", "P!0")` since '0' follows '/'.
pub(crate) fn member_range(path: &str) -> (String, String) {
    (format!("{path}!/"), format!("{path}!0"))
}

/// Largest person-blob buffer kept between batches (a roster of ~100 000
/// person rows); a larger one is freed after its batch.
const MAX_KEPT_BLOB: usize = 16 << 20;

/// Most digits a masked sample of a secret identifier may show.
const MAX_VISIBLE_DIGITS: usize = 4;

/// Re-masks a sample of a secret identifier that shows too many digits: the
/// inventory must not become a copy of the identifiers, whatever the caller sent.
fn safe_sample(item: DataItem, masked: &str) -> Cow<'_, str> {
    let visible = masked
        .chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count();
    if item.is_secret_identifier() && visible > MAX_VISIBLE_DIGITS {
        let ascii: String = masked
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                _ => c,
            })
            .collect();
        Cow::Owned(mask::alnum(&ascii, 2))
    } else {
        Cow::Borrowed(masked)
    }
}

/// Checks the scan is running and belongs to `root`; returns the root's id.
fn open_scan(
    conn: &Connection,
    path: &Path,
    scan: ScanId,
    root: &str,
) -> Result<i64, InventoryError> {
    let found: Option<(i64, String, Option<String>)> = conn
        .query_row(
            "SELECT s.root_id, r.path, s.finished FROM scans s JOIN roots r ON r.id = s.root_id
             WHERE s.id = ?1",
            [scan.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .ctx(path)?;
    let fail = |reason: String| InventoryError::Scan {
        path: path.to_path_buf(),
        scan: scan.0,
        reason,
    };
    match found {
        None => Err(fail("does not exist".into())),
        Some((_, scan_root, _)) if scan_root != root => {
            Err(fail(format!("belongs to root {scan_root}, not {root}")))
        }
        Some((_, _, Some(finished))) => Err(fail(format!("already finished at {finished}"))),
        Some((root_id, _, None)) => Ok(root_id),
    }
}

impl Inventory {
    /// Starts a scan of `root` (a canonical absolute path), registering the root
    /// or updating its display name.
    pub fn begin_scan(&mut self, root: &str, share: &str) -> Result<ScanId, InventoryError> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx(path)?;
        let root_id: i64 = tx
            .query_row(
                "INSERT INTO roots (path, share) VALUES (?1, ?2)
                 ON CONFLICT (path) DO UPDATE SET share = excluded.share RETURNING id",
                params![root, share],
                |r| r.get(0),
            )
            .ctx(path)?;
        let scan: i64 = tx
            .query_row(
                &format!("INSERT INTO scans (root_id, started) VALUES (?1, {NOW}) RETURNING id"),
                [root_id],
                |r| r.get(0),
            )
            .ctx(path)?;
        tx.commit().ctx(path)?;
        Ok(ScanId(scan))
    }

    /// Inserts new files and replaces changed ones, in one transaction.
    pub fn record_files(
        &mut self,
        scan: ScanId,
        root: &str,
        records: &[FileRecord],
    ) -> Result<(), InventoryError> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx(path)?;
        let root_id = open_scan(&tx, path, scan, root)?;
        {
            // first_seen is only written on insert, so it tells new from changed.
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO files (root_id, path, size, mtime_ns, ctime_ns, inode, category,
                        records, persons, error, first_seen, last_change, last_scan)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?11)
                     ON CONFLICT (root_id, path) DO UPDATE SET
                        size = excluded.size, mtime_ns = excluded.mtime_ns,
                        ctime_ns = excluded.ctime_ns, inode = excluded.inode,
                        category = excluded.category, records = excluded.records,
                        persons = excluded.persons, error = excluded.error,
                        last_change = excluded.last_change, last_scan = excluded.last_scan
                     RETURNING id",
                )
                .ctx(path)?;
            let mut clear_items = tx
                .prepare_cached("DELETE FROM file_items WHERE file_id = ?1")
                .ctx(path)?;
            let mut clear_samples = tx
                .prepare_cached("DELETE FROM samples WHERE file_id = ?1")
                .ctx(path)?;
            let mut clear_keys = tx
                .prepare_cached("DELETE FROM person_blobs WHERE file_id = ?1")
                .ctx(path)?;
            let mut add_item = tx
                .prepare_cached("INSERT INTO file_items (file_id, item, count) VALUES (?1, ?2, ?3)")
                .ctx(path)?;
            let mut add_sample = tx
                .prepare_cached(
                    "INSERT INTO samples (file_id, seq, item, masked) VALUES (?1, ?2, ?3, ?4)",
                )
                .ctx(path)?;
            let mut clear_sealed = tx
                .prepare_cached("DELETE FROM sealed_contacts WHERE file_id = ?1")
                .ctx(path)?;
            let mut add_sealed = tx
                .prepare_cached("INSERT INTO sealed_contacts (file_id, data) VALUES (?1, ?2)")
                .ctx(path)?;
            let mut add_persons = tx
                .prepare_cached("INSERT INTO person_blobs (file_id, data) VALUES (?1, ?2)")
                .ctx(path)?;

            for rec in records {
                let stamp = rec.stamp.as_ref();
                let id: i64 = upsert
                    .query_row(
                        params![
                            root_id,
                            rec.path,
                            stamp.map(|s| to_sql_u64(s.size)),
                            stamp.map(|s| s.mtime_ns),
                            stamp.map(|s| s.ctime_ns),
                            stamp.map(|s| to_sql_u64(s.inode)),
                            rec.category.as_ref().map(|c| c.id()),
                            to_sql_u64(rec.records),
                            to_sql_u64(rec.persons.len() as u64),
                            rec.error,
                            scan.0,
                        ],
                        |r| r.get(0),
                    )
                    .ctx(path)?;
                clear_items.execute([id]).ctx(path)?;
                clear_samples.execute([id]).ctx(path)?;
                clear_keys.execute([id]).ctx(path)?;
                clear_sealed.execute([id]).ctx(path)?;
                if let Some(sealed) = &rec.sealed_contacts {
                    add_sealed.execute(params![id, sealed]).ctx(path)?;
                }
                for (item, count) in &rec.items {
                    add_item
                        .execute(params![id, item.id(), to_sql_u64(*count)])
                        .ctx(path)?;
                }
                for (seq, sample) in rec.samples.iter().enumerate() {
                    let masked = safe_sample(sample.item, &sample.masked);
                    add_sample
                        .execute(params![id, seq as i64, sample.item.id(), masked.as_ref()])
                        .ctx(path)?;
                }
                if !rec.persons.is_empty() {
                    crate::blob::encode_into(&rec.persons, &mut self.blob);
                    add_persons
                        .execute(params![id, self.blob.as_slice()])
                        .ctx(path)?;
                }
            }
        }
        // Kept for the next batch unless one huge file made it large.
        if self.blob.capacity() > MAX_KEPT_BLOB {
            self.blob = Vec::new();
        }
        tx.commit().ctx(path)
    }

    /// Records that `paths` were seen unchanged; members of an archive among
    /// them (`path!/...`) are kept too. Unknown paths are ignored.
    pub fn mark_unchanged(
        &mut self,
        scan: ScanId,
        root: &str,
        paths: &[String],
    ) -> Result<(), InventoryError> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx(path)?;
        let root_id = open_scan(&tx, path, scan, root)?;
        {
            let mut exact = tx
                .prepare_cached("UPDATE files SET last_scan = ?1 WHERE root_id = ?2 AND path = ?3")
                .ctx(path)?;
            let mut members = tx
                .prepare_cached(
                    "UPDATE files SET last_scan = ?1
                     WHERE root_id = ?2 AND path >= ?3 AND path < ?4",
                )
                .ctx(path)?;
            for p in paths {
                exact.execute(params![scan.0, root_id, p]).ctx(path)?;
                let (from, to) = member_range(p);
                members
                    .execute(params![scan.0, root_id, from, to])
                    .ctx(path)?;
            }
        }
        tx.commit().ctx(path)
    }

    /// Ends the scan: files of `root` it did not see leave the current view.
    pub fn finish_scan(&mut self, scan: ScanId, root: &str) -> Result<ScanCounts, InventoryError> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx(path)?;
        let root_id = open_scan(&tx, path, scan, root)?;
        for child in ["file_items", "samples", "person_blobs", "sealed_contacts"] {
            tx.execute(
                &format!(
                    "DELETE FROM {child} WHERE file_id IN
                        (SELECT id FROM files WHERE root_id = ?1 AND last_scan <> ?2)"
                ),
                params![root_id, scan.0],
            )
            .ctx(path)?;
        }
        let deleted = tx
            .execute(
                "DELETE FROM files WHERE root_id = ?1 AND last_scan <> ?2",
                params![root_id, scan.0],
            )
            .ctx(path)? as u64;
        let (new, changed, unchanged, errors): (i64, i64, i64, i64) = tx
            .query_row(
                "SELECT
                    coalesce(sum(last_change = ?2 AND first_seen = ?2), 0),
                    coalesce(sum(last_change = ?2 AND first_seen <> ?2), 0),
                    coalesce(sum(last_change <> ?2), 0),
                    coalesce(sum(last_change = ?2 AND error IS NOT NULL), 0)
                 FROM files WHERE root_id = ?1",
                params![root_id, scan.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx(path)?;
        let counts = ScanCounts {
            new: new as u64,
            changed: changed as u64,
            unchanged: unchanged as u64,
            deleted,
            errors: errors as u64,
        };
        tx.execute(
            &format!(
                "UPDATE scans SET finished = {NOW}, new = ?2, changed = ?3, unchanged = ?4,
                    deleted = ?5, errors = ?6 WHERE id = ?1"
            ),
            params![scan.0, new, changed, unchanged, to_sql_u64(deleted), errors],
        )
        .ctx(path)?;
        tx.commit().ctx(path)?;
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileRecord;
    use mamori_core::{HashKey, PersonKeys};

    fn rows(inv: &Inventory, table: &str) -> i64 {
        inv.conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn any_number_of_keys_round_trips_through_the_multi_row_writer() {
        let key = HashKey::for_tests();
        let mut inv = Inventory::open_in_memory().unwrap();
        let scan = inv.begin_scan("/r", "r").unwrap();
        let records: Vec<FileRecord> = [0usize, 1, 31, 32, 33, 63, 64, 100]
            .iter()
            .map(|&n| FileRecord {
                path: format!("f{n}"),
                persons: vec![PersonKeys {
                    names: (0..n).map(|i| key.hash("name", &i.to_string())).collect(),
                    ..Default::default()
                }],
                ..Default::default()
            })
            .collect();
        inv.record_files(scan, "/r", &records).unwrap();
        for rec in &records {
            assert_eq!(inv.file("/r", &rec.path).unwrap().as_ref(), Some(rec));
        }
    }

    #[test]
    fn deleted_and_replaced_files_leave_no_orphan_rows() {
        let key = HashKey::for_tests();
        let rec = |path: &str| FileRecord {
            path: path.into(),
            items: [(DataItem::Name, 1)].into_iter().collect(),
            samples: vec![mamori_core::MaskedSample {
                item: DataItem::Name,
                masked: "甲＊".into(),
            }],
            persons: vec![PersonKeys {
                names: vec![key.hash("name", path)],
                ..Default::default()
            }],
            sealed_contacts: Some(vec![1, 2, 3]),
            ..Default::default()
        };
        let mut inv = Inventory::open_in_memory().unwrap();
        let scan = inv.begin_scan("/r", "r").unwrap();
        inv.record_files(scan, "/r", &[rec("a"), rec("b")]).unwrap();
        // Recorded twice in one scan: the second replaces the first.
        inv.record_files(scan, "/r", &[rec("a")]).unwrap();
        inv.finish_scan(scan, "/r").unwrap();
        for table in ["file_items", "samples", "person_blobs", "sealed_contacts"] {
            assert_eq!(rows(&inv, table), 2, "{table}");
        }
        let scan = inv.begin_scan("/r", "r").unwrap();
        inv.mark_unchanged(scan, "/r", &["b".to_string()]).unwrap();
        inv.finish_scan(scan, "/r").unwrap();
        for table in [
            "files",
            "file_items",
            "samples",
            "person_blobs",
            "sealed_contacts",
        ] {
            assert_eq!(rows(&inv, table), 1, "{table}");
        }
    }

    #[test]
    fn samples_of_secret_identifiers_cannot_carry_the_number() {
        let raw = safe_sample(DataItem::MyNumber, "123456789018");
        assert_eq!(raw, "**********18");
        let wide = safe_sample(DataItem::CreditCard, "４１１１１１１１１１１１１１１１");
        assert!(!wide.contains("4111"), "{wide}");
        assert_eq!(
            safe_sample(DataItem::Phone, "***-****-**78"),
            "***-****-**78"
        );
        // Only identifiers are policed: an address may show its postcode.
        assert_eq!(
            safe_sample(DataItem::Address, "123-4567 東京都…"),
            "123-4567 東京都…"
        );
    }

    #[test]
    fn member_range_brackets_only_members() {
        let (from, to) = member_range("a.zip");
        for member in ["a.zip!/b.csv", "a.zip!/x/y.zip!/z.csv"] {
            assert!(member >= from.as_str() && member < to.as_str());
        }
        for other in ["a.zip", "a.zip.bak", "a.zip!x", "a.zipper/b"] {
            assert!(!(other >= from.as_str() && other < to.as_str()), "{other}");
        }
    }
}

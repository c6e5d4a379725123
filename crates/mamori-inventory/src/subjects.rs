//! Who is in the inventory: distinct persons per category, and the
//! category × item × share summary.

use crate::error::{Ctx, InventoryError};
use crate::read::{from_sql_u64, parse_item, root_id};
use crate::write::member_range;
use crate::{Inventory, Subject, SummaryRow};
use mamori_core::{Category, DataItem, PersonCounter, PersonKeys};
use rusqlite::{params, Row, ToSql};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Columns every persons query yields, ordered by file, record and key.
const PERSON_COLUMNS: &str = "f.id, f.category, f.persons, b.data
    FROM files f LEFT JOIN person_blobs b ON b.file_id = f.id";
const PERSON_ORDER: &str = "ORDER BY f.id";

#[derive(Default)]
struct Tally {
    group: u16,
    items: BTreeSet<DataItem>,
    files: usize,
}

/// Feeds each file's person records to one streaming counter, one group per
/// category: only one file's blob is held at a time, and the counter spills
/// its sorted keys beside the database, so memory stays bounded.
struct Tallies {
    by_category: BTreeMap<Category, Tally>,
    counter: PersonCounter,
    /// One record's keys, reused from record to record.
    keys: PersonKeys,
}

impl Tallies {
    fn new(inventory_path: &Path) -> Self {
        let spill_dir = inventory_path
            .parent()
            .filter(|p| p.is_dir())
            .map(Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir);
        Tallies {
            by_category: BTreeMap::new(),
            counter: PersonCounter::with_spill_dir(spill_dir),
            keys: PersonKeys::default(),
        }
    }

    fn tally(&mut self, category: Category) -> &mut Tally {
        let next = u16::try_from(self.by_category.len()).unwrap_or(u16::MAX);
        self.by_category.entry(category).or_insert_with(|| Tally {
            group: next,
            ..Tally::default()
        })
    }

    fn row(&mut self, path: &Path, row: &Row<'_>) -> Result<(), InventoryError> {
        let category = Category::new(row.get::<_, String>(1).ctx(path)?);
        let persons = usize::try_from(row.get::<_, i64>(2).ctx(path)?)
            .map_err(|_| InventoryError::corrupt(path, "negative person count"))?;
        let tally = self.tally(category);
        tally.files += 1;
        let group = tally.group;
        let spill = |source| InventoryError::Spill {
            path: path.to_path_buf(),
            source,
        };
        let mut added = 0;
        if let Some(data) = row
            .get_ref(3)
            .ctx(path)?
            .as_blob_or_null()
            .map_err(|_| InventoryError::corrupt(path, "person record blob is not a blob"))?
        {
            let mut records = crate::blob::decode(data);
            let keys = &mut self.keys;
            while let Some(record) = records.next_into(keys) {
                record.map_err(|reason| InventoryError::corrupt(path, reason))?;
                if added >= persons {
                    return Err(InventoryError::corrupt(
                        path,
                        "person key of a missing record",
                    ));
                }
                self.counter.add_to(group, keys).map_err(spill)?;
                added += 1;
            }
        }
        // Records without any key still are persons.
        for _ in added..persons {
            self.counter
                .add_to(group, &PersonKeys::default())
                .map_err(spill)?;
        }
        Ok(())
    }

    fn item(&mut self, category: String, item: DataItem) {
        self.tally(Category::new(category)).items.insert(item);
    }

    fn finish(self, path: &Path) -> Result<BTreeMap<Category, Subject>, InventoryError> {
        let counts = self
            .counter
            .finish()
            .map_err(|source| InventoryError::Spill {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(self
            .by_category
            .into_iter()
            .map(|(category, tally)| {
                let subject = Subject {
                    persons: counts.get(usize::from(tally.group)).copied().unwrap_or(0),
                    items: tally.items,
                    files: tally.files,
                };
                (category, subject)
            })
            .collect())
    }
}

fn stream(
    tallies: &mut Tallies,
    conn: &rusqlite::Connection,
    path: &Path,
    filter: &str,
    args: &[&dyn ToSql],
) -> Result<(), InventoryError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {PERSON_COLUMNS} WHERE f.category IS NOT NULL {filter} {PERSON_ORDER}"
        ))
        .ctx(path)?;
    let mut rows = stmt.query(args).ctx(path)?;
    while let Some(row) = rows.next().ctx(path)? {
        tallies.row(path, row)?;
    }
    drop(rows);
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT DISTINCT f.category, i.item FROM files f JOIN file_items i ON i.file_id = f.id
             WHERE f.category IS NOT NULL {filter}"
        ))
        .ctx(path)?;
    let mut rows = stmt.query(args).ctx(path)?;
    while let Some(row) = rows.next().ctx(path)? {
        let item = parse_item(path, &row.get::<_, String>(1).ctx(path)?)?;
        tallies.item(row.get(0).ctx(path)?, item);
    }
    Ok(())
}

impl Inventory {
    /// Distinct persons per category across the root's files (all roots when
    /// `None`). Files without a category hold no personal data and are skipped.
    pub fn subjects(
        &self,
        root: Option<&str>,
    ) -> Result<BTreeMap<Category, Subject>, InventoryError> {
        let path = &self.path;
        let tx = self.conn.unchecked_transaction().ctx(path)?;
        let mut tallies = Tallies::new(path);
        match root {
            None => stream(&mut tallies, &tx, path, "", &[])?,
            Some(root) => {
                let Some(id) = root_id(&tx, path, root)? else {
                    return Ok(BTreeMap::new());
                };
                // Unary `+` keeps the planner off the (root, path) index, whose path
                // order would force a sort of every key row; a scan of `files` in id
                // order streams instead.
                stream(&mut tallies, &tx, path, "AND +f.root_id = ?1", params![id])?;
            }
        }
        tallies.finish(path)
    }

    /// Distinct persons per category across several roots together (a
    /// person in two shares counts once). Unknown roots are ignored.
    pub fn subjects_of_roots(
        &self,
        roots: &[String],
    ) -> Result<BTreeMap<Category, Subject>, InventoryError> {
        let path = &self.path;
        let tx = self.conn.unchecked_transaction().ctx(path)?;
        let mut tallies = Tallies::new(path);
        for root in roots {
            if let Some(id) = root_id(&tx, path, root)? {
                stream(&mut tallies, &tx, path, "AND +f.root_id = ?1", params![id])?;
            }
        }
        tallies.finish(path)
    }

    /// Persons and items per category within `paths` of `root` (an archive's
    /// path includes its members). Paths not in the inventory are ignored.
    pub fn subjects_of_files(
        &self,
        root: &str,
        paths: &[String],
    ) -> Result<BTreeMap<Category, Subject>, InventoryError> {
        let path = &self.path;
        let tx = self.conn.unchecked_transaction().ctx(path)?;
        let Some(root_id) = root_id(&tx, path, root)? else {
            return Ok(BTreeMap::new());
        };
        let mut ids = BTreeSet::new();
        {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id FROM files WHERE root_id = ?1 AND path = ?2
                     UNION ALL
                     SELECT id FROM files WHERE root_id = ?1 AND path >= ?3 AND path < ?4",
                )
                .ctx(path)?;
            for p in paths {
                let (from, to) = member_range(p);
                let found = stmt
                    .query_map(params![root_id, p, from, to], |r| r.get::<_, i64>(0))
                    .ctx(path)?;
                for id in found {
                    ids.insert(id.ctx(path)?);
                }
            }
        }
        let mut tallies = Tallies::new(path);
        for id in ids {
            stream(&mut tallies, &tx, path, "AND f.id = ?1", params![id])?;
        }
        tallies.finish(path)
    }

    /// Files and occurrences per share × category × item, sorted that way.
    pub fn summary(&self) -> Result<Vec<SummaryRow>, InventoryError> {
        let path = &self.path;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.share, f.category, i.item, count(*), sum(i.count)
                 FROM file_items i JOIN files f ON f.id = i.file_id JOIN roots r ON r.id = f.root_id
                 GROUP BY r.share, f.category, i.item",
            )
            .ctx(path)?;
        let mut out = Vec::new();
        let mut rows = stmt.query([]).ctx(path)?;
        while let Some(row) = rows.next().ctx(path)? {
            out.push(SummaryRow {
                share: row.get(0).ctx(path)?,
                category: row
                    .get::<_, Option<String>>(1)
                    .ctx(path)?
                    .map(Category::new),
                item: parse_item(path, &row.get::<_, String>(2).ctx(path)?)?,
                files: from_sql_u64(row.get(3).ctx(path)?),
                occurrences: from_sql_u64(row.get(4).ctx(path)?),
            });
        }
        out.sort_by(|a, b| (&a.share, &a.category, a.item).cmp(&(&b.share, &b.category, b.item)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(inv: &Inventory, sql: &str) -> String {
        let mut stmt = inv
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join(" | ")
    }

    #[test]
    fn persons_query_streams_without_sorting() {
        let inv = Inventory::open_in_memory().unwrap();
        for filter in ["", "AND +f.root_id = 1", "AND f.id = 1"] {
            let sql = format!(
                "SELECT {PERSON_COLUMNS} WHERE f.category IS NOT NULL {filter} {PERSON_ORDER}"
            );
            let plan = plan(&inv, &sql);
            assert!(!plan.contains("TEMP B-TREE"), "{filter}: {plan}");
        }
    }
}

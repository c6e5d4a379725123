//! The SQLite index of versions.

use crate::{Reason, Result, VaultError, VersionKind};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::{Path, PathBuf};

/// One kept version of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// The reference written into the journal (`Touch::vault`).
    pub id: String,
    pub share: String,
    /// Share-relative path when the version was taken.
    pub path: String,
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub taken_at: DateTime<Utc>,
    pub reason: Reason,
    pub session: String,
    pub kind: VersionKind,
    /// The file holding the content.
    pub object: PathBuf,
}

pub(crate) struct Index {
    path: PathBuf,
    conn: Connection,
}

const COLUMNS: &str =
    "id, share, path, dev, ino, size, mtime_ns, mode, uid, gid, taken_ns, reason, session, kind, object";

impl Index {
    pub fn open(path: &Path) -> Result<Index> {
        let conn = Connection::open(path).map_err(|source| VaultError::Index {
            path: path.to_path_buf(),
            source,
        })?;
        let index = Index {
            path: path.to_path_buf(),
            conn,
        };
        index
            .conn
            .execute_batch(
                "PRAGMA journal_mode=WAL;
                 PRAGMA synchronous=NORMAL;
                 PRAGMA busy_timeout=5000;
                 PRAGMA wal_autocheckpoint=4000;
                 CREATE TABLE IF NOT EXISTS versions(
                    id TEXT PRIMARY KEY, share TEXT NOT NULL, path TEXT NOT NULL,
                    dev INTEGER NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL,
                    gid INTEGER NOT NULL, taken_ns INTEGER NOT NULL, reason TEXT NOT NULL,
                    session TEXT NOT NULL, kind TEXT NOT NULL, object TEXT NOT NULL)
                    WITHOUT ROWID;
                 CREATE INDEX IF NOT EXISTS versions_path ON versions(share, path, taken_ns);
                 CREATE INDEX IF NOT EXISTS versions_inode ON versions(dev, ino, taken_ns);
                 CREATE INDEX IF NOT EXISTS versions_taken ON versions(taken_ns, id);",
            )
            .map_err(|e| index.err(e))?;
        Ok(index)
    }

    fn err(&self, source: rusqlite::Error) -> VaultError {
        VaultError::Index {
            path: self.path.clone(),
            source,
        }
    }

    pub fn insert(&self, v: &Version) -> Result<()> {
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO versions({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    v.id,
                    v.share,
                    v.path,
                    v.dev as i64,
                    v.ino as i64,
                    v.size as i64,
                    v.mtime_ns,
                    v.mode,
                    v.uid,
                    v.gid,
                    v.taken_at.timestamp_nanos_opt().unwrap_or(i64::MAX),
                    v.reason.as_str(),
                    v.session,
                    v.kind.as_str(),
                    v.object.to_string_lossy(),
                ])
            })
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn query(&self, sql_where: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Version>> {
        let sql = format!("SELECT {COLUMNS} FROM versions {sql_where}");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(args, row_to_version)
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            match row.map_err(|e| self.err(e))? {
                Some(v) => out.push(v),
                None => tracing::warn!("vault index: skipping an unreadable row"),
            }
        }
        Ok(out)
    }

    pub fn get(&self, id: &str) -> Result<Option<Version>> {
        Ok(self.query("WHERE id = ?1", &[&id])?.pop())
    }

    pub fn by_path(&self, share: &str, path: &str) -> Result<Vec<Version>> {
        self.query(
            "WHERE share = ?1 AND path = ?2 ORDER BY taken_ns, id",
            &[&share, &path],
        )
    }

    pub fn by_inode(&self, dev: u64, ino: u64) -> Result<Vec<Version>> {
        self.query(
            "WHERE dev = ?1 AND ino = ?2 ORDER BY taken_ns, id",
            &[&(dev as i64), &(ino as i64)],
        )
    }

    pub fn since(&self, share: &str, since: DateTime<Utc>) -> Result<Vec<Version>> {
        let ns = since.timestamp_nanos_opt().unwrap_or(i64::MIN);
        self.query(
            "WHERE share = ?1 AND taken_ns >= ?2 ORDER BY taken_ns, id",
            &[&share, &ns],
        )
    }

    /// Link versions of files directly in folder `dir` ("" = the share root).
    pub fn links_in(&self, share: &str, dir: &str) -> Result<Vec<Version>> {
        let (low, high) = if dir.is_empty() {
            (String::new(), "\u{10FFFF}".to_string())
        } else {
            (format!("{dir}/"), format!("{dir}0"))
        };
        let all = self.query(
            "WHERE share = ?1 AND kind = 'link' AND path >= ?2 AND path < ?3 ORDER BY taken_ns, id",
            &[&share, &low, &high],
        )?;
        Ok(all
            .into_iter()
            .filter(|v| v.path[low.len()..].find('/').is_none())
            .collect())
    }

    /// Up to `limit` versions, oldest first, after `after` (the
    /// `(taken_ns, id)` of the last one of the previous page): a prune walks
    /// the index a page at a time, whatever its size.
    pub fn page_oldest_first(
        &self,
        after: Option<&(i64, String)>,
        limit: usize,
    ) -> Result<Vec<Version>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match after {
            None => self.query("ORDER BY taken_ns, id LIMIT ?1", &[&limit]),
            Some((ns, id)) => self.query(
                "WHERE (taken_ns, id) > (?1, ?2) ORDER BY taken_ns, id LIMIT ?3",
                &[ns, id, &limit],
            ),
        }
    }

    pub fn delete(&self, id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM versions WHERE id = ?1", [id])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Inserts many rows in one transaction (a link sweep).
    pub fn insert_many(&self, versions: &[Version]) -> Result<()> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        for v in versions {
            self.insert(v)?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Deletes many rows in one transaction (a prune's page: one commit
    /// each took ≈ 1 ms, and a storm's prune for space removes thousands).
    pub fn delete_many(&self, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        for id in ids {
            self.delete(id)?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// For each (name, dev, inode): whether that inode already has a link
    /// version under that name. One read transaction for all: a lookup
    /// outside one takes and drops the database's shared lock each time.
    pub fn linked_among(&self, share: &str, files: &[(&str, u64, u64)]) -> Result<Vec<bool>> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT 1 FROM versions WHERE share = ?1 AND path = ?2 AND dev = ?3 AND ino = ?4 AND kind = 'link' LIMIT 1",
            )
            .map_err(|e| self.err(e))?;
        let linked = files
            .iter()
            .map(|(path, dev, ino)| {
                stmt.exists(params![share, path, *dev as i64, *ino as i64])
                    .map_err(|e| self.err(e))
            })
            .collect::<Result<Vec<bool>>>()?;
        drop(stmt);
        tx.commit().map_err(|e| self.err(e))?;
        Ok(linked)
    }

    /// Bytes held by copies and reflinks (links are counted when frozen,
    /// at prune time).
    pub fn total_bytes(&self) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(size), 0) FROM versions WHERE kind != 'link'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|v| v.unwrap_or(0).max(0) as u64)
            .map_err(|e| self.err(e))
    }
}

fn row_to_version(row: &Row<'_>) -> rusqlite::Result<Option<Version>> {
    let taken_ns: i64 = row.get(10)?;
    let reason: String = row.get(11)?;
    let kind: String = row.get(13)?;
    let object: String = row.get(14)?;
    let (Some(reason), Some(kind)) = (Reason::parse(&reason), VersionKind::parse(&kind)) else {
        return Ok(None);
    };
    Ok(Some(Version {
        id: row.get(0)?,
        share: row.get(1)?,
        path: row.get(2)?,
        dev: row.get::<_, i64>(3)? as u64,
        ino: row.get::<_, i64>(4)? as u64,
        size: row.get::<_, i64>(5)? as u64,
        mtime_ns: row.get(6)?,
        mode: row.get(7)?,
        uid: row.get(8)?,
        gid: row.get(9)?,
        taken_at: DateTime::from_timestamp_nanos(taken_ns),
        reason,
        session: row.get(12)?,
        kind,
        object: PathBuf::from(object),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Reason, VersionKind};

    fn version(id: &str, ns: i64) -> Version {
        Version {
            id: id.into(),
            share: "s".into(),
            path: format!("{id}.txt"),
            dev: 1,
            ino: 1,
            size: 1,
            mtime_ns: 0,
            mode: 0o644,
            uid: 0,
            gid: 0,
            taken_at: DateTime::from_timestamp_nanos(ns),
            reason: Reason::Write,
            session: String::new(),
            kind: VersionKind::Copy,
            object: PathBuf::new(),
        }
    }

    #[test]
    fn pages_walk_every_version_once_oldest_first_ties_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        // Two versions share each time stamp: the id breaks the tie.
        for i in 0..10i64 {
            index
                .insert(&version(&format!("v{i:02}"), 1_000 + i / 2))
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = index.page_oldest_first(after.as_ref(), 3).unwrap();
            let Some(last) = page.last() else { break };
            after = Some((
                last.taken_at.timestamp_nanos_opt().unwrap(),
                last.id.clone(),
            ));
            seen.extend(page.into_iter().map(|v| v.id));
        }
        let expected: Vec<String> = (0..10).map(|i| format!("v{i:02}")).collect();
        assert_eq!(seen, expected);
    }
}

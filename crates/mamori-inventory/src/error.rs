//! Errors that always name the database file, so an operator reading a log
//! line knows which inventory is affected and why.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("cannot create inventory directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create inventory database {path}: {source}")]
    CreateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("inventory database {path} is locked by another process")]
    Locked { path: PathBuf },
    #[error("inventory database {path} is not a mamori inventory or is corrupt ({reason})")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "inventory database {path} was written by a newer mamori (schema {found}); this build reads up to schema {supported}, upgrade mamori"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("inventory database {path}: scan {scan} {reason}")]
    Scan {
        path: PathBuf,
        scan: i64,
        reason: String,
    },
    #[error("counting persons of inventory {path}: temporary sorted keys beside it: {source}")]
    Spill {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("inventory database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl InventoryError {
    pub(crate) fn corrupt(path: &Path, reason: impl Into<String>) -> Self {
        InventoryError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn from_sqlite(path: &Path, source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                InventoryError::Locked { path }
            }
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => InventoryError::Corrupt {
                path,
                reason: source.to_string(),
            },
            _ => InventoryError::Sqlite { path, source },
        }
    }
}

/// Attaches the database path to rusqlite errors: `stmt.execute(..).ctx(path)?`.
pub(crate) trait Ctx<T> {
    fn ctx(self, path: &Path) -> Result<T, InventoryError>;
}

impl<T> Ctx<T> for rusqlite::Result<T> {
    fn ctx(self, path: &Path) -> Result<T, InventoryError> {
        self.map_err(|e| InventoryError::from_sqlite(path, e))
    }
}

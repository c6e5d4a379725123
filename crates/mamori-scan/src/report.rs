//! The scan report of `shared/spec/contracts.md` §1. Field names are the
//! contract: add freely, never rename.

use mamori_core::DataItem;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub root: String,
    pub files: Vec<FileReport>,
    pub subjects: BTreeMap<String, SubjectReport>,
    /// Not in the contract's minimum: what this scan did.
    pub scan: ScanStats,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub category: Option<String>,
    pub items: BTreeMap<DataItem, u64>,
    pub records: u64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectReport {
    pub persons: usize,
    pub items: BTreeSet<DataItem>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanStats {
    pub files: u64,
    pub bytes_read: u64,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub deleted: u64,
    pub errors: u64,
    pub skipped: u64,
    pub seconds: f64,
    /// Whether names were confirmed with the IPADIC dictionary.
    pub morphology: bool,
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

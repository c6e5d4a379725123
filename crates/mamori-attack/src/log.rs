//! The simulator's own log: one JSON line per SMB operation, with the wall
//! clock, so a benchmark can set the first malicious write against the
//! guard's alert times.

use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone, Serialize)]
pub struct OpRecord {
    /// When the operation was sent (RFC 3339 with microseconds).
    pub time: String,
    /// How long it took.
    pub ms: f64,
    /// `read`, `write`, `write_at`, `rename`, `unlink`, `note`, ...
    pub op: String,
    pub path: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// True for operations that damage the victim's data.
    pub malicious: bool,
}

/// Appends records to a JSONL file (when given) and keeps them in memory.
#[derive(Debug, Default)]
pub struct OpLog {
    path: Option<PathBuf>,
    records: Mutex<Vec<OpRecord>>,
}

impl OpLog {
    pub fn new(path: Option<&Path>) -> OpLog {
        OpLog {
            path: path.map(Path::to_path_buf),
            records: Mutex::new(Vec::new()),
        }
    }

    /// Records an operation that just finished (started now).
    pub fn record(&self, op: &str, path: &str, malicious: bool, result: Result<(), String>) {
        self.record_started(op, path, malicious, chrono::Utc::now(), result)
    }

    /// Records an operation sent at `started` that just finished.
    pub fn record_started(
        &self,
        op: &str,
        path: &str,
        malicious: bool,
        started: chrono::DateTime<chrono::Utc>,
        result: Result<(), String>,
    ) {
        let elapsed = chrono::Utc::now() - started;
        let record = OpRecord {
            time: started.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ms: elapsed.num_microseconds().unwrap_or(0) as f64 / 1000.0,
            op: op.to_string(),
            path: path.to_string(),
            ok: result.is_ok(),
            error: result.err(),
            malicious,
        };
        if let Some(p) = &self.path {
            if let Ok(line) = serde_json::to_string(&record) {
                if let Ok(mut f) = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                {
                    let _ = f.write_all(format!("{line}\n").as_bytes());
                }
            }
        }
        if let Ok(mut records) = self.records.lock() {
            records.push(record);
        }
    }

    pub fn records(&self) -> Vec<OpRecord> {
        self.records.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Send time of the first malicious operation the server accepted.
    pub fn first_malicious(&self) -> Option<String> {
        self.records()
            .into_iter()
            .find(|r| r.malicious && r.ok)
            .map(|r| r.time)
    }
}

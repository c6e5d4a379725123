//! `alerts.jsonl`: the channel of record.

use crate::{Alert, AlertError, Channel};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub struct JsonlSink {
    path: PathBuf,
}

impl JsonlSink {
    pub fn new(path: PathBuf) -> Self {
        JsonlSink { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Channel for JsonlSink {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn send(&self, alert: &Alert) -> Result<(), AlertError> {
        let err = |source| AlertError::Journal {
            path: self.path.clone(),
            source,
        };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        let mut line = alert.to_json().to_string();
        line.push('\n');
        // One write with O_APPEND: lines of concurrent writers never interleave.
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(err)?;
        file.write_all(line.as_bytes()).map_err(err)?;
        file.sync_data().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Alerter;

    #[test]
    fn appends_one_json_object_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let alerter = Alerter::new(dir.path());
        let alert = Alert::new("detection", "検知", "detected")
            .with("incident", "i-1")
            .with("files", vec!["a.txt"]);
        alerter.emit(&alert).unwrap();
        alerter.emit(&alert).unwrap();
        let text = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["kind"], "detection");
        assert_eq!(lines[0]["incident"], "i-1");
        assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));
    }
}

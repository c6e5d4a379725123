//! Samba `vfs_full_audit` lines: who (user, client IP, machine) did what to
//! which file, for the inotify fallback where the kernel gives no pid.
//!
//! Expected prefix `%u|%I|%m|%S` (user, client IP, machine, share). Lines
//! look like `smbd_audit: taro|10.0.0.5|PC01|docs|renameat|ok|/srv/docs/a|/srv/docs/b`
//! in syslog, or the same without `smbd_audit: ` (indented) in Samba's own
//! log when `full_audit:syslog = false`.

use mamori_journal::Actor;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// One parsed audit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub user: String,
    pub client: String,
    pub machine: String,
    pub share: String,
    pub operation: String,
    pub ok: bool,
    /// Absolute paths named by the operation (two for a rename).
    pub paths: Vec<PathBuf>,
}

impl AuditRecord {
    pub fn actor(&self) -> Actor {
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Actor {
            user: non_empty(&self.user),
            client: non_empty(&self.client),
            machine: non_empty(&self.machine),
            ..Actor::default()
        }
    }
}

const OPERATIONS: &[&str] = &[
    "connect",
    "disconnect",
    "create_file",
    "openat",
    "renameat",
    "unlinkat",
    "pwrite",
    "write",
    "pwrite_send",
    "ftruncate",
    "fntimes",
    "mkdirat",
    "close",
];

/// Parses one line; `None` for anything that is not an audit record.
pub fn parse_line(line: &str) -> Option<AuditRecord> {
    let body = match line.find("smbd_audit: ") {
        Some(at) => &line[at + "smbd_audit: ".len()..],
        None => line.trim_start(),
    };
    let fields: Vec<&str> = body.trim_end().split('|').collect();
    if fields.len() < 6 || !OPERATIONS.contains(&fields[4]) {
        return None;
    }
    let paths = fields[6..]
        .iter()
        .filter(|f| f.starts_with('/'))
        .map(PathBuf::from)
        .collect();
    Some(AuditRecord {
        user: fields[0].to_string(),
        client: fields[1].to_string(),
        machine: fields[2].to_string(),
        share: fields[3].to_string(),
        operation: fields[4].to_string(),
        ok: fields[5] == "ok",
        paths,
    })
}

/// Follows an audit log file and remembers, per absolute path, who touched
/// it last (bounded: the oldest entries are forgotten first).
pub struct AuditTail {
    path: PathBuf,
    offset: u64,
    recent: HashMap<PathBuf, Actor>,
    order: VecDeque<PathBuf>,
    capacity: usize,
    /// The last actor per share, for paths the log did not name.
    last_by_share: HashMap<String, Actor>,
}

impl AuditTail {
    /// Starts at the end of the file (history is not attributed).
    pub fn open(path: &Path, capacity: usize) -> AuditTail {
        let offset = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        AuditTail {
            path: path.to_path_buf(),
            offset,
            recent: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            last_by_share: HashMap::new(),
        }
    }

    /// Reads lines appended since the last call (handles rotation by size).
    pub fn poll(&mut self) -> std::io::Result<usize> {
        let mut file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let len = file.metadata()?.len();
        if len < self.offset {
            self.offset = 0;
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut reader = std::io::BufReader::new(file);
        let mut line = String::new();
        let mut count = 0;
        loop {
            line.clear();
            let n = reader.read_line(&mut line)?;
            if n == 0 || !line.ends_with('\n') {
                break;
            }
            self.offset += n as u64;
            if let Some(record) = parse_line(&line) {
                count += 1;
                self.remember(&record);
            }
        }
        Ok(count)
    }

    fn remember(&mut self, record: &AuditRecord) {
        let actor = record.actor();
        self.last_by_share
            .insert(record.share.clone(), actor.clone());
        for path in &record.paths {
            if self.recent.insert(path.clone(), actor.clone()).is_none() {
                self.order.push_back(path.clone());
            }
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.recent.remove(&old);
            }
        }
    }

    /// Who last touched `path` (absolute), else who last acted on `share`.
    pub fn actor_for(&self, path: &Path, share: &str) -> Option<Actor> {
        self.recent
            .get(path)
            .or_else(|| self.last_by_share.get(share))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_samba_log_and_syslog_lines() {
        let own = parse_line("  gtest|127.0.0.1|vm|docs|renameat|ok|/tmp/s/h5.txt|/tmp/s/h6.txt\n")
            .unwrap();
        assert_eq!(own.user, "gtest");
        assert_eq!(own.client, "127.0.0.1");
        assert_eq!(own.machine, "vm");
        assert_eq!(own.operation, "renameat");
        assert_eq!(
            own.paths,
            vec![
                PathBuf::from("/tmp/s/h5.txt"),
                PathBuf::from("/tmp/s/h6.txt")
            ]
        );
        let sys = parse_line(
            "Nov 26 00:57:15 host smbd_audit: taro|10.0.0.5|PC01|docs|openat|ok|w|/srv/docs/a.xlsx",
        )
        .unwrap();
        assert_eq!(sys.paths, vec![PathBuf::from("/srv/docs/a.xlsx")]);
        assert_eq!(sys.actor().machine.as_deref(), Some("PC01"));
        assert!(parse_line(
            "[2026/11/26 00:57:15.711976,  1] ../../source3/modules/vfs_full_audit.c:643(do_log)"
        )
        .is_none());
        assert!(parse_line("a|b|c").is_none());
    }

    #[test]
    fn tail_follows_appends_and_forgets_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        std::fs::write(&log, "  old|1.1.1.1|m|docs|openat|ok|w|/s/old\n").unwrap();
        let mut tail = AuditTail::open(&log, 2);
        assert_eq!(tail.poll().unwrap(), 0);
        let mut text = std::fs::read_to_string(&log).unwrap();
        for i in 0..3 {
            text.push_str(&format!("  u{i}|10.0.0.{i}|m|docs|openat|ok|w|/s/f{i}\n"));
        }
        text.push_str("  torn|");
        std::fs::write(&log, text).unwrap();
        assert_eq!(tail.poll().unwrap(), 3);
        assert!(!tail.recent.contains_key(Path::new("/s/f0")));
        assert_eq!(
            tail.actor_for(Path::new("/s/f2"), "docs")
                .unwrap()
                .user
                .as_deref(),
            Some("u2")
        );
        assert_eq!(
            tail.actor_for(Path::new("/s/zz"), "docs")
                .unwrap()
                .user
                .as_deref(),
            Some("u2")
        );
    }
}

//! The incident journal: the one record of what happened in an attack.
//!
//! Design: the guard writes it while an attack runs, so it must survive a
//! crash at any byte and never need a database lock on the hot path. Each
//! incident is a folder `STATE/incidents/<id>/` with
//! - `incident.json`: the [`Incident`] (actor, share, state, reasons),
//!   replaced atomically (write temp + rename) on every change;
//! - `touched.jsonl`: one [`Touch`] per line, append-only (paths before and
//!   after renames, the vault copy holding the content before the first
//!   write), read back tolerating a torn last line.
//!
//! Readers: `mamori restore` (what to put back), `mamori incident` (which
//! files, hence whose data), `mamori leaks` (files seen in a leak listing are
//! recorded as [`TouchOp::Leaked`]). Paths are relative to the share root,
//! `/`-separated, exactly as the inventory stores them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("incident journal {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("incident journal {path}: unreadable record: {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("no incident {0}")]
    NotFound(String),
}

type Result<T> = std::result::Result<T, JournalError>;

/// How far around an incident's journal a restore looks: shared by
/// `mamori-restore`, which reads the vault through them, and the vault's
/// prune, which keeps what they reach while the incident is open.
pub mod window {
    use chrono::Duration;

    /// Incidents of one actor on one share starting this close together
    /// are one attack, restored together.
    pub const SIBLINGS: Duration = Duration::minutes(10);

    /// How long after the incident's last recorded touch a modification may
    /// still be the attacker's own (writes continue after the touch that
    /// announced them until the session is blocked).
    pub const ATTACKER_SLACK: Duration = Duration::seconds(5);

    /// How long before the incident's start an unlink the journal missed
    /// still counts as the attack's.
    pub const UNLINK_BEFORE_START: Duration = Duration::seconds(60);
}

/// Where an incident came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentSource {
    /// Detected live by `mamori guard`.
    Guard,
    /// Reconstructed afterwards by `mamori incident sweep`.
    Sweep,
    /// A leak-site listing matched the inventory (`mamori leaks`).
    Leak,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    Detected,
    Blocked,
    Released,
    Restored,
}

/// Who did it, as far as known. SMB attacks: session pid, user, client
/// address, machine; local processes: pid, executable, uid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exe: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incident {
    pub version: u32,
    pub id: String,
    pub source: IncidentSource,
    pub state: IncidentState,
    /// When the first malicious action was seen (or, for a sweep, the
    /// earliest modification time of an encrypted file).
    pub started: DateTime<Utc>,
    /// When the organisation learnt of it (the APPI deadlines run from here).
    pub discovered: DateTime<Utc>,
    pub share: String,
    /// The share's directory on this server.
    pub share_root: PathBuf,
    #[serde(default)]
    pub actor: Actor,
    /// Why it was judged an attack, human-readable, in detection order.
    #[serde(default)]
    pub reasons: Vec<String>,
}

impl Incident {
    pub fn new(
        source: IncidentSource,
        share: &str,
        share_root: &Path,
        started: DateTime<Utc>,
    ) -> Self {
        Incident {
            version: 1,
            id: new_id(started),
            source,
            state: IncidentState::Detected,
            started,
            discovered: started,
            share: share.to_string(),
            share_root: share_root.to_path_buf(),
            actor: Actor::default(),
            reasons: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TouchOp {
    /// Content changed (including truncation).
    Modify,
    Create,
    /// `from` → `path`.
    Rename,
    Delete,
    Read,
    /// A ransom note the attacker wrote (restore removes it).
    RansomNote,
    /// Named in a leak-site file listing.
    Leaked,
}

/// One thing the attacker did to one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Touch {
    pub time: DateTime<Utc>,
    pub op: TouchOp,
    /// Path relative to the share root (the new name for a rename).
    pub path: String,
    /// The old name of a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Vault object holding the content before the attacker's first write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<String>,
}

impl Touch {
    pub fn new(op: TouchOp, path: impl Into<String>) -> Self {
        Touch {
            time: Utc::now(),
            op,
            path: path.into(),
            from: None,
            vault: None,
        }
    }
}

/// A new incident id: sortable by time, unique enough for one server.
pub fn new_id(at: DateTime<Utc>) -> String {
    let mut random = [0u8; 3];
    // A clock-only id is still usable if the system RNG fails.
    let _ = getrandom::fill(&mut random);
    format!("{}-{}", at.format("%Y%m%d-%H%M%S"), hex::encode(random))
}

/// The incidents under one state directory.
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    pub fn open(state_dir: &Path) -> Self {
        Journal {
            dir: state_dir.join("incidents"),
        }
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JournalError + '_ {
        move |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Writes (or rewrites) an incident's metadata atomically.
    pub fn save(&self, incident: &Incident) -> Result<()> {
        let dir = self.dir.join(&incident.id);
        std::fs::create_dir_all(&dir).map_err(Self::io(&dir))?;
        let path = dir.join("incident.json");
        let temp = dir.join("incident.json.tmp");
        let json = serde_json::to_vec_pretty(incident).map_err(|source| JournalError::Corrupt {
            path: path.clone(),
            source,
        })?;
        let mut file = std::fs::File::create(&temp).map_err(Self::io(&temp))?;
        file.write_all(&json).map_err(Self::io(&temp))?;
        file.sync_all().map_err(Self::io(&temp))?;
        std::fs::rename(&temp, &path).map_err(Self::io(&path))
    }

    /// Appends touches, one line each, in one write.
    pub fn append(&self, id: &str, touches: &[Touch]) -> Result<()> {
        let dir = self.dir.join(id);
        std::fs::create_dir_all(&dir).map_err(Self::io(&dir))?;
        let path = dir.join("touched.jsonl");
        let mut buffer = Vec::new();
        for touch in touches {
            serde_json::to_writer(&mut buffer, touch).map_err(|source| JournalError::Corrupt {
                path: path.clone(),
                source,
            })?;
            buffer.push(b'\n');
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(Self::io(&path))?;
        file.write_all(&buffer).map_err(Self::io(&path))?;
        file.sync_data().map_err(Self::io(&path))
    }

    /// Every incident, oldest first.
    pub fn list(&self) -> Result<Vec<Incident>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::io(&self.dir)(e)),
        };
        let mut incidents = Vec::new();
        for entry in entries {
            let entry = entry.map_err(Self::io(&self.dir))?;
            let path = entry.path().join("incident.json");
            if path.is_file() {
                incidents.push(Self::read_incident(&path)?);
            }
        }
        incidents.sort_by(|a, b| (a.started, &a.id).cmp(&(b.started, &b.id)));
        Ok(incidents)
    }

    fn read_incident(path: &Path) -> Result<Incident> {
        let bytes = std::fs::read(path).map_err(Self::io(path))?;
        serde_json::from_slice(&bytes).map_err(|source| JournalError::Corrupt {
            path: path.to_path_buf(),
            source,
        })
    }

    /// One incident by id, or the newest for `latest`.
    pub fn get(&self, id: &str) -> Result<Incident> {
        if id == "latest" {
            return self
                .list()?
                .pop()
                .ok_or_else(|| JournalError::NotFound(id.to_string()));
        }
        let path = self.dir.join(id).join("incident.json");
        if id.contains('/') || id.contains("..") || !path.is_file() {
            return Err(JournalError::NotFound(id.to_string()));
        }
        Self::read_incident(&path)
    }

    /// The incident's touches in journal order. A torn last line (crash
    /// mid-write) is dropped; a corrupt line elsewhere is an error.
    pub fn touches(&self, id: &str) -> Result<Vec<Touch>> {
        let path = self.dir.join(id).join("touched.jsonl");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::io(&path)(e)),
        };
        let complete = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        let mut touches = Vec::with_capacity(lines.len());
        for (index, line) in lines.iter().enumerate() {
            match serde_json::from_str(line) {
                Ok(touch) => touches.push(touch),
                Err(_) if index + 1 == lines.len() && !complete => {}
                Err(source) => return Err(JournalError::Corrupt { path, source }),
            }
        }
        Ok(touches)
    }

    /// The folder of one incident (for files that belong to it, e.g. reports).
    pub fn incident_dir(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_latest() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path());
        let mut first = Incident::new(
            IncidentSource::Guard,
            "share",
            Path::new("/srv/share"),
            Utc::now(),
        );
        first.actor.user = Some("taro".into());
        journal.save(&first).unwrap();
        let mut touch = Touch::new(TouchOp::Rename, "a.docx.lockbit");
        touch.from = Some("a.docx".into());
        journal
            .append(
                &first.id,
                &[touch, Touch::new(TouchOp::RansomNote, "README.txt")],
            )
            .unwrap();
        let later = Incident::new(
            IncidentSource::Sweep,
            "share",
            Path::new("/srv/share"),
            Utc::now() + chrono::Duration::seconds(5),
        );
        journal.save(&later).unwrap();
        assert_eq!(journal.list().unwrap().len(), 2);
        assert_eq!(journal.get("latest").unwrap().id, later.id);
        let back = journal.get(&first.id).unwrap();
        assert_eq!(back.actor.user.as_deref(), Some("taro"));
        let touches = journal.touches(&first.id).unwrap();
        assert_eq!(touches.len(), 2);
        assert_eq!(touches[0].from.as_deref(), Some("a.docx"));
        assert!(matches!(
            journal.get("../x"),
            Err(JournalError::NotFound(_))
        ));
    }

    #[test]
    fn torn_last_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path());
        journal
            .append("x", &[Touch::new(TouchOp::Modify, "a")])
            .unwrap();
        let path = dir.path().join("incidents/x/touched.jsonl");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"time\":");
        std::fs::write(&path, text).unwrap();
        assert_eq!(journal.touches("x").unwrap().len(), 1);
    }
}

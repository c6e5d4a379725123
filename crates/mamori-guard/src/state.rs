//! The guard's own state: the pid file (clean-stop detection, one guard per
//! state directory) and incident state from the journal (blocks survive a
//! restart; releases made by `mamori guard release`).

use crate::GuardError;
use mamori_journal::{Actor, Incident, IncidentSource, IncidentState, Journal};
use std::path::{Path, PathBuf};

/// `STATE/guard.pid`, removed on a clean stop.
pub struct PidFile {
    path: PathBuf,
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn is_mamori(pid: u32) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let first = cmdline.split(|&b| b == 0).next().unwrap_or_default();
    let exe = String::from_utf8_lossy(first);
    let arg_guard = cmdline.split(|&b| b == 0).any(|a| a == b"guard");
    exe.contains("mamori") || arg_guard
}

impl PidFile {
    /// Takes the pid file. Returns the previous pid when the previous guard
    /// died without stopping cleanly.
    pub fn acquire(state_dir: &Path) -> Result<(PidFile, Option<u32>), GuardError> {
        let io = |source| GuardError::State {
            path: state_dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(state_dir).map_err(io)?;
        let path = state_dir.join("guard.pid");
        let previous = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok());
        let mut unclean = None;
        if let Some(pid) = previous {
            if pid != std::process::id() && alive(pid) && is_mamori(pid) {
                return Err(GuardError::AlreadyRunning {
                    pid,
                    state_dir: state_dir.to_path_buf(),
                });
            }
            unclean = Some(pid);
        } else if path.exists() {
            unclean = Some(0);
        }
        std::fs::write(&path, format!("{}\n", std::process::id())).map_err(io)?;
        Ok((PidFile { path }, unclean))
    }

    /// Removes the file: the stop was clean.
    pub fn release(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Incidents of the guard still blocking (state `blocked`).
pub fn blocked_incidents(journal: &Journal) -> Vec<Incident> {
    match journal.list() {
        Ok(list) => list
            .into_iter()
            .filter(|i| i.source == IncidentSource::Guard && i.state == IncidentState::Blocked)
            .collect(),
        Err(e) => {
            tracing::error!("cannot read the incident journal: {e}");
            Vec::new()
        }
    }
}

/// The actor to block again after a restart: SMB actors by user and client
/// (their pids are gone or recycled), local ones by pid only while the same
/// executable still runs under it.
pub fn actor_to_reblock(actor: &Actor) -> Actor {
    let mut again = actor.clone();
    let smb = actor.user.is_some() || actor.client.is_some();
    let same_process = actor.pid.is_some_and(|pid| {
        let exe = mamori_respond::attribution::exe_of(pid).map(|e| e.display().to_string());
        exe.is_some() && exe == actor.exe
    });
    if smb || !same_process {
        again.pid = None;
    }
    again
}

/// Marks an incident released (the running guard notices within a second).
pub fn release(journal: &Journal, id: &str) -> Result<Incident, mamori_journal::JournalError> {
    let mut incident = journal.get(id)?;
    if incident.state == IncidentState::Blocked || incident.state == IncidentState::Detected {
        incident.state = IncidentState::Released;
        journal.save(&incident)?;
    }
    Ok(incident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_file_reports_an_unclean_stop() {
        let dir = tempfile::tempdir().unwrap();
        let (file, unclean) = PidFile::acquire(dir.path()).unwrap();
        assert_eq!(unclean, None);
        // Our own pid in the file counts as a crashed previous run.
        let (file2, unclean) = PidFile::acquire(dir.path()).unwrap();
        assert_eq!(unclean, Some(std::process::id()));
        drop(file);
        file2.release();
        assert!(!dir.path().join("guard.pid").exists());
        std::fs::write(dir.path().join("guard.pid"), "999999999\n").unwrap();
        let (_file, unclean) = PidFile::acquire(dir.path()).unwrap();
        assert_eq!(unclean, Some(999_999_999));
    }

    #[test]
    fn smb_actors_are_reblocked_without_pid() {
        let actor = Actor {
            user: Some("taro".into()),
            pid: Some(1),
            ..Actor::default()
        };
        assert_eq!(actor_to_reblock(&actor).pid, None);
        assert_eq!(actor_to_reblock(&actor).user.as_deref(), Some("taro"));
    }
}

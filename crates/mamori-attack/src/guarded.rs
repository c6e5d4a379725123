//! Running the real `mamori guard` binary over a harness share, and reading
//! its `alerts.jsonl` (shared by the end-to-end tests and `bench-guard`).

use crate::samba::SambaServer;
use crate::{AttackError, Result};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A `mamori guard --share NAME=DIR --state-dir … --smb-conf …` child,
/// stopped with SIGTERM on drop.
pub struct GuardProcess {
    child: Child,
    state: PathBuf,
    /// The state directory when the guard owns a temporary one.
    _temp: Option<tempfile::TempDir>,
    /// The guard's `ready` line (backend, pre-content events, ...).
    ready: String,
}

/// CPU time (ns) all threads of `pid` used so far (`/proc/PID/task/*/schedstat`).
pub fn cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Processes whose parent is `pid` (the guard's `smbstatus`, hooks, …).
pub fn children(pid: u32) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        // The parent is the second field after the command, which ends at
        // the last ')' (a command may hold spaces and parentheses).
        .filter_map(|stat| {
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().nth(1)?.parse::<u32>().ok()
        })
        .filter(|&parent| parent == pid)
        .count()
}

/// Context switches (voluntary + involuntary) of all threads of `pid` so
/// far (`/proc/PID/task/*/status`): each voluntary one is a sleep, so a
/// wake-up to come.
pub fn context_switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

impl GuardProcess {
    /// The guard's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts the guard on `server`'s share and waits (≤ 60 s) for the
    /// `ready` line on stderr. Its stderr is echoed with a `[guard]` prefix
    /// when `echo`.
    pub fn start(mamori: &Path, server: &SambaServer, echo: bool) -> Result<GuardProcess> {
        Self::start_with_config(mamori, server, None, echo)
    }

    /// Same, with a guard configuration file (`--config`).
    pub fn start_with_config(
        mamori: &Path,
        server: &SambaServer,
        config: Option<&Path>,
        echo: bool,
    ) -> Result<GuardProcess> {
        let temp = tempfile::Builder::new()
            .prefix("mamori-guard-state-")
            .tempdir()
            .map_err(|e| AttackError::Setup(format!("temp dir: {e}")))?;
        let mut guard = Self::spawn(mamori, server, temp.path(), "en", config, echo)?;
        guard._temp = Some(temp);
        Ok(guard)
    }

    /// Same, with a given state directory (the one the inventory lives in,
    /// so `mamori incident` can join the guard's journal with it) and the
    /// guard's display language.
    pub fn start_with_state(
        mamori: &Path,
        server: &SambaServer,
        state: &Path,
        lang: &str,
        echo: bool,
    ) -> Result<GuardProcess> {
        Self::spawn(mamori, server, state, lang, None, echo)
    }

    fn spawn(
        mamori: &Path,
        server: &SambaServer,
        state: &Path,
        lang: &str,
        config: Option<&Path>,
        echo: bool,
    ) -> Result<GuardProcess> {
        let mut command = Command::new(mamori);
        command.args(["--lang", lang, "guard"]);
        if let Some(config) = config {
            command.arg("--config").arg(config);
        }
        let mut child = command
            .arg("--share")
            .arg(format!(
                "{}={}",
                server.share_name(),
                server.share_dir().display()
            ))
            .arg("--state-dir")
            .arg(state)
            .arg("--smb-conf")
            .arg(server.conf())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AttackError::Setup(format!("{}: {e}", mamori.display())))?;
        let Some(stderr) = child.stderr.take() else {
            return Err(AttackError::Setup("guard stderr not captured".into()));
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                if echo {
                    eprintln!("[guard] {line}");
                }
                if line.contains("ready") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(line);
                    }
                }
            }
        });
        let mut guard = GuardProcess {
            child,
            state: state.to_path_buf(),
            _temp: None,
            ready: String::new(),
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => guard.ready = line,
            Err(_) => {
                let status = guard.child.try_wait().ok().flatten();
                return Err(AttackError::Setup(format!(
                    "mamori guard did not print `ready` within 60 s (exit: {status:?})"
                )));
            }
        }
        Ok(guard)
    }

    /// The guard's `ready` line, e.g. `... ready (fanotify, pre-content=true, thread ids=true, ...)`.
    pub fn ready_line(&self) -> &str {
        &self.ready
    }

    pub fn state_dir(&self) -> &Path {
        &self.state
    }

    pub fn alerts_path(&self) -> PathBuf {
        self.state.join("alerts.jsonl")
    }

    /// Every alert so far.
    pub fn alerts(&self) -> Vec<Value> {
        std::fs::read_to_string(self.alerts_path())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    pub fn detections(&self) -> Vec<Value> {
        self.alerts()
            .into_iter()
            .filter(|a| a["kind"] == "detection")
            .collect()
    }

    /// Waits up to `timeout` for an alert of `kind` about `user`.
    pub fn wait_alert(&self, kind: &str, user: &str, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self
                .alerts()
                .into_iter()
                .find(|a| a["kind"] == kind && a["user"] == user);
            if found.is_some() || Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for GuardProcess {
    fn drop(&mut self) {
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Milliseconds from RFC 3339 time `from` to `to` (None if either is bad).
pub fn ms_between(from: &str, to: &str) -> Option<i64> {
    let a = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_milliseconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_a_child_while_it_runs() {
        let own = std::process::id();
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        assert!(children(own) >= 1);
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

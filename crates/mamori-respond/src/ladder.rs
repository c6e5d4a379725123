//! The response ladder: block, cut, hook; and the blocklist.

use crate::RespondError;
use mamori_journal::Actor;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

/// One rung of the ladder, in the order they are climbed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Alert only.
    Alert,
    /// Deny further opens and reads/writes of the actor (and new sessions
    /// of the same user or client).
    Block,
    /// End the SMB session (or kill the local process).
    Cut,
    /// Run the configured command.
    Hook,
}

#[derive(Default)]
struct Blocked {
    users: HashMap<String, String>,
    clients: HashMap<String, String>,
    pids: HashMap<u32, String>,
}

/// Who is blocked, by which incident. Readers (the permission fast path)
/// check [`Blocklist::generation`] first: 0 means nothing is blocked.
#[derive(Default)]
pub struct Blocklist {
    inner: RwLock<Blocked>,
    /// Bumped on every change; 0 while nothing was ever blocked.
    generation: AtomicU64,
    active: AtomicU64,
}

fn blockable_client(client: &str) -> bool {
    client.parse::<IpAddr>().map_or(!client.is_empty(), |ip| {
        !ip.is_loopback() && !ip.is_unspecified()
    })
}

impl Blocklist {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether anything is blocked right now.
    pub fn any(&self) -> bool {
        self.active.load(Ordering::Acquire) > 0
    }

    fn changed(&self, blocked: &Blocked) {
        let n = blocked.users.len() + blocked.clients.len() + blocked.pids.len();
        self.active.store(n as u64, Ordering::Release);
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Blocks an actor: an SMB actor by user and (non-loopback) client
    /// address, and always by pid. Returns what was blocked, for the alert.
    pub fn block(&self, incident: &str, actor: &Actor, by_client: bool) -> Vec<String> {
        let mut what = Vec::new();
        let Ok(mut blocked) = self.inner.write() else {
            return what;
        };
        if let Some(user) = actor.user.as_ref().filter(|u| !u.is_empty()) {
            blocked.users.insert(user.clone(), incident.to_string());
            what.push(format!("user={user}"));
        }
        if let Some(client) = actor
            .client
            .as_ref()
            .filter(|c| by_client && blockable_client(c))
        {
            blocked.clients.insert(client.clone(), incident.to_string());
            what.push(format!("client={client}"));
        }
        if let Some(pid) = actor.pid {
            blocked.pids.insert(pid, incident.to_string());
            what.push(format!("pid={pid}"));
        }
        self.changed(&blocked);
        what
    }

    /// Blocks one more pid of an already blocked actor (a new session).
    pub fn add_pid(&self, incident: &str, pid: u32) {
        if let Ok(mut blocked) = self.inner.write() {
            blocked.pids.insert(pid, incident.to_string());
            self.changed(&blocked);
        }
    }

    /// Lifts every block of one incident; returns whether anything was lifted.
    pub fn release(&self, incident: &str) -> bool {
        let Ok(mut blocked) = self.inner.write() else {
            return false;
        };
        let before = blocked.users.len() + blocked.clients.len() + blocked.pids.len();
        blocked.users.retain(|_, i| i != incident);
        blocked.clients.retain(|_, i| i != incident);
        blocked.pids.retain(|_, i| i != incident);
        let after = blocked.users.len() + blocked.clients.len() + blocked.pids.len();
        self.changed(&blocked);
        after < before
    }

    /// The incident blocking this pid, if it is blocked by pid.
    pub fn by_pid(&self, pid: u32) -> Option<String> {
        self.inner.read().ok()?.pids.get(&pid).cloned()
    }

    /// The incident blocking this actor by user or client address.
    pub fn by_actor(&self, actor: &Actor) -> Option<String> {
        let blocked = self.inner.read().ok()?;
        if let Some(i) = actor.pid.and_then(|p| blocked.pids.get(&p)) {
            return Some(i.clone());
        }
        if let Some(i) = actor.user.as_ref().and_then(|u| blocked.users.get(u)) {
            return Some(i.clone());
        }
        actor
            .client
            .as_ref()
            .and_then(|c| blocked.clients.get(c))
            .cloned()
    }

    /// Blocked SMB user names, sorted.
    pub fn users(&self) -> Vec<String> {
        let Ok(blocked) = self.inner.read() else {
            return Vec::new();
        };
        let mut users: Vec<String> = blocked.users.keys().cloned().collect();
        users.sort();
        users
    }

    /// Incidents with an active block.
    pub fn incidents(&self) -> Vec<String> {
        let Ok(blocked) = self.inner.read() else {
            return Vec::new();
        };
        let mut ids: Vec<String> = blocked
            .users
            .values()
            .chain(blocked.clients.values())
            .chain(blocked.pids.values())
            .cloned()
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Ends the actor's SMB sessions on `share` (every session of the same user
/// or client address in `sessions`, a fresh `smbstatus` listing) or kills a
/// local process. Returns the pids that were cut.
pub fn cut(
    smb_conf: Option<&Path>,
    sessions: &[crate::SmbSession],
    actor: &Actor,
    share: &str,
    by_client: bool,
) -> Vec<u32> {
    let smb = actor.user.is_some() || actor.client.is_some();
    if !smb {
        if let Some(pid) = actor.pid.filter(|&p| p > 1 && p != std::process::id()) {
            // SAFETY: plain syscall on a pid we attributed the attack to.
            if unsafe { libc::kill(pid as i32, libc::SIGKILL) } == 0 {
                return vec![pid];
            }
        }
        return Vec::new();
    }
    let mut pids: Vec<u32> = sessions
        .iter()
        .filter(|s| {
            Some(s.pid) == actor.pid
                || (actor.user.as_deref() == Some(s.user.as_str()) && !s.user.is_empty())
                || (by_client
                    && s.client.is_some()
                    && s.client == actor.client
                    && s.client.as_deref().is_some_and(blockable_client))
        })
        .map(|s| s.pid)
        .collect();
    if let Some(pid) = actor.pid {
        pids.push(pid);
    }
    pids.sort_unstable();
    pids.dedup();
    pids.into_iter()
        .filter(|&pid| close_share(smb_conf, pid, share).is_ok() || kill_smbd(pid))
        .collect()
}

/// Ends one smbd session child at once (SIGKILL): the fastest cut.
pub fn kill_session(pid: u32) -> bool {
    pid > 1
        && pid != std::process::id()
        && crate::attribution::is_smbd(pid)
        // SAFETY: plain syscall on an smbd session child.
        && unsafe { libc::kill(pid as i32, libc::SIGKILL) } == 0
}

fn close_share(conf: Option<&Path>, pid: u32, share: &str) -> Result<(), RespondError> {
    let mut command = Command::new("smbcontrol");
    if let Some(conf) = conf {
        command.arg("--configfile").arg(conf);
    }
    command.arg(pid.to_string()).arg("close-share").arg(share);
    let output = command.output().map_err(|source| RespondError::Spawn {
        command: "smbcontrol".into(),
        source,
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(RespondError::Failed {
            command: format!("smbcontrol {pid} close-share {share}"),
            detail: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        })
    }
}

fn kill_smbd(pid: u32) -> bool {
    // Only ever an smbd child, never the main smbd (its parent is init or a supervisor).
    crate::attribution::is_smbd(pid)
        // SAFETY: plain syscall.
        && unsafe { libc::kill(pid as i32, libc::SIGTERM) } == 0
}

/// Runs the hook command (`sh -c`) with the incident in the environment;
/// does not wait for it (a thread reaps it, killing it after `timeout`).
pub fn hook(command: &str, env: &[(&str, String)], timeout: Duration) -> Result<u32, RespondError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|source| RespondError::Spawn {
            command: command.to_string(),
            source,
        })?;
    let pid = child.id();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if started.elapsed() > timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    });
    Ok(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smb(user: &str, client: &str, pid: u32) -> Actor {
        Actor {
            user: Some(user.into()),
            client: Some(client.into()),
            pid: Some(pid),
            ..Actor::default()
        }
    }

    #[test]
    fn blocks_user_client_pid_and_releases() {
        let list = Blocklist::new();
        assert!(!list.any());
        let what = list.block("i1", &smb("taro", "10.0.0.5", 100), true);
        assert_eq!(what, vec!["user=taro", "client=10.0.0.5", "pid=100"]);
        assert!(list.any());
        // A new session of the same user, another user from the same client.
        assert_eq!(
            list.by_actor(&smb("taro", "10.0.0.9", 200)).as_deref(),
            Some("i1")
        );
        assert_eq!(
            list.by_actor(&smb("hanako", "10.0.0.5", 300)).as_deref(),
            Some("i1")
        );
        assert_eq!(list.by_actor(&smb("hanako", "10.0.0.6", 300)), None);
        assert_eq!(list.by_pid(100).as_deref(), Some("i1"));
        assert!(list.release("i1"));
        assert!(!list.any());
        assert_eq!(list.by_actor(&smb("taro", "10.0.0.5", 100)), None);
    }

    #[test]
    fn loopback_clients_are_not_blocked_by_address() {
        let list = Blocklist::new();
        list.block("i1", &smb("taro", "127.0.0.1", 100), true);
        assert_eq!(list.by_actor(&smb("hanako", "127.0.0.1", 300)), None);
        assert_eq!(
            list.by_actor(&smb("taro", "127.0.0.1", 301)).as_deref(),
            Some("i1")
        );
    }

    #[test]
    fn hook_gets_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let command = format!("echo \"$MAMORI_INCIDENT $MAMORI_USER\" > {}", out.display());
        hook(
            &command,
            &[
                ("MAMORI_INCIDENT", "i1".into()),
                ("MAMORI_USER", "taro".into()),
            ],
            Duration::from_secs(5),
        )
        .unwrap();
        for _ in 0..100 {
            if std::fs::read_to_string(&out).is_ok_and(|t| t.ends_with('\n')) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "i1 taro\n");
    }
}

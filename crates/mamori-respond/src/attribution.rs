//! pid → actor: SMB sessions through `smbstatus`, local processes through `/proc`.

use crate::RespondError;
use mamori_journal::Actor;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One SMB session as Samba lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmbSession {
    pub pid: u32,
    pub user: String,
    pub client: Option<String>,
    pub machine: Option<String>,
}

/// `ipv4:10.0.0.5:54036` / `ipv6:fe80::1:54036` / `10.0.0.5` → the address.
fn client_address(hostname: &str) -> Option<String> {
    let rest = hostname
        .strip_prefix("ipv4:")
        .or_else(|| hostname.strip_prefix("ipv6:"));
    let address = match rest {
        Some(rest) => rest.rsplit_once(':').map_or(rest, |(a, _)| a),
        None => hostname,
    };
    let address = address.trim_matches(|c| c == '[' || c == ']');
    (!address.is_empty()).then(|| address.to_string())
}

/// Sessions from `smbstatus --json` (Samba 4.16+).
pub fn parse_json(text: &str) -> Option<Vec<SmbSession>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let sessions = value.get("sessions")?.as_object()?;
    let mut out = Vec::new();
    for session in sessions.values() {
        let pid = session.pointer("/server_id/pid").and_then(|p| {
            p.as_str()
                .and_then(|s| s.parse().ok())
                .or(p.as_u64().map(|n| n as u32))
        });
        let Some(pid) = pid else { continue };
        let text = |key: &str| {
            session
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        out.push(SmbSession {
            pid,
            user: text("username").unwrap_or_default(),
            client: text("hostname").as_deref().and_then(client_address),
            machine: text("remote_machine").filter(|m| !m.is_empty()),
        });
    }
    Some(out)
}

/// Sessions from the plain `smbstatus -p` table:
/// `PID Username Group Machine (ipv4:addr:port) Protocol ...`.
pub fn parse_plain(text: &str) -> Vec<SmbSession> {
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 4 {
            continue;
        }
        let Ok(pid) = fields[0].parse::<u32>() else {
            continue;
        };
        let client = fields
            .iter()
            .find(|f| f.starts_with("(ipv4:") || f.starts_with("(ipv6:"))
            .and_then(|f| client_address(f.trim_matches(|c| c == '(' || c == ')')));
        out.push(SmbSession {
            pid,
            user: fields[1].to_string(),
            client,
            machine: Some(fields[3].to_string()),
        });
    }
    out
}

/// Start time of a process (clock ticks since boot), to tell recycled pids apart.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    after.split_whitespace().nth(19)?.parse().ok()
}

pub fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

fn uid_field(pid: u32, field: usize) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(field)?.parse().ok()
}

/// The effective uid of `pid` (an smbd session child serving a request
/// runs as its user; between requests it may be back to root).
pub fn effective_uid(pid: u32) -> Option<u32> {
    uid_field(pid, 2)
}

fn uid_of(pid: u32) -> Option<u32> {
    uid_field(pid, 1)
}

/// The account name of a uid (`getpwuid_r`).
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: zeroed passwd is a valid out-buffer; buf outlives the call's use of it.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: pw_name points into buf, NUL-terminated.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

/// The remote address of an established TCP connection the process holds
/// (an smbd session child holds exactly its client's).
pub fn peer_address(pid: u32) -> Option<String> {
    let mut inodes = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.flatten() {
        if let Ok(link) = std::fs::read_link(entry.path()) {
            let link = link.to_string_lossy();
            if let Some(inode) = link
                .strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
            {
                inodes.push(inode.to_string());
            }
        }
    }
    for (file, v6) in [("tcp", false), ("tcp6", true)] {
        let Ok(table) = std::fs::read_to_string(format!("/proc/{pid}/net/{file}")) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 10 || fields[3] != "01" || !inodes.iter().any(|i| i == fields[9]) {
                continue;
            }
            if let Some(address) = fields[2]
                .split(':')
                .next()
                .and_then(|hex| decode_address(hex, v6))
            {
                return Some(address);
            }
        }
    }
    None
}

/// `/proc/net/tcp` addresses: 32-bit words in host byte order.
fn decode_address(hex: &str, v6: bool) -> Option<String> {
    let words: Vec<u32> = (0..hex.len() / 8)
        .map(|i| u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).ok())
        .collect::<Option<_>>()?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    if !v6 && bytes.len() == 4 {
        return Some(std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string());
    }
    let octets: [u8; 16] = bytes.try_into().ok()?;
    let ip = std::net::Ipv6Addr::from(octets);
    Some(
        ip.to_ipv4_mapped()
            .map_or(ip.to_string(), |v4| v4.to_string()),
    )
}

/// Whether the process is a Samba file server process.
pub fn is_smbd(pid: u32) -> bool {
    exe_of(pid).is_some_and(|exe| {
        exe.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("smbd"))
    })
}

/// How long a cached pid is trusted without checking its start time.
const PID_RECHECK: Duration = Duration::from_secs(1);

struct Cached {
    start: Option<u64>,
    /// When `start` was last compared with the process's (pid reuse check).
    checked: Instant,
    actor: Actor,
    /// An smbd not (yet) listed by smbstatus: retry after this instant.
    retry_after: Option<Instant>,
}

pub struct Attributor {
    smb_conf: Option<PathBuf>,
    cache: HashMap<u32, Cached>,
    capacity: usize,
    sessions: Vec<SmbSession>,
    refreshed: Option<Instant>,
    json: bool,
    /// Never run smbstatus inside `actor_of`; ask for a refresh instead
    /// (a background thread runs it: see [`Attributor::wanted_refresh`]).
    nonblocking: bool,
    want_refresh: bool,
}

/// Runs `smbstatus` (JSON, else the plain table): (sessions, JSON worked).
pub fn fetch_sessions(
    smb_conf: Option<&Path>,
    json: bool,
) -> Result<(Vec<SmbSession>, bool), RespondError> {
    if json {
        if let Some(sessions) = run_smbstatus(smb_conf, &["--json"])
            .ok()
            .and_then(|t| parse_json(&t))
        {
            return Ok((sessions, true));
        }
        tracing::info!("smbstatus --json unavailable; parsing the plain table");
    }
    Ok((parse_plain(&run_smbstatus(smb_conf, &["-p"])?), false))
}

fn run_smbstatus(smb_conf: Option<&Path>, args: &[&str]) -> Result<String, RespondError> {
    let mut command = Command::new("smbstatus");
    if let Some(conf) = smb_conf {
        command.arg("--configfile").arg(conf);
    }
    command.args(args);
    let output = command.output().map_err(|source| RespondError::Spawn {
        command: "smbstatus".into(),
        source,
    })?;
    if !output.status.success() {
        return Err(RespondError::Failed {
            command: format!("smbstatus {}", args.join(" ")),
            detail: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

impl Attributor {
    pub fn new(smb_conf: Option<&Path>, capacity: usize) -> Self {
        Attributor {
            smb_conf: smb_conf.map(Path::to_path_buf),
            cache: HashMap::new(),
            capacity: capacity.max(16),
            sessions: Vec::new(),
            refreshed: None,
            json: true,
            nonblocking: false,
            want_refresh: false,
        }
    }

    /// In non-blocking mode `actor_of` never waits for `smbstatus`.
    pub fn set_nonblocking(&mut self, on: bool) {
        self.nonblocking = on;
    }

    /// Whether a refresh is asked for (without clearing the request).
    pub fn refresh_pending(&self) -> bool {
        self.want_refresh
    }

    /// A refresh was asked for: (smb.conf, try JSON). Clears the request.
    pub fn wanted_refresh(&mut self) -> Option<(Option<PathBuf>, bool)> {
        std::mem::take(&mut self.want_refresh).then(|| (self.smb_conf.clone(), self.json))
    }

    /// Installs sessions fetched elsewhere; unresolved pids resolve again.
    pub fn install(&mut self, sessions: Vec<SmbSession>, json: bool) {
        self.sessions = sessions;
        self.json = json;
        self.refreshed = Some(Instant::now());
        self.cache.retain(|_, c| c.retry_after.is_none());
    }

    /// Re-reads the session list from Samba.
    pub fn refresh(&mut self) -> Result<&[SmbSession], RespondError> {
        let (sessions, json) = fetch_sessions(self.smb_conf.as_deref(), self.json)?;
        self.install(sessions, json);
        Ok(&self.sessions)
    }

    /// Sessions as last refreshed (refreshing if older than `max_age`).
    pub fn sessions(&mut self, max_age: Duration) -> &[SmbSession] {
        if self.refreshed.is_none_or(|t| t.elapsed() > max_age) {
            if let Err(e) = self.refresh() {
                tracing::warn!("{e}");
            }
        }
        &self.sessions
    }

    /// Who `pid` is. SMB session children resolve to their user, client and
    /// machine; others to executable and uid.
    pub fn actor_of(&mut self, pid: u32) -> Actor {
        let now = Instant::now();
        if let Some(cached) = self.cache.get(&pid) {
            // A pid is reused only after the whole pid space wrapped: the
            // start-time check (a /proc read on every event) once a second.
            if cached.checked.elapsed() < PID_RECHECK && cached.retry_after.is_none_or(|t| now < t)
            {
                return cached.actor.clone();
            }
        }
        let start = start_time(pid);
        if let Some(cached) = self.cache.get_mut(&pid) {
            let fresh =
                cached.start == start && cached.retry_after.is_none_or(|t| Instant::now() < t);
            if fresh {
                cached.checked = now;
                return cached.actor.clone();
            }
        }
        let exe = exe_of(pid);
        let mut actor = Actor {
            pid: Some(pid),
            exe: exe.as_ref().map(|e| e.display().to_string()),
            uid: uid_of(pid),
            ..Actor::default()
        };
        let mut retry_after = None;
        if is_smbd(pid) {
            // Fast: an smbd child serving a request runs as the user, and
            // holds one TCP connection, its client's. smbstatus (slow) only
            // when that is not enough; it also names the machine later.
            let euid = uid_field(pid, 2).filter(|&u| u != 0);
            actor.user = euid.and_then(user_name);
            actor.uid = euid.or(actor.uid);
            actor.client = peer_address(pid);
            let known = self.sessions.iter().find(|s| s.pid == pid).cloned();
            if let Some(session) = known {
                actor.machine = session.machine;
            }
            if actor.user.is_none() && self.nonblocking {
                match self.sessions.iter().find(|s| s.pid == pid).cloned() {
                    Some(session) => {
                        actor.user = Some(session.user).filter(|u| !u.is_empty());
                        actor.client = session.client.or(actor.client);
                        actor.machine = session.machine;
                    }
                    None => {
                        self.want_refresh = true;
                        retry_after = Some(Instant::now() + Duration::from_millis(20));
                    }
                }
            } else if actor.user.is_none() {
                match self.find_session(pid) {
                    Some(session) => {
                        actor.user = Some(session.user).filter(|u| !u.is_empty());
                        actor.client = session.client.or(actor.client);
                        actor.machine = session.machine;
                    }
                    None => retry_after = Some(Instant::now() + Duration::from_millis(500)),
                }
            }
        }
        if self.cache.len() >= self.capacity {
            // Dead processes first; else forget everything (rebuilt on demand).
            self.cache
                .retain(|pid, _| Path::new(&format!("/proc/{pid}")).exists());
            if self.cache.len() >= self.capacity {
                self.cache.clear();
            }
        }
        self.cache.insert(
            pid,
            Cached {
                start,
                checked: now,
                actor: actor.clone(),
                retry_after,
            },
        );
        actor
    }

    fn find_session(&mut self, pid: u32) -> Option<SmbSession> {
        let known = self.sessions.iter().find(|s| s.pid == pid).cloned();
        if known.is_some() {
            return known;
        }
        match self.refresh() {
            Ok(sessions) => sessions.iter().find(|s| s.pid == pid).cloned(),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    }

    /// Adds the machine name (from a fresh `smbstatus`) to an SMB actor.
    pub fn enrich(&mut self, actor: &mut Actor) {
        let Some(pid) = actor.pid else { return };
        if actor.machine.is_some() || !is_smbd(pid) {
            return;
        }
        let session = if self.nonblocking {
            self.want_refresh = true;
            self.sessions.iter().find(|s| s.pid == pid).cloned()
        } else {
            self.find_session(pid)
        };
        if let Some(session) = session {
            actor.machine = session.machine;
            if actor.client.is_none() {
                actor.client = session.client;
            }
        }
    }

    pub fn smb_conf(&self) -> Option<&Path> {
        self.smb_conf.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"timestamp": "2026-11-26T00:57:05.846701+0000", "version": "4.17.12-Debian", "smb_conf": "/tmp/gs/smb.conf", "sessions": {"1811502995": {"session_id": "1811502995", "server_id": {"pid": "21937", "task_id": "0", "vnn": "4294967295", "unique_id": "10815757249490700993"}, "uid": 1001, "gid": 1001, "username": "gtest", "groupname": "gtest", "remote_machine": "PC01", "hostname": "ipv4:10.0.0.5:54036", "session_dialect": "SMB3_11"}}, "tcons": {}, "open_files": {}}"#;

    const PLAIN: &str = "
Samba version 4.17.12-Debian
PID     Username     Group        Machine                                   Protocol Version  Encryption           Signing
----------------------------------------------------------------------------------------------------------------------------------------
21937   gtest        gtest        127.0.0.1 (ipv4:127.0.0.1:54036)          SMB3_11           -                    partial(AES-128-GMAC)
";

    #[test]
    fn parses_both_smbstatus_forms() {
        let json = parse_json(JSON).unwrap();
        assert_eq!(
            json,
            vec![SmbSession {
                pid: 21937,
                user: "gtest".into(),
                client: Some("10.0.0.5".into()),
                machine: Some("PC01".into())
            }]
        );
        let plain = parse_plain(PLAIN);
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].pid, 21937);
        assert_eq!(plain[0].client.as_deref(), Some("127.0.0.1"));
        assert!(parse_json("not json").is_none());
    }

    #[test]
    fn proc_net_addresses() {
        assert_eq!(
            decode_address("0100007F", false).as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            decode_address("0000000000000000FFFF00000100007F", true).as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(user_name(0).as_deref(), Some("root"));
    }

    #[test]
    fn client_addresses() {
        assert_eq!(
            client_address("ipv6:fe80::1:445").as_deref(),
            Some("fe80::1")
        );
        assert_eq!(client_address("10.1.2.3").as_deref(), Some("10.1.2.3"));
    }

    #[test]
    fn local_process_has_exe_and_uid() {
        let mut attributor = Attributor::new(None, 16);
        let me = attributor.actor_of(std::process::id());
        assert_eq!(me.pid, Some(std::process::id()));
        assert!(me.exe.is_some());
        assert!(me.uid.is_some());
        assert!(me.user.is_none());
        assert!(start_time(std::process::id()).is_some());
    }
}

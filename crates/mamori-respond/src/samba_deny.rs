//! Samba itself refuses a blocked user's new sessions.
//!
//! fanotify can refuse opens but not deletes or renames: Samba works on
//! `O_PATH` handles and the kernel has no pre-delete event. A wiper whose
//! session was cut reconnects at once (libsmbclient, Windows) and its first
//! operations are deletes again. So the guard also keeps a small Samba
//! include file with `invalid users = …` of every blocked user; smb.conf
//! opts in with one line in `[global]`:
//!
//! ```text
//! include = /etc/samba/mamori-deny.conf
//! ```
//!
//! Samba re-reads a changed include at every tree connect, so the next
//! session of the user fails with `NT_STATUS_ACCESS_DENIED` without any
//! reload; `smbcontrol smbd reload-config` is sent as well for processes
//! that only re-read on that message. The file is rewritten (temp file +
//! rename) on every block and release and emptied when the guard stops;
//! when it already names the same users it is left alone and no reload is
//! sent (a reload makes every smbd re-read smb.conf: a guard start or stop
//! with nobody blocked must not cost the server that).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The file name smb.conf must include for the guard to maintain it.
pub const DENY_FILE_NAME: &str = "mamori-deny.conf";

/// The Samba deny include kept by the guard.
#[derive(Debug, Clone)]
pub struct SambaDeny {
    path: PathBuf,
    smb_conf: Option<PathBuf>,
}

/// The `include = …/mamori-deny.conf` target of an smb.conf, if any.
pub fn find_in_conf(text: &str) -> Option<PathBuf> {
    text.lines().find_map(|line| {
        let line = line.trim();
        if line.starts_with(['#', ';']) {
            return None;
        }
        let (key, value) = line.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("include") {
            return None;
        }
        let path = PathBuf::from(value.trim());
        (path.is_absolute() && path.file_name().is_some_and(|n| n == DENY_FILE_NAME))
            .then_some(path)
    })
}

/// The smb.conf text of the deny file for these users.
pub fn render(users: &[String]) -> String {
    let mut text = String::from(
        "# Written by mamori guard: users blocked after a ransomware detection.\n\
         # Lifted by `mamori guard release INCIDENT`. Do not edit.\n",
    );
    let names: Vec<String> = users
        .iter()
        .filter(|u| !u.is_empty() && !u.contains(['"', '\n', '\r']))
        .map(|u| format!("\"{u}\""))
        .collect();
    if !names.is_empty() {
        text.push_str(&format!("   invalid users = {}\n", names.join(" ")));
    }
    text
}

/// The `invalid users` line of a deny file, if any.
fn denied_line(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("invalid users"))
}

impl SambaDeny {
    pub fn new(path: PathBuf, smb_conf: Option<&Path>) -> Self {
        SambaDeny {
            path,
            smb_conf: smb_conf.map(Path::to_path_buf),
        }
    }

    /// The deny file an smb.conf opted in to (`include = …/mamori-deny.conf`).
    pub fn from_conf(smb_conf: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(smb_conf).ok()?;
        find_in_conf(&text).map(|path| SambaDeny::new(path, Some(smb_conf)))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the file with `invalid users` of these users (none = empty);
    /// `false` when it already named the same users and was left alone.
    pub fn write(&self, users: &[String]) -> std::io::Result<bool> {
        let text = render(users);
        let old = std::fs::read_to_string(&self.path).unwrap_or_default();
        // Same users (an empty file and an empty list alike): leave the
        // file and its mtime alone, and Samba without a reload.
        if denied_line(&old) == denied_line(&text) {
            return Ok(false);
        }
        // Samba notices a changed include by its mtime in whole seconds:
        // the new file must not share the old one's second.
        let old_secs = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        let temp = self.path.with_extension("conf.tmp");
        {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(text.as_bytes())?;
            // The mtime the kernel just gave the file (its coarse clock can
            // lag `SystemTime::now()` by a tick, across a second's edge).
            let new_secs = file
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            if let Some(old_secs) = old_secs.filter(|&o| o >= new_secs) {
                let bumped = std::time::UNIX_EPOCH + std::time::Duration::from_secs(old_secs + 1);
                file.set_modified(bumped)?;
            }
        }
        std::fs::rename(&temp, &self.path)?;
        Ok(true)
    }

    /// Tells running smbds to reload their configuration; does not wait.
    pub fn reload(&self) {
        let mut command = Command::new("smbcontrol");
        if let Some(conf) = &self.smb_conf {
            command.arg("--configfile").arg(conf);
        }
        command
            .args(["smbd", "reload-config"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Ok(mut child) = command.spawn() {
            let _ = std::thread::Builder::new()
                .name("smbcontrol-reload".into())
                .spawn(move || child.wait());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_opt_in_include() {
        let conf = "[global]\n   include = /etc/samba/mamori-deny.conf\n[docs]\n   path = /srv\n";
        assert_eq!(
            find_in_conf(conf),
            Some(PathBuf::from("/etc/samba/mamori-deny.conf"))
        );
        assert_eq!(
            find_in_conf("[global]\n# include = /x/mamori-deny.conf\n"),
            None
        );
        assert_eq!(
            find_in_conf("[global]\n include = /etc/samba/other.conf\n"),
            None
        );
    }

    #[test]
    fn renders_quoted_users_and_writes_atomically() {
        assert!(!render(&[]).contains("invalid users"));
        let text = render(&["taro".into(), "EXAMPLE\\hanako".into(), "bad\"name".into()]);
        assert!(text.contains("invalid users = \"taro\" \"EXAMPLE\\hanako\"\n"));
        assert!(!text.contains("bad"));
        let dir = tempfile::tempdir().unwrap();
        let deny = SambaDeny::new(dir.path().join(DENY_FILE_NAME), None);
        assert!(
            !deny.write(&[]).unwrap(),
            "nobody blocked: nothing to write"
        );
        assert!(deny.write(&["taro".into()]).unwrap());
        assert!(
            !deny.write(&["taro".into()]).unwrap(),
            "same users: unchanged"
        );
        assert!(std::fs::read_to_string(deny.path())
            .unwrap()
            .contains("\"taro\""));
        let first = std::fs::metadata(deny.path()).unwrap().modified().unwrap();
        assert!(deny.write(&["taro".into(), "hanako".into()]).unwrap());
        let second = std::fs::metadata(deny.path()).unwrap().modified().unwrap();
        let secs =
            |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert!(secs(second) > secs(first), "Samba sees mtimes in seconds");
        assert!(deny.write(&[]).unwrap());
        assert!(!std::fs::read_to_string(deny.path())
            .unwrap()
            .contains("invalid users"));
    }
}

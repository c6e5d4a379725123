//! Syslog over the local datagram socket (`/dev/log`), in the RFC 3164
//! shape that glibc's `syslog(3)` writes and rsyslog and journald read.

use crate::{Alert, AlertError, Channel};
use mamori_core::Lang;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

/// LOG_DAEMON: mamori runs as a daemon; administrators filter on the tag.
const FACILITY_DAEMON: u8 = 3;
/// Longest line sent; journald and rsyslog both accept far more over a local socket.
const MAX_LINE: usize = 8 * 1024;

pub struct SyslogChannel {
    socket: PathBuf,
    lang: Lang,
}

impl SyslogChannel {
    pub fn new(socket: PathBuf, lang: Lang) -> Self {
        SyslogChannel { socket, lang }
    }

    /// The line for one alert: `<PRI>Mmm dd hh:mm:ss mamori[pid]: text {json}`.
    pub fn line(&self, alert: &Alert) -> String {
        let severity = severity(&alert.kind);
        let priority = FACILITY_DAEMON * 8 + severity;
        let stamp = alert.time.format("%b %e %H:%M:%S");
        let text = alert.message(self.lang).replace(['\n', '\r'], " ");
        let mut line = format!(
            "<{priority}>{stamp} mamori[{}]: {text} {}",
            std::process::id(),
            alert.to_json()
        );
        if line.len() > MAX_LINE {
            let mut cut = MAX_LINE;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
        }
        line
    }
}

/// Attacks and leaks are critical; parser health and releases are warnings.
fn severity(kind: &str) -> u8 {
    match kind {
        "detection" | "containment" | "leak" => 2,
        "release" | "restore" => 5,
        _ => 4,
    }
}

impl Channel for SyslogChannel {
    fn name(&self) -> &'static str {
        "syslog"
    }

    fn send(&self, alert: &Alert) -> Result<(), AlertError> {
        let fail = |e: std::io::Error| AlertError::Channel {
            channel: "syslog",
            reason: format!("{}: {e}", self.socket.display()),
        };
        let socket = UnixDatagram::unbound().map_err(fail)?;
        socket
            .send_to(self.line(alert).as_bytes(), &self.socket)
            .map_err(fail)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_datagram_per_alert() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let server = UnixDatagram::bind(&path).unwrap();
        let channel = SyslogChannel::new(path, Lang::En);
        let alert = Alert::new("leak", "リーク検知", "leak found").with("victim", "Yamato");
        channel.send(&alert).unwrap();
        let mut buffer = vec![0u8; 16 * 1024];
        let n = server.recv(&mut buffer).unwrap();
        let line = String::from_utf8_lossy(&buffer[..n]);
        assert!(line.starts_with("<26>"), "{line}");
        assert!(line.contains("mamori["));
        assert!(line.contains("leak found"));
        assert!(line.contains("\"victim\":\"Yamato\""));
    }
}

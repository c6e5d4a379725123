//! The guard's alerts: `alerts.jsonl` at once, the `[alerts]` channels
//! (syslog, webhook for Slack/Teams/Chatwork, e-mail) from a thread of
//! their own.
//!
//! The main loop emits while an attack is on: a webhook that runs into its
//! 10 s timeout or an SMTP server that does not answer must not hold the
//! block, the cut or the rollback. So the caller writes the journal line
//! (the channel of record) and queues the alert for the `alert-send`
//! thread; when the queue is full the channels miss that alert (logged and
//! counted), the journal never does. At stop the queue is drained for a
//! bounded time ([`AlertOut::finish`]), so the guard's own stop alert goes
//! out too.

use mamori_alert::{Alert, AlertConfig, AlertError, Alerter};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Alerts waiting for the channels before new ones are dropped for them.
const QUEUE: usize = 256;

/// Where the guard's alerts go. Cheap to clone (threads that alert hold one).
#[derive(Clone)]
pub struct AlertOut {
    inner: Arc<Inner>,
}

struct Inner {
    alerter: Arc<Alerter>,
    /// `None` without channels, and once finished.
    queue: Mutex<Option<SyncSender<Alert>>>,
    /// Signalled by the sending thread when its queue is drained and closed.
    drained: Mutex<Option<Receiver<()>>>,
    dropped: AtomicU64,
}

impl AlertOut {
    /// The journal under `state_dir` plus the channels `config` sets up;
    /// starts the sending thread when there are any.
    pub fn start(state_dir: &Path, config: &AlertConfig) -> AlertOut {
        let alerter = Arc::new(Alerter::from_config(state_dir, config));
        let (queue, drained) = if alerter.has_channels() {
            let (sender, receiver) = sync_channel::<Alert>(QUEUE);
            let (done, drained) = sync_channel::<()>(1);
            let channels = alerter.clone();
            let started = std::thread::Builder::new()
                .name("alert-send".into())
                .spawn(move || {
                    for alert in receiver {
                        for failure in channels.emit_channels(&alert) {
                            tracing::warn!("{failure}");
                        }
                    }
                    let _ = done.send(());
                });
            match started {
                Ok(_) => (Some(sender), Some(drained)),
                Err(e) => {
                    tracing::error!(
                        "alert channels unavailable (no thread: {e}); alerts.jsonl only"
                    );
                    (None, None)
                }
            }
        } else {
            (None, None)
        };
        AlertOut {
            inner: Arc::new(Inner {
                alerter,
                queue: Mutex::new(queue),
                drained: Mutex::new(drained),
                dropped: AtomicU64::new(0),
            }),
        }
    }

    /// Writes the journal line now and queues the alert for the channels.
    pub fn emit(&self, alert: &Alert) -> Result<(), AlertError> {
        self.inner.alerter.emit_journal(alert)?;
        let Ok(queue) = self.inner.queue.lock() else {
            return Ok(());
        };
        if let Some(queue) = queue.as_ref() {
            match queue.try_send(alert.clone()) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    let dropped = self.inner.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                    tracing::warn!(
                        "alert channels behind: {dropped} alerts in alerts.jsonl only so far"
                    );
                }
                Err(TrySendError::Disconnected(_)) => {}
            }
        }
        Ok(())
    }

    /// Alerts the channels missed because their queue was full.
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// Closes the queue and waits up to `wait` for the channels to send
    /// what it holds. Alerts emitted afterwards go to the journal only.
    pub fn finish(&self, wait: Duration) {
        if let Ok(mut queue) = self.inner.queue.lock() {
            queue.take();
        }
        let drained = self.inner.drained.lock().ok().and_then(|mut d| d.take());
        if let Some(drained) = drained {
            if drained.recv_timeout(wait).is_err() {
                tracing::warn!("alert channels still sending at stop; left behind");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn alert(n: usize) -> Alert {
        Alert::new("detection", format!("検知 {n}"), format!("detection {n}"))
    }

    /// A webhook endpoint that answers each POST after `delay`; the bodies.
    fn slow_endpoint(
        delay: Duration,
        posts: usize,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let mut bodies = Vec::new();
            for _ in 0..posts {
                let (mut stream, _) = listener.accept().unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(head) = text.find("\r\n\r\n") {
                        let length = text[..head]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= head + 4 + length {
                            bodies.push(text[head + 4..].to_string());
                            break;
                        }
                    }
                    if n == 0 {
                        break;
                    }
                }
                std::thread::sleep(delay);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            }
            bodies
        });
        (url, server)
    }

    fn webhook(url: String) -> AlertConfig {
        let text = format!("[webhook]\nurl = \"{url}\"\n");
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn the_journal_line_does_not_wait_for_a_slow_webhook() {
        let state = tempfile::tempdir().unwrap();
        let (url, server) = slow_endpoint(Duration::from_millis(300), 2);
        let out = AlertOut::start(state.path(), &webhook(url));
        let started = std::time::Instant::now();
        out.emit(&alert(1)).unwrap();
        out.emit(&alert(2)).unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(250),
            "emit waited for the webhook"
        );
        let journal = std::fs::read_to_string(state.path().join("alerts.jsonl")).unwrap();
        assert_eq!(journal.lines().count(), 2);
        // Both still reach the webhook, in order, by the end of `finish`.
        out.finish(Duration::from_secs(10));
        let bodies = server.join().unwrap();
        assert!(
            bodies[0].contains("detection 1") || bodies[0].contains("検知 1"),
            "{bodies:?}"
        );
        assert!(
            bodies[1].contains("検知 2") || bodies[1].contains("detection 2"),
            "{bodies:?}"
        );
        // After finish: the journal only.
        out.emit(&alert(3)).unwrap();
        let journal = std::fs::read_to_string(state.path().join("alerts.jsonl")).unwrap();
        assert_eq!(journal.lines().count(), 3);
    }

    #[test]
    fn without_channels_only_the_journal_and_no_thread() {
        let state = tempfile::tempdir().unwrap();
        let out = AlertOut::start(state.path(), &AlertConfig::default());
        assert!(out.inner.queue.lock().unwrap().is_none());
        out.emit(&alert(1)).unwrap();
        out.finish(Duration::from_millis(10));
        assert_eq!(out.dropped(), 0);
        let journal = std::fs::read_to_string(state.path().join("alerts.jsonl")).unwrap();
        assert_eq!(journal.lines().count(), 1);
    }
}

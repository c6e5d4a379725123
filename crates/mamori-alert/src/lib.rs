//! Alerts: one record shape, several channels.
//!
//! Design: an [`Alert`] is a JSON object with the fields the contract
//! (`shared/spec/contracts.md`) fixes for `alerts.jsonl` (`time`, `kind`, and
//! per kind: `incident`, `share`, `user`, `client`, `pid`, `reason`, `files`
//! for the guard; `source`, `group`, `victim`, `post_url`, ... for leaks),
//! plus a human text in Japanese and English for the channels people read
//! (syslog, webhook, e-mail). The journal file `STATE/alerts.jsonl` is the
//! channel of record: it is written first, one `write(2)` per line with
//! `O_APPEND`, so concurrent writers never interleave and a crash never
//! leaves half a line. Other channels are best effort: their failures are
//! returned to the caller (who logs them) and never stop the jsonl write.
//!
//! [`AlertConfig`] (the `[alerts]` table) adds syslog (`/dev/log`, RFC 3164
//! as glibc writes it), a webhook (Slack, Teams, Chatwork or the JSON as
//! is) and e-mail (SMTP via lettre); those read the text in the configured
//! language, Japanese by default.

mod config;
mod email;
mod jsonl;
mod syslog;
mod webhook;

pub use config::{AlertConfig, EmailConfig, WebhookConfig, WebhookFormat};
pub use email::EmailChannel;
pub use jsonl::JsonlSink;
pub use syslog::SyslogChannel;
pub use webhook::WebhookChannel;

use serde_json::{Map, Value};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("cannot write alert journal {path}: {source}")]
    Journal {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("alert channel {channel} failed: {reason}")]
    Channel {
        channel: &'static str,
        reason: String,
    },
}

/// One alert. `fields` holds the contract fields other than `time` and
/// `kind`; the texts go to human channels and into the jsonl line as
/// `message_ja` / `message_en`.
#[derive(Debug, Clone)]
pub struct Alert {
    pub time: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    pub fields: Map<String, Value>,
    pub message_ja: String,
    pub message_en: String,
}

impl Alert {
    pub fn new(kind: &str, message_ja: impl Into<String>, message_en: impl Into<String>) -> Self {
        Alert {
            time: chrono::Utc::now(),
            kind: kind.to_string(),
            fields: Map::new(),
            message_ja: message_ja.into(),
            message_en: message_en.into(),
        }
    }

    /// Adds or replaces a contract field.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.to_string(), value.into());
        self
    }

    /// The jsonl object: `time` (RFC 3339), `kind`, the fields, the messages.
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert(
            "time".into(),
            Value::String(
                self.time
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            ),
        );
        object.insert("kind".into(), Value::String(self.kind.clone()));
        for (key, value) in &self.fields {
            object.insert(key.clone(), value.clone());
        }
        object.insert("message_ja".into(), Value::String(self.message_ja.clone()));
        object.insert("message_en".into(), Value::String(self.message_en.clone()));
        Value::Object(object)
    }

    pub fn message(&self, lang: mamori_core::Lang) -> &str {
        lang.pick(&self.message_ja, &self.message_en)
    }
}

/// A destination for alerts.
pub trait Channel: Send + Sync {
    fn name(&self) -> &'static str;
    fn send(&self, alert: &Alert) -> Result<(), AlertError>;
}

/// Fans an alert out: the jsonl journal first (its error is returned), then
/// every other channel (their errors are collected, never fatal).
pub struct Alerter {
    journal: JsonlSink,
    channels: Vec<Box<dyn Channel>>,
}

impl Alerter {
    /// Alerts into `STATE_DIR/alerts.jsonl` only.
    pub fn new(state_dir: &std::path::Path) -> Self {
        Alerter {
            journal: JsonlSink::new(state_dir.join("alerts.jsonl")),
            channels: Vec::new(),
        }
    }

    /// The journal plus the channels `[alerts]` configures.
    pub fn from_config(state_dir: &std::path::Path, config: &AlertConfig) -> Self {
        let mut alerter = Alerter::new(state_dir);
        if config.syslog {
            let socket = config
                .syslog_socket
                .clone()
                .unwrap_or_else(|| PathBuf::from("/dev/log"));
            alerter.add_channel(Box::new(SyslogChannel::new(socket, config.lang)));
        }
        if let Some(webhook) = &config.webhook {
            alerter.add_channel(Box::new(WebhookChannel::new(webhook.clone(), config.lang)));
        }
        if let Some(email) = &config.email {
            alerter.add_channel(Box::new(EmailChannel::new(email.clone(), config.lang)));
        }
        alerter
    }

    /// Names of the channels besides the journal, in sending order.
    pub fn channel_names(&self) -> Vec<&'static str> {
        self.channels.iter().map(|c| c.name()).collect()
    }

    pub fn add_channel(&mut self, channel: Box<dyn Channel>) {
        self.channels.push(channel);
    }

    /// Writes the alert; returns the failures of best-effort channels.
    pub fn emit(&self, alert: &Alert) -> Result<Vec<AlertError>, AlertError> {
        self.emit_journal(alert)?;
        Ok(self.emit_channels(alert))
    }

    /// The journal line alone: for a caller that must not wait on the
    /// network (the guard's main loop), which then hands the alert to
    /// [`Alerter::emit_channels`] elsewhere.
    pub fn emit_journal(&self, alert: &Alert) -> Result<(), AlertError> {
        self.journal.send(alert)
    }

    /// The best-effort channels alone (syslog, webhook, e-mail, in that
    /// order); their failures.
    pub fn emit_channels(&self, alert: &Alert) -> Vec<AlertError> {
        self.channels
            .iter()
            .filter_map(|c| c.send(alert).err())
            .collect()
    }

    /// Whether any channel besides the journal is configured.
    pub fn has_channels(&self) -> bool {
        !self.channels.is_empty()
    }

    pub fn journal_path(&self) -> &std::path::Path {
        self.journal.path()
    }
}

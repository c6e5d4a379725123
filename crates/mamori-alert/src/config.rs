//! `[alerts]` in a mamori TOML configuration: which channels besides the
//! journal, and in which language people read the alerts.

use mamori_core::Lang;
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;

/// The `[alerts]` table. Every part is optional: an empty table alerts into
/// `alerts.jsonl` only, in Japanese.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    /// `ja` (default) or `en`: the language of syslog lines, webhook posts
    /// and e-mails (the jsonl line carries both).
    #[serde(default, deserialize_with = "lang_from_str")]
    pub lang: Lang,
    /// Also log to the local syslog daemon (`/dev/log`).
    #[serde(default)]
    pub syslog: bool,
    /// The syslog socket; `/dev/log` when omitted.
    #[serde(default)]
    pub syslog_socket: Option<PathBuf>,
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
    #[serde(default)]
    pub email: Option<EmailConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// The alert's jsonl object, as is.
    #[default]
    Generic,
    /// Slack incoming webhook: `{"text": ...}`.
    Slack,
    /// Microsoft Teams incoming webhook: a MessageCard.
    Teams,
    /// Chatwork API `POST /v2/rooms/{id}/messages` (form body, token header).
    Chatwork,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    #[serde(default)]
    pub format: WebhookFormat,
    /// Environment variable holding the API token (Chatwork's
    /// `X-ChatWorkToken`); tokens never sit in the configuration file.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Seconds before giving up on one post (default 10).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub smtp_host: String,
    #[serde(default = "default_smtp_port")]
    pub smtp_port: u16,
    /// Upgrade the connection with STARTTLS (required when true).
    #[serde(default)]
    pub starttls: bool,
    /// Implicit TLS from the first byte (port 465).
    #[serde(default)]
    pub tls: bool,
    #[serde(default)]
    pub user: Option<String>,
    /// Environment variable holding the SMTP password.
    #[serde(default)]
    pub password_env: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

fn default_smtp_port() -> u16 {
    25
}

fn lang_from_str<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Lang, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        alerts: AlertConfig,
    }

    #[test]
    fn reads_the_alerts_table() {
        let file: File = toml::from_str(
            r#"
            [alerts]
            lang = "en"
            syslog = true
            [alerts.webhook]
            url = "https://hooks.slack.example/T/B/x"
            format = "slack"
            [alerts.email]
            smtp_host = "mail.example.jp"
            smtp_port = 587
            starttls = true
            user = "mamori"
            password_env = "MAMORI_SMTP_PASSWORD"
            from = "mamori@example.jp"
            to = ["security@example.jp"]
            "#,
        )
        .unwrap();
        assert_eq!(file.alerts.lang, Lang::En);
        assert!(file.alerts.syslog);
        assert_eq!(file.alerts.webhook.unwrap().format, WebhookFormat::Slack);
        assert_eq!(file.alerts.email.unwrap().smtp_port, 587);
        let empty: AlertConfig = toml::from_str("").unwrap();
        assert_eq!(empty.lang, Lang::Ja);
        assert!(toml::from_str::<AlertConfig>("lang = \"fr\"").is_err());
    }
}

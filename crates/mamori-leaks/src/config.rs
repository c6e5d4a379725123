//! The `mamori leaks` configuration (TOML): organisations, sources, alerts.

use mamori_alert::AlertConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration {path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    RansomwareLive,
    Ransomlook,
    Html,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub kind: SourceKind,
    pub url: String,
    /// A name for alerts and state; the URL when omitted.
    #[serde(default)]
    pub name: Option<String>,
    /// `socks5h://127.0.0.1:9050` (Tor) or any proxy ureq understands.
    #[serde(default)]
    pub proxy: Option<String>,
    /// The ransomware group when the source is one group's own site.
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub post: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    /// HTML sources: also read each new post's own page (same host only)
    /// for a file listing; never anything a post links to elsewhere.
    #[serde(default)]
    pub follow: bool,
    /// Selector of the listing on a post's page (default: `body`, then the whole page).
    #[serde(default)]
    pub page_body: Option<String>,
    /// Post pages read per poll at most (default 20).
    #[serde(default)]
    pub max_pages: Option<u32>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub retries: Option<u32>,
    /// First retry after this many milliseconds, doubling (default 2000).
    #[serde(default)]
    pub backoff_ms: Option<u64>,
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

impl SourceConfig {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.url)
    }
}

/// `[leaks]`: tuning with sensible defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaksSettings {
    /// Alert from this confidence on (0-1).
    #[serde(default = "default_min_confidence")]
    pub min_confidence: f64,
    /// `watch`: minutes between polls, before jitter.
    #[serde(default = "default_interval")]
    pub interval_minutes: u64,
    /// `watch`: up to this fraction of the interval added or removed at random.
    #[serde(default = "default_jitter")]
    pub jitter: f64,
    /// A source empty or failing this many polls in a row raises an alert.
    #[serde(default = "default_unhealthy_polls")]
    pub unhealthy_polls: u32,
    /// A claim on an already-alerted victim within this many days is linked, not re-alerted.
    #[serde(default = "default_link_days")]
    pub link_days: i64,
}

fn default_min_confidence() -> f64 {
    0.6
}
fn default_interval() -> u64 {
    120
}
fn default_jitter() -> f64 {
    0.2
}
fn default_unhealthy_polls() -> u32 {
    3
}
fn default_link_days() -> i64 {
    180
}

impl Default for LeaksSettings {
    fn default() -> Self {
        LeaksSettings {
            min_confidence: default_min_confidence(),
            interval_minutes: default_interval(),
            jitter: default_jitter(),
            unhealthy_polls: default_unhealthy_polls(),
            link_days: default_link_days(),
        }
    }
}

/// The whole file. Unknown top-level tables (scan or guard settings in a
/// shared file) are ignored; the leaks tables are checked strictly.
#[derive(Debug, Clone, Deserialize)]
pub struct LeaksConfig {
    #[serde(default, rename = "organization")]
    pub organizations: Vec<Organization>,
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    #[serde(default)]
    pub alerts: AlertConfig,
    #[serde(default)]
    pub leaks: LeaksSettings,
}

impl LeaksConfig {
    pub fn load(path: &Path) -> Result<LeaksConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|reason| ConfigError::Invalid {
            path: path.to_path_buf(),
            reason,
        })
    }

    pub fn parse(text: &str) -> Result<LeaksConfig, String> {
        let config: LeaksConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        if self.organizations.is_empty() {
            return Err("no [[organization]]: whose name should be watched for?".into());
        }
        for source in &self.sources {
            let url = source.url.to_ascii_lowercase();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "source {}: url must be http:// or https://",
                    source.url
                ));
            }
            if source.kind == SourceKind::Html && (source.post.is_none() || source.title.is_none())
            {
                return Err(format!(
                    "source {}: an html source needs `post` and `title` selectors",
                    source.url
                ));
            }
            if let Some(proxy) = &source.proxy {
                if ureq::Proxy::new(proxy).is_err() {
                    return Err(format!("source {}: bad proxy {proxy}", source.url));
                }
            }
        }
        if !(0.0..=1.0).contains(&self.leaks.min_confidence) {
            return Err("leaks.min_confidence must be between 0 and 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_contract_example() {
        let config = LeaksConfig::parse(
            r#"
[[organization]]
name = "株式会社やまと工務店"
aliases = ["やまと工務店", "ヤマト工務店", "Yamato Koumuten Co., Ltd.", "yamato-koumuten"]
domains = ["yamato-koumuten.example.jp"]

[[source]]
kind = "ransomware_live"
url = "https://api.example"
proxy = "socks5h://127.0.0.1:9050"

[[source]]
kind = "ransomlook"
url = "https://rl.example"

[[source]]
kind = "html"
url = "http://abc.onion/"
proxy = "socks5h://127.0.0.1:9050"
post = "div.post"
title = "h2"
body = ".content"
link = "a@href"
date = ".date"
"#,
        )
        .unwrap();
        assert_eq!(config.sources.len(), 3);
        assert_eq!(config.sources[2].kind, SourceKind::Html);
        assert_eq!(config.leaks.interval_minutes, 120);
        assert!(LeaksConfig::parse("[[source]]\nkind='html'\nurl='http://x/'").is_err());
        assert!(LeaksConfig::parse(
            "[[organization]]\nname='a'\n[[source]]\nkind='ftp'\nurl='http://x/'"
        )
        .is_err());
    }
}

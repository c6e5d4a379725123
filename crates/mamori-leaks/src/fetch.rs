//! HTTP GET with a proxy (SOCKS5h for Tor), timeouts, retries with
//! back-off and a size cap. Only the configured listing pages and APIs are
//! fetched: post links, archives and attachments never are.

use crate::config::SourceConfig;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {reason}")]
    Failed { url: String, reason: String },
}

pub struct Fetcher {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
    max_bytes: u64,
}

/// Content types that are never read: leaked archives and attachments.
const REFUSED_TYPES: &[&str] = &[
    "application/zip",
    "application/x-7z",
    "application/x-rar",
    "application/x-tar",
    "application/gzip",
    "application/pdf",
    "application/vnd.",
];

impl Fetcher {
    pub fn new(source: &SourceConfig) -> Result<Fetcher, FetchError> {
        let proxy = match &source.proxy {
            Some(proxy) => Some(ureq::Proxy::new(proxy).map_err(|e| FetchError::Failed {
                url: source.url.clone(),
                reason: format!("proxy {proxy}: {e}"),
            })?),
            None => None,
        };
        // Tor circuits are slow: a longer default through a proxy.
        let default_timeout = if proxy.is_some() { 90 } else { 30 };
        let agent = ureq::Agent::config_builder()
            .proxy(proxy)
            .timeout_global(Some(Duration::from_secs(
                source.timeout_secs.unwrap_or(default_timeout),
            )))
            .http_status_as_error(false)
            .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
            .build()
            .into();
        Ok(Fetcher {
            agent,
            retries: source.retries.unwrap_or(2),
            backoff: Duration::from_millis(source.backoff_ms.unwrap_or(2000)),
            max_bytes: source.max_bytes.unwrap_or(16 * 1024 * 1024),
        })
    }

    /// The body of `url` as text, after up to `retries` more tries for
    /// network errors, 429 and 5xx (back-off doubling each time).
    pub fn get(&self, url: &str) -> Result<String, FetchError> {
        let mut attempt = 0;
        loop {
            match self.get_once(url) {
                Ok(text) => return Ok(text),
                Err((retryable, reason)) => {
                    if !retryable || attempt >= self.retries {
                        return Err(FetchError::Failed {
                            url: url.to_string(),
                            reason,
                        });
                    }
                    std::thread::sleep(self.backoff * 2u32.pow(attempt));
                    attempt += 1;
                }
            }
        }
    }

    fn get_once(&self, url: &str) -> Result<String, (bool, String)> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| (true, e.to_string()))?;
        let status = response.status().as_u16();
        if status == 429 || status >= 500 {
            return Err((true, format!("HTTP {status}")));
        }
        if !(200..300).contains(&status) {
            return Err((false, format!("HTTP {status}")));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if REFUSED_TYPES.iter().any(|t| content_type.starts_with(t)) {
            return Err((
                false,
                format!("refused to download {content_type} (never fetch leaked files)"),
            ));
        }
        let bytes = response
            .body_mut()
            .with_config()
            .limit(self.max_bytes)
            .read_to_vec()
            .map_err(|e| {
                (
                    false,
                    format!("response over {} bytes or unreadable: {e}", self.max_bytes),
                )
            })?;
        // Servers label anything octet-stream: look at the bytes themselves.
        if let Some(kind) = archive_magic(&bytes) {
            return Err((
                false,
                format!("refused: the response is a {kind} file (never read leaked files)"),
            ));
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn archive_magic(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "zip"),
        (b"7z\xbc\xaf\x27\x1c", "7z"),
        (b"Rar!", "rar"),
        (b"\x1f\x8b", "gzip"),
        (b"%PDF", "PDF"),
        (b"BZh", "bzip2"),
        (b"\xfd7zXZ", "xz"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

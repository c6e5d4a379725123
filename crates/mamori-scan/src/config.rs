//! The scan configuration file (TOML), and where state lives by default.

use mamori_detect::CategoryConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// `[category]` with `[[category.rule]]` and `[[category.custom]]`.
    #[serde(default)]
    pub category: CategoryConfig,
    /// Paths (globs relative to the root) never read, e.g. `~$*` lock files.
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration {path} is invalid: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

impl ScanConfig {
    pub fn load(path: &Path) -> Result<ScanConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            reason: e.to_string().replace('\n', " "),
        })
    }
}

/// `$MAMORI_STATE_DIR`, else /var/lib/mamori for root, else ~/.local/state/mamori.
pub fn default_state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MAMORI_STATE_DIR") {
        return PathBuf::from(dir);
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let is_root = unsafe { libc::geteuid() } == 0;
    if is_root {
        return PathBuf::from("/var/lib/mamori");
    }
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("mamori")
}

/// The inventory hash key: in its own private directory beside the database,
/// never inside it (`$MAMORI_KEY_FILE` moves it elsewhere, e.g. /etc/mamori).
pub fn key_path(state_dir: &Path) -> PathBuf {
    std::env::var_os("MAMORI_KEY_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| state_dir.join("secrets").join("inventory.key"))
}

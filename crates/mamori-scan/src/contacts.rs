//! Contacts read from files again: the notification list without the
//! contact index's private key, once the files are restored.

use crate::process::process;
use mamori_core::{Contact, HashKey};
use mamori_detect::{Categorizer, CategoryConfig, Detector};
use mamori_extract::Limits;
use std::path::Path;

/// Reads files for their records' names and mailing addresses.
pub struct ContactReader {
    detector: Detector,
    categorizer: Option<Categorizer>,
    limits: Limits,
}

impl ContactReader {
    pub fn new(key: HashKey) -> Self {
        ContactReader {
            detector: Detector::new(key, None).with_contacts(true),
            categorizer: Categorizer::new(&CategoryConfig::default()).ok(),
            limits: Limits::default(),
        }
    }

    /// The contacts in one file; none if it cannot be read (still encrypted, gone).
    pub fn read(&self, abs: &Path, rel: &str) -> Vec<Contact> {
        let Some(categorizer) = &self.categorizer else {
            return Vec::new();
        };
        let Ok(metadata) = std::fs::metadata(abs) else {
            return Vec::new();
        };
        let stamp = mamori_extract::Stamp::from_metadata(&metadata);
        process(abs, rel, stamp, &self.detector, categorizer, &self.limits).contacts
    }
}

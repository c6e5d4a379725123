//! Contacts read from files again: the notification list without the
//! contact index's private key, once the files are restored.

use crate::process::{process, Ctx};
use mamori_core::{Contact, ContactSealer, HashKey};
use mamori_detect::{Categorizer, CategoryConfig, Detector};
use mamori_extract::Limits;
use std::path::Path;
use std::sync::Mutex;

/// A "sealer" that keeps the contacts in clear for the caller instead:
/// the scan's own path (archives, attachments included) hands them over.
#[derive(Default)]
struct Collector(Mutex<Vec<Contact>>);

impl ContactSealer for Collector {
    fn seal(&self, contacts: &[Contact]) -> Option<Vec<u8>> {
        if let Ok(mut kept) = self.0.lock() {
            kept.extend_from_slice(contacts);
        }
        None
    }
}

/// Reads files for their records' names and mailing addresses.
pub struct ContactReader {
    detector: Detector,
    categorizer: Option<Categorizer>,
    limits: Limits,
    formats: mamori_formats::Limits,
}

impl ContactReader {
    pub fn new(key: HashKey) -> Self {
        ContactReader {
            detector: Detector::new(key, None).with_contacts(true),
            categorizer: Categorizer::new(&CategoryConfig::default()).ok(),
            limits: Limits::default(),
            formats: mamori_formats::Limits::default(),
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
        let collector = Collector::default();
        let ctx = Ctx {
            detector: &self.detector,
            categorizer,
            limits: &self.limits,
            formats: &self.formats,
            sealer: Some(&collector),
        };
        process(abs, rel, stamp, &ctx);
        collector.0.into_inner().unwrap_or_default()
    }
}

//! Incidents: who was affected, and the reports to the Personal Information
//! Protection Commission (個人情報保護委員会), in minutes.
//!
//! Design:
//! - **Join, never re-read.** An incident's journal (`mamori-journal`, written
//!   by the guard, by [`sweep`] or by the leak monitor) names files; the
//!   inventory taken *before* the attack says what each held and whose data
//!   it was. [`assess()`] joins the two, so the answer exists even while the
//!   files themselves are encrypted. Renames are followed back to the name
//!   the inventory knows; files the inventory never saw are counted apart
//!   (their content is unknown, a person must look at them).
//! - **One model, four renderings.** [`report`] builds each document once as
//!   a list of blocks (headings, paragraphs, lists, tables, "to complete"
//!   marks) and renders that to Markdown, HTML and Word (.docx: a zip of
//!   WordprocessingML written here, no template). The figures therefore
//!   cannot differ between formats.
//! - **Law as data.** [`law`] holds the reporting triggers (Enforcement Rules
//!   art. 7, the My Number Act's own duty) and the deadline rule (art. 8) in
//!   one place, with the day-counting choice documented there.
//! - **Contacts sealed at scan time.** [`contacts`] seals each person's name
//!   and mailing address to an X25519 public key (age format) while scanning;
//!   only the offline private key opens them, for the notification list.
//!   The inventory itself stays free of readable contact details.

pub mod assess;
pub mod contacts;
pub mod law;
pub mod report;
pub mod sweep;
pub mod timeline;

pub use assess::{assess, AssessOptions, Assessment, SubjectAssessment};
pub use law::{Deadlines, Triggers};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error(transparent)]
    Journal(#[from] mamori_journal::JournalError),
    #[error(transparent)]
    Inventory(#[from] mamori_inventory::InventoryError),
    #[error(
        "share {share} ({root}) is not in the inventory: scan it before assessing (mamori scan)"
    )]
    NotScanned { share: String, root: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("sealed contact: {0}")]
    Seal(String),
    #[error("{0}")]
    Usage(String),
}

impl IncidentError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> IncidentError {
        let path = path.into();
        move |source| IncidentError::Io { path, source }
    }
}

pub type Result<T> = std::result::Result<T, IncidentError>;

//! A person's mailing contact: what a breach notification letter needs.
//!
//! Raw by nature. It exists only on its way from the detector to the sealed
//! contact index (sealed before it is stored) and from the opened index or
//! a rescan of restored files to the notification list; the inventory never
//! holds it in clear.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub address: String,
}

/// Seals a file's contacts before they are stored (implemented by
/// mamori-incident's age sealer; the scanner only knows this trait).
pub trait ContactSealer: Send + Sync {
    /// The sealed blob, or `None` if sealing failed (nothing is stored then).
    fn seal(&self, contacts: &[Contact]) -> Option<Vec<u8>>;
}

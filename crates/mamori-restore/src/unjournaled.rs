//! Deletes the journal missed, found in the vault.
//!
//! The guard journals what it sees, but a delete can slip through (the
//! first one of a burst, before the incident was opened). The link sweep
//! kept those files: their link in the vault is *frozen* (no name left in
//! the share) and its inode's ctime is the moment of the unlink. A frozen
//! link of a file in a folder the attacker worked in, unlinked while the
//! attack ran, whose name is still free, is put back too — reported apart.
//! Re-creating a missing file never overwrites or removes anything.

use chrono::{DateTime, Utc};
use mamori_journal::{Touch, TouchOp};
use mamori_vault::Vault;
use std::collections::BTreeSet;
use std::path::Path;

/// How long before the incident's start an unlink still counts.
pub use mamori_journal::window::UNLINK_BEFORE_START as BEFORE_START;

/// Synthetic delete touches for files deleted during the attack that the
/// journal does not name.
pub fn find(
    vault: &Vault,
    share: &str,
    root: &Path,
    touches: &[Touch],
    started: DateTime<Utc>,
    last_touch: DateTime<Utc>,
) -> Vec<Touch> {
    let mut named: BTreeSet<&str> = BTreeSet::new();
    let mut folders: BTreeSet<String> = BTreeSet::new();
    for touch in touches {
        for path in [Some(touch.path.as_str()), touch.from.as_deref()]
            .into_iter()
            .flatten()
        {
            named.insert(path);
            let folder = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            folders.insert(folder.to_string());
        }
    }
    let from = started - BEFORE_START;
    let to = last_touch + crate::ATTACKER_SLACK;
    let mut found = Vec::new();
    for folder in &folders {
        let Ok(unlinked) = vault.unlinked_in(share, folder, from, to) else {
            continue;
        };
        for (version, at) in unlinked {
            if named.contains(version.path.as_str()) || root.join(&version.path).exists() {
                continue;
            }
            let mut touch = Touch::new(TouchOp::Delete, version.path.clone());
            touch.time = at;
            touch.vault = Some(version.id.clone());
            found.push(touch);
        }
    }
    found.sort_by_key(|t| t.time);
    found.dedup_by(|a, b| a.path == b.path);
    found
}

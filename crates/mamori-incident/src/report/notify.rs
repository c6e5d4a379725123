//! The notification lists: one CSV per group of people, for mail merge
//! (UTF-8 with a byte-order mark, which Excel and Word need to read
//! Japanese from CSV).

use super::Context;
use crate::{IncidentError, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use mamori_core::Contact;

/// Where the contacts came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ContactSource {
    /// Nothing could be opened: the lists hold headers only.
    #[default]
    None,
    /// The sealed contact index, opened with the offline key.
    Sealed,
    /// Read from the restored files.
    Rescan,
}

#[derive(Debug, Clone, Default)]
pub struct NotificationList {
    pub by_category: BTreeMap<String, BTreeSet<Contact>>,
    pub source: ContactSource,
}

impl NotificationList {
    pub fn add(&mut self, category: &str, contact: Contact) {
        if contact.name.trim().is_empty() {
            return;
        }
        self.by_category
            .entry(category.to_string())
            .or_default()
            .insert(contact);
    }

    /// One entry per person and address: the same person listed by several
    /// files with the same address (spaces aside) once, and an entry without
    /// an address dropped when another entry of the name has one.
    pub fn dedup(&mut self) {
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        for contacts in self.by_category.values_mut() {
            let mut seen = BTreeSet::new();
            let with_address: BTreeSet<String> = contacts
                .iter()
                .filter(|c| !c.address.is_empty())
                .map(|c| squash(&c.name))
                .collect();
            // Addresses of one name, to drop one that another extends
            // (the same address with and without the building).
            let mut addresses: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for c in contacts.iter() {
                addresses
                    .entry(squash(&c.name))
                    .or_default()
                    .push(squash(&c.address));
            }
            contacts.retain(|c| {
                let name = squash(&c.name);
                if c.address.is_empty() && with_address.contains(&name) {
                    return false;
                }
                let address = squash(&c.address);
                let extended = addresses.get(&name).is_some_and(|all| {
                    all.iter()
                        .any(|other| other.len() > address.len() && other.starts_with(&address))
                });
                !extended && seen.insert((name, address))
            });
        }
    }

    pub fn len(&self) -> usize {
        self.by_category.values().map(BTreeSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Names and addresses in clear: readable by the owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(IncidentError::io(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(IncidentError::io(path))?;
    }
    file.write_all(bytes).map_err(IncidentError::io(path))
}

/// A file-name-safe form of a category id (custom ids may be any text).
pub fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The affected personal-data files with their category: the working list
/// for the investigation and the restore (not for publication).
pub fn write_affected(out_dir: &Path, context: &Context<'_>) -> Result<PathBuf> {
    let lang = context.lang;
    let path = out_dir.join("affected-files.csv");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let failed = |e: csv::Error| IncidentError::Io {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        };
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer
            .write_record([lang.pick("ファイル", "file"), lang.pick("区分", "group")])
            .map_err(failed)?;
        for (file, category) in &context.assessment.affected {
            writer
                .write_record([file.as_str(), category.label(lang)])
                .map_err(failed)?;
        }
        writer.flush().map_err(IncidentError::io(&path))?;
    }
    write_private(&path, &bytes)?;
    Ok(path)
}

pub fn write_csv(
    out_dir: &Path,
    context: &Context<'_>,
    contacts: &NotificationList,
) -> Result<Vec<PathBuf>> {
    let lang = context.lang;
    let mut written = Vec::new();
    let empty = BTreeSet::new();
    for id in context.assessment.subjects.keys() {
        let path = out_dir.join(format!("notification-{}.csv", file_safe(id)));
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        {
            let mut writer = csv::Writer::from_writer(&mut bytes);
            let header = [
                lang.pick("区分", "group"),
                lang.pick("氏名", "name"),
                lang.pick("郵便番号", "postal_code"),
                lang.pick("住所", "address"),
            ];
            let label = mamori_core::Category::new(id.as_str())
                .label(lang)
                .to_string();
            let failed = |e: csv::Error| IncidentError::Io {
                path: path.clone(),
                source: std::io::Error::other(e.to_string()),
            };
            writer.write_record(header).map_err(failed)?;
            for contact in contacts.by_category.get(id).unwrap_or(&empty) {
                writer
                    .write_record([
                        &label,
                        &contact.name,
                        &contact.postal_code,
                        &contact.address,
                    ])
                    .map_err(failed)?;
            }
            writer.flush().map_err(IncidentError::io(&path))?;
        }
        write_private(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

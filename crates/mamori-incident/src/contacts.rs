//! The sealed contact index.
//!
//! A company must be able to write to every affected person even while its
//! files are encrypted, yet the inventory must hold no readable contact
//! details. So scans seal each file's contacts (name, postal code, mailing
//! address) to an X25519 public key in the age format; the private key is
//! made once by `mamori keys init`, shown once, and kept offline.
//! `mamori incident report --identity KEYFILE` opens the blobs of the
//! affected files for the notification list.
//!
//! Sealing happens only when `STATE/secrets/contacts.pub` exists: without
//! it, nothing about contacts is stored at all. One age file per inventory
//! file (not per person): one key agreement per file keeps scans fast and
//! the index small.

use crate::report::notify::ContactSource;
use crate::report::{Contact, NotificationList};
use crate::{IncidentError, Result};
use age::secrecy::ExposeSecret;
use std::path::{Path, PathBuf};

/// Where the public key lives inside the state directory.
pub const PUBLIC_KEY_FILE: &str = "secrets/contacts.pub";

pub fn public_key_path(state_dir: &Path) -> PathBuf {
    state_dir.join(PUBLIC_KEY_FILE)
}

/// A new key pair; the public half already written to the state directory.
pub struct NewKeys {
    pub public: String,
    /// `AGE-SECRET-KEY-1…`: shown once, never stored by mamori.
    pub secret: String,
    pub public_path: PathBuf,
}

/// Creates the key pair. Refuses to replace an existing public key unless
/// `force` (contacts sealed to the old key would need the old private key).
pub fn init_keys(state_dir: &Path, force: bool) -> Result<NewKeys> {
    let public_path = public_key_path(state_dir);
    if public_path.exists() && !force {
        return Err(IncidentError::Usage(format!(
            "{} already exists; contacts sealed so far open only with its private key (use --force to replace it)",
            public_path.display()
        )));
    }
    if let Some(dir) = public_path.parent() {
        std::fs::create_dir_all(dir).map_err(IncidentError::io(dir))?;
    }
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let contents =
        format!("# mamori: public key of the sealed contact index (age X25519)\n{public}\n");
    std::fs::write(&public_path, contents).map_err(IncidentError::io(&public_path))?;
    Ok(NewKeys {
        public,
        secret: identity.to_string().expose_secret().to_string(),
        public_path,
    })
}

/// The first non-comment line of a key file.
fn key_line(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(IncidentError::io(path))?;
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .ok_or_else(|| IncidentError::Key {
            path: path.to_path_buf(),
            reason: "no key in the file".into(),
        })
}

/// Seals contacts to the state directory's public key.
pub struct Sealer {
    recipient: age::x25519::Recipient,
}

impl Sealer {
    /// `None` when no public key was set up (then nothing is sealed).
    pub fn load(state_dir: &Path) -> Result<Option<Sealer>> {
        let path = public_key_path(state_dir);
        if !path.exists() {
            return Ok(None);
        }
        let line = key_line(&path)?;
        let recipient = line.parse().map_err(|e: &str| IncidentError::Key {
            path: path.clone(),
            reason: format!("not an age X25519 public key: {e}"),
        })?;
        Ok(Some(Sealer { recipient }))
    }

    pub fn seal(&self, contacts: &[Contact]) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(contacts).map_err(|e| IncidentError::Seal(e.to_string()))?;
        age::encrypt(&self.recipient, &json).map_err(|e| IncidentError::Seal(e.to_string()))
    }
}

impl mamori_core::ContactSealer for Sealer {
    fn seal(&self, contacts: &[Contact]) -> Option<Vec<u8>> {
        Sealer::seal(self, contacts).ok()
    }
}

/// Opens sealed contacts with the offline private key.
pub struct Opener {
    identity: age::x25519::Identity,
}

impl Opener {
    pub fn from_file(path: &Path) -> Result<Opener> {
        let line = key_line(path)?;
        let identity = line.parse().map_err(|e: &str| IncidentError::Key {
            path: path.to_path_buf(),
            reason: format!("not an age X25519 private key: {e}"),
        })?;
        Ok(Opener { identity })
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<Contact>> {
        let json = age::decrypt(&self.identity, sealed).map_err(|e| {
            IncidentError::Seal(format!("cannot open (wrong key for this index?): {e}"))
        })?;
        serde_json::from_slice(&json).map_err(|e| IncidentError::Seal(e.to_string()))
    }
}

/// The notification list of an assessment's affected files, opened from
/// the sealed index. Contacts are grouped by the category of the file that
/// named them; the same person in several files of a group is listed once.
pub fn notification_list(
    inventory: &mamori_inventory::Inventory,
    assessment: &crate::Assessment,
    opener: &Opener,
) -> Result<NotificationList> {
    let mut paths: Vec<String> = assessment.affected.iter().map(|(p, _)| p.clone()).collect();
    paths.dedup();
    let mut list = NotificationList {
        source: ContactSource::Sealed,
        ..NotificationList::default()
    };
    let blobs = inventory.sealed_contacts(&assessment.root, &paths)?;
    // One key agreement per blob: spread them over the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = blobs.len().div_ceil(threads).max(1);
    let opened: Vec<Result<Vec<(String, Vec<Contact>)>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = blobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(_, category, sealed)| {
                            let category = category
                                .as_ref()
                                .map(|c| c.id().to_string())
                                .unwrap_or_else(|| "unknown".into());
                            Ok((category, opener.open(sealed)?))
                        })
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(IncidentError::Seal("a worker failed".into())))
            })
            .collect()
    });
    for part in opened {
        for (category, contacts) in part? {
            for contact in contacts {
                list.add(&category, contact);
            }
        }
    }
    list.dedup();
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Sealer::load(dir.path()).unwrap().is_none());
        let keys = init_keys(dir.path(), false).unwrap();
        assert!(keys.public.starts_with("age1"));
        assert!(init_keys(dir.path(), false).is_err());
        let sealer = Sealer::load(dir.path()).unwrap().unwrap();
        let contacts = vec![Contact {
            name: "山田 太郎".into(),
            postal_code: "100-0001".into(),
            address: "東京都千代田区千代田1-1".into(),
        }];
        let sealed = sealer.seal(&contacts).unwrap();
        assert!(!sealed.windows("山田".len()).any(|w| w == "山田".as_bytes()));
        let key_file = dir.path().join("key.txt");
        std::fs::write(&key_file, format!("# offline\n{}\n", keys.secret)).unwrap();
        let opener = Opener::from_file(&key_file).unwrap();
        assert_eq!(opener.open(&sealed).unwrap(), contacts);
        let other = dir.path().join("other");
        let other_keys = init_keys(&other, false).unwrap();
        std::fs::write(&key_file, other_keys.secret).unwrap();
        assert!(Opener::from_file(&key_file).unwrap().open(&sealed).is_err());
    }
}

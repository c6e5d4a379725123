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
//! it, nothing about contacts is stored at all.
//!
//! Blob format (`MMC1`): each [`Sealer`] (one per scan) draws a random
//! 256-bit data key and seals it once to the public key as an age file; a
//! file's contacts are JSON encrypted with ChaCha20-Poly1305 under that data
//! key with a random nonce. A blob carries the age-sealed data key, so it
//! opens on its own; the [`Opener`] unwraps each distinct data key once
//! (one X25519 agreement per scan instead of per file), which keeps the
//! notification list of 100 000 files within seconds.
//! `MMC1 | u16 len | age(data key) | 12-byte nonce | AEAD(JSON contacts)`.

use crate::report::notify::ContactSource;
use crate::report::{Contact, NotificationList};
use crate::{IncidentError, Result};
use age::secrecy::ExposeSecret;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
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

const MAGIC: &[u8; 4] = b"MMC1";
const NONCE: usize = 12;

/// Seals contacts to the state directory's public key.
pub struct Sealer {
    /// The data key sealed to the public key (age), carried by every blob.
    wrapped: Vec<u8>,
    cipher: ChaCha20Poly1305,
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| IncidentError::Seal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

impl Sealer {
    /// `None` when no public key was set up (then nothing is sealed).
    pub fn load(state_dir: &Path) -> Result<Option<Sealer>> {
        let path = public_key_path(state_dir);
        if !path.exists() {
            return Ok(None);
        }
        let line = key_line(&path)?;
        let recipient: age::x25519::Recipient =
            line.parse().map_err(|e: &str| IncidentError::Key {
                path: path.clone(),
                reason: format!("not an age X25519 public key: {e}"),
            })?;
        let data_key = random::<32>()?;
        let wrapped =
            age::encrypt(&recipient, &data_key).map_err(|e| IncidentError::Seal(e.to_string()))?;
        if wrapped.len() > usize::from(u16::MAX) {
            return Err(IncidentError::Seal("sealed data key too long".into()));
        }
        Ok(Some(Sealer {
            wrapped,
            cipher: ChaCha20Poly1305::new(Key::from_slice(&data_key)),
        }))
    }

    pub fn seal(&self, contacts: &[Contact]) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(contacts).map_err(|e| IncidentError::Seal(e.to_string()))?;
        let nonce = random::<NONCE>()?;
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), json.as_slice())
            .map_err(|_| IncidentError::Seal("encryption failed".into()))?;
        let mut blob = Vec::with_capacity(6 + self.wrapped.len() + NONCE + sealed.len());
        blob.extend_from_slice(MAGIC);
        // Checked at construction: the length fits.
        blob.extend_from_slice(&(self.wrapped.len() as u16).to_le_bytes());
        blob.extend_from_slice(&self.wrapped);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(blob)
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
    /// Data keys already unwrapped, by their sealed form.
    keys: std::sync::Mutex<std::collections::HashMap<Vec<u8>, ChaCha20Poly1305>>,
}

impl Opener {
    pub fn from_file(path: &Path) -> Result<Opener> {
        let line = key_line(path)?;
        let identity = line.parse().map_err(|e: &str| IncidentError::Key {
            path: path.to_path_buf(),
            reason: format!("not an age X25519 private key: {e}"),
        })?;
        Ok(Opener {
            identity,
            keys: Default::default(),
        })
    }

    fn cipher(&self, wrapped: &[u8]) -> Result<ChaCha20Poly1305> {
        if let Ok(keys) = self.keys.lock() {
            if let Some(cipher) = keys.get(wrapped) {
                return Ok(cipher.clone());
            }
        }
        let data_key = age::decrypt(&self.identity, wrapped).map_err(|e| {
            IncidentError::Seal(format!("cannot open (wrong key for this index?): {e}"))
        })?;
        if data_key.len() != 32 {
            return Err(IncidentError::Seal(
                "sealed data key of a wrong size".into(),
            ));
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&data_key));
        if let Ok(mut keys) = self.keys.lock() {
            keys.insert(wrapped.to_vec(), cipher.clone());
        }
        Ok(cipher)
    }

    pub fn open(&self, blob: &[u8]) -> Result<Vec<Contact>> {
        let bad = || IncidentError::Seal("not a sealed contact blob (MMC1)".into());
        let rest = blob.strip_prefix(MAGIC.as_slice()).ok_or_else(bad)?;
        let (len, rest) = rest.split_first_chunk::<2>().ok_or_else(bad)?;
        let len = usize::from(u16::from_le_bytes(*len));
        if rest.len() < len + NONCE {
            return Err(bad());
        }
        let (wrapped, rest) = rest.split_at(len);
        let (nonce, sealed) = rest.split_at(NONCE);
        let json = self
            .cipher(wrapped)?
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| IncidentError::Seal("sealed contacts fail authentication".into()))?;
        serde_json::from_slice(&json).map_err(|e| IncidentError::Seal(e.to_string()))
    }
}

/// A file's category and its opened contacts.
type Opened = (String, Vec<Contact>);

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
    let opened: Vec<Result<Vec<Opened>>> = std::thread::scope(|scope| {
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
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(opener.open(&tampered).is_err());
        assert!(opener.open(b"MMC1").is_err());
        let other = dir.path().join("other");
        let other_keys = init_keys(&other, false).unwrap();
        std::fs::write(&key_file, other_keys.secret).unwrap();
        assert!(Opener::from_file(&key_file).unwrap().open(&sealed).is_err());
    }
}

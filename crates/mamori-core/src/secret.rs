//! Keyed hashes: the only way an identifier is remembered.
//!
//! The key is 32 random bytes created at first use, written with mode 0600 in a
//! directory of its own (by default `STATE_DIR/secrets/`), never inside the
//! database, so a stolen inventory alone cannot be brute-forced back to My
//! Numbers (a 12-digit space is small enough to enumerate without a key).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read hash key {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create hash key {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("hash key {path} is malformed (expected 64 hex characters)")]
    Malformed { path: PathBuf },
    #[error("no system randomness available: {0}")]
    Random(String),
}

/// Truncated HMAC-SHA256 (128 bits): ample against collisions among the
/// millions of values a share holds, and half the storage.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyHash(pub [u8; 16]);

impl KeyHash {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(s: &str) -> Option<KeyHash> {
        let bytes = hex::decode(s).ok()?;
        Some(KeyHash(bytes.try_into().ok()?))
    }
}

impl serde::Serialize for KeyHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for KeyHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        KeyHash::from_hex(&text)
            .ok_or_else(|| serde::de::Error::custom("expected 32 hex characters"))
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyHash({})", &self.to_hex()[..8])
    }
}

#[derive(Clone)]
pub struct HashKey {
    bytes: [u8; 32],
    /// The keyed HMAC state, computed once: hashing a value then costs two
    /// SHA-256 compressions instead of four.
    keyed: Hmac<Sha256>,
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey(..)")
    }
}

impl HashKey {
    /// A fixed key for tests and benchmarks; never used for a real inventory.
    pub fn for_tests() -> HashKey {
        HashKey::from_bytes([7u8; 32])
    }

    fn from_bytes(bytes: [u8; 32]) -> HashKey {
        let keyed = <Hmac<Sha256> as Mac>::new_from_slice(&bytes)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        HashKey { bytes, keyed }
    }

    pub fn generate() -> Result<HashKey, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(HashKey::from_bytes(bytes))
    }

    /// Loads the key at `path`, creating it (and its private directory) on first run.
    pub fn load_or_create(path: &Path) -> Result<HashKey, KeyError> {
        match fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Malformed {
                    path: path.to_path_buf(),
                })?;
                let key: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed {
                    path: path.to_path_buf(),
                })?;
                Ok(HashKey::from_bytes(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = HashKey::generate()?;
                key.write_new(path)?;
                Ok(key)
            }
            Err(source) => Err(KeyError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let create_err = |source| KeyError::Create {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(create_err)?;
            set_mode(dir, 0o700).map_err(create_err)?;
        }
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(create_err)?;
        file.write_all(hex::encode(self.bytes).as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(create_err)
    }

    /// Hash of `value` within `domain`; domains keep a phone number and an
    /// account number with the same digits apart.
    pub fn hash(&self, domain: &str, value: &str) -> KeyHash {
        let mut mac = self.keyed.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        KeyHash(out)
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets/inventory.key");
        let a = HashKey::load_or_create(&path).unwrap();
        let b = HashKey::load_or_create(&path).unwrap();
        assert_eq!(a.hash("mn", "123456789018"), b.hash("mn", "123456789018"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(!fs::read_to_string(&path).unwrap().contains("123456789018"));
    }

    #[test]
    fn domains_separate_equal_values() {
        let key = HashKey::for_tests();
        assert_ne!(
            key.hash("phone", "0312345678"),
            key.hash("account", "0312345678")
        );
        let h = key.hash("x", "y");
        assert_eq!(KeyHash::from_hex(&h.to_hex()), Some(h));
    }

    #[test]
    fn malformed_key_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        fs::write(&path, "zz").unwrap();
        let err = HashKey::load_or_create(&path).unwrap_err().to_string();
        assert!(err.contains("malformed"), "{err}");
    }
}

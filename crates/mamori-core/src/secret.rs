//! Keyed hashes: the only way an identifier is remembered.
//!
//! The key is 32 random bytes created at first use, written with mode 0600 in a
//! directory of its own (by default `STATE_DIR/secrets/`), never inside the
//! database, so a stolen inventory alone cannot be brute-forced back to My
//! Numbers (a 12-digit space is small enough to enumerate without a key).

mod lanes;

use lanes::{compress, compress2};
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
    /// SHA-256 states after the HMAC key's inner (ipad) and outer (opad)
    /// blocks, computed once: hashing a short value then costs exactly two
    /// compressions on stack blocks, with no hasher object to clone, buffer
    /// or reset (this runs about nine times per table row).
    inner: [u32; 8],
    outer: [u32; 8],
}

const SHA256_INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The SHA-256 state after one key block XORed with `pad` (HMAC's ipad/opad).
fn keyed_state(key: &[u8; 32], pad: u8) -> [u32; 8] {
    let mut block = [pad; 64];
    for (b, k) in block.iter_mut().zip(key) {
        *b ^= k;
    }
    let mut state = SHA256_INITIAL;
    compress(&mut state, &block);
    state
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
        HashKey {
            bytes,
            inner: keyed_state(&bytes, 0x36),
            outer: keyed_state(&bytes, 0x5c),
        }
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
    ///
    /// HMAC-SHA256(key, domain ‖ 0 ‖ value), truncated to 128 bits; computed
    /// from the precomputed key states (equal to the `hmac` crate's output,
    /// see the tests).
    pub fn hash(&self, domain: &str, value: &str) -> KeyHash {
        let mut state = self.inner;
        let mut block = [0u8; 64];
        let mut filled = 0;
        let mut total = 64u64; // the ipad block already absorbed
        for part in [domain.as_bytes(), &[0], value.as_bytes()] {
            let mut part = part;
            while !part.is_empty() {
                let take = part.len().min(64 - filled);
                block[filled..filled + take].copy_from_slice(&part[..take]);
                filled += take;
                part = &part[take..];
                if filled == 64 {
                    compress(&mut state, &block);
                    total += 64;
                    filled = 0;
                }
            }
        }
        let inner_digest = finish(state, &mut block, filled, total + filled as u64);
        let mut outer_block = [0u8; 64];
        outer_block[..32].copy_from_slice(&inner_digest);
        let outer_digest = finish(self.outer, &mut outer_block, 32, 64 + 32);
        let mut out = [0u8; 16];
        out.copy_from_slice(&outer_digest[..16]);
        KeyHash(out)
    }

    /// [`HashKey::hash`] of every `(domain, value)`, handed to `each` in
    /// the messages' order.
    ///
    /// The same hashes, computed faster: the compressions of different
    /// messages are independent, and run two at a time (see `lanes`). A
    /// short message is two compressions, inner then outer; a batch's
    /// inner compressions run first, then its outer ones, paired in that
    /// order, so `n ≥ 2` short messages take `n` paired steps. (An outer
    /// compression is never paired with its own inner one: with `n ≥ 2`
    /// the inner one lies at least one pair earlier.)
    pub fn hash_each<'m>(
        &self,
        messages: impl IntoIterator<Item = (&'m str, &'m str)>,
        mut each: impl FnMut(KeyHash),
    ) {
        let mut batch = [("", ""); BATCH];
        let mut filled = 0;
        for message in messages {
            batch[filled] = message;
            filled += 1;
            if filled == BATCH {
                self.hash_batch(&batch, &mut each);
                filled = 0;
            }
        }
        if filled > 0 {
            self.hash_batch(&batch[..filled], &mut each);
        }
    }

    fn hash_batch(&self, messages: &[(&str, &str)], each: &mut impl FnMut(KeyHash)) {
        let mut hashes = [KeyHash([0; 16]); BATCH];
        // The short messages (one inner block), by index; longer ones are
        // rare (a long e-mail address) and hashed one at a time.
        let mut short = [0usize; BATCH];
        let mut shorts = 0;
        let mut states = [self.inner; BATCH];
        let mut blocks = [[0u8; 64]; BATCH];
        for (index, (domain, value)) in messages.iter().enumerate() {
            if domain.len() + 1 + value.len() <= ONE_BLOCK {
                blocks[index] = inner_block(domain.as_bytes(), value.as_bytes());
                short[shorts] = index;
                shorts += 1;
            } else {
                hashes[index] = self.hash(domain, value);
            }
        }
        // Step `j < shorts` is the inner compression of `short[j]`, step
        // `shorts + j` its outer one.
        let steps = 2 * shorts;
        let mut step = 0;
        while step < steps {
            let pair = shorts >= 2 && step + 1 < steps;
            let first = self.ready(step, shorts, &short, &mut states, &mut blocks);
            if pair {
                let second = self.ready(step + 1, shorts, &short, &mut states, &mut blocks);
                let (a, b) = two_mut(&mut states, first, second);
                compress2(a, &blocks[first], b, &blocks[second]);
            } else {
                compress(&mut states[first], &blocks[first]);
            }
            step += if pair { 2 } else { 1 };
        }
        for &index in &short[..shorts] {
            hashes[index] = truncated(&states[index]);
        }
        for hash in &hashes[..messages.len()] {
            each(*hash);
        }
    }

    /// The message index of `step`, its state and block ready for its
    /// compression (an outer step's block is built from its inner state).
    fn ready(
        &self,
        step: usize,
        shorts: usize,
        short: &[usize; BATCH],
        states: &mut [[u32; 8]; BATCH],
        blocks: &mut [[u8; 64]; BATCH],
    ) -> usize {
        if step < shorts {
            return short[step];
        }
        let index = short[step - shorts];
        blocks[index] = outer_block(&states[index]);
        states[index] = self.outer;
        index
    }
}

/// Two distinct elements of `states`, both mutable.
fn two_mut(states: &mut [[u32; 8]; BATCH], a: usize, b: usize) -> (&mut [u32; 8], &mut [u32; 8]) {
    debug_assert_ne!(a, b);
    if a < b {
        let (low, high) = states.split_at_mut(b);
        (&mut low[a], &mut high[0])
    } else {
        let (low, high) = states.split_at_mut(a);
        (&mut high[0], &mut low[b])
    }
}

/// Messages [`HashKey::hash_each`] collects before hashing them together.
const BATCH: usize = 16;

/// The longest `domain ‖ 0 ‖ value` whose padded inner message is one block.
const ONE_BLOCK: usize = 55;

/// The one padded block of the inner message `domain ‖ 0 ‖ value`
/// (at most [`ONE_BLOCK`] bytes) after the ipad block.
fn inner_block(domain: &[u8], value: &[u8]) -> [u8; 64] {
    let mut block = [0u8; 64];
    let length = domain.len() + 1 + value.len();
    block[..domain.len()].copy_from_slice(domain);
    block[domain.len() + 1..length].copy_from_slice(value);
    block[length] = 0x80;
    block[56..].copy_from_slice(&((64 + length as u64) * 8).to_be_bytes());
    block
}

/// The outer message's one block: the inner digest of `inner` (the state
/// after the inner message), padded; the opad block is already absorbed.
fn outer_block(inner: &[u32; 8]) -> [u8; 64] {
    let mut block = [0u8; 64];
    for (chunk, word) in block.chunks_exact_mut(4).zip(inner) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    block[32] = 0x80;
    block[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
    block
}

/// The truncated hash from the outer state.
fn truncated(outer: &[u32; 8]) -> KeyHash {
    let mut out = [0u8; 16];
    for (chunk, word) in out.chunks_exact_mut(4).zip(outer) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    KeyHash(out)
}

/// SHA-256 padding and the last one or two compressions: `block` holds
/// `filled` message bytes, `length` is the whole message's length in bytes.
fn finish(mut state: [u32; 8], block: &mut [u8; 64], filled: usize, length: u64) -> [u8; 32] {
    block[filled] = 0x80;
    block[filled + 1..].fill(0);
    if filled >= 56 {
        compress(&mut state, block);
        block.fill(0);
    }
    block[56..].copy_from_slice(&(length * 8).to_be_bytes());
    compress(&mut state, block);
    let mut digest = [0u8; 32];
    for (chunk, word) in digest.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    digest
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

    /// `HashKey::for_tests().hash("my_number", "123456789018")`, computed with
    /// the `hmac` crate before the precomputed states replaced it.
    const REFERENCE_VECTOR: &str = "6ad75cf28b01f84e43f506b07254231c";

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

    /// The precomputed-state HMAC equals the `hmac` crate's, at every
    /// length around the block and padding boundaries.
    #[test]
    fn equals_reference_hmac() {
        use hmac::{Hmac, Mac};
        let key = HashKey::generate().unwrap();
        for domain in ["", "name", "record_numbering"] {
            for len in 0..200 {
                let value: String = (0..len)
                    .map(|i| char::from(b'a' + (i % 26) as u8))
                    .collect();
                let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key.bytes).unwrap();
                mac.update(domain.as_bytes());
                mac.update(&[0]);
                mac.update(value.as_bytes());
                let full = mac.finalize().into_bytes();
                assert_eq!(key.hash(domain, &value).0[..], full[..16], "{domain} {len}");
            }
        }
        // A stored inventory's hashes stay valid: a fixed vector.
        assert_eq!(
            HashKey::for_tests()
                .hash("my_number", "123456789018")
                .to_hex(),
            REFERENCE_VECTOR
        );
    }

    /// `hash_each` equals `hash` (and so the `hmac` crate) message by
    /// message, in order, on random batches: every batch size up to past
    /// two batches, values of every length around the one-block bound,
    /// non-ASCII text, long messages mixed with short ones.
    #[test]
    fn hash_each_equals_hash_one_by_one() {
        use hmac::{Hmac, Mac};
        let key = HashKey::generate().unwrap();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let domains = [
            "name",
            "birth",
            "my_number",
            "email",
            "phone",
            "record_id",
            "",
        ];
        let letters = ['a', '0', '山', 'タ', '@', '\u{0}', 'é'];
        for round in 0..400 {
            let count = round % 40;
            let messages: Vec<(&str, String)> = (0..count)
                .map(|_| {
                    let domain = domains[next() as usize % domains.len()];
                    let len = next() as usize % 70;
                    let value: String = (0..len)
                        .map(|_| letters[next() as usize % letters.len()])
                        .collect();
                    (domain, value)
                })
                .collect();
            let mut got = Vec::new();
            key.hash_each(messages.iter().map(|(d, v)| (*d, v.as_str())), |h| {
                got.push(h)
            });
            let want: Vec<KeyHash> = messages.iter().map(|(d, v)| key.hash(d, v)).collect();
            assert_eq!(got, want, "round {round}");
            for ((domain, value), hash) in messages.iter().zip(&got) {
                let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key.bytes).unwrap();
                mac.update(domain.as_bytes());
                mac.update(&[0]);
                mac.update(value.as_bytes());
                assert_eq!(hash.0[..], mac.finalize().into_bytes()[..16]);
            }
        }
        let mut fixed = Vec::new();
        HashKey::for_tests().hash_each([("my_number", "123456789018"); 3], |h| fixed.push(h));
        assert!(fixed.iter().all(|h| h.to_hex() == REFERENCE_VECTOR));
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

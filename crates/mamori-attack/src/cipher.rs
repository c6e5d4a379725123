//! Real encryption for the simulator: a ChaCha20 keystream XORed over the
//! data (what most ransomware families use, minus the key wrapping), and the
//! base64 encoding some families apply to keep entropy low.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// A per-run key; each file gets its own nonce-like stream position.
#[derive(Debug, Clone)]
pub struct Cipher {
    key: [u8; 32],
}

impl Cipher {
    pub fn new(seed: u64) -> Cipher {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        Cipher { key }
    }

    /// Encrypts `data` in place with the keystream of file number `file`.
    pub fn apply(&self, file: u64, data: &mut [u8]) {
        let mut rng = ChaCha20Rng::from_seed(self.key);
        rng.set_stream(file);
        let mut stream = vec![0u8; data.len()];
        rng.fill_bytes(&mut stream);
        for (byte, key) in data.iter_mut().zip(stream) {
            *byte ^= key;
        }
    }

    pub fn encrypt(&self, file: u64, data: &[u8]) -> Vec<u8> {
        let mut out = data.to_vec();
        self.apply(file, &mut out);
        out
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystream_round_trips_and_differs_per_file() {
        let c = Cipher::new(7);
        let plain = b"\xe7\xa4\xbe\xe5\x93\xa1\xe5\x90\x8d\xe7\xb0\xbf".repeat(100);
        let a = c.encrypt(1, &plain);
        let b = c.encrypt(2, &plain);
        assert_ne!(a, plain);
        assert_ne!(a, b);
        assert_eq!(c.encrypt(1, &a), plain);
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}

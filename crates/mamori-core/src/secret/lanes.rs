//! SHA-256's compression function on one state, or on two independent
//! states at once.
//!
//! A keyed hash of a short value is two dependent compressions (inner, then
//! outer), and a record's keys are several independent hashes. SHA-NI's
//! round instruction has a latency several times its throughput, so two
//! independent compressions interleaved in one instruction stream cost
//! little more than one. Without SHA-NI (or off x86-64) each state goes
//! through `sha2::compress256`, which has its own dispatch.

use sha2::digest::generic_array::GenericArray;

/// One compression of `block` into `state`.
pub(super) fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    portable(state, block);
}

/// Two independent compressions: `a_block` into `a`, `b_block` into `b`;
/// the same as two [`compress`] calls.
pub(super) fn compress2(
    a: &mut [u32; 8],
    a_block: &[u8; 64],
    b: &mut [u32; 8],
    b_block: &[u8; 64],
) {
    #[cfg(target_arch = "x86_64")]
    if has_sha_ni() {
        // SAFETY: the CPU has the features `shani::compress2` is compiled
        // for (checked just above); its loads and stores are unaligned and
        // stay within the four arrays borrowed here.
        unsafe { shani::compress2([a, b], [a_block, b_block]) };
        return;
    }
    portable(a, a_block);
    portable(b, b_block);
}

fn portable(state: &mut [u32; 8], block: &[u8; 64]) {
    sha2::compress256(state, &[*GenericArray::from_slice(block)]);
}

#[cfg(target_arch = "x86_64")]
fn has_sha_ni() -> bool {
    // std caches the CPUID answer: this is one atomic load after the first call.
    std::arch::is_x86_feature_detected!("sha")
        && std::arch::is_x86_feature_detected!("sse4.1")
        && std::arch::is_x86_feature_detected!("ssse3")
}

/// The two-state compression with the SHA extensions, written after the
/// one-state version in the `sha2` crate (`sha256/x86.rs`): each group of
/// four rounds is issued for state A, then for state B, so the two
/// dependency chains overlap.
#[cfg(target_arch = "x86_64")]
mod shani {
    use std::arch::x86_64::*;

    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// The message words `w0..w3` (w[i] = words 4i..4i+3) of the next four
    /// rounds from the previous sixteen.
    macro_rules! schedule {
        ($v0:expr, $v1:expr, $v2:expr, $v3:expr) => {{
            let t1 = _mm_sha256msg1_epu32($v0, $v1);
            let t2 = _mm_alignr_epi8($v3, $v2, 4);
            let t3 = _mm_add_epi32(t1, t2);
            _mm_sha256msg2_epu32(t3, $v3)
        }};
    }

    /// Four rounds of one state with the message words `w`.
    macro_rules! rounds4 {
        ($abef:expr, $cdgh:expr, $w:expr, $i:expr) => {{
            let kv = _mm_set_epi32(
                K[4 * $i + 3] as i32,
                K[4 * $i + 2] as i32,
                K[4 * $i + 1] as i32,
                K[4 * $i] as i32,
            );
            let t1 = _mm_add_epi32($w, kv);
            $cdgh = _mm_sha256rnds2_epu32($cdgh, $abef, t1);
            let t2 = _mm_shuffle_epi32(t1, 0x0E);
            $abef = _mm_sha256rnds2_epu32($abef, $cdgh, t2);
        }};
    }

    /// `state` (a..h) as the instruction set's ABEF and CDGH halves.
    macro_rules! load_state {
        ($state:expr) => {{
            let ptr = $state.as_ptr() as *const __m128i;
            let dcba = _mm_loadu_si128(ptr);
            let efgh = _mm_loadu_si128(ptr.add(1));
            let cdab = _mm_shuffle_epi32(dcba, 0xB1);
            let efgh = _mm_shuffle_epi32(efgh, 0x1B);
            (
                _mm_alignr_epi8(cdab, efgh, 8),
                _mm_blend_epi16(efgh, cdab, 0xF0),
            )
        }};
    }

    macro_rules! store_state {
        ($state:expr, $abef:expr, $cdgh:expr) => {{
            let feba = _mm_shuffle_epi32($abef, 0x1B);
            let dchg = _mm_shuffle_epi32($cdgh, 0xB1);
            let ptr = $state.as_mut_ptr() as *mut __m128i;
            _mm_storeu_si128(ptr, _mm_blend_epi16(feba, dchg, 0xF0));
            _mm_storeu_si128(ptr.add(1), _mm_alignr_epi8(dchg, feba, 8));
        }};
    }

    /// Message word group `n` (bytes 16n..16n+16) of `block`, big-endian.
    macro_rules! load_words {
        ($block:expr, $n:expr, $mask:expr) => {
            _mm_shuffle_epi8(
                _mm_loadu_si128(($block.as_ptr() as *const __m128i).add($n)),
                $mask,
            )
        };
    }

    /// Defines `$name`, compressing one block into each of `$count`
    /// states at once: each group of four rounds is issued for every state
    /// in turn, so their dependency chains overlap. (Four states measured
    /// no faster than two pairs: two already fill the round unit.)
    macro_rules! compress_lanes {
        ($name:ident, $count:literal, $($lane:literal),+) => {
            /// # Safety
            /// The CPU must support SHA, SSE2, SSSE3 and SSE4.1.
            #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
            pub(super) unsafe fn $name(
                states: [&mut [u32; 8]; $count],
                blocks: [&[u8; 64]; $count],
            ) {
                let mask = _mm_set_epi64x(
                    0x0C0D_0E0F_0809_0A0Bu64 as i64,
                    0x0405_0607_0001_0203u64 as i64,
                );
                let zero = _mm_setzero_si128();
                let mut abef = [zero; $count];
                let mut cdgh = [zero; $count];
                $( (abef[$lane], cdgh[$lane]) = load_state!(states[$lane]); )+
                let saved = (abef, cdgh);
                let mut w = [[zero; 4]; $count];
                $(
                    w[$lane] = [
                        load_words!(blocks[$lane], 0, mask),
                        load_words!(blocks[$lane], 1, mask),
                        load_words!(blocks[$lane], 2, mask),
                        load_words!(blocks[$lane], 3, mask),
                    ];
                )+
                // Rounds 0..16 use the block's words; each later group of
                // four replaces the oldest of the four word groups kept.
                macro_rules! group {
                    ($i:expr) => {{
                        if $i >= 4 {
                            $(
                                w[$lane][$i % 4] = schedule!(
                                    w[$lane][$i % 4],
                                    w[$lane][($i + 1) % 4],
                                    w[$lane][($i + 2) % 4],
                                    w[$lane][($i + 3) % 4]
                                );
                            )+
                        }
                        $( rounds4!(abef[$lane], cdgh[$lane], w[$lane][$i % 4], $i); )+
                    }};
                }
                group!(0);
                group!(1);
                group!(2);
                group!(3);
                group!(4);
                group!(5);
                group!(6);
                group!(7);
                group!(8);
                group!(9);
                group!(10);
                group!(11);
                group!(12);
                group!(13);
                group!(14);
                group!(15);
                $(
                    abef[$lane] = _mm_add_epi32(abef[$lane], saved.0[$lane]);
                    cdgh[$lane] = _mm_add_epi32(cdgh[$lane], saved.1[$lane]);
                    store_state!(states[$lane], abef[$lane], cdgh[$lane]);
                )+
            }
        };
    }

    compress_lanes!(compress2, 2, 0, 1);

    #[cfg(test)]
    pub(super) fn available() -> bool {
        super::has_sha_ni()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: reproducible bytes without a dependency.
    struct Bytes(u64);

    impl Bytes {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn block(&mut self) -> [u8; 64] {
            std::array::from_fn(|_| self.next() as u8)
        }
        fn state(&mut self) -> [u32; 8] {
            std::array::from_fn(|_| self.next() as u32)
        }
    }

    /// Two states compressed together equal each compressed alone.
    #[test]
    fn two_lanes_equal_one_at_a_time() {
        let mut rng = Bytes(0x9E37_79B9_7F4A_7C15);
        for _ in 0..2000 {
            let (mut a, mut b) = (rng.state(), rng.state());
            let (a_block, b_block) = (rng.block(), rng.block());
            let (mut a_alone, mut b_alone) = (a, b);
            portable(&mut a_alone, &a_block);
            portable(&mut b_alone, &b_block);
            compress2(&mut a, &a_block, &mut b, &b_block);
            assert_eq!((a, b), (a_alone, b_alone));
            let mut c = a_alone;
            compress(&mut c, &b_block);
            portable(&mut a_alone, &b_block);
            assert_eq!(c, a_alone);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sha_ni_path_is_the_one_tested_here() {
        if !shani::available() {
            eprintln!("skipped: this CPU has no SHA extensions (the portable path ran)");
        }
    }
}

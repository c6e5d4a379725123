//! Mutation fuzzing that runs everywhere (`cargo test`): valid samples of
//! every format, mutated (bit flips, byte runs, cuts, splices,
//! duplications) by a seeded generator, read with the default limits; no
//! input may panic. `MAMORI_FUZZ_SECS=N` runs each format for N seconds
//! instead of the quick default (scripts/fuzz uses it when cargo-fuzz is
//! not available). cargo-fuzz targets for the same parsers are in fuzz/.

mod common;
use common::*;
use mamori_formats::Limits;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        if data.is_empty() {
            data.push(0);
        }
        let at = rng.below(data.len());
        match rng.below(7) {
            0 => data[at] ^= 1 << rng.below(8),
            1 => data[at] = [0, 0xFF, 0x7F, 0x80, b'<', b'&', b'%'][rng.below(7)],
            2 => data.truncate(at),
            3 => {
                let len = rng.below(64).min(data.len() - at);
                let chunk = data[at..at + len].to_vec();
                let to = rng.below(data.len());
                data.splice(to..to, chunk);
            }
            4 => {
                let len = rng.below(16);
                data.splice(at..at, std::iter::repeat_n(rng.next() as u8, len));
            }
            5 => {
                // Sizes and offsets live in little-endian u32 fields.
                let v = [0u32, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x1000_0000][rng.below(5)];
                let end = (at + 4).min(data.len());
                let bytes = v.to_le_bytes();
                data[at..end].copy_from_slice(&bytes[..end - at]);
            }
            _ => {
                let end = (at + rng.below(256)).min(data.len());
                data.drain(at..end);
            }
        }
    }
    data
}

fn budget_secs() -> Option<u64> {
    std::env::var("MAMORI_FUZZ_SECS").ok()?.parse().ok()
}

#[test]
fn mutated_files_never_panic() {
    let limits = Limits {
        max_time: Duration::from_secs(10),
        ..Limits::default()
    };
    let only = std::env::var("MAMORI_FUZZ_FORMAT").ok();
    for (kind, sample) in samples() {
        if only.as_deref().is_some_and(|o| o != kind) {
            continue;
        }
        // PDFs go through a child process per input: fewer of them.
        let quick = if kind == "pdf" { 20 } else { 300 };
        let deadline = budget_secs().map(|s| Instant::now() + Duration::from_secs(s));
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ kind.len() as u64 ^ sample.len() as u64);
        let mut runs = 0u64;
        loop {
            let input = mutate(&mut rng, &sample);
            let outcome = std::panic::catch_unwind(|| read(kind, &input, limits));
            if outcome.is_err() {
                let path =
                    std::env::temp_dir().join(format!("mamori-fuzz-crash-{kind}-{runs}.bin"));
                let _ = std::fs::write(&path, &input);
                panic!(
                    "{kind}: panic on a mutated input, saved to {}",
                    path.display()
                );
            }
            runs += 1;
            match deadline {
                Some(d) if Instant::now() >= d => break,
                None if runs >= quick => break,
                _ => {}
            }
        }
        eprintln!("{kind}: {runs} mutated inputs, no panic");
    }
}

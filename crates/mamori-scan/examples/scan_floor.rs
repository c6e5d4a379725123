//! The floor under `mamori scan` on CSV and text (see `mamori_scan::floor`):
//! per folder, CPU seconds of this process (getrusage user + sys, one
//! thread) for (a) read + detect the encoding + decode + split records or
//! lines, and (b) (a) + the keyed hashes the inventory stores; the minimum
//! of `--rounds` runs each.
//!
//!   cargo run --release -p mamori-scan --example scan_floor -- [--rounds N] [--plain] DIR...
//!
//! MB are MiB (`du -sm --apparent-size`, as `scripts/bench-scan`). `--plain`
//! prints `MB a_cpu_s b_cpu_s records lines hashes DIR` per folder, for scripts.

use mamori_core::HashKey;
use mamori_scan::floor::{run, Tally, Work};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer it is given.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return f64::NAN;
        }
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The least CPU time of `rounds` runs, and the last run's tally.
fn timed(dir: &Path, work: Work, key: &HashKey, rounds: usize) -> (f64, Tally) {
    let mut best = f64::INFINITY;
    let mut tally = Tally::default();
    for _ in 0..rounds {
        let start = cpu_seconds();
        tally = std::hint::black_box(run(dir, work, key));
        best = best.min(cpu_seconds() - start);
    }
    (best, tally)
}

fn main() -> ExitCode {
    let mut rounds = 3;
    let mut plain = false;
    let mut dirs = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--plain") => plain = true,
            Some("--rounds") => match args.next().and_then(|n| n.to_str()?.parse().ok()) {
                Some(n) if n > 0 => rounds = n,
                _ => {
                    eprintln!("--rounds needs a positive number");
                    return ExitCode::from(2);
                }
            },
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: scan_floor [--rounds N] [--plain] DIR...");
        return ExitCode::from(2);
    }
    let key = HashKey::for_tests();
    if !plain {
        println!("| folder | MB | files | records | lines | keyed hashes | (a) read+decode+split CPU-s | (a) MB/CPU-s | (b) (a)+keyed hashes CPU-s | (b) MB/CPU-s |");
        println!("|---|---|---|---|---|---|---|---|---|---|");
    }
    for dir in &dirs {
        let (split_cpu, split) = timed(dir, Work::Split, &key, rounds);
        let (hash_cpu, hashed) = timed(dir, Work::SplitAndHash, &key, rounds);
        let mb = split.bytes as f64 / (1 << 20) as f64;
        if plain {
            println!(
                "{mb:.1} {split_cpu:.3} {hash_cpu:.3} {} {} {} {}",
                hashed.records,
                hashed.lines,
                hashed.hashes,
                dir.display()
            );
        } else {
            println!(
                "| {} | {mb:.0} | {} | {} | {} | {} | {split_cpu:.3} | {:.0} | {hash_cpu:.3} | {:.0} |",
                dir.display(),
                hashed.files,
                hashed.records,
                hashed.lines,
                hashed.hashes,
                mb / split_cpu,
                mb / hash_cpu
            );
        }
    }
    ExitCode::SUCCESS
}

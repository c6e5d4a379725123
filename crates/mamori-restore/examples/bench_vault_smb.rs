//! The vault's cost over SMB (run by `scripts/bench-restore --smb`, root,
//! Samba): `mamori guard` on a private Samba over a loop-mounted ext4 or
//! btrfs, one client running the benign suite's shapes with the vault off
//! (`MAMORI_VAULT=off`) and on, rounds alternating (off/on, then on/off),
//! `ROUNDS` rounds per mode (default 5), medians and spread:
//! - `storm`: 400 new 16 KB files (an import, a copy of a folder);
//! - `sequential`: one new 256 MB file;
//! - `office`: 100 Word saves of existing .docx files (owner file, new
//!   temp file, original renamed to a backup, temp renamed over it,
//!   backup and owner file deleted: the benign suite's office save);
//! - `overwrite_small` / `overwrite_big`: 400 existing 16 KB files and 4
//!   existing 16 MB files rewritten in place (`O_TRUNC`): the worst case,
//!   every file gets a version (reflink on btrfs, a full copy on ext4).
//!
//! Each round starts a fresh guard (which links every file of the share
//! before it says "ready"), runs the shapes, stops the guard, then removes
//! what the round created and the vault's store, so rounds are alike.
//!   bench_vault_smb ext4|btrfs PATH-TO-mamori [ROUNDS]
//! Prints one JSON line.

use mamori_attack::guarded::GuardProcess;
use mamori_attack::samba::{Fs, SambaServer, USER_A};
use mamori_attack::SmbSession;
use std::path::Path;
use std::time::Instant;

const SMALL: usize = 400;
const SMALL_BYTES: usize = 16 * 1024;
const BIG: usize = 4;
const BIG_BYTES: usize = 16 * 1024 * 1024;
const SEQ_BYTES: usize = 256 * 1024 * 1024;
const DOCS: usize = 100;
const DOC_BYTES: usize = 64 * 1024;

/// (name, unit) of each shape, in the order measured.
const SHAPES: [(&str, &str); 5] = [
    ("storm", "files/s"),
    ("sequential", "MB/s"),
    ("office", "saves/s"),
    ("overwrite_small", "files/s"),
    ("overwrite_big", "MB/s"),
];

/// Plain CSV-like text: writing it is benign to the judge.
fn text(len: usize, salt: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut i = 0;
    while out.len() < len {
        out.extend_from_slice(
            format!("{salt},{i},営業部,山田,見積書の控え,{}\r\n", i * 7 + salt).as_bytes(),
        );
        i += 1;
    }
    out.truncate(len);
    out
}

/// A real .docx of about DOC_BYTES (the judge checks content against names).
fn document(salt: usize) -> Vec<u8> {
    let body = String::from_utf8_lossy(&text(DOC_BYTES, salt)).into_owned();
    mamori_attack::content::docx(&body).unwrap()
}

/// Writes back what the previous shape left dirty, so each shape starts
/// from the same state (writeback of one shape would slow the next).
fn settle() {
    let _ = std::process::Command::new("sync").status();
}

fn rate(amount: f64, started: Instant) -> f64 {
    amount / started.elapsed().as_secs_f64()
}

/// One round: a fresh guard, every shape once; rates in SHAPES order.
fn round(server: &SambaServer, mamori: &Path, vault: bool, salt: usize) -> Vec<f64> {
    if vault {
        std::env::remove_var("MAMORI_VAULT");
    } else {
        std::env::set_var("MAMORI_VAULT", "off");
    }
    // Files being overwritten are normally old, clean ones; a reflink of a
    // file with dirty pages first waits for their writeback.
    let _ = std::process::Command::new("sync").status();
    let guard = GuardProcess::start(mamori, server, false).unwrap();
    let session = SmbSession::connect(&server.target(USER_A, "DESK-PC")).unwrap();
    let mut rates = Vec::new();

    let small = text(SMALL_BYTES, salt);
    session.mkdir_all(&format!("storm/r{salt}")).unwrap();
    settle();
    let started = Instant::now();
    for i in 0..SMALL {
        session
            .write(&format!("storm/r{salt}/{i:04}.csv"), &small)
            .unwrap();
    }
    rates.push(rate(SMALL as f64, started));

    let seq = text(SEQ_BYTES, salt);
    settle();
    let started = Instant::now();
    session.write(&format!("seq/r{salt}.csv"), &seq).unwrap();
    rates.push(rate(SEQ_BYTES as f64 / 1048576.0, started));
    drop(seq);

    // Word's save, as in the benign suite (mamori_attack::benign::office_save):
    // owner file, read, new content into a temp file, original renamed to a
    // backup, temp renamed over the original, backup and owner file deleted.
    let doc = document(salt);
    settle();
    let started = Instant::now();
    for i in 0..DOCS {
        let path = format!("office/{i:03}.docx");
        let owner = format!("office/~${i:03}.docx");
        let temp = format!("office/~WRL{salt:04}{i:04}.tmp");
        let backup = format!("office/~WRD{salt:04}{i:04}.tmp");
        session.write(&owner, &[0x20; 162]).unwrap();
        session.read(&path).unwrap();
        session.write(&temp, &doc).unwrap();
        session.rename(&path, &backup).unwrap();
        session.rename(&temp, &path).unwrap();
        session.unlink(&backup).unwrap();
        session.unlink(&owner).unwrap();
    }
    rates.push(rate(DOCS as f64, started));

    settle();
    let started = Instant::now();
    for i in 0..SMALL {
        session.write(&format!("small/{i:04}.csv"), &small).unwrap();
    }
    rates.push(rate(SMALL as f64, started));

    let big = text(BIG_BYTES, salt);
    settle();
    let started = Instant::now();
    for i in 0..BIG {
        session.write(&format!("big/{i}.csv"), &big).unwrap();
    }
    rates.push(rate((BIG * BIG_BYTES) as f64 / 1048576.0, started));

    let detections = guard.detections().len();
    assert_eq!(detections, 0, "the benign suite was taken for an attack");
    drop(session);
    drop(guard);
    // Rounds alike: no growing share, no vault left from the last round.
    let share = server.share_dir();
    let _ = std::fs::remove_dir_all(share.join(format!("storm/r{salt}")));
    let _ = std::fs::remove_file(share.join(format!("seq/r{salt}.csv")));
    let _ = std::fs::remove_dir_all(server.mount_dir().join(".mamori-vault"));
    let _ = std::fs::remove_dir_all(share.join(".mamori-vault"));
    rates
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map(String::as_str).unwrap_or("ext4");
    let mamori = Path::new(
        args.get(2)
            .map(String::as_str)
            .unwrap_or("target/release/mamori"),
    );
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let fs = if kind == "btrfs" { Fs::Btrfs } else { Fs::Ext4 };
    let server = match SambaServer::start("docs", fs, 2048) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bench_vault_smb: {e}");
            std::process::exit(2);
        }
    };
    let share = server.share_dir();
    for dir in ["small", "big", "storm", "seq", "office"] {
        std::fs::create_dir_all(share.join(dir)).unwrap();
    }
    for i in 0..SMALL {
        std::fs::write(
            share.join(format!("small/{i:04}.csv")),
            text(SMALL_BYTES, 1),
        )
        .unwrap();
    }
    for i in 0..BIG {
        std::fs::write(share.join(format!("big/{i}.csv")), text(BIG_BYTES, 1)).unwrap();
    }
    for i in 0..DOCS {
        std::fs::write(share.join(format!("office/{i:03}.docx")), document(1)).unwrap();
    }
    server.open_permissions().unwrap();
    let mut off: Vec<Vec<f64>> = vec![Vec::new(); SHAPES.len()];
    let mut on: Vec<Vec<f64>> = vec![Vec::new(); SHAPES.len()];
    for r in 0..rounds {
        // Alternate which mode goes first, so a drift of the machine's load
        // weighs on both alike.
        let order = if r % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for (k, vault) in order.into_iter().enumerate() {
            let rates = round(&server, mamori, vault, 10 + 2 * r + k);
            eprintln!(
                "bench_vault_smb {kind} round {r} vault {}: {rates:.1?}",
                if vault { "on" } else { "off" }
            );
            let into = if vault { &mut on } else { &mut off };
            for (i, value) in rates.into_iter().enumerate() {
                into[i].push(value);
            }
        }
    }
    let mut fields = vec![format!("\"fs\":\"{kind}\""), format!("\"rounds\":{rounds}")];
    for (i, (name, unit)) in SHAPES.iter().enumerate() {
        let (mut a, mut b) = (off[i].clone(), on[i].clone());
        let (ma, mb) = (median(&mut a), median(&mut b));
        let spread = |v: &[f64]| {
            format!(
                "[{:.1},{:.1}]",
                v.first().copied().unwrap_or(0.0),
                v.last().copied().unwrap_or(0.0)
            )
        };
        fields.push(format!(
            "\"{name}\":{{\"unit\":\"{unit}\",\"off\":{ma:.1},\"on\":{mb:.1},\"overhead_pct\":{:.1},\"off_range\":{},\"on_range\":{}}}",
            (ma - mb) / ma * 100.0,
            spread(&a),
            spread(&b)
        ));
    }
    println!("{{{}}}", fields.join(","));
}

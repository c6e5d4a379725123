//! The vault's cost over SMB (run by `scripts/bench-restore --smb`, root,
//! Samba): `mamori guard` on a private Samba over a loop-mounted ext4 or
//! btrfs, a client overwriting existing files (the case that takes a
//! version: first write of a session to an existing file), with the vault
//! off (`MAMORI_VAULT=off`) and on; best of 3 rounds each.
//!   bench_vault_smb ext4|btrfs PATH-TO-mamori
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

/// Plain CSV-like text: overwriting it with more text is benign to the judge.
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

fn round(server: &SambaServer, mamori: &Path, vault: bool, salt: usize) -> (f64, f64) {
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
    let small = text(SMALL_BYTES, salt);
    let started = Instant::now();
    for i in 0..SMALL {
        session.write(&format!("small/{i:04}.csv"), &small).unwrap();
    }
    let small_rate = SMALL as f64 / started.elapsed().as_secs_f64();
    let big = text(BIG_BYTES, salt);
    let started = Instant::now();
    for i in 0..BIG {
        session.write(&format!("big/{i}.csv"), &big).unwrap();
    }
    let big_rate = (BIG * BIG_BYTES) as f64 / 1048576.0 / started.elapsed().as_secs_f64();
    let detections = guard.detections().len();
    assert_eq!(
        detections, 0,
        "the benign overwrite was taken for an attack"
    );
    drop(guard);
    (small_rate, big_rate)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map(String::as_str).unwrap_or("ext4");
    let mamori = Path::new(
        args.get(2)
            .map(String::as_str)
            .unwrap_or("target/release/mamori"),
    );
    let fs = if kind == "btrfs" { Fs::Btrfs } else { Fs::Ext4 };
    let server = match SambaServer::start("docs", fs, 1024) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bench_vault_smb: {e}");
            std::process::exit(2);
        }
    };
    let share = server.share_dir();
    std::fs::create_dir_all(share.join("small")).unwrap();
    std::fs::create_dir_all(share.join("big")).unwrap();
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
    server.open_permissions().unwrap();
    let mut off = (0f64, 0f64);
    let mut on = (0f64, 0f64);
    for r in 0..3 {
        let a = round(&server, mamori, false, 10 + r);
        let b = round(&server, mamori, true, 20 + r);
        off = (off.0.max(a.0), off.1.max(a.1));
        on = (on.0.max(b.0), on.1.max(b.1));
    }
    println!(
        "{{\"fs\":\"{kind}\",\"small_files_per_s_off\":{:.1},\"small_files_per_s_on\":{:.1},\"small_overhead_pct\":{:.1},\"big_mb_per_s_off\":{:.1},\"big_mb_per_s_on\":{:.1},\"big_overhead_pct\":{:.1}}}",
        off.0,
        on.0,
        (off.0 - on.0) / off.0 * 100.0,
        off.1,
        on.1,
        (off.1 - on.1) / off.1 * 100.0
    );
}

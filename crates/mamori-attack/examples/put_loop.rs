//! Profiling aid: N puts of one 16 KB random file into FOLDER of a share
//! served by `mamori-attack serve`; prints microseconds per put.
//!
//! `put_loop PORT FOLDER [N] [read|only-read]` (user mmr-alice, share
//! docs, 127.0.0.1); with `read`, then reads them back and prints
//! microseconds per get too; with `only-read`, reads files written before.

use mamori_attack::smb::{SmbSession, SmbTarget};
use rand::{RngCore, SeedableRng};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args
        .get(1)
        .ok_or("usage: put_loop PORT FOLDER [N]")?
        .parse()?;
    let folder = args.get(2).ok_or("usage: put_loop PORT FOLDER [N]")?;
    let n: usize = args.get(3).map_or(Ok(500), |s| s.parse())?;
    let target = SmbTarget {
        host: "127.0.0.1".into(),
        port,
        share: "docs".into(),
        user: mamori_attack::samba::USER_A.into(),
        password: mamori_attack::samba::PASSWORD.into(),
        machine: "PUTLOOP".into(),
    };
    let session = SmbSession::connect(&target)?;
    session.mkdir_all(folder)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut small = vec![0u8; 16 * 1024];
    rng.fill_bytes(&mut small);
    let only_read = args.get(4).is_some_and(|a| a == "only-read");
    if !only_read {
        let t = Instant::now();
        for i in 0..n {
            session.write(&format!("{folder}/f{i:04}.bin"), &small)?;
        }
        println!("{:.1}", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    if only_read || args.get(4).is_some_and(|a| a == "read") {
        let t = Instant::now();
        for i in 0..n {
            session.read(&format!("{folder}/f{i:04}.bin"))?;
        }
        println!("{:.1}", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    Ok(())
}

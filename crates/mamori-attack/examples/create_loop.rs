//! Profiling aid: the guard's cost per new file without SMB in the way.
//! N times: create a file in a fresh folder under DIR, write 16 KB, close
//! — what smbd does for one small put — and print the mean microseconds
//! of those three calls per file (the pauses not included).
//!
//! `create_loop DIR N [PAUSE_US] [read|overwrite]`; with `read`, then also
//! opens, reads and closes each file once (paced the same) and prints the
//! mean microseconds of those reads on a second line; with `overwrite`,
//! opens each file for writing, writes 16 KB of other bytes over it and
//! closes it (a save in place: under the guard a probe and a vault copy
//! before the first write) and prints the mean microseconds of those.
//!
//! Run it on a share's mount with no guard, the bare responder and the
//! guard in turn, pinned to one vCPU (`taskset -c 1`) and the guard to the
//! other: back to back (no pause) it shows the permission reader's own
//! work per file; with a pause of 1 500 µs (about one LAN put) every open
//! finds the vCPUs idle, as over the LAN. The files are removed after.

use std::io::Write;
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: create_loop DIR N [PAUSE_US] [read|overwrite]";
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).ok_or(usage)?);
    let n: usize = args.get(2).ok_or(usage)?.parse()?;
    let pause = Duration::from_micros(args.get(3).map_or(Ok(0), |s| s.parse())?);
    let folder = dir.join(format!("create-loop-{}", std::process::id()));
    std::fs::create_dir(&folder)?;
    let data = vec![7u8; 16 * 1024];
    let mut spent = Duration::ZERO;
    for i in 0..n {
        let path = folder.join(format!("f{i:06}"));
        let started = Instant::now();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.write_all(&data)?;
        drop(file);
        spent += started.elapsed();
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
    println!("{:.2}", spent.as_secs_f64() * 1e6 / n.max(1) as f64);
    let then = args.get(4).map(String::as_str);
    if then.is_some_and(|a| a == "read" || a == "overwrite") {
        // Not right after its own writes: the files' writer has closed them.
        std::thread::sleep(Duration::from_millis(300));
    }
    if then == Some("overwrite") {
        let other = vec![9u8; data.len()];
        let mut spent = Duration::ZERO;
        for i in 0..n {
            let path = folder.join(format!("f{i:06}"));
            let started = Instant::now();
            let mut file = std::fs::OpenOptions::new().write(true).open(&path)?;
            file.write_all(&other)?;
            drop(file);
            spent += started.elapsed();
            if !pause.is_zero() {
                std::thread::sleep(pause);
            }
        }
        println!("{:.2}", spent.as_secs_f64() * 1e6 / n.max(1) as f64);
    }
    if then == Some("read") {
        let mut spent = Duration::ZERO;
        let mut back = Vec::with_capacity(data.len());
        for i in 0..n {
            let path = folder.join(format!("f{i:06}"));
            let started = Instant::now();
            back.clear();
            std::io::Read::read_to_end(&mut std::fs::File::open(&path)?, &mut back)?;
            spent += started.elapsed();
            if !pause.is_zero() {
                std::thread::sleep(pause);
            }
        }
        println!("{:.2}", spent.as_secs_f64() * 1e6 / n.max(1) as f64);
    }
    std::fs::remove_dir_all(&folder)?;
    Ok(())
}

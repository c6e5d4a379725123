//! Micro benchmark of the judge's hot path (not a test: no timed asserts).
//! `cargo run --release -p mamori-judge --example judge_speed`
//!
//! Measures `Probe::of_file` on files of several sizes (page cache warm)
//! and `Judge::observe` throughput on a mixed stream of events.

use mamori_journal::Actor;
use mamori_judge::{FileEvent, FileOp, Judge, JudgeConfig, Probe};
use rand::{RngCore, SeedableRng};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() -> std::io::Result<()> {
    let dir = std::env::temp_dir().join(format!("mamori-judge-speed-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    for size in [4 << 10, 16 << 10, 256 << 10, 8 << 20, 256 << 20] {
        let mut bytes = vec![0u8; size];
        rng.fill_bytes(&mut bytes);
        let path = dir.join(format!("f{size}"));
        std::fs::write(&path, &bytes)?;
        drop(bytes);
        let _ = Probe::of_file(&path)?; // warm
        let n = 2000;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(Probe::of_file(&path)?);
        }
        let per = start.elapsed() / n;
        println!("Probe::of_file {:>10} bytes: {:>8.1} µs", size, micros(per));
        std::fs::remove_file(&path)?;
    }
    let _ = std::fs::remove_dir(&dir);
    let mut sample = vec![0u8; 32 << 10];
    rng.fill_bytes(&mut sample);
    let text = "株式会社サンプル 経理部 請求書を送付いたします。\n".repeat(600);
    for (name, bytes) in [("random", &sample[..]), ("text", text.as_bytes())] {
        let n = 5000;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(Probe::of_bytes(std::hint::black_box(bytes)));
        }
        let per = start.elapsed() / n;
        println!(
            "Probe::of_bytes 32 KB {name}: {:>8.1} µs (no I/O)",
            micros(per)
        );
    }

    // observe(): overwrites of documents by 50 benign users (no verdict)
    // and a stream of plain creates, renames and deletes.
    let mut doc = b"PK\x03\x04".to_vec();
    doc.extend(b"[Content_Types].xml");
    doc.resize(30_000, b'x');
    doc.extend(b"PK\x05\x06\x00\x00");
    let probe = Probe::of_bytes(&doc);
    let mut judge = Judge::new(JudgeConfig::default());
    let start = Instant::now();
    let t0 = Instant::now();
    let n = 200_000u32;
    let mut verdicts = 0;
    for i in 0..n {
        let actor = Actor {
            user: Some(format!("user{}", i % 50)),
            client: Some(format!("10.0.0.{}", i % 50)),
            pid: Some(1000 + i % 50),
            ..Actor::default()
        };
        let path = PathBuf::from(format!("dir{}/file{}.docx", i % 97, i));
        let op = match i % 4 {
            0 => FileOp::Created { path },
            1 => FileOp::Written {
                path,
                before: Some(probe.clone()),
                after: probe.clone(),
            },
            2 => FileOp::Renamed {
                from: path.clone(),
                to: path.with_extension("xlsx"),
            },
            _ => FileOp::Deleted {
                path: path.with_extension("tmp"),
                before: None,
            },
        };
        let event = FileEvent {
            at: t0 + Duration::from_micros(i as u64 * 100),
            share: "s".into(),
            actor,
            op,
        };
        verdicts += judge.observe(&event).is_some() as u32;
    }
    let per = start.elapsed() / n;
    println!(
        "Judge::observe: {:.2} µs/event ({:.0} events/s), {verdicts} verdicts",
        micros(per),
        1.0 / per.as_secs_f64()
    );

    // worst case: one user flooding weak marks (20 000 renames to an
    // unknown extension, capped below the threshold)
    let mut judge = Judge::new(JudgeConfig::default());
    let actor = Actor {
        user: Some("flood".into()),
        client: Some("10.0.0.1".into()),
        pid: Some(1),
        ..Actor::default()
    };
    let n = 20_000u32;
    let start = Instant::now();
    for i in 0..n {
        let from = PathBuf::from(format!("d/photo_{i}.jpg"));
        let event = FileEvent {
            at: t0 + Duration::from_micros(i as u64 * 100),
            share: "s".into(),
            actor: actor.clone(),
            op: FileOp::Renamed {
                to: from.with_extension("jpg_x"),
                from,
            },
        };
        verdicts += judge.observe(&event).is_some() as u32;
    }
    let per = start.elapsed() / n;
    println!(
        "Judge::observe, weak-mark flood: {:.1} µs/event, {verdicts} verdicts",
        micros(per)
    );
    Ok(())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

//! `mamori-attack bench` (driven by `scripts/bench-guard`): per attack
//! profile, files damaged before the block, files still damaged on the
//! share once the guard's rollback settled, and the time from the first
//! malicious write to the guard's detection and containment alerts; false
//! alarms of the benign suite; SMB throughput with and without the guard.
//! Every run uses a fresh private Samba and a fresh guard.

use crate::benign::{self, Workload};
use crate::content;
use crate::guarded::{ms_between, GuardProcess};
use crate::log::OpLog;
use crate::profiles::{self, AttackOptions, Profile};
use crate::samba::{Fs, SambaServer, USER_A, USER_B};
use crate::smb::SmbSession;
use crate::Result;
use rand::{RngCore, SeedableRng};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// The `mamori` binary to benchmark.
    pub mamori: PathBuf,
    /// Runs per profile (slow: one run).
    pub runs: usize,
    /// Files in the attacked folder.
    pub files: usize,
    /// Only these profiles (empty = all).
    pub profiles: Vec<Profile>,
    pub skip_throughput: bool,
    /// Alternating throughput rounds (each: one run without, one with the guard).
    pub rounds: usize,
}

/// One profile's runs.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProfileResult {
    pub profile: String,
    pub runs: usize,
    pub detected: usize,
    pub damaged: Vec<usize>,
    /// Files of the victim folder missing or changed on the share after
    /// the block and the rollback (the attacker's touches that stayed).
    pub still_damaged: Vec<usize>,
    pub detect_ms: Vec<i64>,
    pub block_ms: Vec<i64>,
    pub attack_rate: Vec<f64>,
}

fn median<T: Copy + Ord>(values: &[T]) -> Option<T> {
    let mut v = values.to_vec();
    v.sort();
    v.get(v.len() / 2).copied()
}

fn show<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

/// One run: files damaged, ms to detection, ms to containment, attack rate
/// (files/s), detected at all, files still damaged after the rollback.
type RunOutcome = (usize, Option<i64>, Option<i64>, f64, bool, usize);

/// Small files written/s, read/s; large file MB/s written, read.
type Throughput = (f64, f64, f64, f64, f64, f64);
type Pick = fn(&Throughput) -> f64;

fn one_attack(opts: &BenchOptions, profile: Profile, seed: u64) -> Result<RunOutcome> {
    let server = SambaServer::start("docs", Fs::Ext4, 256)?;
    content::victim_folder(&server.share_dir(), "部署/共有", opts.files, seed)?;
    server.open_permissions()?;
    let victim = server.share_dir().join("部署/共有");
    let originals = crate::damage::before(&victim);
    // MAMORI_BENCH_ECHO=1 shows the guard's messages (to study an outlier run).
    let echo = std::env::var_os("MAMORI_BENCH_ECHO").is_some();
    let guard = GuardProcess::start(&opts.mamori, &server, echo)?;
    let attack_opts = AttackOptions {
        seed,
        root: "部署/共有".into(),
        slow_interval: Duration::from_secs(1),
        workers: 4,
        ..Default::default()
    };
    let log = OpLog::new(None);
    let report = profiles::run(
        &server.target(USER_A, "ATTACK-PC"),
        profile,
        &attack_opts,
        &log,
    )?;
    let detection = guard.wait_alert("detection", USER_A, Duration::from_secs(10));
    let containment = guard.wait_alert("containment", USER_A, Duration::from_secs(5));
    // The rollback alert comes ~2 s after the block (its second, late run);
    // without one (rollback off, nothing detected) the share is as left.
    if containment.is_some() {
        guard.wait_alert("rollback", USER_A, Duration::from_secs(10));
    }
    let still = crate::damage::still_damaged(&victim, &originals).len();
    let first = report.first_malicious.clone().unwrap_or_default();
    let at = |a: &Option<serde_json::Value>| {
        a.as_ref()
            .and_then(|v| v["time"].as_str().map(str::to_string))
            .and_then(|t| ms_between(&first, &t))
    };
    Ok((
        report.damaged.len(),
        at(&detection),
        at(&containment),
        report.files_per_second(),
        detection.is_some(),
        still,
    ))
}

/// Runs the attack part; prints one line per profile as it goes.
pub fn attacks(opts: &BenchOptions) -> Vec<ProfileResult> {
    let list = if opts.profiles.is_empty() {
        Profile::ALL.to_vec()
    } else {
        opts.profiles.clone()
    };
    println!(
        "{:<16} {:>5} {:>9} {:>10} {:>10} {:>10} {:>10} {:>16}",
        "profile",
        "runs",
        "detected",
        "files med",
        "files max",
        "detect ms",
        "block ms",
        "after rb med/max"
    );
    let mut out = Vec::new();
    for profile in list {
        let runs = if profile == Profile::Slow {
            1
        } else {
            opts.runs
        };
        let mut r = ProfileResult {
            profile: profile.name().into(),
            ..Default::default()
        };
        for i in 0..runs {
            match one_attack(opts, profile, 100 + i as u64) {
                Ok((damaged, detect, block, rate, detected, still)) => {
                    r.runs += 1;
                    r.damaged.push(damaged);
                    r.still_damaged.push(still);
                    r.detected += usize::from(detected);
                    r.detect_ms.extend(detect);
                    r.block_ms.extend(block);
                    r.attack_rate.push(rate);
                }
                Err(e) => eprintln!("{}: run {i} failed: {e}", profile.name()),
            }
        }
        println!(
            "{:<16} {:>5} {:>9} {:>10} {:>10} {:>10} {:>10} {:>16}",
            r.profile,
            r.runs,
            r.detected,
            show(median(&r.damaged)),
            show(r.damaged.iter().max()),
            show(median(&r.detect_ms)),
            show(median(&r.block_ms)),
            format!(
                "{}/{}",
                show(median(&r.still_damaged)),
                show(r.still_damaged.iter().max())
            ),
        );
        out.push(r);
    }
    out
}

/// Runs the benign suite under the guard; returns (workload, detections).
pub fn false_alarms(opts: &BenchOptions) -> Result<Vec<(String, usize)>> {
    let server = SambaServer::start("docs", Fs::Ext4, 512)?;
    content::populate(&server.share_dir(), 5, 6)?;
    benign::prepare(&server.share_dir())?;
    server.open_permissions()?;
    let guard = GuardProcess::start(&opts.mamori, &server, false)?;
    let user = server.target(USER_B, "OFFICE-PC");
    let log = OpLog::new(None);
    let mut out = Vec::new();
    println!(
        "\n{:<16} {:>8} {:>12} {:>8}",
        "benign", "ops", "false alarms", "ms"
    );
    for workload in Workload::ALL {
        let before = guard.detections().len();
        let started = Instant::now();
        let ops = match benign::run(&user, workload, 21, &log) {
            Ok(n) => n.to_string(),
            Err(e) => format!("failed: {e}"),
        };
        let ms = started.elapsed().as_millis();
        std::thread::sleep(Duration::from_millis(1500));
        let alarms = guard.detections().len() - before;
        println!(
            "{:<16} {:>8} {:>12} {:>8}",
            workload.name(),
            ops,
            alarms,
            ms
        );
        out.push((workload.name().to_string(), alarms));
    }
    Ok(out)
}

/// (small files written/s, read/s, large MB/s written, read) on a share;
/// with `guard`, also the guard's CPU µs per small file written / read.
fn throughput(server: &SambaServer, folder: &str, guard: Option<u32>) -> Result<Throughput> {
    let cpu = |t0: u64| guard.map_or(0.0, |pid| (crate::guarded::cpu_ns(pid) - t0) as f64);
    let cpu_start = || guard.map_or(0, crate::guarded::cpu_ns);
    let session = SmbSession::connect(&server.target(USER_B, "OFFICE-PC"))?;
    session.mkdir_all(folder)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut small = vec![0u8; 16 * 1024];
    rng.fill_bytes(&mut small);
    let n = 500;
    let c = cpu_start();
    let t = Instant::now();
    for i in 0..n {
        session.write(&format!("{folder}/f{i:04}.bin"), &small)?;
    }
    let put_small = n as f64 / t.elapsed().as_secs_f64();
    let put_cpu = cpu(c) / n as f64 / 1000.0;
    let c = cpu_start();
    let t = Instant::now();
    for i in 0..n {
        session.read(&format!("{folder}/f{i:04}.bin"))?;
    }
    let get_small = n as f64 / t.elapsed().as_secs_f64();
    let get_cpu = cpu(c) / n as f64 / 1000.0;
    let mut large = vec![0u8; 64 << 20];
    rng.fill_bytes(&mut large);
    let t = Instant::now();
    session.write(&format!("{folder}/large.bin"), &large)?;
    let put_large = 64.0 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    session.read(&format!("{folder}/large.bin"))?;
    let get_large = 64.0 / t.elapsed().as_secs_f64();
    Ok((put_small, get_small, put_large, get_large, put_cpu, get_cpu))
}

/// The fast profile's own speed without a guard (1 000 files, 4 workers).
pub fn fast_rate() -> Result<f64> {
    let server = SambaServer::start("docs", Fs::Ext4, 512)?;
    for i in 0..10 {
        content::victim_folder(&server.share_dir(), &format!("d{i}"), 100, i)?;
    }
    server.open_permissions()?;
    let report = profiles::run(
        &server.target(USER_A, "ATTACK-PC"),
        Profile::Fast,
        &AttackOptions::default(),
        &OpLog::new(None),
    )?;
    let rate = report.files_per_second();
    println!(
        "\nfast profile without guard: {} files in {} ms = {rate:.0} files/s",
        report.damaged.len(),
        report.damage_ms
    );
    Ok(rate)
}

/// SMB throughput without and with the guard on one server: one warm-up
/// round, then `rounds` alternating pairs (guard stopped / guard running,
/// the order swapped every round), so cache warm-up, drift and machine load
/// hit both sides alike. Prints the best of each side and, per pair, the
/// overhead's median and range (on a loaded machine the paired figure is
/// the one to quote).
pub fn overhead(opts: &BenchOptions) -> Result<()> {
    let server = SambaServer::start("docs", Fs::Ext4, 2048)?;
    throughput(&server, "warmup", None)?;
    let mut without = Vec::new();
    let mut with = Vec::new();
    let mut detections = 0;
    let rounds = opts.rounds.max(1);
    for round in 0..rounds {
        if round % 2 == 0 {
            without.push(throughput(&server, &format!("plain{round}"), None)?);
        }
        let guard = GuardProcess::start(&opts.mamori, &server, false)?;
        with.push(throughput(
            &server,
            &format!("guarded{round}"),
            Some(guard.pid()),
        )?);
        detections += guard.detections().len();
        drop(guard);
        if round % 2 == 1 {
            without.push(throughput(&server, &format!("plain{round}"), None)?);
        }
    }
    let best = |v: &[Throughput], f: fn(&Throughput) -> f64| v.iter().map(f).fold(0.0, f64::max);
    let paired = |f: fn(&Throughput) -> f64| {
        let mut v: Vec<f64> = without
            .iter()
            .zip(&with)
            .map(|(a, b)| (f(a) - f(b)) / f(a) * 100.0)
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        (v[v.len() / 2], v[0], v[v.len() - 1])
    };
    println!(
        "\n{:<28} {:>12} {:>12} {:>10} {:>24}",
        format!("throughput (best of {rounds})"),
        "no guard",
        "guard",
        "overhead",
        "paired median [min, max]"
    );
    let rows: [(&str, Pick); 4] = [
        ("16 KB files written /s", |t| t.0),
        ("16 KB files read /s", |t| t.1),
        ("64 MB file write MB/s", |t| t.2),
        ("64 MB file read MB/s", |t| t.3),
    ];
    for (name, f) in rows {
        let a = best(&without, f);
        let b = best(&with, f);
        let (median, low, high) = paired(f);
        println!(
            "{:<28} {:>12.1} {:>12.1} {:>9.1}% {:>9.1}% [{:.1}, {:.1}]",
            name,
            a,
            b,
            (a - b) / a * 100.0,
            median,
            low,
            high
        );
    }
    let median = |f: fn(&Throughput) -> f64| {
        let mut v: Vec<f64> = with.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    println!(
        "guard CPU per 16 KB file (median of {rounds}): written {:.0} µs, read {:.0} µs",
        median(|t| t.4),
        median(|t| t.5)
    );
    println!("(detections during the throughput runs: {detections})");
    Ok(())
}

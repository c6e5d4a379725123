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
use crate::Result;
use std::path::PathBuf;
use std::time::Duration;
use std::time::Instant;

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
    /// Throughput rounds (each: one run without a guard, one with the bare
    /// responder, one with the guard; the order reversed every round).
    pub rounds: usize,
    /// Also a bare responder with the guard's mark set and no ignore marks
    /// in every round ([`crate::bare::BareMarks::GuardSet`]).
    pub bare_guard_marks: bool,
    /// Also a bare responder with the guard's creation marks
    /// ([`crate::bare::BareMarks::Creation`]).
    pub bare_creation_marks: bool,
    /// Twin series: also the bare responder with one pinned reader per CPU.
    pub bare_per_cpu: bool,
    /// Runs the guard with `[decoys] enabled = false`: the content and
    /// behaviour judgement alone.
    pub no_decoys: bool,
    /// Only the LAN series of the throughput (no loopback series).
    pub lan_only: bool,
    /// Rounds of the twin-share series ([`crate::twin`]; 0: none).
    pub twin_rounds: usize,
    /// Files per block of the twin-share series.
    pub twin_block: usize,
    /// Other `mamori` binaries (or wrappers) the twin series measures in
    /// the same rounds as the first.
    pub twin_other: Vec<PathBuf>,
}

impl BenchOptions {
    /// A guard configuration file for these options (kept alive by the
    /// returned guard), or none for the defaults.
    fn guard_config(&self) -> Result<Option<tempfile::NamedTempFile>> {
        if !self.no_decoys {
            return Ok(None);
        }
        let mut file = tempfile::Builder::new()
            .suffix(".toml")
            .tempfile()
            .map_err(|e| crate::AttackError::Setup(format!("temp file: {e}")))?;
        std::io::Write::write_all(&mut file, b"[decoys]\nenabled = false\n")
            .map_err(|e| crate::AttackError::io(file.path(), e))?;
        Ok(Some(file))
    }
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

fn one_attack(opts: &BenchOptions, profile: Profile, seed: u64) -> Result<RunOutcome> {
    let server = SambaServer::start("docs", Fs::Ext4, 256)?;
    content::victim_folder(&server.share_dir(), "部署/共有", opts.files, seed)?;
    server.open_permissions()?;
    let victim = server.share_dir().join("部署/共有");
    let originals = crate::damage::before(&victim);
    // MAMORI_BENCH_ECHO=1 shows the guard's messages (to study an outlier run).
    let echo = std::env::var_os("MAMORI_BENCH_ECHO").is_some();
    let config = opts.guard_config()?;
    let config_path = config.as_ref().map(|c| c.path());
    let guard = GuardProcess::start_with_config(&opts.mamori, &server, config_path, echo)?;
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
    let config = opts.guard_config()?;
    let config_path = config.as_ref().map(|c| c.path());
    let guard = GuardProcess::start_with_config(&opts.mamori, &server, config_path, false)?;
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

pub use crate::overhead::overhead;

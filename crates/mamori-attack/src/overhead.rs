//! SMB throughput without a guard, with the bare responder and with the
//! guard, in two series printed by one command: over loopback (the worst
//! case: the guard's cost is nearly all of the difference) and over a
//! LAN-like path (client and smbd in two network namespaces joined by a
//! veth pair, 1 Gbit/s, a fixed delay each way: see [`crate::lan`]).
//!
//! The bare responder ([`crate::bare`]) is the floor of any guard that can
//! refuse an actor's next open: a process that allows every
//! `FAN_OPEN_PERM` event on the share's mount at once and does nothing
//! else. Its overhead is what the platform's permission round trip costs
//! (the opener blocks, the responder wakes on another CPU, answers, the
//! opener wakes); the guard's overhead beyond it is the guard's own work.
//!
//! Each series: one warm-up run, then `rounds` rounds of three runs (no
//! guard / bare responder / guard, the order reversed every round), so
//! cache warm-up, drift and machine load hit every side alike. Prints the
//! best of each side and, per round, the bare responder's and the guard's
//! overhead against that round's unguarded run: median and range (on a
//! loaded machine the paired figure is the one to quote); and the CPU time
//! and context switches (all threads) per small file of the guard and of
//! the bare responder: from the first write until the process is idle
//! again (the guard judges written files after their close), then likewise
//! for the reads; the events the bare responder answered per run (its
//! round trips); and, in the loopback series, after each run, the median
//! time of one local open of a file of the share (1 000 opens, each after a
//! 0.5 ms sleep) with each side in place: the cost of one permission round
//! trip (bare responder) and of the guard's handling of an open, without
//! SMB's noise around them.

use crate::bare::{BareMarks, BareProcess};
use crate::bench::BenchOptions;
use crate::guarded::GuardProcess;
use crate::lan::{self, Lan};
use crate::samba::{Fs, SambaServer, USER_B};
use crate::smb::{SmbSession, SmbTarget};
use crate::{AttackError, Result};
use rand::{RngCore, SeedableRng};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Small files written/s, read/s; large file MB/s written, read; the
/// responding process's (guard's or bare responder's) CPU µs per small
/// file written, read; its context switches per small file written, read.
type Throughput = (f64, f64, f64, f64, f64, f64, f64, f64);
type Pick = fn(&Throughput) -> f64;

/// One-way delay of the LAN series (round trip twice this, plus the stack).
pub(crate) const LAN_DELAY: Duration = Duration::from_micros(150);

/// The throughput of one session to `target`, from the network namespace
/// `netns` when given; with `guard` (the pid of the guard or of the bare
/// responder), also that process's CPU and context switches per small file.
fn throughput(
    target: &SmbTarget,
    folder: &str,
    guard: Option<u32>,
    netns: Option<&PathBuf>,
) -> Result<Throughput> {
    let target = target.clone();
    let folder = folder.to_string();
    let run = move || measure(&target, &folder, guard);
    match netns {
        Some(netns) => lan::in_netns(netns, run)?,
        None => run(),
    }
}

fn measure(target: &SmbTarget, folder: &str, guard: Option<u32>) -> Result<Throughput> {
    let cpu = |t0: u64| guard.map_or(0.0, |pid| (crate::guarded::cpu_ns(pid) - t0) as f64);
    let cpu_start = || guard.map_or(0, crate::guarded::cpu_ns);
    let switches = |s0: u64| {
        guard.map_or(0.0, |pid| {
            crate::guarded::context_switches(pid).saturating_sub(s0) as f64
        })
    };
    let switches_start = || guard.map_or(0, crate::guarded::context_switches);
    let session = SmbSession::connect(target)?;
    session.mkdir_all(folder)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut small = vec![0u8; 16 * 1024];
    rng.fill_bytes(&mut small);
    let n = 500;
    let c = cpu_start();
    let s = switches_start();
    let t = Instant::now();
    for i in 0..n {
        session.write(&format!("{folder}/f{i:04}.bin"), &small)?;
    }
    let put_small = n as f64 / t.elapsed().as_secs_f64();
    // The guard judges written files after their close: count that work
    // here, not in the reads that follow.
    settle(guard);
    let put_cpu = cpu(c) / n as f64 / 1000.0;
    let put_switches = switches(s) / n as f64;
    let c = cpu_start();
    let s = switches_start();
    let t = Instant::now();
    for i in 0..n {
        session.read(&format!("{folder}/f{i:04}.bin"))?;
    }
    let get_small = n as f64 / t.elapsed().as_secs_f64();
    settle(guard);
    let get_cpu = cpu(c) / n as f64 / 1000.0;
    let get_switches = switches(s) / n as f64;
    let mut large = vec![0u8; 64 << 20];
    rng.fill_bytes(&mut large);
    let t = Instant::now();
    session.write(&format!("{folder}/large.bin"), &large)?;
    let put_large = 64.0 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    session.read(&format!("{folder}/large.bin"))?;
    let get_large = 64.0 / t.elapsed().as_secs_f64();
    Ok((
        put_small,
        get_small,
        put_large,
        get_large,
        put_cpu,
        get_cpu,
        put_switches,
        get_switches,
    ))
}

/// The mean of `values` and the half-width of its 95 % confidence
/// interval (Student's t; 0 for fewer than two values).
pub(crate) fn mean_ci95(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    // Two-sided 97.5 % quantiles of t for 1..=30 degrees of freedom.
    const T975: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    let t = T975.get(n - 2).copied().unwrap_or(1.96);
    (mean, t * (variance / n as f64).sqrt())
}

/// Waits (≤ 3 s) until the guard has used under 1 ms of CPU in 100 ms
/// and has no child process running, and 100 ms in any case (so both
/// sides of a pair pause alike).
pub(crate) fn settle(guard: Option<u32>) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let before = guard.map_or(0, crate::guarded::cpu_ns);
        std::thread::sleep(Duration::from_millis(100));
        let used = guard
            .map_or(0, crate::guarded::cpu_ns)
            .saturating_sub(before);
        // A child (the guard's `smbstatus`) is work of the guard's too.
        let children = guard.map_or(0, crate::guarded::children);
        if (used < 1_000_000 && children == 0) || Instant::now() > deadline {
            return;
        }
    }
}

/// Both series: loopback, then the LAN-like path (skipped with the reason
/// when namespaces or veth cannot be made here).
pub fn overhead(opts: &BenchOptions) -> Result<()> {
    if opts.rounds == 0 {
        return Ok(());
    }
    if !opts.lan_only {
        let server = SambaServer::start("docs", Fs::Ext4, 2048)?;
        let target = server.target(USER_B, "OFFICE-PC");
        series(opts, "loopback", &server, &target, None)?;
    }
    let lan = match Lan::setup(LAN_DELAY) {
        Ok(lan) => lan,
        Err(e) => {
            println!("\nLAN series skipped: {e}");
            return Ok(());
        }
    };
    let rtt = lan.measure_rtt()?;
    println!(
        "\nLAN path: client and smbd in two network namespaces over a veth pair, 1 Gbit/s, \
         {} µs each way ({}); measured TCP round trip (median of 100): {:.2} ms",
        LAN_DELAY.as_micros(),
        if lan.netem {
            "netem"
        } else {
            "no sch_netem in this kernel: tbf for the rate, a delaying TCP relay in the server namespace"
        },
        rtt.as_secs_f64() * 1000.0
    );
    let server_netns = lan.server_netns();
    let mut server = SambaServer::start_in("docs", Fs::Ext4, 2048, Some(&server_netns))?;
    let relay = lan.relay(server.port())?;
    server.set_front(lan::SERVER_ADDR, relay.addr.port());
    let target = server.target(USER_B, "OFFICE-PC");
    let result = series(opts, "LAN", &server, &target, Some(&lan.client_netns()));
    drop(relay);
    drop(server);
    drop(lan);
    result
}

/// One configuration of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// No fanotify group at all.
    Plain,
    /// The bare responder ([`crate::bare`]).
    Bare(BareMarks),
    /// The `mamori guard` under test.
    Guard,
}

impl Side {
    /// The label of its lines in the tables.
    fn label(self) -> &'static str {
        match self {
            Side::Plain => "no guard",
            Side::Bare(BareMarks::Open) => "bare responder",
            Side::Bare(BareMarks::GuardSet) => "bare, guard's marks",
            Side::Bare(BareMarks::Creation) => "bare, creation marks",
            Side::Guard => "guard",
        }
    }

    /// A fresh share folder per run, so no run reads another's files.
    fn folder(self, round: usize) -> String {
        match self {
            Side::Plain => format!("plain{round}"),
            Side::Bare(BareMarks::Open) => format!("bare{round}"),
            Side::Bare(BareMarks::GuardSet) => format!("bareall{round}"),
            Side::Bare(BareMarks::Creation) => format!("barecm{round}"),
            Side::Guard => format!("guarded{round}"),
        }
    }
}

/// What one run of a side gave.
struct Run {
    throughput: Throughput,
    /// Permission events the bare responder answered.
    answered: Option<u64>,
    /// Median µs of one spaced local open ([`open_latency`]), when asked.
    open_us: Option<f64>,
}

/// Opens measured per run by [`open_latency`].
const OPENS: usize = 1000;
/// The pause before each of them: longer than a CPU's way into idle, as
/// smbd's between two requests of a client.
const OPEN_SPACING: Duration = Duration::from_micros(500);

/// The median time (µs) this process takes to open and close `path`
/// read-only, over [`OPENS`] opens each after an [`OPEN_SPACING`] sleep:
/// with a responder on the mount, one permission round trip each, without
/// SMB's noise around it.
fn open_latency(path: &Path) -> Result<f64> {
    let mut times = Vec::with_capacity(OPENS);
    for _ in 0..OPENS {
        std::thread::sleep(OPEN_SPACING);
        let t = Instant::now();
        drop(std::fs::File::open(path).map_err(|e| AttackError::io(path, e))?);
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(times[times.len() / 2])
}

/// Removes what a run of `side` left on the share once its responder has
/// stopped (see [`remove_run`]). Without that, nine rounds of three sides
/// (72 MB each) fill the 2 GiB image.
fn clean_after(side: Side, round: usize, server: &SambaServer) {
    remove_run(server, &side.folder(round), side == Side::Guard);
}

/// Removes a run's `folder` from `server`'s share and, `after_guard`, the
/// vault store the guard keeps on the share's filesystem (its links keep
/// every file), then syncs: the freed blocks are returned now, not during
/// the next run.
pub(crate) fn remove_run(server: &SambaServer, folder: &str, after_guard: bool) {
    let share = server.share_dir();
    let _ = std::fs::remove_dir_all(share.join(folder));
    if after_guard {
        if let Some(fs_root) = share.parent() {
            let _ = std::fs::remove_dir_all(fs_root.join(".mamori-vault"));
        }
    }
    // SAFETY: plain syscall.
    unsafe { libc::sync() };
}

/// One run of `side` in `round` (then, with `opens`, the open latency of
/// one of its files on the server's side); counts the guard's detections.
#[allow(clippy::too_many_arguments)]
fn run_side(
    side: Side,
    round: usize,
    opts: &BenchOptions,
    server: &SambaServer,
    target: &SmbTarget,
    netns: Option<&PathBuf>,
    opens: bool,
    detections: &mut usize,
) -> Result<Run> {
    let folder = side.folder(round);
    let first_file = server.share_dir().join(&folder).join("f0000.bin");
    let opened = || -> Result<Option<f64>> {
        match opens {
            true => open_latency(&first_file).map(Some),
            false => Ok(None),
        }
    };
    match side {
        Side::Plain => Ok(Run {
            throughput: throughput(target, &folder, None, netns)?,
            answered: None,
            open_us: opened()?,
        }),
        Side::Bare(marks) => {
            // This very binary holds the `bare-responder` subcommand.
            let exe = std::env::current_exe()
                .map_err(|e| AttackError::Setup(format!("own executable: {e}")))?;
            let bare = BareProcess::start(&exe, &server.share_dir(), marks)?;
            let result = throughput(target, &folder, Some(bare.pid()), netns)
                .and_then(|t| Ok((t, opened()?)));
            let stopped = bare.stop();
            if !stopped.status.is_some_and(|s| s.success()) {
                eprintln!("bare responder ended badly: {:?}", stopped.status);
            }
            let (throughput, open_us) = result?;
            Ok(Run {
                throughput,
                // Each measured local open was one event: the SMB run's alone.
                answered: stopped
                    .answered
                    .map(|n| n.saturating_sub(open_us.map_or(0, |_| OPENS as u64))),
                open_us,
            })
        }
        Side::Guard => {
            let guard = GuardProcess::start(&opts.mamori, server, false)?;
            let result = throughput(target, &folder, Some(guard.pid()), netns)
                .and_then(|t| Ok((t, opened()?)));
            *detections += guard.detections().len();
            let (throughput, open_us) = result?;
            Ok(Run {
                throughput,
                answered: None,
                open_us,
            })
        }
    }
}

fn series(
    opts: &BenchOptions,
    name: &str,
    server: &SambaServer,
    target: &SmbTarget,
    netns: Option<&PathBuf>,
) -> Result<()> {
    throughput(target, "warmup", None, netns)?;
    let mut sides = vec![Side::Plain, Side::Bare(BareMarks::Open)];
    if opts.bare_guard_marks {
        sides.push(Side::Bare(BareMarks::GuardSet));
    }
    if opts.bare_creation_marks {
        sides.push(Side::Bare(BareMarks::Creation));
    }
    sides.push(Side::Guard);
    // runs[i]: side i's throughput, one per round.
    let mut runs: Vec<Vec<Throughput>> = vec![Vec::new(); sides.len()];
    // events[i]: permission events side i's bare responder answered, per run.
    let mut events: Vec<Vec<u64>> = vec![Vec::new(); sides.len()];
    // open_us[i]: side i's median open time, per run (loopback series only:
    // local opens on the server's disk, the same in both series).
    let opens = netns.is_none();
    let mut open_us: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
    let mut detections = 0;
    let rounds = opts.rounds;
    for round in 0..rounds {
        // Reversed every other round: over two rounds each side's mean
        // position is the same, so a linear drift favours none.
        let order: Vec<usize> = if round % 2 == 0 {
            (0..sides.len()).collect()
        } else {
            (0..sides.len()).rev().collect()
        };
        for i in order {
            let run = run_side(
                sides[i],
                round,
                opts,
                server,
                target,
                netns,
                opens,
                &mut detections,
            );
            clean_after(sides[i], round, server);
            let run = run?;
            runs[i].push(run.throughput);
            events[i].extend(run.answered);
            open_us[i].extend(run.open_us);
        }
    }
    let without = &runs[0];
    let best = |v: &[Throughput], f: Pick| v.iter().map(f).fold(0.0, f64::max);
    let paired = |with: &[Throughput], f: Pick| {
        let mut v: Vec<f64> = without
            .iter()
            .zip(with)
            .map(|(a, b)| (f(a) - f(b)) / f(a) * 100.0)
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        (v[v.len() / 2], v[0], v[v.len() - 1])
    };
    // The guard's figures on the row itself (as before the bare responder
    // existed), each other side's on an indented line below it.
    let guard_at = sides.len() - 1;
    println!(
        "\n{:<28} {:>12} {:>12} {:>10} {:>24}",
        format!("{name} throughput (best of {rounds})"),
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
    for (row, f) in rows {
        let a = best(without, f);
        let mut lines = vec![(row.to_string(), guard_at)];
        lines.extend((1..guard_at).map(|i| (format!("  {}", sides[i].label()), i)));
        for (label, i) in lines {
            let b = best(&runs[i], f);
            let (median, low, high) = paired(&runs[i], f);
            println!(
                "{:<28} {:>12.1} {:>12.1} {:>9.1}% {:>9.1}% [{:.1}, {:.1}]",
                label,
                a,
                b,
                (a - b) / a * 100.0,
                median,
                low,
                high
            );
        }
    }
    let median = |with: &[Throughput], f: Pick| {
        let mut v: Vec<f64> = with.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    // The paired mean with its 95 % interval, and the ratio of the sides'
    // medians: what to quote when the host's noise is as large as the
    // difference (the interval says how far the rounds let us see).
    for i in (1..sides.len()).rev() {
        let with = &runs[i];
        let mut parts = Vec::new();
        for (what, f) in [("written", rows[0].1), ("read", rows[1].1)] {
            let differences: Vec<f64> = without
                .iter()
                .zip(with)
                .map(|(a, b)| (f(a) - f(b)) / f(a) * 100.0)
                .collect();
            let (mean, half) = mean_ci95(&differences);
            let (a, b) = (median(without, f), median(with, f));
            parts.push(format!(
                "{what} {mean:.1} % ± {half:.1}, medians' ratio {:.1} %",
                (a - b) / a * 100.0
            ));
        }
        println!(
            "{name}: {} 16 KB files, paired mean ± 95 % interval over {rounds} rounds: {}",
            sides[i].label(),
            parts.join("; ")
        );
    }
    let range = |with: &[Throughput], f: Pick| {
        let v: Vec<f64> = with.iter().map(f).collect();
        (
            v.iter().copied().fold(f64::MAX, f64::min),
            v.iter().copied().fold(0.0, f64::max),
        )
    };
    for i in (1..sides.len()).rev() {
        let with = &runs[i];
        let who = sides[i].label();
        let (wl, wh) = range(with, |t| t.4);
        let (rl, rh) = range(with, |t| t.5);
        println!(
            "{name}: {who} CPU per 16 KB file (median of {rounds} [min, max]): \
             written {:.0} µs [{wl:.0}, {wh:.0}], read {:.0} µs [{rl:.0}, {rh:.0}]",
            median(with, |t| t.4),
            median(with, |t| t.5)
        );
        let (sl, sh) = range(with, |t| t.6);
        let (tl, th) = range(with, |t| t.7);
        println!(
            "{name}: {who} context switches per 16 KB file (median of {rounds} [min, max]): \
             written {:.1} [{sl:.1}, {sh:.1}], read {:.1} [{tl:.1}, {th:.1}]",
            median(with, |t| t.6),
            median(with, |t| t.7)
        );
    }
    for (i, side) in sides.iter().enumerate() {
        let mut v = events[i].clone();
        v.sort();
        if let Some(median) = v.get(v.len() / 2) {
            // Per run: 500 small files written, then read, one large file
            // written, then read (and the session's own opens).
            println!(
                "{name}: {} answered {median} permission events per run (median; \
                 {:.2} per 16 KB file written and read)",
                side.label(),
                *median as f64 / 500.0
            );
        }
    }
    if opens {
        let figures: Vec<String> = sides
            .iter()
            .zip(&open_us)
            .map(|(side, v)| {
                let mut v = v.clone();
                v.sort_by(|a, b| a.total_cmp(b));
                let (low, mid, high) = (v[0], v[v.len() / 2], v[v.len() - 1]);
                format!("{} {mid:.1} µs [{low:.1}, {high:.1}]", side.label())
            })
            .collect();
        println!(
            "{name}: one local open of a share file, {OPENS} opens {} µs apart \
             (median of the runs' medians [min, max]): {}",
            OPEN_SPACING.as_micros(),
            figures.join(", ")
        );
    }
    // How much of the guard's overhead the bare round trip already costs,
    // per round: the two overheads of one round share one baseline.
    let small: [(&str, Pick); 2] = [("written", |t| t.0), ("read", |t| t.1)];
    let shares: Vec<String> = small
        .iter()
        .map(|(what, f)| {
            let (bare, _, _) = paired(&runs[1], *f);
            let (guard, _, _) = paired(&runs[guard_at], *f);
            format!("{what} {bare:.1} % of {guard:.1} %")
        })
        .collect();
    println!(
        "{name}: bare responder's paired median overhead beside the guard's, 16 KB files: {}",
        shares.join(", ")
    );
    println!("({name}: detections during the throughput runs: {detections})");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::mean_ci95;

    #[test]
    fn the_interval_follows_students_t() {
        assert_eq!(mean_ci95(&[]), (0.0, 0.0));
        assert_eq!(mean_ci95(&[2.0]), (2.0, 0.0));
        // Mean 2, sample variance 2/3, n 4: t(3) = 3.182, half = t × sd / √4.
        let (mean, half) = mean_ci95(&[1.0, 2.0, 3.0, 2.0]);
        assert!((mean - 2.0).abs() < 1e-9);
        assert!((half - 3.182 * (2.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-9);
    }
}

//! Event storms: does the guard's memory stay bounded, and what does a storm
//! cost it? (`scripts/bench-storm`; issue: "bounded memory under event
//! storms".)
//!
//! Local processes on the share's file system make the storm, since they
//! make events far faster than SMB clients can (tens of thousands per
//! second): each worker creates small text files, renames each one and
//! deletes them a thousand at a time, in a folder of its own — creates,
//! closes after writing, renames and deletes, the guard's every path but
//! overwrites. Phases, one after the other on one share:
//!
//! 1. `files` files per worker;
//! 2. then `repeats` phases of four times as many each;
//! 3. last, `churn` short-lived processes, three files each: a new actor,
//!    pid and attribution for every one, the tables keyed by pid and actor.
//!
//! Bounded memory shows as a peak resident size (`VmHWM`) that stops
//! growing once the tables are full, however many phases follow. The
//! same storm runs with nobody watching (the storm's own speed) and beside a
//! bare fanotify responder (what answering the events alone costs), as
//! peers, then under the guard (alerts only, so a false alarm does not stop
//! the storm; its detections are counted).

use crate::bare::{BareMarks, BareProcess};
use crate::guarded::{cpu_ns, GuardProcess};
use crate::samba::{Fs, SambaServer};
use crate::{AttackError, Result};
use std::fs;
use std::io;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Files of one batch: written, renamed, then deleted together.
const BATCH: usize = 1000;

/// What one phase of the storm did under one watcher.
#[derive(Debug, Clone, Default)]
pub struct Phase {
    pub operations: u64,
    pub secs: f64,
    /// The watcher's peak resident size so far (kB; 0: nobody watching).
    pub peak_kb: u64,
    /// The watcher's resident size after the phase (kB).
    pub rss_kb: u64,
    /// The watcher's CPU over the phase (ms).
    pub cpu_ms: u64,
    /// Seconds since the watcher's run began, at the phase's end.
    pub at_secs: f64,
}

/// One watcher's run through the phases.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub watcher: &'static str,
    pub phases: Vec<Phase>,
    /// Resident size once the storm is over (kB).
    pub rss_after_kb: u64,
    /// Detections the guard raised during the storm.
    pub detections: usize,
    /// Their reasons (distinct, first few).
    pub reasons: Vec<String>,
    /// Every other alert kind the guard wrote, with its count.
    pub other_alerts: Vec<(String, usize)>,
    /// Why the storm stopped early (a worker's error, with the share's
    /// free space and inodes then).
    pub failed: Option<String>,
}

/// The storm's worker (a process of its own: `mamori-attack storm-worker`).
/// Writes `files` files of 4 KB of log-like text into `dir`, renames each,
/// deletes them `BATCH` at a time; file names start with `tag`. Returns the
/// operations done.
pub fn worker(dir: &Path, files: usize, tag: &str) -> io::Result<u64> {
    fs::create_dir_all(dir)?;
    let line = "2026-11-29T07:00:00Z INFO job=nightly step=copy status=ok\n";
    let body = line.repeat(4096 / line.len());
    let mut batch = Vec::with_capacity(BATCH.min(files));
    let mut operations = 0;
    for i in 0..files {
        let written = dir.join(format!("{tag}_{:04}.txt", i % BATCH));
        fs::write(&written, &body)?;
        let renamed = dir.join(format!("{tag}_{:04}_done.txt", i % BATCH));
        fs::rename(&written, &renamed)?;
        operations += 2;
        batch.push(renamed);
        if batch.len() == BATCH || i + 1 == files {
            for path in batch.drain(..) {
                fs::remove_file(path)?;
                operations += 1;
            }
        }
    }
    Ok(operations)
}

/// Peak and current resident size of `pid` in kB (`VmHWM`, `VmRSS`).
pub fn memory_kb(pid: u32) -> (u64, u64) {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Free blocks and inodes of the filesystem holding `dir`, as text.
fn free_space(dir: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return "free space unknown".into();
    };
    // SAFETY: zeroed statvfs is a valid out-buffer; path is NUL-terminated.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut st) } != 0 {
        return format!("free space unknown: {}", io::Error::last_os_error());
    }
    format!(
        "free then: {} of {} blocks, {} of {} inodes",
        st.f_bavail, st.f_blocks, st.f_favail, st.f_files
    )
}

/// The guard's configuration unless told otherwise: a false alarm must
/// not stop the storm.
const ALERT_ONLY: &str = "[response]\nladder = [\"alert\"]\n";

/// How big the storm is, and the guard's configuration (TOML text; `None`:
/// alerts only).
#[derive(Debug, Clone)]
pub struct StormOptions {
    pub workers: usize,
    pub files: usize,
    /// Phases of four times `files` per worker after the first.
    pub repeats: usize,
    pub churn: usize,
    pub config: Option<String>,
    /// Only the guard (long runs: the peers' figures do not change).
    pub guard_only: bool,
}

/// Runs the storm with nobody watching, beside the bare responder and under
/// the guard (`mamori`), each on a fresh ext4 share; `exe` is this
/// `mamori-attack` binary (it runs the workers).
pub fn run(mamori: &Path, exe: &Path, options: &StormOptions) -> Result<Vec<Run>> {
    let mut runs = Vec::new();
    let watchers: &[&'static str] = if options.guard_only {
        &["guard"]
    } else {
        &["nobody", "bare responder", "guard"]
    };
    for &watcher in watchers {
        let server = SambaServer::start("docs", Fs::Ext4, 2048)?;
        let share = server.share_dir();
        let mut run = Run {
            watcher,
            ..Run::default()
        };
        let (bare, guard) = match watcher {
            "bare responder" => (
                Some(BareProcess::start(exe, &share, BareMarks::Creation)?),
                None,
            ),
            "guard" => {
                let config = server.scratch("config")?.join("guard.toml");
                fs::write(&config, options.config.as_deref().unwrap_or(ALERT_ONLY))
                    .map_err(|e| AttackError::io(&config, e))?;
                let guard = GuardProcess::start_with_config(mamori, &server, Some(&config), false)?;
                (None, Some(guard))
            }
            _ => (None, None),
        };
        let pid = bare
            .as_ref()
            .map(BareProcess::pid)
            .or(guard.as_ref().map(GuardProcess::pid));
        let mut phases = vec![(options.workers, options.files, 1)];
        phases.extend((0..options.repeats).map(|_| (options.workers, options.files * 4, 1)));
        phases.push((options.churn, 3, options.churn));
        let run_started = Instant::now();
        for (n, (processes, files, sequential)) in phases.into_iter().enumerate() {
            let cpu_before = pid.map_or(0, cpu_ns);
            let started = Instant::now();
            let operations = match storm(
                exe,
                &share.join(format!("storm{n}")),
                processes,
                files,
                sequential,
            ) {
                Ok(operations) => operations,
                Err(e) => {
                    run.failed = Some(format!("phase {}: {e}; {}", n + 1, free_space(&share)));
                    break;
                }
            };
            let secs = started.elapsed().as_secs_f64();
            // Let the watcher's lazy work catch up before reading it.
            std::thread::sleep(std::time::Duration::from_secs(2));
            let (peak_kb, rss_kb) = pid.map_or((0, 0), memory_kb);
            run.phases.push(Phase {
                operations,
                secs,
                peak_kb,
                rss_kb,
                cpu_ms: pid.map_or(0, |p| cpu_ns(p).saturating_sub(cpu_before) / 1_000_000),
                at_secs: run_started.elapsed().as_secs_f64(),
            });
        }
        run.rss_after_kb = pid.map_or(0, |p| memory_kb(p).1);
        if let Some(guard) = &guard {
            for alert in guard.alerts() {
                let kind = alert["kind"].as_str().unwrap_or_default();
                if matches!(kind, "detection" | "guard_started") {
                    continue;
                }
                match run.other_alerts.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, count)) => *count += 1,
                    None => run.other_alerts.push((kind.to_string(), 1)),
                }
            }
            let detections = guard.detections();
            run.detections = detections.len();
            for detection in detections {
                let reason = format!(
                    "{} (actor: pid {}, exe {}, user {})",
                    detection["reason"].as_str().unwrap_or_default(),
                    detection["pid"],
                    detection["exe"],
                    detection["user"]
                );
                if run.reasons.len() < 5 && !run.reasons.contains(&reason) {
                    run.reasons.push(reason);
                }
            }
        }
        drop(guard);
        drop(bare);
        runs.push(run);
    }
    Ok(runs)
}

/// Runs `processes` workers of `files` files each, `sequential` of them one
/// after the other per launcher thread (2 launchers when sequential > 1).
fn storm(exe: &Path, dir: &Path, processes: usize, files: usize, sequential: usize) -> Result<u64> {
    let launchers = if sequential > 1 { 2 } else { processes };
    let per_launcher = processes.div_ceil(launchers);
    let results: Vec<Result<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..launchers)
            .map(|l| {
                scope.spawn(move || -> Result<u64> {
                    let mut operations = 0;
                    for k in 0..per_launcher {
                        let out = Command::new(exe)
                            .arg("storm-worker")
                            .arg("--dir")
                            .arg(dir.join(format!("w{l}")))
                            .args(["--files", &files.to_string(), "--tag", &format!("p{k}")])
                            .output()
                            .map_err(|e| AttackError::Setup(format!("{}: {e}", exe.display())))?;
                        let said = String::from_utf8_lossy(&out.stdout);
                        operations += said.trim().parse::<u64>().map_err(|_| {
                            AttackError::Setup(format!(
                                "storm worker: {}",
                                String::from_utf8_lossy(&out.stderr).trim()
                            ))
                        })?;
                    }
                    Ok(operations)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(AttackError::Setup("storm launcher panicked".into())))
            })
            .collect()
    });
    results.into_iter().sum()
}

/// The runs as Markdown tables.
pub fn markdown(runs: &[Run], options: &StormOptions) -> String {
    let mut out = format!(
        "Event storm on ext4 (local processes): phase 1 = {w} workers × {f} files, phases 2–{last} = {w} × {f4} \
         each, phase {churn_phase} = {c} processes × 3 files; per file a create + write, a rename and a delete\n\n",
        w = options.workers,
        f = options.files,
        f4 = options.files * 4,
        last = options.repeats + 1,
        churn_phase = options.repeats + 2,
        c = options.churn
    );
    out.push_str(
        "| watcher | phase | ends at s | operations | ops/s | watcher CPU ms | watcher peak RSS | watcher RSS |\n",
    );
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for run in runs {
        for (n, phase) in run.phases.iter().enumerate() {
            out.push_str(&format!(
                "| {} | {} | {:.0} | {} | {:.0} | {} | {} | {} |\n",
                run.watcher,
                n + 1,
                phase.at_secs,
                phase.operations,
                phase.operations as f64 / phase.secs.max(1e-6),
                phase.cpu_ms,
                mib(phase.peak_kb),
                mib(phase.rss_kb),
            ));
        }
    }
    out.push('\n');
    for run in runs.iter().filter(|r| r.watcher != "nobody") {
        out.push_str(&format!(
            "{}: resident after the storm {}, detections {}\n",
            run.watcher,
            mib(run.rss_after_kb),
            run.detections
        ));
        if let Some(failed) = &run.failed {
            out.push_str(&format!("  - stopped early: {failed}\n"));
        }
        for reason in &run.reasons {
            out.push_str(&format!("  - {reason}\n"));
        }
        for (kind, count) in &run.other_alerts {
            out.push_str(&format!("  - {count} × {kind}\n"));
        }
    }
    out
}

fn mib(kb: u64) -> String {
    if kb == 0 {
        "—".into()
    } else {
        format!("{:.1} MiB", kb as f64 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_leaves_nothing_behind_and_counts_its_operations() {
        let dir = tempfile::tempdir().unwrap();
        let ops = worker(&dir.path().join("w"), 1500, "p0").unwrap();
        assert_eq!(ops, 1500 * 3);
        assert_eq!(fs::read_dir(dir.path().join("w")).unwrap().count(), 0);
    }

    #[test]
    fn memory_of_this_process_is_read() {
        let (peak, now) = memory_kb(std::process::id());
        assert!(peak >= now && now > 0, "{peak} {now}");
    }
}

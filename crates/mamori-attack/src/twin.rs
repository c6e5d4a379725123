//! SMB small-file overhead measured on twin shares, interleaved: two smbd
//! instances, each serving a share on its own ext4 image, both behind the
//! LAN-like path of [`crate::lan`]; one client thread holds a session to
//! each and writes (then reads) the same small files to both, alternating
//! every [`DEFAULT_BLOCK`] files (`--twin-block`), then copies more small
//! files in with the requests of a Windows copy ([`SmbSession::copy_in`]:
//! a look for the name, create, set the size, write, close), then large
//! files one by one. A responder (the guard, guard variants, the bare responder)
//! watches one of the two shares; the other is the unguarded peer.
//!
//! Why: run one after the other, as in [`crate::overhead`], a guarded and
//! an unguarded run are seconds apart, and this host's load drifts by more
//! than the 3 % asked for within seconds (95 % intervals of ±2–4 points
//! over 25 rounds). Interleaved, the two sides of one pair of blocks are a
//! fraction of a second apart, so the drift hits both alike.
//!
//! What keeps it fair: the guarded share alternates between the two images
//! from round to round (so a difference between the twins cancels over two
//! rounds), which twin leads each phase rotates too ([`Turn`]: the first
//! block after a pause runs on an idle machine), the order of the two
//! blocks of a pair is reversed every pair
//! (so neither side always follows the other's spill-over), both folders
//! hold the same number of files at each block (Samba's case-insensitive
//! name check reads the whole directory at every create), and every round
//! also runs the twins with no responder at all: the method's own null,
//! whose interval says how far the figures can be seen. Each run measures
//! the steady state: its sessions are new, and a guard's first look at a
//! new session (one `smbstatus`) is made on a warm-up file before the
//! blocks.
//!
//! Every small file is timed on its own: beside the paired mean of the
//! summed times, each small phase gets a *body* figure (each twin's
//! fastest 90 % of files, [`body_seconds`]) and its *tail* (mean − body).
//! `MAMORI_TWIN_FILE_TIMES=PATH` appends the raw per-file seconds of every
//! round, one JSON line per responder and small phase, for analysis.

use crate::bare::{BareMarks, BareProcess};
use crate::bench::BenchOptions;
use crate::guarded::GuardProcess;
use crate::lan::{self, Lan};
use crate::overhead::{mean_ci95, remove_run, settle, LAN_DELAY};
use crate::samba::{Fs, SambaServer, USER_B};
use crate::smb::{SmbSession, SmbTarget};
use crate::{AttackError, Result};
use rand::{RngCore, SeedableRng};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Files per side and phase, as in [`crate::overhead`].
const FILES: usize = 500;
/// Files per block by default: one side's run of consecutive writes (or
/// reads). Small enough that the host's drift cancels within a pair, large
/// enough that the guard's lagging idle-priority work on its last files
/// (batched every 20 ms) is a small part of the peer's next block.
pub const DEFAULT_BLOCK: usize = 25;

/// What watches the responder's twin in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Responder {
    /// Nothing: both twins unguarded (the method's null).
    Nobody,
    /// The bare responder ([`crate::bare`]): the permission round trip alone.
    Bare,
    /// The bare responder setting the guard's creation marks
    /// ([`BareMarks::Creation`]; with `--bare-creation-marks`).
    BareCreation,
    /// The bare responder with one reader pinned to each CPU (with
    /// `--bare-per-cpu`).
    BarePerCpu,
    /// The `mamori guard` under test.
    Guard,
    /// Another `mamori` binary (or wrapper) under test beside the first
    /// (`--twin-other`, repeatable; the index into that list): variants
    /// of the guard in the same rounds.
    OtherGuard(usize),
}

impl Responder {
    /// The name in the tables; another guard by its file name (`others`:
    /// the `--twin-other` list).
    fn label(self, others: &[PathBuf]) -> String {
        match self {
            Responder::Nobody => "nobody (null)".into(),
            Responder::Bare => "bare responder".into(),
            Responder::BareCreation => "bare, creation marks".into(),
            Responder::BarePerCpu => "bare, reader per CPU".into(),
            Responder::Guard => "guard".into(),
            Responder::OtherGuard(n) => {
                let name = others.get(n).and_then(|p| p.file_name());
                match name {
                    Some(name) => format!("other guard {}", name.to_string_lossy()),
                    None => format!("other guard {}", n + 1),
                }
            }
        }
    }
}

/// The measured phases, in the order they run.
const PHASES: [&str; 5] = [
    "16 KB files written",
    "16 KB files read",
    "16 KB files copied in as Windows does",
    "large files written",
    "large files read",
];
/// The phases of small files: the first of [`PHASES`].
const SMALL_PHASES: usize = 3;
/// Large files per side (each [`LARGE_MB`] MiB), alternating one by one.
const LARGE: usize = 4;
const LARGE_MB: usize = 16;

/// Seconds spent on each twin in one round, per phase ([`PHASES`]): on the
/// responder's twin and on its peer; and each small file's seconds.
#[derive(Debug, Clone, Default)]
struct Spent {
    watched: [f64; PHASES.len()],
    peer: [f64; PHASES.len()],
    /// Per small-file phase: (watched twin's, peer's) seconds per file.
    files: [(Vec<f64>, Vec<f64>); SMALL_PHASES],
}

/// The two twins and how the client reaches them.
struct Twins<'a> {
    servers: &'a [SambaServer],
    /// The client's network namespace.
    client: &'a Path,
    /// Small files per block.
    block: usize,
}

/// Which twin a round's responder watches, and which twin leads every
/// phase (the first block after a pause runs on an idle machine, with no
/// writeback of an earlier block behind it: over four rounds each twin,
/// watched or not, leads as often).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Turn {
    watched: usize,
    leader: usize,
}

impl Turn {
    fn of_round(round: usize) -> Turn {
        Turn {
            watched: round % 2,
            leader: (round / 2) % 2,
        }
    }
}

/// Throughput overhead, % (as [`crate::overhead`]: 1 − rate_with /
/// rate_without) of `with` seconds against `without` for the same work.
fn overhead_of(with: f64, without: f64) -> f64 {
    (1.0 - without / with) * 100.0
}

impl Spent {
    fn overhead(&self, phase: usize) -> f64 {
        overhead_of(self.watched[phase], self.peer[phase])
    }

    /// The overhead on the body of a small-file phase: each twin's fastest
    /// [`BODY`] of files ([`body_seconds`]). `None` for large files.
    fn body_overhead(&self, phase: usize) -> Option<f64> {
        let (watched, peer) = self.files.get(phase)?;
        Some(overhead_of(body_seconds(watched), body_seconds(peer)))
    }
}

/// Share of each twin's small files in the body figure: the fastest 90 %.
const BODY: f64 = 0.9;

/// Seconds of the fastest [`BODY`] of `files`.
///
/// Why: on this host a few files per round take 3–15 ms instead of 2
/// (the host's steal, hitting a block of one twin at a time), and those
/// few decide the summed time: the method's null swings by ±10 points a
/// round. What a responder adds to every file moves the body as it moves
/// the mean, and the body's interval is about four times narrower
/// (BENCHMARKS.md, session 35). What it would add only to a few files (a
/// stall now and then) the body does not see: the paired mean, printed
/// beside it, still counts everything, and `tail` (mean − body) is that
/// part with its own interval.
fn body_seconds(files: &[f64]) -> f64 {
    let mut sorted = files.to_vec();
    sorted.sort_by(f64::total_cmp);
    let keep = ((sorted.len() as f64) * BODY).round() as usize;
    sorted.iter().take(keep.max(1)).sum()
}

/// The twin series (`opts.twin_rounds` rounds of every responder), printed as the
/// paired mean ± 95 % interval per responder and phase; skipped with the
/// reason when namespaces cannot be made here.
pub fn twin_overhead(opts: &BenchOptions) -> Result<()> {
    let block = opts.twin_block.clamp(1, FILES);
    let lan = match Lan::setup(LAN_DELAY) {
        Ok(lan) => lan,
        Err(e) => {
            println!("\nTwin series skipped: {e}");
            return Ok(());
        }
    };
    let server_netns = lan.server_netns();
    let mut servers = Vec::new();
    let mut relays = Vec::new();
    for _ in 0..2 {
        let mut server = SambaServer::start_in("docs", Fs::Ext4, 2048, Some(&server_netns))?;
        let relay = lan.relay(server.port())?;
        server.set_front(lan::SERVER_ADDR, relay.addr.port());
        servers.push(server);
        relays.push(relay);
    }
    println!(
        "\nTwin series: two smbd, each on its own ext4 image, behind the LAN-like path \
         ({} µs each way); one client writes then reads {FILES} 16 KB files on each, \
         alternating every {block} files, copies {FILES} more in as Windows does (look for \
         the name, create, set the size, write, close), then {LARGE} files of {LARGE_MB} MiB, \
         alternating one by one; the watched and the leading twin rotate over four rounds",
        LAN_DELAY.as_micros(),
    );
    let client = lan.client_netns();
    let twins = Twins {
        servers: &servers,
        client: &client,
        block,
    };
    // Warm both twins (first connection, first directory) before measuring.
    measure_pair(&twins, Turn::of_round(0), "warmup", None)?;
    let mut responders = vec![Responder::Nobody, Responder::Bare];
    if opts.bare_creation_marks {
        responders.push(Responder::BareCreation);
    }
    if opts.bare_per_cpu {
        responders.push(Responder::BarePerCpu);
    }
    responders.push(Responder::Guard);
    responders.extend((0..opts.twin_other.len()).map(Responder::OtherGuard));
    let mut spent: Vec<Vec<Spent>> = vec![Vec::new(); responders.len()];
    let mut detections = 0;
    for round in 0..opts.twin_rounds {
        let turn = Turn::of_round(round);
        let order: Vec<usize> = match round % 4 < 2 {
            true => (0..responders.len()).collect(),
            false => (0..responders.len()).rev().collect(),
        };
        for i in order {
            let folder = format!("twin{round}r{i}");
            let result = run_round(opts, responders[i], &twins, turn, &folder, &mut detections);
            let guarded = matches!(responders[i], Responder::Guard | Responder::OtherGuard(_));
            for server in &servers {
                remove_run(server, &folder, guarded);
            }
            let result = result?;
            if let Some(path) = std::env::var_os("MAMORI_TWIN_FILE_TIMES") {
                dump_file_times(
                    Path::new(&path),
                    round,
                    &responders[i].label(&opts.twin_other),
                    &result,
                );
            }
            spent[i].push(result);
        }
        let line: Vec<String> = responders
            .iter()
            .zip(&spent)
            .filter_map(|(r, s)| {
                let last = s.last()?;
                let figures: Vec<String> = (0..PHASES.len())
                    .map(|p| format!("{:+.1}", last.overhead(p)))
                    .collect();
                Some(format!(
                    "{} {}",
                    r.label(&opts.twin_other),
                    figures.join("/")
                ))
            })
            .collect();
        println!(
            "twin round {} (watched twin {}, twin {} leads), small written/read/copied, \
             large written/read %: {}",
            round + 1,
            turn.watched,
            turn.leader,
            line.join(", ")
        );
    }
    for (responder, spent) in responders.iter().zip(&spent) {
        let figures: Vec<String> = PHASES
            .iter()
            .enumerate()
            .map(|(phase, what)| {
                let per_round: Vec<f64> = spent.iter().map(|s| s.overhead(phase)).collect();
                let (mean, half) = mean_ci95(&per_round);
                // The ratio of the summed times: rounds weigh by their length.
                let watched: f64 = spent.iter().map(|s| s.watched[phase]).sum();
                let peer: f64 = spent.iter().map(|s| s.peer[phase]).sum();
                let (unit, per, scale) = match phase < SMALL_PHASES {
                    true => ("µs per file", FILES, 1e6),
                    false => ("ms per file", LARGE, 1e3),
                };
                let each = |seconds: f64| seconds / (spent.len().max(1) * per) as f64 * scale;
                let body: Vec<f64> = spent.iter().filter_map(|s| s.body_overhead(phase)).collect();
                let split = match body.len() == per_round.len() && !body.is_empty() {
                    true => {
                        let (body_mean, body_half) = mean_ci95(&body);
                        let tail: Vec<f64> =
                            per_round.iter().zip(&body).map(|(all, b)| all - b).collect();
                        let (tail_mean, tail_half) = mean_ci95(&tail);
                        format!(
                            "; body {body_mean:.1} % ± {body_half:.1}, tail {tail_mean:.1} % ± {tail_half:.1}"
                        )
                    }
                    false => String::new(),
                };
                format!(
                    "{what} {mean:.1} % ± {half:.1} (summed {:.1} %; {:.0} against {:.0} {unit}{split})",
                    overhead_of(watched, peer),
                    each(watched),
                    each(peer),
                )
            })
            .collect();
        println!(
            "twin: {}, paired mean ± 95 % interval over {} rounds: {}",
            responder.label(&opts.twin_other),
            spent.len(),
            figures.join("; ")
        );
    }
    println!("(twin: detections during the runs: {detections})");
    drop(relays);
    drop(servers);
    drop(lan);
    Ok(())
}

/// Appends a round's per-file seconds to `path`, one JSON line per small
/// phase (an experiment's raw data; errors only said).
fn dump_file_times(path: &Path, round: usize, responder: &str, spent: &Spent) {
    use std::io::Write;
    let lines: String = spent
        .files
        .iter()
        .enumerate()
        .map(|(phase, (watched, peer))| {
            serde_json::json!({
                "round": round, "responder": responder, "phase": phase,
                "watched": watched, "peer": peer,
            })
            .to_string()
                + "\n"
        })
        .collect();
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(lines.as_bytes()));
    if let Err(e) = written {
        eprintln!("{}: {e}", path.display());
    }
}

/// One round of `responder` on the twin `turn` watches.
fn run_round(
    opts: &BenchOptions,
    responder: Responder,
    twins: &Twins,
    turn: Turn,
    folder: &str,
    detections: &mut usize,
) -> Result<Spent> {
    let server = &twins.servers[turn.watched];
    match responder {
        Responder::Nobody => measure_pair(twins, turn, folder, None),
        Responder::Bare | Responder::BareCreation | Responder::BarePerCpu => {
            let marks = match responder {
                Responder::BareCreation => BareMarks::Creation,
                _ => BareMarks::Open,
            };
            // This very binary holds the `bare-responder` subcommand.
            let exe = std::env::current_exe()
                .map_err(|e| AttackError::Setup(format!("own executable: {e}")))?;
            let per_cpu = responder == Responder::BarePerCpu;
            let bare = BareProcess::start_with(&exe, &server.share_dir(), marks, per_cpu)?;
            let result = measure_pair(twins, turn, folder, Some(bare.pid()));
            bare.stop();
            result
        }
        Responder::Guard | Responder::OtherGuard(_) => {
            let mamori = match responder {
                Responder::OtherGuard(n) => opts.twin_other.get(n).unwrap_or(&opts.mamori),
                _ => &opts.mamori,
            };
            let guard = GuardProcess::start(mamori, server, false)?;
            let result = measure_pair(twins, turn, folder, Some(guard.pid()));
            *detections += guard.detections().len();
            result
        }
    }
}

/// Writes, then reads, the small files on both twins from the client
/// namespace, alternating blocks; `pid`: the responder, waited for (idle)
/// between the phases.
fn measure_pair(twins: &Twins, turn: Turn, folder: &str, pid: Option<u32>) -> Result<Spent> {
    let block = twins.block;
    let targets: Vec<SmbTarget> = twins
        .servers
        .iter()
        .map(|s| s.target(USER_B, "OFFICE-PC"))
        .collect();
    let folder = folder.to_string();
    lan::in_netns(twins.client, move || {
        let sessions = targets
            .iter()
            .map(SmbSession::connect)
            .collect::<Result<Vec<_>>>()?;
        for session in &sessions {
            session.mkdir_all(&folder)?;
        }
        // Steady state: the guard meets each new session (a new smbd) once,
        // and its first look runs `smbstatus` (in the background, some
        // milliseconds of CPU) — a cost per session, not per file, that
        // would otherwise land in the first measured blocks. One file per
        // twin first; `settle` waits for the look to end.
        let warm = vec![0u8; 16 * 1024];
        for session in &sessions {
            session.write(&format!("{folder}/warm.bin"), &warm)?;
        }
        settle(pid);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut small = vec![0u8; 16 * 1024];
        rng.fill_bytes(&mut small);
        let mut large = vec![0u8; LARGE_MB << 20];
        rng.fill_bytes(&mut large);
        let path = |i: usize| format!("{folder}/f{i:04}.bin");
        let large_path = |i: usize| format!("{folder}/large{i}.bin");
        let mut spent = Spent::default();
        let mut record = |phase: usize, (watched, peer): (Vec<f64>, Vec<f64>)| {
            spent.watched[phase] = watched.iter().sum();
            spent.peer[phase] = peer.iter().sum();
            if let Some(files) = spent.files.get_mut(phase) {
                *files = (watched, peer);
            }
        };
        record(
            0,
            alternate(turn, FILES, block, |twin, i| {
                sessions[twin].write(&path(i), &small)
            })?,
        );
        // The guard judges written files after their close: not in the reads.
        settle(pid);
        record(
            1,
            alternate(turn, FILES, block, |twin, i| {
                sessions[twin].read(&path(i)).map(drop)
            })?,
        );
        settle(pid);
        let copied_path = |i: usize| format!("{folder}/c{i:04}.bin");
        record(
            2,
            alternate(turn, FILES, block, |twin, i| {
                sessions[twin].copy_in(&copied_path(i), &small)
            })?,
        );
        settle(pid);
        record(
            3,
            alternate(turn, LARGE, 1, |twin, i| {
                sessions[twin].write(&large_path(i), &large)
            })?,
        );
        settle(pid);
        record(
            4,
            alternate(turn, LARGE, 1, |twin, i| {
                sessions[twin].read(&large_path(i)).map(drop)
            })?,
        );
        settle(pid);
        Ok(spent)
    })?
}

/// Runs `op(twin, file)` for every block of `block` of `count` files on
/// both twins, the turn's leader first, the pair's order reversed every
/// pair: seconds spent on each file, on the watched twin and on its peer.
fn alternate(
    turn: Turn,
    count: usize,
    block: usize,
    mut op: impl FnMut(usize, usize) -> Result<()>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut seconds = [Vec::with_capacity(count), Vec::with_capacity(count)];
    for (pair_index, start) in (0..count).step_by(block.max(1)).enumerate() {
        let files = start..(start + block).min(count);
        let pair = match pair_index % 2 {
            0 => [turn.leader, 1 - turn.leader],
            _ => [1 - turn.leader, turn.leader],
        };
        for twin in pair {
            for file in files.clone() {
                let t = Instant::now();
                op(twin, file)?;
                seconds[twin].push(t.elapsed().as_secs_f64());
            }
        }
    }
    let [first, second] = seconds;
    Ok(match turn.watched {
        0 => (first, second),
        _ => (second, first),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_alternate_and_cover_every_file_once_per_twin() {
        let mut seen = Vec::new();
        let turn = Turn {
            watched: 0,
            leader: 1,
        };
        let spent = alternate(turn, 10, 4, |twin, file| {
            seen.push((twin, file));
            Ok(())
        })
        .unwrap();
        // The leader (twin 1) first, then the order reversed every pair;
        // the last block is short; the watched twin's times come first.
        assert_eq!((spent.0.len(), spent.1.len()), (10, 10));
        let blocks: Vec<(usize, Vec<usize>)> = seen
            .chunk_by(|a, b| a.0 == b.0)
            .map(|run| (run[0].0, run.iter().map(|(_, f)| *f).collect()))
            .collect();
        assert_eq!(
            blocks,
            vec![
                (1, (0..4).collect()),
                (0, (0..8).collect()),
                (1, (4..10).collect()),
                (0, (8..10).collect())
            ]
        );
    }

    #[test]
    fn every_twin_leads_as_often_watched_or_not() {
        let turns: std::collections::HashSet<(usize, usize)> = (0..4)
            .map(Turn::of_round)
            .map(|t| (t.watched, t.leader))
            .collect();
        assert_eq!(turns.len(), 4);
    }

    #[test]
    fn the_body_leaves_out_each_twins_slowest_tenth() {
        // Twenty files of 2 ms, two of them stalled; the same plus 0.1 ms.
        let mut peer = vec![0.002; 20];
        peer[3] = 0.015;
        peer[11] = 0.009;
        let watched: Vec<f64> = peer.iter().map(|t| t + 0.0001).collect();
        assert!((body_seconds(&peer) - 18.0 * 0.002).abs() < 1e-12);
        let spent = Spent {
            files: [(watched, peer), Default::default(), Default::default()],
            ..Spent::default()
        };
        // A shift of every file is seen whole: 0.1 of 2.1 ms.
        let body = spent.body_overhead(0).unwrap();
        assert!((body - 100.0 * 0.1 / 2.1).abs() < 1e-9, "{body}");
        assert_eq!(spent.body_overhead(3), None, "large files: no body");
    }

    #[test]
    fn overhead_is_one_minus_the_rate_ratio() {
        let spent = Spent {
            watched: [1.25, 1.0, 2.0, 1.0, 1.0],
            peer: [1.0, 1.0, 1.0, 1.1, 1.0],
            ..Spent::default()
        };
        assert!((spent.overhead(0) - 20.0).abs() < 1e-9);
        assert_eq!(spent.overhead(1), 0.0);
        assert!((spent.overhead(2) - 50.0).abs() < 1e-9);
        assert!(spent.overhead(3) < 0.0);
    }
}

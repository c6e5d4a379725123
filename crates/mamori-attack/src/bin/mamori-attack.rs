//! `mamori-attack`: run ransomware profiles and benign workloads against an
//! SMB share, prepare share content, or serve a private test Samba.
//! Only for test shares you own: it really encrypts and deletes files.

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use mamori_attack::bare::BareMarks;
use mamori_attack::benign::{self, Workload};
use mamori_attack::log::OpLog;
use mamori_attack::profiles::{self, AttackOptions, Profile};
use mamori_attack::samba::{Fs, SambaServer, PASSWORD, USER_A, USER_B};
use mamori_attack::SmbTarget;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "mamori-attack",
    about = "ransomware simulator and benign workloads over SMB (test shares only)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the sample share (office files + binaries) into a local folder.
    Populate {
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Binary files of each kind under 資料/.
        #[arg(long, default_value_t = 6)]
        extra: usize,
        /// Also the temp folder and database file the benign suite needs.
        #[arg(long)]
        benign: bool,
    },
    /// Run one attack profile (prints a JSON report).
    Attack {
        /// Profile name (see `mamori-attack list`).
        profile: String,
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, default_value_t = 4)]
        workers: usize,
        #[arg(long, default_value_t = 3000)]
        interval_ms: u64,
        #[arg(long, default_value_t = 5)]
        give_up_after: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Attack only this share-relative folder.
        #[arg(long, default_value = "")]
        root: String,
    },
    /// Run benign workloads (a name or `all`); prints operations done.
    Benign {
        workload: String,
        #[command(flatten)]
        conn: Conn,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Start a private Samba on 127.0.0.1 with users mmr-alice / mmr-bob,
    /// print its details, and serve until SIGINT/SIGTERM or stdin closes.
    Serve {
        #[arg(long, default_value = "docs")]
        share: String,
        #[arg(long, default_value = "ext4")]
        fs: String,
        #[arg(long, default_value_t = 512)]
        size_mb: u64,
        /// Fill the share with the sample content first.
        #[arg(long)]
        populate: bool,
    },
    /// Benchmark a `mamori` binary: files lost and time to detection and
    /// block per profile, false alarms, SMB overhead (needs root + Samba).
    Bench {
        #[arg(long)]
        mamori: PathBuf,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        #[arg(long, default_value_t = 60)]
        files: usize,
        /// Only this profile (repeatable).
        #[arg(long = "profile")]
        profiles: Vec<String>,
        #[arg(long)]
        skip_throughput: bool,
        #[arg(long)]
        skip_benign: bool,
        #[arg(long)]
        skip_attacks: bool,
        /// Throughput rounds (no guard / bare responder / guard, the
        /// order reversed every round).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Also a bare responder with the guard's mark set (open,
        /// pre-access, close-write) and no ignore marks in every round.
        #[arg(long)]
        bare_guard_marks: bool,
        /// Also a bare responder that sets the guard's creation marks
        /// (open and pre-access events; one round trip per new file).
        #[arg(long)]
        bare_creation_marks: bool,
        /// Twin series: also a bare responder with one pinned reader per CPU.
        #[arg(long)]
        bare_per_cpu: bool,
        /// Guard without decoys (the content and behaviour judgement alone).
        #[arg(long)]
        no_decoys: bool,
        /// Throughput: the LAN series alone (no loopback series).
        #[arg(long)]
        lan_only: bool,
        /// Rounds of the twin-share series: small files on two shares,
        /// interleaved every 25 files, one of them guarded (0: none).
        #[arg(long, default_value_t = 6)]
        twin_rounds: usize,
        /// Files per block of the twin-share series.
        #[arg(long, default_value_t = mamori_attack::twin::DEFAULT_BLOCK)]
        twin_block: usize,
        /// Another `mamori` binary (or wrapper script) the twin series
        /// measures in the same rounds, to compare variants (repeatable).
        #[arg(long)]
        twin_other: Vec<PathBuf>,
    },
    /// Event storm against a `mamori` binary: the guard's peak memory and
    /// CPU beside nobody and a bare responder (needs root + Samba).
    Storm {
        #[arg(long)]
        mamori: PathBuf,
        /// Worker processes of phases 1 and 2.
        #[arg(long, default_value_t = 4)]
        workers: usize,
        /// Files per worker in phase 1 (four times as many in each later one).
        #[arg(long, default_value_t = 5000)]
        files: usize,
        /// Phases of four times as many files after the first.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Short-lived processes of the last phase.
        #[arg(long, default_value_t = 2000)]
        churn: usize,
        /// The guard's configuration (TOML; default: alerts only).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Only the guard, not nobody and the bare responder (long runs).
        #[arg(long)]
        guard_only: bool,
    },
    /// One process of the storm (hidden): prints its operations.
    #[command(hide = true)]
    StormWorker {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        files: usize,
        #[arg(long)]
        tag: String,
    },
    /// List profiles and workloads.
    List,
    /// The bench's bare responder (hidden): allow every fanotify open
    /// permission event on DIR's mount at once; `ready` on stderr, stops
    /// on SIGTERM. See `mamori_attack::bare`.
    #[command(hide = true)]
    BareResponder {
        #[arg(long)]
        dir: PathBuf,
        /// The guard's mark set (open, pre-access, close-write), no ignore marks.
        #[arg(long)]
        guard_marks: bool,
        /// Open and pre-access events, and the guard's creation marks.
        #[arg(long)]
        creation_marks: bool,
        /// One reader thread pinned to each CPU.
        #[arg(long)]
        per_cpu: bool,
    },
}

#[derive(Args)]
struct Conn {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 445)]
    port: u16,
    #[arg(long)]
    share: String,
    #[arg(long, default_value = USER_A)]
    user: String,
    #[arg(long, default_value = PASSWORD)]
    password: String,
    /// Client NetBIOS name announced to the server.
    #[arg(long, default_value = "ATTACK-PC")]
    machine: String,
    /// Append one JSON line per SMB operation here.
    #[arg(long)]
    log: Option<PathBuf>,
}

impl Conn {
    fn target(&self) -> SmbTarget {
        SmbTarget {
            host: self.host.clone(),
            port: self.port,
            share: self.share.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            machine: self.machine.clone(),
        }
    }
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mamori-attack: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::BareResponder {
            dir,
            guard_marks,
            creation_marks,
            per_cpu,
        } => {
            let marks = match (guard_marks, creation_marks) {
                (true, _) => BareMarks::GuardSet,
                (false, true) => BareMarks::Creation,
                (false, false) => BareMarks::Open,
            };
            let answered = mamori_attack::bare::serve(&dir, marks, per_cpu)
                .with_context(|| format!("fanotify on {}", dir.display()))?;
            eprintln!("answered {answered} events");
        }
        Command::Storm {
            mamori,
            workers,
            files,
            repeats,
            churn,
            config,
            guard_only,
        } => {
            if let Some(reason) = mamori_attack::samba::skip_reason(Fs::Ext4) {
                bail!("cannot benchmark here: {reason}");
            }
            let options = mamori_attack::storm::StormOptions {
                workers,
                files,
                repeats,
                churn,
                config: config
                    .map(|path| {
                        std::fs::read_to_string(&path)
                            .with_context(|| format!("{}", path.display()))
                    })
                    .transpose()?,
                guard_only,
            };
            let exe = std::env::current_exe().context("own executable")?;
            let runs = mamori_attack::storm::run(&mamori, &exe, &options)?;
            println!("{}", mamori_attack::storm::markdown(&runs, &options));
        }
        Command::StormWorker { dir, files, tag } => {
            let operations = mamori_attack::storm::worker(&dir, files, &tag)
                .with_context(|| format!("storm in {}", dir.display()))?;
            println!("{operations}");
        }
        Command::List => {
            println!("attack profiles:");
            for p in Profile::ALL {
                println!("  {}", p.name());
            }
            println!("benign workloads:");
            for w in Workload::ALL {
                println!("  {}", w.name());
            }
        }
        Command::Populate {
            dir,
            seed,
            extra,
            benign: with_benign,
        } => {
            let n = mamori_attack::content::populate(&dir, seed, extra)?;
            if with_benign {
                benign::prepare(&dir)?;
            }
            eprintln!("{}: {n} files", dir.display());
        }
        Command::Attack {
            profile,
            conn,
            limit,
            workers,
            interval_ms,
            give_up_after,
            seed,
            root,
        } => {
            let Some(profile) = Profile::from_name(&profile) else {
                bail!("unknown profile {profile:?} (see `mamori-attack list`)");
            };
            let opts = AttackOptions {
                seed,
                root,
                limit,
                workers,
                slow_interval: Duration::from_millis(interval_ms),
                give_up_after,
            };
            let log = OpLog::new(conn.log.as_deref());
            let report = profiles::run(&conn.target(), profile, &opts, &log)?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Command::Benign {
            workload,
            conn,
            seed,
        } => {
            let workloads: Vec<Workload> = if workload == "all" {
                Workload::ALL.to_vec()
            } else {
                vec![Workload::from_name(&workload)
                    .with_context(|| format!("unknown workload {workload:?}"))?]
            };
            let log = OpLog::new(conn.log.as_deref());
            let mut failed = false;
            for w in workloads {
                match benign::run(&conn.target(), w, seed, &log) {
                    Ok(n) => println!("{}\t{n} operations", w.name()),
                    Err(e) => {
                        failed = true;
                        println!("{}\tfailed: {e}", w.name());
                    }
                }
            }
            if failed {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Bench {
            mamori,
            runs,
            files,
            profiles: names,
            skip_throughput,
            skip_benign,
            skip_attacks,
            rounds,
            bare_guard_marks,
            bare_creation_marks,
            bare_per_cpu,
            no_decoys,
            lan_only,
            twin_rounds,
            twin_block,
            twin_other,
        } => {
            if let Some(reason) = mamori_attack::samba::skip_reason(Fs::Ext4) {
                bail!("cannot benchmark here: {reason}");
            }
            let mut profiles = Vec::new();
            for name in names {
                profiles.push(
                    Profile::from_name(&name)
                        .with_context(|| format!("unknown profile {name:?}"))?,
                );
            }
            let opts = mamori_attack::bench::BenchOptions {
                mamori,
                runs,
                files,
                profiles,
                skip_throughput,
                rounds,
                bare_guard_marks,
                bare_creation_marks,
                bare_per_cpu,
                no_decoys,
                lan_only,
                twin_rounds,
                twin_block,
                twin_other,
            };
            let results = if skip_attacks {
                Vec::new()
            } else {
                mamori_attack::bench::attacks(&opts)
            };
            if !skip_benign {
                mamori_attack::bench::false_alarms(&opts)?;
            }
            if !opts.skip_throughput {
                mamori_attack::bench::fast_rate()?;
                mamori_attack::bench::overhead(&opts)?;
                if opts.twin_rounds > 0 {
                    mamori_attack::twin::twin_overhead(&opts)?;
                }
            }
            eprintln!("{}", serde_json::to_string(&results)?);
        }
        Command::Serve {
            share,
            fs,
            size_mb,
            populate,
        } => {
            let fs = match fs.as_str() {
                "ext4" => Fs::Ext4,
                "btrfs" => Fs::Btrfs,
                other => bail!("--fs must be ext4 or btrfs, not {other:?}"),
            };
            let server = SambaServer::start(&share, fs, size_mb)?;
            if populate {
                let n = mamori_attack::content::populate(&server.share_dir(), 1, 6)?;
                benign::prepare(&server.share_dir())?;
                server.open_permissions()?;
                eprintln!("populated {n} files");
            }
            // SAFETY: installing a handler that only stores to an atomic.
            unsafe {
                libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
                libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
            }
            println!(
                "ready port={} share={} dir={} conf={} users={USER_A},{USER_B} password={PASSWORD}",
                server.port(),
                server.share_name(),
                server.share_dir().display(),
                server.conf().display()
            );
            let stdin_closed = std::sync::Arc::new(AtomicBool::new(false));
            let flag = stdin_closed.clone();
            std::thread::spawn(move || {
                let mut sink = Vec::new();
                let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
                flag.store(true, Ordering::SeqCst);
            });
            while !STOP.load(Ordering::SeqCst) && !stdin_closed.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
            }
            drop(server);
        }
    }
    Ok(ExitCode::SUCCESS)
}

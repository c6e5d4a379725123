//! `mamori`: parses arguments and wires the library crates together. All
//! behaviour lives in the libraries; this file only translates between the
//! command line and them (and picks exit codes: 0 ok, 1 a problem the job
//! reports, 2 bad usage or bad input).

mod demo;
mod guard;
mod incident;
mod keys;
mod leaks;
mod progress;
mod restore;

use anyhow::Context;
use clap::{Parser, Subcommand};
use mamori_core::Lang;
use mamori_scan::{default_state_dir, scan, ScanConfig, ScanError, ScanOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mamori",
    version,
    about = "守り: 共有フォルダの個人データ棚卸しとランサムウェア対策 / personal-data inventory and ransomware protection for file shares"
)]
struct Cli {
    /// 表示言語 / display language (ja, en)
    #[arg(long, global = true, default_value = "ja", env = "MAMORI_LANG")]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 共有フォルダを読み取り、個人データの棚卸しを記録する / scan shares into the inventory
    Scan {
        /// 読み取るフォルダまたはファイル / folders or files to scan
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// 状態ディレクトリ / state directory (inventory, keys)
        #[arg(long, env = "MAMORI_STATE_DIR")]
        state_dir: Option<PathBuf>,
        /// JSON レポートの出力先（- は標準出力）/ JSON report file (- for stdout)
        #[arg(long)]
        report: PathBuf,
        /// 読み取りスレッド数（0 は全コア）/ reading threads (0 = all cores)
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// 設定ファイル（TOML）/ configuration file (TOML)
        #[arg(long)]
        config: Option<PathBuf>,
        /// 進捗表示をしない / no progress bar
        #[arg(long)]
        no_progress: bool,
        /// 形態素解析を使わない / do not use the IPADIC morphology
        #[arg(long)]
        no_morphology: bool,
        /// 画像だけの PDF を Tesseract（日本語）で OCR する / OCR image-only PDFs with Tesseract (Japanese)
        #[arg(long)]
        ocr: bool,
    },
    /// サンプル共有フォルダを生成して棚卸しを実演する / generate a sample share and scan it
    Demo {
        /// サンプルを作る場所（省略時は一時フォルダ）/ where to generate (default: a temporary folder)
        #[arg(long)]
        dir: Option<PathBuf>,
        /// 棚卸しだけを実演する（Samba・ガード・攻撃・復旧・報告を省く）/ the inventory only (no Samba, guard, attack, restore, report)
        #[arg(long)]
        no_guard: bool,
    },
    /// 棚卸しの集計（区分 × 項目 × 共有）/ inventory summary by category × item × share
    Inventory {
        #[arg(long, env = "MAMORI_STATE_DIR")]
        state_dir: Option<PathBuf>,
    },
    /// 共有フォルダをランサムウェアから守る（root 権限）/ guard shares against ransomware (root)
    Guard(guard::GuardArgs),
    /// 攻撃を受けたファイルを元に戻す / restore the files an incident's attacker touched
    Restore(restore::RestoreArgs),
    /// インシデントの一覧・影響評価・報告書 / incidents: list, sweep, assess, report
    Incident(incident::IncidentArgs),
    /// リークサイトの監視 / leak-site monitoring
    Leaks(leaks::LeaksArgs),
    /// 封印用の鍵 / keys for the sealed contact index
    Keys(keys::KeysArgs),
}

/// mimalloc: the scan allocates per cell and per row (see the workspace
/// `Cargo.toml` for the measurement).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAMORI_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let lang = cli.lang;
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let bad_input = err
                .downcast_ref::<ScanError>()
                .is_some_and(|e| matches!(e, ScanError::Root { .. } | ScanError::Config(_)))
                || err.downcast_ref::<mamori_scan::ConfigError>().is_some();
            eprintln!("{}: {err:#}", lang.pick("エラー", "error"));
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = cli.lang;
    match cli.command {
        Command::Scan {
            paths,
            state_dir,
            report,
            jobs,
            config,
            no_progress,
            no_morphology,
            ocr,
        } => {
            let config = match config {
                Some(path) => ScanConfig::load(&path)?,
                None => ScanConfig::default(),
            };
            let mut options = ScanOptions::new(state_dir.unwrap_or_else(default_state_dir));
            options.jobs = jobs;
            options.config = config;
            options.morphology = !no_morphology;
            // The sealed contact index, when `mamori keys init` set it up.
            if let Some(sealer) = mamori_incident::contacts::Sealer::load(&options.state_dir)? {
                options.contact_sealer = Some(std::sync::Arc::new(sealer));
            }
            options.ocr = ocr;
            let progress = progress::Bar::new(no_progress || report.as_os_str() == "-", lang);
            let result = scan(&paths, &options, &progress)?;
            progress.finish();
            write_report(&report, &result.to_json()).with_context(|| {
                format!(
                    "{} {}",
                    lang.pick("レポートを書き込めません:", "cannot write report"),
                    report.display()
                )
            })?;
            let summary = mamori_scan::summary::render(&result, lang);
            if report.as_os_str() == "-" {
                eprint!("{summary}");
            } else {
                print!("{summary}");
                println!("{}: {}", lang.pick("レポート", "Report"), report.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { dir, no_guard } => demo::run(dir, no_guard, lang),
        Command::Guard(args) => guard::run(args, lang),
        Command::Restore(args) => restore::run(args, lang),
        Command::Incident(args) => incident::run(args, lang),
        Command::Leaks(args) => leaks::run(args, lang),
        Command::Keys(args) => keys::run(args, lang),
        Command::Inventory { state_dir } => {
            let state_dir = state_dir.unwrap_or_else(default_state_dir);
            let inventory = mamori_inventory::Inventory::open(&state_dir)?;
            println!(
                "{}",
                lang.pick(
                    "共有\t区分\t項目\tファイル数\t件数",
                    "share\tcategory\titem\tfiles\toccurrences"
                )
            );
            for row in inventory.summary()? {
                let category = row
                    .category
                    .map(|c| c.label(lang).to_string())
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    row.share,
                    category,
                    row.item.label(lang),
                    row.files,
                    row.occurrences
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_report(path: &Path, json: &str) -> std::io::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(json.as_bytes())?;
        out.write_all(b"\n")
    } else {
        std::fs::write(path, format!("{json}\n"))
    }
}

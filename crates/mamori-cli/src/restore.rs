//! `mamori restore`: restore an incident's files. Argument parsing only; the work is in mamori-restore.

use anyhow::Context;
use clap::Args;
use mamori_core::Lang;
use mamori_restore::{restore, RestoreError, RestoreOptions};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct RestoreArgs {
    /// 状態ディレクトリ / state directory (guard, scan and restore share it)
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// インシデントID（最新は latest） / incident id, or `latest`
    #[arg(long)]
    incident: String,
    /// 何も変更せずに予定だけを表示 / show what would be done, change nothing
    #[arg(long)]
    dry_run: bool,
    /// 結果をJSONで書き出す（- は標準出力） / also write the result as JSON (- = stdout)
    #[arg(long)]
    json: Option<PathBuf>,
    /// 進捗を表示しない / no progress display
    #[arg(long)]
    no_progress: bool,
}

/// Progress on stderr: a live counter on a terminal, a line every few
/// seconds otherwise (logs of long restores).
struct Progress {
    enabled: bool,
    terminal: bool,
    lang: Lang,
    last: std::cell::Cell<Option<Instant>>,
}

impl mamori_restore::Progress for Progress {
    fn step(&self, done: usize, total: usize) {
        if !self.enabled || total < 100 {
            return;
        }
        let now = Instant::now();
        let due = self.last.get().is_none_or(|t| {
            now - t >= Duration::from_millis(if self.terminal { 200 } else { 5000 })
        });
        if !due && done != total {
            return;
        }
        self.last.set(Some(now));
        let label = self.lang.pick("復元中", "restoring");
        let mut err = std::io::stderr();
        if self.terminal {
            let _ = write!(err, "\r{label} {done}/{total}");
            if done == total {
                let _ = writeln!(err);
            }
        } else {
            let _ = writeln!(err, "{label} {done}/{total}");
        }
    }
}

pub fn run(args: RestoreArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let state_dir = args
        .state_dir
        .unwrap_or_else(mamori_scan::default_state_dir);
    let progress = Progress {
        enabled: !args.no_progress,
        terminal: std::io::stderr().is_terminal(),
        lang,
        last: std::cell::Cell::new(None),
    };
    let options = RestoreOptions {
        dry_run: args.dry_run,
        progress: &progress,
    };
    let report = match restore(&state_dir, &args.incident, &options) {
        Ok(report) => report,
        Err(RestoreError::Journal(mamori_restore::JournalError::NotFound(id))) => {
            eprintln!(
                "{}: {id} ({})",
                lang.pick("インシデントが見つかりません", "no such incident"),
                state_dir.display()
            );
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(json) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        if json.as_os_str() == "-" {
            println!("{text}");
        } else {
            std::fs::write(json, text + "\n").with_context(|| {
                format!(
                    "{}: {}",
                    lang.pick("JSONを書き込めません", "cannot write JSON"),
                    json.display()
                )
            })?;
        }
    }
    if args.json.as_deref().is_none_or(|j| j.as_os_str() != "-") {
        print!("{}", mamori_restore::render(&report, lang));
    } else {
        eprint!("{}", mamori_restore::render(&report, lang));
    }
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

//! `mamori guard`: the ransomware guard. Argument parsing only; the work is in mamori-guard.

use anyhow::Context;
use clap::{Args, Subcommand};
use mamori_core::Lang;
use mamori_guard::{GuardConfig, GuardOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GuardArgs {
    #[command(subcommand)]
    command: Option<GuardCommand>,
    /// 守る共有 NAME=DIR（複数可）/ a share to guard, NAME=DIR (repeatable)
    #[arg(long = "share", value_name = "NAME=DIR")]
    shares: Vec<String>,
    /// 状態ディレクトリ / state directory (alerts.jsonl, incidents, vault)
    #[arg(long, env = "MAMORI_STATE_DIR")]
    state_dir: Option<PathBuf>,
    /// Samba の smb.conf（smbstatus / smbcontrol 用）/ smb.conf of the Samba serving the shares
    #[arg(long)]
    smb_conf: Option<PathBuf>,
    /// 設定ファイル（TOML）/ configuration file (TOML)
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum GuardCommand {
    /// インシデントの遮断を解除する / lift the block of an incident
    Release {
        /// インシデント ID（latest で最新）/ incident id (latest = the newest)
        incident: String,
        #[arg(long, env = "MAMORI_STATE_DIR")]
        state_dir: Option<PathBuf>,
        /// ガードの設定ファイル（解除の通知を [alerts] の通知先にも送る）/ the guard's configuration file (the release alert also goes to its [alerts] channels)
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Release);
}

fn install_signal_handlers() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic (async-signal-safe).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

fn parse_share(text: &str) -> Option<(String, PathBuf)> {
    let (name, dir) = text.split_once('=')?;
    (!name.is_empty() && !dir.is_empty()).then(|| (name.to_string(), PathBuf::from(dir)))
}

fn usage(lang: Lang, ja: &str, en: &str) -> anyhow::Result<ExitCode> {
    eprintln!("{}: {}", lang.pick("エラー", "error"), lang.pick(ja, en));
    Ok(ExitCode::from(2))
}

pub fn run(args: GuardArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    if let Some(GuardCommand::Release {
        incident,
        state_dir,
        config,
    }) = args.command
    {
        // The alert of the release goes to the channels the guard uses.
        let alerts = match &config {
            Some(path) => match GuardConfig::load(path) {
                Ok(c) => c.alerts,
                Err(e) => return usage(lang, &e.to_string(), &e.to_string()),
            },
            None => Default::default(),
        };
        return release(
            &incident,
            state_dir.unwrap_or_else(mamori_scan::default_state_dir),
            &alerts,
            lang,
        );
    }
    let mut shares = Vec::new();
    for text in &args.shares {
        match parse_share(text) {
            Some(share) => shares.push(share),
            None => {
                return usage(
                    lang,
                    &format!("--share は NAME=DIR の形で指定してください: {text}"),
                    &format!("--share takes NAME=DIR: {text}"),
                )
            }
        }
    }
    if shares.is_empty() {
        return usage(
            lang,
            "--share NAME=DIR を指定してください",
            "give at least one --share NAME=DIR",
        );
    }
    let config = match &args.config {
        Some(path) => match GuardConfig::load(path) {
            Ok(c) => c,
            Err(e) => return usage(lang, &e.to_string(), &e.to_string()),
        },
        None => GuardConfig::default(),
    };
    let names: Vec<String> = shares.iter().map(|(name, _)| name.clone()).collect();
    let unknown = config.unknown_shares(&names).join(", ");
    if let (false, Some(path)) = (unknown.is_empty(), &args.config) {
        return usage(
            lang,
            &format!(
                "{}: [share.\"{unknown}\"] は --share で指定されていない共有です（{}）",
                path.display(),
                names.join(", ")
            ),
            &format!(
                "{}: [share.\"{unknown}\"] names no --share ({})",
                path.display(),
                names.join(", ")
            ),
        );
    }
    if let Some(conf) = &args.smb_conf {
        if !conf.is_file() {
            return usage(
                lang,
                &format!("smb.conf が見つかりません: {}", conf.display()),
                &format!("smb.conf not found: {}", conf.display()),
            );
        }
    }
    install_signal_handlers();
    let state_dir = args
        .state_dir
        .unwrap_or_else(mamori_scan::default_state_dir);
    mamori_guard::failure::exit_loudly_on_panic(state_dir.clone(), lang);
    let options = GuardOptions {
        shares,
        state_dir,
        smb_conf: args.smb_conf,
        config,
        lang,
    };
    let result = mamori_guard::run(options, &STOP, |ready| {
        if ready.backend == "fanotify" && !ready.pre_content {
            eprintln!(
                "mamori guard: {}",
                lang.pick(
                    "pre-content イベント（Linux 6.14 以降）なしで監視するため（カーネルまたは設定による）、書き込み用に開かれたファイルは開いた時点で退避します（書き込まれなくても 1 回コピーします）",
                    "watching without pre-content events (Linux 6.14+; kernel or configuration): files opened for writing are kept at their open (copied once even if never written)"
                )
            );
        }
        eprintln!(
            "mamori guard: ready ({}, pre-content={}, thread ids={}, rename events={}, shares={}, reloaded blocks={}, vault linked={}) {}",
            ready.backend,
            ready.pre_content,
            ready.thread_ids,
            ready.rename_events,
            ready.shares,
            ready.reloaded_blocks,
            ready.vault_linked,
            lang.pick("監視を開始しました", "watching")
        );
    });
    match result {
        Ok(summary) => {
            let (deferred, taken) = (summary.probes_deferred, summary.deferred_probes_taken);
            let deferred_ja =
                format!("新規ファイルの検査を保留 {deferred} 件（うち後で実施 {taken} 件）");
            let deferred_en = format!("{deferred} new-file probes deferred, {taken} taken later");
            let deferred = lang.pick(&deferred_ja, &deferred_en);
            eprintln!(
                "mamori guard: {} ({} {}, {} {}, {} {}, {deferred})",
                lang.pick("停止しました", "stopped"),
                summary.changes,
                lang.pick("件の変更", "changes"),
                summary.incidents,
                lang.pick("件のインシデント", "incidents"),
                summary.denied,
                lang.pick("件の拒否", "denied accesses"),
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.is_usage() => usage(lang, &e.to_string(), &e.to_string()),
        Err(e) => {
            Err(e).context(lang.pick("mamori guard が異常終了しました", "mamori guard failed"))
        }
    }
}

fn release(
    id: &str,
    state_dir: PathBuf,
    alerts: &mamori_alert::AlertConfig,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let journal = mamori_journal::Journal::open(&state_dir);
    let incident = match mamori_guard::state::release(&journal, id) {
        Ok(incident) => incident,
        Err(mamori_journal::JournalError::NotFound(_)) => {
            return usage(
                lang,
                &format!("インシデント {id} はありません ({})", state_dir.display()),
                &format!("no incident {id} in {}", state_dir.display()),
            )
        }
        Err(e) => return Err(e.into()),
    };
    let alert = mamori_alert::Alert::new(
        "release",
        format!("インシデント {} の遮断を解除しました", incident.id),
        format!("Block of incident {} lifted", incident.id),
    )
    .with("incident", incident.id.as_str())
    .with("share", incident.share.as_str())
    .with("user", incident.actor.user.clone())
    .with("client", incident.actor.client.clone())
    .with("pid", incident.actor.pid)
    .with("reason", "released by administrator")
    .with("files", Vec::<String>::new());
    let failures = mamori_alert::Alerter::from_config(&state_dir, alerts).emit(&alert)?;
    for failure in failures {
        eprintln!("mamori guard: {failure}");
    }
    println!("{}", alert.message(lang));
    Ok(ExitCode::SUCCESS)
}

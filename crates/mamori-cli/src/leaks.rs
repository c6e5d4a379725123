//! `mamori leaks`: leak-site monitoring. Argument parsing only; the work is in mamori-leaks.

use clap::{Args, Subcommand};
use mamori_core::Lang;
use mamori_leaks::{LeaksConfig, PollReport, State};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct LeaksArgs {
    #[command(subcommand)]
    command: LeaksCommand,
}

#[derive(Args)]
struct Common {
    /// 設定ファイル（TOML）/ configuration file (TOML)
    #[arg(long)]
    config: PathBuf,
    /// 状態ディレクトリ / state directory
    #[arg(long, env = "MAMORI_STATE_DIR")]
    state_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum LeaksCommand {
    /// すべての監視先を一度確認する / poll every source once
    Poll(Common),
    /// 定期的に確認し続ける（既定 2 時間ごと）/ poll on a schedule until stopped
    Watch {
        #[command(flatten)]
        common: Common,
        /// 確認の間隔（分、設定より優先）/ minutes between polls (overrides the configuration)
        #[arg(long)]
        interval_minutes: Option<f64>,
        /// この回数で終了（試験用）/ stop after this many polls (for tests)
        #[arg(long, hide = true)]
        max_polls: Option<u64>,
    },
    /// これまでに見た投稿 / posts seen so far
    List {
        #[arg(long, env = "MAMORI_STATE_DIR")]
        state_dir: Option<PathBuf>,
        /// 当社に関係しない投稿も表示 / also posts that did not match
        #[arg(long)]
        all: bool,
        /// JSON で出力 / print JSON
        #[arg(long)]
        json: bool,
    },
    /// 投稿の詳細（キー、URL、または list の番号）/ one post in detail (key, URL or list number)
    Show {
        #[arg(long, env = "MAMORI_STATE_DIR")]
        state_dir: Option<PathBuf>,
        post: String,
    },
}

fn state_dir(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(mamori_scan::default_state_dir)
}

fn load(path: &Path, lang: Lang) -> Result<LeaksConfig, ExitCode> {
    LeaksConfig::load(path).map_err(|e| {
        eprintln!("{}: {e}", lang.pick("設定エラー", "configuration error"));
        ExitCode::from(2)
    })
}

pub fn run(args: LeaksArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    match args.command {
        LeaksCommand::Poll(common) => {
            let config = match load(&common.config, lang) {
                Ok(config) => config,
                Err(code) => return Ok(code),
            };
            let report = mamori_leaks::poll(&config, &state_dir(common.state_dir))?;
            print_report(&report, lang);
            Ok(ExitCode::from(u8::from(!report.alerts.is_empty())))
        }
        LeaksCommand::Watch {
            common,
            interval_minutes,
            max_polls,
        } => {
            let config = match load(&common.config, lang) {
                Ok(config) => config,
                Err(code) => return Ok(code),
            };
            let minutes = interval_minutes.unwrap_or(config.leaks.interval_minutes as f64);
            if !(minutes > 0.0 && minutes.is_finite()) {
                eprintln!(
                    "{}",
                    lang.pick(
                        "間隔は正の数で指定してください",
                        "the interval must be a positive number"
                    )
                );
                return Ok(ExitCode::from(2));
            }
            let dir = state_dir(common.state_dir);
            eprintln!(
                "{}",
                lang.pick(
                    &format!("リークサイト監視を開始（約 {minutes} 分ごと）ready"),
                    &format!("leak-site watch ready (every ~{minutes} minutes)")
                )
            );
            mamori_leaks::watch(
                &config,
                &dir,
                Duration::from_secs_f64(minutes * 60.0),
                max_polls,
                |result| match result {
                    Ok(report) => print_report(report, lang),
                    Err(error) => eprintln!("{}: {error}", lang.pick("エラー", "error")),
                },
            );
            Ok(ExitCode::SUCCESS)
        }
        LeaksCommand::List {
            state_dir: dir,
            all,
            json,
        } => {
            let state = mamori_leaks::read_state(&state_dir(dir))?;
            let posts = listed(&state, all);
            if json {
                println!("{}", serde_json::to_string_pretty(&posts)?);
                return Ok(ExitCode::SUCCESS);
            }
            if posts.is_empty() {
                println!("{}", lang.pick("該当する投稿はありません", "no posts"));
            }
            for (number, post) in posts.iter().enumerate() {
                println!(
                    "{:>4}  {}  {:<12} {:<14} {}  {}",
                    number + 1,
                    post.first_seen.get(..16).unwrap_or(&post.first_seen),
                    post.matched.as_deref().unwrap_or("-"),
                    if post.group.is_empty() {
                        "?"
                    } else {
                        &post.group
                    },
                    post.victim,
                    post.linked_to
                        .as_ref()
                        .map(|_| lang.pick("（関連付け済み）", "(linked)"))
                        .unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaksCommand::Show {
            state_dir: dir,
            post,
        } => {
            let state = mamori_leaks::read_state(&state_dir(dir))?;
            let found = match post.parse::<usize>() {
                Ok(number) if number >= 1 => listed(&state, false).get(number - 1).cloned(),
                _ => state
                    .posts
                    .values()
                    .find(|p| p.key == post || p.post_url.as_deref() == Some(post.as_str()))
                    .cloned(),
            };
            match found {
                Some(record) => {
                    println!("{}", serde_json::to_string_pretty(&record)?);
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!(
                        "{}: {post}",
                        lang.pick("投稿が見つかりません", "no such post")
                    );
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

fn listed(state: &State, all: bool) -> Vec<mamori_leaks::state::PostRecord> {
    let mut posts: Vec<_> = state
        .posts
        .values()
        .filter(|p| all || p.matched.is_some())
        .cloned()
        .collect();
    posts.sort_by(|a, b| (&a.first_seen, &a.key).cmp(&(&b.first_seen, &b.key)));
    posts
}

fn print_report(report: &PollReport, lang: Lang) {
    for source in &report.sources {
        match &source.problem {
            None => println!(
                "{}: {} {}",
                source.name,
                source.posts,
                lang.pick("件の投稿", "posts")
            ),
            Some(problem) => println!(
                "{}: {} ({problem})",
                source.name,
                lang.pick("読み取れません", "no posts")
            ),
        }
    }
    for alert in &report.alerts {
        let text = alert[lang.pick("message_ja", "message_en")]
            .as_str()
            .unwrap_or("");
        println!("! {text}");
    }
    for error in &report.channel_errors {
        eprintln!(
            "{}: {error}",
            lang.pick("通知の送信に失敗", "alert channel failed")
        );
    }
    if report.alerts.is_empty() {
        println!("{}", lang.pick("新しい検知はありません", "nothing new"));
    }
}

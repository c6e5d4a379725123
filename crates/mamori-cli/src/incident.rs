//! `mamori incident`: incident list, sweep, assess and report. Argument parsing only; the work is in mamori-incident.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use mamori_core::Lang;
use mamori_incident::report::{self, Format, NotificationList};
use mamori_incident::{contacts, sweep, timeline, AssessOptions};
use mamori_journal::Journal;
use mamori_scan::default_state_dir;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct IncidentArgs {
    #[command(subcommand)]
    command: IncidentCommand,
}

#[derive(Args)]
struct StateArg {
    /// 状態ディレクトリ / state directory (inventory, incidents)
    #[arg(long, env = "MAMORI_STATE_DIR", global = true)]
    state_dir: Option<PathBuf>,
}

#[derive(Args)]
struct Which {
    /// インシデント ID（latest は最新）/ incident id, or latest
    #[arg(long, default_value = "latest")]
    incident: String,
    /// 発覚日時の上書き（RFC 3339 または YYYY-MM-DD、日本時間）/ discovery time override (RFC 3339, or a JST date)
    #[arg(long, value_parser = parse_discovered)]
    discovered: Option<DateTime<Utc>>,
}

#[derive(Subcommand)]
enum IncidentCommand {
    /// インシデントの一覧 / list incidents
    List {
        #[command(flatten)]
        state: StateArg,
        /// JSON で出力 / print JSON
        #[arg(long)]
        json: bool,
    },
    /// インシデントの詳細と時系列 / one incident with its time line
    Show {
        #[command(flatten)]
        state: StateArg,
        #[arg(long, default_value = "latest")]
        incident: String,
        /// 時系列を全件表示 / print every line of the time line
        #[arg(long)]
        all: bool,
    },
    /// ガードなしで攻撃された共有を調べてインシデントとして記録 / reconstruct an incident on a share hit without the guard
    Sweep {
        #[command(flatten)]
        state: StateArg,
        /// 調べる共有フォルダ / shares to sweep
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_parser = parse_discovered)]
        discovered: Option<DateTime<Utc>>,
    },
    /// 影響評価（JSON）/ impact assessment as JSON
    Assess {
        #[command(flatten)]
        state: StateArg,
        #[command(flatten)]
        which: Which,
        /// 出力先（- は標準出力）/ output file (- for stdout)
        #[arg(long, default_value = "-")]
        json: PathBuf,
    },
    /// 報告書一式（影響評価・委員会報告案・公表文案・本人通知案・通知リスト）/ the documents and notification lists
    Report {
        #[command(flatten)]
        state: StateArg,
        #[command(flatten)]
        which: Which,
        /// 出力フォルダ / output folder
        #[arg(long)]
        out: PathBuf,
        /// 形式 / formats (md,html,docx,csv)
        #[arg(long, default_value = "md,html,docx,csv", value_parser = parse_formats)]
        format: FormatList,
        /// 連絡先索引を開く秘密鍵 / private key opening the sealed contact index
        #[arg(long)]
        identity: Option<PathBuf>,
        /// 事業者名 / organisation name for the documents
        #[arg(long, env = "MAMORI_ORGANIZATION")]
        organization: Option<String>,
    },
}

#[derive(Clone)]
struct FormatList(Vec<Format>);

fn parse_formats(text: &str) -> Result<FormatList, String> {
    Format::parse_list(text).map(FormatList)
}

fn parse_discovered(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is neither RFC 3339 nor YYYY-MM-DD"))?;
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(mamori_incident::law::jst()).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("'{text}' is not a valid date"))
}

fn state_dir(arg: StateArg) -> PathBuf {
    arg.state_dir.unwrap_or_else(default_state_dir)
}

/// Unknown incident ids are bad input (exit 2), like a missing inventory.
fn bad_input(err: &mamori_incident::IncidentError) -> bool {
    use mamori_incident::IncidentError as E;
    matches!(
        err,
        E::Journal(mamori_journal::JournalError::NotFound(_))
            | E::NotScanned { .. }
            | E::Key { .. }
            | E::Usage(_)
    )
}

pub fn run(args: IncidentArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    match run_inner(args, lang) {
        Ok(code) => Ok(code),
        Err(err) => match err.downcast_ref::<mamori_incident::IncidentError>() {
            Some(e) if bad_input(e) => {
                eprintln!("{}: {err:#}", lang.pick("エラー", "error"));
                Ok(ExitCode::from(2))
            }
            _ => Err(err),
        },
    }
}

fn run_inner(args: IncidentArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    match args.command {
        IncidentCommand::List { state, json } => {
            let journal = Journal::open(&state_dir(state));
            let mut summaries = Vec::new();
            for incident in journal.list()? {
                let touches = journal.touches(&incident.id)?;
                summaries.push(timeline::summarize(incident, &touches));
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&summaries)?);
            } else if summaries.is_empty() {
                println!("{}", lang.pick("インシデントはありません", "no incidents"));
            } else {
                for summary in &summaries {
                    println!("{}", timeline::list_line(summary, lang));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::Show {
            state,
            incident,
            all,
        } => {
            let journal = Journal::open(&state_dir(state));
            let incident = journal
                .get(&incident)
                .map_err(mamori_incident::IncidentError::from)?;
            let touches = journal.touches(&incident.id)?;
            let summary = timeline::summarize(incident, &touches);
            let max = if all { usize::MAX } else { 50 };
            print!("{}", timeline::show_text(&summary, &touches, lang, max));
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::Sweep {
            state,
            paths,
            discovered,
        } => {
            let state_dir = state_dir(state);
            let inventory = mamori_inventory::Inventory::open(&state_dir)?;
            let roots = inventory.roots()?;
            let mut found_any = false;
            for path in &paths {
                let canonical = std::fs::canonicalize(path).map_err(|e| {
                    mamori_incident::IncidentError::Usage(format!("{}: {e}", path.display()))
                })?;
                let key = canonical.to_string_lossy().to_string();
                let share = roots
                    .iter()
                    .find(|(root, _)| *root == key)
                    .map(|(_, share)| share.clone())
                    .or_else(|| {
                        canonical
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                    })
                    .unwrap_or(key);
                let options = sweep::SweepOptions {
                    discovered,
                    exclude: vec![std::fs::canonicalize(&state_dir).unwrap_or(state_dir.clone())],
                };
                match sweep::sweep(&state_dir, &canonical, &share, &options)? {
                    None => println!(
                        "{}: {}",
                        path.display(),
                        lang.pick("攻撃の痕跡は見つかりませんでした", "no sign of an attack")
                    ),
                    Some(result) => {
                        found_any = true;
                        println!(
                            "{}: {} {} / {} {} → {} {}",
                            path.display(),
                            lang.pick("暗号化されたファイル", "encrypted files"),
                            result.encrypted,
                            lang.pick("脅迫文", "ransom notes"),
                            result.notes,
                            lang.pick("インシデント", "incident"),
                            result.incident.id
                        );
                    }
                }
            }
            // Finding an attack is the problem this job reports.
            Ok(if found_any {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        IncidentCommand::Assess { state, which, json } => {
            let state_dir = state_dir(state);
            let (assessment, _) = assess(&state_dir, &which)?;
            let text = assessment.to_json();
            if json.as_os_str() == "-" {
                println!("{text}");
            } else {
                std::fs::write(&json, format!("{text}\n"))
                    .with_context(|| format!("cannot write {}", json.display()))?;
                print_summary(&assessment, lang);
            }
            Ok(ExitCode::SUCCESS)
        }
        IncidentCommand::Report {
            state,
            which,
            out,
            format,
            identity,
            organization,
        } => {
            let state_dir = state_dir(state);
            let (assessment, incident) = assess(&state_dir, &which)?;
            let contacts = match &identity {
                Some(key) => {
                    let opener = contacts::Opener::from_file(key)?;
                    let inventory = mamori_inventory::Inventory::open(&state_dir)?;
                    contacts::notification_list(&inventory, &assessment, &opener)?
                }
                None => rescan_contacts(&state_dir, &assessment, &incident.share_root),
            };
            let context = report::Context {
                assessment: &assessment,
                incident: &incident,
                lang,
                organization,
            };
            let written = report::write_all(&out, &context, &format.0, &contacts)?;
            print_summary(&assessment, lang);
            println!(
                "{}: {}",
                lang.pick("通知リストの宛先", "Notification list entries"),
                contacts.len()
            );
            for path in written {
                println!("  {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn assess(
    state_dir: &Path,
    which: &Which,
) -> anyhow::Result<(mamori_incident::Assessment, mamori_journal::Incident)> {
    let journal = Journal::open(state_dir);
    let incident = journal
        .get(&which.incident)
        .map_err(mamori_incident::IncidentError::from)?;
    let touches = journal.touches(&incident.id)?;
    let options = AssessOptions {
        discovered: which.discovered,
        malicious: None,
    };
    let assessment = mamori_incident::assess(state_dir, &incident, &touches, &options)?;
    Ok((assessment, incident))
}

/// Without the private key: read the affected files again where they were
/// restored (still-encrypted files yield nothing).
fn rescan_contacts(
    state_dir: &Path,
    assessment: &mamori_incident::Assessment,
    share_root: &Path,
) -> NotificationList {
    let mut list = NotificationList {
        source: report::notify::ContactSource::Rescan,
        ..NotificationList::default()
    };
    let Ok(key) = mamori_core::HashKey::load_or_create(&mamori_scan::key_path(state_dir)) else {
        return list;
    };
    let reader = mamori_scan::contacts::ContactReader::new(key);
    for (path, category) in &assessment.affected {
        for contact in reader.read(&share_root.join(path), path) {
            list.add(category.id(), contact);
        }
    }
    list.dedup();
    list
}

fn print_summary(assessment: &mamori_incident::Assessment, lang: Lang) {
    println!(
        "{}: {}  {}: {}  {}: {}",
        lang.pick("インシデント", "Incident"),
        assessment.incident,
        lang.pick("個人データを含むファイル", "personal-data files"),
        assessment.files,
        lang.pick("本人の数", "persons"),
        assessment.persons
    );
    for (id, subject) in &assessment.subjects {
        let items: Vec<&str> = subject.items.iter().map(|i| i.label(lang)).collect();
        println!(
            "  {}: {} ({})",
            mamori_core::Category::new(id.as_str()).label(lang),
            subject.persons,
            items.join(lang.pick("、", ", "))
        );
    }
    let t = &assessment.triggers;
    let mut on = Vec::new();
    for (flag, ja, en) in [
        (t.sensitive, "要配慮個人情報", "sensitive data"),
        (t.financial, "財産的被害のおそれ", "financial damage"),
        (t.malicious, "不正の目的", "malicious purpose"),
        (t.over_1000, "1,000人超", "over 1,000 persons"),
        (t.my_number_act, "番号法", "My Number Act"),
    ] {
        if flag {
            on.push(lang.pick(ja, en));
        }
    }
    println!(
        "{}: {}",
        lang.pick("報告対象事態", "Reporting triggers"),
        if on.is_empty() {
            lang.pick("なし", "none").to_string()
        } else {
            on.join(", ")
        }
    );
    println!(
        "{}: {}  {}: {}",
        lang.pick("速報期限", "Preliminary report by"),
        assessment.deadlines.preliminary,
        lang.pick("確報期限", "Final report by"),
        assessment.deadlines.final_report
    );
}

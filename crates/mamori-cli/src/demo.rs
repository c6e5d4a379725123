//! `mamori demo`: the main job on an embedded default, end to end.
//!
//! Know: a realistic sample share is generated (the project's generator,
//! with its truth) and scanned into an inventory. Then, where this machine
//! can (root, Samba, loop mounts, fanotify), Stop, Recover and Report on the
//! same share: it is served by a private Samba on 127.0.0.1, `mamori guard`
//! watches it, the project's attack simulator encrypts 総務部/人事 over SMB as
//! one user while a colleague keeps working, and the demo shows the block,
//! the alerts, `mamori restore` and `mamori incident assess` / `report`.
//! The guard, restore and incident steps run this very binary as child
//! processes, exactly as an administrator would.

use anyhow::Context;
use mamori_attack::guarded::GuardProcess;
use mamori_attack::log::OpLog;
use mamori_attack::profiles::{self, AttackOptions, Profile};
use mamori_attack::samba::{self, Fs, SambaServer};
use mamori_attack::SmbSession;
use mamori_core::Lang;
use mamori_scan::{scan, ScanOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

/// The folder the simulated attacker encrypts.
const ATTACKED: &str = "総務部/人事";

pub fn run(dir: Option<PathBuf>, no_guard: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let temp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let base = dir.unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&base).with_context(|| format!("cannot create {}", base.display()))?;
    let server = if no_guard {
        None
    } else {
        match guard_unavailable() {
            Some(reason) => {
                println!(
                    "{} {reason}\n",
                    lang.pick(
                        "（検知・遮断・復旧の実演は行いません:",
                        "(the detect/block/restore part is skipped:"
                    )
                );
                None
            }
            None => match SambaServer::start("share", Fs::Ext4, 256) {
                Ok(server) => Some(server),
                Err(e) => {
                    println!(
                        "{} {e})\n",
                        lang.pick(
                            "（Samba を起動できないため、検知・遮断・復旧の実演は行いません:",
                            "(Samba could not start, the detect/block/restore part is skipped:"
                        )
                    );
                    None
                }
            },
        }
    };
    let share = server
        .as_ref()
        .map(SambaServer::share_dir)
        .unwrap_or_else(|| base.join("share"));
    let state = base.join("state");
    know(&share, &state, &base, lang)?;
    if let Some(server) = &server {
        server.open_permissions()?;
        stop_recover_report(server, &state, &base, lang)?;
    }
    if base.starts_with(temp.path()) {
        println!(
            "{}",
            lang.pick(
                "（一時フォルダは終了時に削除されます。--dir で残せます）",
                "(the temporary folder is removed on exit; use --dir to keep it)"
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Why the guard part cannot run here, if it cannot.
fn guard_unavailable() -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("root privileges are needed (fanotify, loop mounts, Samba)".into());
    }
    samba::skip_reason(Fs::Ext4)
}

fn heading(lang: Lang, ja: &str, en: &str) {
    println!("\n━━ {} ━━", lang.pick(ja, en));
}

/// Know: generate the share with its truth, scan it, show the inventory.
fn know(share: &Path, state: &Path, base: &Path, lang: Lang) -> anyhow::Result<()> {
    heading(
        lang,
        "1. 把握: 個人データの棚卸し",
        "1. Know: the personal-data inventory",
    );
    std::fs::create_dir_all(share).with_context(|| format!("cannot create {}", share.display()))?;
    println!(
        "{} {}",
        lang.pick(
            "サンプル共有フォルダを生成しています:",
            "Generating a sample share in"
        ),
        share.display()
    );
    let truth = mamori_samples::generate(share, &mamori_samples::ShareSpec::demo())?;
    let options = ScanOptions::new(state.to_path_buf());
    let report = scan(&[share.to_path_buf()], &options, &mamori_scan::NoProgress)?;
    let report_path = base.join("report.json");
    std::fs::write(&report_path, report.to_json())
        .with_context(|| format!("cannot write {}", report_path.display()))?;
    print!("{}", mamori_scan::summary::render(&report, lang));
    println!();
    println!(
        "{}",
        lang.pick("ファイルごとの内容（抜粋）:", "Files (excerpt):")
    );
    // Two files of each group of people, so the excerpt shows the whole share.
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let excerpt = report
        .files
        .iter()
        .filter(|f| !f.items.is_empty())
        .filter(|f| {
            let seen = shown
                .entry(f.category.as_deref().unwrap_or("-"))
                .or_default();
            *seen += 1;
            *seen <= 2
        });
    for file in excerpt {
        let items: Vec<String> = file
            .items
            .iter()
            .map(|(i, n)| format!("{}={}", i.label(lang), n))
            .collect();
        println!(
            "  {}  [{}]  {}",
            file.path,
            file.category.as_deref().unwrap_or("-"),
            items.join(" ")
        );
    }
    let expected: usize = truth.subjects.values().map(|s| s.persons).sum();
    let found: usize = report.subjects.values().map(|s| s.persons).sum();
    println!();
    println!(
        "{}: {} / {}: {}",
        lang.pick("生成した本人数（正解）", "Persons generated (truth)"),
        expected,
        lang.pick("検出", "found"),
        found
    );
    println!(
        "{}: {}",
        lang.pick("レポート", "Report"),
        report_path.display()
    );
    Ok(())
}

/// Every file under `dir` (share-relative paths) with its bytes.
fn contents(share: &Path, dir: &str) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![share.join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                // The guard's decoys are its own, not the user's data.
                if name.starts_with("!0000_") {
                    continue;
                }
                if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(share), std::fs::read(&path)) {
                    out.insert(rel.to_string_lossy().into_owned(), bytes);
                }
            }
        }
    }
    out
}

/// Runs this binary with `args` (display language first); returns its
/// stdout, echoing nothing.
fn mamori(lang: Lang, args: &[&str]) -> anyhow::Result<(i32, String)> {
    let exe = std::env::current_exe().context("cannot find the mamori binary")?;
    let output = Command::new(exe)
        .arg("--lang")
        .arg(lang.pick("ja", "en"))
        .args(args)
        .output()
        .context("cannot run mamori")?;
    Ok((
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

fn stop_recover_report(
    server: &SambaServer,
    state: &Path,
    base: &Path,
    lang: Lang,
) -> anyhow::Result<()> {
    let share = server.share_dir();
    heading(
        lang,
        "2. 防御: ランサムウェアの検知と遮断",
        "2. Stop: detecting and blocking ransomware",
    );
    let exe = std::env::current_exe().context("cannot find the mamori binary")?;
    let state_text = state.display().to_string();
    let guard =
        match GuardProcess::start_with_state(&exe, server, state, lang.pick("ja", "en"), false) {
            Ok(guard) => guard,
            Err(e) => {
                println!(
                    "{} {e}",
                    lang.pick(
                        "ガードを起動できないため、以降の実演を省略します:",
                        "the guard could not start; the rest is skipped:"
                    )
                );
                return Ok(());
            }
        };
    println!(
        "{}",
        lang.pick(
            &format!(
                "Samba（127.0.0.1:{}）が共有「{}」を提供し、mamori guard が監視しています。",
                server.port(),
                server.share_name()
            ),
            &format!(
                "Samba (127.0.0.1:{}) serves share \"{}\"; mamori guard watches it.",
                server.port(),
                server.share_name()
            )
        )
    );
    let before = contents(&share, ATTACKED);
    println!(
        "{}",
        lang.pick(
            &format!(
                "攻撃者（ユーザー mmr-alice、端末 PC-SOUMU-07）が SMB 経由で「{ATTACKED}」の暗号化を始めます（{} ファイル）…",
                before.len()
            ),
            &format!(
                "An attacker (user mmr-alice, client PC-SOUMU-07) starts encrypting \"{ATTACKED}\" over SMB ({} files)…",
                before.len()
            )
        )
    );
    let options = AttackOptions {
        root: ATTACKED.to_string(),
        ..AttackOptions::default()
    };
    let attack = profiles::run(
        &server.target("mmr-alice", "PC-SOUMU-07"),
        Profile::RenameLockbit,
        &options,
        &OpLog::new(None),
    )?;
    println!(
        "{}",
        lang.pick(
            &format!(
                "  攻撃者が壊せたファイル: {} / 試行 {}、拒否された操作: {}",
                attack.damaged.len(),
                attack.attempted,
                attack.refused
            ),
            &format!(
                "  files the attacker damaged: {} of {} tried; operations refused: {}",
                attack.damaged.len(),
                attack.attempted,
                attack.refused
            )
        )
    );
    // A colleague keeps working while the attacker is blocked.
    let colleague = SmbSession::connect(&server.target("mmr-bob", "PC-EIGYO-02"))
        .and_then(|s| s.write("営業部/週報_demo.txt", "今週の商談: 3件\n".as_bytes()));
    println!(
        "{}",
        match colleague {
            Ok(()) => lang.pick(
                "  同僚（mmr-bob）は引き続き保存できています。",
                "  A colleague (mmr-bob) can still save files."
            ),
            Err(_) => lang.pick(
                "  同僚（mmr-bob）の保存が失敗しました（想定外）。",
                "  A colleague's (mmr-bob) save failed (unexpected)."
            ),
        }
    );
    let containment = guard.wait_alert("containment", "mmr-alice", Duration::from_secs(10));
    for alert in guard.alerts() {
        let kind = alert["kind"].as_str().unwrap_or("");
        if !matches!(kind, "detection" | "containment") {
            continue;
        }
        let message = alert[lang.pick("message_ja", "message_en")]
            .as_str()
            .or_else(|| alert["reason"].as_str())
            .unwrap_or("");
        println!(
            "  [{}] {} user={} client={} {}",
            alert["time"].as_str().unwrap_or(""),
            kind,
            alert["user"].as_str().unwrap_or("-"),
            alert["client"].as_str().unwrap_or("-"),
            message
        );
    }
    if containment.is_none() {
        println!(
            "{}",
            lang.pick(
                "  （遮断の通知がありませんでした）",
                "  (no containment alert was raised)"
            )
        );
    }
    println!(
        "  {}: {}",
        lang.pick("通知の記録", "Alert journal"),
        guard.alerts_path().display()
    );
    drop(guard);

    heading(
        lang,
        "3. 復旧: mamori restore",
        "3. Recover: mamori restore",
    );
    let (code, out) = mamori(
        lang,
        &[
            "restore",
            "--state-dir",
            &state_text,
            "--incident",
            "latest",
        ],
    )?;
    print!("{out}");
    let after = contents(&share, ATTACKED);
    let identical = before
        .iter()
        .filter(|(path, bytes)| after.get(*path) == Some(bytes))
        .count();
    let leftovers = after.keys().filter(|p| !before.contains_key(*p)).count();
    println!(
        "{}",
        lang.pick(
            &format!(
                "  攻撃前と同一のファイル: {identical} / {}、攻撃で増えたファイルの残り: {leftovers}（終了コード {code}）",
                before.len()
            ),
            &format!(
                "  files identical to before the attack: {identical} / {}; files the attack added still there: {leftovers} (exit code {code})",
                before.len()
            )
        )
    );

    heading(
        lang,
        "4. 報告: 影響評価と個人情報保護委員会への報告書案",
        "4. Report: impact assessment and the draft report to the Commission",
    );
    let (_, assessment) = mamori(
        lang,
        &[
            "incident",
            "assess",
            "--state-dir",
            &state_text,
            "--incident",
            "latest",
            "--json",
            "-",
        ],
    )?;
    print_assessment(&assessment, lang);
    let out_dir = base.join("incident-report");
    let out_text = out_dir.display().to_string();
    let (code, out) = mamori(
        lang,
        &[
            "incident",
            "report",
            "--state-dir",
            &state_text,
            "--incident",
            "latest",
            "--out",
            &out_text,
        ],
    )?;
    print!("{out}");
    if code == 0 {
        println!(
            "  {}: {}",
            lang.pick("報告書一式", "Documents"),
            out_dir.display()
        );
    }
    Ok(())
}

fn print_assessment(json: &str, lang: Lang) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
        println!(
            "{}",
            lang.pick(
                "  （影響評価を読み取れませんでした）",
                "  (the assessment could not be read)"
            )
        );
        return;
    };
    println!(
        "  {}: {}",
        lang.pick(
            "影響を受けた個人データのファイル",
            "Personal-data files affected"
        ),
        value["files"]
    );
    if let Some(subjects) = value["subjects"].as_object() {
        for (category, subject) in subjects {
            let label = mamori_core::Category::new(category.as_str())
                .label(lang)
                .to_string();
            let items: Vec<String> = subject["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i.as_str())
                .map(|id| {
                    id.parse::<mamori_core::DataItem>()
                        .map(|item| item.label(lang).to_string())
                        .unwrap_or_else(|_| id.to_string())
                })
                .collect();
            println!(
                "  {label}: {}{} — {}",
                subject["persons"],
                lang.pick("名", " persons"),
                items.join("、")
            );
        }
    }
    let triggers: Vec<&str> = value["triggers"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, on)| on.as_bool() == Some(true))
        .map(|(name, _)| name.as_str())
        .collect();
    println!(
        "  {}: {}",
        lang.pick("報告義務の根拠", "Reporting triggers"),
        triggers.join(", ")
    );
    println!(
        "  {}: {} / {}: {}",
        lang.pick("速報の期限", "Preliminary report due"),
        value["deadlines"]["preliminary"].as_str().unwrap_or("-"),
        lang.pick("確報の期限", "final report due"),
        value["deadlines"]["final"].as_str().unwrap_or("-")
    );
}

//! The human summary of a restore, Japanese first.

use crate::{RestoreReport, SkipReason, Source};
use mamori_core::Lang;
use std::fmt::Write;

/// How many paths each list shows before "… and N more".
const SHOWN: usize = 50;

pub fn render(report: &RestoreReport, lang: Lang) -> String {
    let mut out = String::new();
    let head = if report.dry_run {
        lang.pick(
            "復元の予定（--dry-run：何も変更していません）",
            "Restore plan (--dry-run: nothing was changed)",
        )
    } else {
        lang.pick("復元の結果", "Restore result")
    };
    let _ = writeln!(out, "{head}: {} ({})", report.incident, report.share);
    if !report.unjournaled.is_empty() {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick(
                "記録に漏れていた削除（保護領域で発見）:",
                "deletes missing from the journal (found in the vault):"
            ),
            report.unjournaled.join(", ")
        );
    }
    if !report.also.is_empty() {
        let _ = writeln!(
            out,
            "  {} {}",
            lang.pick(
                "同じ攻撃の別インシデントも復元:",
                "also restored, same attack:"
            ),
            report.also.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "  {} {}  {} {}  {} {}  {} {}  {} {}",
        lang.pick("復元", "restored"),
        report.restored.len(),
        lang.pick("攻撃者のファイルを削除", "attacker files removed"),
        report.removed.len(),
        lang.pick("スキップ", "skipped"),
        report.skipped.len(),
        lang.pick("失敗", "failed"),
        report.failed.len(),
        lang.pick("復元済み", "already restored"),
        report.already,
    );
    section(
        &mut out,
        lang.pick("復元したファイル:", "Restored:"),
        report.restored.iter().map(|r| {
            let source = match r.source {
                Source::Vault => lang.pick("保護領域", "vault"),
                Source::OlderVault => {
                    lang.pick("保護領域（攻撃前の古い版）", "vault (older version)")
                }
                Source::Snapshot => lang.pick("スナップショット", "snapshot"),
                Source::Renamed => lang.pick("名前を戻した", "renamed back"),
            };
            match &r.from {
                Some(from) => format!("{} ← {from} [{source}]", r.path),
                None => format!("{} [{source}]", r.path),
            }
        }),
    );
    section(
        &mut out,
        lang.pick(
            "削除した攻撃者のファイル（暗号化コピー・脅迫文）:",
            "Removed attacker files (encrypted copies, ransom notes):",
        ),
        report.removed.iter().cloned(),
    );
    section(
        &mut out,
        lang.pick(
            "スキップしたファイル（手を付けていません）:",
            "Skipped (left untouched):",
        ),
        report.skipped.iter().map(|s| {
            let why = match s.reason {
                SkipReason::ChangedByOther => lang.pick(
                    "攻撃の後に別の利用者が変更しています",
                    "changed by someone else after the attack",
                ),
                SkipReason::NameTaken => lang.pick(
                    "元の名前に別のファイルがあります",
                    "another file now has its original name",
                ),
                SkipReason::InUse => lang.pick(
                    "別の利用者が開いたままです（閉じてから再実行してください）",
                    "someone else has it open (run again once it is closed)",
                ),
            };
            format!("{} — {why}", s.path)
        }),
    );
    section(
        &mut out,
        lang.pick("復元できなかったファイル:", "Could not restore:"),
        report
            .failed
            .iter()
            .map(|f| format!("{} — {}", f.path, f.reason)),
    );
    out
}

fn section(out: &mut String, title: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<String> = lines.collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}");
    for line in lines.iter().take(SHOWN) {
        let _ = writeln!(out, "  {line}");
    }
    if lines.len() > SHOWN {
        let _ = writeln!(out, "  … (+{})", lines.len() - SHOWN);
    }
}

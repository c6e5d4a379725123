//! `list` and `show`: an incident's time line from its journal.

use chrono::{DateTime, Utc};
use mamori_core::Lang;
use mamori_journal::{Incident, IncidentSource, IncidentState, Touch, TouchOp};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What the journal says about one incident, condensed.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub incident: Incident,
    pub touches: usize,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// Touches per operation (snake_case ids).
    pub by_op: BTreeMap<String, usize>,
    /// Distinct original files touched (renames followed back).
    pub files: usize,
}

pub fn op_id(op: TouchOp) -> &'static str {
    match op {
        TouchOp::Modify => "modify",
        TouchOp::Create => "create",
        TouchOp::Rename => "rename",
        TouchOp::Delete => "delete",
        TouchOp::Read => "read",
        TouchOp::RansomNote => "ransom_note",
        TouchOp::Leaked => "leaked",
    }
}

pub fn op_label(op: &str, lang: Lang) -> &'static str {
    match op {
        "modify" => lang.pick("書き換え", "modified"),
        "create" => lang.pick("作成", "created"),
        "rename" => lang.pick("名前の変更", "renamed"),
        "delete" => lang.pick("削除", "deleted"),
        "read" => lang.pick("読み取り", "read"),
        "ransom_note" => lang.pick("脅迫文", "ransom note"),
        "leaked" => lang.pick("リークサイトに掲載", "listed on a leak site"),
        _ => "?",
    }
}

pub fn source_label(source: IncidentSource, lang: Lang) -> &'static str {
    match source {
        IncidentSource::Guard => lang.pick("ガード検知", "guard"),
        IncidentSource::Sweep => lang.pick("事後調査（sweep）", "sweep"),
        IncidentSource::Leak => lang.pick("リークサイト監視", "leak monitor"),
    }
}

pub fn state_label(state: IncidentState, lang: Lang) -> &'static str {
    match state {
        IncidentState::Detected => lang.pick("検知", "detected"),
        IncidentState::Blocked => lang.pick("遮断済み", "blocked"),
        IncidentState::Released => lang.pick("遮断解除", "released"),
        IncidentState::Restored => lang.pick("復元済み", "restored"),
    }
}

pub fn summarize(incident: Incident, touches: &[Touch]) -> Summary {
    let mut by_op = BTreeMap::new();
    for touch in touches {
        *by_op.entry(op_id(touch.op).to_string()).or_insert(0) += 1;
    }
    Summary {
        files: crate::assess::affected_files(touches).files.len(),
        touches: touches.len(),
        first: touches.iter().map(|t| t.time).min(),
        last: touches.iter().map(|t| t.time).max(),
        by_op,
        incident,
    }
}

/// Local time for people (JST), e.g. 2025-06-01 09:30:00 JST.
pub fn jst_text(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::law::jst())
        .format("%Y-%m-%d %H:%M:%S JST")
        .to_string()
}

pub fn actor_text(incident: &Incident, lang: Lang) -> String {
    let a = &incident.actor;
    let mut parts = Vec::new();
    if let Some(user) = &a.user {
        parts.push(format!("{} {user}", lang.pick("ユーザー", "user")));
    }
    if let Some(client) = &a.client {
        parts.push(format!("{} {client}", lang.pick("接続元", "client")));
    }
    if let Some(machine) = &a.machine {
        parts.push(format!("{} {machine}", lang.pick("端末", "machine")));
    }
    if let Some(exe) = &a.exe {
        parts.push(format!("{} {exe}", lang.pick("プログラム", "program")));
    }
    if let Some(pid) = a.pid {
        parts.push(format!("pid {pid}"));
    }
    if parts.is_empty() {
        lang.pick("不明", "unknown").to_string()
    } else {
        parts.join(", ")
    }
}

/// One line per incident for `mamori incident list`.
pub fn list_line(summary: &Summary, lang: Lang) -> String {
    let i = &summary.incident;
    format!(
        "{}\t{}\t{}\t{}\t{}\t{} {}\t{}",
        i.id,
        jst_text(i.started),
        i.share,
        source_label(i.source, lang),
        state_label(i.state, lang),
        summary.files,
        lang.pick("ファイル", "files"),
        actor_text(i, lang)
    )
}

/// The full text of `mamori incident show`.
pub fn show_text(summary: &Summary, touches: &[Touch], lang: Lang, max_lines: usize) -> String {
    let i = &summary.incident;
    let mut out = String::new();
    let l = |ja, en| lang.pick(ja, en);
    let _ = writeln!(out, "{}: {}", l("インシデント", "Incident"), i.id);
    let _ = writeln!(
        out,
        "{}: {} ({})",
        l("共有", "Share"),
        i.share,
        i.share_root.display()
    );
    let _ = writeln!(
        out,
        "{}: {}",
        l("検知元", "Source"),
        source_label(i.source, lang)
    );
    let _ = writeln!(
        out,
        "{}: {}",
        l("状態", "State"),
        state_label(i.state, lang)
    );
    let _ = writeln!(out, "{}: {}", l("攻撃開始", "Started"), jst_text(i.started));
    let _ = writeln!(
        out,
        "{}: {}",
        l("発覚", "Discovered"),
        jst_text(i.discovered)
    );
    let _ = writeln!(out, "{}: {}", l("行為者", "Actor"), actor_text(i, lang));
    if !i.reasons.is_empty() {
        let _ = writeln!(out, "{}:", l("検知理由", "Reasons"));
        for reason in &i.reasons {
            let _ = writeln!(out, "  - {reason}");
        }
    }
    let _ = writeln!(
        out,
        "{}: {} ({} {})",
        l("影響を受けたファイル", "Files touched"),
        summary.files,
        summary.touches,
        l("件の操作", "operations")
    );
    for (op, n) in &summary.by_op {
        let _ = writeln!(out, "  {}: {n}", op_label(op, lang));
    }
    let _ = writeln!(out, "{}:", l("時系列", "Time line"));
    for touch in touches.iter().take(max_lines) {
        let from = touch
            .from
            .as_deref()
            .map(|f| format!("{f} → "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {:<10} {from}{}",
            jst_text(touch.time),
            op_label(op_id(touch.op), lang),
            touch.path
        );
    }
    if touches.len() > max_lines {
        let _ = writeln!(
            out,
            "  … {} {}",
            touches.len() - max_lines,
            l("件省略", "more")
        );
    }
    out
}

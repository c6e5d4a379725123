//! The text and fields of a `leak` alert (contracts.md §5), in Japanese and English.

use crate::org::OrgMatch;
use crate::sources::Post;
use crate::state::PostRecord;
use mamori_alert::Alert;
use serde_json::Value;

/// One `leak` alert: the contract fields, the reason in both languages,
/// the evidence hash and excerpt, and the link/change/incident context.
#[allow(clippy::too_many_arguments)]
pub(crate) fn leak_alert(
    post: &Post,
    record: &PostRecord,
    org: Option<&OrgMatch>,
    files: &[String],
    confidence: f64,
    changed: bool,
    linked_to: Option<String>,
    incident: Option<String>,
) -> Alert {
    let group = if post.group.is_empty() {
        "?"
    } else {
        post.group.as_str()
    };
    let confidence = (confidence * 100.0).round() / 100.0;
    let shown: Vec<&str> = files.iter().take(5).map(String::as_str).collect();
    let more = files.len().saturating_sub(shown.len());
    let (mut ja, mut en) = (
        format!(
            "リークサイトへの掲載を検知: 「{}」（グループ {group}、{}）",
            post.victim, post.source
        ),
        format!(
            "leak-site post found: '{}' (group {group}, {})",
            post.victim, post.source
        ),
    );
    if changed {
        ja.insert_str(0, "【投稿更新】");
        en.insert_str(0, "[post changed] ");
    }
    if let Some(m) = org {
        ja.push_str(&format!("。理由: {}", m.reason_ja));
        en.push_str(&format!("; why: {}", m.reason_en));
    }
    if !files.is_empty() {
        ja.push_str(&format!(
            "。掲載されたファイル一覧に当社のファイル {} 件: {}{}",
            files.len(),
            shown.join("、"),
            if more > 0 {
                format!(" ほか {more} 件")
            } else {
                String::new()
            }
        ));
        en.push_str(&format!(
            "; the posted file listing names {} of our files: {}{}",
            files.len(),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if linked_to.is_some() {
        ja.push_str("。同じ被害の別の投稿と関連付けました");
        en.push_str("; linked to an earlier post about the same victim");
    }
    ja.push_str(&format!("（信頼度 {confidence:.2}）"));
    en.push_str(&format!(" (confidence {confidence:.2})"));
    let mut alert = Alert::new("leak", ja, en)
        .with("source", post.source.clone())
        .with("group", post.group.clone())
        .with("victim", post.victim.clone())
        .with(
            "post_url",
            post.url.clone().map_or(Value::Null, Value::String),
        )
        .with(
            "discovered",
            post.discovered
                .clone()
                .unwrap_or_else(|| record.first_seen.clone()),
        )
        .with("match", record.matched.clone().unwrap_or_default())
        .with(
            "alias",
            org.map_or(Value::Null, |m| Value::String(m.alias.clone())),
        )
        .with("files", files.to_vec())
        .with("confidence", confidence)
        .with(
            "reason",
            org.map(|m| m.reason_en.clone())
                .unwrap_or_else(|| "posted file listing matches the inventory".into()),
        )
        .with(
            "reason_ja",
            org.map(|m| m.reason_ja.clone())
                .unwrap_or_else(|| "掲載ファイル一覧が棚卸しと一致".into()),
        )
        .with("content_hash", record.content_hash.clone())
        .with("excerpt", record.excerpt.clone().unwrap_or_default())
        .with("changed", changed);
    if let Some(link) = linked_to {
        alert = alert.with("linked_to", link);
    }
    if let Some(id) = incident {
        alert = alert.with("incident", id);
    }
    if let Some(published) = &post.published {
        alert = alert.with("published", published.clone());
    }
    alert
}

//! Scoring a key's marks: each (code, file) once at its highest weight
//! inside its window, summed per code, the weak groups capped.

use super::{Key, KeyState, Mark, NOTES_CAP, RENAMES_CAP};
use crate::codes::{Code, Group};
use crate::{JudgeConfig, Reason};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How fast the marked files came (information, weight 0).
pub(super) fn rate(state: &KeyState) -> Option<Reason> {
    let first = state.marks.iter().map(|m| m.at).min()?;
    let last = state.marks.iter().map(|m| m.at).max()?;
    let files: HashSet<&Path> = state.marks.iter().map(|m| m.path.as_path()).collect();
    if files.len() < 2 {
        return None;
    }
    let secs = last
        .saturating_duration_since(first)
        .as_secs_f64()
        .max(0.001);
    let per_second = files.len() as f64 / secs;
    Some(Reason {
        code: "rate",
        weight: 0.0,
        ja: format!(
            "{} 件を {:.1} 秒で(毎秒 {:.1} 件)",
            files.len(),
            secs,
            per_second
        ),
        en: format!(
            "{} files in {:.1} s ({:.1} files/s)",
            files.len(),
            secs,
            per_second
        ),
    })
}

pub(super) type CodeSummary = (Code, f32, usize, PathBuf, String);

/// The key's score now, and per code: weight, files, an example, a detail.
pub(super) fn score(
    key: &Key,
    state: &KeyState,
    now: Instant,
    config: &JudgeConfig,
) -> (f32, Vec<CodeSummary>) {
    let mut best: HashMap<(Code, &Path), &Mark> = HashMap::new();
    for m in &state.marks {
        // A client address gathers everyone behind it: everyday behaviour
        // (deletes, renames) of many people must not add up there.
        if matches!(key, Key::Client(_)) && m.code.is_everyday() {
            continue;
        }
        let window = if m.code.is_burst() {
            config.burst_window
        } else {
            config.slow_window
        };
        if now.saturating_duration_since(m.at) > window {
            continue;
        }
        let slot = best.entry((m.code, m.path.as_path())).or_insert(m);
        if m.weight > slot.weight {
            *slot = m;
        }
    }
    let mut per_code: HashMap<Code, (f32, usize, &Mark)> = HashMap::new();
    for ((code, _), m) in &best {
        let entry = per_code.entry(*code).or_insert((0.0, 0, m));
        entry.0 += m.weight;
        entry.1 += 1;
        if m.weight > entry.2.weight || (m.weight == entry.2.weight && m.at < entry.2.at) {
            entry.2 = m;
        }
    }
    let mut summary: Vec<CodeSummary> = per_code
        .into_iter()
        .map(|(code, (w, n, m))| (code, w, n, m.path.clone(), m.detail.clone()))
        .collect();
    summary.sort_by_key(|s| s.0);
    let cap = |group: Group, limit: f32, summary: &mut Vec<CodeSummary>| {
        let total: f32 = summary
            .iter()
            .filter(|s| s.0.group() == group)
            .map(|s| s.1)
            .sum();
        if total > limit {
            for s in summary.iter_mut().filter(|s| s.0.group() == group) {
                s.1 *= limit / total;
            }
        }
    };
    // Renames alone and notes alone are reasons, never a verdict.
    cap(Group::Renames, RENAMES_CAP * config.threshold, &mut summary);
    cap(Group::Notes, NOTES_CAP * config.threshold, &mut summary);
    let total = summary.iter().map(|s| s.1).sum();
    (total, summary)
}

//! The `guard_stopped` alert: the counters of a run, for the admin and
//! for the benchmarks.

use super::Summary;
use crate::Hot;
use mamori_alert::Alert;
use std::sync::atomic::Ordering;

/// The alert of a stop; `dropped`: alerts the channels never got.
pub(super) fn alert(hot: &Hot, summary: &Summary, share_names: Vec<String>, dropped: u64) -> Alert {
    let stats = &hot.stats;
    Alert::new(
        "guard_stopped",
        "mamori guard を停止しました。共有は保護されていません",
        "mamori guard stopped; the shares are no longer protected",
    )
    .with("pid", std::process::id())
    .with("shares", share_names)
    .with("perm_events", stats.perm_events.load(Ordering::Relaxed))
    .with("own_events", stats.own_events.load(Ordering::Relaxed))
    .with("denied", summary.denied)
    .with("perm_dropped", stats.perm_dropped.load(Ordering::Relaxed))
    .with("probes", stats.probes.load(Ordering::Relaxed))
    .with("read_marks", stats.read_marks.load(Ordering::Relaxed))
    .with(
        "read_marks_lifted",
        stats.read_marks_lifted.load(Ordering::Relaxed),
    )
    .with(
        "creation_marks",
        stats.creation_marks.load(Ordering::Relaxed),
    )
    .with(
        "creator_closes_ignored",
        stats.creator_closes_ignored.load(Ordering::Relaxed),
    )
    .with("changes", summary.changes)
    .with("overflows", summary.overflows)
    .with("idle_priority", hot.lazy.enabled())
    .with(
        "starvation_raises",
        hot.lazy.starvation_raises.load(Ordering::Relaxed),
    )
    .with("alerts_for_channels_dropped", dropped)
    .with("reason", "stopped by signal")
}

//! What a blocked actor tried after the block: its opens refused by the
//! permission path, counted per incident (`Hot::denied`), reported as
//! `blocked_attempts` alerts.
//!
//! Why report them: an incident responder wants to know whether the
//! attacker stopped at the block or kept going (a script still running on
//! a client, a session that survived the cut), and which files it was
//! after. The first refusals of an incident are reported at the next look
//! (twice a second), later ones at most once a minute, and whatever is left
//! when the guard stops, so `alerts.jsonl` always ends with the total.

use crate::incidents::{describe, Incidents};
use crate::Hot;
use mamori_alert::Alert;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Least time between two reports of one incident.
const EVERY: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(crate) struct Refusals {
    /// Per incident: refusals reported so far, and when.
    reported: HashMap<String, (u64, Instant)>,
}

impl Refusals {
    /// Reports the incidents with refusals not reported yet; `last`: all of
    /// them now, whenever the last report was (the guard stops).
    pub fn report(&mut self, hot: &Hot, incidents: &Incidents, last: bool) {
        // Only what is due is copied out; the lock is not held while alerting.
        let due: Vec<(String, u64, u64, Vec<String>)> = match hot.denied.lock() {
            Ok(denied) => denied
                .iter()
                .filter_map(|(id, (count, paths))| {
                    let (done, at) = match self.reported.get(id) {
                        Some(&(done, at)) => (done, Some(at)),
                        None => (0, None),
                    };
                    let waiting = !last && at.is_some_and(|at| at.elapsed() < EVERY);
                    (*count > done && !waiting).then(|| (id.clone(), *count, done, paths.clone()))
                })
                .collect(),
            Err(_) => return,
        };
        for (id, count, done, paths) in due {
            self.reported.insert(id.clone(), (count, Instant::now()));
            incidents.emit(alert(&id, count, count - done, paths, incidents));
        }
    }
}

fn alert(id: &str, total: u64, new: u64, paths: Vec<String>, incidents: &Incidents) -> Alert {
    let open = incidents.open.get(id).map(|open| &open.incident);
    let who = open
        .map(|incident| describe(&incident.actor))
        .unwrap_or_else(|| id.to_string());
    let mut alert = Alert::new(
        "blocked_attempts",
        format!(
            "遮断中の {who} がファイルを開こうとし、拒否しました（今回 {new} 件、累計 {total} 件）"
        ),
        format!("{who} is blocked and kept trying to open files: {new} refused (total {total})"),
    )
    .with("incident", id)
    .with("count", total)
    .with("new", new)
    .with("files", paths)
    .with("reason", "opens by a blocked actor refused");
    if let Some(incident) = open {
        alert = alert
            .with("share", incident.share.as_str())
            .with("user", incident.actor.user.clone())
            .with("client", incident.actor.client.clone())
            .with("pid", incident.actor.pid);
    }
    alert
}

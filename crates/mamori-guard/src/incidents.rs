//! Incidents while the guard runs: what each actor touched recently (so an
//! incident's journal starts with the files touched before the verdict),
//! open incidents, and the response ladder.

use crate::alerts::AlertOut;
use crate::config::GuardConfig;
use crate::recent_touches::RecentTouches;
use crate::Hot;
use mamori_alert::Alert;
use mamori_core::Lang;
use mamori_journal::{Actor, Incident, IncidentSource, IncidentState, Journal, Touch, TouchOp};
use mamori_judge::Verdict;
use mamori_respond::{ladder, Step};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A stable key for an actor: SMB user, else pid, else executable.
pub fn actor_key(actor: &Actor) -> String {
    if let Some(user) = &actor.user {
        return format!("user:{user}");
    }
    if let Some(pid) = actor.pid {
        return format!("pid:{pid}");
    }
    format!("exe:{}", actor.exe.as_deref().unwrap_or("?"))
}

pub fn describe(actor: &Actor) -> String {
    let mut parts = Vec::new();
    if let Some(u) = &actor.user {
        parts.push(format!("user={u}"));
    }
    if let Some(c) = &actor.client {
        parts.push(format!("client={c}"));
    }
    if let Some(m) = &actor.machine {
        parts.push(format!("machine={m}"));
    }
    if let Some(p) = actor.pid {
        parts.push(format!("pid={p}"));
    }
    if actor.user.is_none() {
        if let Some(e) = &actor.exe {
            parts.push(format!("exe={e}"));
        }
        if let Some(u) = actor.uid {
            parts.push(format!("uid={u}"));
        }
    }
    parts.join(" ")
}

fn loopback(client: &str) -> bool {
    client
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `actor` is the incident's attacker (same pid, SMB user, or
/// non-loopback client address).
pub fn same_actor(incident: &Actor, actor: &Actor) -> bool {
    (anonymous(incident) && anonymous(actor) && incident.exe == actor.exe)
        || (incident.pid.is_some() && incident.pid == actor.pid)
        || (incident.user.is_some() && incident.user == actor.user)
        || (incident.client.is_some()
            && incident.client == actor.client
            && !incident.client.as_deref().is_some_and(loopback))
}

/// No pid, user or client: the changes a rescan found after lost events.
pub fn anonymous(actor: &Actor) -> bool {
    actor.pid.is_none() && actor.user.is_none() && actor.client.is_none()
}

const NOTE_WORDS: &[&str] = &[
    "readme", "read_me", "decrypt", "restore", "recover", "how_to", "ransom", "help_",
];

/// A new file whose name looks like a ransom note: a text/html file with
/// one of the usual English words, or any name the judge knows notes by
/// (Japanese ones too: `復号方法.txt`, `*身代金*`), so the journal labels
/// the notes `mamori incident assess` counts.
pub fn looks_like_note(path: &Path) -> bool {
    if mamori_judge::is_note_name(path) {
        return true;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ext_ok = [".txt", ".html", ".htm", ".hta", ".rtf"]
        .iter()
        .any(|e| name.ends_with(e));
    ext_ok && NOTE_WORDS.iter().any(|w| name.contains(w))
}

pub struct Open {
    pub incident: Incident,
    pub files: usize,
    last_cut: Option<Instant>,
}

pub struct Incidents {
    recent: RecentTouches,
    pub open: HashMap<String, Open>,
    pub journal: Journal,
    pub alerter: AlertOut,
    pub lang: Lang,
}

fn rel_string(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl Incidents {
    pub fn new(
        journal: Journal,
        alerter: AlertOut,
        lang: Lang,
        per_actor: usize,
        actors: usize,
    ) -> Self {
        Incidents {
            recent: RecentTouches::new(per_actor, actors),
            open: HashMap::new(),
            journal,
            alerter,
            lang,
        }
    }

    pub fn emit(&self, alert: Alert) {
        if let Err(e) = self.alerter.emit(&alert) {
            eprintln!("mamori guard: {e}");
        }
        eprintln!("mamori guard: {}", alert.message(self.lang));
    }

    /// The open incident of this actor on this share, if any.
    pub fn open_for(&self, share: &str, actor: &Actor) -> Option<String> {
        self.open
            .values()
            .find(|o| o.incident.share == share && same_actor(&o.incident.actor, actor))
            .map(|o| o.incident.id.clone())
    }

    /// Records one touch: into the open incident's journal when the actor
    /// has one, else into the actor's recent ring.
    pub fn touch(&mut self, share_index: usize, share: &str, actor: &Actor, touch: Touch) {
        if let Some(id) = self.open_for(share, actor) {
            if let Err(e) = self.journal.append(&id, std::slice::from_ref(&touch)) {
                tracing::error!("{e}");
            }
            if let Some(open) = self.open.get_mut(&id) {
                open.files += 1;
            }
            return;
        }
        self.recent.push((share_index, actor_key(actor)), touch);
    }

    /// Acts on a verdict: opens the incident, journals the actor's recent
    /// touches, alerts, and climbs the ladder of the share.
    pub fn respond(
        &mut self,
        hot: &Arc<Hot>,
        config: &GuardConfig,
        share_index: usize,
        verdict: &Verdict,
    ) {
        let share = &hot.shares.list[share_index];
        if self.open_for(&share.name, &verdict.actor).is_some() {
            return;
        }
        let mut response = config.response(&share.name).clone();
        // Nobody to block, cut or hand to a hook: an unknown actor (a
        // rescan after lost events) gets the alert alone, and its incident
        // stays `detected` with the files in its journal. The attacker's
        // next opens are its own, attributed as ever.
        if anonymous(&verdict.actor) {
            response.ladder.retain(|step| *step == Step::Alert);
        }
        let mut named = verdict.clone();
        let held = name_smb_user(hot, &mut named.actor);
        let verdict = &named;
        // Block first, then name the machine (smbstatus is slow).
        let provisional = mamori_journal::new_id(chrono::Utc::now());
        if response.has(Step::Block) {
            hot.blocklist
                .block(&provisional, &verdict.actor, response.block_client);
            hot.flush_inode_marks();
            // Before any cut: the client's reconnect must find Samba refusing it.
            if verdict.actor.user.is_some() {
                hot.sync_deny();
            }
        }
        if response.has(Step::Cut) {
            // The session goes now, before journal and alerts: it may be
            // held (stopped) for a delete, and a hold does not last.
            if let Some(pid) = verdict.actor.pid {
                if ladder::kill_session(pid) {
                    hot.holds.forget(pid);
                }
            }
        }
        if let Some(pid) = held {
            hot.holds.judged(pid);
        }
        let mut verdict = verdict.clone();
        if let Ok(mut attributor) = hot.attributor.lock() {
            attributor.enrich(&mut verdict.actor);
            if attributor.refresh_pending() {
                hot.refresh_wanted.notify_one();
            }
        }
        let verdict = &verdict;
        let now = chrono::Utc::now();
        let mut incident = Incident::new(IncidentSource::Guard, &share.name, &share.root, now);
        incident.id = provisional;
        incident.actor = verdict.actor.clone();
        incident.reasons = verdict
            .reasons
            .iter()
            .map(|r| format!("{} / {}", r.ja, r.en))
            .collect();
        // The actor may have been named only now (an smbd seen in root
        // context before `smbstatus` named its user): its touches were kept
        // under its pid then.
        let mut keys = vec![actor_key(&verdict.actor)];
        if let Some(pid) = verdict.actor.pid {
            keys.push(format!("pid:{pid}"));
        }
        keys.dedup();
        let mut recent: Vec<Touch> = keys
            .iter()
            .filter_map(|key| self.recent.take(&(share_index, key.clone())))
            .flatten()
            .collect();
        recent.sort_by_key(|t| t.time);
        if let Some(first) = recent.first() {
            incident.started = first.time.min(now);
        }
        let mut files: Vec<String> = recent.iter().map(|t| t.path.clone()).collect();
        for file in &verdict.files {
            let file = rel_string(file);
            if !files.contains(&file) {
                files.push(file);
            }
        }
        if let Err(e) = self.journal.save(&incident) {
            tracing::error!("{e}");
        }
        if let Err(e) = self.journal.append(&incident.id, &recent) {
            tracing::error!("{e}");
        }
        let who = describe(&verdict.actor);
        let reasons_ja: Vec<&str> = verdict.reasons.iter().map(|r| r.ja.as_str()).collect();
        let reasons_en: Vec<&str> = verdict.reasons.iter().map(|r| r.en.as_str()).collect();
        let base = |kind: &str, ja: String, en: String| {
            Alert::new(kind, ja, en)
                .with("incident", incident.id.as_str())
                .with("share", share.name.as_str())
                .with("user", verdict.actor.user.clone())
                .with("client", verdict.actor.client.clone())
                .with("machine", verdict.actor.machine.clone())
                .with("pid", verdict.actor.pid)
                .with("exe", verdict.actor.exe.clone())
                .with("files", files.clone())
        };
        self.emit(
            base(
                "detection",
                format!(
                    "共有「{}」でランサムウェアの疑い ({who}): {}",
                    share.name,
                    reasons_ja.join("、")
                ),
                format!(
                    "Suspected ransomware on share {} ({who}): {}",
                    share.name,
                    reasons_en.join("; ")
                ),
            )
            .with("reason", reasons_en.join("; "))
            .with("reason_ja", reasons_ja.join("、"))
            .with("score", verdict.score as f64),
        );
        if response.has(Step::Block) {
            let what = hot
                .blocklist
                .block(&incident.id, &verdict.actor, response.block_client);
            incident.state = IncidentState::Blocked;
            if let Err(e) = self.journal.save(&incident) {
                tracing::error!("{e}");
            }
            let (then_ja, then_en) = if response.rollback {
                (
                    "。遮断前に変更されたファイルは保護領域から自動で元に戻します",
                    "; files changed before the block are being rolled back from the vault",
                )
            } else {
                ("", "")
            };
            self.emit(
                base(
                    "containment",
                    format!(
                        "{who} からの共有へのアクセスを遮断しました ({}){then_ja}",
                        what.join(" ")
                    ),
                    format!(
                        "Blocked access to the shares for {who} ({}){then_en}",
                        what.join(" ")
                    ),
                )
                .with("rollback", response.rollback)
                .with("action", "block")
                .with("reason", format!("blocked {}", what.join(" ")))
                .with("blocked", what),
            );
        }
        let mut open = Open {
            incident: incident.clone(),
            files: files.len(),
            last_cut: None,
        };
        if response.has(Step::Cut) {
            self.cut(hot, &mut open, response.block_client);
        }
        self.open.insert(incident.id.clone(), open);
        if response.has(Step::Hook) {
            if let Some(command) = &response.hook {
                let env = [
                    ("MAMORI_INCIDENT", incident.id.clone()),
                    (
                        "MAMORI_USER",
                        verdict.actor.user.clone().unwrap_or_default(),
                    ),
                    (
                        "MAMORI_CLIENT",
                        verdict.actor.client.clone().unwrap_or_default(),
                    ),
                    ("MAMORI_SHARE", share.name.clone()),
                    (
                        "MAMORI_PID",
                        verdict.actor.pid.map(|p| p.to_string()).unwrap_or_default(),
                    ),
                ];
                let (ja, en, ok) = match ladder::hook(
                    command,
                    &env,
                    Duration::from_secs(response.hook_timeout_secs),
                ) {
                    Ok(pid) => (
                        format!("フックコマンドを実行しました (pid {pid})"),
                        format!("Hook command started (pid {pid})"),
                        true,
                    ),
                    Err(e) => (
                        format!("フックコマンドを実行できません: {e}"),
                        format!("Hook command failed: {e}"),
                        false,
                    ),
                };
                self.emit(
                    base("containment", ja, en)
                        .with("action", "hook")
                        .with("reason", if ok { "hook started" } else { "hook failed" }),
                );
            }
        }
    }

    /// Cuts the incident's SMB sessions (or kills its local process): the
    /// attacker's own smbd child at once, then (in a thread, `smbstatus` and
    /// `smbcontrol` take a while) every other session of the user or client.
    fn cut(&self, hot: &Arc<Hot>, open: &mut Open, by_client: bool) {
        open.last_cut = Some(Instant::now());
        if let Some(pid) = open.incident.actor.pid {
            if ladder::kill_session(pid) {
                hot.holds.forget(pid);
            }
        }
        let hot = hot.clone();
        let incident = open.incident.clone();
        let alerter = self.alerter.clone();
        let lang = self.lang;
        let _ = std::thread::Builder::new()
            .name("cut".into())
            .spawn(move || {
                let conf = hot
                    .attributor
                    .lock()
                    .ok()
                    .and_then(|a| a.smb_conf().map(Path::to_path_buf));
                let sessions = mamori_respond::attribution::fetch_sessions(conf.as_deref(), true)
                    .map(|(s, _)| s)
                    .unwrap_or_default();
                let mut pids = ladder::cut(
                    conf.as_deref(),
                    &sessions,
                    &incident.actor,
                    &incident.share,
                    by_client,
                );
                if let Some(pid) = incident.actor.pid {
                    if !pids.contains(&pid) {
                        pids.push(pid);
                    }
                }
                let who = describe(&incident.actor);
                let pid_list: Vec<String> = pids.iter().map(|p| p.to_string()).collect();
                let alert = Alert::new(
                    "containment",
                    format!(
                        "{who} のセッションを切断しました (pid {})",
                        pid_list.join(",")
                    ),
                    format!("Cut the sessions of {who} (pid {})", pid_list.join(",")),
                )
                .with("incident", incident.id.as_str())
                .with("share", incident.share.as_str())
                .with("user", incident.actor.user.clone())
                .with("client", incident.actor.client.clone())
                .with("pid", incident.actor.pid)
                .with("action", "cut")
                .with("reason", format!("cut sessions {}", pid_list.join(",")))
                .with("files", Vec::<String>::new())
                .with("cut_pids", pids);
                if let Err(e) = alerter.emit(&alert) {
                    eprintln!("mamori guard: {e}");
                }
                eprintln!("mamori guard: {}", alert.message(lang));
            });
    }

    /// Without permission events (inotify mode) a blocked actor's new
    /// sessions are cut again, at most once a second.
    pub fn recut(&mut self, hot: &Arc<Hot>, config: &GuardConfig, id: &str) {
        let Some(mut open) = self.open.remove(id) else {
            return;
        };
        let response = config.response(&open.incident.share);
        if response.has(Step::Cut)
            && open
                .last_cut
                .is_none_or(|t| t.elapsed() > Duration::from_secs(1))
        {
            self.cut(hot, &mut open, response.block_client);
        }
        self.open.insert(id.to_string(), open);
    }

    /// Ends the process of a blocked actor that deletes or renames anyway:
    /// SIGKILL of its smbd session child (the client may reconnect; the new
    /// session is refused by the block) or of the local process. Immediate,
    /// unlike `smbcontrol`, since every millisecond is files lost.
    pub fn end_bypass(&mut self, hot: &Hot, id: &str, actor: &Actor) {
        let Some(pid) = actor.pid.filter(|&p| p > 1 && p != std::process::id()) else {
            return;
        };
        let Some(open) = self.open.get(id) else {
            return;
        };
        let smbd = mamori_respond::attribution::is_smbd(pid);
        if !smbd && actor.user.is_some() {
            return;
        }
        // SAFETY: plain syscall on the blocked actor's own process.
        if unsafe { libc::kill(pid as i32, libc::SIGKILL) } != 0 {
            return;
        }
        hot.holds.forget(pid);
        let who = describe(actor);
        let alert = Alert::new(
            "containment",
            format!("遮断後も削除・名前変更を続けたため {who} のセッションを終了しました"),
            format!("Ended {who}: it kept deleting or renaming files after the block"),
        )
        .with("incident", id)
        .with("share", open.incident.share.as_str())
        .with("user", actor.user.clone())
        .with("client", actor.client.clone())
        .with("pid", pid)
        .with("action", "cut")
        .with(
            "reason",
            "blocked actor deleted or renamed files; process ended",
        )
        .with("files", Vec::<String>::new())
        .with("cut_pids", vec![pid]);
        self.emit(alert);
    }

    /// Alerts (every channel) what a rollback put back and what it left.
    pub fn rolled_back(&self, outcome: &crate::rollback::Outcome) {
        let actor = self
            .open
            .get(&outcome.incident)
            .map(|o| o.incident.actor.clone())
            .or_else(|| self.journal.get(&outcome.incident).ok().map(|i| i.actor))
            .unwrap_or_default();
        let (ja, en) = crate::rollback::message(outcome);
        let reason = match &outcome.error {
            Some(e) => format!("rollback failed: {e}"),
            None => format!(
                "rolled back: {} restored, {} removed, {} left",
                outcome.restored.len(),
                outcome.removed.len(),
                outcome.left.len()
            ),
        };
        let left: Vec<serde_json::Value> = outcome
            .left
            .iter()
            .map(|l| serde_json::json!({"path": l.path, "reason": l.reason}))
            .collect();
        self.emit(
            Alert::new("rollback", ja, en)
                .with("incident", outcome.incident.as_str())
                .with("share", outcome.share.as_str())
                .with("user", actor.user.clone())
                .with("client", actor.client.clone())
                .with("pid", actor.pid)
                .with("reason", reason)
                .with("files", outcome.restored.clone())
                .with("removed", outcome.removed.clone())
                .with("left", left)
                .with("ok", outcome.error.is_none() && outcome.left.is_empty()),
        );
    }

    /// Restores open incidents from the journal after a restart.
    pub fn reopen(&mut self, incident: Incident) {
        self.open.insert(
            incident.id.clone(),
            Open {
                incident,
                files: 0,
                last_cut: None,
            },
        );
    }

    /// Lifts blocks that `mamori guard release` marked released in the journal.
    pub fn poll_releases(&mut self, hot: &Hot) -> Vec<Actor> {
        let mut released = Vec::new();
        let ids: Vec<String> = self.open.keys().cloned().collect();
        for id in ids {
            let Ok(incident) = self.journal.get(&id) else {
                continue;
            };
            if matches!(
                incident.state,
                IncidentState::Released | IncidentState::Restored
            ) {
                hot.blocklist.release(&id);
                if let Some(open) = self.open.remove(&id) {
                    released.push(open.incident.actor);
                }
                eprintln!(
                    "mamori guard: {}",
                    self.lang.pick(
                        &format!("インシデント {id} の遮断を解除しました"),
                        &format!("incident {id}: block lifted")
                    )
                );
            }
        }
        if !released.is_empty() {
            hot.sync_deny();
        }
        released
    }
}

/// An smbd session child seen only outside its user's context (euid 0:
/// Samba switches back to root between operations, and a wiper raises no
/// permission event that would catch it inside) is named by `smbstatus`
/// before the block, so the block and Samba's refusal cover its user's
/// reconnects. The session is held meanwhile; it is about to be cut.
/// Returns the pid held for the lookup (to be let go once the ladder ran).
fn name_smb_user(hot: &Hot, actor: &mut Actor) -> Option<u32> {
    let pid = actor.pid.filter(|_| actor.user.is_none())?;
    if !mamori_respond::attribution::is_smbd(pid) {
        return None;
    }
    let held = hot.holds.hold_for(pid, Duration::from_secs(3));
    let conf = hot
        .attributor
        .lock()
        .ok()
        .and_then(|a| a.smb_conf().map(Path::to_path_buf));
    if let Ok((sessions, json)) = mamori_respond::attribution::fetch_sessions(conf.as_deref(), true)
    {
        if let Some(session) = sessions.iter().find(|s| s.pid == pid) {
            actor.user = Some(session.user.clone()).filter(|u| !u.is_empty());
            actor.client = actor.client.take().or_else(|| session.client.clone());
            actor.machine = session.machine.clone();
        }
        if let Ok(mut attributor) = hot.attributor.lock() {
            attributor.install(sessions, json);
        }
    }
    held.then_some(pid)
}

/// The journal touch for one observed change.
pub fn touch_of(
    change: &mamori_watch::Change,
    path: &Path,
    created_by_actor: bool,
    vault: Option<String>,
) -> Option<Touch> {
    use mamori_watch::Change;
    let rel = rel_string(path);
    let mut touch = match change {
        Change::Created => Touch::new(TouchOp::Create, rel),
        Change::Written if created_by_actor && looks_like_note(path) => {
            Touch::new(TouchOp::RansomNote, rel)
        }
        Change::Written => Touch::new(TouchOp::Modify, rel),
        Change::Deleted => Touch::new(TouchOp::Delete, rel),
        Change::Renamed { from } => {
            let mut t = Touch::new(TouchOp::Rename, rel);
            t.from = Some(rel_string(from));
            t
        }
        Change::Overflow => return None,
    };
    touch.vault = vault;
    Some(touch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_actors() {
        assert!(looks_like_note(Path::new("a/HOW_TO_DECRYPT.txt")));
        assert!(looks_like_note(Path::new("README.txt")));
        assert!(!looks_like_note(Path::new("report.txt")));
        assert!(!looks_like_note(Path::new("readme.docx")));
        assert!(looks_like_note(Path::new("経理/復号方法.txt")));
        assert!(looks_like_note(Path::new("身代金のお支払い.html")));
        assert!(!looks_like_note(Path::new("経理/見積書.txt")));
        let taro = Actor {
            user: Some("taro".into()),
            client: Some("127.0.0.1".into()),
            pid: Some(5),
            ..Actor::default()
        };
        let hanako = Actor {
            user: Some("hanako".into()),
            client: Some("127.0.0.1".into()),
            pid: Some(6),
            ..Actor::default()
        };
        assert!(!same_actor(&taro, &hanako));
        assert!(same_actor(&taro, &taro));
        assert_eq!(actor_key(&taro), "user:taro");
    }
}

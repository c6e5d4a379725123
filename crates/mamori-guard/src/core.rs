//! The main loop: start the watchers, then attribute, judge, journal and respond.

use crate::alerts::AlertOut;
use crate::config::{Backend, GuardConfig};
use crate::incidents::{touch_of, Incidents};
use crate::lazy::LazyThread;
use crate::perm::{self, Befores};
use crate::state::{self, PidFile};
use crate::{GuardError, GuardOptions, Hot, Ready, Stats};
use mamori_alert::Alert;
use mamori_journal::{Actor, Journal};
use mamori_judge::{FileEvent, FileOp, Judge, Probe};
use mamori_respond::{Attributor, Blocklist};
use mamori_watch::audit::AuditTail;
use mamori_watch::inotify::InotifyWatcher;
use mamori_watch::{AlarmGroup, Change, NotifyGroup, Observed, PermGroup};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

mod decoys;
mod deferred;
mod lost;
mod notify;
mod overflow;
mod queue;
mod renamed_away;
mod stopped;

pub(crate) use notify::{Doorbell, NotifySide};
use queue::ChangeQueue;

/// What the guard did, reported when it stops.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub changes: u64,
    pub incidents: usize,
    pub denied: u64,
    pub overflows: u64,
    /// New files whose probe waited for their creator to need it, and
    /// those probed later (`core/deferred.rs`).
    pub probes_deferred: u64,
    pub deferred_probes_taken: u64,
}

enum Watching {
    Fanotify,
    Inotify(Option<AuditTail>),
}

pub fn run(
    options: GuardOptions,
    stop: &AtomicBool,
    ready: impl FnOnce(&Ready),
) -> Result<Summary, GuardError> {
    let shares = crate::resolve_shares(&options.shares)?;
    let config = options.config;
    let (pid_file, unclean) = PidFile::acquire(&options.state_dir)?;
    let journal = Journal::open(&options.state_dir);
    let alerter = AlertOut::start(&options.state_dir, &config.alerts);
    let lang = options.lang;
    let mut incidents = Incidents::new(
        journal,
        alerter,
        lang,
        config.limits.touches_per_actor,
        config.limits.actors,
    );
    let share_names: Vec<String> = shares.list.iter().map(|s| s.name.clone()).collect();
    if let Some(previous) = unclean {
        incidents.emit(
            Alert::new(
                "guard_unclean",
                format!(
                    "前回の mamori guard (pid {previous}) は正常に停止していません。停止していた間の変更は監視されていません"
                ),
                format!(
                    "The previous mamori guard (pid {previous}) did not stop cleanly; changes while it was down were not watched"
                ),
            )
            .with("pid", previous)
            .with("shares", share_names.clone())
            .with("reason", "previous guard did not stop cleanly"),
        );
    }

    // Everything that opens files on the shares' filesystems happens before
    // the permission group exists or after its reader runs: an open by the
    // guard itself with nobody reading the group would wait forever.
    let vault = crate::vault::open(
        &options.state_dir,
        &shares,
        &config.vault,
        &incidents.alerter,
    );
    let blocked = state::blocked_incidents(&incidents.journal);
    let decoys = if config.decoys.enabled {
        // From a table of their own: see `own_writes`.
        let placed = crate::with_own_descriptors(|| decoys::place(&shares));
        decoys::warn_if_visible(options.smb_conf.as_deref(), &placed, lang);
        placed
    } else {
        Vec::new()
    };

    // Watchers: fanotify unless told otherwise or unavailable.
    // Before any fanotify group exists: the holds' watchdog is a forked
    // process that must not inherit one.
    let holds = crate::hold::Holds::new(
        config.watch.hold_deletes && config.watch.backend != Backend::Inotify,
    );
    let deny = mamori_respond::samba_deny::SambaDeny::from_conf(
        options
            .smb_conf
            .as_deref()
            .unwrap_or(Path::new("/etc/samba/smb.conf")),
    );
    let want_fanotify = config.watch.backend != Backend::Inotify;
    let one_reader = config.watch.one_reader_in_effect();
    let features = config.watch.kernel_features();
    let mut perm_group = None;
    let mut notify_group = None;
    if want_fanotify {
        crate::raise_open_file_limit();
        // Released last, the permission group could leave a waiter (and an
        // exiting child) hung: see `place_above`.
        let groups = PermGroup::with_features(&shares, features).and_then(|mut p| {
            let n = NotifyGroup::with_features(&shares, features)?;
            // The notification side in a thread of its own: deletes and
            // renames reach the permission reader through the alarm group.
            let alarm = if one_reader {
                None
            } else {
                Some(AlarmGroup::with_features(&shares, features)?)
            };
            let highest = n
                .highest_fd()
                .max(alarm.as_ref().map_or(-1, |a| a.raw_fd()));
            p.place_above(highest)
                .map_err(mamori_watch::WatchError::Unavailable)?;
            Ok((p, (n, alarm)))
        });
        match groups {
            Ok((p, n)) => {
                perm_group = Some(p);
                notify_group = Some(n);
            }
            Err(e) if config.watch.backend == Backend::Fanotify => return Err(e.into()),
            Err(e) => eprintln!(
                "mamori guard: {}: {e}",
                lang.pick(
                    "fanotify が使えないため inotify で監視します（遮断はセッション切断のみ）",
                    "fanotify unavailable, watching with inotify (blocking = cutting sessions only)"
                )
            ),
        }
    }
    let pre_content = perm_group.as_ref().is_some_and(|p| p.pre_content);
    let thread_ids = perm_group.as_ref().is_some_and(|p| p.reports_threads());
    let rename_events = notify_group
        .as_ref()
        .is_some_and(|(n, _)| n.rename_events());
    let hot = Arc::new(Hot {
        shares: shares.clone(),
        blocklist: Blocklist::new(),
        attributor: Mutex::new(Attributor::new(
            options.smb_conf.as_deref(),
            config.limits.pids,
        )),
        befores: Mutex::new(Befores::new(config.limits.probes)),
        written_files: Mutex::new(crate::perm::WrittenFiles::new(256)),
        vault: crate::vault::preserver(&vault),
        limits: config.limits.clone(),
        pre_content,
        stats: Stats::default(),
        denied: Mutex::new(Default::default()),
        unjudged: Mutex::new(Default::default()),
        denied_paths: Mutex::new(Default::default()),
        stop: AtomicBool::new(false),
        holds,
        alarm_holds: Default::default(),
        reader_wake: Default::default(),
        notify_bell: Doorbell::new().map_err(mamori_watch::WatchError::Unavailable)?,
        deny,
        refresh_wanted: std::sync::Condvar::new(),
        trace: crate::trace::Trace::from_env(),
        inode_marks: std::sync::OnceLock::new(),
        lazy: crate::lazy::Lazy::new(config.watch.idle_priority_in_effect()),
    });
    {
        let hot = hot.clone();
        let _ = std::thread::Builder::new()
            .name("hold-expiry".into())
            .spawn(move || {
                while !hot.stop.load(Ordering::Acquire) {
                    // Idle servers hold nothing: no timer then, the first
                    // hold wakes this thread (the guard's stop releases
                    // every hold itself; the second bounds how late this
                    // thread notices it).
                    if hot.holds.is_empty() {
                        hot.holds.wait_until_held(Duration::from_secs(1));
                        continue;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    let expired = hot.holds.expire();
                    if expired > 0 {
                        tracing::warn!("{expired} held sessions continued after the hold limit");
                    }
                }
                hot.holds.release_all();
            });
    }

    // smbstatus runs here, never on the paths that wait for an answer.
    if let Ok(mut attributor) = hot.attributor.lock() {
        attributor.set_nonblocking(true);
    }
    {
        let hot = hot.clone();
        let _ = std::thread::Builder::new()
            .name("smbstatus".into())
            .spawn(move || {
                // Sleeps until a lookup asks for a refresh (no polling: on a
                // busy two-core server every wake-up is taken from smbd).
                while !hot.stop.load(Ordering::Acquire) {
                    let wanted = {
                        let Ok(mut attributor) = hot.attributor.lock() else {
                            return;
                        };
                        if !attributor.refresh_pending() {
                            attributor = match hot
                                .refresh_wanted
                                .wait_timeout(attributor, Duration::from_millis(500))
                            {
                                Ok((guard, _)) => guard,
                                Err(_) => return,
                            };
                        }
                        attributor.wanted_refresh()
                    };
                    let Some((conf, json)) = wanted else { continue };
                    match mamori_respond::attribution::fetch_sessions(conf.as_deref(), json) {
                        Ok((sessions, json)) => {
                            if let Ok(mut attributor) = hot.attributor.lock() {
                                attributor.install(sessions, json);
                            }
                        }
                        Err(e) => {
                            tracing::warn!("{e}");
                            std::thread::sleep(Duration::from_millis(500));
                        }
                    }
                }
            });
    }
    let (queue, sender) = ChangeQueue::new(config.limits.queue, hot.lazy.clone());
    let lost = Arc::new(AtomicBool::new(false));
    let watching = match (perm_group, notify_group) {
        (Some(perm_group), Some((notify_group, alarm))) => {
            let own_folders = perm_group.ignored_folders();
            notify_group.ignore_folders_of(&own_folders);
            if let Some(alarm) = &alarm {
                alarm.ignore_folders_of(&own_folders);
            }
            // The notification side in the permission reader's thread when
            // asked, else in a thread of its own (see `notify.rs`).
            let notify = notify::NotifySide::new(notify_group, sender, lost.clone(), hot.clone());
            let beside = match alarm {
                Some(alarm) => {
                    notify.spawn();
                    perm::Beside::Alarm(alarm)
                }
                None => perm::Beside::Notify(Box::new(notify)),
            };
            perm::start(
                perm_group,
                hot.clone(),
                config.limits.workers,
                config.limits.queue,
                beside,
                config.watch.readers_in_effect(),
            );
            crate::vault::ignore_own_folders(&vault, own_folders, &options.state_dir, &shares);
            Watching::Fanotify
        }
        _ => {
            let mut watcher = InotifyWatcher::new(&shares, config.watch.max_watches)?;
            if watcher.missed > 0 {
                eprintln!(
                    "mamori guard: {}",
                    lang.pick(
                        &format!(
                            "{} 個のフォルダを監視できません（上限 watch.max_watches）",
                            watcher.missed
                        ),
                        &format!(
                            "{} folders cannot be watched (limit watch.max_watches)",
                            watcher.missed
                        )
                    )
                );
            }
            let lost = lost.clone();
            let hot_reader = hot.clone();
            let _ = std::thread::Builder::new()
                .name("inotify-reader".into())
                .spawn(move || {
                    let mut buf = vec![0u8; 256 * 1024];
                    let mut batch = Vec::new();
                    while !hot_reader.stop.load(Ordering::Acquire) {
                        if !watcher.wait(200) {
                            continue;
                        }
                        if let Err(e) = watcher.read(&mut buf, &mut batch) {
                            tracing::error!("{e}");
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        notify::forward(
                            &sender,
                            &lost,
                            &hot_reader,
                            &mut batch,
                            &mut HashMap::new(),
                        );
                    }
                });
            let tail = config
                .watch
                .audit_log
                .as_deref()
                .map(|p| AuditTail::open(p, config.limits.probes));
            if tail.is_none() {
                eprintln!(
                    "mamori guard: {}",
                    lang.pick(
                        "watch.audit_log が未設定のため、SMB 利用者を特定できません",
                        "watch.audit_log is not set: SMB users cannot be attributed"
                    )
                );
            }
            Watching::Inotify(tail)
        }
    };
    // Blocks survive restarts.
    let mut reloaded = 0;
    for incident in blocked {
        let actor = state::actor_to_reblock(&incident.actor);
        let block_client = config.response(&incident.share).block_client;
        hot.blocklist.block(&incident.id, &actor, block_client);
        reloaded += 1;
        incidents.reopen(incident);
    }
    hot.sync_deny();

    let backend = match watching {
        Watching::Fanotify => "fanotify",
        Watching::Inotify(_) => "inotify",
    };
    incidents.emit(
        Alert::new(
            "guard_started",
            format!(
                "mamori guard を開始しました（{backend}、共有 {}）",
                share_names.join(", ")
            ),
            format!(
                "mamori guard started ({backend}, shares {})",
                share_names.join(", ")
            ),
        )
        .with("pid", std::process::id())
        .with("shares", share_names.clone())
        .with("backend", backend)
        .with("pre_content", pre_content)
        .with("thread_ids", thread_ids)
        .with("rename_events", rename_events)
        .with("reloaded_blocks", reloaded),
    );
    // Every file there now is linked into the vault before "ready".
    let upkeep = crate::upkeep::Upkeep::start(&vault, &shares, &config.vault, &hot.lazy);
    let rollbacks = crate::rollback::Rollbacks::start(options.state_dir.clone(), vault.clone());
    drop(vault);
    ready(&Ready {
        backend,
        pre_content,
        thread_ids,
        rename_events,
        shares: shares.list.len(),
        reloaded_blocks: reloaded,
        unclean_previous: unclean,
        vault_linked: upkeep.swept.linked + upkeep.swept.already,
    });
    crate::failure::inject_if_asked();

    let mut judge = Judge::new(config.judge_config());
    for (index, paths) in &decoys {
        decoys::register(&mut judge, &shares, *index, paths);
    }
    let mut last_refresh = Instant::now();
    let mut refusals = crate::refusals::Refusals::default();
    let mut decoys = decoys;
    let replanner = (config.decoys.enabled && config.decoys.replan_secs > 0)
        .then(|| decoys::Replanner::start(&shares, Duration::from_secs(config.decoys.replan_secs)));
    let mut main = Main {
        hot: hot.clone(),
        config: &config,
        incidents,
        watching,
        created: Created::default(),
        last_ok: SystemTime::now(),
        overflow_pending: false,
        loss: None,
        started: SystemTime::now(),
        last_rescan: None,
        upkeep,
        rollbacks,
        deferred: deferred::DeferredProbes::new(judge.config().burst_window),
        renamed_away: Default::default(),
        judged: Default::default(),
        creators: Default::default(),
        lose_writes: crate::failure::losing_writes(),
    };
    let mut last_poll = Instant::now();
    let mut taken = Vec::new();
    // The watch first: threads inherit the policy of the thread that
    // starts them.
    hot.lazy.watch({
        let hot = hot.clone();
        move || hot.stop.load(Ordering::Acquire)
    });
    hot.lazy.enter(LazyThread::Main);
    while !stop.load(Ordering::Acquire) {
        let Some(due) = queue.take(Duration::from_millis(200), &mut taken) else {
            break;
        };
        queue.set_priority_for(due);
        if !taken.is_empty() {
            hot.trace.add(&hot.trace.hops.main_wakes, 1);
        }
        // A change refused by a full queue came before the ones taken now.
        if lost.load(Ordering::Acquire) {
            main.events_lost(judge.config().burst_window);
        }
        for queued in taken.drain(..) {
            let handling = hot.trace.now();
            main.handle(&mut judge, queued);
            hot.trace.add(&hot.trace.hops.main_changes, 1);
            hot.trace.add_since(&hot.trace.hops.main_ns, handling);
        }
        if taken.capacity() > queue::KEEP_ROOM {
            taken.shrink_to(queue::KEEP_ROOM);
        }
        main.judge_renamed_away_expired(&mut judge);
        if lost.swap(false, Ordering::AcqRel) {
            main.overflow_pending = true;
        }
        // What follows may alert, respond or spawn (children inherit the
        // scheduling policy): at normal priority (`lazy.rs`, rule 2).
        let poll_due = last_poll.elapsed() > Duration::from_millis(500);
        if main.overflow_pending || poll_due {
            hot.lazy.raise(LazyThread::Main);
        }
        if main.overflow_pending
            && main
                .last_rescan
                .is_none_or(|t| t.elapsed() > Duration::from_secs(1))
        {
            main.overflow_pending = false;
            main.last_rescan = Some(Instant::now());
            main.overflow(&mut judge, usize::MAX);
        }
        for outcome in main.rollbacks.finished() {
            hot.lazy.raise(LazyThread::Main);
            main.incidents.rolled_back(&outcome);
        }
        if poll_due {
            last_poll = Instant::now();
            judge.tick(last_poll);
            for actor in main.incidents.poll_releases(&hot) {
                judge.pardon(&actor);
            }
            refusals.report(&hot, &main.incidents, false);
        }
        // Our own decoy writes are invisible only with fanotify (own pid).
        if matches!(main.watching, Watching::Fanotify)
            && last_refresh.elapsed() > Duration::from_secs(config.decoys.refresh_secs.max(10))
        {
            last_refresh = Instant::now();
            let shares = &hot.shares;
            if let Some(alert) = crate::with_own_descriptors(|| decoys::refresh(&decoys, shares)) {
                main.incidents.emit(alert);
            }
        }
        if let (Some(replanner), Watching::Fanotify) = (&replanner, &main.watching) {
            replanner.place_new(&mut decoys, &mut judge, &hot.shares);
        }
    }

    hot.lazy.raise(LazyThread::Main);
    refusals.report(&hot, &main.incidents, true);
    let stats = &hot.stats;
    let summary = Summary {
        changes: stats.changes.load(Ordering::Relaxed),
        incidents: main.incidents.open.len(),
        denied: stats.perm_denied.load(Ordering::Relaxed),
        overflows: stats.overflows.load(Ordering::Relaxed),
        probes_deferred: stats.probes_deferred.load(Ordering::Relaxed),
        deferred_probes_taken: stats.deferred_probes_taken.load(Ordering::Relaxed),
    };
    let dropped = main.incidents.alerter.dropped();
    main.incidents
        .emit(stopped::alert(&hot, &summary, share_names, dropped));
    main.upkeep.stop();
    // The stop alert (and any still queued) to the channels, within reason.
    main.incidents.alerter.finish(Duration::from_secs(5));
    hot.trace.write();
    hot.stop.store(true, Ordering::Release);
    hot.reader_wake.wake();
    // `notify-reader` may sleep until the next change: let it see the stop.
    hot.notify_bell.ring();
    hot.holds.release_all();
    // Blocks are only enforced while the guard runs (they come back from
    // the journal at the next start).
    if let Some(deny) = &hot.deny {
        if let Ok(true) = deny.write(&[]) {
            deny.reload();
        }
    }
    pid_file.release();
    Ok(summary)
}

/// Files each actor created recently (ransom notes are files the attacker
/// created), bounded.
#[derive(Default)]
struct Created {
    set: HashSet<(usize, PathBuf)>,
}

impl Created {
    fn insert(&mut self, key: (usize, PathBuf)) {
        if self.set.len() >= 65536 {
            self.set.clear();
        }
        self.set.insert(key);
    }
}

struct Main<'a> {
    hot: Arc<Hot>,
    config: &'a GuardConfig,
    incidents: Incidents,
    watching: Watching,
    created: Created,
    last_ok: SystemTime,
    overflow_pending: bool,
    last_rescan: Option<Instant>,
    /// The last run of lost events (`core/lost.rs`).
    loss: Option<lost::Loss>,
    /// When the main loop began: after the start sweep's last version.
    started: SystemTime,
    upkeep: crate::upkeep::Upkeep,
    rollbacks: crate::rollback::Rollbacks,
    deferred: deferred::DeferredProbes,
    renamed_away: renamed_away::RenamedAway,
    judged: overflow::JudgedWrites,
    creators: lost::Creators,
    /// `MAMORI_GUARD_FAULT=lose-writes` (tests): every close after writing
    /// is taken for lost in an overflow.
    lose_writes: bool,
}

impl Main<'_> {
    fn actor(&mut self, observed: &Observed) -> Actor {
        if let Some(actor) = &observed.audit {
            return actor.clone();
        }
        if let Watching::Inotify(Some(tail)) = &mut self.watching {
            if let Err(e) = tail.poll() {
                tracing::warn!("audit log: {e}");
            }
            let share = &self.hot.shares.list[observed.share];
            let abs = share.root.join(&observed.path);
            if let Some(actor) = tail.actor_for(&abs, &share.name) {
                return actor;
            }
        }
        match observed.pid {
            Some(pid) => self.hot.actor_of(pid),
            None => Actor::default(),
        }
    }

    /// Handles one change; `after`: the probe of a close's new content
    /// when taken already (`renamed_away.rs`).
    pub(super) fn handle_at(
        &mut self,
        judge: &mut Judge,
        observed: Observed,
        after: Option<Probe>,
    ) {
        if observed.change == Change::Overflow {
            // Coalesced: one rescan covers every overflow since the last.
            self.overflow_pending = true;
            self.events_lost(judge.config().burst_window);
            return;
        }
        self.last_ok = SystemTime::now();
        if observed.share >= self.hot.shares.list.len() {
            return;
        }
        self.hot.stats.changes.fetch_add(1, Ordering::Relaxed);
        let actor = self.actor(&observed);
        let share = self.hot.shares.list[observed.share].clone();
        let abs = share.root.join(&observed.path);
        let key = (
            observed.pid.unwrap_or(0),
            observed.share,
            observed.path.clone(),
        );
        let before = match observed.change {
            Change::Written | Change::Deleted => {
                self.hot.befores.lock().ok().and_then(|mut b| b.take(&key))
            }
            _ => None,
        };
        if observed.change == Change::Written
            && before.is_none()
            && self
                .hot
                .denied_paths
                .lock()
                .is_ok_and(|mut d| d.remove(&key))
        {
            // Closed after its write was denied: unchanged.
            return;
        }
        let created_here = self
            .created
            .set
            .contains(&(observed.share, observed.path.clone()));
        if observed.change == Change::Created {
            self.created.insert((observed.share, observed.path.clone()));
        }
        if matches!(observed.change, Change::Created | Change::Renamed { .. }) && !observed.is_dir {
            let created = observed.change == Change::Created;
            self.upkeep
                .link(&share.name, &observed.path, created, observed.inode);
        }
        if let Some(touch) = touch_of(
            &observed.change,
            &observed.path,
            created_here,
            before.as_ref().and_then(|b| b.vault.clone()),
        ) {
            self.incidents
                .touch(observed.share, &share.name, &actor, touch);
        }
        if let Some(id) = self.hot.blocklist.by_actor(&actor) {
            self.hot.lazy.raise(LazyThread::Main);
            match self.watching {
                Watching::Inotify(_) => self.incidents.recut(&self.hot, self.config, &id),
                // Deletes and renames need no open (Samba uses O_PATH
                // handles), so a permission event cannot refuse them: a
                // blocked actor still doing them loses its session/process.
                Watching::Fanotify => {
                    if matches!(observed.change, Change::Deleted | Change::Renamed { .. }) {
                        self.incidents.end_bypass(&self.hot, &id, &actor);
                    }
                }
            }
        }
        if observed.is_dir {
            return;
        }
        // Files whose probe waited, before anything that gives them weight.
        let gives_weight = match observed.change {
            Change::Deleted | Change::Renamed { .. } => true,
            Change::Written => before.is_some(),
            _ => false,
        };
        if !self.deferred.is_empty() && (gives_weight || !judge.actor_is_calm(&actor)) {
            self.take_deferred(judge, &actor);
        }
        if observed.change == Change::Written
            && before.is_none()
            && created_here
            && self.hot.blocklist.by_actor(&actor).is_none()
            && judge.new_content_can_wait(&actor, &observed.path)
        {
            self.forget_kept(&abs);
            self.deferred
                .push(observed.share, observed.path, actor, Instant::now());
            self.hot
                .stats
                .probes_deferred
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.created_while_lost(judge, &observed, &actor);
        self.creators.observe(&observed);
        let op = match &observed.change {
            Change::Created => FileOp::Created {
                path: observed.path.clone(),
            },
            Change::Written => FileOp::Written {
                path: observed.path.clone(),
                before: before.map(|b| b.probe),
                after: after
                    .or_else(|| self.probe_written(&abs))
                    .unwrap_or_default(),
            },
            Change::Deleted => FileOp::Deleted {
                path: observed.path.clone(),
                before: before.map(|b| b.probe),
            },
            Change::Renamed { from } => FileOp::Renamed {
                from: from.clone(),
                to: observed.path.clone(),
            },
            Change::Overflow => return,
        };
        let event = FileEvent {
            at: Instant::now(),
            share: share.name.clone(),
            actor,
            op,
        };
        self.judge_event(judge, observed.share, &event);
        // Marks just now: the waiting files may count from here on.
        if !self.deferred.is_empty() && !judge.actor_is_calm(&event.actor) {
            self.take_deferred(judge, &event.actor);
        }
    }

    /// Judges one event and responds to a verdict.
    fn judge_event(&mut self, judge: &mut Judge, share_index: usize, event: &FileEvent) {
        let Some(verdict) = judge.observe(event) else {
            return;
        };
        self.hot.lazy.raise(LazyThread::Main);
        let share = &event.share;
        let fresh = self.incidents.open_for(share, &verdict.actor).is_none();
        self.upkeep.respond(
            &mut self.incidents,
            &self.hot,
            self.config,
            share_index,
            &verdict,
        );
        let response = self.config.response(share);
        if fresh && response.rollback && response.has(mamori_respond::Step::Block) {
            if let Some(id) = self.incidents.open_for(share, &verdict.actor) {
                self.rollbacks.request(&id, share);
            }
        }
    }

    /// The probe of a file just closed after writing: through the
    /// descriptor kept from its writer's open when there is one (the
    /// guard's own open and read would each raise a permission event that
    /// its own reader must answer: two thread wakeups per file), else by
    /// path; `None` when nothing is at `abs` any more (renamed away).
    fn probe_written(&self, abs: &Path) -> Option<Probe> {
        let (meta, kept) = self.take_kept(abs)?;
        self.judged.note(abs, &meta);
        let probe = match kept {
            // The same inode: its length was just read.
            Some(fd) => Probe::of_open_file_of_len(&std::fs::File::from(fd), meta.len()),
            None => Probe::of_file(abs),
        };
        match probe {
            // Renamed between the look and the open.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            probe => Some(probe.unwrap_or_default()),
        }
    }

    /// The file at `abs` (`None`: nothing there) and the descriptor the
    /// permission reader kept for its probe, if any, taken out of the table.
    fn take_kept(&self, abs: &Path) -> Option<(std::fs::Metadata, Option<std::os::fd::OwnedFd>)> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(abs).ok()?;
        let kept = self
            .hot
            .written_files
            .lock()
            .ok()
            .and_then(|mut files| files.take(meta.dev(), meta.ino()));
        Some((meta, kept))
    }
}

//! Pruning: the quiet period, the budget, and the free-space reserve.
//!
//! The budget is the vault's own limit; the reserve is the share's. A store
//! lives on the share's filesystem, and a frozen link holds a deleted
//! file's blocks: after the link sweep every delete on the share keeps its
//! space until the version is pruned. Without a reserve, a user deleting
//! old projects to make room gets none back, and a vault under a budget
//! larger than the filesystem fills it until the users' writes fail. So
//! whenever a store's filesystem has less than `min_free_ratio` free, the
//! oldest clean versions stored there that cost space (copies, frozen
//! links) go first, age aside, until it has the reserve plus a margin — in
//! bytes and in inodes (a frozen link holds its file's inode: ext4 runs out
//! of those under many small deletes with blocks to spare)
//! ([`Vault::keep_free`], every second from [`crate::Maintenance`]; and
//! before every copy). Versions held by open incidents stay: then no copy
//! is taken ([`VaultError::Full`]) and an alert says so.

use super::*;
use mamori_journal::window;
use std::collections::HashSet;

/// What a prune aims at.
#[derive(Debug, Clone)]
enum Goal {
    /// Versions past the quiet period, then the oldest clean ones while the
    /// vault's sum is over this many bytes.
    Budget(u64),
    /// This much freed among one share's versions that cost space, oldest
    /// first, whatever their age.
    Space { share: String, short: Short },
}

/// Above the reserve by this fraction of the filesystem once pruned for
/// space, so the next few writes do not prune again at once.
const MARGIN_RATIO: f64 = 0.01;

/// A failed attempt to make room (everything left pinned) is not repeated
/// for this long: each attempt reads the whole index and the journal.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// After room was made on btrfs, the once-a-second look trusts it for this
/// long (btrfs commits every 30 s by default; see [`Vault::make_room_on`]).
/// Other filesystems show freed blocks at once and get no such trust: a
/// storm of deletes on ext4 filled a 2 GiB share in the 30 s it was given.
const SETTLE: Duration = Duration::from_secs(30);

/// What a filesystem lacks to keep its reserve: bytes and inodes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Short {
    bytes: u64,
    inodes: u64,
}

/// Versions read at a time when a prune walks the index.
const PAGE: usize = 4096;

/// Where a page of the index ended: `(taken_ns, id)` of its last version.
fn cursor(version: &Version) -> (i64, String) {
    let ns = version.taken_at.timestamp_nanos_opt().unwrap_or(i64::MAX);
    (ns, version.id.clone())
}

/// What [`Vault::keep_free`] did for the stores below their reserve.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SpaceReport {
    /// Shares whose store's filesystem was below the reserve.
    pub low: Vec<String>,
    pub removed: usize,
    pub freed_bytes: u64,
    /// Shares still below the reserve after pruning (pinned versions left).
    pub still_low: Vec<String>,
    /// Shares above the reserve by less than the reserve again: a storm of
    /// new files can use that up between two looks a second apart.
    pub near: Vec<String>,
}

impl Vault {
    /// Removes versions past the quiet period, then the oldest clean ones
    /// while over budget. Versions of files touched by an open incident are
    /// never removed.
    pub fn prune(&self, now: DateTime<Utc>) -> Result<PruneReport> {
        self.prune_for(now, Goal::Budget(self.config.budget_bytes))
    }

    /// Gives each store's filesystem back its free-space reserve
    /// (`min_free_ratio`) by pruning the oldest clean versions stored there
    /// (module doc). One `statvfs` per share when nothing is low.
    pub fn keep_free(&self) -> Result<SpaceReport> {
        let mut report = SpaceReport::default();
        let stores: Vec<ShareStore> = self.lock().shares.values().cloned().collect();
        for store in stores {
            let Some(short) = self.short_of_reserve(&store, 0) else {
                if self.near_reserve(&store) {
                    report.near.push(store.name.clone());
                }
                continue;
            };
            report.low.push(store.name.clone());
            let (made_room, pruned) = self.make_room_on(&store, short, true)?;
            report.removed += pruned.removed;
            report.freed_bytes += pruned.freed_bytes;
            if !made_room {
                report.still_low.push(store.name.clone());
            }
        }
        if report.removed > 0 || !report.still_low.is_empty() {
            self.alert_space(&report);
        }
        Ok(report)
    }

    /// Whether `store`'s filesystem has less than twice the reserve free,
    /// in bytes or in inodes.
    fn near_reserve(&self, store: &ShareStore) -> bool {
        let ratio = self.config.min_free_ratio;
        let Ok(space) = fsutil::space(&store.dir) else {
            return false;
        };
        let near = |available: u64, total: u64| (available as f64) < total as f64 * ratio * 2.0;
        ratio > 0.0
            && (near(space.available, space.total)
                || (space.inodes_total > 0 && near(space.inodes_available, space.inodes_total)))
    }

    /// What to free on `store`'s filesystem so that `needed` more bytes
    /// (and one inode, if any) still leave the reserve and its margin, in
    /// bytes and in inodes; `None` when both reserves hold.
    fn short_of_reserve(&self, store: &ShareStore, needed: u64) -> Option<Short> {
        let ratio = self.config.min_free_ratio;
        if ratio <= 0.0 {
            return None;
        }
        // Unknown space (statvfs failed) is not a reason to drop versions.
        let space = fsutil::space(&store.dir).ok()?;
        let lacking = |available: u64, total: u64, needed: u64| -> u64 {
            let reserve = (total as f64 * ratio) as u64;
            if available >= reserve.saturating_add(needed) {
                return 0;
            }
            let margin = (total as f64 * MARGIN_RATIO) as u64;
            let wanted = reserve.saturating_add(margin).saturating_add(needed);
            wanted.saturating_sub(available)
        };
        let short = Short {
            bytes: lacking(space.available, space.total, needed),
            // btrfs allocates inodes as it goes and counts none (0 total).
            inodes: if space.inodes_total == 0 {
                0
            } else {
                lacking(
                    space.inodes_available,
                    space.inodes_total,
                    u64::from(needed > 0),
                )
            },
        };
        (short != Short::default()).then_some(short)
    }

    /// Frees `short` bytes on `store`'s filesystem, oldest clean versions
    /// first; whether that made the room, and what was pruned. Not tried
    /// again within [`RETRY_AFTER`] of an attempt that could not. `settled`
    /// (the once-a-second look): not within [`SETTLE`] of one that could —
    /// btrfs shows freed extents only at its commit, and a look that saw the
    /// old figure again would prune as much once more (ext4 shows them at
    /// once, and a copy's own check always prunes what `statvfs` says).
    fn make_room_on(
        &self,
        store: &ShareStore,
        short: Short,
        settled: bool,
    ) -> Result<(bool, PruneReport)> {
        let recent = self.lock().space_pruned.get(&store.name).copied();
        match recent {
            Some((at, false)) if at.elapsed() < RETRY_AFTER => {
                return Ok((false, PruneReport::default()))
            }
            Some((at, true)) if settled && at.elapsed() < SETTLE && lags_in_statvfs(store) => {
                return Ok((true, PruneReport::default()))
            }
            _ => {}
        }
        let goal = Goal::Space {
            share: store.name.clone(),
            short,
        };
        let report = self.prune_for(Utc::now(), goal)?;
        let made_room = report.freed_bytes >= short.bytes && report.freed_inodes >= short.inodes;
        self.lock()
            .space_pruned
            .insert(store.name.clone(), (std::time::Instant::now(), made_room));
        if report.removed > 0 {
            tracing::warn!(
                "vault: {}: the filesystem was below its free-space reserve; {} older versions ({} bytes) pruned",
                store.name,
                report.removed,
                report.freed_bytes
            );
        }
        Ok((made_room, report))
    }

    fn prune_for(&self, now: DateTime<Utc>, goal: Goal) -> Result<PruneReport> {
        let pinned = self.pinned()?;
        let quiet = chrono::Duration::from_std(self.config.quiet_period)
            .unwrap_or(chrono::Duration::days(3));
        let mut report = PruneReport::default();
        let mut state = self.lock();
        state.flushed()?;
        let mut total = state.total_bytes;
        // A link costs space only once frozen (the share no longer has a
        // name for its inode); a live one is never pruned for age. The
        // budget needs the sum over every frozen link first; a prune for
        // space looks at links as it goes and stops once it freed enough.
        // Both walk the index a page at a time: it holds a version of every
        // file of the shares, hundreds of thousands of rows after a storm
        // of deletes, and reading them all at once took ≈ 65 MiB.
        let space = matches!(goal, Goal::Space { .. });
        if !space {
            let mut after = None;
            loop {
                let page = state.index.page_oldest_first(after.as_ref(), PAGE)?;
                let Some(last) = page.last() else {
                    break;
                };
                after = Some(cursor(last));
                total += page
                    .iter()
                    .filter(|v| v.kind == VersionKind::Link && links::is_frozen(&v.object))
                    .map(|v| v.size)
                    .sum::<u64>();
            }
        }
        let mut removed_ids = HashSet::new();
        // Rows of the objects removed, deleted a page at a time.
        let mut removed_rows = Vec::new();
        let mut after = None;
        'pages: loop {
            state.index.delete_many(&removed_rows)?;
            removed_rows.clear();
            let page = state.index.page_oldest_first(after.as_ref(), PAGE)?;
            let Some(last) = page.last() else {
                break;
            };
            after = Some(cursor(last));
            for version in &page {
                match &goal {
                    Goal::Space { share, short } => {
                        if report.freed_bytes >= short.bytes && report.freed_inodes >= short.inodes
                        {
                            break 'pages;
                        }
                        if version.share != *share {
                            continue;
                        }
                    }
                    // Oldest first: nothing younger is expired either.
                    Goal::Budget(target) => {
                        if version.taken_at + quiet >= now && total <= *target {
                            break 'pages;
                        }
                    }
                }
                let is_link = version.kind == VersionKind::Link;
                let frozen_since = is_link
                    .then(|| links::frozen_since(&version.object))
                    .flatten();
                let is_frozen = frozen_since.is_some();
                if is_link && !is_frozen && links::exists(&version.object) {
                    continue;
                }
                // A frozen link's age counts from its file's delete: the
                // sweep that made it may be weeks older.
                let age_from = frozen_since.map_or(version.taken_at, |t| t.max(version.taken_at));
                let (expired, over) = match &goal {
                    Goal::Budget(target) => (age_from + quiet < now, total > *target),
                    Goal::Space { share, short } => {
                        // Only what frees blocks or inodes of that filesystem
                        // counts (an empty copy holds an inode too).
                        let costs = version.share == *share && (!is_link || is_frozen);
                        let wanted = (version.kind != VersionKind::Empty
                            && report.freed_bytes < short.bytes)
                            || report.freed_inodes < short.inodes;
                        (false, costs && wanted)
                    }
                };
                if pinned.holds(version) {
                    if expired || over {
                        report.kept_pinned += 1;
                    }
                    continue;
                }
                if !(expired || over) {
                    continue;
                }
                store::remove_object(&version.object);
                removed_rows.push(version.id.clone());
                removed_ids.insert(version.id.clone());
                if !is_link || is_frozen {
                    total = total.saturating_sub(version.size);
                    report.freed_inodes += 1;
                }
                report.removed += 1;
                report.freed_bytes += version.size;
            }
        }
        state.index.delete_many(&removed_rows)?;
        state.total_bytes = state.index.total_bytes()?;
        if !removed_ids.is_empty() {
            state.taken.retain(|_, v| !removed_ids.contains(&v.0));
        }
        report.total_bytes = total;
        report.over_budget = total > self.config.budget_bytes;
        Ok(report)
    }

    /// Makes room for `needed` bytes: prunes when over budget, and when the
    /// copy would leave the store's filesystem below its reserve; refuses
    /// only when the reserve cannot be kept (module doc).
    pub(crate) fn make_room(&self, store: &ShareStore, needed: u64) -> Result<()> {
        if self.total_bytes() + needed > self.config.budget_bytes {
            let recently_failed = self
                .lock()
                .last_failed_prune
                .is_some_and(|t| t.elapsed() < RETRY_AFTER);
            if !recently_failed {
                let target = self.config.budget_bytes.saturating_sub(needed);
                let report = self.prune_for(Utc::now(), Goal::Budget(target))?;
                if report.total_bytes + needed > self.config.budget_bytes {
                    self.lock().last_failed_prune = Some(std::time::Instant::now());
                    self.alert_full(&report);
                }
            }
        }
        let Some(short) = self.short_of_reserve(store, needed) else {
            return Ok(());
        };
        if self.make_room_on(store, short, false)?.0 {
            return Ok(());
        }
        Err(VaultError::Full {
            store: store.dir.clone(),
            needed,
        })
    }

    fn alert_full(&self, report: &PruneReport) {
        if !self.alert_due(|state| &mut state.last_full_alert) {
            return;
        }
        let mb = report.total_bytes / (1024 * 1024);
        let budget = self.config.budget_bytes / (1024 * 1024);
        let alert = mamori_alert::Alert::new(
            "vault_full",
            format!("保護領域（vault）が上限を超えています: {mb} MB / 上限 {budget} MB。古い版は削除済み、残りは調査中のインシデントのものです。"),
            format!("the vault is over budget: {mb} MB of {budget} MB; old versions were pruned, the rest belong to open incidents"),
        )
        .with("total_bytes", report.total_bytes)
        .with("budget_bytes", self.config.budget_bytes)
        .with("kept_pinned", report.kept_pinned as u64);
        self.emit(&alert);
    }

    fn alert_space(&self, report: &SpaceReport) {
        if !self.alert_due(|state| &mut state.last_space_alert) {
            return;
        }
        let percent = self.config.min_free_ratio * 100.0;
        let shares = report.low.join(", ");
        let mb = report.freed_bytes / (1024 * 1024);
        let (ja, en) = if report.still_low.is_empty() {
            (
                format!("共有 {shares} のファイルシステムの空きが {percent:.0}% を下回ったため、保護領域（vault）の古い版を {} 件（{mb} MB）削除しました。", report.removed),
                format!("the filesystem of share {shares} had less than {percent:.0}% free: {} older vault versions ({mb} MB) were pruned", report.removed),
            )
        } else {
            (
                format!("共有 {} のファイルシステムの空きが {percent:.0}% を下回っています。保護領域から削除できる版はもうなく（残りは調査中のインシデントのもの）、上書き前の版を取れません。空きを増やしてください。", report.still_low.join(", ")),
                format!("the filesystem of share {} has less than {percent:.0}% free; no version is left to prune (any left belong to open incidents) and no copy can be taken before an overwrite: free some space", report.still_low.join(", ")),
            )
        };
        let alert = mamori_alert::Alert::new("vault_space", ja, en)
            .with("shares", shares.as_str())
            .with("removed", report.removed as u64)
            .with("freed_bytes", report.freed_bytes)
            .with("min_free_ratio", self.config.min_free_ratio);
        self.emit(&alert);
    }

    /// At most one alert of a kind an hour.
    fn alert_due(&self, last: impl FnOnce(&mut State) -> &mut Option<DateTime<Utc>>) -> bool {
        let now = Utc::now();
        let mut state = self.lock();
        let last = last(&mut state);
        if last.is_some_and(|at| now - at < chrono::Duration::hours(1)) {
            return false;
        }
        *last = Some(now);
        true
    }

    fn emit(&self, alert: &mamori_alert::Alert) {
        if let Some(sink) = self.alert_sink.get() {
            return sink(alert);
        }
        if let Err(e) = mamori_alert::Alerter::new(&self.state_dir).emit(alert) {
            tracing::warn!("vault alert: {e}");
        }
    }

    /// Versions held by open incidents: what a restore of each would read.
    fn pinned(&self) -> Result<Pins> {
        let journal = mamori_journal::Journal::open(&self.state_dir);
        let mut pins = Pins::default();
        for incident in journal.list()? {
            if matches!(
                incident.state,
                mamori_journal::IncidentState::Detected | mamori_journal::IncidentState::Blocked
            ) {
                self.pin_incident(&mut pins, &incident, &journal.touches(&incident.id)?)?;
            }
        }
        Ok(pins)
    }

    /// Pins, for every path the incident touched (and every old name of a
    /// rename), the versions `mamori-restore` chooses from: those of the
    /// attack's window (from [`window::SIBLINGS`] before its start to
    /// [`window::ATTACKER_SLACK`] after its last touch), those of the
    /// attacker's sessions, the newest before the window (the content the
    /// attack found, should nothing in it be usable), the newest link and
    /// the newest frozen link (a deleted file's content), and the newest
    /// write of anyone else after the window opened (the evidence that
    /// keeps a restore from undoing their work); and the frozen links of
    /// files in the attacked folders deleted while the attack ran, which
    /// the journal may have missed. Not every version of the
    /// path: an incident left open for weeks (an alert-only share, a false
    /// alarm nobody released) pinned each later save of a busy file and
    /// every frozen link of a reused name, which in a delete storm took a
    /// share's last inodes.
    fn pin_incident(
        &self,
        pins: &mut Pins,
        incident: &mamori_journal::Incident,
        touches: &[mamori_journal::Touch],
    ) -> Result<()> {
        let last = touches
            .iter()
            .map(|t| t.time)
            .max()
            .map_or(incident.started, |t| t.max(incident.started));
        let span = Span {
            from: incident.started - window::SIBLINGS,
            to: last + window::ATTACKER_SLACK,
        };
        let mut sessions = HashSet::new();
        let mut paths = std::collections::BTreeSet::new();
        for touch in touches {
            if let Some(reference) = &touch.vault {
                pins.ids.insert(reference.clone());
                if let Some(version) = self.version(reference)? {
                    sessions.insert(version.session);
                }
            }
            paths.insert(touch.path.as_str());
            paths.extend(touch.from.as_deref());
        }
        // Deletes the journal may have missed: files of the attacked
        // folders deleted while the attack ran (what a restore looks for,
        // `mamori_restore::unjournaled`).
        let folders: std::collections::BTreeSet<&str> = paths
            .iter()
            .map(|p| p.rsplit_once('/').map_or("", |(dir, _)| dir))
            .collect();
        for folder in folders {
            let unlinked = self.unlinked_in(
                &incident.share,
                folder,
                incident.started - window::UNLINK_BEFORE_START,
                last + window::ATTACKER_SLACK,
            )?;
            pins.ids.extend(unlinked.into_iter().map(|(v, _)| v.id));
        }
        for path in paths {
            let versions = self.versions_of(&incident.share, path)?;
            pins.ids.extend(
                needed_for_restore(&versions, span, &sessions, Version::is_frozen_link)
                    .map(|v| v.id.clone()),
            );
        }
        Ok(())
    }
}

/// The stretch of time an incident's restore reads versions from.
#[derive(Debug, Clone, Copy)]
struct Span {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// Of one path's versions (oldest first), those a restore may read: see
/// [`Vault::pin_incident`].
fn needed_for_restore<'a>(
    versions: &'a [Version],
    span: Span,
    attacker_sessions: &'a HashSet<String>,
    is_frozen_link: impl Fn(&Version) -> bool,
) -> impl Iterator<Item = &'a Version> {
    let inside = move |v: &Version| span.from <= v.taken_at && v.taken_at <= span.to;
    let newest = |keep: &dyn Fn(&Version) -> bool| versions.iter().rposition(keep);
    let before = newest(&|v| v.taken_at < span.from);
    let link = newest(&|v| v.kind == VersionKind::Link);
    let frozen = newest(&|v| v.kind == VersionKind::Link && is_frozen_link(v));
    let others_write = newest(&|v| {
        matches!(v.reason, Reason::Write | Reason::Truncate)
            && v.taken_at > span.from
            && !attacker_sessions.contains(&v.session)
    });
    let chosen: HashSet<usize> = [before, link, frozen, others_write]
        .into_iter()
        .flatten()
        .collect();
    versions.iter().enumerate().filter_map(move |(i, v)| {
        (chosen.contains(&i) || inside(v) || attacker_sessions.contains(&v.session)).then_some(v)
    })
}

#[derive(Default)]
struct Pins {
    ids: HashSet<String>,
}

impl Pins {
    fn holds(&self, version: &Version) -> bool {
        self.ids.contains(&version.id)
    }
}

/// Whether `statvfs` on the store's filesystem shows freed blocks only at
/// a later commit (btrfs).
fn lags_in_statvfs(store: &ShareStore) -> bool {
    fsutil::fs_type(&store.dir).ok() == Some(fsutil::BTRFS_SUPER_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + chrono::Duration::minutes(minutes)
    }

    fn version(
        id: &str,
        minutes: i64,
        reason: Reason,
        session: &str,
        kind: VersionKind,
    ) -> Version {
        Version {
            id: id.into(),
            share: "s".into(),
            path: "a.xlsx".into(),
            dev: 1,
            ino: 2,
            size: 10,
            mtime_ns: 0,
            mode: 0o644,
            uid: 0,
            gid: 0,
            taken_at: at(minutes),
            reason,
            session: session.into(),
            kind,
            object: PathBuf::from(id),
        }
    }

    fn chosen(versions: &[Version], sessions: &[&str], frozen: &[&str]) -> Vec<String> {
        let sessions: HashSet<String> = sessions.iter().map(|s| s.to_string()).collect();
        let span = Span {
            from: at(0) - window::SIBLINGS,
            to: at(2) + window::ATTACKER_SLACK,
        };
        needed_for_restore(versions, span, &sessions, |v| {
            frozen.contains(&v.id.as_str())
        })
        .map(|v| v.id.clone())
        .collect()
    }

    #[test]
    fn an_open_incident_keeps_what_restore_reads_and_lets_later_saves_go() {
        use Reason::*;
        use VersionKind::*;
        // The attack ran from minute 0 to 2; the path was saved by others
        // long before and for weeks after.
        let versions = [
            version("sweep", -9000, Open, "sweep", Link),
            version("old-save", -3000, Write, "bob", Copy),
            version("last-before", -60, Write, "bob", Copy),
            version("sibling-window", -5, Write, "carol", Copy),
            version("attacker-first", 1, Write, "mallory", Copy),
            version("after-1", 600, Write, "bob", Copy),
            version("after-2", 6000, Write, "bob", Copy),
            version("attacker-late", 7000, Write, "mallory", Copy),
            version("after-3", 20000, Write, "bob", Copy),
        ];
        assert_eq!(
            chosen(&versions, &["mallory"], &["sweep"]),
            [
                "sweep",
                "last-before",
                "sibling-window",
                "attacker-first",
                "attacker-late",
                "after-3"
            ]
        );
    }

    #[test]
    fn the_newest_frozen_link_stays_beside_a_newer_live_one() {
        use Reason::*;
        use VersionKind::*;
        let versions = [
            version("deleted-by-attack", -9000, Open, "sweep", Link),
            version("recreated", 300, Open, "sweep", Link),
            version("later-link", 400, Open, "sweep", Link),
        ];
        assert_eq!(
            chosen(&versions, &["mallory"], &["deleted-by-attack", "recreated"]),
            ["deleted-by-attack", "recreated", "later-link"]
        );
        // Nothing frozen: the newest link, and the newest before the window.
        assert_eq!(
            chosen(&versions, &[], &[]),
            ["deleted-by-attack", "later-link"]
        );
    }
}

//! One poll: fetch every source, read its posts, match each against the
//! organisation and the inventory, decide what is new, alert, record.

use crate::config::{LeaksConfig, SourceConfig};
use crate::fetch::Fetcher;
use crate::files::{InventoryIndex, ListingMatch};
use crate::listing::{parse_listing, ListedFile};
use crate::org::{hosts_in, Field, OrgMatch, OrgMatcher};
use crate::sources::{endpoint, parse, Post};
use crate::state::{Cluster, LockedState, PostRecord, SourceHealth};
use crate::LeaksError;
use chrono::{DateTime, Utc};
use mamori_alert::{Alert, Alerter};
use mamori_journal::{Incident, IncidentSource, Journal, Touch, TouchOp};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// What one source gave in this poll.
#[derive(Debug, Clone)]
pub struct SourceOutcome {
    pub name: String,
    pub posts: usize,
    pub problem: Option<String>,
}

#[derive(Debug, Default)]
pub struct PollReport {
    pub sources: Vec<SourceOutcome>,
    /// The alerts raised, as written to alerts.jsonl.
    pub alerts: Vec<Value>,
    /// Failures of best-effort channels (syslog, webhook, e-mail).
    pub channel_errors: Vec<String>,
    pub posts: usize,
}

impl PollReport {
    pub fn leak_alerts(&self) -> usize {
        self.alerts.iter().filter(|a| a["kind"] == "leak").count()
    }
}

/// A post judged against the organisation and the inventory.
pub struct Evaluation {
    pub org: Option<OrgMatch>,
    pub listed: Vec<ListedFile>,
    pub listing: ListingMatch,
}

pub struct Matcher {
    org: OrgMatcher,
    index: InventoryIndex,
    min_confidence: f64,
}

impl Matcher {
    pub fn new(config: &LeaksConfig, index: InventoryIndex) -> Self {
        Matcher {
            org: OrgMatcher::new(&config.organizations),
            index,
            min_confidence: config.leaks.min_confidence,
        }
    }

    pub fn index(&self) -> &InventoryIndex {
        &self.index
    }

    /// A digest of everything a judgement depends on besides the post.
    pub fn fingerprint(&self, config: &LeaksConfig) -> String {
        let mut hasher = Sha256::new();
        hasher.update(serde_json::to_vec(&config.organizations).unwrap_or_default());
        hasher.update(self.min_confidence.to_le_bytes());
        hasher.update(self.index.fingerprint().to_le_bytes());
        hex::encode(hasher.finalize())
    }

    pub fn evaluate(&self, post: &Post) -> Evaluation {
        let mut best: Option<OrgMatch> = self.org.match_text(&post.victim, Field::Victim);
        for host in post.hosts.iter().cloned().chain(hosts_in(&post.victim)) {
            offer(&mut best, self.org.match_host(&host));
        }
        if best.as_ref().is_none_or(|b| b.confidence < 0.9) && !post.description.is_empty() {
            for host in hosts_in(&post.description) {
                offer(
                    &mut best,
                    self.org.match_host(&host).map(|mut m| {
                        m.confidence = 0.85;
                        m.reason_en = format!("post description names {}", m.reason_en);
                        m.reason_ja = format!("投稿本文に{}", m.reason_ja);
                        m
                    }),
                );
            }
            offer(
                &mut best,
                self.org.match_text(&post.description, Field::Description),
            );
        }
        let listed = if self.index.is_empty() {
            Vec::new()
        } else {
            parse_listing(&post.description)
        };
        let listing = self.index.match_listing(&listed);
        Evaluation {
            org: best.filter(|m| m.confidence >= self.min_confidence),
            listed,
            listing,
        }
    }

    /// Inventory file ids the alert names: with the organisation named, any
    /// plausible hit; from the listing alone, only when the listing as a
    /// whole is ours.
    pub fn matched_files(&self, evaluation: &Evaluation) -> Vec<usize> {
        let listing_counts = evaluation.listing.confidence >= self.min_confidence;
        if evaluation.org.is_none() && !listing_counts {
            return Vec::new();
        }
        let mut ids: Vec<usize> = evaluation.listing.hits.iter().map(|h| h.file).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

fn offer(best: &mut Option<OrgMatch>, candidate: Option<OrgMatch>) {
    if let Some(c) = candidate {
        if best.as_ref().is_none_or(|b| c.confidence > b.confidence) {
            *best = Some(c);
        }
    }
}

fn content_hash(post: &Post) -> String {
    let mut hasher = Sha256::new();
    hasher.update(post.victim.as_bytes());
    hasher.update([0]);
    hasher.update(post.description.as_bytes());
    hasher.update([0]);
    hasher.update(post.url.as_deref().unwrap_or("").as_bytes());
    hex::encode(hasher.finalize())
}

/// Countdowns and counters: "3 days 04:12:33", "2d 14h", "残り3日", "views: 120".
static TICKING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\d{1,2}:\d{2}(?::\d{2})?|\d+\s*(?:days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|[dhms]\b|日|時間|分|秒)|(?:views?|visits?|閲覧数?)\s*[:：]?\s*\d[\d,]*",
    )
    .unwrap_or_else(|_| unreachable!())
});

/// The hash that decides "changed": victim, body and URL, with countdowns
/// and view counters masked (they tick every poll and are no news). New
/// text, sizes ("120 GB" → "300 GB") or listing lines still change it.
fn change_hash(post: &Post) -> String {
    let mut hasher = Sha256::new();
    hasher.update(post.victim.as_bytes());
    hasher.update([0]);
    hasher.update(TICKING.replace_all(&post.description, "#").as_bytes());
    hasher.update([0]);
    hasher.update(post.url.as_deref().unwrap_or("").as_bytes());
    hex::encode(hasher.finalize())
}

fn post_key(post: &Post) -> String {
    match &post.url {
        Some(url) => format!("{}|{url}", post.source),
        None => format!("{}|{}|{}", post.source, post.group, post.victim),
    }
}

fn excerpt(post: &Post, evaluation: &Evaluation, files: &[usize]) -> String {
    let mut lines = vec![post.victim.clone()];
    let description: String = post.description.chars().take(200).collect();
    if evaluation.org.is_some() && !description.is_empty() {
        lines.push(description.lines().take(3).collect::<Vec<_>>().join(" / "));
    }
    for hit in evaluation
        .listing
        .hits
        .iter()
        .filter(|h| files.contains(&h.file))
        .take(20)
    {
        lines.push(evaluation.listed[hit.listed].line.trim().to_string());
    }
    lines.join("\n")
}

/// Polls every source once. Sources are independent: one failing never
/// stops the others.
pub fn poll(config: &LeaksConfig, state_dir: &Path) -> Result<PollReport, LeaksError> {
    let index = if state_dir.join("inventory.db").exists() || mamori_inventory_exists(state_dir) {
        InventoryIndex::load(state_dir)?
    } else {
        InventoryIndex::default()
    };
    let alerter = Alerter::from_config(state_dir, &config.alerts);
    poll_with(
        config,
        state_dir,
        &Matcher::new(config, index),
        &alerter,
        |source, url| {
            let fetcher = Fetcher::new(source).map_err(|e| e.to_string())?;
            fetcher.get(url).map_err(|e| e.to_string())
        },
    )
}

fn mamori_inventory_exists(state_dir: &Path) -> bool {
    std::fs::read_dir(state_dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("inventory"))
        })
        .unwrap_or(false)
}

/// [`poll`] with the fetching supplied (tests, benchmarks): `fetch(source,
/// url)` returns the body of the source's endpoint or of a post page.
pub fn poll_with(
    config: &LeaksConfig,
    state_dir: &Path,
    matcher: &Matcher,
    alerter: &Alerter,
    fetch: impl Fn(&SourceConfig, &str) -> Result<String, String>,
) -> Result<PollReport, LeaksError> {
    let mut locked = LockedState::open(state_dir)?;
    let fingerprint = matcher.fingerprint(config);
    let rejudge = locked.state.judged_with != fingerprint;
    locked.state.judged_with = fingerprint;
    let mut run = Run {
        rejudge,
        config,
        state_dir,
        matcher,
        alerter,
        now: Utc::now(),
        report: PollReport::default(),
    };
    for source in &config.sources {
        let name = source.name().to_string();
        let outcome = fetch(source, &endpoint(source))
            .and_then(|text| parse(source, &text).map_err(|e| e.to_string()));
        let (posts, problem) = match outcome {
            Ok(posts) if posts.is_empty() => (Vec::new(), Some("no posts".to_string())),
            Ok(posts) => {
                let problem = crate::sources::selector_health(source, &posts);
                (posts, problem)
            }
            Err(reason) => (Vec::new(), Some(reason)),
        };
        run.report.posts += posts.len();
        let pages_left = std::cell::Cell::new(source.max_pages.unwrap_or(20));
        let follow = |url: &str| -> Option<String> {
            if !source.follow
                || pages_left.get() == 0
                || !crate::sources::same_host(&source.url, url)
            {
                return None;
            }
            pages_left.set(pages_left.get() - 1);
            let page = fetch(source, url).ok()?;
            crate::sources::page_body(source, &page).ok()
        };
        for post in &posts {
            run.consider(&mut locked, post, &follow)?;
        }
        let health = locked.state.sources.entry(name.clone()).or_default();
        run.update_health(&name, health, posts.len(), problem.clone())?;
        run.report.sources.push(SourceOutcome {
            name,
            posts: posts.len(),
            problem,
        });
    }
    locked.save()?;
    Ok(run.report)
}

struct Run<'a> {
    /// A new alias or a new scan: posts seen before are judged again.
    rejudge: bool,
    config: &'a LeaksConfig,
    state_dir: &'a Path,
    matcher: &'a Matcher,
    alerter: &'a Alerter,
    now: DateTime<Utc>,
    report: PollReport,
}

impl Run<'_> {
    fn emit(&mut self, alert: Alert) -> Result<(), LeaksError> {
        let failures = self.alerter.emit(&alert)?;
        self.report
            .channel_errors
            .extend(failures.into_iter().map(|e| e.to_string()));
        self.report.alerts.push(alert.to_json());
        Ok(())
    }

    fn update_health(
        &mut self,
        name: &str,
        health: &mut SourceHealth,
        posts: usize,
        problem: Option<String>,
    ) -> Result<(), LeaksError> {
        let now = self.now.to_rfc3339();
        health.last_posts = posts;
        let Some(problem) = problem else {
            health.bad_polls = 0;
            health.alerted = false;
            health.last_ok = Some(now);
            return Ok(());
        };
        health.bad_polls += 1;
        health.last_problem = Some(problem.clone());
        if health.bad_polls < self.config.leaks.unhealthy_polls || health.alerted {
            return Ok(());
        }
        health.alerted = true;
        let polls = health.bad_polls;
        let alert = Alert::new(
            "leak_source",
            format!("監視先 {name} から {polls} 回続けて投稿を読み取れません（{problem}）。サイトやAPIの変更で監視が止まっている可能性があります。"),
            format!("source {name} has given no posts for {polls} polls in a row ({problem}); its parser may be broken and monitoring blind."),
        )
        .with("source", name)
        .with("reason", problem)
        .with("polls", polls);
        self.emit(alert)
    }

    fn consider(
        &mut self,
        locked: &mut LockedState,
        post: &Post,
        follow: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), LeaksError> {
        let key = post_key(post);
        let hash = content_hash(post);
        let now = self.now.to_rfc3339();
        let state = &mut locked.state;
        if let Some(record) = state.posts.get_mut(&key) {
            record.last_seen = now.clone();
            if record.content_hash == hash && !self.rejudge {
                return Ok(());
            }
        }
        // Countdown timers and view counters change every poll; they are no news.
        let change = change_hash(post);
        if let Some(record) = state.posts.get_mut(&key) {
            if record.alerted_hash.as_deref() == Some(change.as_str()) {
                record.content_hash = hash;
                return Ok(());
            }
        }
        // The post's own page is read for matching only: the hashes stay
        // those of the listing page, so reading it again is never "a change".
        let page = post.url.as_deref().and_then(follow).map(|body| Post {
            description: format!("{}\n{body}", post.description),
            ..post.clone()
        });
        let evaluation = self.matcher.evaluate(page.as_ref().unwrap_or(post));
        let files = self.matcher.matched_files(&evaluation);
        let previous = state.posts.get(&key).cloned();
        let mut record = previous.clone().unwrap_or_else(|| PostRecord {
            key: key.clone(),
            source: post.source.clone(),
            group: post.group.clone(),
            victim: post.victim.clone(),
            post_url: post.url.clone(),
            discovered: post.discovered.clone(),
            first_seen: now.clone(),
            last_seen: now.clone(),
            content_hash: hash.clone(),
            matched: None,
            alias: None,
            reason: None,
            confidence: 0.0,
            files: Vec::new(),
            excerpt: None,
            cluster: None,
            alerted_hash: None,
            alerts: 0,
            linked_to: None,
            incidents: BTreeMap::new(),
        });
        record.content_hash = hash.clone();
        record.victim = post.victim.clone();
        if evaluation.org.is_none() && files.is_empty() {
            state.posts.insert(key, record);
            return Ok(());
        }
        let index = self.matcher.index();
        let file_paths: Vec<String> = files
            .iter()
            .map(|&id| index.file(id).path.clone())
            .collect();
        let org = evaluation.org.clone();
        let confidence = match &org {
            Some(m) if files.is_empty() => m.confidence,
            Some(m) => m.confidence.max(evaluation.listing.confidence),
            None => evaluation.listing.confidence,
        };
        record.matched = Some(
            if org.is_some() {
                "organization"
            } else {
                "files"
            }
            .into(),
        );
        record.alias = org.as_ref().map(|m| m.alias.clone());
        record.reason = org.as_ref().map(|m| m.reason_en.clone());
        record.confidence = confidence;
        record.excerpt = Some(excerpt(post, &evaluation, &files));
        let cluster_key = match &org {
            Some(m) => format!("org:{}", m.organization),
            // Listing-only posts: the same files under another name (a
            // recycled, re-anonymised claim) are the same victim.
            None => state
                .clusters
                .values()
                .find(|c| {
                    let shared = file_paths.iter().filter(|p| c.files.contains(*p)).count();
                    !file_paths.is_empty() && shared * 2 >= file_paths.len()
                })
                .map(|c| c.key.clone())
                .unwrap_or_else(|| {
                    format!(
                        "victim:{}",
                        crate::names::fold(&post.victim)
                            .split_whitespace()
                            .collect::<String>()
                    )
                }),
        };
        record.cluster = Some(cluster_key.clone());

        let changed = previous.as_ref().is_some_and(|p| p.alerted_hash.is_some());
        let mut linked_to = None;
        let link_window = chrono::Duration::days(self.config.leaks.link_days);
        match state.clusters.get_mut(&cluster_key) {
            Some(cluster)
                if !changed
                    && DateTime::parse_from_rfc3339(&cluster.last_alert)
                        .is_ok_and(|t| self.now.signed_duration_since(t) < link_window) =>
            {
                // The same victim again (another group's recycled claim, or
                // another tracker's report of the same post): linked.
                let adds_files = file_paths.iter().any(|p| !cluster.files.contains(p));
                cluster.groups.insert(post.group.clone());
                cluster.posts.insert(key.clone());
                linked_to = Some(cluster.first_post.clone());
                record.linked_to = linked_to.clone();
                if !adds_files {
                    record.alerted_hash = Some(change);
                    state.posts.insert(key, record);
                    return Ok(());
                }
            }
            _ => {
                let cluster = state
                    .clusters
                    .entry(cluster_key.clone())
                    .or_insert_with(|| Cluster {
                        key: cluster_key.clone(),
                        first_post: key.clone(),
                        first_alert: now.clone(),
                        last_alert: now.clone(),
                        groups: Default::default(),
                        posts: Default::default(),
                        files: Default::default(),
                    });
                cluster.groups.insert(post.group.clone());
                cluster.posts.insert(key.clone());
            }
        }
        if let Some(cluster) = state.clusters.get_mut(&cluster_key) {
            cluster.last_alert = now.clone();
            cluster.files.extend(file_paths.iter().cloned());
        }
        // Leaked files become an incident's touches (`incident assess` counts
        // those persons as leaked); each file once per post.
        let unrecorded: Vec<usize> = files
            .iter()
            .copied()
            .filter(|&id| !record.files.contains(&index.file(id).path))
            .collect();
        record.files = file_paths.clone();
        let incident = self.record_incident(&mut record, post, &unrecorded)?;
        record.alerted_hash = Some(change);
        record.alerts += 1;
        let alert = crate::alerts::leak_alert(
            post,
            &record,
            org.as_ref(),
            &file_paths,
            confidence,
            changed,
            linked_to,
            incident,
        );
        // Why each file: the listing line it came from and its score.
        let evidence: Vec<Value> = evaluation
            .listing
            .hits
            .iter()
            .filter(|h| files.contains(&h.file))
            .take(100)
            .map(|h| {
                serde_json::json!({
                    "file": index.file(h.file).path,
                    "listed": evaluation.listed[h.listed].line.trim(),
                    "score": (h.score * 100.0).round() / 100.0,
                })
            })
            .collect();
        let alert = if evidence.is_empty() {
            alert
        } else {
            alert.with("file_evidence", evidence)
        };
        state.posts.insert(key, record);
        self.emit(alert)
    }

    fn record_incident(
        &self,
        record: &mut PostRecord,
        post: &Post,
        files: &[usize],
    ) -> Result<Option<String>, LeaksError> {
        if files.is_empty() {
            return Ok(record.incidents.values().next().cloned());
        }
        let index = self.matcher.index();
        let journal = Journal::open(self.state_dir);
        let mut by_root: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for &id in files {
            let file = index.file(id);
            by_root
                .entry((file.root.clone(), file.share.clone()))
                .or_default()
                .push(file.path.clone());
        }
        for ((root, share), paths) in by_root {
            let id = match record.incidents.get(&root) {
                Some(id) => id.clone(),
                None => {
                    let mut incident =
                        Incident::new(IncidentSource::Leak, &share, Path::new(&root), self.now);
                    incident.reasons.push(format!(
                        "leak-site post by {} on {}: {} ({} inventory files listed)",
                        if post.group.is_empty() {
                            "?"
                        } else {
                            &post.group
                        },
                        post.source,
                        post.url.as_deref().unwrap_or(&post.victim),
                        paths.len()
                    ));
                    journal.save(&incident)?;
                    record.incidents.insert(root.clone(), incident.id.clone());
                    incident.id
                }
            };
            let touches: Vec<Touch> = paths
                .into_iter()
                .map(|p| Touch::new(TouchOp::Leaked, p))
                .collect();
            journal.append(&id, &touches)?;
        }
        Ok(record.incidents.values().next().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Random posts of tree glyphs, paths, kana, sizes and punctuation
    /// never panic the parsers and matchers.
    #[test]
    fn random_posts_never_panic() {
        let config = LeaksConfig::parse(
            "[[organization]]\nname = \"株式会社やまと工務店\"\naliases = [\"Yamato Koumuten\", \"ヤマト\"]\ndomains = [\"y.example.jp\"]\n",
        )
        .unwrap();
        let index = InventoryIndex::new(vec![
            (
                "/r".into(),
                "s".into(),
                "総務部/社員名簿.csv".into(),
                Some(10),
            ),
            ("/r".into(), "s".into(), "a/b.txt".into(), None),
        ]);
        let matcher = Matcher::new(&config, index);
        let pieces = [
            "├── ",
            "│   ",
            "└───",
            "+---",
            "\\---",
            "|-- ",
            "\\\\",
            "/",
            "\\",
            ".",
            "..",
            " ",
            "\t",
            "\n",
            "(",
            ")",
            "12",
            ",345",
            " KB",
            " bytes",
            "ヤマト",
            "工務店",
            "ｺｳﾑﾃﾝ",
            "株式会社",
            "(株)",
            "Yamato",
            "koumuten",
            "co.,ltd",
            "y.example.jp",
            "社員名簿.csv",
            "総務部",
            "<DIR>",
            "2024/04/01  10:23",
            "-rw-r--r-- 1 a b 5 Apr  1 10:23 ",
            "Directory of C:\\x",
            "のディレクトリ",
            "é",
            "\u{0301}",
            "ー",
            "・",
            "@",
            ":",
            "🙂",
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..rng.gen_range(0..40) {
                text.push_str(pieces[rng.gen_range(0..pieces.len())]);
            }
            let post = Post {
                victim: text.chars().take(40).collect(),
                description: text.clone(),
                ..Post::default()
            };
            let evaluation = matcher.evaluate(&post);
            let _ = matcher.matched_files(&evaluation);
            let _ = change_hash(&post);
        }
    }
}

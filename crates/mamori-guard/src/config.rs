//! The guard's TOML configuration (`--config`). Every field has a default,
//! so an empty file (or none) is a working configuration.
//!
//! ```toml
//! [response]                 # every share
//! ladder = ["alert", "block", "cut"]
//! block_client = true        # block the client address too (never loopback)
//! hook = "/usr/local/sbin/isolate.sh"   # run when the ladder has "hook"
//! hook_timeout_secs = 60
//! rollback = true            # after a block, put back from the vault what
//!                            # the blocked actor changed before it
//!
//! [share."経理"]               # per-share override of [response]
//! ladder = ["alert", "block", "cut", "hook"]
//!
//! [judge]
//! threshold = 1.0
//!
//! [watch]
//! backend = "auto"           # auto | fanotify | inotify
//! audit_log = "/var/log/samba/log.audit"   # full_audit lines (inotify mode)
//! max_watches = 200000
//! one_reader = false         # true: the permission reader also reads the notification group
//! readers = 1                # permission readers: N pinned one per CPU; 0 = one per CPU up to 8 CPUs
//! idle_priority = true       # judge new files and link them at idle CPU priority
//! pre_content = true         # false: open permission events only, as before Linux 6.14
//! thread_ids = true          # false: events name processes only, as before Linux 6.9
//! rename_events = true       # false: renames paired from their two moves, as before Linux 5.17
//!
//! [decoys]
//! enabled = true             # bait files "!0000_*" in each share root and large document folders
//! refresh_secs = 300
//!
//! [limits]
//! queue = 65536              # events between watcher and judge
//! workers = 2                # permission-event workers
//! pids = 4096                # attribution cache
//! probes = 65536             # pre-write probes kept until close
//! touches_per_actor = 512    # recent touches kept per actor for the journal
//! actors = 4096
//!
//! [vault]                    # see upkeep.rs
//! budget_gib = 20
//! quiet_hours = 72           # versions older than this are pruned
//! sweep_every_secs = 600     # link sweep + prune
//! snapshot_every_secs = 3600 # btrfs only; 0 = no scheduled snapshots
//! keep_snapshots = 48
//! keep_detection_days = 30
//! link_new_files = true      # link files as they are created
//! link_delay_ms = 100
//! ```

use mamori_respond::Step;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration {path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("configuration {path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Response {
    pub ladder: Vec<Step>,
    pub block_client: bool,
    pub hook: Option<String>,
    pub hook_timeout_secs: u64,
    /// After a block, put back what the blocked actor changed before it
    /// (see `rollback.rs`); needs `block` in the ladder.
    pub rollback: bool,
}

impl Default for Response {
    fn default() -> Self {
        Response {
            ladder: vec![Step::Alert, Step::Block, Step::Cut],
            block_client: true,
            hook: None,
            hook_timeout_secs: 60,
            rollback: true,
        }
    }
}

impl Response {
    pub fn has(&self, step: Step) -> bool {
        self.ladder.contains(&step)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JudgeSection {
    pub threshold: f32,
}

impl Default for JudgeSection {
    fn default() -> Self {
        JudgeSection { threshold: 1.0 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    #[default]
    Auto,
    Fanotify,
    Inotify,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Watch {
    pub backend: Backend,
    pub audit_log: Option<PathBuf>,
    pub max_watches: usize,
    /// Stop an smbd session that deleted or renamed a file until the
    /// change is judged (see `hold.rs`); deletes raise no permission event.
    pub hold_deletes: bool,
    /// Read the notification group in the permission reader's thread (at
    /// normal priority; it takes the holds of deletes and renames as it
    /// reads them) instead of a `notify-reader` thread of its own, at idle
    /// priority with `idle_priority`, whose holds the permission reader
    /// takes from the alarm group (`notify.rs`). Off by default since
    /// session 20: 16 KB SMB writes over the LAN-like path cost 4.7 % with
    /// it and 3.5–3.8 % without (nine rounds each; docs/design/guard.md,
    /// "The notification side at idle priority").
    /// `MAMORI_GUARD_ONE_READER=0` or `=1` in the guard's environment
    /// overrides the configuration.
    pub one_reader: bool,
    /// Permission readers: 1 (the default) = one reader, not pinned; N =
    /// one pinned to each of the first N CPUs the guard may use; 0 = one
    /// per CPU on machines of up to 8 CPUs, else one. Every event wakes
    /// every reader; the one beside the waiting opener answers first.
    /// Locally a round trip costs a third of what it costs with one reader;
    /// over SMB no gain is shown yet (docs/design/guard.md, "A reader per
    /// CPU"). `MAMORI_GUARD_READERS=N` overrides.
    pub readers: usize,
    /// Run the main loop and `vault-links` at `SCHED_IDLE` while they work
    /// on changes nobody waits for (see `lazy.rs`): smbd then keeps the CPU
    /// time the guard spends judging and linking new files. On by default.
    /// `MAMORI_GUARD_IDLE_PRIORITY=0` or `=1` in the guard's environment
    /// overrides the configuration.
    pub idle_priority: bool,
    /// Ask for pre-content events (`FAN_PRE_ACCESS`, Linux 6.14 and
    /// later): the vault copy is taken at a writer's first write, and
    /// readers and creators cost no classification. Off, or on an older
    /// kernel, every open of a non-empty file is classified from the
    /// opener's syscall and a writer's copy is taken at its open.
    /// `MAMORI_GUARD_PRE_CONTENT=0` or `=1` in the guard's environment
    /// overrides the configuration.
    pub pre_content: bool,
    /// Have permission events name the waiting thread (`FAN_REPORT_TID`,
    /// where thread pidfds exist: Linux 6.9 and later), so an open is
    /// classified from that thread's syscall alone. Off, or on an older
    /// kernel, every thread of the opener is read.
    /// `MAMORI_GUARD_THREAD_IDS=0` or `=1` overrides the configuration.
    pub thread_ids: bool,
    /// Renames as one `FAN_RENAME` event with both names (Linux 5.17 and
    /// later). Off, or on an older kernel, a rename is paired from its
    /// `FAN_MOVED_FROM` and `FAN_MOVED_TO`.
    /// `MAMORI_GUARD_RENAME_EVENTS=0` or `=1` overrides the configuration.
    pub rename_events: bool,
}

impl Watch {
    /// `one_reader`, overridden by `MAMORI_GUARD_ONE_READER=0|1`.
    pub fn one_reader_in_effect(&self) -> bool {
        env_switch("MAMORI_GUARD_ONE_READER", self.one_reader)
    }

    /// `readers`, overridden by `MAMORI_GUARD_READERS=N`.
    pub fn readers_in_effect(&self) -> usize {
        std::env::var("MAMORI_GUARD_READERS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(self.readers)
    }

    /// `idle_priority`, overridden by `MAMORI_GUARD_IDLE_PRIORITY=0|1`.
    pub fn idle_priority_in_effect(&self) -> bool {
        env_switch("MAMORI_GUARD_IDLE_PRIORITY", self.idle_priority)
    }

    /// The fanotify features the guard may use (each overridden by its
    /// `MAMORI_GUARD_*=0|1`); the kernel may lack them still.
    pub fn kernel_features(&self) -> mamori_watch::KernelFeatures {
        mamori_watch::KernelFeatures {
            pre_content: env_switch("MAMORI_GUARD_PRE_CONTENT", self.pre_content),
            thread_ids: env_switch("MAMORI_GUARD_THREAD_IDS", self.thread_ids),
            rename_events: env_switch("MAMORI_GUARD_RENAME_EVENTS", self.rename_events),
        }
    }
}

/// A `[watch]` switch, overridden by `0` or `1` in the environment variable
/// `name`: A/B benchmarks of the stock configuration (`mamori-attack
/// bench`), and the older kernels' paths run on a kernel that has what
/// they fall back from.
fn env_switch(name: &str, configured: bool) -> bool {
    match std::env::var_os(name) {
        Some(v) if v == "0" => false,
        Some(v) if v == "1" => true,
        _ => configured,
    }
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            backend: Backend::Auto,
            audit_log: None,
            max_watches: 200_000,
            hold_deletes: true,
            one_reader: false,
            readers: 1,
            idle_priority: true,
            pre_content: true,
            thread_ids: true,
            rename_events: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub queue: usize,
    pub workers: usize,
    pub pids: usize,
    pub probes: usize,
    pub touches_per_actor: usize,
    /// Actors remembered: their recent touches, and in the judge their
    /// marks (three keys each: session or process, user, client).
    pub actors: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            queue: 65536,
            workers: 2,
            pids: 4096,
            probes: 65536,
            touches_per_actor: 512,
            actors: 4096,
        }
    }
}

/// Decoy files (bait that encryptors reach first; see `mamori_judge::decoy`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Decoys {
    pub enabled: bool,
    /// How often missing or altered decoys are put back (fanotify mode).
    pub refresh_secs: u64,
    /// How often the shares are walked again for folders that grew large
    /// since the start, which then get decoys too (fanotify mode; 0: never).
    pub replan_secs: u64,
}

impl Default for Decoys {
    fn default() -> Self {
        // On: a wiper's first delete is otherwise indistinguishable from
        // a user's tidying. Clean-up tools stay clear of them because
        // scratch folders get no decoys and only the placed paths decide
        // (a copied decoy is nobody's bait).
        Decoys {
            enabled: true,
            refresh_secs: 300,
            replan_secs: 3600,
        }
    }
}

/// Unknown tables and keys are errors, not silently ignored: a misspelt
/// `[alert]` would otherwise leave the channels unset without a word.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuardConfig {
    pub decoys: Decoys,
    pub response: Response,
    /// Per share: what differs from `[response]` (the rest is inherited).
    pub share: BTreeMap<String, Response>,
    pub judge: JudgeSection,
    pub watch: Watch,
    pub limits: Limits,
    /// The version vault's upkeep (sweeps, pruning, snapshots).
    pub vault: crate::upkeep::VaultSection,
    /// Alert channels besides `alerts.jsonl`: syslog, a webhook (Slack,
    /// Teams, Chatwork or the JSON as is), e-mail (`crate::alerts`).
    pub alerts: mamori_alert::AlertConfig,
}

impl GuardConfig {
    pub fn load(path: &Path) -> Result<GuardConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<GuardConfig, ConfigError> {
        let parse_error = |source| ConfigError::Parse {
            path: path.to_path_buf(),
            source: Box::new(source),
        };
        // Parsed as written first, so an error points at its line.
        let mut config: GuardConfig = toml::from_str(text).map_err(parse_error)?;
        if !config.share.is_empty() {
            let mut table: toml::Table = toml::from_str(text).map_err(parse_error)?;
            inherit_response(&mut table);
            config = toml::Value::Table(table).try_into().map_err(parse_error)?;
        }
        let invalid = |reason: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        for (name, response) in std::iter::once(("response", &config.response))
            .chain(config.share.iter().map(|(n, r)| (n.as_str(), r)))
        {
            if response.has(Step::Hook) && response.hook.is_none() {
                return Err(invalid(format!(
                    "{name}: ladder has \"hook\" but no hook command"
                )));
            }
        }
        if config.limits.workers == 0 || config.limits.queue == 0 {
            return Err(invalid(
                "limits.workers and limits.queue must be at least 1".into(),
            ));
        }
        Ok(config)
    }

    /// The response of one share (its own section, else `[response]`).
    pub fn response(&self, share: &str) -> &Response {
        self.share.get(share).unwrap_or(&self.response)
    }

    /// The judge's settings: `[judge]`, and `[limits] actors`.
    pub(crate) fn judge_config(&self) -> mamori_judge::JudgeConfig {
        mamori_judge::JudgeConfig {
            threshold: self.judge.threshold,
            max_actors: self.limits.actors.saturating_mul(3),
            ..mamori_judge::JudgeConfig::default()
        }
    }

    /// `[share."…"]` sections naming none of `shares`: a misspelt name
    /// would leave that share on `[response]` without a word.
    pub fn unknown_shares<'a>(&'a self, shares: &[String]) -> Vec<&'a str> {
        self.share
            .keys()
            .filter(|name| !shares.contains(name))
            .map(String::as_str)
            .collect()
    }
}

/// Gives every `[share."…"]` table the `[response]` keys it does not set.
fn inherit_response(table: &mut toml::Table) {
    let Some(toml::Value::Table(response)) = table.get("response").cloned() else {
        return;
    };
    let Some(toml::Value::Table(shares)) = table.get_mut("share") else {
        return;
    };
    for (_, share) in shares.iter_mut() {
        if let toml::Value::Table(share) = share {
            for (key, value) in &response {
                share.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_per_share_ladders() {
        let config = GuardConfig::parse("", Path::new("x")).unwrap();
        assert!(config.response("docs").has(Step::Block));
        let text = r#"
[response]
ladder = ["alert"]
[share."経理"]
ladder = ["alert", "block", "cut", "hook"]
hook = "true"
[judge]
threshold = 2.5
"#;
        let config = GuardConfig::parse(text, Path::new("x")).unwrap();
        assert!(!config.response("docs").has(Step::Block));
        assert!(config.response("経理").has(Step::Hook));
        assert_eq!(config.judge.threshold, 2.5);
        assert!(
            config.response("docs").rollback,
            "rollback is on by default"
        );
        let config =
            GuardConfig::parse("[share.\"経理\"]\nrollback = false\n", Path::new("x")).unwrap();
        assert!(!config.response("経理").rollback);
        assert!(config.response("docs").rollback);
    }

    #[test]
    fn a_share_section_changes_only_what_it_sets() {
        let text = r#"
[response]
ladder = ["alert", "block"]
block_client = false
[share."経理"]
rollback = false
"#;
        let config = GuardConfig::parse(text, Path::new("x")).unwrap();
        let share = config.response("経理");
        assert!(!share.rollback);
        assert!(!share.block_client, "inherited from [response]");
        assert!(
            share.has(Step::Block) && !share.has(Step::Cut),
            "inherited ladder"
        );
        let names = ["docs".to_string(), "経理".to_string()];
        assert!(config.unknown_shares(&names).is_empty());
        assert_eq!(config.unknown_shares(&names[..1]), vec!["経理"]);
    }

    #[test]
    fn the_judge_takes_its_threshold_and_the_actor_limit() {
        let text = "[judge]\nthreshold = 2.0\n[limits]\nactors = 100\n";
        let judge = GuardConfig::parse(text, Path::new("x"))
            .unwrap()
            .judge_config();
        assert_eq!(judge.threshold, 2.0);
        assert_eq!(judge.max_actors, 300);
    }

    #[test]
    fn misspelt_tables_and_keys_are_errors() {
        for text in [
            "[alert]\nsyslog = true\n",
            "[judge]\nthreshhold = 2.0\n",
            "[alerts]\nsyslg = true\n",
        ] {
            let err = GuardConfig::parse(text, Path::new("g.toml")).unwrap_err();
            let message = err.to_string();
            assert!(
                message.contains("g.toml") && message.contains("unknown field"),
                "{message}"
            );
        }
    }

    #[test]
    fn bad_configurations_name_the_problem() {
        let err = GuardConfig::parse("[response]\nladder = [\"hook\"]\n", Path::new("g.toml"))
            .unwrap_err();
        assert!(err.to_string().contains("hook"));
        let err = GuardConfig::parse("[response]\nladder = [\"explode\"]\n", Path::new("g.toml"))
            .unwrap_err();
        assert!(err.to_string().contains("g.toml"));
    }
}

//! Leak-site monitoring (`mamori leaks`): know within hours when the
//! organisation, or a listing of its files, appears on a ransomware leak site.
//!
//! Design: a poll fetches each configured source ([`fetch`]: optional
//! SOCKS5h proxy for Tor, timeouts, retries with back-off, a size cap, and
//! never a post's archives or attachments), reads its posts ([`sources`]:
//! ransomware.live and RansomLook JSON, or a leak site's HTML through CSS
//! selectors), and judges each post twice: does it name the organisation
//! ([`org`]: every alias folded through NFKC, case, company forms, kana and
//! romaji, matched as whole words, domains and subdomains), and does a file
//! listing in its body name inventory files ([`listing`] reads tree drawings,
//! paths, `dir` and `ls` output; [`files`] matches names, folders, sizes).
//! [`state`] remembers every post by content hash and clusters posts about
//! one victim, so a post is alerted once, a changed post once more, and a
//! second group's or tracker's claim on the same victim is linked rather
//! than alerted again. Sources that stop giving posts raise their own alert.
//! Matched files are recorded as `leaked` touches of a `leak` incident in
//! the journal, for `mamori incident assess`. Evidence kept: post metadata,
//! the matching excerpt and a SHA-256 of the post's content, nothing else.

mod alerts;
pub mod config;
pub mod fetch;
pub mod files;
pub mod listing;
pub mod names;
pub mod org;
pub mod poll;
pub mod sources;
pub mod state;
pub mod watch;

pub use config::{ConfigError, LeaksConfig, Organization, SourceConfig, SourceKind};
pub use poll::{poll, poll_with, Matcher, PollReport, SourceOutcome};
pub use sources::Post;
pub use state::{read_state, State};
pub use watch::watch;

#[derive(Debug, thiserror::Error)]
pub enum LeaksError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    State(#[from] state::StateError),
    #[error(transparent)]
    Alert(#[from] mamori_alert::AlertError),
    #[error(transparent)]
    Journal(#[from] mamori_journal::JournalError),
    #[error(transparent)]
    Inventory(#[from] mamori_inventory::InventoryError),
}

//! Who did it, and what to do about it.
//!
//! Design: [`attribution::Attributor`] maps a pid to an [`Actor`]: an `smbd`
//! session child to its SMB user, client address and machine (from
//! `smbstatus --json`, or the plain `smbstatus -p` table on Samba without
//! JSON), any other process to its executable and uid (from `/proc`). Results
//! are cached per (pid, process start time), so a recycled pid is never
//! confused with the old one, and the cache is bounded.
//!
//! [`ladder`] holds the response steps (alert → block → cut → hook) and the
//! [`ladder::Blocklist`] the guard's permission fast path consults: blocked
//! SMB users and client addresses (so new sessions of the same user or from
//! the same machine stay blocked) and blocked local pids. Loopback client
//! addresses are never blocked by address: every local SMB user shares them.
//!
//! [`samba_deny`] keeps the Samba include (`invalid users`) that makes Samba
//! itself refuse a blocked user's reconnecting sessions, whose first
//! operations (deletes) raise no permission event.

pub mod attribution;
pub mod ladder;
pub mod samba_deny;

pub use attribution::{Attributor, SmbSession};
pub use ladder::{Blocklist, Step};
pub use mamori_journal::Actor;

#[derive(Debug, thiserror::Error)]
pub enum RespondError {
    #[error("cannot run {command}: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("{command} failed: {detail}")]
    Failed { command: String, detail: String },
}

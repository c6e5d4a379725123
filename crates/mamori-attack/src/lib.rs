//! mamori-attack: the project's ransomware simulator, benign workload
//! generator and real-Samba test harness.
//!
//! # Design
//!
//! * **A real SMB client, not file-system shortcuts.** Every attack and every
//!   benign workload talks SMB2/3 to a real `smbd` through Samba's own client
//!   library, `libsmbclient`, loaded at run time with `dlopen` ([`smb`]), so
//!   the guard sees exactly what it sees in production: writes coming from the
//!   session's `smbd`, attributed to a Samba user and a client address.
//!   `libsmbclient` (not the `smbclient` program) is used because ransomware
//!   writes *in place at offsets* (LockFile's every other 16 bytes, LockBit
//!   2.0's first 4 KB) and the simulator must know, per operation, whether the
//!   server refused it and when its first malicious write went out.
//!   `libsmbclient` is not thread safe, so the fast multi-connection profile
//!   forks worker processes, each with its own SMB session.
//! * **Real ciphertext, only on the test share.** Encryption is a ChaCha20
//!   keystream ([`cipher`]); the simulator only ever opens `smb://` URLs of
//!   the target it was given, never a local path of the victim share.
//! * **A log of its own.** Each run appends one JSON line per operation
//!   ([`log::OpLog`]) with a wall-clock time, so benchmarks can compare the
//!   first malicious write with the guard's alert times.
//! * **Harness.** [`samba::SambaServer`] starts a private `smbd` on a loopback
//!   port over a loop-mounted ext4 (or btrfs) image with `full_audit`, two
//!   users, and tears everything down on drop; [`samba::skip_reason`] tells
//!   tests why they must skip (not root, no Samba, no loop mount), and
//!   [`samba::SambaServer::start_or_skip`] starts a server or says why not.
//! * **The guard under test** ([`guarded::GuardProcess`]) is the real
//!   `mamori guard` binary run over a harness share; [`mod@bench`] measures it
//!   (files lost, time to detection and block, false alarms, overhead),
//!   beside [`bare`]'s bare responder: the least a guard that refuses opens
//!   costs, so the overhead has a floor to be read against.
//! * **Share content** ([`content`]) is the project's sample share
//!   (`mamori-samples`) plus real binary files (OOXML zips, JPEG, PDF, MP4)
//!   so structure and type checks have something to see.

pub mod bare;
pub mod bench;
pub mod benign;
pub mod cipher;
pub mod content;
pub mod damage;
pub mod guarded;
pub mod lan;
pub mod log;
pub mod overhead;
pub mod profiles;
pub mod samba;
pub mod smb;
pub mod storm;
pub mod twin;

pub use profiles::{AttackReport, Profile};
pub use samba::SambaServer;
pub use smb::{SmbSession, SmbTarget};

#[derive(Debug, thiserror::Error)]
pub enum AttackError {
    #[error("{0}")]
    Unavailable(String),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("SMB {op} {url}: {source}")]
    Smb {
        op: &'static str,
        url: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Setup(String),
    #[error("sample share: {0}")]
    Samples(#[from] mamori_samples::SampleError),
    #[error("zip: {0}")]
    Zip(String),
}

impl AttackError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        AttackError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// True when the server refused the operation (the guard's block or a
    /// cut session: libsmbclient reports a dead connection as EINVAL/EIO),
    /// as opposed to the file having vanished.
    pub fn is_denied(&self) -> bool {
        match self {
            AttackError::Smb { source, .. } => !matches!(
                source.raw_os_error(),
                Some(libc::ENOENT) | Some(libc::EEXIST) | Some(libc::ENOTDIR) | Some(libc::EISDIR)
            ),
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, AttackError>;

//! The guard's view of the version vault: keep a file's content before the
//! first write of an actor. A trait, so the guard builds and runs without a
//! vault (feature `vault`, on by default).

use std::fs::File;

pub trait Preserver: Send + Sync {
    /// Keeps the current content of `file` (the permission event's own
    /// descriptor, which raises no events when read) of `share`/`rel`.
    /// Returns the reference to store in the journal's `Touch::vault`.
    fn preserve(
        &self,
        share: &str,
        rel: &std::path::Path,
        file: &File,
        truncate: bool,
        session: &str,
    ) -> Option<String>;

    /// Whether the vault holds any version of `share`/`rel` (`None`: it
    /// cannot tell). Every file the guard has seen exist has one: the start
    /// sweep, the links of new and renamed files and the periodic sweep
    /// make them, so a file without one appeared while events were lost.
    fn has_version(&self, _share: &str, _rel: &std::path::Path) -> Option<bool> {
        None
    }

    /// Whether the vault holds a version of the inode `ino` of device
    /// `dev` taken before `before` (`None`: it cannot tell): which
    /// incarnation of a reused name the guard saw exist before a loss.
    fn inode_seen_before(
        &self,
        _dev: u64,
        _ino: u64,
        _before: std::time::SystemTime,
    ) -> Option<bool> {
        None
    }
}

#[cfg(feature = "vault")]
impl Preserver for mamori_vault::Vault {
    fn preserve(
        &self,
        share: &str,
        rel: &std::path::Path,
        file: &File,
        truncate: bool,
        session: &str,
    ) -> Option<String> {
        let reason = if truncate {
            mamori_vault::Reason::Truncate
        } else {
            mamori_vault::Reason::Write
        };
        let rel = rel.to_str()?;
        match self.preserve_fd(share, rel, file, reason, session) {
            Ok(version) => version.map(|v| v.to_string()),
            Err(e) => {
                tracing::warn!("vault: {share}/{rel}: {e}");
                None
            }
        }
    }

    fn has_version(&self, share: &str, rel: &std::path::Path) -> Option<bool> {
        self.latest(share, rel.to_str()?).ok().map(|v| v.is_some())
    }

    fn inode_seen_before(&self, dev: u64, ino: u64, before: std::time::SystemTime) -> Option<bool> {
        let before = chrono::DateTime::<chrono::Utc>::from(before);
        self.versions_of_inode(dev, ino)
            .ok()
            .map(|versions| versions.iter().any(|v| v.taken_at < before))
    }
}

/// Opens the vault under the state directory and registers the shares;
/// its alerts go out with the guard's (`alerts`).
#[cfg(feature = "vault")]
pub fn open(
    state_dir: &std::path::Path,
    shares: &mamori_watch::Shares,
    section: &crate::upkeep::VaultSection,
    alerts: &crate::alerts::AlertOut,
) -> crate::upkeep::VaultHandle {
    let vault = match mamori_vault::Vault::open(state_dir, section.vault_config()) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("vault unavailable, continuing without copies: {e}");
            return None;
        }
    };
    let alerts = alerts.clone();
    vault.send_alerts_to(Box::new(move |alert| {
        if let Err(e) = alerts.emit(alert) {
            tracing::warn!("vault alert: {e}");
        }
    }));
    for share in &shares.list {
        if let Err(e) = vault.register_share(&share.name, &share.root) {
            tracing::error!("vault: share {}: {e}", share.name);
        }
    }
    Some(std::sync::Arc::new(vault))
}

#[cfg(not(feature = "vault"))]
pub fn open(
    _state_dir: &std::path::Path,
    _shares: &mamori_watch::Shares,
    _section: &crate::upkeep::VaultSection,
    _alerts: &crate::alerts::AlertOut,
) -> crate::upkeep::VaultHandle {
    None
}

/// Keeps the watchers' events of the guard's own files in the kernel
/// (`mamori_watch::fanotify::IgnoredFolders`): the state directory (alerts,
/// pid file) and the vault's index folder, unless inside a share (a
/// misconfiguration whose writes must stay seen), and the vault's object
/// folders, those there now and each new one. Lists folders, so only once
/// the permission reader runs.
pub fn ignore_own_folders(
    vault: &crate::upkeep::VaultHandle,
    folders: std::sync::Arc<mamori_watch::fanotify::IgnoredFolders>,
    state_dir: &std::path::Path,
    shares: &mamori_watch::Shares,
) {
    // `MAMORI_GUARD_OWN_FOLDERS=0`: watched like any (to measure the marks).
    if std::env::var("MAMORI_GUARD_OWN_FOLDERS").is_ok_and(|v| v == "0") {
        return;
    }
    for folder in [state_dir.to_path_buf(), state_dir.join("vault")] {
        let Ok(folder) = folder.canonicalize() else {
            continue;
        };
        if shares.locate(&folder).is_some() {
            continue;
        }
        if let Err(e) = folders.ignore(&folder) {
            tracing::debug!("events not ignored: {e}");
        }
    }
    ignore_object_folders(vault, folders);
}

#[cfg(feature = "vault")]
fn ignore_object_folders(
    vault: &crate::upkeep::VaultHandle,
    folders: std::sync::Arc<mamori_watch::fanotify::IgnoredFolders>,
) {
    if let Some(vault) = vault {
        vault.on_new_folders(Box::new(move |folder| {
            if let Err(e) = folders.ignore(folder) {
                tracing::warn!("vault folder events not ignored: {e}");
            }
        }));
    }
}

#[cfg(not(feature = "vault"))]
fn ignore_object_folders(
    _: &crate::upkeep::VaultHandle,
    _: std::sync::Arc<mamori_watch::fanotify::IgnoredFolders>,
) {
}

/// The permission path's view of the vault.
#[cfg(feature = "vault")]
pub fn preserver(vault: &crate::upkeep::VaultHandle) -> Option<std::sync::Arc<dyn Preserver>> {
    vault.clone().map(|v| v as std::sync::Arc<dyn Preserver>)
}

#[cfg(not(feature = "vault"))]
pub fn preserver(_: &crate::upkeep::VaultHandle) -> Option<std::sync::Arc<dyn Preserver>> {
    None
}

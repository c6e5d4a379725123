//! The guard's decoys: where they go, and whether Samba hides them.

use mamori_core::Lang;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// Walks the shares again every so often in a thread of its own (a walk
/// of a large share takes a while: never in the main loop), so folders
/// that grew large since the start get decoys too.
pub(super) struct Replanner {
    plans: Receiver<Vec<(usize, Vec<PathBuf>)>>,
}

impl Replanner {
    pub fn start(shares: &mamori_watch::Shares, every: Duration) -> Replanner {
        let (sender, plans) = channel();
        let roots: Vec<(usize, PathBuf)> = shares
            .list
            .iter()
            .enumerate()
            .map(|(index, share)| (index, share.root.clone()))
            .collect();
        let _ = std::thread::Builder::new()
            .name("decoy-plan".into())
            .spawn(move || loop {
                // Asleep between walks (no timer tick); it ends at the first
                // walk after the guard stopped, when nobody takes its plans.
                std::thread::park_timeout(every);
                let plans: Vec<_> = roots
                    .iter()
                    .map(|(index, root)| (*index, mamori_judge::decoy::plan(root)))
                    .collect();
                if sender.send(plans).is_err() {
                    return;
                }
            });
        Replanner { plans }
    }

    /// Places decoys in the folders of the latest walk that have none among
    /// `known` yet, registers them with the judge and adds them to `known`.
    pub fn place_new(
        &self,
        known: &mut Vec<(usize, Vec<PathBuf>)>,
        judge: &mut mamori_judge::Judge,
        shares: &mamori_watch::Shares,
    ) {
        let Some(plans) = self.plans.try_iter().last() else {
            return;
        };
        let folders: HashSet<PathBuf> = known
            .iter()
            .flat_map(|(_, paths)| paths.iter().filter_map(|p| p.parent()))
            .map(Path::to_path_buf)
            .collect();
        for (index, planned) in plans {
            let new: Vec<PathBuf> = planned
                .into_iter()
                .filter(|p| p.parent().is_some_and(|dir| !folders.contains(dir)))
                .collect();
            if new.is_empty() {
                continue;
            }
            let paths = match crate::with_own_descriptors(|| mamori_judge::decoy::place(&new)) {
                Ok(paths) => paths,
                Err(e) => {
                    tracing::warn!("{e}");
                    continue;
                }
            };
            register(judge, shares, index, &paths);
            match known.iter_mut().find(|(i, _)| *i == index) {
                Some((_, list)) => list.extend(paths),
                None => known.push((index, paths)),
            }
        }
    }
}

/// Tells the judge where a share's decoys are (`paths` absolute).
pub(super) fn register(
    judge: &mut mamori_judge::Judge,
    shares: &mamori_watch::Shares,
    index: usize,
    paths: &[PathBuf],
) {
    let share = &shares.list[index];
    let rel: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| p.strip_prefix(&share.root).ok().map(Path::to_path_buf))
        .collect();
    judge.register_decoys(&share.name, &rel);
}

/// Says so (once, at start) when users would see the decoys: neither the
/// hidden attribute on them (Samba reads it from `user.DOSATTRIB` unless
/// the share says `store dos attributes = no`) nor a `hide files` line.
pub(super) fn warn_if_visible(
    smb_conf: Option<&Path>,
    placed: &[(usize, Vec<PathBuf>)],
    lang: Lang,
) {
    let conf = smb_conf.unwrap_or(Path::new("/etc/samba/smb.conf"));
    let text = std::fs::read_to_string(conf).unwrap_or_default();
    let marked = placed
        .iter()
        .flat_map(|(_, paths)| paths)
        .all(|p| mamori_judge::decoy::is_marked_hidden(p));
    if hides_decoys(&text) || (marked && !stores_no_dos_attributes(&text)) {
        return;
    }
    eprintln!(
        "mamori guard: {}",
        lang.pick(
            &format!(
                "{} に hide files = {} がなく、おとりファイルに隠し属性を付けられないため、利用者に見えます",
                conf.display(),
                mamori_judge::decoy::SAMBA_HIDE_FILES
            ),
            &format!(
                "{} lacks hide files = {} and the decoys cannot carry the hidden attribute: users will see them",
                conf.display(),
                mamori_judge::decoy::SAMBA_HIDE_FILES
            )
        )
    );
}

/// smb.conf's lines as (parameter name without spaces, value); Samba's
/// parameter names ignore case and spaces.
fn parameters(smb_conf: &str) -> impl Iterator<Item = (String, &str)> {
    smb_conf.lines().filter_map(|line| {
        let (key, value) = line.split_once('=')?;
        let key: String = key.chars().filter(|c| !c.is_whitespace()).collect();
        Some((key.to_ascii_lowercase(), value.trim()))
    })
}

/// Whether a `hide files` line names the decoys' prefix.
fn hides_decoys(smb_conf: &str) -> bool {
    parameters(smb_conf)
        .any(|(key, value)| key == "hidefiles" && value.contains(mamori_judge::decoy::PREFIX))
}

/// Whether some section turns off Samba's DOS attributes in xattrs.
fn stores_no_dos_attributes(smb_conf: &str) -> bool {
    parameters(smb_conf).any(|(key, value)| {
        key == "storedosattributes"
            && ["no", "false", "0"]
                .iter()
                .any(|v| value.eq_ignore_ascii_case(v))
    })
}

/// Puts back the decoys that were changed or deleted; an alert naming
/// them when there were any. The guard's own refresh is the only writer a
/// decoy should ever see, and a change it did not judge (events lost, or a
/// touch before the guard read the file as a decoy) is worth a look.
pub(super) fn refresh(
    decoys: &[(usize, Vec<PathBuf>)],
    shares: &mamori_watch::Shares,
) -> Option<mamori_alert::Alert> {
    let mut rewritten = Vec::new();
    for (index, paths) in decoys {
        match mamori_judge::decoy::refresh(paths) {
            Ok(paths) => {
                let root = &shares.list[*index].root;
                let name = &shares.list[*index].name;
                rewritten.extend(paths.iter().map(|p| {
                    let rel = p.strip_prefix(root).unwrap_or(p);
                    format!("{name}/{}", rel.display())
                }));
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }
    if rewritten.is_empty() {
        return None;
    }
    let list = rewritten.join(", ");
    Some(
        mamori_alert::Alert::new(
            "decoy_restored",
            format!(
                "おとりファイル {} 件が変更または削除されていたため元に戻しました。誰が触ったか確認してください: {list}",
                rewritten.len()
            ),
            format!(
                "{} decoy files had been changed or deleted and were put back; check who touched them: {list}",
                rewritten.len()
            ),
        )
        .with("files", rewritten)
        .with("reason", "decoy changed outside the guard's view"),
    )
}

/// Places the judge's decoy files in every share; (share, absolute paths).
pub(super) fn place(shares: &mamori_watch::Shares) -> Vec<(usize, Vec<PathBuf>)> {
    let mut placed = Vec::new();
    for (index, share) in shares.list.iter().enumerate() {
        let plan = mamori_judge::decoy::plan(&share.root);
        match mamori_judge::decoy::place(&plan) {
            Ok(paths) => placed.push((index, paths)),
            Err(e) => eprintln!("mamori guard: {}: {e}", share.name),
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_puts_back_touched_decoys_and_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("docs");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("見積書.xlsx"), b"x").unwrap();
        let shares = crate::resolve_shares(&[("docs".into(), root.clone())]).unwrap();
        let decoys = place(&shares);
        let paths = &decoys[0].1;
        assert!(!paths.is_empty());
        assert!(refresh(&decoys, &shares).is_none(), "all intact");
        std::fs::write(&paths[0], b"encrypted").unwrap();
        let alert = refresh(&decoys, &shares).expect("an alert");
        let line = alert.to_json().to_string();
        assert!(line.contains("decoy_restored"), "{line}");
        let name = paths[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(line.contains(&format!("docs/{name}")), "{line}");
        assert_ne!(std::fs::read(&paths[0]).unwrap(), b"encrypted");
        assert!(refresh(&decoys, &shares).is_none(), "put back");
    }

    #[test]
    fn a_hide_files_line_naming_the_prefix_hides_the_decoys() {
        assert!(!hides_decoys(""), "missing file");
        assert!(!hides_decoys(
            "[docs]\n   path = /srv/docs\n   hide files = /~$*/\n"
        ));
        assert!(hides_decoys("[docs]\n   hide files = /~$*/!0000_*/\n"));
        assert!(hides_decoys("[docs]\n\tHide Files=/!0000_*/\n"));
    }

    #[test]
    fn store_dos_attributes_off_is_seen_in_any_spelling() {
        assert!(!stores_no_dos_attributes(
            "[global]\n   store dos attributes = yes\n"
        ));
        assert!(!stores_no_dos_attributes("[docs]\n   path = /srv/docs\n"));
        assert!(stores_no_dos_attributes(
            "[docs]\n   Store DOS Attributes = No\n"
        ));
        assert!(stores_no_dos_attributes(
            "[docs]\n\tstoredosattributes=false\n"
        ));
    }
}

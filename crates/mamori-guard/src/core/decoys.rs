//! The guard's decoys: where they go, and whether Samba hides them.

use mamori_core::Lang;
use std::path::{Path, PathBuf};

/// Says so (once, at start) when users would see the decoys.
pub(super) fn warn_if_visible(smb_conf: Option<&Path>, lang: Lang) {
    let conf = smb_conf.unwrap_or(Path::new("/etc/samba/smb.conf"));
    if !hides_decoys(conf) {
        eprintln!(
            "mamori guard: {}",
            lang.pick(
                &format!(
                    "{} に hide files = {} がないため、おとりファイルが利用者に見えます",
                    conf.display(),
                    mamori_judge::decoy::SAMBA_HIDE_FILES
                ),
                &format!(
                    "{} lacks hide files = {}: users will see the decoy files",
                    conf.display(),
                    mamori_judge::decoy::SAMBA_HIDE_FILES
                )
            )
        );
    }
}

/// Whether Samba's configuration hides the decoys (a `hide files` line
/// naming their prefix; a missing or unreadable file counts as no).
fn hides_decoys(smb_conf: &Path) -> bool {
    std::fs::read_to_string(smb_conf).is_ok_and(|text| {
        text.lines().any(|line| {
            // Samba's parameter names ignore case and spaces.
            let key: String = line
                .split('=')
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            key.eq_ignore_ascii_case("hidefiles") && line.contains(mamori_judge::decoy::PREFIX)
        })
    })
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
    fn a_hide_files_line_naming_the_prefix_hides_the_decoys() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("smb.conf");
        assert!(!hides_decoys(&conf), "missing file");
        std::fs::write(
            &conf,
            "[docs]\n   path = /srv/docs\n   hide files = /~$*/\n",
        )
        .unwrap();
        assert!(!hides_decoys(&conf));
        std::fs::write(&conf, "[docs]\n   hide files = /~$*/!0000_*/\n").unwrap();
        assert!(hides_decoys(&conf));
        std::fs::write(&conf, "[docs]\n\tHide Files=/!0000_*/\n").unwrap();
        assert!(hides_decoys(&conf));
    }
}

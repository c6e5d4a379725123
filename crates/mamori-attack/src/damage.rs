//! What an attack left damaged on the share: the victim folder's files
//! before the attack, compared byte for byte with what is there after the
//! guard's block and rollback (read on the server's disk, not over SMB).

use std::collections::BTreeMap;
use std::path::Path;

/// Every regular file under `dir` (relative path → content).
pub fn before(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            // The vault's store when it lives inside the share (root only).
            if entry.file_name() != ".mamori-vault" {
                walk(root, &path, out);
            }
        } else if kind.is_file() {
            if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path)) {
                out.insert(rel.to_string_lossy().into_owned(), bytes);
            }
        }
    }
}

/// The files of `before` that are missing under `dir` or differ.
pub fn still_damaged(dir: &Path, before: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    before
        .iter()
        .filter(|(rel, bytes)| std::fs::read(dir.join(rel)).ok().as_ref() != Some(*bytes))
        .map(|(rel, _)| rel.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_and_changed_files_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["a", "b", "sub/c"] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let snapshot = before(dir.path());
        assert_eq!(snapshot.len(), 3);
        assert!(still_damaged(dir.path(), &snapshot).is_empty());
        std::fs::remove_file(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("sub/c"), "encrypted").unwrap();
        std::fs::write(dir.path().join("new"), "note").unwrap();
        assert_eq!(still_damaged(dir.path(), &snapshot), vec!["a", "sub/c"]);
    }
}

//! A posted file listing against the inventory: which of our files were
//! listed. Names are compared after NFKC and lower-casing; each candidate
//! with the listed name gains for every parent folder that agrees (from the
//! file upwards) and for a size that agrees, and loses for one that does
//! not. A post as a whole counts only if enough of its listing is ours:
//! another company's `総務部/社員名簿.xlsx` matches a name, not a share.

use crate::listing::ListedFile;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// One inventory file, as the index keeps it.
#[derive(Debug, Clone)]
pub struct InventoryFile {
    pub root: String,
    pub share: String,
    /// Relative to the root, `/`-separated (the inventory's path).
    pub path: String,
    pub size: Option<u64>,
    /// Normalised folder names, nearest first.
    parents: Vec<String>,
}

/// Names too common to mean anything alone.
const GENERIC_NAMES: &[&str] = &[
    "readme.txt",
    "readme.md",
    "index.html",
    "desktop.ini",
    "thumbs.db",
    ".ds_store",
    "data.csv",
    "test.txt",
    "list.xlsx",
    "book1.xlsx",
    "新しいテキスト ドキュメント.txt",
    "memo.txt",
    "メモ.txt",
];

pub fn normalize_component(text: &str) -> String {
    text.nfkc()
        .collect::<String>()
        .to_lowercase()
        .trim()
        .to_string()
}

#[derive(Debug, Default)]
pub struct InventoryIndex {
    files: Vec<InventoryFile>,
    by_name: HashMap<String, Vec<usize>>,
}

/// A listed file matched to an inventory file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileHit {
    pub file: usize,
    pub listed: usize,
    pub score: f64,
}

#[derive(Debug, Clone, Default)]
pub struct ListingMatch {
    pub hits: Vec<FileHit>,
    /// Files in the listing (leaves), for the share of the listing matched.
    pub listed: usize,
    pub confidence: f64,
}

impl InventoryIndex {
    pub fn new(files: Vec<(String, String, String, Option<u64>)>) -> Self {
        let mut index = InventoryIndex::default();
        for (root, share, path, size) in files {
            // Archive members are not files on the share.
            if path.contains("!/") {
                continue;
            }
            let mut pieces: Vec<String> = path.split('/').map(normalize_component).collect();
            let Some(name) = pieces.pop() else { continue };
            pieces.reverse();
            let id = index.files.len();
            index.by_name.entry(name).or_default().push(id);
            index.files.push(InventoryFile {
                root,
                share,
                path,
                size,
                parents: pieces,
            });
        }
        index
    }

    /// Every current file of every scanned root.
    pub fn load(state_dir: &std::path::Path) -> Result<Self, mamori_inventory::InventoryError> {
        let inventory = mamori_inventory::Inventory::open(state_dir)?;
        let mut files = Vec::new();
        for (root, share) in inventory.roots()? {
            for record in inventory.listing(&root)? {
                let size = record.stamp.as_ref().map(|s| s.size);
                files.push((root.clone(), share.clone(), record.path, size));
            }
        }
        Ok(Self::new(files))
    }

    /// Changes when the inventory's files (paths or sizes) change.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for file in &self.files {
            (&file.root, &file.path, file.size).hash(&mut hasher);
        }
        hasher.finish()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn file(&self, id: usize) -> &InventoryFile {
        &self.files[id]
    }

    pub fn match_listing(&self, listed: &[ListedFile]) -> ListingMatch {
        let mut result = ListingMatch {
            listed: listed.len(),
            ..ListingMatch::default()
        };
        if self.files.is_empty() || listed.is_empty() {
            return result;
        }
        for (listed_index, entry) in listed.iter().enumerate() {
            let name = normalize_component(entry.name());
            if name.len() < 3 || !name.contains('.') {
                continue;
            }
            let Some(candidates) = self.by_name.get(&name) else {
                continue;
            };
            let parents: Vec<String> = entry.components[..entry.components.len() - 1]
                .iter()
                .rev()
                .map(|c| normalize_component(c))
                .collect();
            let mut scored: Vec<(usize, f64)> = candidates
                .iter()
                .map(|&id| (id, self.score(&self.files[id], entry, &name, &parents)))
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1));
            let (best, mut score) = scored[0];
            // Several of our files fit equally well: the listing does not say which.
            if scored.len() > 1 && scored[1].1 >= score - 1e-9 {
                score *= 0.6;
            }
            if score >= 0.3 {
                result.hits.push(FileHit {
                    file: best,
                    listed: listed_index,
                    score,
                });
            }
        }
        result.confidence = self.confidence(&result);
        result
    }

    fn score(
        &self,
        file: &InventoryFile,
        entry: &ListedFile,
        name: &str,
        parents: &[String],
    ) -> f64 {
        let mut score: f64 = if GENERIC_NAMES.contains(&name) {
            0.2
        } else {
            0.45
        };
        let agreeing = file
            .parents
            .iter()
            .zip(parents.iter())
            .take_while(|(a, b)| a == b)
            .count();
        score += 0.2 * agreeing.min(2) as f64;
        if let (Some(listed), Some(ours)) = (entry.size, file.size) {
            let tolerance = if entry.exact_size {
                0
            } else {
                // "45 KB" or "1.2 MB": a unit's rounding, at least 5 %.
                (ours / 20).max(1024).max(listed / 20)
            };
            if listed.abs_diff(ours) <= tolerance {
                score += 0.3;
            } else {
                score -= 0.35;
            }
        }
        score.clamp(0.0, 1.0)
    }

    /// Post confidence: the hits combined as independent evidence, damped
    /// when only a sliver of a long listing is ours.
    fn confidence(&self, result: &ListingMatch) -> f64 {
        if result.hits.is_empty() {
            return 0.0;
        }
        let miss: f64 = result
            .hits
            .iter()
            .map(|h| 1.0 - h.score.min(0.95))
            .product();
        let combined = 1.0 - miss;
        let fraction = result.hits.len() as f64 / result.listed.max(1) as f64;
        // A listing of our share is mostly ours; many strong hits count
        // even inside a long listing of several servers.
        let strong = result.hits.iter().filter(|h| h.score >= 0.6).count();
        let damping = (0.3 + 0.7 * (fraction * 3.0).min(1.0)).max((strong as f64 / 10.0).min(1.0));
        let single_weak = result.hits.len() == 1 && result.hits[0].score < 0.85;
        let confidence = combined * damping * if single_weak { 0.7 } else { 1.0 };
        (confidence * 100.0).round() / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::parse_listing;

    fn index() -> InventoryIndex {
        InventoryIndex::new(vec![
            (
                "/srv/share".into(),
                "share".into(),
                "総務部/人事/社員名簿.xlsx".into(),
                Some(45056),
            ),
            (
                "/srv/share".into(),
                "share".into(),
                "総務部/人事/扶養控除申告書_2024.xlsx".into(),
                Some(30000),
            ),
            (
                "/srv/share".into(),
                "share".into(),
                "営業部/顧客一覧.csv".into(),
                Some(2048),
            ),
            (
                "/srv/share".into(),
                "share".into(),
                "営業部/old/顧客一覧.csv".into(),
                Some(1000),
            ),
            (
                "/srv/share".into(),
                "share".into(),
                "readme.txt".into(),
                Some(10),
            ),
        ])
    }

    #[test]
    fn a_listing_of_our_share_matches_with_paths() {
        let listing = parse_listing("\\\\fs\\共有\\総務部\\人事\\社員名簿.xlsx  45,056\n\\\\fs\\共有\\総務部\\人事\\扶養控除申告書_2024.xlsx\n\\\\fs\\共有\\営業部\\顧客一覧.csv\n");
        let found = index().match_listing(&listing);
        let paths: Vec<&str> = found
            .hits
            .iter()
            .map(|h| index().file(h.file).path.clone())
            .map(|p| Box::leak(p.into_boxed_str()) as &str)
            .collect();
        assert_eq!(
            paths,
            vec![
                "総務部/人事/社員名簿.xlsx",
                "総務部/人事/扶養控除申告書_2024.xlsx",
                "営業部/顧客一覧.csv"
            ]
        );
        assert!(found.confidence >= 0.9, "{found:?}");
    }

    #[test]
    fn another_companys_generic_names_do_not() {
        let mut text = String::from("readme.txt\nhr/社員名簿.xlsx (120 KB)\n");
        for i in 0..60 {
            text.push_str(&format!("projects/p{i}/drawing_{i}.dwg\n"));
        }
        let found = index().match_listing(&parse_listing(&text));
        assert!(found.confidence < 0.6, "{found:?}");
    }
}

//! The impact assessment (contracts.md §4): the incident's files joined with
//! the inventory taken before the attack.

use crate::law::{Deadlines, Triggers};
use crate::{IncidentError, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use mamori_core::{Category, DataItem};
use mamori_inventory::{FileRecord, Inventory};
use mamori_journal::{Incident, IncidentSource, Touch, TouchOp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct AssessOptions {
    /// When the organisation learnt of it, if not the journal's `discovered`.
    pub discovered: Option<DateTime<Utc>>,
    /// Overrides the malicious-purpose judgement (default: every guard,
    /// sweep or leak incident is an attack).
    pub malicious: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectAssessment {
    /// Distinct persons whose data was in the affected files.
    pub persons: usize,
    /// Items held about them, in vocabulary order.
    pub items: BTreeSet<DataItem>,
    /// Affected files of this category (addition to the contract).
    #[serde(default)]
    pub files: usize,
}

/// The JSON of `mamori incident assess` (contract fields first, additions after).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assessment {
    pub version: u32,
    pub incident: String,
    /// RFC 3339.
    pub discovered: String,
    /// Personal-data files the attacker changed, renamed, deleted, read or leaked.
    pub files: usize,
    pub subjects: BTreeMap<String, SubjectAssessment>,
    /// Sum over categories (a person in two roles counts in both, as in the scan report).
    pub persons: usize,
    pub triggers: Triggers,
    pub deadlines: Deadlines,
    // Additions.
    pub share: String,
    /// RFC 3339: the first malicious action known.
    pub started: String,
    /// Distinct files the incident touched (personal or not, ransom notes excluded).
    pub touched: usize,
    /// Touched files the inventory never saw: content unknown, to be checked by a person.
    pub not_in_inventory: usize,
    /// Ransom notes the attacker left.
    pub ransom_notes: usize,
    /// Whether files were read or listed on a leak site (漏えい) rather than only encrypted.
    pub exfiltration_known: bool,
    /// The inventory root the files were joined with.
    pub root: String,
    /// Affected personal-data files (inventory paths) with their category.
    #[serde(skip)]
    pub affected: Vec<(String, Category)>,
}

/// What the incident did, per original file name (renames followed back).
#[derive(Debug, Default)]
pub struct Affected {
    /// Original path → the strongest operation seen.
    pub files: BTreeMap<String, TouchOp>,
    pub ransom_notes: usize,
    pub read_or_leaked: bool,
}

/// Follows renames back to the names the inventory knows. Created files
/// and ransom notes are the attacker's own, not victims' data; the guard's
/// decoys are bait, nobody's data either.
pub fn affected_files(touches: &[Touch]) -> Affected {
    let mut origin: HashMap<&str, &str> = HashMap::new();
    let mut out = Affected::default();
    // Decoys and whatever names they were renamed to.
    let mut bait: HashSet<&str> = HashSet::new();
    for touch in touches {
        let from = touch.from.as_deref().unwrap_or(&touch.path);
        if mamori_core::is_decoy_path(from) || bait.contains(from) {
            if touch.op == TouchOp::Rename {
                bait.insert(touch.path.as_str());
            }
            continue;
        }
        let original_of = |p: &str, origin: &HashMap<&str, &str>| -> String {
            origin
                .get(p)
                .map(|o| o.to_string())
                .unwrap_or_else(|| p.to_string())
        };
        match touch.op {
            TouchOp::Create => {}
            TouchOp::RansomNote => out.ransom_notes += 1,
            TouchOp::Rename => {
                let from = touch.from.as_deref().unwrap_or(touch.path.as_str());
                let original = origin.get(from).copied().unwrap_or(from);
                origin.insert(touch.path.as_str(), original);
                out.files
                    .entry(original.to_string())
                    .or_insert(TouchOp::Rename);
            }
            op => {
                if matches!(op, TouchOp::Read | TouchOp::Leaked) {
                    out.read_or_leaked = true;
                }
                let original = original_of(&touch.path, &origin);
                out.files.insert(original, op);
            }
        }
    }
    out
}

/// The inventory root of an incident's share: its directory as scanned
/// (canonical), else the only root scanned under the share's name.
pub fn inventory_root(inventory: &Inventory, incident: &Incident) -> Result<String> {
    let roots = inventory.roots()?;
    let given = incident.share_root.to_string_lossy().to_string();
    let canonical = std::fs::canonicalize(&incident.share_root)
        .map(|p| p.to_string_lossy().to_string())
        .unwrap_or_else(|_| given.clone());
    for candidate in [&canonical, &given] {
        if roots.iter().any(|(root, _)| root == candidate) {
            return Ok(candidate.clone());
        }
    }
    let by_name: Vec<&(String, String)> = roots
        .iter()
        .filter(|(_, share)| *share == incident.share)
        .collect();
    match by_name.as_slice() {
        [(root, _)] => Ok(root.clone()),
        _ => Err(IncidentError::NotScanned {
            share: incident.share.clone(),
            root: given,
        }),
    }
}

/// Index of a root's files by path, with archive members found by prefix.
struct Listing {
    files: BTreeMap<String, FileRecord>,
}

impl Listing {
    /// The personal-data entries of `path`: itself, or an archive's members.
    fn personal<'a>(&'a self, path: &str) -> Vec<&'a FileRecord> {
        let mut out = Vec::new();
        if let Some(record) = self.files.get(path) {
            if record.category.is_some() {
                out.push(record);
            }
        }
        let (from, to) = (format!("{path}!/"), format!("{path}!0"));
        out.extend(
            self.files
                .range(from..to)
                .map(|(_, r)| r)
                .filter(|r| r.category.is_some()),
        );
        out
    }

    fn knows(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
}

/// Assesses one incident of `state_dir`'s journal against its inventory.
pub fn assess(
    state_dir: &Path,
    incident: &Incident,
    touches: &[Touch],
    options: &AssessOptions,
) -> Result<Assessment> {
    let inventory = Inventory::open(state_dir)?;
    assess_with(&inventory, incident, touches, options)
}

pub fn assess_with(
    inventory: &Inventory,
    incident: &Incident,
    touches: &[Touch],
    options: &AssessOptions,
) -> Result<Assessment> {
    let root = inventory_root(inventory, incident)?;
    let listing = Listing {
        files: inventory
            .listing(&root)?
            .into_iter()
            .map(|r| (r.path.clone(), r))
            .collect(),
    };
    let affected = affected_files(touches);
    let mut personal_paths = Vec::new();
    let mut affected_list = Vec::new();
    let mut files_by_category: BTreeMap<Category, usize> = BTreeMap::new();
    let mut not_in_inventory = 0;
    for path in affected.files.keys() {
        let entries = listing.personal(path);
        if entries.is_empty() {
            if !listing.knows(path) {
                not_in_inventory += 1;
            }
            continue;
        }
        let mut categories: BTreeSet<&Category> = BTreeSet::new();
        for record in &entries {
            if let Some(category) = &record.category {
                categories.insert(category);
            }
        }
        for category in categories {
            *files_by_category.entry(category.clone()).or_default() += 1;
            affected_list.push((path.clone(), category.clone()));
        }
        personal_paths.push(path.clone());
    }
    let subjects = inventory.subjects_of_files(&root, &personal_paths)?;

    let mut out_subjects = BTreeMap::new();
    let mut all_items = BTreeSet::new();
    let mut persons = 0;
    let mut my_number_persons = 0;
    for (category, subject) in subjects {
        persons += subject.persons;
        if subject.items.contains(&DataItem::MyNumber) {
            my_number_persons += subject.persons;
        }
        all_items.extend(subject.items.iter().copied());
        out_subjects.insert(
            category.id().to_string(),
            SubjectAssessment {
                persons: subject.persons,
                items: subject.items,
                files: files_by_category.get(&category).copied().unwrap_or(0),
            },
        );
    }
    let malicious = options.malicious.unwrap_or(matches!(
        incident.source,
        IncidentSource::Guard | IncidentSource::Sweep | IncidentSource::Leak
    ));
    let discovered = options.discovered.unwrap_or(incident.discovered);
    let triggers = Triggers::evaluate(&all_items, persons, my_number_persons, malicious);
    Ok(Assessment {
        version: 1,
        incident: incident.id.clone(),
        discovered: discovered.to_rfc3339_opts(SecondsFormat::Secs, true),
        files: personal_paths.len(),
        subjects: out_subjects,
        persons,
        triggers,
        deadlines: Deadlines::from_discovery(discovered, triggers.malicious),
        share: incident.share.clone(),
        started: incident.started.to_rfc3339_opts(SecondsFormat::Secs, true),
        touched: affected.files.len(),
        not_in_inventory,
        ransom_notes: affected.ransom_notes,
        exfiltration_known: affected.read_or_leaked
            || matches!(incident.source, IncidentSource::Leak),
        root,
        affected: affected_list,
    })
}

impl Assessment {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// The discovery time parsed back (it was written by [`assess_with`]).
    pub fn discovered_at(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.discovered)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    /// Items across all categories.
    pub fn all_items(&self) -> BTreeSet<DataItem> {
        self.subjects
            .values()
            .flat_map(|s| s.items.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_lead_back_to_the_original() {
        let mut a = Touch::new(TouchOp::Rename, "x.csv.tmp");
        a.from = Some("x.csv".into());
        let mut b = Touch::new(TouchOp::Rename, "x.csv.locked");
        b.from = Some("x.csv.tmp".into());
        let touches = vec![
            a,
            Touch::new(TouchOp::Modify, "x.csv.tmp"),
            b,
            Touch::new(TouchOp::Create, "new.bin"),
            Touch::new(TouchOp::RansomNote, "README.txt"),
            Touch::new(TouchOp::Delete, "y.csv"),
        ];
        let affected = affected_files(&touches);
        assert_eq!(
            affected.files.keys().collect::<Vec<_>>(),
            vec!["x.csv", "y.csv"]
        );
        assert_eq!(affected.ransom_notes, 1);
        assert!(!affected.read_or_leaked);
    }

    #[test]
    fn decoys_are_nobodys_data() {
        let mut renamed = Touch::new(TouchOp::Rename, "部署/!0000_顧客台帳_2024.xlsx.locked");
        renamed.from = Some("部署/!0000_顧客台帳_2024.xlsx".into());
        let touches = vec![
            Touch::new(TouchOp::Delete, "部署/!0000_見積書_最新版_017.docx"),
            renamed,
            Touch::new(TouchOp::Modify, "部署/!0000_顧客台帳_2024.xlsx.locked"),
            Touch::new(TouchOp::Delete, "部署/名簿.csv"),
        ];
        let affected = affected_files(&touches);
        assert_eq!(
            affected.files.keys().collect::<Vec<_>>(),
            vec!["部署/名簿.csv"]
        );
    }
}

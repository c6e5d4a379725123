//! The truth of a generated share, and the writer context that records it as
//! each file is written (the only way department code can create a file).

use crate::encodings::{render_table, render_text, Format, Table};
use crate::SampleError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// Relative path (`/` separators, UTF-8 name) → what the file holds.
    pub files: BTreeMap<String, FileTruth>,
    /// Category id → distinct persons and items across the share.
    pub subjects: BTreeMap<String, SubjectTruth>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTruth {
    /// Data-subject category id; `None` = no personal data.
    pub category: Option<String>,
    /// Data-item ids present in the file.
    pub items: BTreeSet<String>,
    /// Person records (roster rows about natural persons; 1 for a resume).
    pub records: u64,
    /// Encoding the file was written in (informative, for tests and triage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Subject ids of the persons the file is about (sorted, distinct): the
    /// truth of any subset of files, e.g. those an attack touched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<usize>,
    /// The file cannot be read (image-only PDF, legacy .doc, encrypted
    /// member): the scanner must list it with an `error`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub error: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectTruth {
    pub persons: usize,
    pub items: BTreeSet<String>,
}

impl Truth {
    pub fn write_json(&self, path: &Path) -> Result<(), SampleError> {
        let json = serde_json::to_string_pretty(self)?;
        std::fs::write(path, json).map_err(|e| SampleError::io(path, e))
    }

    pub fn read_json(path: &Path) -> Result<Truth, SampleError> {
        let s = std::fs::read_to_string(path).map_err(|e| SampleError::io(path, e))?;
        Ok(serde_json::from_str(&s)?)
    }

    /// Distinct persons and items per category over the files `include`
    /// accepts: what an incident touching those files affected.
    pub fn subjects_of(&self, include: impl Fn(&str) -> bool) -> BTreeMap<String, SubjectTruth> {
        let mut ids: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        let mut out: BTreeMap<String, SubjectTruth> = BTreeMap::new();
        for (path, file) in self.personal_files() {
            let Some(category) = &file.category else {
                continue;
            };
            if !include(path) {
                continue;
            }
            ids.entry(category.clone())
                .or_default()
                .extend(file.persons.iter().copied());
            out.entry(category.clone())
                .or_default()
                .items
                .extend(file.items.iter().cloned());
        }
        for (category, set) in ids {
            if let Some(subject) = out.get_mut(&category) {
                subject.persons = set.len();
            }
        }
        out
    }

    /// Files that hold personal data.
    pub fn personal_files(&self) -> impl Iterator<Item = (&String, &FileTruth)> {
        self.files.iter().filter(|(_, f)| f.category.is_some())
    }
}

/// What a written file is about: its category and the persons in it.
#[derive(Clone, Copy)]
pub struct About<'a> {
    pub category: Option<&'static str>,
    /// Subject ids of the persons the file is about (distinct count per
    /// category comes from these).
    pub persons: &'a [usize],
    /// Person records; usually `persons.len()`.
    pub records: u64,
}

impl<'a> About<'a> {
    pub fn none() -> About<'static> {
        About {
            category: None,
            persons: &[],
            records: 0,
        }
    }
    pub fn of(category: &'static str, persons: &'a [usize]) -> About<'a> {
        About {
            category: Some(category),
            persons,
            records: persons.len() as u64,
        }
    }
}

/// Writes files under the root and records their truth.
pub struct Writer<'r> {
    root: &'r Path,
    /// Store tables and documents in Office files, PDFs, mail and archives
    /// (see [`crate::office`]).
    pub(crate) containers: bool,
    truth: Truth,
    seen: BTreeMap<String, BTreeSet<usize>>,
}

impl<'r> Writer<'r> {
    pub fn new(root: &'r Path) -> Self {
        Writer {
            root,
            containers: false,
            truth: Truth::default(),
            seen: BTreeMap::new(),
        }
    }

    pub fn table(
        &mut self,
        rel: &str,
        t: &Table,
        fmt: Format,
        about: About<'_>,
    ) -> Result<(), SampleError> {
        if self.containers && crate::office::table(self, rel, t, fmt, about)? {
            return Ok(());
        }
        let bytes = render_table(t, fmt)?;
        let items = if about.category.is_some() {
            t.items()
        } else {
            BTreeSet::new()
        };
        self.bytes(rel, &bytes, Some(fmt), items, about)
    }

    pub fn text(
        &mut self,
        rel: &str,
        body: &str,
        fmt: Format,
        items: &[&str],
        about: About<'_>,
    ) -> Result<(), SampleError> {
        let items: BTreeSet<String> = items.iter().map(|s| s.to_string()).collect();
        if self.containers && crate::office::text(self, rel, body, fmt, items.clone(), about)? {
            return Ok(());
        }
        let bytes = render_text(body, fmt)?;
        self.bytes(rel, &bytes, Some(fmt), items, about)
    }

    pub fn bytes(
        &mut self,
        rel: &str,
        bytes: &[u8],
        fmt: Option<Format>,
        items: BTreeSet<String>,
        about: About<'_>,
    ) -> Result<(), SampleError> {
        self.write_file(rel, bytes)?;
        self.truth_only(rel, items, about, fmt, false);
        Ok(())
    }

    /// A container file: written, with its own truth.
    pub(crate) fn file(
        &mut self,
        rel: &str,
        bytes: &[u8],
        items: BTreeSet<String>,
        about: About<'_>,
        fmt: Option<Format>,
    ) -> Result<(), SampleError> {
        self.bytes(rel, bytes, fmt, items, about)
    }

    /// A file the scanner must list with an error (and no data).
    pub(crate) fn file_with_error(&mut self, rel: &str, bytes: &[u8]) -> Result<(), SampleError> {
        self.write_file(rel, bytes)?;
        self.truth_only(rel, BTreeSet::new(), About::none(), None, true);
        Ok(())
    }

    fn write_file(&mut self, rel: &str, bytes: &[u8]) -> Result<(), SampleError> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SampleError::io(dir, e))?;
        }
        if self.truth.files.contains_key(rel) {
            return Err(SampleError::Duplicate(rel.to_string()));
        }
        std::fs::write(&path, bytes).map_err(|e| SampleError::io(&path, e))
    }

    /// Records the truth of a file (or an archive member, `a.zip!/b.csv`)
    /// without writing anything.
    pub(crate) fn truth_only(
        &mut self,
        rel: &str,
        items: BTreeSet<String>,
        about: About<'_>,
        fmt: Option<Format>,
        error: bool,
    ) {
        let items = if about.category.is_some() {
            items
        } else {
            BTreeSet::new()
        };
        if let Some(cat) = about.category {
            let subj = self.truth.subjects.entry(cat.to_string()).or_default();
            subj.items.extend(items.iter().cloned());
            self.seen
                .entry(cat.to_string())
                .or_default()
                .extend(about.persons);
        }
        self.truth.files.insert(
            rel.to_string(),
            FileTruth {
                category: about.category.map(str::to_string),
                items,
                records: if about.category.is_some() {
                    about.records
                } else {
                    0
                },
                encoding: fmt.map(|f| f.enc().label().to_string()),
                persons: if about.category.is_some() {
                    let mut ids = about.persons.to_vec();
                    ids.sort_unstable();
                    ids.dedup();
                    ids
                } else {
                    Vec::new()
                },
                error,
            },
        );
    }

    pub fn finish(mut self) -> Truth {
        for (cat, ids) in &self.seen {
            if let Some(s) = self.truth.subjects.get_mut(cat) {
                s.persons = ids.len();
            }
        }
        self.truth
    }
}

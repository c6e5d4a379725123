//! The scan pipeline: walk → extract → detect → categorise → inventory → report.
//!
//! Design: the pipeline is a library so that `mamori scan`, `mamori demo`,
//! the tests and the benchmarks run exactly the same code. Files are read in
//! parallel (rayon, `--jobs`), each in isolation (a parser panic becomes
//! that file's error), and written to the inventory in batches, so memory is
//! bounded by the batch, not by the share. Rescans are incremental: a file
//! whose stamp (size, mtime, ctime, inode) is unchanged is not read again;
//! its stored result is reported. The report is built from the inventory,
//! so an incremental scan reports exactly what a full scan would.
//!
//! Invariants: a scan only reads (files are opened read-only, with
//! O_NOATIME where allowed); the state directory is never scanned even when
//! it lies under a scanned root; raw identifiers stay inside mamori-detect.

pub mod config;
pub mod contacts;
mod contained;
#[doc(hidden)]
pub mod floor;
mod process;
pub mod report;
pub mod summary;

pub use config::{default_state_dir, key_path, ConfigError, ScanConfig};
pub use report::{FileReport, Report, ScanStats, SubjectReport};

use mamori_core::HashKey;
use mamori_detect::{Categorizer, Detector};
use mamori_extract::{walk, Limits, WalkEntry};
use mamori_inventory::{FileRecord, Inventory, InventoryError};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot scan {path}: {reason}")]
    Root { path: String, reason: String },
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    #[error(transparent)]
    Key(#[from] mamori_core::secret::KeyError),
    #[error(transparent)]
    Config(#[from] mamori_detect::category::CategoryError),
    #[error("cannot start {jobs} scanning threads: {reason}")]
    Threads { jobs: usize, reason: String },
}

pub struct ScanOptions {
    pub state_dir: PathBuf,
    /// Reading threads; 0 = one per core.
    pub jobs: usize,
    pub config: ScanConfig,
    pub limits: Limits,
    /// Confirm names with the IPADIC dictionary when it is installed.
    pub morphology: bool,
    /// Seals each file's contacts into the inventory (the sealed contact
    /// index); `None`: contacts are neither captured nor stored.
    pub contact_sealer: Option<std::sync::Arc<dyn mamori_core::ContactSealer>>,
    /// Limits on what one Office file, PDF, mail or archive may expand to.
    pub formats: mamori_formats::Limits,
    /// Read image-only PDFs with Tesseract (`--ocr`) where it is installed.
    pub ocr: bool,
}

impl ScanOptions {
    pub fn new(state_dir: PathBuf) -> Self {
        ScanOptions {
            state_dir,
            jobs: 0,
            config: ScanConfig::default(),
            limits: Limits::default(),
            morphology: true,
            contact_sealer: None,
            formats: mamori_formats::Limits::default(),
            ocr: false,
        }
    }
}

/// Told of progress; called from scanning threads.
pub trait Progress: Sync {
    fn started(&self, _files_to_read: u64, _bytes_to_read: u64) {}
    fn file_done(&self, _bytes: u64) {}
}

pub struct NoProgress;
impl Progress for NoProgress {}

/// Files, and person records, written to the inventory per transaction.
const BATCH: usize = 256;
const BATCH_PERSONS: usize = 100_000;

pub fn scan(
    paths: &[PathBuf],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> Result<Report, ScanError> {
    let started = Instant::now();
    let mut inventory = Inventory::open(&options.state_dir)?;
    let key = HashKey::load_or_create(&key_path(&options.state_dir))?;
    let detector = if options.morphology {
        Detector::with_lazy_morphology(key)
    } else {
        Detector::new(key, None)
    }
    .with_contacts(options.contact_sealer.is_some());
    let mut stats = ScanStats::default();
    mamori_formats::pdf::set_ocr(options.ocr);
    let categorizer = Categorizer::new(&options.config.category)?;
    let excludes = options
        .config
        .exclude
        .iter()
        .filter_map(|g| glob_regex(g))
        .collect::<Vec<_>>();
    let state_dir =
        std::fs::canonicalize(&options.state_dir).unwrap_or_else(|_| options.state_dir.clone());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
        .map_err(|e| ScanError::Threads {
            jobs: options.jobs,
            reason: e.to_string(),
        })?;

    let multiple = paths.len() > 1;
    let mut files = Vec::new();
    let mut root_keys = Vec::new();
    for given in paths {
        let root = std::fs::canonicalize(given).map_err(|e| ScanError::Root {
            path: given.display().to_string(),
            reason: e.to_string(),
        })?;
        let root_key = root.to_string_lossy().to_string();
        let share = root
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| root_key.clone());
        let stored = inventory.stamps(&root_key)?;
        let scan_id = inventory.begin_scan(&root_key, &share)?;

        let mut unchanged = Vec::new();
        let mut to_read = Vec::new();
        let mut errors = Vec::new();
        for entry in walk(&root) {
            if entry.abs().starts_with(&state_dir) {
                continue;
            }
            // Excluded by configuration: listed (every file appears in the report), never read.
            if let WalkEntry::File { rel, .. } = &entry {
                if excludes.iter().any(|re| re.is_match(rel)) {
                    errors.push(FileRecord::empty(rel.clone()));
                    continue;
                }
            }
            match entry {
                WalkEntry::File { abs, rel, stamp } => {
                    let same = stored.get(&rel).is_some_and(|s| {
                        s.size == stamp.size
                            && s.mtime_ns == stamp.mtime_ns
                            && s.ctime_ns == stamp.ctime_ns
                            && s.inode == stamp.inode
                    });
                    if same {
                        unchanged.push(rel);
                    } else {
                        to_read.push((abs, rel, stamp));
                    }
                }
                WalkEntry::Error { rel, reason, .. } => errors.push(FileRecord {
                    error: Some(reason),
                    ..FileRecord::empty(rel)
                }),
                WalkEntry::Skipped { abs, reason, .. } => {
                    stats.skipped += 1;
                    tracing::info!("skipped {}: {reason}", abs.display());
                }
            }
        }
        // A share that did not mount looks empty: refuse to forget its files.
        let seen = unchanged.len() + to_read.len() + errors.len();
        if seen == 0 && !stored.is_empty() {
            return Err(ScanError::Root {
                path: given.display().to_string(),
                reason: format!("it is empty now but held {} files at the last scan (not mounted?); the inventory was left as it was", stored.len()),
            });
        }
        progress.started(to_read.len() as u64, to_read.iter().map(|t| t.2.size).sum());
        let bytes_read = AtomicU64::new(0);
        // Readers send each file's record as soon as it is done; this thread
        // writes them in batches. The channel is bounded, so memory holds a
        // few files' records whatever the share size.
        let (tx, rx) = std::sync::mpsc::sync_channel::<FileRecord>(options.jobs.max(2) * 2);
        let write_result = std::thread::scope(|scope| {
            let readers = scope.spawn(|| {
                pool.install(|| {
                    to_read
                        .par_iter()
                        .for_each_with(tx, |tx, (abs, rel, stamp)| {
                            let ctx = process::Ctx {
                                detector: &detector,
                                categorizer: &categorizer,
                                limits: &options.limits,
                                formats: &options.formats,
                                sealer: options.contact_sealer.as_deref(),
                            };
                            let done = process::process(abs, rel, *stamp, &ctx);
                            bytes_read.fetch_add(done.bytes, Ordering::Relaxed);
                            progress.file_done(stamp.size);
                            for record in done.records {
                                // A closed channel means the writer failed; its error is reported.
                                let _ = tx.send(record);
                            }
                        })
                })
            });
            let mut batch: Vec<FileRecord> = Vec::new();
            let mut persons_in_batch = 0usize;
            let mut result = Ok(());
            for record in rx {
                persons_in_batch += record.persons.len();
                batch.push(record);
                if batch.len() >= BATCH || persons_in_batch >= BATCH_PERSONS {
                    result = inventory.record_files(scan_id, &root_key, &batch);
                    batch.clear();
                    persons_in_batch = 0;
                    if result.is_err() {
                        break;
                    }
                }
            }
            if result.is_ok() && !batch.is_empty() {
                result = inventory.record_files(scan_id, &root_key, &batch);
            }
            let _ = readers.join();
            result
        });
        write_result?;
        inventory.record_files(scan_id, &root_key, &errors)?;
        inventory.mark_unchanged(scan_id, &root_key, &unchanged)?;
        let counts = inventory.finish_scan(scan_id, &root_key)?;
        stats.bytes_read += bytes_read.load(Ordering::Relaxed);
        stats.new += counts.new;
        stats.changed += counts.changed;
        stats.unchanged += counts.unchanged;
        stats.deleted += counts.deleted;

        let given_text = given.display().to_string();
        for record in inventory.listing(&root_key)? {
            stats.errors += u64::from(record.error.is_some());
            files.push(FileReport {
                path: if multiple {
                    format!("{}/{}", given_text.trim_end_matches('/'), record.path)
                } else {
                    record.path
                },
                category: record.category.map(|c| c.id().to_string()),
                items: record.items,
                records: record.records,
                error: record.error,
            });
        }
        root_keys.push(root_key);
    }
    stats.files = files.len() as u64;
    if let Some(reason) = detector.morphology_error() {
        tracing::warn!(
            "name morphology unavailable, using label and honorific rules only: {reason}"
        );
    }
    stats.morphology = options.morphology && detector.morphology_error().is_none();
    inventory.end_writes()?;
    release_free_memory();
    // One count over every root given, so a person in two shares counts once.
    let subjects = inventory
        .subjects_of_roots(&root_keys)?
        .into_iter()
        .map(|(category, s)| {
            (
                category.id().to_string(),
                SubjectReport {
                    persons: s.persons,
                    items: s.items,
                },
            )
        })
        .collect();
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(Report {
        version: 1,
        root: if multiple {
            String::new()
        } else {
            paths
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        },
        files,
        subjects,
        scan: stats,
    })
}

/// Hands the readers' freed memory back to the system before persons are
/// counted: glibc keeps it in the reading threads' arenas, where the
/// counter (on this thread) cannot reuse it, so the counter's key buffer
/// would come on top of it at the scan's peak. (The `mamori` binary
/// allocates through mimalloc, which purges freed pages itself; the call
/// matters to other programs linking this library with glibc's malloc.)
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only returns free pages of the allocator's arenas
    // to the system; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

fn glob_regex(glob: &str) -> Option<regex_lite::Regex> {
    let mut re = String::from("(^|/)");
    for c in glob.chars() {
        match c {
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            _ => re.push_str(&regex_lite::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex_lite::Regex::new(&re).ok()
}

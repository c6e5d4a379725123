//! `mamori incident sweep`: reconstructs an incident on a share that was hit
//! while no guard was running.
//!
//! Evidence, per file, cheapest first:
//! - **ransom notes**: a note-like name (README, HOW_TO_DECRYPT, RESTORE-MY-FILES …)
//!   whose text speaks of encryption, decryption or payment;
//! - **a new uniform extension**: `report.csv.locked` — an extension nobody
//!   uses, appended to a known one, on several files;
//! - **content that no longer matches its type**: Office/zip files without
//!   their zip signatures at the head or the central directory at the tail,
//!   PDF/PNG/JPEG/GIF without their magic, and text files with a region
//!   (head, middle, tail are sampled, because partial encryption is the
//!   norm) that looks like ciphertext (near-maximal byte entropy *and*
//!   control bytes, which no text encoding produces).
//!
//! The attack window is the span of the encrypted files' and notes'
//! modification times. Renamed files are mapped back to the names the
//! inventory knows, so `assess` can join them.

use crate::{IncidentError, Result};
use chrono::{DateTime, Utc};
use mamori_journal::{Incident, IncidentSource, Journal, Touch, TouchOp};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Extensions of ordinary documents; anything else appended to one is suspect.
const KNOWN: &[&str] = &[
    "txt", "csv", "tsv", "md", "log", "json", "xml", "html", "htm", "eml", "ini", "conf", "yaml",
    "yml", "sql", "docx", "xlsx", "pptx", "docm", "xlsm", "odt", "ods", "odp", "zip", "pdf", "png",
    "jpg", "jpeg", "gif", "doc", "xls", "ppt", "msg", "rtf", "bmp", "tif", "tiff", "7z", "rar",
    "gz", "tar", "lzh", "bak", "old", "tmp", "dat", "bin", "mp4", "mov", "heic", "jtd",
];
const TEXT: &[&str] = &[
    "txt", "csv", "tsv", "md", "log", "json", "xml", "html", "htm", "eml", "ini", "conf", "yaml",
    "yml", "sql",
];
const ZIP: &[&str] = &[
    "docx", "xlsx", "pptx", "docm", "xlsm", "odt", "ods", "odp", "zip",
];
const NOTE_NAMES: &[&str] = &[
    "readme", "read_me", "read-me", "how_to", "how-to", "decrypt", "restore", "recover", "ransom",
    "unlock", "復号", "復元",
];
const NOTE_WORDS: &[&str] = &[
    "encrypt",
    "decrypt",
    "bitcoin",
    "btc",
    "monero",
    ".onion",
    "ransom",
    "tor browser",
    "your files",
    "暗号化",
    "復号",
    "身代金",
    "ビットコイン",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Encrypted (content broken); `original` is the name before the attacker's rename.
    Encrypted {
        path: String,
        original: Option<String>,
        reason: &'static str,
    },
    RansomNote {
        path: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// When the organisation learnt of it (default: now).
    pub discovered: Option<DateTime<Utc>>,
    /// Paths never looked at (the state directory when it lies in the share).
    pub exclude: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct SweepResult {
    pub incident: Incident,
    pub touches: Vec<Touch>,
    pub encrypted: usize,
    pub notes: usize,
    pub extension: Option<String>,
}

fn ext_of(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_lowercase())
}

fn entropy(bytes: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Near-maximal entropy for its length and bytes no text encoding writes.
pub fn looks_like_ciphertext(region: &[u8]) -> bool {
    let n = region.len();
    if n < 32 {
        return false;
    }
    let control = region
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, 0 | 9 | 10 | 12 | 13 | 27)) || b == 0x7f)
        .count();
    // Expected plug-in entropy of n uniform bytes, less a margin.
    let expected = 8.0 - 255.0 / (2.0 * n as f64 * std::f64::consts::LN_2);
    let threshold = (expected - 0.5).min(7.5);
    entropy(region) >= threshold && control * 100 >= n * 3
}

/// Head, middle and tail regions of up to 4 KiB.
fn regions(file: &mut std::fs::File, size: u64) -> std::io::Result<Vec<Vec<u8>>> {
    const REGION: u64 = 4096;
    let mut offsets = vec![0];
    if size > 2 * REGION {
        offsets.push(size / 2 - REGION / 2);
    }
    if size > REGION {
        offsets.push(size - REGION);
    }
    let mut out = Vec::new();
    for offset in offsets {
        file.seek(SeekFrom::Start(offset))?;
        let mut buffer = Vec::with_capacity(REGION as usize);
        file.by_ref().take(REGION).read_to_end(&mut buffer)?;
        out.push(buffer);
    }
    Ok(out)
}

/// Why the content does not match what `ext` promises, if it does not.
fn broken_content(path: &Path, ext: &str) -> std::io::Result<Option<&'static str>> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size == 0 {
        return Ok(None);
    }
    let parts = regions(&mut file, size)?;
    let head = parts.first().map(Vec::as_slice).unwrap_or(&[]);
    let tail = parts.last().map(Vec::as_slice).unwrap_or(&[]);
    let reason = if ZIP.contains(&ext) {
        let signed = head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06");
        let directory = tail.windows(4).any(|w| w == b"PK\x05\x06");
        (!signed || !directory).then_some("zip structure broken")
    } else if ext == "pdf" {
        (!head.windows(5).take(1024).any(|w| w == b"%PDF-")).then_some("no PDF header")
    } else if ext == "png" {
        (!head.starts_with(b"\x89PNG")).then_some("no PNG header")
    } else if ext == "jpg" || ext == "jpeg" {
        (!head.starts_with(b"\xff\xd8\xff")).then_some("no JPEG header")
    } else if ext == "gif" {
        (!head.starts_with(b"GIF8")).then_some("no GIF header")
    } else if TEXT.contains(&ext) {
        parts
            .iter()
            .any(|r| looks_like_ciphertext(r))
            .then_some("text replaced by ciphertext")
    } else {
        // Archives, media and binaries are high-entropy by nature: only a
        // rename tells their encryption.
        None
    };
    Ok(reason)
}

fn is_ransom_note(path: &Path, name: &str) -> bool {
    let lower = name.to_lowercase();
    let note_ext = matches!(
        ext_of(&lower).as_deref(),
        Some("txt" | "html" | "htm" | "hta" | "rtf")
    );
    if !note_ext || !NOTE_NAMES.iter().any(|w| lower.contains(w)) {
        return false;
    }
    let mut text = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut text));
    if read.is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&text).to_lowercase();
    NOTE_WORDS.iter().filter(|w| text.contains(*w)).count() >= 2
}

/// What [`find`] found: the evidence, the attack's extension if any, and
/// each piece of evidence's modification time.
pub type Found = (
    Vec<Finding>,
    Option<String>,
    BTreeMap<String, DateTime<Utc>>,
);

/// Finds encrypted files and ransom notes under `root` (paths relative to it).
pub fn find(root: &Path, exclude: &[PathBuf]) -> Result<Found> {
    struct Entry {
        rel: String,
        abs: PathBuf,
        name: String,
        mtime: DateTime<Utc>,
    }
    let mut entries = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = entry.map_err(|e| IncidentError::Io {
            path: e.path().unwrap_or(root).to_path_buf(),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("walk failed")),
        })?;
        if !entry.file_type().is_file() || exclude.iter().any(|x| entry.path().starts_with(x)) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let mtime = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .map(DateTime::<Utc>::from)
            .unwrap_or_else(Utc::now);
        entries.push(Entry {
            name: entry.file_name().to_string_lossy().to_string(),
            abs: entry.path().to_path_buf(),
            rel,
            mtime,
        });
    }
    // A new extension appended to known ones on several files.
    let mut appended: BTreeMap<String, usize> = BTreeMap::new();
    for e in &entries {
        if let Some((stem, outer)) = e.name.rsplit_once('.') {
            let outer = outer.to_lowercase();
            let inner = ext_of(stem);
            if !KNOWN.contains(&outer.as_str())
                && inner.is_some_and(|i| KNOWN.contains(&i.as_str()))
            {
                *appended.entry(outer).or_default() += 1;
            }
        }
    }
    let extension = appended
        .iter()
        .filter(|(_, n)| **n >= 2)
        .max_by_key(|(_, n)| **n)
        .map(|(ext, _)| ext.clone());
    let existing: HashSet<&str> = entries.iter().map(|e| e.rel.as_str()).collect();

    let mut findings = Vec::new();
    let mut times = BTreeMap::new();
    for e in &entries {
        if is_ransom_note(&e.abs, &e.name) {
            findings.push(Finding::RansomNote {
                path: e.rel.clone(),
            });
            times.insert(e.rel.clone(), e.mtime);
            continue;
        }
        let outer = ext_of(&e.name);
        let renamed = extension.is_some() && outer == extension;
        let original = if renamed {
            e.rel
                .rsplit_once('.')
                .map(|(stem, _)| stem.to_string())
                .filter(|o| !existing.contains(o.as_str()))
        } else {
            None
        };
        let type_ext = match &original {
            Some(o) => ext_of(o),
            None => outer,
        };
        let Some(type_ext) = type_ext else {
            continue;
        };
        let checked = KNOWN.contains(&type_ext.as_str()) || renamed;
        if !checked {
            continue;
        }
        let broken = broken_content(&e.abs, &type_ext).unwrap_or(Some("unreadable"));
        let reason = match (broken, renamed) {
            (Some(reason), _) => reason,
            (None, true) => "new uniform extension",
            (None, false) => continue,
        };
        findings.push(Finding::Encrypted {
            path: e.rel.clone(),
            original,
            reason,
        });
        times.insert(e.rel.clone(), e.mtime);
    }
    Ok((findings, extension, times))
}

/// Sweeps one share and records what it found as a new incident (when it
/// found anything). `share` is the share's name as the inventory knows it.
pub fn sweep(
    state_dir: &Path,
    root: &Path,
    share: &str,
    options: &SweepOptions,
) -> Result<Option<SweepResult>> {
    let root = std::fs::canonicalize(root).map_err(IncidentError::io(root))?;
    let (findings, extension, times) = find(&root, &options.exclude)?;
    if findings.is_empty() {
        return Ok(None);
    }
    let time_of = |p: &str| times.get(p).copied().unwrap_or_else(Utc::now);
    let started = times.values().min().copied().unwrap_or_else(Utc::now);
    let ended = times.values().max().copied().unwrap_or(started);
    let mut incident = Incident::new(IncidentSource::Sweep, share, &root, started);
    incident.discovered = options.discovered.unwrap_or_else(Utc::now);
    let mut touches = Vec::new();
    let (mut encrypted, mut notes) = (0, 0);
    let mut note_names = std::collections::BTreeSet::new();
    for finding in findings {
        match finding {
            Finding::RansomNote { path } => {
                notes += 1;
                note_names.insert(path.rsplit('/').next().unwrap_or(&path).to_string());
                let mut t = Touch::new(TouchOp::RansomNote, path.clone());
                t.time = time_of(&path);
                touches.push(t);
            }
            Finding::Encrypted { path, original, .. } => {
                encrypted += 1;
                let time = time_of(&path);
                if let Some(original) = original {
                    let mut t = Touch::new(TouchOp::Rename, path.clone());
                    t.from = Some(original);
                    t.time = time;
                    touches.push(t);
                }
                let mut t = Touch::new(TouchOp::Modify, path);
                t.time = time;
                touches.push(t);
            }
        }
    }
    touches.sort_by_key(|t| t.time);
    incident.reasons.push(format!(
        "暗号化されたファイル {encrypted} 件{} / {encrypted} encrypted files",
        extension
            .as_deref()
            .map(|e| format!("（拡張子 .{e}）"))
            .unwrap_or_default()
    ));
    if notes > 0 {
        let names: Vec<_> = note_names.into_iter().collect();
        incident.reasons.push(format!(
            "脅迫文 {notes} 件（{}） / {notes} ransom notes",
            names.join(", ")
        ));
    }
    incident.reasons.push(format!(
        "攻撃の時間帯 / attack window: {} – {}",
        crate::timeline::jst_text(started),
        crate::timeline::jst_text(ended)
    ));
    let journal = Journal::open(state_dir);
    journal.save(&incident)?;
    journal.append(&incident.id, &touches)?;
    Ok(Some(SweepResult {
        incident,
        touches,
        encrypted,
        notes,
        extension,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ciphertext_and_text_are_told_apart() {
        let text = "氏名,住所,電話番号\n山田太郎,東京都千代田区1-2-3,03-1234-5678\n".repeat(60);
        assert!(!looks_like_ciphertext(text.as_bytes()));
        let random = mamori_testkit::noise(4096, 0x1234_5678);
        assert!(looks_like_ciphertext(&random));
        assert!(looks_like_ciphertext(&random[..100]));
        assert!(!looks_like_ciphertext(&random[..20]));
    }
}

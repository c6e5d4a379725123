//! Building the IPADIC dictionary from Debian's `mecab-ipadic` sources and
//! caching the compiled form.
//!
//! Cache layout: `<cache_dir>/ipadic-<key>/` where `<key>` hashes the source
//! files' names, sizes and mtimes together with lindera's on-disk format
//! version, so a changed source or an upgraded lindera gets a fresh directory.
//! A directory is built under a temporary name and renamed into place, and
//! carries a manifest (size, mtime and checksum of every file) written last:
//! a directory whose manifest does not match is treated as corrupt and rebuilt.
//!
//! Loading checks each file's size and mtime against the manifest, not its
//! checksum: hashing the ~46 MB cache cost more CPU than the rest of a
//! one-file scan. A file whose size differs (a crash mid-copy, truncation)
//! is corrupt; one whose mtime differs (rewritten in place, or copied
//! without preserving times) is checksummed, and corrupt if that differs.

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use lindera::dictionary::{Dictionary, DictionaryBuilder, Metadata, Schema};
use lindera_dictionary::dictionary::metadata::DICTIONARY_FORMAT_VERSION;

use crate::MorphError;

/// Bumped whenever this module changes what it writes into a cache directory.
const CACHE_LAYOUT: u32 = 2;
const MANIFEST: &str = "mamori-manifest.txt";
/// Kana readings of IPADIC's surnames and given names, for kana/romaji cells.
pub(crate) const READINGS: &str = "mamori-readings.txt";
/// Files that must be present in an IPADIC source directory.
const REQUIRED_SOURCES: [&str; 4] = ["matrix.def", "char.def", "unk.def", "Noun.name.csv"];

/// Readings of person-name entries, katakana.
#[derive(Debug, Default)]
pub(crate) struct NameReadings {
    pub surnames: HashSet<String>,
    pub given: HashSet<String>,
}

pub(crate) struct Loaded {
    pub dictionary: Dictionary,
    pub readings: NameReadings,
}

/// Loads the compiled dictionary for `source_dir`, building and caching it
/// first when no valid cache exists.
pub(crate) fn load_or_build(source_dir: &Path, cache_dir: &Path) -> Result<Loaded, MorphError> {
    check_source(source_dir)?;
    let key = source_key(source_dir)?;
    let final_dir = cache_dir.join(format!("ipadic-{key:016x}"));

    if final_dir.is_dir() {
        match verify_and_load(&final_dir) {
            Ok(loaded) => return Ok(loaded),
            Err(reason) => {
                tracing::warn!(
                    "compiled dictionary cache {} is unusable ({reason}); rebuilding",
                    final_dir.display()
                );
                // Best effort: a concurrent process may be removing it too.
                let _ = fs::remove_dir_all(&final_dir);
            }
        }
    }

    match build_into_cache(source_dir, cache_dir, &final_dir) {
        Ok(loaded) => Ok(loaded),
        Err(MorphError::Cache(reason)) => {
            // An unwritable cache must not stop a scan: build into a private
            // temporary directory, load it fully into memory, and drop it.
            tracing::warn!("cannot write dictionary cache: {reason}; building uncached");
            build_uncached(source_dir)
        }
        Err(other) => Err(other),
    }
}

fn check_source(source_dir: &Path) -> Result<(), MorphError> {
    if !source_dir.is_dir() {
        return Err(MorphError::DictionaryAbsent {
            path: source_dir.to_path_buf(),
        });
    }
    for name in REQUIRED_SOURCES {
        if !source_dir.join(name).is_file() {
            return Err(MorphError::DictionaryAbsent {
                path: source_dir.join(name),
            });
        }
    }
    Ok(())
}

/// Metadata for Debian's IPADIC: EUC-JP sources with the 13-column schema.
fn ipadic_metadata() -> Metadata {
    Metadata {
        name: "ipadic".to_string(),
        encoding: "EUC-JP".to_string(),
        default_left_context_id: 0,
        default_right_context_id: 0,
        flexible_csv: true,
        dictionary_schema: Schema::default(),
        user_dictionary_schema: Schema::new(vec![
            "surface".to_string(),
            "part_of_speech".to_string(),
            "reading".to_string(),
        ]),
        ..Metadata::default()
    }
}

fn source_key(source_dir: &Path) -> Result<u64, MorphError> {
    let read_err = |e: std::io::Error| MorphError::Build(format!("{}: {e}", source_dir.display()));
    let mut entries: Vec<(String, u64, u128)> = Vec::new();
    for entry in fs::read_dir(source_dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".csv") || name.ends_with(".def")) {
            continue;
        }
        let meta = entry.metadata().map_err(read_err)?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        entries.push((name, meta.len(), mtime));
    }
    entries.sort();
    let mut h = Fnv::new();
    h.write(&CACHE_LAYOUT.to_le_bytes());
    h.write(&DICTIONARY_FORMAT_VERSION.to_le_bytes());
    h.write(lindera::get_version().as_bytes());
    for (name, len, mtime) in entries {
        h.write(name.as_bytes());
        h.write(&len.to_le_bytes());
        h.write(&mtime.to_le_bytes());
    }
    Ok(h.finish())
}

fn unique_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

fn build_into_cache(
    source_dir: &Path,
    cache_dir: &Path,
    final_dir: &Path,
) -> Result<Loaded, MorphError> {
    let cache_err = |what: &str, path: &Path, e: std::io::Error| {
        MorphError::Cache(format!("{what} {}: {e}", path.display()))
    };
    fs::create_dir_all(cache_dir).map_err(|e| cache_err("cannot create", cache_dir, e))?;
    let tmp = cache_dir.join(format!(".ipadic-build-{}", unique_suffix()));
    let result = (|| {
        build(source_dir, &tmp)?;
        write_manifest(&tmp).map_err(|e| cache_err("cannot write manifest in", &tmp, e))?;
        if let Err(e) = fs::rename(&tmp, final_dir) {
            // Another process may have finished first; its result is as good.
            if !final_dir.is_dir() {
                return Err(cache_err("cannot move build into", final_dir, e));
            }
        }
        verify_and_load(final_dir).map_err(|reason| {
            MorphError::Cache(format!(
                "freshly built cache {} failed to load: {reason}",
                final_dir.display()
            ))
        })
    })();
    let _ = fs::remove_dir_all(&tmp);
    result
}

fn build_uncached(source_dir: &Path) -> Result<Loaded, MorphError> {
    let tmp = std::env::temp_dir().join(format!("mamori-ipadic-{}", unique_suffix()));
    let result = (|| {
        build(source_dir, &tmp)?;
        load_dir(&tmp).map_err(MorphError::Build)
    })();
    let _ = fs::remove_dir_all(&tmp);
    result
}

/// Compiles the lindera dictionary and the name-reading list into `out`.
fn build(source_dir: &Path, out: &Path) -> Result<(), MorphError> {
    DictionaryBuilder::new(ipadic_metadata())
        .build_dictionary(source_dir, out)
        .map_err(|e| {
            MorphError::Build(format!(
                "compiling IPADIC from {} into {}: {e}",
                source_dir.display(),
                out.display()
            ))
        })?;
    write_readings(source_dir, out)
}

/// Extracts surname and given-name readings from `Noun.name.csv`.
fn write_readings(source_dir: &Path, out: &Path) -> Result<(), MorphError> {
    let src = source_dir.join("Noun.name.csv");
    let bytes = fs::read(&src).map_err(|e| MorphError::Build(format!("{}: {e}", src.display())))?;
    let (text, _, _) = encoding_rs::EUC_JP.decode(&bytes);
    let mut lines = String::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split(',').collect();
        // surface,l,r,cost,名詞,固有名詞,人名,{姓|名|一般},*,*,base,reading,pron
        if cols.len() < 12 {
            continue;
        }
        let tag = match cols[7] {
            "姓" => 'S',
            "名" => 'G',
            _ => continue,
        };
        let reading = cols[11];
        if reading.is_empty() || reading == "*" {
            continue;
        }
        lines.push(tag);
        lines.push('\t');
        lines.push_str(reading);
        lines.push('\n');
    }
    let path = out.join(READINGS);
    fs::write(&path, lines).map_err(|e| MorphError::Build(format!("{}: {e}", path.display())))
}

fn read_readings(dir: &Path) -> Result<NameReadings, String> {
    let path = dir.join(READINGS);
    let file = fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut readings = NameReadings::default();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        match line.split_once('\t') {
            Some(("S", r)) => readings.surnames.insert(r.to_string()),
            Some(("G", r)) => readings.given.insert(r.to_string()),
            _ => return Err(format!("{}: malformed line", path.display())),
        };
    }
    Ok(readings)
}

fn load_dir(dir: &Path) -> Result<Loaded, String> {
    // Memory-mapped: the word list and costs are paged in as lookups touch
    // them instead of ~45 MB on the heap. Safe against a rebuild by another
    // process, which only ever renames a new directory into place or
    // removes an old one (a mapping outlives an unlink), never rewrites a
    // file in place.
    let dictionary = lindera::dictionary::load_fs_dictionary_with_options(dir, true)
        .map_err(|e| format!("lindera could not load {}: {e}", dir.display()))?;
    let readings = read_readings(dir)?;
    Ok(Loaded {
        dictionary,
        readings,
    })
}

/// Files in a cache directory other than the manifest, sorted by name.
fn payload_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && entry.file_name() != MANIFEST {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn checksum(path: &Path) -> std::io::Result<u64> {
    let bytes = fs::read(path)?;
    let mut h = Fnv::new();
    h.write(&bytes);
    Ok(h.finish())
}

/// One manifest line per payload file: name, size, mtime (ns), checksum.
fn manifest_text(dir: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    for path in payload_files(dir)? {
        let sum = checksum(&path)?;
        let meta = fs::metadata(&path)?;
        text.push_str(&format!(
            "{}\t{}\t{}\t{sum:016x}\n",
            file_name(&path),
            meta.len(),
            mtime_ns(&meta)
        ));
    }
    Ok(text)
}

struct ManifestEntry<'a> {
    name: &'a str,
    size: u64,
    mtime_ns: u128,
    checksum: u64,
}

fn parse_manifest(text: &str) -> Option<Vec<ManifestEntry<'_>>> {
    text.lines()
        .map(|line| {
            let mut f = line.split('\t');
            let entry = ManifestEntry {
                name: f.next()?,
                size: f.next()?.parse().ok()?,
                mtime_ns: f.next()?.parse().ok()?,
                checksum: u64::from_str_radix(f.next()?, 16).ok()?,
            };
            f.next().is_none().then_some(entry)
        })
        .collect()
}

/// Checks the files of `dir` against its manifest: names and sizes always,
/// checksums only of files whose mtime is not the recorded one.
fn verify(dir: &Path) -> Result<(), String> {
    let recorded = fs::read_to_string(dir.join(MANIFEST)).map_err(|e| format!("manifest: {e}"))?;
    let entries = parse_manifest(&recorded).ok_or_else(|| "malformed manifest".to_string())?;
    let files = payload_files(dir).map_err(|e| format!("reading files: {e}"))?;
    if files.len() != entries.len() {
        return Err(format!(
            "{} files, the manifest lists {}",
            files.len(),
            entries.len()
        ));
    }
    for (path, entry) in files.iter().zip(&entries) {
        let name = file_name(path);
        if name != entry.name {
            return Err(format!("{name} is not in the manifest"));
        }
        let meta = fs::metadata(path).map_err(|e| format!("{name}: {e}"))?;
        if meta.len() != entry.size {
            return Err(format!(
                "{name} has {} bytes, the manifest says {}",
                meta.len(),
                entry.size
            ));
        }
        if mtime_ns(&meta) != entry.mtime_ns
            && checksum(path).map_err(|e| format!("{name}: {e}"))? != entry.checksum
        {
            return Err(format!("{name} does not match its checksum"));
        }
    }
    Ok(())
}

fn write_manifest(dir: &Path) -> std::io::Result<()> {
    for path in payload_files(dir)? {
        fs::File::open(&path)?.sync_all()?;
    }
    let text = manifest_text(dir)?;
    let mut f = fs::File::create(dir.join(MANIFEST))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

fn verify_and_load(dir: &Path) -> Result<Loaded, String> {
    verify(dir)?;
    load_dir(dir)
}

/// 64-bit FNV-1a over 8-byte words: stable across Rust releases (unlike
/// `DefaultHasher`) and fast enough to checksum the ~50 MB cache on load.
/// Only guards against truncation and accidental damage, not tampering.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0 ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(PRIME);
        }
        self.0 = (self.0 ^ bytes.len() as u64).wrapping_mul(PRIME);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_source_is_dictionary_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope");
        match load_or_build(&missing, tmp.path()) {
            Err(MorphError::DictionaryAbsent { path }) => assert_eq!(path, missing),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("loaded from a missing directory"),
        }
    }

    #[test]
    fn incomplete_source_is_dictionary_absent() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("matrix.def"), "1 1\n0 0 0\n").unwrap();
        let err = load_or_build(tmp.path(), tmp.path()).err().unwrap();
        assert!(matches!(err, MorphError::DictionaryAbsent { .. }), "{err}");
        assert!(err.to_string().contains("char.def"), "{err}");
    }

    #[test]
    fn corrupt_cache_is_rebuilt() {
        let source = Path::new(crate::DEFAULT_IPADIC_DIR);
        if !source.is_dir() {
            eprintln!("note: {} absent; skipping cache test", source.display());
            return;
        }
        let cache = tempfile::tempdir().unwrap();
        load_or_build(source, cache.path()).unwrap();
        let dirs: Vec<PathBuf> = fs::read_dir(cache.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        // Exactly the final directory: the temporary build dir is gone.
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        let built = &dirs[0];
        assert!(built
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ipadic-"));

        // Truncate the word table, as a crash mid-copy would.
        let words = built.join("dict.words");
        let len = fs::metadata(&words).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(&words)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
        assert!(verify_and_load(built).is_err());
        let loaded = load_or_build(source, cache.path()).unwrap();
        assert!(!loaded.readings.surnames.is_empty());
        assert_eq!(fs::metadata(&words).unwrap().len(), len);

        // Damage that keeps the size changes the mtime: caught by the checksum.
        assert!(verify_and_load(built).is_ok());
        let matrix = built.join("matrix.mtx");
        let original = fs::read(&matrix).unwrap();
        let mut damaged = original.clone();
        damaged[original.len() / 2] ^= 0xff;
        fs::write(&matrix, &damaged).unwrap();
        let err = verify_and_load(built).err().unwrap();
        assert!(err.contains("matrix.mtx"), "{err}");
        // Same bytes with a new mtime (a copy without -p) are still good.
        fs::write(&matrix, &original).unwrap();
        assert!(verify_and_load(built).is_ok());

        // An extra file, or a garbage manifest, is no better (rebuilding is covered above).
        fs::write(built.join("stray.bin"), b"x").unwrap();
        assert!(verify_and_load(built).is_err());
        fs::remove_file(built.join("stray.bin")).unwrap();
        assert!(verify_and_load(built).is_ok());
        fs::write(built.join(MANIFEST), "garbage").unwrap();
        let err = verify_and_load(built).err().unwrap();
        assert!(err.contains("malformed manifest"), "{err}");
    }

    #[test]
    fn fnv_distinguishes_truncation() {
        let mut a = Fnv::new();
        a.write(b"abcdefgh\0");
        let mut b = Fnv::new();
        b.write(b"abcdefgh");
        assert_ne!(a.finish(), b.finish());
    }
}

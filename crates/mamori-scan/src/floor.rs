//! The floor under `mamori scan` on CSV and text: what any scanner that
//! keeps this inventory must do per file, and nothing else — open and read
//! it (read-only, `O_NOATIME`), detect its encoding and decode it to UTF-8,
//! split it into CSV records or lines, and compute the keyed hashes the
//! inventory stores per person. It runs the scan's own pieces
//! (`mamori_extract::{walk, open}`, the decoder and `TextChunks`, the scan's
//! CSV parser and line guard, `HashKey::hash_each`) and detects nothing.
//! `examples/scan_floor.rs` times it beside `mamori scan` (BENCHMARKS.md).
//!
//! How many hashes: as many as `mamori scan` computes on the benchmark's
//! share (counted message by message, docs/fragments/scanfloor.md), of the
//! same domains, one SHA-256 block each like every real message:
//! - a CSV record: the eight keys of a roster's person row
//!   ([`ROW_DOMAINS`], one `hash_each` batch per row as `PersonDraft::hash`),
//!   the values taken from the record's own cells; and per file the
//!   numbering hash of its record ids. Every record counts, the header
//!   row too (one per file: a floor needs no header detection).
//! - a text line holding 様: one name hash (as the text engine keys a
//!   person named before an honorific, one `hash_each` call per person),
//!   the up to four characters before 様. The real scan keys each person
//!   once per file, so this is at least as many hashes as it computes.
//!   Lines without 様 (logs) hash nothing, as in the real scan.

use crate::process::{csv_reader, decoded_cell, reuse, DecodedText, LineGuard, LONG_LINE};
use mamori_core::HashKey;
use mamori_extract::{open, walk, ExtractError, Kind, Limits, WalkEntry};
use std::path::Path;

/// What the floor does per file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// (a) Read, detect the encoding, decode, split records or lines.
    Split,
    /// (b) The same, and the keyed hashes the inventory stores.
    SplitAndHash,
}

/// What the floor read and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub files: u64,
    /// Files of kinds other than CSV and text, opened and left unread.
    pub other_files: u64,
    pub bytes: u64,
    /// CSV records, header rows included.
    pub records: u64,
    /// Lines of text files.
    pub lines: u64,
    /// Keyed hashes computed.
    pub hashes: u64,
    /// Bytes of the cells and lines split, and the hashes' first bytes:
    /// printed, so no work can be optimised away.
    pub checksum: u64,
}

/// The domains of one person row's keys in the order `PersonDraft::hash`
/// hashes them: written name, kana reading, romaji reading, My Number,
/// phone, e-mail, record id, birth date (eight per row on the rosters).
pub const ROW_DOMAINS: [&str; 8] = [
    "name",
    "name",
    "name",
    "my_number",
    "phone",
    "email",
    "record_id",
    "birth",
];

/// Every message the real scan hashed on the benchmark's share fits one
/// SHA-256 block after the HMAC key block (`domain ‖ 0 ‖ value`, at most
/// 55 bytes: two compressions); values are cut to fit, so a long address
/// cell costs what a real key does.
const ONE_BLOCK: usize = 55;

/// Characters before 様 taken as the name (四字 covers most full names).
const NAME_CHARS: usize = 4;

/// Runs the floor over every file under `root`, in the walk's order.
/// Files that cannot be read are skipped, as errors in the scan's report.
pub fn run(root: &Path, work: Work, key: &HashKey) -> Tally {
    let limits = Limits::default();
    let mut tally = Tally::default();
    for entry in walk(root) {
        if let WalkEntry::File { abs, .. } = entry {
            // An unreadable file costs the scan nothing more either.
            let _ = file(&abs, work, key, &limits, &mut tally);
        }
    }
    tally
}

/// One file: opened as the scan opens it, then split (and hashed).
pub fn file(
    path: &Path,
    work: Work,
    key: &HashKey,
    limits: &Limits,
    tally: &mut Tally,
) -> Result<(), ExtractError> {
    let opened = open(path, limits)?;
    tally.files += 1;
    tally.bytes += opened.size.min(limits.max_file_bytes);
    match opened.kind {
        Kind::Delimited { delimiter } => delimited(
            LineGuard::new(opened.into_reader()),
            delimiter,
            work,
            key,
            tally,
        ),
        Kind::Text => {
            for chunk in opened.into_chunks() {
                text(&chunk?.text, work, key, tally);
            }
            Ok(())
        }
        _ => {
            tally.other_files += 1;
            Ok(())
        }
    }
}

/// CSV records through the scan's parser (`process::csv_reader`), each a
/// list of borrowed cells as `scan_delimited` hands the table engine.
fn delimited<R: DecodedText>(
    reader: R,
    delimiter: u8,
    work: Work,
    key: &HashKey,
    tally: &mut Tally,
) -> Result<(), ExtractError> {
    let mut csv = csv_reader(reader, delimiter);
    let mut record = csv::ByteRecord::new();
    let mut spare: Vec<&'static str> = Vec::new();
    let mut first = true;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {
                let mut cells: Vec<&str> = reuse(spare);
                cells.extend(record.iter().map(decoded_cell));
                tally.records += 1;
                tally.checksum += cells.iter().map(|c| c.len() as u64).sum::<u64>();
                if work == Work::SplitAndHash && !cells.is_empty() {
                    if first {
                        // The numbering of the file's record ids, once per table.
                        let numbering = cut_to_block("record_numbering", cells[0]);
                        hash(key, [("record_numbering", numbering)], tally);
                    }
                    let messages = ROW_DOMAINS.iter().enumerate().map(|(index, domain)| {
                        (*domain, cut_to_block(domain, cells[index % cells.len()]))
                    });
                    hash(key, messages, tally);
                }
                first = false;
                spare = reuse(cells);
            }
            Ok(false) => return Ok(()),
            Err(e) => {
                return match e.into_kind() {
                    csv::ErrorKind::Io(io) if io.to_string() == LONG_LINE => Ok(()),
                    csv::ErrorKind::Io(io) => Err(ExtractError::from_io(io)),
                    // Malformed quoting: the scan keeps what it read so far.
                    _ => Ok(()),
                };
            }
        }
    }
}

/// The lines of one chunk (chunks end at line ends where they can), as
/// `str::lines` gives them, found with memchr as the text engine does.
fn text(chunk: &str, work: Work, key: &HashKey, tally: &mut Tally) {
    let honorific = memchr::memmem::Finder::new("様");
    for line in lines(chunk) {
        tally.lines += 1;
        tally.checksum += line.len() as u64;
        if work == Work::SplitAndHash {
            if let Some(at) = honorific.find(line.as_bytes()) {
                let name = last_chars(&line[..at], NAME_CHARS);
                hash(key, [("name", cut_to_block("name", name))], tally);
            }
        }
    }
}

/// The text engine's own line splitting.
pub use mamori_detect::text::lines;

/// One `hash_each` call, as the engines make one per person.
fn hash<'m>(
    key: &HashKey,
    messages: impl IntoIterator<Item = (&'m str, &'m str)>,
    tally: &mut Tally,
) {
    key.hash_each(messages, |h| {
        tally.hashes += 1;
        tally.checksum += u64::from(h.0[0]);
    });
}

/// `value`'s longest prefix (whole characters) that keeps
/// `domain ‖ 0 ‖ value` within one block.
pub fn cut_to_block<'v>(domain: &str, value: &'v str) -> &'v str {
    let room = ONE_BLOCK.saturating_sub(domain.len() + 1);
    if value.len() <= room {
        return value;
    }
    let mut end = room;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    &value[..end]
}

/// The last `count` characters of `text`.
fn last_chars(text: &str, count: usize) -> &str {
    let start = text
        .char_indices()
        .rev()
        .nth(count.saturating_sub(1))
        .map_or(0, |(index, _)| index);
    &text[start..]
}

#[cfg(test)]
#[path = "floor_tests.rs"]
mod tests;

//! One file through the pipeline: open (read-only, no atime) → sniff →
//! decode → table or text engine → category. Nothing here writes.

use crate::contained::{container_format, read_container};
use mamori_detect::{Categorizer, Detector, Findings};
use mamori_extract::{open, ExtractError, Kind, Limits};
use mamori_inventory::{FileRecord, FileStamp};
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

pub struct Processed {
    /// The file's own record first, then its members' (archive entries,
    /// attachments), each `parent!/member`.
    pub records: Vec<FileRecord>,
    pub bytes: u64,
}

/// What reading needs, shared by every file of a scan.
pub struct Ctx<'a> {
    pub detector: &'a Detector,
    pub categorizer: &'a Categorizer,
    pub limits: &'a Limits,
    pub formats: &'a mamori_formats::Limits,
    /// Seals each record's contacts (the sealed contact index); `None`:
    /// contacts are not kept.
    pub sealer: Option<&'a dyn mamori_core::ContactSealer>,
}

pub(crate) const PANIC_NOTE: &str =
    "internal error while reading this file (parser failure); the file was not changed";

fn stamp_of(s: mamori_extract::Stamp) -> FileStamp {
    FileStamp {
        size: s.size,
        mtime_ns: s.mtime_ns,
        ctime_ns: s.ctime_ns,
        inode: s.inode,
    }
}

/// Reads and classifies one file. A parser panic is caught here so one
/// hostile file cannot take the scan down; it becomes that file's error.
pub fn process(abs: &Path, rel: &str, stamp: mamori_extract::Stamp, ctx: &Ctx<'_>) -> Processed {
    let mut members = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        read_findings(abs, rel, ctx, &mut members)
    }));
    let (mut record, bytes) = match outcome {
        Ok(Ok((findings, bytes, note))) => {
            let mut record = finish_record(rel, findings, ctx);
            record.error = note;
            (record, bytes)
        }
        Ok(Err(e)) => (
            FileRecord {
                error: Some(e.to_string()),
                ..FileRecord::empty(rel)
            },
            0,
        ),
        Err(_) => (
            FileRecord {
                error: Some(PANIC_NOTE.to_string()),
                ..FileRecord::empty(rel)
            },
            0,
        ),
    };
    record.stamp = Some(stamp_of(stamp));
    let mut records = Vec::with_capacity(1 + members.len());
    records.push(record);
    records.extend(members);
    Processed { records, bytes }
}

/// A file's (or member's) record from its findings: 記入例 forms are
/// nobody's data, a person named by the path joins the findings, and a
/// file with items gets its category.
pub(crate) fn finish_record(rel: &str, mut findings: Findings, ctx: &Ctx<'_>) -> FileRecord {
    if is_example_form(rel) {
        findings = Findings::default();
    }
    add_person_in_path(&mut findings, rel, ctx.detector);
    let mut record = FileRecord::empty(rel);
    if !findings.items.is_empty() {
        let resume = findings.items.contains_key(&mamori_core::DataItem::Resume);
        record.category = Some(ctx.categorizer.categorize(rel, &findings.signals, resume));
    }
    record.items = findings.items;
    record.records = findings.records;
    record.samples = findings.samples;
    record.persons = findings.persons;
    if let Some(sealer) = ctx.sealer {
        if !findings.contacts.is_empty() {
            record.sealed_contacts = sealer.seal(&findings.contacts);
        }
    }
    record
}

/// A file with personal data named after its person (伊藤達也_源泉徴収票.txt,
/// 社員/1000_斎藤誠/通勤経路.txt) holds that person's name too, and the name
/// links its record to the person's other files.
fn add_person_in_path(findings: &mut Findings, rel: &str, detector: &Detector) {
    if findings.items.is_empty() || findings.persons.len() > 1 {
        return;
    }
    let Some((name, keys)) = person_in_path(detector, rel) else {
        return;
    };
    findings
        .items
        .entry(mamori_core::DataItem::Name)
        .or_insert(1);
    findings.sample(mamori_core::DataItem::Name, &name);
    match findings.persons.first_mut() {
        Some(person) => {
            for key in keys {
                if !person.names.contains(&key) {
                    person.names.push(key);
                }
            }
        }
        None => findings.persons.push(mamori_core::PersonKeys {
            names: keys,
            ..Default::default()
        }),
    }
    findings.records = findings.records.max(1);
}

/// The person a path names. A member is also looked up as if its archive
/// were a folder: `1002_松本敦子/通勤経路.zip!/通勤経路.txt` is 松本敦子's.
pub(crate) fn person_in_path(
    detector: &Detector,
    rel: &str,
) -> Option<(String, Vec<mamori_core::KeyHash>)> {
    detector.person_in_path(rel).or_else(|| {
        let (outer, inner) = rel.rsplit_once("!/")?;
        let dir = outer.rsplit_once('/').map(|(d, _)| d)?;
        detector.person_in_path(&format!("{dir}/{inner}"))
    })
}

/// 「住所変更届_記入例.txt」: a filled-in example is nobody's data.
fn is_example_form(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    mamori_detect::patterns::EXAMPLE_WORDS
        .iter()
        .any(|w| name.contains(w))
        || name.to_lowercase().contains("sample")
}

/// Findings, bytes read, and a note for partially read files.
fn read_findings(
    abs: &Path,
    rel: &str,
    ctx: &Ctx<'_>,
    members: &mut Vec<FileRecord>,
) -> Result<(Findings, u64, Option<String>), ExtractError> {
    let limits = ctx.limits;
    let detector = ctx.detector;
    let path_names_person = person_in_path(detector, rel).is_some();
    let opened = open(abs, limits)?;
    let truncated = opened.truncated;
    let size = opened.size;
    let mut note = truncated.then(|| {
        format!(
            "too large: only the first {} bytes were read",
            limits.max_file_bytes
        )
    });
    let findings = match opened.kind {
        Kind::Delimited { delimiter } => {
            let reader = LineGuard::new(opened.into_reader());
            scan_delimited(reader, delimiter, detector, path_names_person)?
        }
        Kind::Text => {
            let mut scanner = detector.text();
            if path_names_person {
                scanner.identified_by_path();
            }
            for chunk in opened.into_chunks() {
                scanner.push_text(&chunk?.text);
            }
            scanner.finish()
        }
        kind => match container_format(kind) {
            Some(Ok(format)) => {
                let mut file = opened.into_file()?;
                let budget = mamori_formats::Budget::new(*ctx.formats);
                let (findings, why) =
                    read_container(format, &mut file, rel, 0, &budget, ctx, members);
                note = why;
                findings
            }
            Some(Err(reason)) => {
                note = Some(reason);
                Findings::default()
            }
            // Images, executables, empty files: listed, nothing to read.
            None => Findings::default(),
        },
    };
    Ok((findings, size.min(limits.max_file_bytes), note))
}

/// A CSV parser buffers a whole record; a 2 GB one-line ".csv" must not
/// become a 2 GB record, so reading stops at an absurdly long line.
const MAX_CSV_LINE: usize = 16 << 20;

pub(crate) struct LineGuard<R> {
    inner: R,
    since_newline: usize,
}

impl<R> LineGuard<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineGuard {
            inner,
            since_newline: 0,
        }
    }
}

/// A reader of text decoded to UTF-8: the stream, read to its end or to an
/// error, is valid UTF-8 (the decoder replaces malformed input).
pub(crate) trait DecodedText: Read {}

impl<R: Read> DecodedText for mamori_extract::DecodingReader<R> {}

impl<R: DecodedText> DecodedText for LineGuard<R> {}

/// One cell of a record parsed from [`DecodedText`], without checking its
/// UTF-8 a second time (that check was 4 % of a roster scan).
pub(crate) fn decoded_cell(cell: &[u8]) -> &str {
    debug_assert!(std::str::from_utf8(cell).is_ok());
    // SAFETY: the parser reads a `DecodedText` stream, which is UTF-8, and
    // cuts it or drops bytes from it only at ASCII bytes (delimiters,
    // quotes, line ends), which are whole characters: every cell is UTF-8.
    unsafe { std::str::from_utf8_unchecked(cell) }
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(pos) => self.since_newline = n - pos - 1,
            None => self.since_newline += n,
        }
        if self.since_newline > MAX_CSV_LINE {
            return Err(std::io::Error::other(LONG_LINE));
        }
        Ok(n)
    }
}

pub(crate) const LONG_LINE: &str = "a line longer than 16 MiB";

/// The allocation of `cells`, emptied, for cells of another lifetime
/// (collecting an empty iterator into a Vec of the same layout reuses it).
pub(crate) fn reuse<'a>(mut cells: Vec<&str>) -> Vec<&'a str> {
    cells.clear();
    cells.into_iter().map(|_| "").collect()
}

/// The CSV parser every delimited file is read with (the scan and the
/// `scan_floor` example's floor): no header row, ragged rows allowed.
pub(crate) fn csv_reader<R: DecodedText>(reader: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(reader)
}

pub(crate) fn scan_delimited<R: DecodedText>(
    reader: R,
    delimiter: u8,
    detector: &Detector,
    path_names_person: bool,
) -> Result<Findings, ExtractError> {
    let mut csv = csv_reader(reader, delimiter);
    let mut table = detector.table();
    if path_names_person {
        table.identified_by_path();
    }
    // Byte records: the cells are UTF-8 already (see `decoded_cell`).
    let mut record = csv::ByteRecord::new();
    // One cell list for the whole file: emptied, it is handed back between
    // rows (an empty Vec of borrowed cells borrows nothing).
    let mut spare: Vec<&'static str> = Vec::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {
                let mut cells: Vec<&str> = reuse(spare);
                cells.extend(record.iter().map(decoded_cell));
                table.push_cells(&cells);
                spare = reuse(cells);
            }
            Ok(false) => break,
            Err(e) => match e.into_kind() {
                // Too long a line: keep what was read before it.
                csv::ErrorKind::Io(io) if io.to_string() == LONG_LINE => break,
                csv::ErrorKind::Io(io) => return Err(ExtractError::from_io(io)),
                // Malformed quoting: what was read so far still counts.
                _ => break,
            },
        }
    }
    Ok(table.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_core::HashKey;
    use mamori_extract::{DecodingReader, TextEncoding};

    /// A Shift_JIS roster with quoted cells (commas, doubled quotes and
    /// line breaks inside them), long enough that most rows go through the
    /// borrowed-cell path after the columns are validated.
    fn roster() -> String {
        let mut csv = String::from("社員番号,氏名,フリガナ,住所,電話番号,メール,備考\r\n");
        let names = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "髙橋 美由紀"];
        let readings = [
            "ヤマダ タロウ",
            "サトウ ハナコ",
            "スズキ イチロウ",
            "タカハシ ミユキ",
        ];
        for i in 0..320 {
            let k = i % names.len();
            csv.push_str(&format!(
                "{:05},{},\"{}\",\"東京都千代田区千代田{}-{}\",090-{:04}-{:04},user{i}@example.jp,\"{}\"\r\n",
                1000 + i,
                names[k],
                readings[k],
                i % 9 + 1,
                i % 7 + 1,
                1000 + i,
                2000 + i,
                if i % 3 == 0 {
                    "通院中、\"要配慮\"\r\n二行目, まだ続く".to_string()
                } else {
                    String::new()
                }
            ));
        }
        csv
    }

    /// The same rows parsed and handed over as owned strings, the way the
    /// table engine read every row before.
    fn owned_rows(text: &str, detector: &Detector) -> Findings {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut table = detector.table();
        for record in csv.records() {
            table.push_row(record.unwrap().iter().map(str::to_string).collect());
        }
        table.finish()
    }

    #[test]
    fn borrowed_cells_find_what_owned_rows_find() {
        let detector = Detector::new(HashKey::for_tests(), None);
        let text = roster();
        let (bytes, _, unmappable) = TextEncoding::ShiftJis.encoding().encode(&text);
        assert!(!unmappable);
        assert!(bytes.iter().any(|&b| b >= 0x80), "CP932 bytes in the input");
        let reader = DecodingReader::new(&bytes[..], TextEncoding::ShiftJis);
        let borrowed = scan_delimited(reader, b',', &detector, false).unwrap();
        let owned = owned_rows(&text, &detector);
        assert!(borrowed.records >= 320);
        assert_eq!(borrowed.records, owned.records);
        assert_eq!(borrowed.items, owned.items);
        assert_eq!(
            format!("{:?}", borrowed.samples),
            format!("{:?}", owned.samples)
        );
        assert_eq!(
            format!("{:?}", borrowed.persons),
            format!("{:?}", owned.persons)
        );
        assert_eq!(borrowed.signals, owned.signals);
        // The quoted line breaks stayed inside their cells: health notes counted.
        assert!(borrowed.items.contains_key(&mamori_core::DataItem::Health));
    }

    /// Random bytes in every encoding, malformed ones included (lead bytes
    /// cut by delimiters, quotes and line ends; ISO-2022-JP escapes; odd
    /// UTF-16): every cell the parser cuts from the decoded text is UTF-8,
    /// and equals the cell a checked string record holds.
    #[test]
    fn cells_of_decoded_text_are_utf8() {
        const ALPHABET: &[u8] = &[
            b'a', b'@', b'$', b'B', b'(', 0x1B, 0x00, 0x7F, 0x80, 0x81, 0x88, 0x9F, 0xA0, 0xA1,
            0xA4, 0xB0, 0xC0, 0xDF, 0xE0, 0xE3, 0xEF, 0xFC, 0xFD, 0xFE, 0xFF, 0x8E, 0x8F, b',',
            b',', b'\t', b'"', b'"', b'\r', b'\n',
        ];
        let encodings = [
            TextEncoding::Utf8,
            TextEncoding::Utf8Bom,
            TextEncoding::Utf16Le,
            TextEncoding::Utf16Be,
            TextEncoding::ShiftJis,
            TextEncoding::EucJp,
            TextEncoding::Iso2022Jp,
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let parser = || {
            let mut builder = csv::ReaderBuilder::new();
            builder.has_headers(false).flexible(true);
            builder
        };
        for enc in encodings {
            for _ in 0..5_000 {
                let len = (next() % 32) as usize;
                let bytes: Vec<u8> = (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                    .collect();
                let mut raw = parser().from_reader(DecodingReader::new(&bytes[..], enc));
                let mut checked = parser().from_reader(DecodingReader::new(&bytes[..], enc));
                let (mut cells, mut strings) = (csv::ByteRecord::new(), csv::StringRecord::new());
                while raw.read_byte_record(&mut cells).unwrap() {
                    assert!(checked.read_record(&mut strings).unwrap());
                    let utf8: Vec<&str> = cells
                        .iter()
                        .map(|c| std::str::from_utf8(c).unwrap())
                        .collect();
                    assert_eq!(
                        utf8,
                        strings.iter().collect::<Vec<_>>(),
                        "{enc} {bytes:02X?}"
                    );
                    assert_eq!(cells.iter().map(decoded_cell).collect::<Vec<_>>(), utf8);
                }
                assert!(!checked.read_record(&mut strings).unwrap());
            }
        }
    }

    #[test]
    fn reused_cell_lists_keep_their_buffer() {
        let mut cells: Vec<&str> = Vec::with_capacity(16);
        cells.extend(["a", "b"]);
        let capacity = cells.capacity();
        let spare: Vec<&'static str> = reuse(cells);
        assert!(spare.is_empty());
        assert_eq!(spare.capacity(), capacity);
    }
}

//! Spreadsheets (.xlsx .xlsm .xls .ods): .xlsx/.xlsm through the fast
//! reader of `xlsx` (calamine reads what it refuses), .xls/.ods through
//! calamine. Every sheet,
//! hidden ones too; formulas give their cached values; date cells become
//! `YYYY/MM/DD`; a merged header cell is repeated across the columns it
//! spans, so a two-row header reads like the table engine's merged headers.
//!
//! Hostile input: a zipped workbook is first drained through the budget
//! (a zip bomb or a lying size stops there, before calamine buffers shared
//! strings), and xlsx sheets are streamed cell by cell up to
//! `max_cells_per_sheet` and `max_columns`.

use crate::archive::open_zip;
use crate::xlsx::Dimensions;
use crate::{Budget, FormatError, Part, Source};
use calamine::{Data, DataRef, Reader, SheetType};
use std::collections::BTreeMap;
use std::io::SeekFrom;

pub fn read_xlsx(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    read_xlsx_with(source, budget, sink, XlsxReader::from_env())
}

/// Which reader opens .xlsx/.xlsm: the fast one (falling back to calamine
/// on what it refuses), or calamine alone (the reference the fast reader
/// is tested against; `MAMORI_XLSX_READER=calamine`).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XlsxReader {
    Fast,
    Calamine,
    /// The fast reader alone: what it refuses is an error naming why
    /// (`MAMORI_XLSX_READER=fast-only`, to find the files it refuses).
    FastOnly,
}

impl XlsxReader {
    pub fn from_env() -> Self {
        match std::env::var("MAMORI_XLSX_READER").as_deref() {
            Ok("calamine") => XlsxReader::Calamine,
            Ok("fast-only") => XlsxReader::FastOnly,
            _ => XlsxReader::Fast,
        }
    }
}

#[doc(hidden)]
pub fn read_xlsx_with(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
    reader: XlsxReader,
) -> Result<(), FormatError> {
    const FORMAT: &str = "Excel workbook";
    if is_encrypted_ole(source) {
        return Err(FormatError::Encrypted);
    }
    if reader != XlsxReader::Calamine {
        let outcome = crate::xlsx::read(source, budget, FORMAT)?;
        source
            .seek(SeekFrom::Start(0))
            .map_err(|e| FormatError::corrupt(FORMAT, e))?;
        match outcome {
            crate::xlsx::Outcome::Read(tables) => {
                for (name, rows) in tables {
                    budget.member()?;
                    sink(Part::Table { name, rows });
                    budget.check_time()?;
                }
                return Ok(());
            }
            // Anything the fast reader does not take (markup it does not
            // read, or what calamine itself reports as an error or reads
            // only in part) is read by calamine, which decides; the
            // preflight's charge is already made.
            crate::xlsx::Outcome::Refused(why) if reader == XlsxReader::FastOnly => {
                return Err(FormatError::Unsupported(format!("fast reader: {}", why.0)));
            }
            crate::xlsx::Outcome::Refused(_) => {}
        }
    } else {
        preflight_zip(source, budget, FORMAT)?;
    }
    // calamine panics on some malformed sheets (a shared-string index past
    // the table; arithmetic overflow on absurd cell references where
    // overflow checks are on): a panic is this file's error, not the scan's.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_xlsx_calamine(source, budget, sink)
    }))
    .unwrap_or_else(|_| {
        Err(FormatError::corrupt(
            FORMAT,
            "the spreadsheet reader (calamine) failed on a malformed sheet",
        ))
    })
}

/// The reference reader: every sheet through calamine.
fn read_xlsx_calamine(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    const FORMAT: &str = "Excel workbook";
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(&mut *source).map_err(|e| match e {
            calamine::XlsxError::Password => FormatError::Encrypted,
            e => FormatError::corrupt(FORMAT, e),
        })?;
    let sheets = worksheet_names(&book);
    for name in sheets {
        budget.member()?;
        let merges: Vec<Dimensions> = book
            .worksheet_merge_cells(&name)
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|m| Dimensions {
                start: m.start,
                end: m.end,
            })
            .collect();
        let mut grid = Grid::new(budget);
        {
            let mut cells = book
                .worksheet_cells_reader(&name)
                .map_err(|e| FormatError::corrupt(FORMAT, e))?;
            loop {
                match cells.next_cell() {
                    Ok(Some(cell)) => {
                        let (row, col) = cell.get_position();
                        if !grid.put(row, col, text_of_ref(cell.get_value())) {
                            break;
                        }
                    }
                    Ok(None) => break,
                    // A broken sheet keeps the cells read before the fault.
                    Err(_) => break,
                }
            }
        }
        grid.spread_merges(&merges);
        sink(Part::Table {
            name,
            rows: grid.rows(),
        });
        budget.check_time()?;
    }
    Ok(())
}

pub fn read_ods(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    const FORMAT: &str = "OpenDocument spreadsheet";
    preflight_zip(source, budget, FORMAT)?;
    let book: calamine::Ods<_> =
        calamine::open_workbook_from_rs(&mut *source).map_err(|e| match e {
            calamine::OdsError::Password => FormatError::Encrypted,
            e => FormatError::corrupt(FORMAT, e),
        })?;
    read_ranges(book, FORMAT, budget, sink)
}

pub fn read_xls(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    const FORMAT: &str = "Excel 97-2003 workbook";
    if is_encrypted_ole(source) {
        return Err(FormatError::Encrypted);
    }
    let book: calamine::Xls<_> =
        calamine::open_workbook_from_rs(&mut *source).map_err(|e| match e {
            calamine::XlsError::Password => FormatError::Encrypted,
            e => FormatError::corrupt(FORMAT, e),
        })?;
    read_ranges(book, FORMAT, budget, sink)
}

/// An OOXML file saved with a password is an OLE file holding an
/// `EncryptedPackage` stream.
pub(crate) fn is_encrypted_ole(source: &mut dyn Source) -> bool {
    let found = cfb::CompoundFile::open(&mut *source)
        .map(|c| c.exists("/EncryptedPackage"))
        .unwrap_or(false);
    let _ = source.seek(SeekFrom::Start(0));
    found
}

/// Every worksheet, hidden ones included (chart sheets hold no cells).
fn worksheet_names<R: Reader<RS>, RS: std::io::Read + std::io::Seek>(book: &R) -> Vec<String> {
    book.sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

fn read_ranges<R: Reader<RS>, RS: std::io::Read + std::io::Seek>(
    mut book: R,
    format: &'static str,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError>
where
    R::Error: std::fmt::Display,
{
    let sheets = worksheet_names(&book);
    for name in sheets {
        budget.member()?;
        let range = book
            .worksheet_range(&name)
            .map_err(|e| FormatError::corrupt(format, e))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut grid = Grid::new(budget);
        'cells: for (r, row) in range.rows().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if matches!(value, Data::Empty) {
                    continue;
                }
                if !grid.put(top + r as u32, left + c as u32, text_of(value)) {
                    break 'cells;
                }
            }
        }
        sink(Part::Table {
            name,
            rows: grid.rows(),
        });
        budget.check_time()?;
    }
    Ok(())
}

/// Drains every entry of a zipped workbook through the budget, so a bomb
/// stops here and not inside the spreadsheet library.
fn preflight_zip(
    source: &mut dyn Source,
    budget: &Budget,
    format: &'static str,
) -> Result<(), FormatError> {
    if is_encrypted_ole(source) {
        return Err(FormatError::Encrypted);
    }
    {
        let mut zip = open_zip(source, format)?;
        let mut total = 0u64;
        for index in 0..zip.len() {
            let mut entry = zip
                .by_index(index)
                .map_err(|e| FormatError::corrupt(format, e))?;
            let compressed = entry.compressed_size();
            total += budget.drain_expanded(&mut entry, compressed)?;
        }
        budget.charge(total)?;
    }
    source
        .seek(SeekFrom::Start(0))
        .map_err(|e| FormatError::corrupt(format, e))?;
    Ok(())
}

/// Sparse cells of one sheet, bounded by the budget's cell and column limits.
pub(crate) struct Grid {
    /// Rows as they came while each came after the last (nearly always
    /// all of them): appended, no map to keep ordered.
    ascending: Vec<(u32, Vec<(u32, String)>)>,
    /// Rows first seen after a later row; never also in `ascending`.
    others: BTreeMap<u32, Vec<(u32, String)>>,
    /// The row being filled: cells come row by row, so most puts skip the
    /// map (cells of a row that comes back are appended in order, as the
    /// map alone would have them).
    current: Option<(u32, Vec<(u32, String)>)>,
    /// Cells in the last row filled: the next row's list is made that
    /// large at once (rows of a table have one width) instead of growing.
    last_row_cells: usize,
    cells: u64,
    max_cells: u64,
    max_columns: u32,
}

impl Grid {
    pub(crate) fn new(budget: &Budget) -> Self {
        Grid {
            ascending: Vec::new(),
            others: BTreeMap::new(),
            current: None,
            last_row_cells: 0,
            cells: 0,
            max_cells: budget.limits.max_cells_per_sheet,
            max_columns: budget.limits.max_columns,
        }
    }

    /// False once the sheet has given all the cells it may.
    pub(crate) fn put(&mut self, row: u32, col: u32, text: String) -> bool {
        if text.is_empty() || col >= self.max_columns {
            return true;
        }
        self.cells += 1;
        if self.cells > self.max_cells {
            return false;
        }
        match &mut self.current {
            Some((r, cells)) if *r == row => cells.push((col, text)),
            _ => {
                self.flush();
                let mut cells = Vec::with_capacity(self.last_row_cells.max(1));
                cells.push((col, text));
                self.current = Some((row, cells));
            }
        }
        true
    }

    fn flush(&mut self) {
        if let Some((row, cells)) = self.current.take() {
            self.last_row_cells = cells.len();
            // A row seen for the first time (nearly all) keeps its list;
            // one seen before gets these cells after its earlier ones.
            match self.ascending.last_mut() {
                Some((last, _)) if *last < row => self.ascending.push((row, cells)),
                None => self.ascending.push((row, cells)),
                Some(_) => match self.ascending.binary_search_by_key(&row, |(r, _)| *r) {
                    Ok(i) => self.ascending[i].1.extend(cells),
                    Err(_) => self.others.entry(row).or_default().extend(cells),
                },
            }
        }
    }

    fn row_mut(&mut self, row: u32) -> Option<&mut Vec<(u32, String)>> {
        match self.ascending.binary_search_by_key(&row, |(r, _)| *r) {
            Ok(i) => Some(&mut self.ascending[i].1),
            Err(_) => self.others.get_mut(&row),
        }
    }

    pub(crate) fn spread_merges(&mut self, merges: &[Dimensions]) {
        self.flush();
        for m in merges {
            let (row, first) = m.start;
            let last = m.end.1.min(self.max_columns.saturating_sub(1));
            if last <= first || last - first > 64 {
                continue;
            }
            let Some(cells) = self.row_mut(row) else {
                continue;
            };
            let Some(value) = cells.iter().find(|(c, _)| *c == first).map(|x| x.1.clone()) else {
                continue;
            };
            for col in first + 1..=last {
                if !cells.iter().any(|(c, _)| *c == col) {
                    cells.push((col, value.clone()));
                }
            }
        }
    }

    /// Dense rows; a run of empty rows becomes one empty row.
    pub(crate) fn rows(mut self) -> Vec<Vec<String>> {
        self.flush();
        let mut out = Vec::with_capacity(self.ascending.len() + self.others.len());
        let mut last: Option<u32> = None;
        // Both lists in row order, merged (a row is in one of them).
        let mut ascending = self.ascending.into_iter().peekable();
        let mut others = self.others.into_iter().peekable();
        loop {
            let from_ascending = match (ascending.peek(), others.peek()) {
                (Some(a), Some(b)) => a.0 < b.0,
                (a, _) => a.is_some(),
            };
            let next = if from_ascending {
                ascending.next()
            } else {
                others.next()
            };
            let Some((row, mut cells)) = next else {
                break;
            };
            if last.is_some_and(|l| row > l + 1) {
                out.push(Vec::new());
            }
            last = Some(row);
            cells.sort_by_key(|(c, _)| *c);
            let width = cells.last().map(|(c, _)| *c as usize + 1).unwrap_or(0);
            // Filled left to right (columns sorted), not made of empty
            // strings first and then overwritten.
            let mut dense = Vec::with_capacity(width);
            for (c, text) in cells {
                let c = c as usize;
                if c < dense.len() {
                    // A column given twice: the later cell wins, as ever.
                    dense[c] = text;
                } else {
                    dense.resize_with(c, String::new);
                    dense.push(text);
                }
            }
            out.push(dense);
        }
        out
    }
}

pub(crate) fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Excel's last date, 9999-12-31, as a 1900-based serial.
const LAST_EXCEL_SERIAL: f64 = 2_958_466.0;

pub(crate) fn date_text(dt: &calamine::ExcelDateTime) -> String {
    let serial = dt.as_f64();
    // Past Excel's last date calamine's day arithmetic overflows (a panic
    // where overflow checks are on, nonsense otherwise): Excel itself
    // shows such a cell as a number, and so do we.
    if !dt.is_datetime() || !(1.0..LAST_EXCEL_SERIAL).contains(&serial) {
        return number_text(serial);
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    format!("{y}/{m:02}/{d:02}")
}

fn text_of_ref(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) => date_text(dt),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

fn text_of(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::String(s) => s.trim().to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => date_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => iso_date(s),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// ODS dates come as `1980-03-02` or `1980-03-02T00:00:00`.
fn iso_date(s: &str) -> String {
    s.split('T').next().unwrap_or(s).to_string()
}

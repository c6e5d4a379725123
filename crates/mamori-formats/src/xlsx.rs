//! The fast path for .xlsx/.xlsm: the workbook's parts are read once
//! (the budget's preflight keeps the XML parts it inflates), and shared
//! strings and sheets are scanned with the memchr tokenizer of
//! [`crate::xmlscan`] instead of calamine's quick-xml event loop.
//!
//! The output is calamine's, cell for cell: this module follows
//! calamine 0.31's `Xlsx` reader rule by rule (which parts it opens, how a
//! cell without `r=` is placed, which `<t>` of a rich or phonetic string
//! counts, which number formats are dates). Wherever calamine would report
//! an error, stop a sheet early, or meet markup this tokenizer does not
//! read, the fast path refuses ([`Refuse`]) and `sheet::read_xlsx` reads the
//! whole workbook again through calamine — so calamine stays the judge of
//! every unusual file, and this module only has to be right on the files it
//! accepts.

use crate::archive::open_zip;
use crate::sheet::{date_text, number_text, Grid};
use crate::xmlscan::{
    decode_text, local, same_name, unescape_attr, Attrs, CellTag, CellText, Event, Leaf, Refuse,
    Scan, Tokenizer,
};
use crate::{Budget, FormatError, Source};
use calamine::{ExcelDateTime, ExcelDateTimeType};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;

#[path = "xlsx_formats.rs"]
mod formats;
use formats::{builtin_format_by_id, detect_custom_number_format, is_shown_as_written, CellFormat};

/// XML parts kept in memory from the preflight, in total; parts past this
/// are inflated again when their turn comes (memory stays bounded).
const KEEP_BYTES: u64 = 64 << 20;

const BAD_INDEX: Refuse = Refuse("shared string index out of range");

/// One sheet's name and rows, as `Part::Table` takes them.
pub(crate) type Table = (String, Vec<Vec<String>>);

pub(crate) enum Outcome {
    Read(Vec<Table>),
    Refused(Refuse),
}

/// Preflight (every entry drained through the budget, as
/// `sheet::preflight_zip` does, keeping the XML parts) and then the fast
/// read. `Err` is what the preflight would have returned; a refusal means
/// "read it with calamine" (the preflight's charge is already made).
pub(crate) fn read(
    source: &mut dyn Source,
    budget: &Budget,
    format: &'static str,
) -> Result<Outcome, FormatError> {
    let mut zip = open_zip(source, format)?;
    let mut kept: Vec<Option<Vec<u8>>> = Vec::with_capacity(zip.len());
    let mut kept_bytes = 0u64;
    let mut total = 0u64;
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|e| FormatError::corrupt(format, e))?;
        let compressed = entry.compressed_size();
        if kept_bytes < KEEP_BYTES && wanted(entry.name()) {
            let declared = entry.size();
            let bytes = budget.read_uncharged(&mut entry, compressed, declared)?;
            total += bytes.len() as u64;
            kept_bytes += bytes.len() as u64;
            kept.push(Some(bytes));
        } else {
            total += budget.drain_expanded(&mut entry, compressed)?;
            kept.push(None);
        }
    }
    budget.charge(total)?;
    let mut book = Package {
        zip,
        kept,
        max_bytes: budget.limits.max_member_bytes,
    };
    match read_book(&mut book, budget) {
        Ok(tables) => Ok(Outcome::Read(tables)),
        // calamine indexes the table unchecked and would panic.
        Err(BAD_INDEX) => Err(FormatError::corrupt(format, BAD_INDEX.0)),
        Err(refuse) => Ok(Outcome::Refused(refuse)),
    }
}

/// Parts the fast reader opens (lower-cased, `/` separators).
fn wanted(name: &str) -> bool {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    matches!(
        name.as_str(),
        "xl/sharedstrings.xml" | "xl/styles.xml" | "xl/workbook.xml" | "xl/_rels/workbook.xml.rels"
    ) || (name.starts_with("xl/worksheets/") && name.ends_with(".xml"))
}

struct Package<'s> {
    zip: zip::ZipArchive<&'s mut dyn Source>,
    kept: Vec<Option<Vec<u8>>>,
    max_bytes: u64,
}

impl Package<'_> {
    /// A part by its OPC path, found as calamine finds it (the first entry
    /// whose name matches ignoring ASCII case and `\`); None when absent.
    fn part(&mut self, path: &str) -> Scan<Option<Cow<'_, [u8]>>> {
        let found = self
            .zip
            .file_names()
            .find(|n| path.eq_ignore_ascii_case(&n.replace('\\', "/")))
            .map(str::to_string)
            .unwrap_or_else(|| path.to_string());
        let Some(index) = self.zip.index_for_name(&found) else {
            return Ok(None);
        };
        if let Some(Some(bytes)) = self.kept.get(index) {
            return Ok(Some(Cow::Borrowed(&bytes[..])));
        }
        // Not kept (over KEEP_BYTES): inflate again; the preflight already
        // proved it stays within the budget's limits.
        let entry = self
            .zip
            .by_index(index)
            .map_err(|_| Refuse("part unreadable"))?;
        let mut bytes = Vec::new();
        entry
            .take(self.max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| Refuse("part unreadable"))?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(Refuse("part over the member limit"));
        }
        Ok(Some(Cow::Owned(bytes)))
    }
}

#[derive(Debug, PartialEq, Eq)]
enum SheetKind {
    Work,
    Other,
}

struct Meta {
    /// Every shared string, end to end; `spans` cut it (each already
    /// trimmed, as every cell takes it).
    strings: String,
    spans: Vec<(u32, u32)>,
    formats: Vec<CellFormat>,
    is_1904: bool,
    /// (name, path, kind) in workbook order.
    sheets: Vec<(String, String, SheetKind)>,
}

impl Meta {
    fn shared(&self, index: usize) -> Option<&str> {
        let (from, to) = *self.spans.get(index)?;
        self.strings.get(from as usize..to as usize)
    }
}

fn read_book(book: &mut Package, budget: &Budget) -> Scan<Vec<Table>> {
    let mut meta = Meta {
        strings: String::new(),
        spans: Vec::new(),
        formats: Vec::new(),
        is_1904: false,
        sheets: Vec::new(),
    };
    if let Some(xml) = book.part("xl/sharedStrings.xml")? {
        read_shared_strings(&xml, &mut meta)?;
    }
    if let Some(xml) = book.part("xl/styles.xml")? {
        meta.formats = read_styles(&xml)?;
    }
    let rels = match book.part("xl/_rels/workbook.xml.rels")? {
        Some(xml) => read_relationships(&xml)?,
        None => return Err(Refuse("no workbook relationships")),
    };
    if let Some(xml) = book.part("xl/workbook.xml")? {
        read_workbook(&xml, &rels, &mut meta)?;
    }
    let mut tables = Vec::new();
    let names: Vec<String> = meta
        .sheets
        .iter()
        .filter(|s| s.2 == SheetKind::Work)
        .map(|s| s.0.clone())
        .collect();
    for name in names {
        // calamine finds a sheet's part by name: the first sheet so named.
        let Some(path) = meta
            .sheets
            .iter()
            .find(|s| s.0 == name)
            .map(|s| s.1.clone())
        else {
            return Err(Refuse("sheet vanished"));
        };
        let xml = book.part(&path)?.ok_or(Refuse("worksheet part missing"))?;
        let mut grid = Grid::new(budget);
        let merges = read_sheet(&xml, &meta, &mut grid)?;
        grid.spread_merges(&merges);
        tables.push((name, grid.rows()));
    }
    Ok(tables)
}

/// calamine's `read_shared_strings` + `read_string`: an `<si>` gives the
/// first `<t>` outside phonetic runs (`<rPh>`), or, once a rich run `<r>`
/// has begun, every such `<t>` concatenated; an `<si>` with neither gives
/// no entry at all (so later indices shift, as in calamine).
fn read_shared_strings(xml: &[u8], meta: &mut Meta) -> Scan<()> {
    let mut tok = Tokenizer::new(xml)?;
    loop {
        // The usual item, as writers spell it, is taken whole.
        if let Some(text) = tok.take_literal(SHARED_STRING, b"</t></si>", true) {
            let from = meta.strings.len();
            meta.strings.push_str(text);
            push_trimmed_span(meta, from)?;
            continue;
        }
        match tok.next()? {
            Event::Start { name, .. } if local(name) == b"si" => {
                let from = meta.strings.len();
                let value = read_string(&mut tok, name, &mut meta.strings)?;
                if let Some(Leaf::Raw(raw)) = value {
                    meta.strings.push_str(raw);
                }
                if value.is_some() {
                    push_trimmed_span(meta, from)?;
                }
            }
            Event::End { name } if local(name) == b"sst" => return Ok(()),
            Event::Eof => return Err(Refuse("sharedStrings cut short")),
            _ => {}
        }
    }
}

/// How a plain shared string's text begins when written plainly.
const SHARED_STRING: &[&[u8]] = &[b"<si><t>", b"<si><t xml:space=\"preserve\">"];

/// The span of the string appended to `meta.strings` from `from`, trimmed
/// once here rather than in every cell that shows it.
fn push_trimmed_span(meta: &mut Meta, from: usize) -> Scan<()> {
    let whole = &meta.strings[from..];
    let trimmed = whole.trim_start();
    let from = from + (whole.len() - trimmed.len());
    let to = from + trimmed.trim_end().len();
    let span = (
        u32::try_from(from).map_err(|_| Refuse("shared strings over 4 GiB"))?,
        u32::try_from(to).map_err(|_| Refuse("shared strings over 4 GiB"))?,
    );
    meta.spans.push(span);
    Ok(())
}

/// A string element's value (`<si>`, `<is>`): a plain string's one `<t>`
/// as [`Tokenizer::leaf_value`] gives it, a rich string's runs appended to
/// `out` ([`Leaf::Decoded`]); None when it holds no text element
/// (calamine's `None`).
fn read_string<'a>(
    tok: &mut Tokenizer<'a>,
    closing: &[u8],
    out: &mut String,
) -> Scan<Option<Leaf<'a>>> {
    let mut rich = false;
    let mut phonetic = false;
    loop {
        match tok.next()? {
            Event::Start { name, .. } => match local(name) {
                b"r" => rich = true,
                b"rPh" => phonetic = true,
                b"t" if !phonetic => {
                    if !rich {
                        let value = tok.leaf_value(name, true, out)?;
                        tok.skip_element(closing)?;
                        return Ok(Some(value));
                    }
                    tok.leaf_text(name, true, out)?;
                }
                _ => {}
            },
            Event::End { name } if same_name(name, closing) => {
                return Ok(rich.then_some(Leaf::Decoded))
            }
            Event::End { name } if local(name) == b"rPh" => phonetic = false,
            Event::Eof => return Err(Refuse("string cut short")),
            _ => {}
        }
    }
}

/// calamine's `read_styles`: the number format of each cell style (`xf`
/// of `cellXfs`), custom formats from `numFmts` by their raw code.
fn read_styles(xml: &[u8]) -> Scan<Vec<CellFormat>> {
    let mut tok = Tokenizer::new(xml)?;
    let mut custom: BTreeMap<&[u8], &[u8]> = BTreeMap::new();
    let mut formats = Vec::new();
    loop {
        match tok.next()? {
            Event::Start { name, .. } if local(name) == b"numFmts" => loop {
                match tok.next()? {
                    Event::Start { name, attrs } if local(name) == b"numFmt" => {
                        let attrs = Attrs::parse(attrs)?;
                        let id = attrs.get(b"numFmtId").unwrap_or(b"");
                        let code = attrs.get(b"formatCode").unwrap_or(b"");
                        std::str::from_utf8(code).map_err(|_| Refuse("format not UTF-8"))?;
                        if !code.is_empty() {
                            custom.insert(id, code);
                        }
                    }
                    Event::End { name } if local(name) == b"numFmts" => break,
                    Event::Eof => return Err(Refuse("numFmts cut short")),
                    _ => {}
                }
            },
            Event::Start { name, .. } if local(name) == b"cellXfs" => loop {
                match tok.next()? {
                    Event::Start { name, attrs } if local(name) == b"xf" => {
                        let attrs = Attrs::parse(attrs)?;
                        formats.push(match attrs.get(b"numFmtId") {
                            None => CellFormat::Other,
                            Some(id) => match custom.get(id) {
                                // Checked UTF-8 above.
                                Some(code) => detect_custom_number_format(
                                    std::str::from_utf8(code).unwrap_or(""),
                                ),
                                None => builtin_format_by_id(id),
                            },
                        });
                    }
                    Event::End { name } if local(name) == b"cellXfs" => break,
                    Event::Eof => return Err(Refuse("cellXfs cut short")),
                    _ => {}
                }
            },
            Event::End { name } if local(name) == b"styleSheet" => return Ok(formats),
            Event::Eof => return Err(Refuse("styles cut short")),
            _ => {}
        }
    }
}

/// calamine's `read_relationships`: Id → Target, raw (not unescaped).
fn read_relationships(xml: &[u8]) -> Scan<BTreeMap<Vec<u8>, String>> {
    let mut tok = Tokenizer::new(xml)?;
    let mut rels = BTreeMap::new();
    loop {
        match tok.next()? {
            Event::Start { name, attrs } if local(name) == b"Relationship" => {
                let attrs = Attrs::parse(attrs)?;
                let id = attrs.get(b"Id").unwrap_or(b"").to_vec();
                let target = std::str::from_utf8(attrs.get(b"Target").unwrap_or(b""))
                    .map_err(|_| Refuse("target not UTF-8"))?;
                rels.insert(id, target.to_string());
            }
            Event::End { name } if local(name) == b"Relationships" => return Ok(rels),
            Event::Eof => return Err(Refuse("relationships cut short")),
            _ => {}
        }
    }
}

/// calamine's `read_workbook`: sheets (name, part, kind) and the 1904
/// date system.
fn read_workbook(xml: &[u8], rels: &BTreeMap<Vec<u8>, String>, meta: &mut Meta) -> Scan<()> {
    let mut tok = Tokenizer::new(xml)?;
    loop {
        match tok.next()? {
            Event::Start { name, attrs } if local(name) == b"sheet" => {
                let attrs = Attrs::parse(attrs)?;
                let mut sheet_name = String::new();
                let mut path = String::new();
                for (key, value) in attrs.iter() {
                    match key {
                        b"name" => sheet_name = unescape_attr(value)?,
                        b"state" => match unescape_attr(value)?.as_str() {
                            "visible" | "hidden" | "veryHidden" => {}
                            _ => return Err(Refuse("unknown sheet state")),
                        },
                        b"r:id" | b"relationships:id" => {
                            let r = rels.get(value).ok_or(Refuse("relationship not found"))?;
                            path = if r.starts_with("/xl/") {
                                r[1..].to_string()
                            } else if r.starts_with("xl/") {
                                r.to_string()
                            } else {
                                format!("xl/{r}")
                            };
                        }
                        _ => {}
                    }
                }
                let kind = match path.split('/').nth(1) {
                    Some("worksheets") => SheetKind::Work,
                    Some("chartsheets") | Some("dialogsheets") => SheetKind::Other,
                    _ => return Err(Refuse("unknown sheet type")),
                };
                meta.sheets.push((sheet_name, path, kind));
            }
            Event::Start { name, attrs } if name == b"workbookPr" => {
                let attrs = Attrs::parse(attrs)?;
                meta.is_1904 = match attrs.get(b"date1904") {
                    Some(v) => matches!(unescape_attr(v)?.as_str(), "1" | "true"),
                    None => false,
                };
            }
            Event::Start { name, attrs } if local(name) == b"definedName" => {
                // Only checked: calamine fails on a bad entity in a name.
                let has_name = Attrs::parse(attrs)?.get(b"name").is_some();
                if has_name {
                    loop {
                        match tok.next()? {
                            Event::Text(raw) => decode_text(raw, false, &mut String::new())?,
                            Event::End { name: n } if n == name => break,
                            Event::Eof => return Err(Refuse("definedName cut short")),
                            _ => {}
                        }
                    }
                }
            }
            Event::End { name } if local(name) == b"workbook" => return Ok(()),
            Event::Eof => return Err(Refuse("workbook cut short")),
            _ => {}
        }
    }
}

/// One sheet's cells into `grid` (calamine's `XlsxCellReader`), then its
/// merged ranges (what `worksheet_merge_cells` finds: the first
/// `mergeCells`, or none where a range does not parse).
fn read_sheet(xml: &[u8], meta: &Meta, grid: &mut Grid) -> Scan<Vec<Dimensions>> {
    let mut tok = Tokenizer::new(xml)?;
    // Up to sheetData: a bad `dimension` is an error in calamine.
    loop {
        match tok.next()? {
            Event::Start { name, attrs } => match local(name) {
                b"dimension" => {
                    let attrs = Attrs::parse(attrs)?;
                    let range = attrs.get(b"ref").ok_or(Refuse("dimension without ref"))?;
                    dimension(range)?;
                }
                b"sheetData" => break,
                b"mergeCells" => return Err(Refuse("merged cells before the data")),
                _ => {}
            },
            Event::Eof => return Err(Refuse("no sheetData")),
            _ => {}
        }
    }
    let mut row_index = 0u32;
    let mut col_index = 0u32;
    let mut value = String::new();
    let mut full = false;
    let mut attrs = Attrs::new();
    loop {
        // Plain cells (nearly all) are taken whole, tag and value at once.
        if let Some(CellTag {
            reference,
            style,
            kind,
            value,
        }) = tok.take_cell()
        {
            let pos = match reference {
                Some(r) => cell_ref(r)?,
                None => (row_index, col_index),
            };
            col_index = pos.1.wrapping_add(1);
            // As `read_cell` reads these children.
            let text = match value {
                CellText::Value(v) => value_text(v, style, kind, meta)?,
                CellText::Inline(t) => t.trim().to_string(),
                CellText::None => String::new(),
            };
            if !full && !grid.put(pos.0, pos.1, text) {
                full = true;
            }
            continue;
        }
        if let Some(r) = tok.take_row() {
            if let Some(r) = r {
                row_index = row_and_column(r)?.0;
            }
            continue;
        }
        match tok.next()? {
            Event::Start { name, attrs: raw } => match local(name) {
                b"row" => {
                    attrs.reparse(raw)?;
                    if let Some(r) = attrs.get(b"r") {
                        row_index = row_and_column(r)?.0;
                    }
                }
                b"c" => {
                    attrs.reparse(raw)?;
                    let pos = match attrs.get(b"r") {
                        Some(r) => cell_ref(r)?,
                        None => (row_index, col_index),
                    };
                    col_index = pos.1;
                    let text = read_cell(&mut tok, &attrs, meta, &mut value)?;
                    col_index = col_index.wrapping_add(1);
                    if !full && !grid.put(pos.0, pos.1, text) {
                        // The cell limit: calamine's caller stops here too;
                        // the rest is only scanned for merged ranges.
                        full = true;
                    }
                }
                b"mergeCells" => return Err(Refuse("merged cells inside the data")),
                _ => {}
            },
            Event::End { name } => match local(name) {
                b"row" => {
                    row_index = row_index.wrapping_add(1);
                    col_index = 0;
                }
                b"sheetData" => break,
                _ => {}
            },
            Event::Eof => return Err(Refuse("sheetData cut short")),
            _ => {}
        }
    }
    read_merges(&mut tok)
}

/// The text of one `<c>` (its start tag just read), as the caller of
/// calamine turns a cell into text: the last `<v>`, `<is>` or `<f>` child
/// decides (a formula alone gives nothing).
fn read_cell(tok: &mut Tokenizer, attrs: &Attrs, meta: &Meta, buf: &mut String) -> Scan<String> {
    let mut text = String::new();
    // The usual first child, as writers spell it, is taken whole; the loop
    // reads any other child (and whatever follows) event by event.
    let (style, kind) = (attrs.get(b"s"), attrs.get(b"t"));
    if let Some(v) = tok.take_literal(&[b"<v>"], b"</v>", false) {
        text = value_text(v, style, kind, meta)?;
    } else if let Some(t) = tok.take_literal(INLINE_STRING, b"</t></is>", true) {
        text = t.trim().to_string();
    }
    loop {
        match tok.next()? {
            Event::Start { name, .. } => match local(name) {
                b"v" => {
                    buf.clear();
                    let v = match tok.leaf_value(name, false, buf)? {
                        Leaf::Raw(raw) => raw,
                        Leaf::Decoded => buf.as_str(),
                    };
                    text = value_text(v, style, kind, meta)?;
                }
                b"is" => {
                    buf.clear();
                    text = match read_string(tok, name, buf)? {
                        Some(Leaf::Raw(raw)) => raw.trim().to_string(),
                        Some(Leaf::Decoded) => buf.trim().to_string(),
                        None => String::new(),
                    };
                }
                b"f" => {
                    tok.skip_element(name)?;
                    text = String::new();
                }
                _ => return Err(Refuse("unexpected element in a cell")),
            },
            Event::End { name } if local(name) == b"c" => return Ok(text),
            Event::Eof => return Err(Refuse("cell cut short")),
            _ => {}
        }
    }
}

/// How an inline string's text begins when written plainly.
const INLINE_STRING: &[&[u8]] = &[b"<is><t>", b"<is><t xml:space=\"preserve\">"];

/// calamine's `read_v` followed by `sheet::text_of_ref`, for a cell's
/// raw `s` (style) and `t` (type) attributes.
fn value_text(v: &str, style: Option<&[u8]>, kind: Option<&[u8]>, meta: &Meta) -> Scan<String> {
    // Only number cells look at their style.
    let format = || match style {
        Some(style) => meta.formats.get(parse_index(style).unwrap_or(0)).copied(),
        None => Some(CellFormat::Other),
    };
    let number = |n: f64| match format() {
        Some(CellFormat::DateTime) => date_text(&ExcelDateTime::new(
            n,
            ExcelDateTimeType::DateTime,
            meta.is_1904,
        )),
        Some(CellFormat::TimeDelta) => date_text(&ExcelDateTime::new(
            n,
            ExcelDateTimeType::TimeDelta,
            meta.is_1904,
        )),
        _ => number_text(n),
    };
    // A number `number_text` would print as written: no round trip.
    let as_written = || {
        !matches!(format(), Some(CellFormat::DateTime | CellFormat::TimeDelta))
            && is_shown_as_written(v)
    };
    Ok(match kind {
        Some(b"s") => {
            let index = parse_index(v.as_bytes()).unwrap_or(0);
            meta.shared(index).ok_or(BAD_INDEX)?.to_string()
        }
        Some(b"b") => if v != "0" { "TRUE" } else { "FALSE" }.to_string(),
        Some(b"e") => match v {
            "#DIV/0!" | "#N/A" | "#NAME?" | "#NULL!" | "#NUM!" | "#REF!" | "#VALUE!" => {
                String::new()
            }
            _ => return Err(Refuse("unknown cell error")),
        },
        Some(b"d") => v.to_string(),
        Some(b"str") => v.trim().to_string(),
        Some(b"n") => {
            if v.is_empty() {
                String::new()
            } else if as_written() {
                v.to_string()
            } else {
                number(v.parse().map_err(|_| Refuse("number cell not a number"))?)
            }
        }
        None if as_written() => v.to_string(),
        None => match v.parse::<f64>() {
            Ok(n) => number(n),
            Err(_) => v.trim().to_string(),
        },
        Some(_) => return Err(Refuse("unknown cell type")),
    })
}

/// A style or string index (atoi_simd's strict decimal); None otherwise.
fn parse_index(raw: &[u8]) -> Option<usize> {
    if raw.is_empty() {
        return None;
    }
    raw.iter().try_fold(0usize, |n, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(digit as usize)
    })
}

/// calamine's `Dimensions`: (row, column) of the first and last cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dimensions {
    pub(crate) start: (u32, u32),
    pub(crate) end: (u32, u32),
}

fn read_merges(tok: &mut Tokenizer) -> Scan<Vec<Dimensions>> {
    loop {
        match tok.next()? {
            Event::Start { name, .. } if local(name) == b"mergeCells" => break,
            Event::Eof => return Ok(Vec::new()),
            _ => {}
        }
    }
    let mut merges = Vec::new();
    let mut broken = false;
    loop {
        match tok.next()? {
            Event::Start { name, attrs } if local(name) == b"mergeCell" => {
                match Attrs::parse(attrs)?.get(b"ref").map(dimension) {
                    Some(Ok(d)) => merges.push(d),
                    Some(Err(_)) => broken = true,
                    None => {}
                }
            }
            Event::End { name } if local(name) == b"mergeCells" => break,
            Event::Eof => return Ok(Vec::new()),
            _ => {}
        }
    }
    // One bad range and calamine's caller gets none at all.
    Ok(if broken { Vec::new() } else { merges })
}

/// A range whose end comes before its start (calamine subtracts them).
pub(crate) fn reversed_range(range: &[u8]) -> bool {
    dimension(range).is_ok_and(|d| d.end.0 < d.start.0 || d.end.1 < d.start.1)
}

/// calamine's `get_dimension`.
fn dimension(range: &[u8]) -> Scan<Dimensions> {
    let mut parts = range.split(|b| *b == b':');
    let first = cell_ref(parts.next().unwrap_or(b""))?;
    let last = match parts.next() {
        Some(p) => cell_ref(p)?,
        None => first,
    };
    if parts.next().is_some() {
        return Err(Refuse("range with more than two cells"));
    }
    Ok(Dimensions {
        start: first,
        end: last,
    })
}

fn cell_ref(raw: &[u8]) -> Scan<(u32, u32)> {
    if let Some(position) = plain_cell_ref(raw) {
        return Ok(position);
    }
    let (row, col) = row_and_column(raw)?;
    Ok((row, col.ok_or(Refuse("cell reference without column"))?))
}

/// The usual spelling (1 to 3 capitals, then 1 to 7 digits, row not 0),
/// read left to right; no overflow is possible there, so the result is
/// `row_and_column`'s. None for anything else.
#[inline]
fn plain_cell_ref(raw: &[u8]) -> Option<(u32, u32)> {
    let mut col = 0u32;
    let mut letters = 0;
    while let Some(&b) = raw.get(letters) {
        if !b.is_ascii_uppercase() {
            break;
        }
        col = col * 26 + (b - b'A') as u32 + 1;
        letters += 1;
        if letters > 3 {
            return None;
        }
    }
    let digits = &raw[letters..];
    if letters == 0 || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let mut row = 0u32;
    for &d in digits {
        let digit = d.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        row = row * 10 + digit as u32;
    }
    Some((row.checked_sub(1)?, col - 1))
}

/// calamine's `get_row_and_optional_column`, arithmetic and all (it wraps
/// in a release build on absurd references; so does this).
fn row_and_column(range: &[u8]) -> Scan<(u32, Option<u32>)> {
    let (mut row, mut col) = (0u32, 0u32);
    let mut pow = 1u32;
    let mut reading_row = true;
    for &c in range.iter().rev() {
        match c {
            b'0'..=b'9' => {
                if !reading_row {
                    return Err(Refuse("digit in a column name"));
                }
                row = row.wrapping_add(((c - b'0') as u32).wrapping_mul(pow));
                pow = pow.wrapping_mul(10);
            }
            b'A'..=b'Z' | b'a'..=b'z' => {
                if reading_row {
                    if row == 0 {
                        return Err(Refuse("reference without row"));
                    }
                    pow = 1;
                    reading_row = false;
                }
                let digit = (c.to_ascii_uppercase() - b'A') as u32 + 1;
                col = col.wrapping_add(digit.wrapping_mul(pow));
                pow = pow.wrapping_mul(26);
            }
            _ => return Err(Refuse("bad character in a reference")),
        }
    }
    let row = row.checked_sub(1).ok_or(Refuse("reference without row"))?;
    Ok((row, col.checked_sub(1)))
}

#[cfg(test)]
#[path = "xlsx_tests.rs"]
mod tests;

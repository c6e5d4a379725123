//! Word 97-2003 (.doc): the text of a binary Word document, from its piece
//! table ([MS-DOC] 2.8.35 Clx / PlcPcd).
//!
//! The `WordDocument` stream opens with the FIB, which says which table
//! stream (`0Table` or `1Table`) holds the Clx and where. Each piece of the
//! piece table maps a run of character positions to bytes of the
//! `WordDocument` stream, stored either as 8-bit CP1252 ("compressed") or
//! as UTF-16LE (all Japanese text). Every piece is read — main text,
//! footnotes, headers, comments, text boxes — in piece-table order.
//!
//! Field codes (between 0x13 and 0x14) are dropped and their results kept;
//! drawing/picture anchors and other control characters are dropped. Table
//! cells end in 0x07 and each row ends in one more 0x07 (the row mark):
//! rows are cut there and handed to the table engine as a [`Part::Table`].
//! Which 0x07 ends a row is read from the paragraph properties (PAPX FKPs:
//! the row-end paragraph carries sprmPFTtp); where they cannot be read an
//! empty cell looks like a row mark, and the first row's width decides
//! (see [`TableBuilder`]).

use crate::ole::read_stream;
use crate::{Budget, FormatError, Part};
use std::collections::HashSet;

const FORMAT: &str = "Word 97-2003 document";
/// FIB offsets ([MS-DOC] 2.5.1): FibBase is 32 bytes, then csw + FibRgW.
const FIB_IDENT: u16 = 0xA5EC;
/// Index of fcClx/lcbClx in FibRgFcLcb97.
const CLX_INDEX: usize = 33;
/// Index of fcPlcfBtePapx/lcbPlcfBtePapx (paragraph properties).
const PAPX_INDEX: usize = 13;

pub(crate) fn read_doc<F: std::io::Read + std::io::Seek>(
    cfb: &mut cfb::CompoundFile<F>,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let word = read_stream(cfb, "/WordDocument", budget, FORMAT)?
        .ok_or_else(|| FormatError::corrupt(FORMAT, "no WordDocument stream"))?;
    let fib = Fib::parse(&word)?;
    let table_name = if fib.table_one { "/1Table" } else { "/0Table" };
    let table = read_stream(cfb, table_name, budget, FORMAT)?
        .ok_or_else(|| FormatError::corrupt(FORMAT, format!("no {} stream", &table_name[1..])))?;
    read_word_streams(&word, &table, budget, sink)
}

/// The text of a Word document from its `WordDocument` stream and the
/// table stream its FIB names (the fuzz target's entry point).
pub fn read_word_streams(
    word: &[u8],
    table: &[u8],
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let fib = Fib::parse(word)?;
    let clx = table
        .get(fib.fc_clx as usize..(fib.fc_clx as usize).saturating_add(fib.lcb_clx as usize))
        .ok_or_else(|| FormatError::corrupt(FORMAT, "piece table outside the table stream"))?;
    let pieces = parse_clx(clx)?;
    // Pieces may all point at the same bytes: the text, not the stream,
    // is what must stay bounded (UTF-16 units, two bytes each).
    let max_units = budget.limits.max_member_bytes / 2;
    let row_ends = row_mark_ends(word, table, &fib).filter(|ends| !ends.is_empty());
    let mut row_marks = Vec::new();
    let mut text = Vec::new();
    for piece in &pieces {
        budget.check_time()?;
        if (text.len() as u64).saturating_add(piece.chars as u64) > max_units {
            return Err(FormatError::Limit(format!(
                "a {FORMAT} with more than {} MiB of text",
                budget.limits.max_member_bytes >> 20
            )));
        }
        piece.append(word, &mut text)?;
        if let Some(ends) = &row_ends {
            piece.find_row_marks(
                word,
                ends,
                text.len() - piece_len(piece, word),
                &mut row_marks,
            );
        }
    }
    budget.charge(text.len() as u64 * 2)?;
    emit(&text, row_ends.is_some().then_some(&row_marks[..]), sink);
    Ok(())
}

struct Fib {
    table_one: bool,
    fc_clx: u32,
    lcb_clx: u32,
    fc_papx: u32,
    lcb_papx: u32,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl Fib {
    fn parse(word: &[u8]) -> Result<Fib, FormatError> {
        let short = || FormatError::corrupt(FORMAT, "file information block cut short");
        if u16_at(word, 0).ok_or_else(short)? != FIB_IDENT {
            return Err(FormatError::corrupt(FORMAT, "not a Word binary document"));
        }
        let n_fib = u16_at(word, 2).ok_or_else(short)?;
        let flags = u16_at(word, 0x0A).ok_or_else(short)?;
        if flags & 0x0100 != 0 {
            return Err(FormatError::Encrypted);
        }
        if n_fib < 0x00C1 && n_fib != 0 {
            return Err(FormatError::Unsupported(format!(
                "Word 6.0/95 document (version {n_fib:#x}); save it as .docx to have it read"
            )));
        }
        let csw = u16_at(word, 32).ok_or_else(short)? as usize;
        let rg_lw = 34 + csw * 2;
        let cslw = u16_at(word, rg_lw).ok_or_else(short)? as usize;
        let rg_fclcb = rg_lw + 2 + cslw * 4;
        let cb_rg_fclcb = u16_at(word, rg_fclcb).ok_or_else(short)? as usize;
        if cb_rg_fclcb <= CLX_INDEX {
            return Err(short());
        }
        let at = rg_fclcb + 2 + CLX_INDEX * 8;
        let papx = rg_fclcb + 2 + PAPX_INDEX * 8;
        Ok(Fib {
            table_one: flags & 0x0200 != 0,
            fc_clx: u32_at(word, at).ok_or_else(short)?,
            lcb_clx: u32_at(word, at + 4).ok_or_else(short)?,
            fc_papx: u32_at(word, papx).ok_or_else(short)?,
            lcb_papx: u32_at(word, papx + 4).ok_or_else(short)?,
        })
    }
}

/// A run of characters: `chars` characters from byte `offset` of the
/// WordDocument stream, 8-bit or UTF-16LE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    offset: usize,
    chars: usize,
    compressed: bool,
}

impl Piece {
    fn append(&self, word: &[u8], out: &mut Vec<u16>) -> Result<(), FormatError> {
        let width = if self.compressed { 1 } else { 2 };
        let end = self
            .chars
            .checked_mul(width)
            .and_then(|n| n.checked_add(self.offset))
            .ok_or_else(|| FormatError::corrupt(FORMAT, "piece size overflows"))?;
        // A piece running past the stream is cut there (damaged files).
        let bytes = word.get(self.offset..end.min(word.len())).unwrap_or(&[]);
        if self.compressed {
            out.extend(bytes.iter().map(|&b| cp1252(b)));
        } else {
            out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]])),
            );
        }
        Ok(())
    }
}

/// How many UTF-16 units `piece` added (it may have been cut at the
/// stream's end).
fn piece_len(piece: &Piece, word: &[u8]) -> usize {
    let width = if piece.compressed { 1 } else { 2 };
    let available = word.len().saturating_sub(piece.offset) / width;
    piece.chars.min(available)
}

impl Piece {
    /// Text indices (from `first`) of this piece's 0x07 characters that
    /// end a table row: their paragraph ends where `ends` says a row-end
    /// paragraph (fTtp) does.
    fn find_row_marks(
        &self,
        word: &[u8],
        ends: &HashSet<usize>,
        first: usize,
        out: &mut Vec<usize>,
    ) {
        let width = if self.compressed { 1 } else { 2 };
        for k in 0..piece_len(self, word) {
            let at = self.offset + k * width;
            let is_bell = if self.compressed {
                word[at] == 0x07
            } else {
                word[at] == 0x07 && word[at + 1] == 0
            };
            if is_bell && ends.contains(&(at + width)) {
                out.push(first + k);
            }
        }
    }
}

/// Byte offsets (in the WordDocument stream) just past each table row's
/// end mark, from the paragraph properties: PlcBtePapx → PAPX FKPs → the
/// paragraphs flagged fTtp (sprmPFTtp). None when they cannot be read.
fn row_mark_ends(word: &[u8], table: &[u8], fib: &Fib) -> Option<HashSet<usize>> {
    let start = fib.fc_papx as usize;
    let plc = table.get(start..start.checked_add(fib.lcb_papx as usize)?)?;
    if plc.len() < 4 || (plc.len() - 4) % 8 != 0 {
        return None;
    }
    let n = (plc.len() - 4) / 8;
    let mut ends = HashSet::new();
    for i in 0..n {
        let pn = (u32_at(plc, 4 * (n + 1) + 4 * i)? & 0x003F_FFFF) as usize;
        let fkp = word.get(pn * 512..pn * 512 + 512)?;
        let runs = fkp[511] as usize;
        if 4 * (runs + 1) + 13 * runs > 511 {
            return None;
        }
        for r in 0..runs {
            let end = u32_at(fkp, 4 * (r + 1))? as usize;
            let papx_at = fkp[4 * (runs + 1) + 13 * r] as usize * 2;
            if papx_at != 0 && is_row_end(fkp.get(papx_at..)?) {
                ends.insert(end);
            }
        }
    }
    Some(ends)
}

/// Whether a PapxInFkp holds sprmPFTtp = 1 (the paragraph ends a row).
fn is_row_end(papx: &[u8]) -> bool {
    let (start, len) = match papx {
        [0, cb, ..] => (2, 2 * *cb as usize),
        [cb, ..] if *cb > 0 => (1, 2 * *cb as usize - 1),
        _ => return false,
    };
    let Some(grpprl) = papx.get(start..start + len) else {
        return false;
    };
    let mut at = 2; // istd
    while at + 2 <= grpprl.len() {
        let sprm = u16::from_le_bytes([grpprl[at], grpprl[at + 1]]);
        at += 2;
        if sprm == 0x2417 {
            return grpprl.get(at) == Some(&1);
        }
        // Operand sizes by spra ([MS-DOC] 2.2.5.1); 6 = variable.
        at += match sprm >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            _ => match (sprm, grpprl.get(at), grpprl.get(at + 1)) {
                // sprmTDefTable: a two-byte size, counting one of its bytes.
                (0xD608, Some(&a), Some(&b)) => 1 + u16::from_le_bytes([a, b]) as usize,
                (0xC615, Some(&255), _) => return false,
                (_, Some(&cb), _) => 1 + cb as usize,
                _ => return false,
            },
        };
    }
    false
}

/// The 8-bit ("compressed") code page of [MS-DOC] 2.9.73: CP1252.
fn cp1252(b: u8) -> u16 {
    const HIGH: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as u16,
    }
}

/// Clx: any number of Prc (0x01, i16 size, property modifiers) then one
/// Pcdt (0x02, u32 size, PlcPcd).
fn parse_clx(clx: &[u8]) -> Result<Vec<Piece>, FormatError> {
    let bad = |why: &str| FormatError::corrupt(FORMAT, format!("piece table: {why}"));
    let mut at = 0usize;
    loop {
        match clx.get(at) {
            Some(0x01) => {
                let size = u16_at(clx, at + 1).ok_or_else(|| bad("cut short"))? as usize;
                at += 3 + size;
            }
            Some(0x02) => break,
            Some(_) => return Err(bad("unknown entry")),
            None => return Err(bad("no piece descriptors")),
        }
    }
    let lcb = u32_at(clx, at + 1).ok_or_else(|| bad("cut short"))? as usize;
    let plc = clx
        .get(at + 5..(at + 5).saturating_add(lcb))
        .ok_or_else(|| bad("descriptors past its end"))?;
    if plc.len() < 4 || (plc.len() - 4) % 12 != 0 {
        return Err(bad("descriptor table of an impossible size"));
    }
    let n = (plc.len() - 4) / 12;
    let cp = |i: usize| u32_at(plc, i * 4).unwrap_or(0);
    let mut pieces = Vec::with_capacity(n);
    for i in 0..n {
        let (start, end) = (cp(i), cp(i + 1));
        if end < start {
            return Err(bad("character positions out of order"));
        }
        let pcd = 4 * (n + 1) + i * 8;
        let fc = u32_at(plc, pcd + 2).unwrap_or(0);
        let compressed = fc & 0x4000_0000 != 0;
        let fc = (fc & 0x3FFF_FFFF) as usize;
        pieces.push(Piece {
            offset: if compressed { fc / 2 } else { fc },
            chars: (end - start) as usize,
            compressed,
        });
    }
    Ok(pieces)
}

/// Turns Word's characters into text parts and table parts. `row_marks`:
/// the indices of the 0x07 characters that end rows, when the paragraph
/// properties said so (else the first row's width decides).
fn emit(chars: &[u16], row_marks: Option<&[usize]>, sink: &mut dyn FnMut(Part)) {
    let mut text = String::new();
    let mut table = TableBuilder::default();
    let mut marks = row_marks.map(|m| m.iter().copied().peekable());
    let mut index = 0usize;
    // Field nesting: for each open field, whether we are in its result;
    // `codes` counts the open fields still in their code part (a counter,
    // so hostile nesting stays linear).
    let mut fields: Vec<bool> = Vec::new();
    let mut codes = 0usize;
    let mut cell = String::new();
    let decoded =
        char::decode_utf16(chars.iter().copied()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER));
    for c in decoded {
        let at = index;
        index += c.len_utf16();
        match c {
            '\u{13}' => {
                fields.push(false);
                codes += 1;
                continue;
            }
            '\u{14}' => {
                if let Some(in_result) = fields.last_mut() {
                    if !*in_result {
                        *in_result = true;
                        codes -= 1;
                    }
                }
                continue;
            }
            '\u{15}' => {
                if fields.pop() == Some(false) {
                    codes -= 1;
                }
                continue;
            }
            _ => {}
        }
        if codes > 0 {
            continue; // a field code (HYPERLINK "...", PAGE, ...)
        }
        match c {
            '\u{07}' => match marks.as_mut() {
                Some(marks) => {
                    while marks.next_if(|&m| m < at).is_some() {}
                    if marks.next_if_eq(&at).is_some() {
                        table.row_end();
                    } else {
                        table.cell(std::mem::take(&mut cell));
                    }
                }
                None => table.cell_end(std::mem::take(&mut cell)),
            },
            '\r' | '\u{0B}' | '\u{0C}' => {
                if table.in_row() {
                    // A paragraph inside a cell.
                    cell.push(' ');
                } else {
                    if table.has_rows() {
                        flush_text(&mut text, sink);
                        sink(table.take());
                    }
                    text.push_str(&cell);
                    cell.clear();
                    text.push('\n');
                }
            }
            '\t' => cell.push('\t'),
            '\u{1E}' => cell.push('-'),
            c if (c as u32) < 0x20 => {}
            '\u{A0}' => cell.push(' '),
            c => cell.push(c),
        }
    }
    if table.has_rows() || table.in_row() {
        flush_text(&mut text, sink);
        sink(table.take());
    }
    text.push_str(&cell);
    flush_text(&mut text, sink);
}

fn flush_text(text: &mut String, sink: &mut dyn FnMut(Part)) {
    if !text.trim().is_empty() {
        sink(Part::Text(std::mem::take(text)));
    }
    text.clear();
}

/// Cuts a run of 0x07-terminated cells into rows. A row ends in an empty
/// "cell" (the row mark); an empty cell looks the same, so once the first
/// row is known its width decides: a row ends at an empty mark only when it
/// has that many cells.
#[derive(Default)]
struct TableBuilder {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    width: Option<usize>,
    /// The previous mark ended a cell (so an empty one may be the row mark).
    after_cell: bool,
}

impl TableBuilder {
    fn cell_end(&mut self, cell: String) {
        let cell = cell.trim().to_string();
        let row_mark =
            cell.is_empty() && self.after_cell && self.width.is_none_or(|w| self.row.len() >= w);
        if row_mark {
            self.width.get_or_insert(self.row.len());
            self.rows.push(std::mem::take(&mut self.row));
            self.after_cell = false;
        } else {
            self.row.push(cell);
            self.after_cell = true;
        }
    }

    /// A cell, when the row marks are known.
    fn cell(&mut self, cell: String) {
        self.row.push(cell.trim().to_string());
    }

    fn row_end(&mut self) {
        self.rows.push(std::mem::take(&mut self.row));
    }

    fn in_row(&self) -> bool {
        !self.row.is_empty()
    }

    fn has_rows(&self) -> bool {
        !self.rows.is_empty()
    }

    fn take(&mut self) -> Part {
        if !self.row.is_empty() {
            self.rows.push(std::mem::take(&mut self.row));
        }
        self.width = None;
        self.after_cell = false;
        Part::Table {
            name: String::new(),
            rows: std::mem::take(&mut self.rows),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Vec<Part> {
        let chars: Vec<u16> = s.encode_utf16().collect();
        let mut out = Vec::new();
        emit(&chars, None, &mut |p| out.push(p));
        out
    }

    #[test]
    fn fields_keep_their_result() {
        let p = parts("連絡先\u{13} HYPERLINK \"mailto:a@b.jp\" \u{14}a@b.jp\u{15}です\r");
        match &p[..] {
            [Part::Text(t)] => assert_eq!(t, "連絡先a@b.jpです\n"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nested_fields_and_stray_marks() {
        let p = parts("\u{13} IF \u{13} PAGE \u{14}1\u{15} = 1 \u{14}はい\u{15}\u{15}\u{14}です\r");
        match &p[..] {
            [Part::Text(t)] => assert_eq!(t, "はいです\n"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cells_become_rows() {
        let p = parts("名簿\r氏名\u{7}電話\u{7}\u{7}山田 太郎\u{7}\u{7}\u{7}佐藤\u{7}03-1234-5678\u{7}\u{7}以上\r");
        match &p[..] {
            [Part::Text(a), Part::Table { rows, .. }, Part::Text(b)] => {
                assert_eq!(a, "名簿\n");
                assert_eq!(
                    rows,
                    &vec![
                        vec!["氏名".to_string(), "電話".into()],
                        vec!["山田 太郎".into(), "".into()],
                        vec!["佐藤".into(), "03-1234-5678".into()],
                    ]
                );
                assert_eq!(b, "以上\n");
            }
            other => panic!("{other:?}"),
        }
    }
}

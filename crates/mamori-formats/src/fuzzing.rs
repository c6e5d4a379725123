//! Differential checks for the fuzz targets `xlsx_fast` and `ooxml_fast`:
//! the memchr readers against the reference readers (calamine,
//! quick-xml) on the same XML. Where a fast reader accepts its input, the
//! output must be the reference's; a panic or a difference is a crash.

use crate::sheet::{read_xlsx_with, XlsxReader};
use crate::xmltext::Collector;
use crate::{Budget, Limits, Part};
use std::io::{Cursor, Write};

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns:r="r"><workbookPr/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#;
const STYLES: &str = r#"<styleSheet><numFmts><numFmt numFmtId="176" formatCode="yyyy/mm/dd"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="46"/></cellXfs></styleSheet>"#;

/// A one-sheet workbook (stored, not deflated) whose shared strings and
/// sheet are the fuzzer's bytes: before the first 0xFF byte the shared
/// strings, after it the sheet.
pub fn workbook_of(data: &[u8]) -> Vec<u8> {
    let (shared, sheet) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"<sst></sst>"[..], data),
    };
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let files: [(&str, &[u8]); 5] = [
            ("xl/workbook.xml", WORKBOOK.as_bytes()),
            ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
            ("xl/styles.xml", STYLES.as_bytes()),
            ("xl/sharedStrings.xml", shared),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        for (name, body) in files {
            if w.start_file(name, options).is_err() || w.write_all(body).is_err() {
                return Vec::new();
            }
        }
        if w.finish().is_err() {
            return Vec::new();
        }
    }
    out.into_inner()
}

fn tables(bytes: &[u8], reader: XlsxReader) -> String {
    let limits = Limits {
        max_time: std::time::Duration::from_secs(5),
        ..Limits::default()
    };
    let budget = Budget::new(limits);
    let mut out = String::new();
    let result = read_xlsx_with(
        &mut Cursor::new(bytes),
        &budget,
        &mut |p| out.push_str(&format!("{p:?}\n")),
        reader,
    );
    out.push_str(&format!("{result:?}"));
    out
}

/// Panics when the fast xlsx reader accepts `data` (see [`workbook_of`])
/// and reads it otherwise than calamine does.
pub fn xlsx_differential(data: &[u8]) {
    let book = workbook_of(data);
    let fast = tables(&book, XlsxReader::FastOnly);
    if fast.contains("fast reader:") || fast.ends_with("Err(Corrupt { format: \"Excel workbook\", reason: \"shared string index out of range\" })") {
        return;
    }
    // calamine's arithmetic overflows where overflow checks are on (fuzz
    // builds abort on it; release builds wrap, as the fast reader does):
    // long references, ranges that end before they start, huge dates.
    let sheet = data
        .iter()
        .position(|&b| b == 0xFF)
        .map_or(data, |i| &data[i + 1..]);
    if calamine_would_overflow(sheet) {
        return;
    }
    let reference = tables(&book, XlsxReader::Calamine);
    assert_eq!(fast, reference, "fast xlsx reader differs from calamine");
}

fn calamine_would_overflow(sheet: &[u8]) -> bool {
    use crate::xmlscan::{Attrs, Event, Tokenizer};
    let Ok(mut tok) = Tokenizer::new(sheet) else {
        return true;
    };
    loop {
        match tok.next() {
            Err(_) => return true,
            Ok(Event::Eof) => return false,
            Ok(Event::Start { name, .. }) if crate::xmlscan::local(name) == b"v" => {
                // calamine's date arithmetic (shared by both readers)
                // overflows on serials far past year 9999.
                if let Ok(Event::Text(t)) = tok.next() {
                    if t.trim()
                        .parse::<f64>()
                        .is_ok_and(|x| x.is_nan() || x.abs() >= 1e7)
                    {
                        return true;
                    }
                }
            }
            Ok(Event::Start { attrs, .. }) => {
                let Ok(attrs) = Attrs::parse(attrs) else {
                    return true;
                };
                for (key, value) in attrs.iter() {
                    if key == b"r" || key == b"ref" {
                        let long_run = value
                            .split(|b| !b.is_ascii_digit())
                            .any(|run| run.len() >= 9)
                            || value
                                .split(|b| !b.is_ascii_alphabetic())
                                .any(|run| run.len() >= 6);
                        if long_run || crate::xlsx::reversed_range(value) {
                            return true;
                        }
                    }
                }
            }
            Ok(_) => {}
        }
    }
}

/// Panics when the fast docx/pptx reader accepts `xml` and reads it
/// otherwise than the quick-xml reader does.
pub fn ooxml_differential(xml: &[u8]) {
    let mut fast_parts = Vec::new();
    let fast = {
        let mut sink = |p: Part| fast_parts.push(format!("{p:?}"));
        let mut c = Collector::new(&mut sink);
        let r = c.read_fast(xml);
        if r.is_ok() {
            c.flush_text();
        }
        r
    };
    if fast.is_err() {
        return;
    }
    let mut reference_parts = Vec::new();
    let reference = {
        let mut sink = |p: Part| reference_parts.push(format!("{p:?}"));
        let mut c = Collector::new(&mut sink);
        let r = c.read(xml, "test");
        if r.is_ok() {
            c.flush_text();
        }
        r
    };
    assert!(
        reference.is_ok(),
        "quick-xml fails where the fast reader does not: {reference:?}"
    );
    assert_eq!(
        fast_parts, reference_parts,
        "fast ooxml reader differs from quick-xml"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_agree() {
        xlsx_differential(b"<sst><si><t>a&amp;b</t></si><si><r><t>c</t></r><rPh><t>x</t></rPh></si></sst>\xff<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c s=\"1\"><v>30000</v></c><c t=\"inlineStr\"><is><t>i</t></is></c></row></sheetData><mergeCells><mergeCell ref=\"A1:C1\"/></mergeCells></worksheet>");
        xlsx_differential(
            b"<worksheet><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>",
        );
        ooxml_differential(b"<w:document><w:body><w:p><w:r><w:t>a&lt;b</w:t><w:tab/></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>");
        ooxml_differential(b"<a><p><t>x</t></p></b>");
        // Plain runs and cells (taken whole by the fast reader), in and
        // out of `mc:Fallback`, next to ones that are not plain.
        ooxml_differential("<w:document><w:body><w:tbl><w:tr><w:tc><w:tcPr/><w:p><w:pPr><w:jc w:val=\"c\"/></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia=\"明朝\"/></w:rPr><w:t xml:space=\"preserve\"> 山田 </w:t></w:r></w:p></w:tc><w:tc><w:tcPr/><w:p><w:r><w:rPr><w:rFonts w:eastAsia=\"明朝\"/></w:rPr><w:t xml:space=\"preserve\">a\nb</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>x</w:t><w:tab/><w:t>y</w:t></w:r></w:p></w:tc></w:tr></w:tbl><mc:Fallback><w:tc><w:p><w:r><w:t>old</w:t></w:r></w:p></w:tc><w:r><w:t>old</w:t></w:r></mc:Fallback><w:tc><w:p><w:r><w:t>stray</w:t></w:r></w:p></w:tc><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>end</w:t></w:r></w:p></w:body></w:document>".as_bytes());
        ooxml_differential("<p:sld><a:tbl><a:tr><a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:rPr lang=\"ja-JP\"/><a:t>氏名</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:rPr lang=\"ja-JP\"/><a:t> </a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></p:sld>".as_bytes());
        // Found by the fuzzer: a UTF-16 sheet, `<?>` which does not close.
        xlsx_differential(
            b"<sst></sst>\xff<\x00?\x00t version=\"1.0\"?><worksheet><sheetData/></worksheet>",
        );
        ooxml_differential(b"<a><?><p><t>x</t></p><?x?></a>");
        ooxml_differential(b"<a><??><p><t>x</t></p><?x?></a>");
        xlsx_differential(b"<sst><si><t>\xc3\xa9</t></si><?xml version=\"1.0\" encoding=\"latin1\"?><si><t>\xc3\xa9</t></si></sst>\xff<worksheet><sheetData><row><c t=\"s\"><v>1</v></c></row></sheetData></worksheet>");
        xlsx_differential(b"<sst></sst>\xff<worksheet>&<sheetData></sheetData></worksheet>");
        // Form feed is no XML whitespace: `<w:t\x0Ce:t>` is no text element.
        ooxml_differential(b"<p><w:t\x0Ce:t>x</w:t\x0Ce:t></p>");
        xlsx_differential(
            b"<sst><si><t>a</t></si></is></sst>\xff<worksheet><sheetData/></worksheet>",
        );
        for crash in std::env::var("MAMORI_FUZZ_CRASHES")
            .unwrap_or_default()
            .split(',')
        {
            if let Ok(data) = std::fs::read(crash) {
                xlsx_differential(&data);
                ooxml_differential(&data);
            }
        }
    }
}

//! Word (.docx) rendering: WordprocessingML written here and packed in a
//! zip of stored entries (no compression: these documents are small, and a
//! stored zip needs no dependency). Word and LibreOffice open it; people
//! finish these documents in Word, so headings use the built-in heading
//! styles (navigation pane, table of contents) and to-complete marks are
//! highlighted runs they can find and overwrite.

use super::{Block, Document};
use mamori_core::Lang;
use std::fmt::Write;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
/// A4 text width in twips (11906 less two 1247 margins).
const TEXT_WIDTH: usize = 9412;

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn run(text: &str, highlight: bool) -> String {
    let props = if highlight {
        "<w:rPr><w:b/><w:highlight w:val=\"yellow\"/></w:rPr>"
    } else {
        ""
    };
    format!(
        "<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        xml_escape(text)
    )
}

fn paragraph(style: Option<&str>, extra: &str, text: &str, highlight: bool) -> String {
    let style = style
        .map(|s| format!("<w:pStyle w:val=\"{s}\"/>"))
        .unwrap_or_default();
    format!(
        "<w:p><w:pPr>{style}{extra}</w:pPr>{}</w:p>",
        run(text, highlight)
    )
}

fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let columns = header.len().max(1);
    // Columns as wide as their longest text (within bounds): the item lists
    // get the room, the counts do not.
    let weights: Vec<usize> = (0..columns)
        .map(|c| {
            std::iter::once(header.get(c))
                .chain(rows.iter().map(|r| r.get(c)))
                .flatten()
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(1)
                .clamp(4, 40)
        })
        .collect();
    let total: usize = weights.iter().sum::<usize>().max(1);
    let widths: Vec<usize> = weights.iter().map(|w| TEXT_WIDTH * w / total).collect();
    let mut out = String::from(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblBorders>",
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            out,
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"808080\"/>"
        );
    }
    out.push_str("</w:tblBorders></w:tblPr><w:tblGrid>");
    for width in &widths {
        let _ = write!(out, "<w:gridCol w:w=\"{width}\"/>");
    }
    out.push_str("</w:tblGrid>");
    let mut row_xml = |cells: &[String], head: bool| {
        out.push_str("<w:tr>");
        for (index, width) in widths.iter().enumerate() {
            let text = cells.get(index).map(String::as_str).unwrap_or("");
            let shade = if head {
                "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E7E6E6\"/>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{shade}</w:tcPr>{}</w:tc>",
                paragraph(None, "<w:spacing w:after=\"0\"/>", text, false)
            );
        }
        out.push_str("</w:tr>");
    };
    row_xml(header, true);
    for row in rows {
        row_xml(row, false);
    }
    out.push_str("</w:tbl>");
    out
}

pub fn document_xml(document: &Document) -> String {
    let mut body = String::new();
    for block in &document.blocks {
        match block {
            Block::Title(text) => body.push_str(&paragraph(Some("Title"), "", text, false)),
            Block::Heading(level, text) => {
                let style = if *level <= 1 { "Heading1" } else { "Heading2" };
                body.push_str(&paragraph(Some(style), "", text, false));
            }
            Block::Paragraph(text) => body.push_str(&paragraph(None, "", text, false)),
            Block::Bullets(items) => {
                for item in items {
                    body.push_str(&paragraph(
                        None,
                        "<w:ind w:left=\"420\" w:hanging=\"210\"/>",
                        &format!("・{item}"),
                        false,
                    ));
                }
            }
            Block::Table(header, rows) => {
                body.push_str(&table(header, rows));
                body.push_str("<w:p/>");
            }
            Block::ToComplete(text) => body.push_str(&paragraph(None, "", text, true)),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1247\" w:bottom=\"1440\" w:left=\"1247\" w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    )
}

fn styles_xml(lang: Lang) -> String {
    let language = lang.pick("ja-JP", "en-GB");
    let heading = |id: &str, name: &str, size: u32, level: u32| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"{level}\"/></w:pPr><w:rPr><w:rFonts w:ascii=\"Yu Gothic\" w:hAnsi=\"Yu Gothic\" w:eastAsia=\"Yu Gothic\"/><w:b/><w:sz w:val=\"{size}\"/></w:rPr></w:style>"
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W}\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Yu Mincho\" w:hAnsi=\"Yu Mincho\" w:eastAsia=\"Yu Mincho\" w:cs=\"Times New Roman\"/><w:sz w:val=\"21\"/><w:lang w:val=\"{language}\" w:eastAsia=\"ja-JP\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"300\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:rFonts w:ascii=\"Yu Gothic\" w:hAnsi=\"Yu Gothic\" w:eastAsia=\"Yu Gothic\"/><w:b/><w:sz w:val=\"32\"/></w:rPr></w:style>\
{}{}\
<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/><w:tblPr><w:tblCellMar><w:left w:w=\"108\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>",
        heading("Heading1", "heading 1", 26, 0),
        heading("Heading2", "heading 2", 23, 1)
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>";
const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>";
const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>";

fn core_xml(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>mamori</dc:creator></cp:coreProperties>",
        xml_escape(title)
    )
}

/// The .docx file's bytes.
pub fn render(document: &Document, lang: Lang) -> Vec<u8> {
    let mut zip = StoredZip::default();
    zip.add("[Content_Types].xml", CONTENT_TYPES.as_bytes());
    zip.add("_rels/.rels", ROOT_RELS.as_bytes());
    zip.add("docProps/core.xml", core_xml(&document.title).as_bytes());
    zip.add("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes());
    zip.add("word/styles.xml", styles_xml(lang).as_bytes());
    zip.add("word/document.xml", document_xml(document).as_bytes());
    zip.finish()
}

/// A zip archive of stored (uncompressed) entries, UTF-8 names, fixed
/// 1980-01-01 timestamps so the same document gives the same bytes.
#[derive(Default)]
pub struct StoredZip {
    data: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

impl StoredZip {
    pub fn add(&mut self, name: &str, content: &[u8]) {
        let crc = crc32fast::hash(content);
        // Documents are far below 4 GiB; saturate rather than wrap if not.
        let size = u32::try_from(content.len()).unwrap_or(u32::MAX);
        let offset = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        let common = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&20u16.to_le_bytes()); // version needed
            buf.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            buf.extend_from_slice(&0u16.to_le_bytes()); // stored
            buf.extend_from_slice(&0u16.to_le_bytes()); // time
            buf.extend_from_slice(&0x0021u16.to_le_bytes()); // 1980-01-01
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&name_len.to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        self.data.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut self.data);
        self.data.extend_from_slice(name.as_bytes());
        self.data.extend_from_slice(content);

        self.central
            .extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        self.central.extend_from_slice(&20u16.to_le_bytes()); // made by
        common(&mut self.central);
        self.central.extend_from_slice(&0u16.to_le_bytes()); // comment
        self.central.extend_from_slice(&0u16.to_le_bytes()); // disk
        self.central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        self.central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    pub fn finish(mut self) -> Vec<u8> {
        let offset = u32::try_from(self.data.len()).unwrap_or(u32::MAX);
        let size = u32::try_from(self.central.len()).unwrap_or(u32::MAX);
        self.data.extend_from_slice(&self.central);
        self.data.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.data.extend_from_slice(&0u16.to_le_bytes());
        self.data.extend_from_slice(&0u16.to_le_bytes());
        self.data.extend_from_slice(&self.entries.to_le_bytes());
        self.data.extend_from_slice(&self.entries.to_le_bytes());
        self.data.extend_from_slice(&size.to_le_bytes());
        self.data.extend_from_slice(&offset.to_le_bytes());
        self.data.extend_from_slice(&0u16.to_le_bytes());
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(xml_escape("a<b>&\"\u{1}"), "a&lt;b&gt;&amp;&quot;");
    }
}

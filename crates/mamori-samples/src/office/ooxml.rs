//! Minimal but well-formed SpreadsheetML, WordprocessingML and
//! PresentationML packages written from strings: what Excel, Word and
//! PowerPoint store (inline or shared strings, numbers, date-styled serial numbers, formulas
//! with cached values, merged cells, hidden sheets, headers/footers, text
//! boxes, tables).

use super::zipw::ZipWriter;

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn col_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

pub fn cell_ref(row: usize, col: usize) -> String {
    format!("{}{}", col_name(col), row + 1)
}

#[derive(Debug, Clone)]
pub enum Cell {
    Empty,
    Text(String),
    /// A date stored as Excel stores it: a serial day number with a date style.
    Date(i64),
    /// A number as Excel stores it: the value alone, no type attribute.
    Number(String),
    /// A formula and the value Excel cached for it.
    Formula {
        formula: String,
        cached: String,
    },
}

pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub rows: Vec<Vec<Cell>>,
    /// `A1:A2` ranges.
    pub merges: Vec<String>,
}

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Text cells as inline strings (what many export tools write).
pub fn xlsx(sheets: &[Sheet]) -> Vec<u8> {
    xlsx_package(sheets, false)
}

/// Text cells through a shared-string table, as Excel itself saves them.
pub fn xlsx_shared(sheets: &[Sheet]) -> Vec<u8> {
    xlsx_package(sheets, true)
}

/// The shared-string table Excel keeps: each distinct text once, cells
/// refer to it by index.
#[derive(Default)]
struct SharedStrings {
    index: std::collections::HashMap<String, usize>,
    xml: String,
    count: usize,
}

impl SharedStrings {
    fn id(&mut self, text: &str) -> usize {
        self.count += 1;
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.index.len();
        self.index.insert(text.to_string(), i);
        self.xml.push_str(&format!(
            "<si><t xml:space=\"preserve\">{}</t></si>",
            esc(text)
        ));
        i
    }

    fn part(&self) -> String {
        format!(
            "{XML}<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{}\" uniqueCount=\"{}\">{}</sst>",
            self.count,
            self.index.len(),
            self.xml
        )
    }
}

fn xlsx_package(sheets: &[Sheet], shared: bool) -> Vec<u8> {
    let mut z = ZipWriter::new();
    let mut types = String::from(XML);
    types.push_str("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>");
    for i in 1..=sheets.len() {
        types.push_str(&format!("<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"));
    }
    if shared {
        types.push_str("<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>");
    }
    types.push_str("</Types>");
    z.add("[Content_Types].xml", types.as_bytes());
    z.add("_rels/.rels", format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>").as_bytes());
    let mut wb = format!("{XML}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>");
    let mut rels = format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for (i, s) in sheets.iter().enumerate() {
        let n = i + 1;
        let state = if s.hidden { " state=\"hidden\"" } else { "" };
        wb.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{n}\"{state} r:id=\"rId{n}\"/>",
            esc(&s.name)
        ));
        rels.push_str(&format!("<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"));
    }
    let styles_id = sheets.len() + 1;
    rels.push_str(&format!("<Relationship Id=\"rId{styles_id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"));
    if shared {
        rels.push_str(&format!("<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>", styles_id + 1));
    }
    rels.push_str("</Relationships>");
    wb.push_str("</sheets></workbook>");
    z.add("xl/workbook.xml", wb.as_bytes());
    z.add("xl/_rels/workbook.xml.rels", rels.as_bytes());
    z.add("xl/styles.xml", format!("{XML}<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><fonts count=\"1\"><font><sz val=\"11\"/><name val=\"游ゴシック\"/></font></fonts><fills count=\"1\"><fill><patternFill patternType=\"none\"/></fill></fills><borders count=\"1\"><border/></borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>").as_bytes());
    let mut strings = shared.then(SharedStrings::default);
    for (i, s) in sheets.iter().enumerate() {
        z.add(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            sheet_xml(s, strings.as_mut()).as_bytes(),
        );
    }
    if let Some(strings) = strings {
        z.add("xl/sharedStrings.xml", strings.part().as_bytes());
    }
    z.finish()
}

fn sheet_xml(s: &Sheet, mut strings: Option<&mut SharedStrings>) -> String {
    let mut x = format!("{XML}<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
    for (r, row) in s.rows.iter().enumerate() {
        x.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = cell_ref(r, c);
            match cell {
                Cell::Empty => {}
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => match strings.as_deref_mut() {
                    Some(strings) => x.push_str(&format!(
                        "<c r=\"{at}\" t=\"s\"><v>{}</v></c>",
                        strings.id(t)
                    )),
                    None => x.push_str(&format!(
                        "<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                        esc(t)
                    )),
                },
                Cell::Number(n) => x.push_str(&format!("<c r=\"{at}\"><v>{}</v></c>", esc(n))),
                Cell::Date(serial) => {
                    x.push_str(&format!("<c r=\"{at}\" s=\"1\"><v>{serial}</v></c>"))
                }
                Cell::Formula { formula, cached } => x.push_str(&format!(
                    "<c r=\"{at}\" t=\"str\"><f>{}</f><v>{}</v></c>",
                    esc(formula),
                    esc(cached)
                )),
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData>");
    if !s.merges.is_empty() {
        x.push_str(&format!("<mergeCells count=\"{}\">", s.merges.len()));
        for m in &s.merges {
            x.push_str(&format!("<mergeCell ref=\"{m}\"/>"));
        }
        x.push_str("</mergeCells>");
    }
    x.push_str("</worksheet>");
    x
}

/// An OpenDocument spreadsheet (LibreOffice Calc): the same sheets, dates
/// as `office:date-value`, hidden sheets as `table:display="false"` styles.
pub fn ods(sheets: &[Sheet]) -> Vec<u8> {
    let mut z = ZipWriter::new();
    z.add(
        "mimetype",
        b"application/vnd.oasis.opendocument.spreadsheet",
    );
    z.add("META-INF/manifest.xml", format!("{XML}<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>").as_bytes());
    let mut x = format!("{XML}<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" office:version=\"1.2\"><office:automatic-styles><style:style style:name=\"ta1\" style:family=\"table\"><style:table-properties table:display=\"true\"/></style:style><style:style style:name=\"ta2\" style:family=\"table\"><style:table-properties table:display=\"false\"/></style:style></office:automatic-styles><office:body><office:spreadsheet>");
    for s in sheets {
        let style = if s.hidden { "ta2" } else { "ta1" };
        x.push_str(&format!(
            "<table:table table:name=\"{}\" table:style-name=\"{style}\">",
            esc(&s.name)
        ));
        for row in &s.rows {
            x.push_str("<table:table-row>");
            for cell in row {
                match cell {
                    Cell::Empty => x.push_str("<table:table-cell/>"),
                    Cell::Text(t) | Cell::Formula { cached: t, .. } => x.push_str(&format!(
                        "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                        esc(t)
                    )),
                    Cell::Number(n) => x.push_str(&format!(
                        "<table:table-cell office:value-type=\"float\" office:value=\"{0}\"><text:p>{0}</text:p></table:table-cell>",
                        esc(n)
                    )),
                    Cell::Date(serial) => {
                        let (y, m, d) = civil_from_serial(*serial);
                        x.push_str(&format!("<table:table-cell office:value-type=\"date\" office:date-value=\"{y:04}-{m:02}-{d:02}\"><text:p>{y}/{m}/{d}</text:p></table:table-cell>"));
                    }
                }
            }
            x.push_str("</table:table-row>");
        }
        x.push_str("</table:table>");
    }
    x.push_str("</office:spreadsheet></office:body></office:document-content>");
    z.add("content.xml", x.as_bytes());
    z.finish()
}

/// Excel serial day (1900 system) → (year, month, day).
fn civil_from_serial(serial: i64) -> (i64, i64, i64) {
    // Days since 1970-01-01: the serial of 1970-01-01 is 25569.
    let z = serial - 25569 + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A block of a Word document or a slide.
#[derive(Debug, Clone)]
pub enum Block {
    Para(String),
    /// A floating text box (Word writes it twice: the DrawingML shape and
    /// a VML fallback).
    TextBox(String),
    Table(Vec<Vec<String>>),
}

const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\" xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

fn w_runs(text: &str) -> String {
    let mut x = String::new();
    for (i, part) in text.split('\t').enumerate() {
        if i > 0 {
            x.push_str("<w:r><w:tab/></w:r>");
        }
        if !part.is_empty() {
            x.push_str(&format!(
                "<w:r><w:rPr><w:rFonts w:eastAsia=\"ＭＳ 明朝\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
                esc(part)
            ));
        }
    }
    x
}

fn w_para(text: &str) -> String {
    format!("<w:p>{}</w:p>", w_runs(text))
}

fn w_blocks(blocks: &[Block]) -> String {
    let mut x = String::new();
    for b in blocks {
        match b {
            Block::Para(t) => x.push_str(&w_para(t)),
            Block::TextBox(t) => {
                let inner: String = t.lines().map(w_para).collect();
                x.push_str(&format!("<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"));
            }
            Block::Table(rows) => {
                x.push_str("<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/></w:tblPr>");
                for row in rows {
                    x.push_str("<w:tr>");
                    for cell in row {
                        x.push_str(&format!("<w:tc><w:tcPr/>{}</w:tc>", w_para(cell)));
                    }
                    x.push_str("</w:tr>");
                }
                x.push_str("</w:tbl><w:p/>");
            }
        }
    }
    x
}

pub fn docx(blocks: &[Block], header: &str, footer: &str) -> Vec<u8> {
    docx_with_media(blocks, header, footer, &[])
}

/// Pictures (JPEG bytes) stored in a package as Office stores them:
/// `<dir>/media/imageN.jpeg`; returns their relationships.
fn add_media(z: &mut ZipWriter, dir: &str, media: &[Vec<u8>]) -> String {
    let mut rels = String::new();
    for (i, bytes) in media.iter().enumerate() {
        z.add(&format!("{dir}/media/image{}.jpeg", i + 1), bytes);
        rels.push_str(&format!("<Relationship Id=\"rIdImg{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/image{}.jpeg\"/>", i + 1, i + 1));
    }
    rels
}

/// A Word document with pictures (photos, logos, scans) beside its text:
/// what makes most 50-500 KB documents that size.
pub fn docx_with_media(blocks: &[Block], header: &str, footer: &str, media: &[Vec<u8>]) -> Vec<u8> {
    let mut z = ZipWriter::new();
    let image_rels = add_media(&mut z, "word", media);
    z.add("[Content_Types].xml", format!("{XML}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/><Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/></Types>").as_bytes());
    z.add("_rels/.rels", format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>").as_bytes());
    z.add("word/_rels/document.xml.rels", format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>{image_rels}</Relationships>").as_bytes());
    let body = w_blocks(blocks);
    z.add("word/document.xml", format!("{XML}<w:document {W}><w:body>{body}<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId1\"/><w:footerReference w:type=\"default\" r:id=\"rId2\"/><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr></w:body></w:document>").as_bytes());
    z.add(
        "word/header1.xml",
        format!("{XML}<w:hdr {W}>{}</w:hdr>", w_para(header)).as_bytes(),
    );
    z.add(
        "word/footer1.xml",
        format!("{XML}<w:ftr {W}>{}</w:ftr>", w_para(footer)).as_bytes(),
    );
    z.finish()
}

const P: &str = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

fn a_para(text: &str) -> String {
    format!(
        "<a:p><a:r><a:rPr lang=\"ja-JP\"/><a:t>{}</a:t></a:r></a:p>",
        esc(text)
    )
}

pub fn pptx(slides: &[Vec<Block>]) -> Vec<u8> {
    pptx_with_media(slides, &[])
}

/// A presentation with pictures, related from the presentation part.
pub fn pptx_with_media(slides: &[Vec<Block>], media: &[Vec<u8>]) -> Vec<u8> {
    let mut z = ZipWriter::new();
    let image_rels = add_media(&mut z, "ppt", media);
    let mut types = format!("{XML}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/><Override PartName=\"/ppt/presentation.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml\"/>");
    for i in 1..=slides.len() {
        types.push_str(&format!("<Override PartName=\"/ppt/slides/slide{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.presentationml.slide+xml\"/>"));
    }
    types.push_str("</Types>");
    z.add("[Content_Types].xml", types.as_bytes());
    z.add("_rels/.rels", format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"ppt/presentation.xml\"/></Relationships>").as_bytes());
    let mut pres = format!("{XML}<p:presentation {P}><p:sldIdLst>");
    let mut rels = format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for i in 1..=slides.len() {
        pres.push_str(&format!("<p:sldId id=\"{}\" r:id=\"rId{i}\"/>", 255 + i));
        rels.push_str(&format!("<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/slide{i}.xml\"/>"));
    }
    pres.push_str("</p:sldIdLst><p:sldSz cx=\"12192000\" cy=\"6858000\"/></p:presentation>");
    rels.push_str(&image_rels);
    rels.push_str("</Relationships>");
    z.add("ppt/presentation.xml", pres.as_bytes());
    z.add("ppt/_rels/presentation.xml.rels", rels.as_bytes());
    for (i, blocks) in slides.iter().enumerate() {
        let mut tree = String::new();
        for (k, b) in blocks.iter().enumerate() {
            match b {
                Block::Para(t) | Block::TextBox(t) => tree.push_str(&format!(
                    "<p:sp><p:nvSpPr><p:cNvPr id=\"{}\" name=\"テキスト {k}\"/><p:cNvSpPr txBox=\"1\"/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/>{}</p:txBody></p:sp>",
                    k + 2,
                    t.lines().map(a_para).collect::<String>()
                )),
                Block::Table(rows) => {
                    let mut tbl = String::from("<a:tbl><a:tblPr firstRow=\"1\"/>");
                    for row in rows {
                        tbl.push_str("<a:tr h=\"370840\">");
                        for cell in row {
                            tbl.push_str(&format!(
                                "<a:tc><a:txBody><a:bodyPr/>{}</a:txBody></a:tc>",
                                a_para(cell)
                            ));
                        }
                        tbl.push_str("</a:tr>");
                    }
                    tbl.push_str("</a:tbl>");
                    tree.push_str(&format!("<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"{}\" name=\"表 {k}\"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/table\">{tbl}</a:graphicData></a:graphic></p:graphicFrame>", k + 2));
                }
            }
        }
        z.add(
            &format!("ppt/slides/slide{}.xml", i + 1),
            format!("{XML}<p:sld {P}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>{tree}</p:spTree></p:cSld></p:sld>").as_bytes(),
        );
    }
    z.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_to_dates() {
        assert_eq!(civil_from_serial(29282), (1980, 3, 2));
        assert_eq!(civil_from_serial(25569), (1970, 1, 1));
    }

    #[test]
    fn column_names() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(9, 25), "Z10");
        assert_eq!(cell_ref(0, 26), "AA1");
    }
}

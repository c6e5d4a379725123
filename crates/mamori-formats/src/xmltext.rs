//! Text and tables out of WordprocessingML / DrawingML, by local names
//! only (w:p and a:p are both paragraphs), so one reader serves .docx and
//! .pptx.

use crate::xmlscan::{local, unescape_entities, Event as Event2, Scan, Tokenizer};
use crate::{FormatError, Part};
use quick_xml::events::Event;
use quick_xml::Reader;

/// Where the reader is: inside how many text elements and runs, and
/// inside `mc:Fallback` (skipped).
#[derive(Default)]
struct State {
    in_text: u32,
    in_run: u32,
    fallback: u32,
}

impl State {
    fn collecting(&self) -> bool {
        self.in_text > 0 && self.fallback == 0
    }
}

#[derive(Default)]
struct TableBuild {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: Option<String>,
}

/// Names [`Collector::start`], [`Collector::end`] and [`Collector::empty`]
/// do nothing with (by local name), so elements made of them alone can be
/// passed over whole.
fn quiet(name: &[u8]) -> bool {
    !matches!(
        local(name),
        b"p" | b"t" | b"r" | b"tbl" | b"tr" | b"tc" | b"Fallback" | b"tab" | b"br" | b"cr"
    )
}

/// Collects paragraphs into text and `tbl` elements into tables, handing
/// text to `sink` before each table so document order is kept.
pub(crate) struct Collector<'s> {
    sink: &'s mut dyn FnMut(Part),
    text: String,
    paragraphs: Vec<String>,
    tables: Vec<TableBuild>,
    /// Bytes of text collected, for the budget.
    pub(crate) bytes: u64,
}

impl<'s> Collector<'s> {
    pub(crate) fn new(sink: &'s mut dyn FnMut(Part)) -> Self {
        Collector {
            sink,
            text: String::new(),
            paragraphs: Vec::new(),
            tables: Vec::new(),
            bytes: 0,
        }
    }

    /// Reads one XML part with quick-xml (the reference reader, and the
    /// fallback for what [`Collector::read_fast`] refuses). Text boxes come
    /// out as paragraphs of their own; `mc:Fallback` (the old copy of a
    /// text box) is skipped.
    pub(crate) fn read(&mut self, xml: &[u8], format: &'static str) -> Result<(), FormatError> {
        let mut reader = Reader::from_reader(xml);
        let mut state = State::default();
        loop {
            // Borrowed events straight from the part's bytes: no copy per event.
            let event = reader
                .read_event()
                .map_err(|e| FormatError::corrupt(format, e))?;
            match event {
                Event::Start(e) => self.start(e.local_name().as_ref(), &mut state),
                Event::End(e) => self.end(e.local_name().as_ref(), &mut state),
                Event::Empty(e) => self.empty(e.local_name().as_ref(), &state),
                Event::Text(t) if state.collecting() => match t.unescape() {
                    Ok(s) => self.push_str(&s),
                    Err(_) => self.push_str(&String::from_utf8_lossy(&t)),
                },
                Event::CData(t) if state.collecting() => {
                    self.push_str(&String::from_utf8_lossy(&t));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        self.close_unclosed();
        Ok(())
    }

    /// The same as [`Collector::read`], event for event, on the memchr
    /// tokenizer. It refuses (before anything reaches the sink only if the
    /// caller buffers, see `ooxml`) whatever quick-xml would report as an
    /// error or decode differently: a mismatched end tag, an entity it
    /// does not know, a DOCTYPE, bytes that are not UTF-8, markup cut short.
    pub(crate) fn read_fast(&mut self, xml: &[u8]) -> Scan<()> {
        // The tokenizer refuses an end tag that does not close the
        // innermost open element, and nesting past its own (lower) limit.
        let mut tok = Tokenizer::new(xml)?.keep_empty();
        let mut state = State::default();
        let mut scratch = String::new();
        loop {
            // A plain table cell (most of a roster) in one step: the
            // events that matter to the collector are replayed.
            if let Some(text) = tok.take_table_cell(quiet) {
                if state.fallback == 0 {
                    self.start(b"tc", &mut state);
                    self.start(b"p", &mut state);
                    self.push_str(text);
                    self.end(b"p", &mut state);
                    self.end(b"tc", &mut state);
                }
                continue;
            }
            // A plain run (most of a document) in one step: its property
            // elements mean nothing here, its text is what `t` would give.
            if let Some(text) = tok.take_run(quiet) {
                if state.fallback == 0 {
                    self.push_str(text);
                }
                continue;
            }
            match tok.next()? {
                Event2::Start { name, .. } => self.start(local(name), &mut state),
                Event2::End { name } => self.end(local(name), &mut state),
                Event2::Empty { name, .. } => self.empty(local(name), &state),
                // Most runs hold no reference: their raw text is the value.
                Event2::Text(raw) if state.collecting() && !tok.text_has_references() => {
                    self.push_str(raw);
                }
                Event2::Text(raw) if state.collecting() => {
                    scratch.clear();
                    unescape_entities(raw, &mut scratch)?;
                    self.push_str(&scratch);
                }
                Event2::CData(raw) if state.collecting() => {
                    self.push_str(&String::from_utf8_lossy(raw));
                }
                Event2::Eof => break,
                _ => {}
            }
        }
        self.close_unclosed();
        Ok(())
    }

    fn start(&mut self, name: &[u8], state: &mut State) {
        // Keep `quiet` in step: a name acted on here is not quiet.
        if name == b"Fallback" {
            state.fallback += 1;
        }
        if state.fallback > 0 {
            return;
        }
        match name {
            b"p" => self.paragraphs.push(String::new()),
            b"t" => state.in_text += 1,
            b"r" => state.in_run += 1,
            b"tbl" => {
                self.flush_text();
                self.tables.push(TableBuild::default());
            }
            b"tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.clear();
                }
            }
            b"tc" => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some(String::new());
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &[u8], state: &mut State) {
        if name == b"Fallback" {
            state.fallback = state.fallback.saturating_sub(1);
            return;
        }
        if state.fallback > 0 {
            return;
        }
        match name {
            b"p" => {
                if let Some(line) = self.paragraphs.pop() {
                    self.end_paragraph(line);
                }
            }
            b"t" => state.in_text = state.in_text.saturating_sub(1),
            b"r" => state.in_run = state.in_run.saturating_sub(1),
            b"tc" => {
                if let Some(t) = self.tables.last_mut() {
                    let cell = t.cell.take().unwrap_or_default();
                    // Most cells have nothing to trim: kept, not copied.
                    let trimmed = cell.trim();
                    t.row.push(if trimmed.len() == cell.len() {
                        cell
                    } else {
                        trimmed.to_string()
                    });
                }
            }
            b"tr" => {
                if let Some(t) = self.tables.last_mut() {
                    // The next row is as wide: its list is made that large.
                    let width = t.row.len();
                    let row = std::mem::replace(&mut t.row, Vec::with_capacity(width));
                    t.rows.push(row);
                }
            }
            b"tbl" => self.end_table(),
            _ => {}
        }
    }

    fn empty(&mut self, name: &[u8], state: &State) {
        if state.fallback > 0 {
            return;
        }
        match name {
            b"tab" if state.in_run > 0 => self.push_str("\t"),
            b"br" | b"cr" => self.push_str("\n"),
            _ => {}
        }
    }

    /// Unclosed elements in a truncated part: keep what was read.
    fn close_unclosed(&mut self) {
        while let Some(line) = self.paragraphs.pop() {
            self.end_paragraph(line);
        }
        while !self.tables.is_empty() {
            self.end_table();
        }
    }

    fn push_str(&mut self, s: &str) {
        self.bytes += s.len() as u64;
        match self.paragraphs.last_mut() {
            Some(p) => p.push_str(s),
            None => {
                self.text.push_str(s);
            }
        }
    }

    fn end_paragraph(&mut self, line: String) {
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            let breaks = line.contains('\n');
            if cell.is_empty() && !breaks {
                // A cell's first paragraph (most cells have one) becomes
                // its text as it is: moved, not copied.
                *cell = line;
                return;
            }
            if !cell.is_empty() && !line.is_empty() {
                cell.push(' ');
            }
            if breaks {
                cell.push_str(&line.replace('\n', " "));
            } else {
                cell.push_str(&line);
            }
            return;
        }
        if line.trim().is_empty() {
            return;
        }
        self.text.push_str(&line);
        self.text.push('\n');
    }

    fn end_table(&mut self) {
        let Some(mut table) = self.tables.pop() else {
            return;
        };
        if !table.row.is_empty() {
            table.rows.push(std::mem::take(&mut table.row));
        }
        // A table inside a table cell becomes that cell's text.
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            for row in &table.rows {
                if !cell.is_empty() {
                    cell.push(' ');
                }
                cell.push_str(&row.join(" "));
            }
            return;
        }
        table.rows.retain(|r| r.iter().any(|c| !c.is_empty()));
        if !table.rows.is_empty() {
            self.flush_text();
            (self.sink)(Part::Table {
                name: String::new(),
                rows: table.rows,
            });
        }
    }

    pub(crate) fn flush_text(&mut self) {
        if !self.text.trim().is_empty() {
            (self.sink)(Part::Text(std::mem::take(&mut self.text)));
        }
        self.text.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmlscan::Refuse;

    fn parts(xml: &str) -> Vec<Part> {
        let mut out = Vec::new();
        let mut sink = |p| out.push(p);
        let mut c = Collector::new(&mut sink);
        c.read(xml.as_bytes(), "test").unwrap();
        c.flush_text();
        drop(c);
        out
    }

    #[test]
    fn paragraphs_tables_and_text_boxes() {
        let xml = r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
<w:p><w:pPr><w:tabs><w:tab w:val="left"/></w:tabs></w:pPr><w:r><w:t>氏名</w:t><w:tab/><w:t>山田 太郎</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>箱の中</w:t></w:r></w:p></w:txbxContent></mc:Choice>
<mc:Fallback><w:txbxContent><w:p><w:r><w:t>箱の中</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>氏名</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>電話</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>佐藤 花子</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>090-1234-5678</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:t>以上 &amp; 終わり</w:t></w:r></w:p></w:body></w:document>"#;
        let p = parts(xml);
        assert_eq!(p.len(), 3, "{p:?}");
        match &p[0] {
            Part::Text(t) => assert_eq!(t, "氏名\t山田 太郎\n箱の中\n"),
            other => panic!("{other:?}"),
        }
        match &p[1] {
            Part::Table { rows, .. } => {
                assert_eq!(rows[1], vec!["佐藤 花子", "090-1234-5678"])
            }
            other => panic!("{other:?}"),
        }
        match &p[2] {
            Part::Text(t) => assert_eq!(t, "以上 & 終わり\n"),
            other => panic!("{other:?}"),
        }
    }

    fn fast_parts(xml: &str) -> Result<Vec<String>, Refuse> {
        let mut out = Vec::new();
        let mut sink = |p: Part| out.push(format!("{p:?}"));
        let mut c = Collector::new(&mut sink);
        c.read_fast(xml.as_bytes())?;
        c.flush_text();
        drop(c);
        Ok(out)
    }

    #[test]
    fn the_fast_reader_reads_as_quick_xml_does() {
        let docs = [
            r#"<w:document xmlns:w="w" xmlns:mc="mc"><w:body>
<w:p><w:r><w:t>氏名</w:t><w:tab/><w:t xml:space="preserve"> 山田 &amp; 太郎 &#x5C71;</w:t><w:br/></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>箱</w:t></w:r></w:p></w:txbxContent></mc:Choice>
<mc:Fallback><w:p><w:r><w:t>旧</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p/><w:p><w:r><w:t>a</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>内</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>
<w:p><w:r><w:t><![CDATA[x<y]]></w:t><w:t/></w:r></w:p></w:body></w:document>"#,
            r#"<p:sld><p:txBody><a:p><a:r><a:t>スライド</a:t></a:r><a:br/><a:r><a:t>二行目</a:t></a:r></a:p></p:txBody>"#,
            "<a><p><t>\r\nline</t></p><!-- c --><?pi x?></a>",
        ];
        for xml in docs {
            let reference: Vec<String> = parts(xml).iter().map(|p| format!("{p:?}")).collect();
            assert_eq!(fast_parts(xml).unwrap(), reference, "{xml}");
        }
        // quick-xml reports these (or decodes them its own way): refused.
        for xml in [
            "<a><p></a></p>",
            "<a><t>&nbsp;</t></a>",
            "<!DOCTYPE a><a/>",
            "<a><p",
        ] {
            assert!(fast_parts(xml).is_err(), "{xml}");
        }
    }

    #[test]
    fn entities_are_never_expanded() {
        let xml = r#"<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><d><p><t>&b;x</t></p></d>"#;
        let p = parts(xml);
        let text: String = p
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                _ => String::new(),
            })
            .collect();
        assert!(!text.contains("aaaaa"), "{text}");
    }
}

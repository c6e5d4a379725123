use super::super::{local, Event, Tokenizer, MAX_OPEN};

/// As the docx/pptx collector has it.
fn quiet(name: &[u8]) -> bool {
    !matches!(
        local(name),
        b"p" | b"t" | b"r" | b"tbl" | b"tr" | b"tc" | b"Fallback" | b"tab" | b"br" | b"cr"
    )
}

/// The text the events give from the cursor up to `end`, where they read
/// it without refusal, reference or CDATA and leave nothing open.
fn events_text(tok: &mut Tokenizer, end: usize) -> Option<String> {
    let depth = tok.open.len();
    let mut out = String::new();
    while tok.pos < end {
        match tok.next().ok()? {
            Event::Text(t) if !tok.text_has_references() => out.push_str(t),
            Event::Text(_) | Event::CData(_) | Event::Eof => return None,
            _ => {}
        }
    }
    (tok.open.len() == depth && tok.pos == end).then_some(out)
}

/// Each fragment twice in a row (the second time from the cache): what
/// the shortcut takes, the events read the same; what it declines, it
/// leaves untouched.
fn check(fragment: &str, take: fn(&mut Tokenizer) -> Option<String>, taken: bool) {
    let xml = format!("<doc>{fragment}{fragment}</doc>");
    let mut tok = Tokenizer::new(xml.as_bytes()).unwrap().keep_empty();
    let mut events = Tokenizer::new(xml.as_bytes()).unwrap().keep_empty();
    tok.next().unwrap();
    events.next().unwrap();
    for _ in 0..2 {
        let before = tok.pos;
        match take(&mut tok) {
            Some(text) => {
                assert!(taken, "{fragment}");
                assert_eq!(events_text(&mut events, tok.pos), Some(text), "{fragment}");
            }
            None => {
                assert!(!taken, "{fragment}");
                assert_eq!(tok.pos, before, "{fragment}");
                return;
            }
        }
    }
}

fn run(tok: &mut Tokenizer) -> Option<String> {
    tok.take_run(quiet).map(str::to_string)
}

fn cell(tok: &mut Tokenizer) -> Option<String> {
    tok.take_table_cell(quiet).map(str::to_string)
}

#[test]
fn plain_runs_are_taken_whole() {
    for fragment in [
        "<w:r><w:t>a</w:t></w:r>",
        "<w:r><w:t></w:t></w:r>",
        r#"<w:r w:rsidR="00A1"><w:rPr><w:b/><w:rFonts w:eastAsia="ＭＳ 明朝"/></w:rPr><w:t xml:space="preserve"> 山田 </w:t></w:r>"#,
        r#"<a:r><a:rPr lang="ja-JP" alt='>'/><a:t>氏名</a:t></a:r>"#,
        "<w:r><w:rPr><w:u><w:c></w:c ></w:u></w:rPr><w:t>a\nb</w:t></w:r>",
        // Attributes are not read by the events either.
        "<w:r><w:x a=b/><w:t>a</w:t></w:r>",
    ] {
        check(fragment, run, true);
    }
    for fragment in [
        "<w:r><w:rPr><w:tab/></w:rPr><w:t>a</w:t></w:r>",
        "<w:r><w:t>a&amp;b</w:t></w:r>",
        "<w:r><w:t>a</w:t><w:t>b</w:t></w:r>",
        "<w:r><w:rPr> </w:rPr><w:t>a</w:t></w:r>",
        "<w:r><w:rPr><!-- c --></w:rPr><w:t>a</w:t></w:r>",
        "<w:r><w:rPr></w:rpr><w:t>a</w:t></w:r>",
        "<w:r><w:t/></w:r>",
        "<w:r/><w:t>a</w:t>",
        "<w:r><w:t>a</w:t></w:r >",
        "<w:r><w:t><![CDATA[a]]></w:t></w:r>",
        "<w:r><mc:Fallback/><w:t>a</w:t></w:r>",
        "<w:rPr><w:t>a</w:t></w:rPr>",
        " <w:r><w:t>a</w:t></w:r>",
        // A name too long to look into, whose 64th byte would end in `:r`.
        "<xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:rz><w:t>a</w:t></xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:rz>",
    ] {
        check(fragment, run, false);
    }
}

#[test]
fn plain_cells_are_taken_whole() {
    for fragment in [
        "<w:tc><w:tcPr/><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>",
        r#"<w:tc><w:tcPr><w:tcW w:w="10"/></w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>090-1234-5678</w:t></w:r></w:p></w:tc>"#,
        r#"<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="ja-JP"/><a:t>佐藤</a:t></a:r></a:p></a:txBody><a:tcPr/></a:tc>"#
            .replace("<a:tcPr/>", "")
            .leak(),
    ] {
        check(fragment, cell, true);
    }
    for fragment in [
        "<w:tc><w:p/></w:tc>",
        "<w:tc><w:p><w:r><w:t>a</w:t></w:r><w:r><w:t>b</w:t></w:r></w:p></w:tc>",
        "<w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p/></w:tc>",
        "<w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p><w:tcPr/></w:tc>",
        "<a:tc><a:txBody><a:p><a:r><a:t>a</a:t></a:r></a:p></a:tc></a:txBody>",
        "<w:tc><w:tbl><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tbl></w:tc>",
        "<w:tc><w:p><w:pPr><w:br/></w:pPr><w:r><w:t>a</w:t></w:r></w:p></w:tc>",
        "<w:tc><w:p><w:r><w:t>a</w:t></w:r> </w:p></w:tc>",
    ] {
        check(fragment, cell, false);
    }
}

#[test]
fn near_the_nesting_limit_the_events_decide() {
    // At this depth the run's `t` would meet the limit: the events refuse.
    let depth = MAX_OPEN - 1;
    let xml = format!(
        "{}<w:r><w:t>a</w:t></w:r><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>",
        "<x>".repeat(depth)
    );
    let mut tok = Tokenizer::new(xml.as_bytes()).unwrap().keep_empty();
    for _ in 0..depth {
        tok.next().unwrap();
    }
    assert_eq!(tok.take_run(quiet), None);
    assert_eq!(tok.take_table_cell(quiet), None);
    tok.next().unwrap();
    assert!(tok.next().is_err());
    // Without `keep_empty` self-closing tags open and close: declined.
    let mut tok = Tokenizer::new(b"<w:r><w:t>a</w:t></w:r>").unwrap();
    assert_eq!(tok.take_run(quiet), None);
}

#[test]
fn prefixes_are_compared_byte_for_byte() {
    use super::starts_with_words;
    let hay = b"<w:tc><w:tcPr/><w:p><w:r>";
    for len in 0..=hay.len() {
        let prefix = &hay[..len];
        assert_eq!(starts_with_words(hay, prefix), len >= 8, "{len}");
        for flip in 0..len {
            let mut other = prefix.to_vec();
            other[flip] ^= 1;
            assert!(!starts_with_words(hay, &other), "{len} {flip}");
        }
    }
    assert!(!starts_with_words(b"<w:tc><w", b"<w:tc><w:"));
}

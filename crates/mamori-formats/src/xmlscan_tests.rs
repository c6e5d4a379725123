//! The tokenizer's events, refusals, byte search, attributes and text
//! decoding.

use super::*;

fn events(xml: &str) -> Vec<String> {
    let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
    let mut out = Vec::new();
    loop {
        match t.next().unwrap() {
            Event::Start { name, attrs } => out.push(format!(
                "<{}|{}",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(attrs)
            )),
            Event::End { name } => out.push(format!("/{}", String::from_utf8_lossy(name))),
            Event::Text(t) => out.push(format!("'{t}")),
            Event::CData(t) => out.push(format!("[{}", String::from_utf8_lossy(t))),
            Event::Empty { name, .. } => out.push(format!("<{}/", String::from_utf8_lossy(name))),
            Event::Eof => return out,
        }
    }
}

#[test]
fn tags_text_and_self_closing() {
    let e = events(
        r#"<?xml version="1.0" encoding="UTF-8"?><a x="1>2"><!-- c --><b/>t<![CDATA[<z>]]></a >"#,
    );
    assert_eq!(e, vec!["<a| x=\"1>2\"", "<b|", "/b", "'t", "[<z>", "/a"]);
}

#[test]
fn refusals() {
    for bad in [
        "<!DOCTYPE d [<!ENTITY a \"x\">]><d/>",
        "<a",
        "<a x=\"1",
        "<!-- open",
        "</>",
        "<a><b></a></b>",
        "<mergeCells><t>x</u></mergeCells>",
        &"<a>".repeat(MAX_OPEN + 1),
    ] {
        let mut t = Tokenizer::new(bad.as_bytes()).unwrap();
        let mut refused = false;
        for _ in 0..MAX_OPEN + 10 {
            match t.next() {
                Err(_) => {
                    refused = true;
                    break;
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
            }
        }
        assert!(refused, "{bad}");
    }
    assert!(Tokenizer::new(b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a/>").is_err());
}

#[test]
fn bytes_are_found_eight_at_a_time() {
    let hay = b"abcdefgh\"ijklmnop>qrstuvwx'yz";
    for (i, &b) in hay.iter().enumerate() {
        if !hay[..i].contains(&b) {
            assert_eq!(find_byte(hay, [b, b, b]), Some(i), "{}", b as char);
        }
    }
    assert_eq!(find_byte(hay, [b'>', b'"', b'\'']), Some(8));
    assert_eq!(find_byte(b"\x80\x81\x01\x00", [0, 0, 0]), Some(3));
    assert_eq!(find_byte(b"0123456789", [b'x', b'y', b'z']), None);
    assert_eq!(find_tag_end(b"<a b=\"x>y\" c='>'>z", 1), Some(16));
    assert_eq!(find_tag_end(b"<a b=\"x>y", 1), None);
}

#[test]
fn attributes() {
    let a = Attrs::parse(br#" r="A1" s = '3' t="s""#).unwrap();
    assert_eq!(a.get(b"r"), Some(&b"A1"[..]));
    assert_eq!(a.get(b"s"), Some(&b"3"[..]));
    assert_eq!(a.get(b"t"), Some(&b"s"[..]));
    assert_eq!(a.get(b"x"), None);
    assert!(Attrs::parse(br#" r="A1" r="A2""#).is_err());
    assert!(Attrs::parse(br#" r=A1"#).is_err());
    assert!(Attrs::parse(br#" r"#).is_err());
    assert!(Attrs::parse(br#" a="1"b="2""#).is_err());
    assert_eq!(unescape_attr(b"a&amp;b&#x41;&#66;").unwrap(), "a&bAB");
    assert!(unescape_attr(b"&foo;").is_err());
}

#[test]
fn text_decoding() {
    let mut s = String::new();
    decode_text(
        "a\r\nb\rc &lt;&#x5C71;&#30000;_x000D__x005F_x000A_",
        true,
        &mut s,
    )
    .unwrap();
    assert_eq!(s, "a\nb\nc <山田\r_x000A_");
    let mut s = String::new();
    decode_text("_x000D_", false, &mut s).unwrap();
    assert_eq!(s, "_x000D_");
    for bad in ["&#0;", "&#x+41;", "&nbsp;", "&amp"] {
        assert!(decode_text(bad, true, &mut String::new()).is_err());
    }
    assert!(Tokenizer::new(b"<a>\xff</a>").is_err());
}

#[test]
fn the_name_table_is_quick_xmls_rule() {
    for b in 0..=255u8 {
        let ws = matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let bad = ws || matches!(b, b'<' | b'>' | b'"' | b'\'' | b'=' | b'&' | b'/');
        assert_eq!(is_ws(b), ws, "{b}");
        assert_eq!(is_name(&[b]), !bad, "{b}");
        let class = match (ws, bad) {
            (true, _) => ENDS_NAME,
            (false, true) => NOT_IN_NAME,
            (false, false) => IN_NAME,
        };
        assert_eq!(NAME_BYTE[b as usize], class, "{b}");
    }
    assert!(is_name(b"w:rFonts") && !is_name(b"a b") && !is_name(b"a/"));
}

#[test]
fn literal_leaves_are_borrowed_and_the_rest_decoded() {
    let cases: [(&str, bool, Leaf, &str); 8] = [
        ("<t>山田</t>", true, Leaf::Raw("山田"), ""),
        ("<t></t>", true, Leaf::Raw(""), ""),
        ("<t/>", true, Leaf::Raw(""), ""),
        ("<t>a&amp;b</t>", true, Leaf::Decoded, "a&b"),
        ("<t>a\r\nb</t>", false, Leaf::Decoded, "a\nb"),
        ("<t>_x000D_</t>", true, Leaf::Decoded, "\r"),
        ("<t>_x000D_</t>", false, Leaf::Raw("_x000D_"), ""),
        ("<t>a<!-- c -->b</t>", true, Leaf::Decoded, "ab"),
    ];
    for (xml, excel, leaf, decoded) in cases {
        let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
        let Ok(Event::Start { name, .. }) = t.next() else {
            panic!("{xml}")
        };
        let mut out = String::from(">");
        assert_eq!(t.leaf_value(name, excel, &mut out), Ok(leaf), "{xml}");
        assert_eq!(out, format!(">{decoded}"), "{xml}");
        assert_eq!(t.next(), Ok(Event::Eof), "{xml}");
        // The same value as the decoding reader gives.
        let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
        let Ok(Event::Start { name, .. }) = t.next() else {
            panic!("{xml}")
        };
        let mut reference = String::new();
        t.leaf_text(name, excel, &mut reference).unwrap();
        let value = match leaf {
            Leaf::Raw(raw) => raw,
            Leaf::Decoded => decoded,
        };
        assert_eq!(value, reference, "{xml}");
    }
    for bad in ["<t><b/></t>", "<t>a<b/></t>", "<t>&nbsp;</t>", "<t>a"] {
        let mut t = Tokenizer::new(bad.as_bytes()).unwrap();
        let Ok(Event::Start { name, .. }) = t.next() else {
            panic!("{bad}")
        };
        assert!(
            t.leaf_value(name, true, &mut String::new()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn literal_elements_are_taken_whole_or_not_at_all() {
    let opens: &[&[u8]] = &[b"<is><t>", b"<is><t xml:space=\"preserve\">"];
    let taken = [
        ("<c><is><t>山田</t></is></c>", "山田"),
        ("<c><is><t xml:space=\"preserve\"> a </t></is></c>", " a "),
        ("<c><is><t></t></is></c>", ""),
    ];
    for (xml, text) in taken {
        let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
        assert!(matches!(t.next(), Ok(Event::Start { .. })));
        assert_eq!(
            t.take_literal(opens, b"</t></is>", true),
            Some(text),
            "{xml}"
        );
        assert_eq!(t.next(), Ok(Event::End { name: b"c" }), "{xml}");
        assert_eq!(t.next(), Ok(Event::Eof), "{xml}");
    }
    let declined = [
        "<c><is><t>a&amp;b</t></is></c>",
        "<c><is><t>a\r\nb</t></is></c>",
        "<c><is><t>_x000D_</t></is></c>",
        "<c><is><t>a<!-- c -->b</t></is></c>",
        "<c><is><t>a</t><t>b</t></is></c>",
        "<c><is><x:t>a</x:t></is></c>",
        "<c><is ><t>a</t></is></c>",
        "<c><is><t>a</t></is",
        "<c/>",
    ];
    for xml in declined {
        let mut reference = Tokenizer::new(xml.as_bytes()).unwrap();
        reference.next().unwrap();
        let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
        t.next().unwrap();
        assert_eq!(t.take_literal(opens, b"</t></is>", true), None, "{xml}");
        // Nothing consumed: the events go on as before.
        assert_eq!(rest_of(&mut t), rest_of(&mut reference), "{xml}");
    }
    // `_` is plain text where Excel's escapes are not decoded.
    let mut t = Tokenizer::new(b"<c><v>_x000D_</v></c>").unwrap();
    t.next().unwrap();
    assert_eq!(t.take_literal(&[b"<v>"], b"</v>", false), Some("_x000D_"));
    // Not past the nesting limit: the events would refuse there.
    let deep = format!("{}<is><t>a</t></is>", "<a>".repeat(MAX_OPEN - 1));
    let mut t = Tokenizer::new(deep.as_bytes()).unwrap();
    for _ in 0..MAX_OPEN - 1 {
        t.next().unwrap();
    }
    assert_eq!(t.take_literal(opens, b"</t></is>", true), None);
    assert!(t.next().is_ok() && t.next().is_err());
}

fn rest_of(t: &mut Tokenizer) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        match t.next() {
            Ok(Event::Eof) => return out,
            Err(refuse) => {
                out.push(format!("refused: {}", refuse.0));
                return out;
            }
            Ok(event) => out.push(format!("{event:?}")),
        }
    }
}

const INLINE: &[&[u8]] = &[b"<is><t>", b"<is><t xml:space=\"preserve\">"];

/// What the event path reads for one cell at the cursor: its `r`, `s`,
/// `t` (via [`Attrs`]) and, as `read_cell` takes them, a `<v>` or inline
/// string literal.
fn cell_by_events(xml: &str) -> Option<(CellTag<'_>, usize)> {
    let mut t = Tokenizer::new(xml.as_bytes()).ok()?;
    let Event::Start { name: b"c", attrs } = t.next().ok()? else {
        return None;
    };
    let attrs = Attrs::parse(attrs).ok()?;
    if t.xml[t.pos..].starts_with(b"<f>") {
        t.next().ok()?;
        t.skip_element(b"f").ok()?;
    }
    let value = match t.take_literal(&[b"<v>"], b"</v>", false) {
        Some(v) => CellText::Value(v),
        None => match t.take_literal(INLINE, b"</t></is>", true) {
            Some(text) => CellText::Inline(text),
            None => CellText::None,
        },
    };
    match t.next().ok()? {
        Event::End { name: b"c" } => {}
        _ => return None,
    }
    let cell = CellTag {
        reference: attrs.get(b"r"),
        style: attrs.get(b"s"),
        kind: attrs.get(b"t"),
        value,
    };
    Some((cell, t.pos))
}

#[test]
fn a_plain_cell_is_taken_whole_as_the_events_read_it() {
    for xml in [
        r#"<c r="A1" t="s"><v>0</v></c>"#,
        r#"<c r="XFD1048576" s="12" t="n"><v>-1.5E-3</v></c><c>"#,
        r#"<c t="str" r="B2"><v> 空白 </v></c>"#,
        r#"<c r="C3"><v></v></c>"#,
        r#"<c s="1"><v>a>b</v></c>"#,
        r#"<c r="A1" s="1"/><x/>"#,
        r#"<c r=""/>"#,
        r#"<c r="A1" t="inlineStr"><is><t>氏名</t></is></c>"#,
        r#"<c r="A1" t="inlineStr"><is><t xml:space="preserve"> 空白 </t></is></c>"#,
        r#"<c r="A1"><is><t></t></is></c>"#,
        r#"<c r="N2" t="str"><f>SUM(B2:M2)</f><v>35825805</v></c>"#,
        r#"<c r="N2"><f>A1>B1</f><v>1</v></c>"#,
        r#"<c r="N2"><f></f><v></v></c>"#,
    ] {
        let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
        let fast = t.take_cell().unwrap_or_else(|| panic!("{xml}"));
        let (slow, end) = cell_by_events(xml).unwrap();
        assert_eq!(fast, slow, "{xml}");
        assert_eq!(t.pos, end, "{xml}");
        assert_eq!(t.open.len(), 0, "{xml}");
    }
}

#[test]
fn anything_else_is_left_to_the_events() {
    for xml in [
        r#"<c r="A1" r="A2"><v>0</v></c>"#,
        r#"<c r="A1"s="1"><v>0</v></c>"#,
        r#"<c  r="A1"><v>0</v></c>"#,
        r#"<c r='A1'><v>0</v></c>"#,
        r#"<c r="A1" x="1"><v>0</v></c>"#,
        r#"<c r="A&amp;1"><v>0</v></c>"#,
        r#"<c r="A1" ><v>0</v></c>"#,
        r#"<c r="A1" /><v>0</v></c>"#,
        r#"<c r="A1"><v>a&amp;b</v></c>"#,
        r#"<c r="A1"><v>a</v><f>1</f></c>"#,
        r#"<c r="A1"><v>a</v> </c>"#,
        r#"<c r="A1"><v>a&#13;</v></c>"#,
        "<c r=\"A1\"><v>a\r</v></c>",
        r#"<c r="A1"><is><t>a_x000D_</t></is></c>"#,
        r#"<c r="A1"><is><t>a&amp;</t></is></c>"#,
        r#"<c r="A1"><is><t>a</t><t>b</t></is></c>"#,
        r#"<c r="A1"><is><r><t>a</t></r></is></c>"#,
        r#"<c r="A1"><is><t xml:space='preserve'>a</t></is></c>"#,
        r#"<c r="A1"><is><t>a</t></is><v>1</v></c>"#,
        r#"<c r="A1"><v>0</v></c"#,
        r#"<c r="A1"><f>A1&amp;B1</f><v>x</v></c>"#,
        r#"<c r="A1"><f>A1&B1</f><v>x</v></c>"#,
        r#"<c r="A1"><f t="shared" si="0">A1</f><v>x</v></c>"#,
        r#"<c r="A1"><f>A1</f></c>"#,
        r#"<c r="A1"><f>A1</f><is><t>x</t></is></c>"#,
        r#"<c r="A1"><f>A1</f> <v>x</v></c>"#,
        r#"<c r="A1"><f>A1</f><v>x</v><f>B1</f></c>"#,
        r#"<c r="A1"><v>0</v>"#,
        r#"<c r="A1""#,
        r#"<c>"#,
        r#"<x:c r="A1"><v>0</v></x:c>"#,
        r#"<cc r="A1"><v>0</v></cc>"#,
        r#" <c r="A1"><v>0</v></c>"#,
    ] {
        let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
        assert_eq!(t.take_cell(), None, "{xml}");
        assert_eq!(t.pos, 0, "{xml}");
    }
    // An end owed for a self-closing tag comes first.
    let mut t = Tokenizer::new(br#"<row/><c r="A1"><v>0</v></c>"#).unwrap();
    t.next().unwrap();
    assert_eq!(t.take_cell(), None);
}

#[test]
fn a_plain_row_tag_is_the_start_event_with_its_r() {
    for (xml, r) in [
        (r#"<row r="12">"#, Some(&b"12"[..])),
        (
            r#"<row r="3" spans="1:14" x14ac:dyDescent="0.25" ht="x'>y">"#,
            Some(b"3"),
        ),
        (r#"<row spans="1:2" r="">"#, Some(b"")),
        (r#"<row ht="15">"#, None),
    ] {
        let whole = format!("{xml}</row>");
        let mut fast = Tokenizer::new(whole.as_bytes()).unwrap();
        assert_eq!(fast.take_row(), Some(r), "{xml}");
        let mut slow = Tokenizer::new(whole.as_bytes()).unwrap();
        let Ok(Event::Start { name, attrs }) = slow.next() else {
            panic!("{xml}");
        };
        assert_eq!(name, b"row");
        assert_eq!(Attrs::parse(attrs).unwrap().get(b"r"), r, "{xml}");
        assert_eq!((fast.pos, fast.open.len()), (slow.pos, slow.open.len()));
        assert_eq!(fast.next(), Ok(Event::End { name: b"row" }));
    }
    for xml in [
        r#"<row r="1" r="2">"#,
        r#"<row r="1"s="2">"#,
        r#"<row r='1'>"#,
        r#"<row r="1" ht='x'>"#,
        r#"<row  r="1">"#,
        r#"<row r="1" >"#,
        r#"<row r="1"/>"#,
        r#"<row r = "1">"#,
        r#"<row r="1""#,
        r#"<row>"#,
        r#"<rows r="1">"#,
        r#"<row a="1" b="1" c="1" d="1" e="1" f="1" g="1" h="1" i="1" j="1" k="1" l="1" m="1">"#,
    ] {
        let mut t = Tokenizer::new(xml.as_bytes()).unwrap();
        assert_eq!(t.take_row(), None, "{xml}");
        assert_eq!((t.pos, t.open.len()), (0, 0), "{xml}");
    }
}

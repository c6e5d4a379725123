//! The fast reader against calamine on hand-made workbooks: where the fast
//! reader accepts a workbook its tables must be calamine's, and what it
//! refuses must still come out as calamine reads it.

use super::*;
use crate::sheet::{read_xlsx_with, XlsxReader};
use crate::{Limits, Part};
use std::io::{Cursor, Write};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;

fn workbook_xml(sheets: &[(&str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets>"#,
    );
    for (i, (name, state)) in sheets.iter().enumerate() {
        s.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" state="{state}" r:id="rId{n}"/>"#,
            n = i + 1
        ));
    }
    s.push_str("</sheets></workbook>");
    s
}

fn rels_xml(n: usize) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=n {
        s.push_str(&format!(
            r#"<Relationship Id="rId{i}" Type="worksheet" Target="worksheets/sheet{i}.xml"/>"#
        ));
    }
    s.push_str("</Relationships>");
    s
}

const STYLES: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="176" formatCode="yyyy/mm/dd;@"/><numFmt numFmtId="177" formatCode="[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="178" formatCode="#,##0_ "/></numFmts>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="178"/><xf numFmtId="46"/></cellXfs>
</styleSheet>"##;

fn zip_of(files: &[(&str, String)]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, body) in files {
            w.start_file(*name, options).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

/// A workbook of `sheets` (name, state, sheet XML) with these shared strings.
fn book(shared: &str, sheets: &[(&str, &str, &str)]) -> Vec<u8> {
    let meta: Vec<(&str, &str)> = sheets.iter().map(|s| (s.0, s.1)).collect();
    let mut files = vec![
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("xl/workbook.xml", workbook_xml(&meta)),
        ("xl/_rels/workbook.xml.rels", rels_xml(sheets.len())),
        ("xl/styles.xml", STYLES.to_string()),
        ("xl/sharedStrings.xml", shared.to_string()),
    ];
    let names: Vec<String> = (1..=sheets.len())
        .map(|i| format!("xl/worksheets/sheet{i}.xml"))
        .collect();
    for (i, s) in sheets.iter().enumerate() {
        files.push((names[i].as_str(), s.2.to_string()));
    }
    zip_of(&files)
}

fn sheet(data: &str, after: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D9"/><sheetData>{data}</sheetData>{after}</worksheet>"#
    )
}

fn sst(items: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9" uniqueCount="9">{items}</sst>"#
    )
}

fn tables(bytes: &[u8], reader: XlsxReader) -> (Vec<String>, Result<(), FormatError>) {
    let budget = Budget::new(Limits::default());
    let mut out = Vec::new();
    let result = read_xlsx_with(
        &mut Cursor::new(bytes),
        &budget,
        &mut |p| {
            if let Part::Table { name, rows } = p {
                out.push(format!("{name}: {rows:?}"));
            }
        },
        reader,
    );
    (out, result)
}

fn refusal(bytes: &[u8]) -> Option<Refuse> {
    let budget = Budget::new(Limits::default());
    match read(&mut Cursor::new(bytes), &budget, "Excel workbook") {
        Ok(Outcome::Read(_)) => None,
        Ok(Outcome::Refused(r)) => Some(r),
        Err(e) => panic!("{e}"),
    }
}

/// Same tables from both readers, and whether the fast one took it.
fn same(bytes: &[u8]) -> (Vec<String>, Option<Refuse>) {
    let fast = tables(bytes, XlsxReader::Fast);
    let reference = tables(bytes, XlsxReader::Calamine);
    assert_eq!(fast, reference);
    (fast.0, refusal(bytes))
}

#[test]
fn cells_strings_dates_and_merges_match_calamine() {
    let shared = sst(concat!(
        "<si><t>氏名</t></si>",
        "<si><r><rPr><b/></rPr><t>山田</t></r><r><t xml:space=\"preserve\"> 太郎</t></r></si>",
        "<si><t>佐藤 花子</t><rPh sb=\"0\" eb=\"2\"><t>サトウ</t></rPh></si>",
        "<si><rPh sb=\"0\" eb=\"1\"><t>ヨミ</t></rPh><t>読み</t></si>",
        "<si><t>a_x000D_b &amp; &#x5C71;&lt;</t></si>",
        "<si><t>  空白  </t></si>",
        "<si><r><t>連</t></r><rPh><t>レン</t></rPh><r><t>結</t></r></si>",
    ));
    let data = concat!(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>"#,
        r#"<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c><c r="D2" t="s"><v>6</v></c></row>"#,
        r#"<row r="3"><c r="A3" s="1"><v>29281</v></c><c r="B3" s="2"><v>29281.5</v></c><c r="C3" s="3"><v>29281</v></c><c r="D3" s="4"><v>1234567</v></c></row>"#,
        r#"<row r="4"><c r="A4" s="5"><v>1.25</v></c><c r="B4" t="b"><v>1</v></c><c r="C4" t="e"><v>#N/A</v></c><c r="D4" t="str"><f>A1&amp;B1</f><v> 氏名山田 </v></c></row>"#,
        r#"<row r="6"><c t="inlineStr"><is><t>行内</t></is></c><c><v>3.5</v></c><c s="2"><v>0.5</v></c><c t="d"><v>2024-01-02T00:00:00</v></c></row>"#,
        r#"<row r="7"><c r="B7"><f t="shared" ref="B7:B8" si="0">A7*2</f><v>42</v></c><c r="C7" t="n"><v>1e3</v></c><c r="D7"><v>abc</v></c></row>"#,
        r#"<row r="8"><c r="B8"><f t="shared" si="0"/><v>44</v></c><c r="C8" s="99"><v>7</v></c><c r="D8"/></row>"#,
        r#"<row r="20"><c r="AA20" t="s"><v>0</v></c></row>"#,
    );
    let merges = r#"<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>"#;
    let bytes = book(
        &shared,
        &[
            ("名簿", "visible", &sheet(data, merges)),
            (
                "隠し &amp; 別",
                "hidden",
                &sheet(r#"<row r="1"><c r="A1"><v>5</v></c></row>"#, ""),
            ),
        ],
    );
    let (out, refused) = same(&bytes);
    assert_eq!(refused, None);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].contains("\"山田 太郎\""), "{out:?}");
    assert!(out[0].contains("\"1980/03/01\""), "{out:?}");
    assert!(out[1].starts_with("隠し & 別"), "{out:?}");
}

#[test]
fn calamine_quirks_are_kept() {
    // An empty <si/> gives no entry (later indices shift), a <t> before
    // a rich run wins alone, a formula after a value clears it.
    let shared = sst("<si><t>一</t></si><si/><si><t>二</t><r><t>三</t></r></si>");
    let data = r#"<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1"><v>5</v><f>1+1</f></c><c t="b"><v>0</v></c></row>"#;
    let bytes = book(&shared, &[("S", "visible", &sheet(data, ""))]);
    let (out, refused) = same(&bytes);
    assert_eq!(refused, None);
    assert_eq!(out, vec![r#"S: [["二", "", "FALSE"]]"#.to_string()]);
}

#[test]
fn unusual_markup_is_refused_and_read_by_calamine() {
    let shared = sst("<si><t>一</t></si>");
    for (data, after) in [
        (
            r#"<row r="1"><c r="A1" t="s"><v>0</v><extLst/></c></row>"#,
            "",
        ),
        (r#"<row r="1"><c r="A1" t="x"><v>0</v></c></row>"#, ""),
        (r#"<row r="1"><c r="A1" t="n"><v>zz</v></c></row>"#, ""),
        (r#"<row r="1"><c r="A1"><v><![CDATA[5]]></v></c></row>"#, ""),
        (r#"<row r="1"><c r="1A"><v>5</v></c></row>"#, ""),
        (r#"<row r="1"><c r="A1"><v>5</v></c><c r="B1"><v>6"#, ""),
        (r#"<row r="1"><c r="A1" t="e"><v>#WHAT</v></c></row>"#, ""),
        (r#"<row r="1"><c r="A1"><v>&nbsp;</v></c></row>"#, ""),
    ] {
        let bytes = book(&shared, &[("S", "visible", &sheet(data, after))]);
        let (_, refused) = same(&bytes);
        assert!(refused.is_some(), "{data}");
    }
}

#[test]
fn a_bad_merge_range_drops_all_merges_as_calamine_does() {
    let shared = sst("<si><t>見出し</t></si>");
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let merges = r#"<mergeCells><mergeCell ref="A1:C1"/><mergeCell ref="ZZ"/></mergeCells>"#;
    let bytes = book(&shared, &[("S", "visible", &sheet(data, merges))]);
    let (out, refused) = same(&bytes);
    assert_eq!(refused, None);
    assert_eq!(out, vec![r#"S: [["見出し"]]"#.to_string()]);
}

#[test]
fn hostile_workbooks_end_in_an_error_or_a_refusal_never_a_panic() {
    // A DOCTYPE with nested entities (billion laughs) is refused; quick-xml
    // in calamine never expands it either.
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><sst><si><t>&b;</t></si></sst>"#;
    let bytes = book(laughs, &[("S", "visible", &sheet("", ""))]);
    assert!(refusal(&bytes).is_some());
    let (out, _) = tables(&bytes, XlsxReader::Fast);
    assert!(out.iter().all(|t| !t.contains("aaaaa")), "{out:?}");

    // Absurd references wrap as in calamine; the grid stays small.
    let data = r#"<row r="99999999999"><c r="XFDXFDXFD99999999999" t="s"><v>0</v></c><c r="A4294967296"><v>1</v></c></row>"#;
    let bytes = book(
        &sst("<si><t>x</t></si>"),
        &[("S", "visible", &sheet(data, ""))],
    );
    let _ = tables(&bytes, XlsxReader::Fast);

    // A string index past the table: calamine would panic; the fast
    // reader says the file is corrupt.
    let data = r#"<row r="1"><c r="A1" t="s"><v>7</v></c></row>"#;
    let bytes = book(
        &sst("<si><t>x</t></si>"),
        &[("S", "visible", &sheet(data, ""))],
    );
    let (_, result) = tables(&bytes, XlsxReader::Fast);
    assert!(result.unwrap_err().to_string().contains("out of range"));

    // Truncated parts.
    let good = sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#, "");
    for cut in [10, good.len() / 2, good.len() - 5] {
        let bytes = book(&sst("<si><t>x</t></si>"), &[("S", "visible", &good[..cut])]);
        assert!(refusal(&bytes).is_some(), "{cut}");
    }
}

#[test]
fn cell_limits_hold() {
    let mut data = String::new();
    for r in 1..=50 {
        data.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}</v></c></row>"#
        ));
    }
    let bytes = book(&sst(""), &[("S", "visible", &sheet(&data, ""))]);
    let limits = Limits {
        max_cells_per_sheet: 25,
        ..Limits::default()
    };
    for reader in [XlsxReader::Fast, XlsxReader::Calamine] {
        let budget = Budget::new(limits);
        let mut cells = 0;
        read_xlsx_with(
            &mut Cursor::new(&bytes),
            &budget,
            &mut |p| {
                if let Part::Table { rows, .. } = p {
                    cells += rows.iter().flatten().filter(|c| !c.is_empty()).count();
                }
            },
            reader,
        )
        .unwrap();
        assert_eq!(cells, 25, "{reader:?}");
    }
}

#[test]
fn references_and_formats() {
    assert_eq!(row_and_column(b"A1"), Ok((0, Some(0))));
    assert_eq!(row_and_column(b"AA10"), Ok((9, Some(26))));
    assert_eq!(row_and_column(b"xfd3"), Ok((2, Some(16383))));
    assert_eq!(row_and_column(b"12"), Ok((11, None)));
    assert!(row_and_column(b"A").is_err());
    assert!(row_and_column(b"1A").is_err());
    assert_eq!(
        detect_custom_number_format("yyyy/mm/dd;@"),
        CellFormat::DateTime
    );
    assert_eq!(detect_custom_number_format("#,##0_ "), CellFormat::Other);
    assert_eq!(
        detect_custom_number_format("[h]:mm:ss"),
        CellFormat::TimeDelta
    );
    assert_eq!(builtin_format_by_id(b"14"), CellFormat::DateTime);
}

#[test]
fn serials_past_excels_last_date_are_numbers_not_a_panic() {
    use calamine::{ExcelDateTime, ExcelDateTimeType};
    let date = |serial: f64| {
        crate::sheet::date_text(&ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    };
    assert_eq!(date(29_282.0), "1980/03/02");
    assert_eq!(date(2_958_465.0), "9999/12/31");
    assert_eq!(date(2_958_466.0), "2958466");
    assert_eq!(date(1.8e19), "18000000000000000000");
    assert_eq!(date(f64::INFINITY), "inf");
}

/// xorshift64*: test values without a dependency.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn numbers_shown_as_written_are_what_the_f64_round_trip_prints() {
    let check = |v: &str| {
        if is_shown_as_written(v) {
            let n: f64 = v.parse().unwrap_or_else(|_| panic!("{v}"));
            assert_eq!(number_text(n), v, "{v}");
            true
        } else {
            false
        }
    };
    for v in [
        "0",
        "-0",
        "0.0",
        "-0.0",
        "00",
        "01",
        "1.",
        ".5",
        "1.50",
        "-",
        "",
        "+1",
        "1e3",
        "1E3",
        "0.5",
        "-0.5",
        "999999999999999",
        "-999999999999999",
        "1000000000000000",
        "99999999999999.9",
        "0.1",
        "0.30000000000000004",
        "0.00000000000001",
        "123456789012345",
        "12345678901234.5",
        "1.23456789012345",
        "0.12345678901234",
        "9007199254740993",
        " 1",
        "1 ",
        "１",
    ] {
        check(v);
    }
    assert!(!is_shown_as_written("-0") && !is_shown_as_written("1000000000000000"));
    assert!(is_shown_as_written("999999999999999") && is_shown_as_written("-0.5"));
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut taken = 0;
    for _ in 0..200_000 {
        let r = next_random(&mut state);
        // Decimals of every shape: up to 17 digits around a point.
        let digits = 1 + (r % 17) as usize;
        let mut text: String = (0..digits)
            .map(|_| char::from(b'0' + (next_random(&mut state) % 10) as u8))
            .collect();
        let point = (r >> 8) as usize % (digits + 1);
        if point < digits && (r >> 16).is_multiple_of(2) {
            text.insert(point.max(1), '.');
        }
        if (r >> 17).is_multiple_of(3) {
            text.insert(0, '-');
        }
        taken += check(&text) as u32;
        // And f64 values as Excel writes them (shortest round trip).
        let bits = next_random(&mut state);
        let scale = 10f64.powi((bits % 24) as i32 - 8);
        let n = (bits >> 11) as f64 / (1u64 << 53) as f64 * scale;
        let n = if bits.is_multiple_of(5) { -n } else { n };
        check(&format!("{n}"));
        check(&format!("{}", n.round()));
        check(&format!("{}", (n * 100.0).round() / 100.0));
    }
    assert!(taken > 20_000, "{taken}");
}

#[test]
fn plain_cells_and_evented_cells_read_alike() {
    let shared = sst(concat!(
        "<si><t xml:space=\"preserve\">  先頭と末尾  </t></si>",
        "<si><t>a_x005F_b</t></si>",
        "<si><t>x&amp;y</t></si>",
        "<si><t></t></si>",
        "<si><t xml:space=\"preserve\">\u{3000}全角\u{3000}</t></si>",
    ));
    let data = concat!(
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="0"><v>1</v></c><c t="s" r="C1"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>"#,
        r#"<row r="2"><c r="A2"><v>-0</v></c><c r="B2"><v>0.1</v></c><c r="C2" s="1"><v>45438</v></c><c r="D2" s="4"><v>1234.5</v></c><c r="E2" t="n"><v>007</v></c></row>"#,
        "<row r=\"3\"> <c r=\"A3\"><v>1</v></c>\n<c r=\"B3\" ><v>2</v></c><c r=\"C3\"/><c><v>4</v></c><c r=\"E3\"><v>5</v> </c></row>",
        r#"<row r="4"><c r="B4"><v>1</v></c><c r="B4"><v>2</v></c><c r="A4"><v>3</v></c><c r="a4"><v>9</v></c></row>"#,
        r#"<row r="5"><c r="A5" s="5"><v>0.75</v></c><c r="B5" s="2"><v>40000.25</v></c><c r="C5" s="99"><v>12.5</v></c><c r="D5" t="n"><v></v></c><c r="E5"><v>1.0</v></c></row>"#,
    );
    let bytes = book(&shared, &[("S", "visible", &sheet(data, ""))]);
    let (out, refused) = same(&bytes);
    assert_eq!(refused, None);
    assert!(
        out[0].contains(r#"["先頭と末尾", "a_b", "x&y", "", "全角"]"#),
        "{out:?}"
    );
}

#[test]
fn rows_out_of_order_and_repeated_keep_their_cells() {
    let data = concat!(
        r#"<row r="3"><c r="B3"><v>1</v></c></row>"#,
        r#"<row r="5"><c r="A5"><v>2</v></c></row>"#,
        r#"<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>4</v></c></row>"#,
        r#"<row r="3"><c r="A3"><v>5</v></c><c r="B3"><v>6</v></c></row>"#,
        r#"<row r="1"><c r="A1"><v>7</v></c></row>"#,
        r#"<row r="9"><c r="A9"><v>8</v></c></row>"#,
        r#"<row r="2"><c r="A2"><v>9</v></c></row>"#,
    );
    let merges =
        r#"<mergeCells count="2"><mergeCell ref="A1:D1"/><mergeCell ref="A2:B2"/></mergeCells>"#;
    let bytes = book(&sst(""), &[("S", "visible", &sheet(data, merges))]);
    let (out, refused) = same(&bytes);
    assert_eq!(refused, None);
    assert_eq!(
        out,
        vec![r#"S: [["7", "4", "3", "4"], ["9", "9"], ["5", "6"], [], ["2"], [], ["8"]]"#]
    );
}

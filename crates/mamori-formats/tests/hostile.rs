//! Zip bombs, entity expansion, huge sheets, nesting and broken files:
//! every one ends in a clear error or a bounded read, never a panic.

mod common;
use common::*;
use mamori_formats::{FormatError, Limits, Part};
use mamori_samples::office::ooxml::{self, Cell, Sheet};
use mamori_samples::office::zipw::ZipWriter;

fn small_limits() -> Limits {
    Limits {
        max_ratio: 100,
        ratio_floor: 1 << 20,
        max_member_bytes: 8 << 20,
        max_expanded_bytes: 16 << 20,
        ..Limits::default()
    }
}

#[test]
fn a_zip_bomb_member_stops_at_the_ratio() {
    let mut z = ZipWriter::new();
    z.add("zeros.csv", &vec![b'0'; 6 << 20]);
    z.add("ok.csv", b"a,b\r\n");
    let (parts, result) = read("zip", &z.finish(), small_limits());
    result.unwrap();
    match &parts[0] {
        Part::Member {
            content: Err(FormatError::Limit(why)),
            ..
        } => {
            assert!(why.contains("zip bomb"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&parts[1], Part::Member { content: Ok(_), .. }),
        "siblings still read"
    );
}

#[test]
fn a_bomb_inside_a_workbook_stops_before_the_spreadsheet_library() {
    let mut z = ZipWriter::new();
    z.add("[Content_Types].xml", b"<Types/>");
    z.add("xl/sharedStrings.xml", &vec![b' '; 12 << 20]);
    let (_, result) = read("xlsx", &z.finish(), small_limits());
    assert!(matches!(result, Err(FormatError::Limit(_))), "{result:?}");
}

#[test]
fn the_total_expansion_is_bounded() {
    let mut z = ZipWriter::new();
    for i in 0..4 {
        // Random-ish bytes do not compress: no ratio trip, only the total.
        let data: Vec<u8> = (0..(6u32 << 20))
            .map(|k| (k.wrapping_mul(2654435761) >> 13) as u8 ^ i)
            .collect();
        z.add(&format!("m{i}.bin"), &data);
    }
    let (parts, result) = read("zip", &z.finish(), small_limits());
    result.unwrap();
    let limited = parts
        .iter()
        .filter(|p| {
            matches!(
                p,
                Part::Member {
                    content: Err(FormatError::Limit(_)),
                    ..
                }
            )
        })
        .count();
    assert!(limited >= 1, "the 16 MiB total stopped some members");
}

#[test]
fn entity_expansion_is_never_done() {
    let mut z = ZipWriter::new();
    z.add("[Content_Types].xml", b"<Types/>");
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&lol3;&xxe;氏名</w:t></w:r></w:p></w:body></w:document>"#;
    z.add("word/document.xml", laughs.as_bytes());
    let (parts, _) = read("docx", &z.finish(), Limits::default());
    let text = all_text(&parts);
    assert!(
        !text.contains("lollol") && !text.contains("root:"),
        "{text}"
    );
}

#[test]
fn a_huge_sparse_sheet_is_read_within_the_cell_limit() {
    let mut rows: Vec<Vec<Cell>> = (0..50).map(|i| vec![Cell::Text(format!("r{i}"))]).collect();
    rows.push(vec![Cell::Empty; 3]);
    let sheet = Sheet {
        name: "s".into(),
        hidden: false,
        rows,
        merges: vec!["A1:XFD1".into()],
    };
    let limits = Limits {
        max_cells_per_sheet: 10,
        ..Limits::default()
    };
    let (parts, result) = read("xlsx", &ooxml::xlsx(&[sheet]), limits);
    result.unwrap();
    match &parts[0] {
        Part::Table { rows, .. } => {
            assert!(rows.iter().flatten().filter(|c| !c.is_empty()).count() <= 10 + 64);
            assert!(rows.iter().all(|r| r.len() <= 1024));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_and_garbage_files_are_errors_not_panics() {
    for (kind, bytes) in samples() {
        for cut in [
            0,
            10,
            bytes.len() / 3,
            bytes.len() / 2,
            bytes.len().saturating_sub(5),
        ] {
            let _ = read(kind, &bytes[..cut], Limits::default());
        }
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        let (_, result) = read(kind, &garbage, Limits::default());
        if kind != "eml" {
            assert!(result.is_err(), "{kind}: garbage accepted");
        }
    }
}

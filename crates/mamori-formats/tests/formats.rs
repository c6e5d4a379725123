//! Every format read from samples the project's own generator writes.

mod common;
use common::*;
use mamori_formats::{FormatError, Limits, Part};
use mamori_samples::office::ooxml::{self, Cell};

fn pdftotext_ready() -> bool {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
        && std::path::Path::new("/usr/share/poppler/cMap/Adobe-Japan1").is_dir()
}

#[test]
fn xlsx_reads_every_sheet_dates_and_cached_formulas() {
    let (parts, result) = read("xlsx", &xlsx(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(text.contains("1980/03/02"), "{text}");
    assert!(text.contains("佐藤 花子"), "formula's cached value: {text}");
    assert!(text.contains("秘"), "hidden sheet: {text}");
    assert_eq!(
        parts
            .iter()
            .filter(|p| matches!(p, Part::Table { .. }))
            .count(),
        2
    );
}

#[test]
fn xlsx_as_excel_saves_it_reads_like_inline_strings() {
    // Excel keeps text in the shared-string table and numbers as bare values.
    let mut sheets = sheet();
    sheets[0].rows.push(vec![
        Cell::Text("鈴木 一郎".into()),
        Cell::Number("1234567".into()),
        Cell::Text("鈴木 一郎".into()),
    ]);
    let (inline, result) = read("xlsx", &ooxml::xlsx(&sheets), Limits::default());
    result.unwrap();
    let (shared, result) = read("xlsx", &ooxml::xlsx_shared(&sheets), Limits::default());
    result.unwrap();
    let text = all_text(&shared);
    assert!(
        text.contains("1234567") && text.contains("鈴木 一郎"),
        "{text}"
    );
    assert_eq!(all_text(&inline), text);
    let (ods_parts, result) = read("ods", &ooxml::ods(&sheets), Limits::default());
    result.unwrap();
    assert!(all_text(&ods_parts).contains("1234567"));
}

#[test]
fn ods_reads_every_sheet_and_dates() {
    let (parts, result) = read("ods", &ods(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(
        text.contains("1980-03-02") && text.contains("佐藤 花子") && text.contains("秘"),
        "{text}"
    );
}

#[test]
fn docx_reads_text_boxes_tables_and_headers_once() {
    let (parts, result) = read("docx", &docx(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert_eq!(
        text.matches("履歴書").count(),
        1,
        "text box read once: {text}"
    );
    assert!(
        text.contains("社外秘") && text.contains("氏名\t山田 太郎"),
        "{text}"
    );
    assert!(parts
        .iter()
        .any(|p| matches!(p, Part::Table { rows, .. } if rows[1][0] == "佐藤 花子")));
}

#[test]
fn pptx_reads_slides_and_tables() {
    let (parts, result) = read("pptx", &pptx(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(
        text.contains("説明会参加者") && text.contains("東京大学"),
        "{text}"
    );
}

#[test]
fn pdf_with_a_predefined_cjk_cmap_gives_its_text() {
    if !pdftotext_ready() {
        eprintln!("skipped: pdftotext or poppler-data not installed");
        return;
    }
    let (parts, result) = read("pdf", &pdf(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(
        text.contains("山田 太郎") && text.contains("090-1234-5678"),
        "{text}"
    );
    let (_, result) = read(
        "pdf",
        &mamori_samples::office::pdf::image_only_pdf(1),
        Limits::default(),
    );
    assert_eq!(result, Err(FormatError::ImageOnly));
}

#[test]
fn eml_in_iso_2022_jp_with_an_attachment() {
    let (parts, result) = read("eml", &eml(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(text.contains("住所：東京都千代田区千代田1-1"), "{text}");
    assert!(text.contains("Subject: 社員名簿の送付"), "{text}");
    let member = parts.iter().find_map(|p| match p {
        Part::Member { name, content } => Some((name.clone(), content.clone())),
        _ => None,
    });
    let (name, content) = member.expect("attachment");
    assert_eq!(name, "名簿.csv");
    assert!(String::from_utf8(content.unwrap())
        .unwrap()
        .contains("山田 太郎"));
}

#[test]
fn eml_in_shift_jis_and_utf8() {
    use mamori_samples::office::mail::{eml, MailEnc};
    for enc in [MailEnc::Sjis, MailEnc::Utf8] {
        let bytes = eml(
            "a <a@example.jp>",
            "b <b@example.jp>",
            "件名です",
            "山田 太郎様\n電話 090-1234-5678\n",
            enc,
            &[],
        );
        let (parts, result) = read("eml", &bytes, Limits::default());
        result.unwrap();
        let text = all_text(&parts);
        assert!(
            text.contains("山田 太郎様") && text.contains("件名です"),
            "{enc:?}: {text}"
        );
    }
}

#[test]
fn msg_body_and_attachment() {
    let (parts, result) = read("msg", &msg(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(
        text.contains("本文です。") && text.contains("Subject: 名簿"),
        "{text}"
    );
    assert!(text.contains("名簿.csv"));
}

#[test]
fn zip_names_in_cp932_and_tar_gz_members() {
    let (parts, result) = read("zip", &zip(), Limits::default());
    result.unwrap();
    let names: Vec<String> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Member { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, vec!["社員名簿/住所録.csv", "inner.docx"]);
    let (parts, result) = read("gz", &tar_gz(), Limits::default());
    result.unwrap();
    assert!(all_text(&parts).contains("export/名簿.csv"));
}

#[test]
fn legacy_and_encrypted_files_say_why() {
    let (_, result) = read(
        "doc",
        &mamori_samples::office::legacy::word95_doc(),
        Limits::default(),
    );
    let err = result.unwrap_err().to_string();
    assert!(
        err.contains("not supported yet") && err.contains("Word 6.0/95"),
        "{err}"
    );
    let mut z = mamori_samples::office::zipw::ZipWriter::new();
    z.add_with(
        "給与.csv",
        b"a,b\r\n",
        mamori_samples::office::zipw::Names::Cp932,
        Some(b"pw"),
    );
    let (parts, result) = read("zip", &z.finish(), Limits::default());
    result.unwrap();
    assert!(matches!(
        &parts[0],
        Part::Member {
            content: Err(FormatError::Encrypted),
            ..
        }
    ));
}

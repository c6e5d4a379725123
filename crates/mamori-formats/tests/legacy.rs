//! Word and PowerPoint 97-2003 (.doc .ppt): files the generator writes, and
//! real files LibreOffice saves from the generator's .docx/.pptx (skipped,
//! with the reason printed, where LibreOffice is not installed).

mod common;
use common::*;
use mamori_formats::{FormatError, Limits, Part};
use mamori_samples::office::ooxml::{self, Block};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tables(parts: &[Part]) -> Vec<&Vec<Vec<String>>> {
    parts
        .iter()
        .filter_map(|p| match p {
            Part::Table { rows, .. } => Some(rows),
            _ => None,
        })
        .collect()
}

#[test]
fn doc_gives_text_tables_headers_and_field_results() {
    let (parts, result) = read("doc", &doc(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(text.contains("社員名簿（2025年4月1日現在）"), "{text}");
    assert!(text.contains("連絡先: soumu@example.co.jp"), "{text}");
    assert!(text.contains("株式会社サンプル　社外秘"), "{text}");
    assert!(text.contains("総務部 1"), "PAGE field result kept: {text}");
    assert!(!text.contains("PAGE"), "field code dropped: {text}");
    let tables = tables(&parts);
    assert_eq!(tables.len(), 1, "{parts:?}");
    assert_eq!(
        tables[0],
        &vec![
            vec!["氏名", "生年月日", "電話番号", ""],
            vec!["山田 太郎", "1980/03/02", "090-1234-5678", "済"],
            vec!["佐藤 花子", "", "03-1234-5678", ""],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(String::from).collect::<Vec<_>>())
        .collect::<Vec<_>>()
    );
}

#[test]
fn ppt_gives_slide_text() {
    let (parts, result) = read("ppt", &ppt(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert_eq!(
        text,
        "新入社員紹介\n山田 太郎\nyamada@example.co.jp\n090-1234-5678\n"
    );
}

#[test]
fn damaged_legacy_files_give_errors() {
    let mut doc = doc();
    // Cut the file in the middle of its sectors: an error, never a panic.
    doc.truncate(doc.len() / 2);
    let (_, result) = read("doc", &doc, Limits::default());
    assert!(
        matches!(result, Err(FormatError::Corrupt { .. })),
        "{result:?}"
    );
    let garbage = [0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    let (_, result) = read("ppt", &garbage, Limits::default());
    assert!(result.is_err());
}

/// Converts `input` with LibreOffice into `ext` in `dir`; None (and why,
/// printed) where LibreOffice or the filter is missing.
fn soffice_convert(input: &Path, ext: &str, filter: &str, dir: &Path) -> Option<PathBuf> {
    let profile = dir.join("profile");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", &format!("{ext}:{filter}")])
        .arg("--outdir")
        .arg(dir)
        .arg(input)
        .output();
    let converted = input.with_extension(ext);
    let converted = dir.join(converted.file_name()?);
    match out {
        Err(e) => {
            eprintln!("skipped: soffice not runnable ({e}); scripts/test installs LibreOffice");
            None
        }
        Ok(_) if !converted.exists() => {
            eprintln!(
                "skipped: soffice did not write {ext} (filter {filter} missing? \
                 scripts/test installs libreoffice-writer-nogui and libreoffice-impress-nogui)"
            );
            None
        }
        Ok(_) => Some(converted),
    }
}

#[test]
fn doc_saved_by_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("社員名簿.docx");
    std::fs::write(
        &docx,
        ooxml::docx(
            &[
                Block::Para("社員名簿".into()),
                // The last header cell is empty: only the paragraph
                // properties tell it from the row's end mark.
                Block::Table(vec![
                    vec![
                        "氏名".into(),
                        "フリガナ".into(),
                        "電話番号".into(),
                        "".into(),
                    ],
                    vec![
                        "山田 太郎".into(),
                        "ヤマダ タロウ".into(),
                        "090-1234-5678".into(),
                        "済".into(),
                    ],
                    vec![
                        "佐藤 花子".into(),
                        "".into(),
                        "03-1234-5678".into(),
                        "".into(),
                    ],
                ]),
                Block::Para("住所：東京都千代田区千代田1-1　ｶﾅ ①".into()),
            ],
            "株式会社サンプル　社外秘",
            "総務部",
        ),
    )
    .unwrap();
    let Some(doc) = soffice_convert(&docx, "doc", "MS Word 97", dir.path()) else {
        return;
    };
    let (parts, result) = read("doc", &std::fs::read(doc).unwrap(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    assert!(text.contains("社員名簿"), "{text}");
    assert!(
        text.contains("住所：東京都千代田区千代田1-1　ｶﾅ ①"),
        "{text}"
    );
    assert!(text.contains("株式会社サンプル　社外秘"), "{text}");
    let tables = tables(&parts);
    assert_eq!(tables.len(), 1, "{parts:?}");
    assert_eq!(tables[0].len(), 3, "{:?}", tables[0]);
    assert_eq!(tables[0][0], vec!["氏名", "フリガナ", "電話番号", ""]);
    assert_eq!(
        tables[0][1],
        vec!["山田 太郎", "ヤマダ タロウ", "090-1234-5678", "済"]
    );
    assert_eq!(tables[0][2], vec!["佐藤 花子", "", "03-1234-5678", ""]);
}

#[test]
fn ppt_saved_by_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let pptx = dir.path().join("説明会.pptx");
    std::fs::write(
        &pptx,
        ooxml::pptx(&[
            vec![Block::Para("説明会参加者".into())],
            vec![Block::Para(
                "山田 太郎 様\nyamada@example.co.jp\n東京都千代田区千代田1-1".into(),
            )],
        ]),
    )
    .unwrap();
    let Some(ppt) = soffice_convert(&pptx, "ppt", "MS PowerPoint 97", dir.path()) else {
        return;
    };
    let (parts, result) = read("ppt", &std::fs::read(ppt).unwrap(), Limits::default());
    result.unwrap();
    let text = all_text(&parts);
    for want in [
        "説明会参加者",
        "山田 太郎 様",
        "yamada@example.co.jp",
        "東京都千代田区千代田1-1",
    ] {
        assert!(text.contains(want), "{want} missing from {text}");
    }
    assert!(!text.contains("Click to edit"), "{text}");
}

/// The stream readers on truncated and mutated streams of the generator's
/// files: always Ok or a FormatError (the fuzz targets `doc`/`ppt` do the
/// same at length).
#[test]
fn mutated_streams_never_panic() {
    use mamori_formats::streams::{read_ppt_stream, read_word_streams};
    use mamori_formats::Budget;
    use std::io::Read;
    fn stream(ole: &[u8], path: &str) -> Vec<u8> {
        let mut cfb = cfb::CompoundFile::open(std::io::Cursor::new(ole)).unwrap();
        let mut out = Vec::new();
        cfb.open_stream(path)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }
    let doc = doc();
    let word = stream(&doc, "/WordDocument");
    let table = stream(&doc, "/1Table");
    let ppt = stream(&ppt(), "/PowerPoint Document");
    let budget = || Budget::new(Limits::default());
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for cut in 0..table.len() {
        let _ = read_word_streams(&word, &table[..cut], &budget(), &mut |_| {});
    }
    for cut in (0..word.len()).step_by(7) {
        let _ = read_word_streams(&word[..cut], &table, &budget(), &mut |_| {});
    }
    for cut in 0..ppt.len() {
        let _ = read_ppt_stream(&ppt[..cut], &budget(), &mut |_| {});
    }
    for _ in 0..3000 {
        let (mut w, mut t, mut p) = (word.clone(), table.clone(), ppt.clone());
        for _ in 0..1 + next() % 8 {
            let r = next();
            match r % 3 {
                0 => {
                    let i = (r >> 8) as usize % w.len().min(1024);
                    w[i] = (r >> 32) as u8;
                }
                1 => {
                    let i = (r >> 8) as usize % t.len();
                    t[i] = (r >> 32) as u8;
                }
                _ => {
                    let i = (r >> 8) as usize % p.len();
                    p[i] = (r >> 32) as u8;
                }
            }
        }
        let _ = read_word_streams(&w, &t, &budget(), &mut |_| {});
        let _ = read_ppt_stream(&p, &budget(), &mut |_| {});
    }
}

//! Share content before an attack: the project's sample office share
//! (`mamori-samples`, text/CSV ledgers with truth) plus real binary files —
//! OOXML documents and workbooks (zip containers), JPEG photos, PDFs and MP4
//! clips — so type and structure checks have something to see. Also the
//! byte makers the benign workloads reuse (an Office save must write a valid
//! OOXML zip, a photo import must write a JPEG).

use crate::{AttackError, Result};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::Path;

/// Writes the sample share into `dir` (created if missing): the demo office
/// share and `extra` of each binary kind under `資料/`. Returns how many
/// files the share holds.
pub fn populate(dir: &Path, seed: u64, extra: usize) -> Result<usize> {
    mamori_samples::generate(dir, &mamori_samples::ShareSpec::demo())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let folders = ["資料/営業", "資料/総務", "資料/写真"];
    for folder in folders {
        let p = dir.join(folder);
        std::fs::create_dir_all(&p).map_err(|e| AttackError::io(&p, e))?;
    }
    for i in 0..extra {
        let put = |rel: String, bytes: Vec<u8>| -> Result<()> {
            let p = dir.join(rel);
            std::fs::write(&p, bytes).map_err(|e| AttackError::io(&p, e))
        };
        put(
            format!("資料/営業/提案書_{i:03}.docx"),
            docx(&format!(
                "提案書 第{i}版\nお客様各位\n本提案の概要を以下に示します。"
            ))?,
        )?;
        put(
            format!("資料/総務/経費精算_{i:03}.xlsx"),
            xlsx(&sample_rows(&mut rng, 40))?,
        )?;
        let photo_size = 30_000 + rng.gen_range(0..40_000);
        put(
            format!("資料/写真/現場_{i:03}.jpg"),
            jpeg(&mut rng, photo_size),
        )?;
        put(
            format!("資料/総務/規程_{i:03}.pdf"),
            pdf(&format!("Rules {i} / kitei")),
        )?;
        if i % 3 == 0 {
            put(
                format!("資料/写真/説明動画_{i:03}.mp4"),
                mp4(&mut rng, 120_000),
            )?;
        }
    }
    Ok(walk(dir).len())
}

/// A folder `rel` of `n` mixed office files (docx, xlsx, jpg, pdf, csv;
/// most over 4 KB) for one attack run. Returns their share paths.
pub fn victim_folder(share_dir: &Path, rel: &str, n: usize, seed: u64) -> Result<Vec<String>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = share_dir.join(rel);
    std::fs::create_dir_all(&dir).map_err(|e| AttackError::io(&dir, e))?;
    let mut out = Vec::new();
    for i in 0..n {
        let (name, bytes) = match i % 5 {
            0 => (
                format!("報告書_{i:03}.docx"),
                docx(&format!(
                    "月次報告 {i}\n{}",
                    "売上は前月比で増加しました。".repeat(40)
                ))?,
            ),
            1 => (
                format!("集計_{i:03}.xlsx"),
                xlsx(&sample_rows(&mut rng, 200))?,
            ),
            2 => {
                let size = 20_000 + rng.gen_range(0..20_000);
                (format!("写真_{i:03}.jpg"), jpeg(&mut rng, size))
            }
            3 => (
                format!("資料_{i:03}.pdf"),
                pdf(&format!("document {i} ").repeat(40)),
            ),
            _ => (
                format!("名簿_{i:03}.csv"),
                sample_rows(&mut rng, 150)
                    .iter()
                    .map(|r| r.join(","))
                    .collect::<Vec<_>>()
                    .join("\r\n")
                    .into_bytes(),
            ),
        };
        let p = dir.join(&name);
        std::fs::write(&p, bytes).map_err(|e| AttackError::io(&p, e))?;
        out.push(format!("{}/{name}", rel.trim_matches('/')));
    }
    Ok(out)
}

/// Every regular file under `dir`, relative, `/`-separated, sorted.
pub fn walk(dir: &Path) -> Vec<String> {
    fn go(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => go(base, &path, out),
                Ok(t) if t.is_file() => {
                    if let Ok(rel) = path.strip_prefix(base) {
                        out.push(rel.to_string_lossy().replace('\\', "/"));
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    go(dir, dir, &mut out);
    out.sort();
    out
}

fn sample_rows(rng: &mut ChaCha8Rng, n: usize) -> Vec<Vec<String>> {
    let mut rows = vec![vec!["日付".into(), "項目".into(), "金額".into()]];
    for i in 0..n {
        rows.push(vec![
            format!("2025-04-{:02}", i % 28 + 1),
            ["交通費", "会議費", "消耗品", "通信費"][i % 4].into(),
            rng.gen_range(300..50_000).to_string(),
        ]);
    }
    rows
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn zip_parts(parts: &[(&str, String)]) -> Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        writer
            .start_file(*name, options)
            .map_err(|e| AttackError::Zip(e.to_string()))?;
        writer
            .write_all(text.as_bytes())
            .map_err(|e| AttackError::Zip(e.to_string()))?;
    }
    let cursor = writer
        .finish()
        .map_err(|e| AttackError::Zip(e.to_string()))?;
    Ok(cursor.into_inner())
}

/// A zip archive of (name, bytes) members, deflated.
pub fn zip_archive(members: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        writer
            .start_file(name.as_str(), options)
            .map_err(|e| AttackError::Zip(e.to_string()))?;
        writer
            .write_all(bytes)
            .map_err(|e| AttackError::Zip(e.to_string()))?;
    }
    Ok(writer
        .finish()
        .map_err(|e| AttackError::Zip(e.to_string()))?
        .into_inner())
}

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="TARGET"/></Relationships>"#;

/// A minimal valid Word document (one paragraph per line).
pub fn docx(text: &str) -> Result<Vec<u8>> {
    let paragraphs: String = text
        .lines()
        .map(|l| format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", xml_escape(l)))
        .collect();
    zip_parts(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#
                .into(),
        ),
        ("_rels/.rels", RELS.replace("TARGET", "word/document.xml")),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>"#
            ),
        ),
    ])
}

/// A minimal valid Excel workbook with one sheet of inline strings.
pub fn xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut sheet = String::new();
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let col = (b'A' + (c % 26) as u8) as char;
            sheet.push_str(&format!(
                "<c r=\"{col}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                r + 1,
                xml_escape(cell)
            ));
        }
        sheet.push_str("</row>");
    }
    zip_parts(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
                .into(),
        ),
        ("_rels/.rels", RELS.replace("TARGET", "xl/workbook.xml")),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                .into(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                .into(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>"#
            ),
        ),
    ])
}

/// A JPEG-looking file: SOI, JFIF APP0, a quantisation table, start of
/// frame and scan headers, entropy-coded-looking random data, EOI.
pub fn jpeg(rng: &mut impl RngCore, size: usize) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    out.extend_from_slice(b"JFIF\0\x01\x01\x00\x00\x48\x00\x48\x00\x00");
    out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend((1..=64u8).map(|q| q.saturating_mul(2)));
    out.extend_from_slice(&[
        0xFF, 0xC0, 0x00, 0x11, 0x08, 0x03, 0x00, 0x04, 0x00, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11,
        0x01, 0x03, 0x11, 0x01,
    ]);
    out.extend_from_slice(&[
        0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
    ]);
    let body = size.saturating_sub(out.len() + 2).max(16);
    let mut data = vec![0u8; body];
    rng.fill_bytes(&mut data);
    // 0xFF inside scan data is always stuffed with 0x00 in a real JPEG.
    for i in 0..data.len() - 1 {
        if data[i] == 0xFF {
            data[i + 1] = 0x00;
        }
    }
    out.extend_from_slice(&data);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// An MP4-looking file: `ftyp` box then one `mdat` box of random data.
pub fn mp4(rng: &mut impl RngCore, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&[0, 0, 0, 0x18]);
    out.extend_from_slice(b"ftypmp42\0\0\0\0mp42isom");
    let body = size.saturating_sub(out.len() + 8).max(16);
    out.extend_from_slice(&((body + 8) as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    let mut data = vec![0u8; body];
    rng.fill_bytes(&mut data);
    out.extend_from_slice(&data);
    out
}

/// A small valid one-page PDF (ASCII text, correct xref offsets).
pub fn pdf(text: &str) -> Vec<u8> {
    let text: String = text
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
        .collect();
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ooxml_is_a_readable_zip_with_its_parts() {
        let bytes = docx("こんにちは\n<テスト>").unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert!(archive.by_name("word/document.xml").is_ok());
        let bytes = xlsx(&[vec!["a".into(), "b".into()]]).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert!(archive.by_name("xl/worksheets/sheet1.xml").is_ok());
    }

    #[test]
    fn binaries_have_their_magic() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let j = jpeg(&mut rng, 5000);
        assert_eq!(&j[..3], &[0xFF, 0xD8, 0xFF]);
        assert_eq!(&j[j.len() - 2..], &[0xFF, 0xD9]);
        assert_eq!(&mp4(&mut rng, 1000)[4..8], b"ftyp");
        let p = pdf("hello");
        assert!(p.starts_with(b"%PDF-1.4"));
        assert!(p.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn populate_writes_samples_and_binaries() {
        let dir = tempfile::tempdir().unwrap();
        let n = populate(dir.path(), 1, 3).unwrap();
        let files = walk(dir.path());
        assert_eq!(n, files.len());
        assert!(files.iter().any(|f| f.ends_with(".docx")));
        assert!(files.iter().any(|f| f.ends_with(".jpg")));
        assert!(n > 60, "{n}");
    }
}

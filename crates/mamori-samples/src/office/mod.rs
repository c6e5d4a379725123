//! The containers knob ([`crate::ShareSpec::containers`]): the same share,
//! with many of its tables and documents stored as offices store them:
//! .xlsx (real date cells under birth-date headers, title blocks, hidden
//! sheets, two-row merged headers, formulas with cached values), .docx
//! (tables, header/footer, text boxes), .pptx, PDF (Japanese CID font with
//! the predefined UniJIS-UCS2-H CMap), .eml (ISO-2022-JP / Shift_JIS /
//! UTF-8, with attachments), Outlook .msg, .zip (CP932 names without the
//! UTF-8 flag, nested zips), .tar.gz, Word and PowerPoint 97-2003 (.doc
//! with tables, .ppt); plus files that cannot be read: an image-only PDF, a
//! Word 6.0/95 .doc and a password-protected zip.
//!
//! Which file becomes which container depends only on its path (a hash),
//! never on the share's random stream, so the persons and contents are
//! those of the plain share and its truth carries over: a member's truth is
//! filed under `archive.zip!/inner/path`, the archive itself holds nothing.

pub mod legacy;
pub mod mail;
pub mod ooxml;
pub mod pdf;
pub mod zipw;

use crate::encodings::{render_table, render_text, Format, Table};
use crate::truth::{About, Writer};
use crate::SampleError;
use mail::{Attachment, MailEnc};
use ooxml::{cell_ref, Block, Cell, Sheet};
use std::collections::BTreeSet;
use zipw::{Names, ZipWriter};

fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn split_rel(rel: &str) -> (&str, &str, &str) {
    let (dir, file) = match rel.rfind('/') {
        Some(i) => (&rel[..=i], &rel[i + 1..]),
        None => ("", rel),
    };
    let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(file);
    (dir, file, stem)
}

const ROLE_FROM: &str = "総務部 <soumu@example.co.jp>";
const ROLE_TO: &str = "関係者各位 <all@example.co.jp>";
const COVER: &str = "お疲れ様です。\n添付ファイルをご確認ください。\nよろしくお願いいたします。\n";

/// Stores a table in a container; `Ok(false)` = leave it as it is.
pub(crate) fn table(
    w: &mut Writer<'_>,
    rel: &str,
    t: &Table,
    fmt: Format,
    about: About<'_>,
) -> Result<bool, SampleError> {
    let h = hash(rel);
    let (dir, file, stem) = split_rel(rel);
    let items = if about.category.is_some() {
        t.items()
    } else {
        BTreeSet::new()
    };
    let plain = render_table(t, fmt)?;
    match h % 20 {
        0..=6 => {
            let bytes = ooxml::xlsx(&workbook(t, stem, (h >> 8) % 4));
            w.file(&format!("{dir}{stem}.xlsx"), &bytes, items, about, None)?;
        }
        7 | 8 => {
            let mut blocks = vec![
                Block::TextBox(stem.to_string()),
                Block::Para("下記のとおり。".into()),
            ];
            blocks.push(Block::Table(grid(t)));
            let bytes = ooxml::docx(&blocks, "株式会社サンプル　社外秘", "1 / 1");
            w.file(&format!("{dir}{stem}.docx"), &bytes, items, about, None)?;
        }
        9 => {
            let rows = grid(t);
            let header = rows.first().cloned().unwrap_or_default();
            let mut slides = vec![vec![Block::Para(stem.to_string())]];
            for chunk in rows[1.min(rows.len())..].chunks(15) {
                let mut table = vec![header.clone()];
                table.extend(chunk.iter().cloned());
                slides.push(vec![Block::Para(stem.to_string()), Block::Table(table)]);
            }
            let bytes = ooxml::pptx(&slides);
            w.file(&format!("{dir}{stem}.pptx"), &bytes, items, about, None)?;
        }
        10 | 11 => {
            // Zipped on a Japanese Windows PC: CP932 names, no UTF-8 flag;
            // every third one inside another zip.
            let inner = format!("{stem}/{file}");
            let mut z = ZipWriter::new();
            z.add_with(&inner, &plain, Names::Cp932, None);
            let zip = z.finish();
            if h % 3 == 0 {
                let mut outer = ZipWriter::new();
                outer.add_with(&format!("{stem}.zip"), &zip, Names::Cp932, None);
                outer.add_with("readme.txt", b"archive of old data\r\n", Names::Cp932, None);
                let outer_rel = format!("{dir}{stem}_送付用.zip");
                w.file(
                    &outer_rel,
                    &outer.finish(),
                    BTreeSet::new(),
                    About::none(),
                    None,
                )?;
                w.truth_only(
                    &format!("{outer_rel}!/readme.txt"),
                    BTreeSet::new(),
                    About::none(),
                    None,
                    false,
                );
                w.truth_only(
                    &format!("{outer_rel}!/{stem}.zip"),
                    BTreeSet::new(),
                    About::none(),
                    None,
                    false,
                );
                w.truth_only(
                    &format!("{outer_rel}!/{stem}.zip!/{inner}"),
                    items,
                    about,
                    Some(fmt),
                    false,
                );
            } else {
                let zip_rel = format!("{dir}{stem}.zip");
                w.file(&zip_rel, &zip, BTreeSet::new(), About::none(), None)?;
                w.truth_only(
                    &format!("{zip_rel}!/{inner}"),
                    items,
                    about,
                    Some(fmt),
                    false,
                );
            }
        }
        12 => {
            let tgz = tar_gz(&[(format!("export/{file}"), plain)]);
            let tar_rel = format!("{dir}{stem}.tar.gz");
            w.file(&tar_rel, &tgz, BTreeSet::new(), About::none(), None)?;
            w.truth_only(
                &format!("{tar_rel}!/export/{file}"),
                items,
                about,
                Some(fmt),
                false,
            );
        }
        13 | 15 => {
            // Sent by mail: the cover text is nobody's data, the attachment is.
            let (att_name, att_bytes, mime) = if h % 2 == 0 {
                (
                    format!("{stem}.xlsx"),
                    ooxml::xlsx(&workbook(t, stem, 0)),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            } else {
                (file.to_string(), plain, "text/csv")
            };
            let attachment = Attachment {
                name: att_name.clone(),
                mime,
                bytes: att_bytes,
            };
            let subject = format!("{}の送付", subject_of(stem));
            let (mail_rel, bytes) = if h % 20 == 13 {
                let enc = [MailEnc::Jis, MailEnc::Sjis, MailEnc::Utf8][(h >> 8) as usize % 3];
                let bytes = mail::eml(ROLE_FROM, ROLE_TO, &subject, COVER, enc, &[attachment]);
                (format!("{dir}{stem}_送付.eml"), bytes)
            } else {
                let bytes = mail::msg(ROLE_FROM, ROLE_TO, &subject, COVER, &[attachment]);
                (format!("{dir}{stem}_送付.msg"), bytes)
            };
            w.file(&mail_rel, &bytes, BTreeSet::new(), About::none(), None)?;
            let att_fmt = att_name.ends_with(".csv").then_some(fmt);
            w.truth_only(
                &format!("{mail_rel}!/{att_name}"),
                items,
                about,
                att_fmt,
                false,
            );
        }
        16 => {
            let bytes = ooxml::ods(&workbook(t, stem, (h >> 8) % 2));
            w.file(&format!("{dir}{stem}.ods"), &bytes, items, about, None)?;
        }
        17 => {
            let blocks = vec![
                Block::Para(stem.to_string()),
                Block::Para("下記のとおり。".into()),
                Block::Table(grid(t)),
            ];
            let bytes = legacy::doc(&blocks, "株式会社サンプル　社外秘", "");
            w.file(&format!("{dir}{stem}.doc"), &bytes, items, about, None)?;
        }
        14 => {
            let bytes = pdf::text_pdf(&grid(t));
            w.file(&format!("{dir}{stem}.pdf"), &bytes, items, about, None)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Stores a document in a container; `Ok(false)` = leave it as it is.
pub(crate) fn text(
    w: &mut Writer<'_>,
    rel: &str,
    body: &str,
    fmt: Format,
    items: BTreeSet<String>,
    about: About<'_>,
) -> Result<bool, SampleError> {
    if !rel.ends_with(".txt") {
        return Ok(false);
    }
    let h = hash(rel);
    let (dir, file, stem) = split_rel(rel);
    let lines: Vec<&str> = body.lines().collect();
    match h % 20 {
        0..=3 => {
            let mut blocks = Vec::new();
            let mut rest = &lines[..];
            if h % 2 == 0 {
                if let Some((first, tail)) = lines.split_first() {
                    blocks.push(Block::TextBox(first.to_string()));
                    rest = tail;
                }
            }
            blocks.extend(rest.iter().map(|l| Block::Para(l.to_string())));
            let bytes = ooxml::docx(&blocks, "", "社外秘");
            w.file(&format!("{dir}{stem}.docx"), &bytes, items, about, None)?;
        }
        4 | 5 => {
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect();
            w.file(
                &format!("{dir}{stem}.pdf"),
                &pdf::text_pdf(&rows),
                items,
                about,
                None,
            )?;
        }
        6 => {
            let slides: Vec<Vec<Block>> = lines
                .chunks(12)
                .map(|c| vec![Block::Para(c.join("\n"))])
                .collect();
            w.file(
                &format!("{dir}{stem}.pptx"),
                &ooxml::pptx(&slides),
                items,
                about,
                None,
            )?;
        }
        7 => {
            let enc = [MailEnc::Jis, MailEnc::Sjis, MailEnc::Utf8][(h >> 8) as usize % 3];
            let bytes = mail::eml(ROLE_FROM, ROLE_TO, &subject_of(stem), body, enc, &[]);
            w.file(&format!("{dir}{stem}.eml"), &bytes, items, about, None)?;
        }
        8 => {
            let bytes = mail::msg(ROLE_FROM, ROLE_TO, &subject_of(stem), body, &[]);
            w.file(&format!("{dir}{stem}.msg"), &bytes, items, about, None)?;
        }
        10 => {
            let blocks: Vec<Block> = lines.iter().map(|l| Block::Para(l.to_string())).collect();
            let bytes = legacy::doc(&blocks, "", "社外秘");
            w.file(&format!("{dir}{stem}.doc"), &bytes, items, about, None)?;
        }
        11 => {
            let slides: Vec<Vec<Block>> = lines
                .chunks(12)
                .map(|c| vec![Block::Para(c.join("\n"))])
                .collect();
            w.file(
                &format!("{dir}{stem}.ppt"),
                &legacy::ppt(&slides),
                items,
                about,
                None,
            )?;
        }
        9 => {
            let mut z = ZipWriter::new();
            z.add_with(file, &render_text(body, fmt)?, Names::Cp932, None);
            let zip_rel = format!("{dir}{stem}.zip");
            w.file(&zip_rel, &z.finish(), BTreeSet::new(), About::none(), None)?;
            w.truth_only(
                &format!("{zip_rel}!/{file}"),
                items,
                about,
                Some(fmt),
                false,
            );
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Files nobody can read without more: an image-only PDF (a scanned
/// 履歴書), a Word 6.0/95 .doc, a password-protected zip.
pub(crate) fn unreadable(w: &mut Writer<'_>) -> Result<(), SampleError> {
    w.file_with_error(
        "スキャン/履歴書_スキャン20250401.pdf",
        &pdf::image_only_pdf(7),
    )?;
    w.file_with_error("総務部/旧データ/社内規程_2003.doc", &legacy::word95_doc())?;
    let mut z = ZipWriter::new();
    z.add_with(
        "給与一覧.csv",
        "社員番号,支給額\r\n1001,300000\r\n".as_bytes(),
        Names::Cp932,
        Some(b"himitsu"),
    );
    let rel = "総務部/給与_パスワード付き.zip";
    w.file(rel, &z.finish(), BTreeSet::new(), About::none(), None)?;
    w.truth_only(
        &format!("{rel}!/給与一覧.csv"),
        BTreeSet::new(),
        About::none(),
        None,
        true,
    );
    Ok(())
}

/// A mail subject people would write: the document's name without the
/// serial number a file name carries (扶養控除等申告書_01000 → 扶養控除等申告書).
fn subject_of(stem: &str) -> String {
    let s = stem.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c == '-');
    format!("【送付】{}", if s.is_empty() { stem } else { s })
}

fn grid(t: &Table) -> Vec<Vec<String>> {
    let mut rows = vec![t.cols.iter().map(|c| c.header.clone()).collect::<Vec<_>>()];
    rows.extend(t.rows.iter().cloned());
    rows
}

/// 1980/03/02, 1980-03-02, 1980年3月2日, 昭和55年3月2日 → (y, m, d).
fn parse_date(s: &str) -> Option<(i64, i64, i64)> {
    let s = s.trim();
    let eras = [
        ("令和", 2018),
        ("平成", 1988),
        ("昭和", 1925),
        ("大正", 1911),
    ];
    for (era, base) in eras {
        if let Some(rest) = s.strip_prefix(era) {
            let rest = rest.replacen("元年", "1年", 1);
            let (y, rest) = rest.split_once('年')?;
            let (m, rest) = rest.split_once('月')?;
            let d = rest.strip_suffix('日')?;
            return Some((
                base + y.parse::<i64>().ok()?,
                m.parse().ok()?,
                d.parse().ok()?,
            ));
        }
    }
    let parts: Vec<&str> = s
        .split(['/', '-', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 || parts[0].len() != 4 {
        return None;
    }
    let y = parts[0].parse().ok()?;
    let m: i64 = parts[1].parse().ok()?;
    let d: i64 = parts[2].parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn excel_serial(s: &str) -> Option<i64> {
    let (y, m, d) = parse_date(s)?;
    Some(days_from_civil(y, m, d) - days_from_civil(1899, 12, 30))
}

/// The sheet(s) Excel users make of a table. Variants: 0 plain with date
/// cells; 1 a cover sheet and the data on a hidden sheet under a title
/// block; 2 a two-row header with merged cells (作業員名簿 style); 3 names
/// as formulas (姓 & 名) with cached values.
fn workbook(t: &Table, stem: &str, variant: u64) -> Vec<Sheet> {
    let header: Vec<Cell> = t
        .cols
        .iter()
        .map(|c| Cell::Text(c.header.clone()))
        .collect();
    let body = |rows: &mut Vec<Vec<Cell>>| {
        for r in &t.rows {
            rows.push(
                r.iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let col = &t.cols[i];
                        if col.item == Some("birth_date") {
                            if let Some(serial) = excel_serial(v) {
                                return Cell::Date(serial);
                            }
                        }
                        if variant == 3 && col.item == Some("name") && v.contains(' ') {
                            let (sei, mei) = v.split_once(' ').unwrap_or((v, ""));
                            return Cell::Formula {
                                formula: format!("\"{sei}\"&\" \"&\"{mei}\""),
                                cached: v.clone(),
                            };
                        }
                        Cell::Text(v.clone())
                    })
                    .collect(),
            );
        }
    };
    let mut rows = Vec::new();
    let mut merges = Vec::new();
    match variant {
        1 => {
            rows.push(vec![Cell::Text(stem.to_string())]);
            rows.push(vec![Cell::Text("作成日：2025年4月1日".into())]);
            rows.push(vec![]);
            rows.push(header);
            body(&mut rows);
            let cover = Sheet {
                name: "表紙".into(),
                hidden: false,
                rows: vec![
                    vec![Cell::Text(stem.to_string())],
                    vec![Cell::Text("取扱注意".into())],
                ],
                merges: vec![],
            };
            return vec![
                cover,
                Sheet {
                    name: "データ".into(),
                    hidden: true,
                    rows,
                    merges,
                },
            ];
        }
        2 => {
            let contact = |h: &str| {
                ["電話", "携帯", "メール", "TEL", "Tel", "Mail", "連絡"]
                    .iter()
                    .any(|k| h.contains(k))
            };
            let group = (0..t.cols.len().saturating_sub(1))
                .find(|&i| contact(&t.cols[i].header) && contact(&t.cols[i + 1].header));
            let mut top = Vec::new();
            let mut second = Vec::new();
            for (i, c) in t.cols.iter().enumerate() {
                match group {
                    Some(g) if i == g => {
                        top.push(Cell::Text("連絡先".into()));
                        second.push(Cell::Text(c.header.clone()));
                        merges.push(format!("{}:{}", cell_ref(0, i), cell_ref(0, i + 1)));
                    }
                    Some(g) if i == g + 1 => {
                        top.push(Cell::Empty);
                        second.push(Cell::Text(c.header.clone()));
                    }
                    _ => {
                        top.push(Cell::Text(c.header.clone()));
                        second.push(Cell::Empty);
                        merges.push(format!("{}:{}", cell_ref(0, i), cell_ref(1, i)));
                    }
                }
            }
            rows.push(top);
            rows.push(second);
            body(&mut rows);
        }
        _ => {
            rows.push(header);
            body(&mut rows);
        }
    }
    vec![Sheet {
        name: "Sheet1".into(),
        hidden: false,
        rows,
        merges,
    }]
}

fn tar_gz(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, data) in files {
        let mut header = [0u8; 512];
        let name_bytes = name.as_bytes();
        header[..name_bytes.len().min(100)]
            .copy_from_slice(&name_bytes[..name_bytes.len().min(100)]);
        header[100..108].copy_from_slice(b"0000644\0");
        header[108..116].copy_from_slice(b"0001750\0");
        header[116..124].copy_from_slice(b"0001750\0");
        header[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        header[136..148].copy_from_slice(format!("{:011o}\0", 1_743_465_600u64).as_bytes());
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| b as u32).sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        tar.extend_from_slice(&header);
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = std::io::Write::write_all(&mut gz, &tar);
    gz.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_serials() {
        assert_eq!(excel_serial("1980/03/02"), Some(29282));
        assert_eq!(excel_serial("昭和55年3月2日"), Some(29282));
        assert_eq!(excel_serial("1980年3月2日"), Some(29282));
        assert_eq!(excel_serial("S55.3.2"), None);
    }
}

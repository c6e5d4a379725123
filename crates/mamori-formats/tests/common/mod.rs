//! Valid samples of every format, written by the project's own generator
//! code (mamori-samples), for the hostile-input and mutation tests.

#![allow(dead_code)]

use mamori_formats::{read_container, Budget, FormatError, Limits, Part};
use mamori_samples::office::mail::{self, Attachment, MailEnc};
use mamori_samples::office::ooxml::{self, Block, Cell, Sheet};
use mamori_samples::office::zipw::{Names, ZipWriter};
use mamori_samples::office::{legacy, pdf};
use std::io::Cursor;

pub fn sheet() -> Vec<Sheet> {
    vec![
        Sheet {
            name: "名簿".into(),
            hidden: false,
            rows: vec![
                vec![
                    Cell::Text("氏名".into()),
                    Cell::Text("生年月日".into()),
                    Cell::Text("電話番号".into()),
                ],
                vec![
                    Cell::Text("山田 太郎".into()),
                    Cell::Date(29282),
                    Cell::Text("090-1234-5678".into()),
                ],
                vec![
                    Cell::Formula {
                        formula: "\"佐藤\"&\" \"&\"花子\"".into(),
                        cached: "佐藤 花子".into(),
                    },
                    Cell::Date(30000),
                    Cell::Text("080-2345-6789".into()),
                ],
            ],
            merges: vec!["A1:A1".into()],
        },
        Sheet {
            name: "非表示".into(),
            hidden: true,
            rows: vec![vec![Cell::Text("秘".into())]],
            merges: vec![],
        },
    ]
}

pub fn xlsx() -> Vec<u8> {
    ooxml::xlsx(&sheet())
}

pub fn ods() -> Vec<u8> {
    ooxml::ods(&sheet())
}

pub fn docx() -> Vec<u8> {
    ooxml::docx(
        &[
            Block::TextBox("履歴書".into()),
            Block::Para("氏名\t山田 太郎".into()),
            Block::Table(vec![
                vec!["氏名".into(), "電話".into()],
                vec!["佐藤 花子".into(), "090-1111-2222".into()],
            ]),
        ],
        "社外秘",
        "1/1",
    )
}

pub fn pptx() -> Vec<u8> {
    ooxml::pptx(&[vec![
        Block::Para("説明会参加者".into()),
        Block::Table(vec![
            vec!["氏名".into(), "大学".into()],
            vec!["山田 太郎".into(), "東京大学".into()],
        ]),
    ]])
}

pub fn pdf() -> Vec<u8> {
    pdf::text_pdf(&[
        vec!["氏名：山田 太郎".into()],
        vec!["電話：090-1234-5678".into()],
    ])
}

pub fn eml() -> Vec<u8> {
    mail::eml(
        "総務部 <soumu@example.co.jp>",
        "山田 太郎 <taro@example.jp>",
        "社員名簿の送付",
        "山田 太郎様\n住所：東京都千代田区千代田1-1\n",
        MailEnc::Jis,
        &[Attachment {
            name: "名簿.csv".into(),
            mime: "text/csv",
            bytes: "氏名,電話\r\n山田 太郎,090-1234-5678\r\n"
                .as_bytes()
                .to_vec(),
        }],
    )
}

pub fn msg() -> Vec<u8> {
    mail::msg(
        "総務部",
        "山田 太郎",
        "名簿",
        "本文です。",
        &[Attachment {
            name: "名簿.csv".into(),
            mime: "text/csv",
            bytes: b"a,b\r\n".to_vec(),
        }],
    )
}

pub fn zip() -> Vec<u8> {
    let mut z = ZipWriter::new();
    z.add_with(
        "社員名簿/住所録.csv",
        "氏名,住所\r\n山田 太郎,東京都\r\n".as_bytes(),
        Names::Cp932,
        None,
    );
    z.add("inner.docx", &docx());
    z.finish()
}

pub fn tar_gz() -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let data = "氏名,電話\n山田 太郎,090-1234-5678\n".as_bytes();
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "export/名簿.csv", data)
        .unwrap();
    let tar = tar.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

/// A Word 97-2003 document: a title, a roster table, a header and a
/// footer with a PAGE field.
pub fn doc() -> Vec<u8> {
    legacy::doc(
        &[
            Block::Para("社員名簿（2025年4月1日現在）".into()),
            Block::Table(vec![
                // An empty last header cell: the row ends come from the
                // paragraph properties the generator writes.
                vec![
                    "氏名".into(),
                    "生年月日".into(),
                    "電話番号".into(),
                    "".into(),
                ],
                vec![
                    "山田 太郎".into(),
                    "1980/03/02".into(),
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
            Block::Para("連絡先: soumu@example.co.jp".into()),
        ],
        "株式会社サンプル　社外秘",
        "総務部",
    )
}

/// A PowerPoint 97-2003 presentation: two slides, Japanese and ASCII text.
pub fn ppt() -> Vec<u8> {
    legacy::ppt(&[
        vec![Block::Para("新入社員紹介".into())],
        vec![
            Block::Para("山田 太郎".into()),
            Block::Para("yamada@example.co.jp\n090-1234-5678".into()),
        ],
    ])
}

/// Every format with a valid sample: (kind, bytes).
pub fn samples() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("xlsx", xlsx()),
        ("ods", ods()),
        ("docx", docx()),
        ("pptx", pptx()),
        ("pdf", pdf()),
        ("eml", eml()),
        ("msg", msg()),
        ("zip", zip()),
        ("gz", tar_gz()),
        ("doc", doc()),
        ("ppt", ppt()),
    ]
}

pub fn read(kind: &str, bytes: &[u8], limits: Limits) -> (Vec<Part>, Result<(), FormatError>) {
    let mut parts = Vec::new();
    let budget = Budget::new(limits);
    let result = read_container(kind, &mut Cursor::new(bytes), &budget, &mut |p| {
        parts.push(p)
    });
    (parts, result)
}

pub fn all_text(parts: &[Part]) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            Part::Text(t) => s.push_str(t),
            Part::Table { rows, .. } => {
                for r in rows {
                    s.push_str(&r.join("\t"));
                    s.push('\n');
                }
            }
            Part::Member { name, .. } => {
                s.push_str(name);
                s.push('\n');
            }
        }
    }
    s
}

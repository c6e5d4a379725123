//! Writes one valid sample per format into DIR/<target>/ (fuzzing seeds).

use mamori_samples::office::{legacy, mail, ooxml, pdf, zipw};
use std::io::Read;
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    let sheet = ooxml::Sheet {
        name: "名簿".into(),
        hidden: false,
        rows: vec![
            vec![
                ooxml::Cell::Text("氏名".into()),
                ooxml::Cell::Text("生年月日".into()),
            ],
            vec![
                ooxml::Cell::Text("山田 太郎".into()),
                ooxml::Cell::Date(29282),
            ],
        ],
        merges: vec!["A1:B1".into()],
    };
    let docx = ooxml::docx(
        &[
            ooxml::Block::TextBox("履歴書".into()),
            ooxml::Block::Table(vec![vec!["氏名".into(), "山田".into()]]),
        ],
        "社外秘",
        "1",
    );
    let mut z = zipw::ZipWriter::new();
    z.add_with(
        "名簿/社員.csv",
        "氏名\r\n山田\r\n".as_bytes(),
        zipw::Names::Cp932,
        None,
    );
    z.add("in.docx", &docx);
    let attachment = mail::Attachment {
        name: "名簿.csv".into(),
        mime: "text/csv",
        bytes: b"a,b\r\n".to_vec(),
    };
    let doc = legacy::doc(
        &[
            ooxml::Block::Para("履歴書".into()),
            ooxml::Block::Table(vec![
                vec!["氏名".into(), "電話".into()],
                vec!["山田 太郎".into(), "090-1234-5678".into()],
            ]),
        ],
        "社外秘",
        "1",
    );
    // The doc target's input: u16 length of the WordDocument stream, that
    // stream, then the table stream.
    let word = stream_of(&doc, "/WordDocument");
    let mut doc_streams = (word.len() as u16).to_le_bytes().to_vec();
    doc_streams.extend_from_slice(&word);
    doc_streams.extend_from_slice(&stream_of(&doc, "/1Table"));
    let ppt = legacy::ppt(&[vec![
        ooxml::Block::Para("社員紹介".into()),
        ooxml::Block::Para("山田 太郎\nyamada@example.co.jp".into()),
    ]]);
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("xlsx", ooxml::xlsx(&[sheet])),
        ("docx", docx.clone()),
        (
            "pptx",
            ooxml::pptx(&[vec![ooxml::Block::Para("氏名 山田".into())]]),
        ),
        (
            "pdf",
            pdf::text_pdf(&[vec!["氏名".into(), "山田 太郎".into()]]),
        ),
        (
            "eml",
            mail::eml(
                "a <a@x.jp>",
                "b <b@x.jp>",
                "件名",
                "本文 山田様\n",
                mail::MailEnc::Jis,
                &[attachment],
            ),
        ),
        ("msg", mail::msg("a", "b", "件名", "本文", &[])),
        ("ole", doc.clone()),
        ("ole", ppt.clone()),
        ("doc", doc_streams),
        ("ppt", stream_of(&ppt, "/PowerPoint Document")),
        ("zip", z.finish()),
        (
            "pdf_inprocess",
            pdf::text_pdf(&[
                vec!["氏名".into(), "電話".into(), "住所".into()],
                vec![
                    "山田 太郎".into(),
                    "090-1234-5678".into(),
                    "東京都千代田区千代田1-1".into(),
                ],
                vec!["備考　特になし".into()],
            ]),
        ),
    ];
    for (i, (target, bytes)) in seeds.into_iter().enumerate() {
        let d = dir.join(target);
        std::fs::create_dir_all(&d)?;
        std::fs::write(d.join(format!("seed{i}.{target}")), bytes)?;
    }
    Ok(())
}

fn stream_of(ole: &[u8], path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(mut cfb) = cfb::CompoundFile::open(std::io::Cursor::new(ole)) {
        if let Ok(mut s) = cfb.open_stream(path) {
            let _ = s.read_to_end(&mut out);
        }
    }
    out
}

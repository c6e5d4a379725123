//! Benchmark corpus: `office-corpus DIR N` writes N typical 50-500 KB
//! documents per format into DIR/<format>/ (rosters as .xlsx, .docx with a
//! table, .pptx, CID-font PDFs, .eml with an attachment, .zip of CSVs,
//! Word/PowerPoint 97-2003 .doc with a table and .ppt),
//! filled with generated Japanese persons.

use mamori_samples::office::mail::{self, Attachment, MailEnc};
use mamori_samples::office::ooxml::{self, Block, Cell, Sheet};
use mamori_samples::office::{legacy, pdf, zipw};
use std::path::PathBuf;

const SEI: [&str; 12] = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
];
const MEI: [&str; 12] = [
    "太郎", "花子", "健一", "美咲", "大輔", "由美", "翔太", "陽子", "誠", "彩", "拓海", "結衣",
];
const CITY: [&str; 6] = [
    "東京都新宿区西新宿",
    "大阪府大阪市北区梅田",
    "愛知県名古屋市中区栄",
    "福岡県福岡市博多区博多駅前",
    "北海道札幌市中央区北一条西",
    "神奈川県横浜市港北区新横浜",
];

fn rows(seed: usize, n: usize) -> Vec<Vec<String>> {
    let mut out = vec![vec![
        "社員番号",
        "氏名",
        "フリガナ",
        "生年月日",
        "性別",
        "住所",
        "電話番号",
        "メールアドレス",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>()];
    for i in 0..n {
        let k = seed * 7919 + i * 31;
        out.push(vec![
            format!("{:05}", 10000 + i),
            format!("{} {}", SEI[k % 12], MEI[(k / 12) % 12]),
            "ヤマダ タロウ".into(),
            format!("{}/{:02}/{:02}", 1960 + k % 40, 1 + k % 12, 1 + k % 28),
            if k % 2 == 0 { "男" } else { "女" }.into(),
            format!(
                "〒{:03}-{:04} {}{}-{}-{}",
                100 + k % 800,
                k % 10000,
                CITY[k % 6],
                1 + k % 5,
                1 + k % 20,
                1 + k % 30
            ),
            format!("090-{:04}-{:04}", k % 10000, (k / 7) % 10000),
            format!("user{k}@example.ne.jp"),
        ]);
    }
    out
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/office-corpus".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    for f in ["xlsx", "docx", "pptx", "pdf", "eml", "zip", "doc", "ppt"] {
        std::fs::create_dir_all(dir.join(f))?;
    }
    for i in 0..n {
        let size = 800 + (i * 37) % 2400;
        let table = rows(i, size);
        let cells = |r: &Vec<String>| r.iter().map(|c| Cell::Text(c.clone())).collect::<Vec<_>>();
        let sheet = Sheet {
            name: "名簿".into(),
            hidden: false,
            rows: table.iter().map(cells).collect(),
            merges: vec![],
        };
        std::fs::write(
            dir.join(format!("xlsx/社員名簿_{i:04}.xlsx")),
            ooxml::xlsx(&[sheet]),
        )?;
        let small = rows(i, size / 4);
        let mut blocks = vec![Block::TextBox("社員名簿".into())];
        blocks.extend((0..40).map(|p| {
            Block::Para(format!(
                "第{p}条 本名簿は人事部が管理し、社外への持ち出しを禁止する。"
            ))
        }));
        blocks.push(Block::Table(table.clone()));
        std::fs::write(
            dir.join(format!("docx/名簿_{i:04}.docx")),
            ooxml::docx(&blocks, "社外秘", "1"),
        )?;
        std::fs::write(
            dir.join(format!("doc/名簿_{i:04}.doc")),
            // One UTF-16 piece, so catdoc (the peer) can read it too.
            legacy::doc_with(&blocks, "社外秘", "1", false),
        )?;
        let slides: Vec<Vec<Block>> = small
            .chunks(20)
            .map(|c| vec![Block::Para("参加者一覧".into()), Block::Table(c.to_vec())])
            .collect();
        std::fs::write(
            dir.join(format!("pptx/説明会_{i:04}.pptx")),
            ooxml::pptx(&slides),
        )?;
        std::fs::write(
            dir.join(format!("ppt/説明会_{i:04}.ppt")),
            legacy::ppt(&slides),
        )?;
        std::fs::write(
            dir.join(format!("pdf/名簿_{i:04}.pdf")),
            pdf::text_pdf(&table),
        )?;
        let csv: String = small.iter().map(|r| r.join(",") + "\r\n").collect();
        let attachment = Attachment {
            name: "名簿.csv".into(),
            mime: "text/csv",
            bytes: csv.clone().into_bytes(),
        };
        let body = format!("各位\n\n{}様の件、添付のとおりです。\n", small[1][1]);
        std::fs::write(
            dir.join(format!("eml/送付_{i:04}.eml")),
            mail::eml(
                "総務部 <soumu@example.co.jp>",
                "人事部 <jinji@example.co.jp>",
                "名簿送付",
                &body,
                MailEnc::Jis,
                &[attachment],
            ),
        )?;
        let mut z = zipw::ZipWriter::new();
        z.add_with(
            &format!("名簿/社員名簿_{i}.csv"),
            csv.as_bytes(),
            zipw::Names::Cp932,
            None,
        );
        std::fs::write(dir.join(format!("zip/名簿_{i:04}.zip")), z.finish())?;
    }
    Ok(())
}

//! Benchmark corpus of *typical* office documents: `office-typical DIR N`
//! writes N documents of 50-500 KB per format into DIR/<format>/ (xlsx,
//! docx, pptx, pdf), mixed the way a company's file server holds them.
//!
//! `office-corpus` writes only dense rosters (thousands of persons in every
//! file: the worst case for detection). A share mostly holds other things:
//! sales ledgers, budgets, product masters, minutes, contracts, reports and
//! slide decks whose size comes from pictures as much as from text. Here one
//! document in five per format is a roster (a few hundred persons); the
//! others are those everyday documents, some naming a few persons (minutes'
//! attendees, a contract's signatory, a résumé, an invoice's contact).
//! Pictures are incompressible bytes inside a JPEG frame, as photos are.
//! Workbooks are saved as Excel saves them: text in the shared-string
//! table, numbers as plain numeric cells.

use mamori_samples::office::ooxml::{self, Block, Cell, Sheet};
use mamori_samples::office::pdf;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

const SEI: [&str; 20] = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
];
const MEI: [&str; 20] = [
    "太郎",
    "花子",
    "健一",
    "美咲",
    "大輔",
    "由美",
    "翔太",
    "陽子",
    "誠",
    "彩",
    "拓海",
    "結衣",
    "直樹",
    "恵子",
    "浩二",
    "真由美",
    "隆",
    "智子",
    "悠斗",
    "さくら",
];
const CITY: [&str; 6] = [
    "東京都新宿区西新宿",
    "大阪府大阪市北区梅田",
    "愛知県名古屋市中区栄",
    "福岡県福岡市博多区博多駅前",
    "北海道札幌市中央区北一条西",
    "神奈川県横浜市港北区新横浜",
];
const COMPANY: [&str; 8] = [
    "株式会社青葉商事",
    "東和精機株式会社",
    "有限会社みなと物流",
    "株式会社ひかり電子",
    "北斗建設株式会社",
    "株式会社さくら食品",
    "中央印刷株式会社",
    "株式会社大和システム",
];
const ITEM: [&str; 10] = [
    "コピー用紙A4",
    "トナーカートリッジ",
    "ノートPC",
    "液晶モニター",
    "会議用テーブル",
    "LANケーブル",
    "保守サービス",
    "ソフトウェアライセンス",
    "梱包資材",
    "作業用手袋",
];
const ACCOUNT: [&str; 10] = [
    "売上高",
    "売上原価",
    "給料手当",
    "法定福利費",
    "旅費交通費",
    "通信費",
    "消耗品費",
    "地代家賃",
    "減価償却費",
    "支払手数料",
];
const SENTENCE: [&str; 12] = [
    "本件について関係部署と協議した結果、来期の計画に反映することとした。",
    "第{a}四半期の売上は前年同期比{b}%増となり、計画を上回った。",
    "システム更改に伴い、{a}月{b}日より新しい手順で運用を開始する。",
    "品質管理の観点から、出荷前検査の項目を{a}項目追加する。",
    "費用については既存予算の範囲内で対応し、不足分は次回の会議で審議する。",
    "各拠点からの報告によれば、在庫水準は概ね適正に保たれている。",
    "取引先との契約条件の見直しについて、法務部の確認を経て進めることとした。",
    "研修は全{a}回とし、参加者には終了後にアンケートへの回答を求める。",
    "新製品の発売日は{a}月{b}日を予定しており、販促資料を準備中である。",
    "情報セキュリティ規程の改定案を回覧し、{a}日までに意見を集約する。",
    "工場の設備点検は予定どおり完了し、重大な不具合は見つからなかった。",
    "顧客満足度調査の結果、回答者の{b}%が「満足」と答えた。",
];

fn name(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{} {}",
        SEI[rng.gen_range(0..SEI.len())],
        MEI[rng.gen_range(0..MEI.len())]
    )
}

fn address(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{}-{}-{}",
        CITY[rng.gen_range(0..CITY.len())],
        rng.gen_range(1..6),
        rng.gen_range(1..21),
        rng.gen_range(1..31)
    )
}

fn sentence(rng: &mut ChaCha8Rng) -> String {
    SENTENCE[rng.gen_range(0..SENTENCE.len())]
        .replace("{a}", &rng.gen_range(1..13).to_string())
        .replace("{b}", &rng.gen_range(2..29).to_string())
}

fn paragraph(rng: &mut ChaCha8Rng) -> String {
    let n = rng.gen_range(2..6);
    (0..n).map(|_| sentence(rng)).collect()
}

/// A photo's worth of incompressible bytes in a JPEG frame.
fn jpeg(rng: &mut ChaCha8Rng, kb: usize) -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    b.extend((0..kb * 1024).map(|_| rng.gen::<u8>()));
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn roster(rng: &mut ChaCha8Rng, n: usize) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "社員番号",
        "氏名",
        "生年月日",
        "性別",
        "住所",
        "電話番号",
        "メールアドレス",
    ]
    .map(String::from)
    .to_vec()];
    for i in 0..n {
        rows.push(vec![
            format!("{:05}", 10000 + i),
            name(rng),
            format!(
                "{}/{:02}/{:02}",
                rng.gen_range(1960..2000),
                rng.gen_range(1..13),
                rng.gen_range(1..29)
            ),
            if rng.gen_bool(0.5) { "男" } else { "女" }.into(),
            address(rng),
            format!(
                "090-{:04}-{:04}",
                rng.gen_range(1000..10000),
                rng.gen_range(0..10000)
            ),
            format!("user{}@example.ne.jp", rng.gen_range(0..100000)),
        ]);
    }
    rows
}

fn text_cells(rows: &[Vec<String>]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| r.iter().map(|c| Cell::Text(c.clone())).collect())
        .collect()
}

fn sheet(name: &str, rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet {
        name: name.into(),
        hidden: false,
        rows,
        merges: vec![],
    }
}

fn xlsx(rng: &mut ChaCha8Rng, kind: usize) -> (&'static str, Vec<u8>) {
    match kind {
        0 => {
            let n = rng.gen_range(900..3000);
            let rows = text_cells(&roster(rng, n));
            ("社員名簿", ooxml::xlsx_shared(&[sheet("名簿", rows)]))
        }
        1 => {
            let mut rows = vec![
                ["日付", "伝票番号", "取引先", "品名", "数量", "単価", "金額"]
                    .map(|h| Cell::Text(h.into()))
                    .to_vec(),
            ];
            for r in 0..rng.gen_range(1500..5000) {
                let (q, p) = (rng.gen_range(1..200), rng.gen_range(100..90000));
                rows.push(vec![
                    Cell::Date(45300 + rng.gen_range(0..365)),
                    Cell::Text(format!("S{:07}", 100000 + r)),
                    Cell::Text(COMPANY[rng.gen_range(0..COMPANY.len())].into()),
                    Cell::Text(ITEM[rng.gen_range(0..ITEM.len())].into()),
                    Cell::Number(q.to_string()),
                    Cell::Number(p.to_string()),
                    Cell::Formula {
                        formula: format!("E{}*F{}", r + 2, r + 2),
                        cached: (q * p).to_string(),
                    },
                ]);
            }
            ("売上明細", ooxml::xlsx_shared(&[sheet("明細", rows)]))
        }
        2 => {
            let sheets: Vec<Sheet> = ["本社", "大阪支店", "名古屋支店"]
                .iter()
                .map(|dept| {
                    let mut rows = vec![std::iter::once("勘定科目".to_string())
                        .chain((1..=12).map(|m| format!("{m}月")))
                        .chain(std::iter::once("合計".to_string()))
                        .map(Cell::Text)
                        .collect::<Vec<_>>()];
                    for r in 0..rng.gen_range(150..500) {
                        let months: Vec<u64> =
                            (0..12).map(|_| rng.gen_range(0..5_000_000)).collect();
                        let mut row = vec![Cell::Text(format!(
                            "{}{}",
                            ACCOUNT[r % ACCOUNT.len()],
                            r / ACCOUNT.len() + 1
                        ))];
                        row.extend(months.iter().map(|v| Cell::Number(v.to_string())));
                        row.push(Cell::Formula {
                            formula: format!("SUM(B{}:M{})", r + 2, r + 2),
                            cached: months.iter().sum::<u64>().to_string(),
                        });
                        rows.push(row);
                    }
                    sheet(dept, rows)
                })
                .collect();
            ("予算", ooxml::xlsx_shared(&sheets))
        }
        3 => {
            let mut rows = vec![std::iter::once("氏名".to_string())
                .chain((1..=31).map(|d| format!("{d}日")))
                .map(Cell::Text)
                .collect::<Vec<_>>()];
            for _ in 0..rng.gen_range(400..1000) {
                let mut row = vec![Cell::Text(name(rng))];
                row.extend((0..31).map(|_| {
                    Cell::Text(["出", "休", "早", "遅", "出"][rng.gen_range(0..5)].into())
                }));
                rows.push(row);
            }
            ("勤務表", ooxml::xlsx_shared(&[sheet("勤務", rows)]))
        }
        _ => {
            let mut rows = vec![[
                "製品コード",
                "JANコード",
                "品名",
                "規格",
                "標準単価",
                "在庫数",
            ]
            .map(|h| Cell::Text(h.into()))
            .to_vec()];
            for r in 0..rng.gen_range(2000..6000) {
                rows.push(vec![
                    Cell::Text(format!("P-{:06}", r)),
                    Cell::Text(format!("4901234{:06}", rng.gen_range(0..1_000_000))),
                    Cell::Text(ITEM[rng.gen_range(0..ITEM.len())].into()),
                    Cell::Text(format!(
                        "{}mm×{}mm",
                        rng.gen_range(10..900),
                        rng.gen_range(10..900)
                    )),
                    Cell::Number(rng.gen_range(100..90000).to_string()),
                    Cell::Number(rng.gen_range(0..5000).to_string()),
                ]);
            }
            ("製品マスタ", ooxml::xlsx_shared(&[sheet("製品", rows)]))
        }
    }
}

fn prose(rng: &mut ChaCha8Rng, paragraphs: usize) -> Vec<Block> {
    (0..paragraphs)
        .map(|_| Block::Para(paragraph(rng)))
        .collect()
}

fn attendees(rng: &mut ChaCha8Rng) -> String {
    let n = rng.gen_range(4..10);
    let names: Vec<String> = (0..n).map(|_| name(rng)).collect();
    format!("出席者：{}", names.join("、"))
}

fn resume(rng: &mut ChaCha8Rng) -> Vec<Vec<String>> {
    let kv = |k: &str, v: String| vec![k.to_string(), v];
    vec![
        kv("氏名", name(rng)),
        kv(
            "生年月日",
            format!(
                "昭和{}年{}月{}日生",
                rng.gen_range(40..64),
                rng.gen_range(1..13),
                rng.gen_range(1..29)
            ),
        ),
        kv("現住所", address(rng)),
        kv(
            "電話",
            format!(
                "03-{:04}-{:04}",
                rng.gen_range(2000..10000),
                rng.gen_range(0..10000)
            ),
        ),
        kv("学歴", "2004年3月 東京都立青葉高等学校 卒業".into()),
        kv("職歴", "2008年4月 株式会社青葉商事 入社".into()),
    ]
}

fn docx(rng: &mut ChaCha8Rng, kind: usize) -> (&'static str, Vec<u8>) {
    let picture = |rng: &mut ChaCha8Rng, lo, hi| {
        let kb = rng.gen_range(lo..hi);
        jpeg(rng, kb)
    };
    match kind {
        0 => {
            let n = rng.gen_range(500..1500);
            let blocks = vec![Block::Para("社員名簿".into()), Block::Table(roster(rng, n))];
            let logo = picture(rng, 10, 30);
            (
                "名簿",
                ooxml::docx_with_media(&blocks, "社外秘", "1", &[logo]),
            )
        }
        1 => {
            let mut blocks = vec![
                Block::Para("定例会議 議事録".into()),
                Block::Para(attendees(rng)),
            ];
            let n = rng.gen_range(40..150);
            blocks.extend(prose(rng, n));
            let photo = picture(rng, 50, 250);
            (
                "議事録",
                ooxml::docx_with_media(&blocks, "社内限り", "1", &[photo]),
            )
        }
        2 => {
            let mut blocks = vec![Block::Para(format!(
                "{}（以下「甲」という）と{}（以下「乙」という）は、次のとおり業務委託契約を締結する。",
                COMPANY[rng.gen_range(0..COMPANY.len())],
                COMPANY[rng.gen_range(0..COMPANY.len())]
            ))];
            for a in 1..rng.gen_range(30..60) {
                blocks.push(Block::Para(format!("第{a}条 {}", paragraph(rng))));
            }
            blocks.push(Block::Para(format!(
                "甲 住所 {} 代表取締役 {}",
                address(rng),
                name(rng)
            )));
            let seal = picture(rng, 30, 100);
            ("契約書", ooxml::docx_with_media(&blocks, "", "1", &[seal]))
        }
        3 => {
            let blocks = vec![Block::Para("履歴書".into()), Block::Table(resume(rng))];
            let photo = picture(rng, 40, 120);
            ("履歴書", ooxml::docx_with_media(&blocks, "", "", &[photo]))
        }
        _ => {
            let n = rng.gen_range(80..300);
            let blocks = prose(rng, n);
            let charts: Vec<Vec<u8>> = (0..rng.gen_range(2..5))
                .map(|_| picture(rng, 20, 100))
                .collect();
            ("報告書", ooxml::docx_with_media(&blocks, "", "1", &charts))
        }
    }
}

fn pptx(rng: &mut ChaCha8Rng, kind: usize) -> (&'static str, Vec<u8>) {
    if kind == 0 {
        let n = rng.gen_range(100..400);
        let slides: Vec<Vec<Block>> = roster(rng, n)
            .chunks(20)
            .map(|c| vec![Block::Para("参加者一覧".into()), Block::Table(c.to_vec())])
            .collect();
        let logo = jpeg(rng, 40);
        return ("説明会", ooxml::pptx_with_media(&slides, &[logo]));
    }
    let slides: Vec<Vec<Block>> = (0..rng.gen_range(10..40))
        .map(|s| {
            let bullets: Vec<String> = (0..rng.gen_range(3..7)).map(|_| sentence(rng)).collect();
            vec![
                Block::Para(format!("{}. 施策の概要", s + 1)),
                Block::TextBox(bullets.join("\n")),
            ]
        })
        .collect();
    let pictures: Vec<Vec<u8>> = (0..rng.gen_range(1..5))
        .map(|_| {
            let kb = rng.gen_range(30..120);
            jpeg(rng, kb)
        })
        .collect();
    ("企画書", ooxml::pptx_with_media(&slides, &pictures))
}

fn lines(rng: &mut ChaCha8Rng, n: usize) -> Vec<Vec<String>> {
    (0..n).map(|_| vec![sentence(rng)]).collect()
}

fn pdf(rng: &mut ChaCha8Rng, kind: usize) -> (&'static str, Vec<u8>) {
    let picture = |rng: &mut ChaCha8Rng, lo, hi| {
        let kb = rng.gen_range(lo..hi);
        jpeg(rng, kb)
    };
    match kind {
        0 => {
            let n = rng.gen_range(600..1800);
            ("名簿", pdf::text_pdf(&roster(rng, n)))
        }
        1 | 4 => {
            let mut rows = vec![vec!["報告書".to_string()]];
            if kind == 4 {
                rows.push(vec![attendees(rng)]);
            }
            let n = rng.gen_range(100..600);
            rows.extend(lines(rng, n));
            let photo = picture(rng, 40, 300);
            ("報告書", pdf::text_pdf_with_image(&rows, Some(&photo)))
        }
        2 => {
            let mut rows = vec![
                vec![format!("{} 御中", COMPANY[rng.gen_range(0..COMPANY.len())])],
                vec![format!("担当 {}", name(rng))],
                vec!["品名".into(), "数量".into(), "単価".into(), "金額".into()],
            ];
            for _ in 0..rng.gen_range(20..80) {
                let (q, p) = (rng.gen_range(1..50), rng.gen_range(100..50000));
                rows.push(vec![
                    ITEM[rng.gen_range(0..ITEM.len())].into(),
                    q.to_string(),
                    p.to_string(),
                    (q * p).to_string(),
                ]);
            }
            let seal = picture(rng, 40, 150);
            ("請求書", pdf::text_pdf_with_image(&rows, Some(&seal)))
        }
        _ => {
            let photo = picture(rng, 40, 150);
            (
                "履歴書",
                pdf::text_pdf_with_image(&resume(rng), Some(&photo)),
            )
        }
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/office-typical".into()));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    type Make = fn(&mut ChaCha8Rng, usize) -> (&'static str, Vec<u8>);
    let formats: [(&str, Make); 4] = [("xlsx", xlsx), ("docx", docx), ("pptx", pptx), ("pdf", pdf)];
    for (seed, (format, make)) in formats.into_iter().enumerate() {
        std::fs::create_dir_all(dir.join(format))?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed as u64 + 2026);
        for i in 0..n {
            let (stem, bytes) = make(&mut rng, i % 5);
            std::fs::write(dir.join(format!("{format}/{stem}_{i:04}.{format}")), bytes)?;
        }
    }
    Ok(())
}

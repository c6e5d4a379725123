//! Files without personal data that look personal: the 取引先担当者一覧
//! (business contacts at partner companies, from the 名刺 scanner), mails
//! with the company's signature block, the 内線表, the property master with
//! kanji addresses, repair histories, a vacancy list, 記入例 forms, and
//! plain office files.
//!
//! Business contacts: the vocabulary's subjects are the company's staff,
//! applicants, shareholders, 賃貸人, 協力会社従業員 (defined by the
//! 作業員名簿: workers whose own licences, health and insurance the company
//! holds) and private customers. A partner company's 担当者 as printed on a
//! business card (name, department, the company's address, work phone and
//! work mail) is that company's point of contact: none of those values is
//! the person's own address or phone, and the crate already treats staff
//! named in a business role (担当, 署名) as no item. So such a list is no
//! personal data here (category `None`).

use super::{kanji_street, COMPANY, COMPANY_ADDR, COMPANY_FAX, COMPANY_TEL, DOMAIN};
use crate::encodings::{col, csv, text, Enc, Table};
use crate::truth::{About, Writer};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const PARTNERS: &[(&str, &str, &str, &str)] = &[
    (
        "株式会社港北リフォーム",
        "横浜市港北区篠原町1120番地",
        "045-401-7720",
        "kohoku-reform.example.jp",
    ),
    (
        "有限会社ミドリ設備",
        "横浜市神奈川区白楽三丁目5番地",
        "045-432-1188",
        "midori-setsubi.example.jp",
    ),
    (
        "株式会社ヨコハマクリーンサービス",
        "横浜市都筑区中川一丁目2番3号",
        "045-910-3345",
        "ycs.example.jp",
    ),
    (
        "東横鍵センター株式会社",
        "川崎市中原区新丸子町740",
        "044-722-0091",
        "toyoko-key.example.jp",
    ),
    (
        "株式会社ハマ電工",
        "横浜市鶴見区鶴見中央四丁目8番1号",
        "045-501-6602",
        "hama-denko.example.jp",
    ),
];

const SURNAMES: &[&str] = &["佐藤", "小林", "中村", "加藤", "吉田", "山口", "松本"];
const GIVEN: &[&str] = &["健一", "誠", "浩二", "真理子", "由美", "大輔", "直樹", "恵"];
const ROMAN: &[&str] = &[
    "k.sato", "m.suzuki", "koji.t", "mariko", "y.ito", "daisuke", "naoki.w", "megumi",
];

pub fn write(w: &mut Writer, n: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    contacts(w)?;
    extensions(w)?;
    let kinds = 6;
    for i in 0..n.saturating_sub(2) {
        match i % kinds {
            0 => mail(w, i, rng)?,
            1 => properties(w, i, rng)?,
            2 => repairs(w, i, rng)?,
            3 => vacancies(w, i, rng)?,
            4 => sample_form(w, i)?,
            _ => notice(w, i, rng)?,
        }
    }
    Ok(())
}

/// 取引先担当者一覧 exported from the 名刺 scanner.
fn contacts(w: &mut Writer) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("会社名", None),
        col("部署", None),
        col("役職", None),
        col("氏名", None),
        col("電話", None),
        col("FAX", None),
        col("メール", None),
        col("住所", None),
    ]);
    for (k, (co, addr, tel, dom)) in PARTNERS.iter().enumerate() {
        for j in 0..2 {
            let i = (k * 2 + j) % GIVEN.len();
            let sur = SURNAMES[(k * 3 + j) % SURNAMES.len()];
            t.push(vec![
                co.to_string(),
                ["工事部", "営業部", "業務課"][(k + j) % 3].to_string(),
                ["課長", "主任", "", "部長"][(k + j) % 4].to_string(),
                format!("{sur}　{}", GIVEN[i]),
                if j == 0 {
                    tel.to_string()
                } else {
                    format!("{tel}（内線{}）", 200 + k * 10 + j)
                },
                format!("{}9", &tel[..tel.len() - 1]),
                format!("{}@{dom}", ROMAN[i]),
                addr.to_string(),
            ]);
        }
    }
    w.table(
        "総務/取引先/取引先担当者一覧.csv",
        &t,
        csv(Enc::ShiftJis),
        About::none(),
    )
}

/// 内線表: the office's extensions and direct lines.
fn extensions(w: &mut Writer) -> Result<(), SampleError> {
    let mut body = format!("{COMPANY}　内線表\n代表 {COMPANY_TEL}　FAX {COMPANY_FAX}\n\n");
    for (k, sec) in ["総務", "経理", "賃貸管理課", "仲介課", "社長室"]
        .iter()
        .enumerate()
    {
        body.push_str(&format!(
            "{sec}　　内線 {}　直通 (045)475-33{:02}\n",
            21 + k,
            11 + k
        ));
    }
    w.text(
        "総務/内線表.txt",
        &body,
        text(Enc::ShiftJis, true),
        &[],
        About::none(),
    )
}

fn signature(i: usize) -> String {
    let sur = SURNAMES[i % SURNAMES.len()];
    format!(
        "--------------------------------------\n{COMPANY}\n賃貸管理課　{sur}\n{COMPANY_ADDR}\nTEL：{COMPANY_TEL}（内線2{}）　FAX：{COMPANY_FAX}\nMail：kanri@{DOMAIN}\n--------------------------------------\n",
        i % 10
    )
}

/// A mail to a partner company about a repair, with both signatures.
fn mail(w: &mut Writer, i: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let (co, addr, tel, dom) = PARTNERS[i % PARTNERS.len()];
    let sur = SURNAMES[(i + 3) % SURNAMES.len()];
    let body = format!(
        "From: kanri@{DOMAIN}\nTo: {}@{dom}\nSubject: 【修繕依頼】{}号室 給湯器交換の件\n\n{co}\n{sur}様\n\nいつもお世話になっております。\n標記の件、{}月{}日（{}）午前中の作業でお願いいたします。\n鍵はキーボックス（暗証番号は別途連絡）をご利用ください。\n\n{}\n> {co}\n> {sur}\n> {addr}\n> TEL {tel}\n",
        ROMAN[i % ROMAN.len()],
        100 + rng.gen_range(1..9),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
        ["月", "火", "水", "木", "金"][i % 5],
        signature(i)
    );
    w.text(
        &format!("賃貸管理/修繕/メール/{:03}_修繕依頼.txt", i),
        &body,
        text(
            if i % 2 == 0 {
                Enc::Iso2022Jp
            } else {
                Enc::Utf8
            },
            false,
        ),
        &[],
        About::none(),
    )
}

/// 物件マスタ: buildings with their locations (no persons).
fn properties(w: &mut Writer, i: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("物件コード", None),
        col("物件名", None),
        col("所在地", None),
        col("構造", None),
        col("築年月", None),
        col("戸数", None),
        col("管理開始日", None),
    ]);
    let towns = [
        "港北区大倉山",
        "港北区菊名",
        "港北区綱島西",
        "港北区日吉本町",
        "港北区新羽町",
    ];
    for r in 0..12 {
        let street = format!(
            "{}-{}-{}",
            1 + r % 5,
            rng.gen_range(1..30),
            rng.gen_range(1..20)
        );
        t.push(vec![
            format!("M-{:03}", 12 + r * 7),
            format!("{}{}", ["コーポ", "ハイツ", "メゾン"][r % 3], r + 1),
            format!(
                "横浜市{}{}",
                towns[r % 5],
                kanji_street(&street, r % 2 == 0)
            ),
            ["RC造", "木造", "軽量鉄骨"][r % 3].to_string(),
            format!("S.{}.{}", 50 + r, 1 + r % 12),
            rng.gen_range(6..30).to_string(),
            format!("H{}.4.1", 10 + r),
        ]);
    }
    w.table(
        &format!("賃貸管理/物件/物件マスタ_{:02}.csv", i / 6),
        &t,
        csv(if i % 4 == 1 {
            Enc::Utf8Bom
        } else {
            Enc::ShiftJis
        }),
        About::none(),
    )
}

/// 修繕履歴 of one building: dates, rooms, contractors, amounts.
fn repairs(w: &mut Writer, i: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("日付", None),
        col("号室", None),
        col("内容", None),
        col("業者", None),
        col("業者TEL", None),
        col("金額", None),
        col("負担", None),
    ]);
    for r in 0..15 {
        let (co, _, tel, _) = PARTNERS[(i + r) % PARTNERS.len()];
        t.push(vec![
            format!("{}/{}/{}", 2020 + r % 5, 1 + r % 12, 1 + (r * 3) % 28),
            format!("{}0{}", 1 + r % 3, 1 + r % 6),
            [
                "給湯器交換",
                "クロス張替",
                "排水管清掃",
                "鍵交換",
                "エアコン修理",
            ][r % 5]
                .to_string(),
            co.to_string(),
            tel.to_string(),
            (rng.gen_range(8..300) * 1000).to_string(),
            ["オーナー", "入居者", "管理会社"][r % 3].to_string(),
        ]);
    }
    w.table(
        &format!("賃貸管理/修繕/修繕履歴_{:02}.csv", i / 6),
        &t,
        csv(Enc::ShiftJis),
        About::none(),
    )
}

/// 空室一覧 for the agents: rooms, layouts, rents.
fn vacancies(w: &mut Writer, i: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut body = format!("空室一覧（{}月{}日現在）\n\n", 1 + i % 12, 1 + i % 27);
    for r in 0..10 {
        body.push_str(&format!(
            "{}{}　{}0{}号室　{}　{}円　敷{} 礼{}　最寄：{}駅 徒歩{}分\n",
            ["コーポ", "ハイツ", "メゾン"][r % 3],
            r + 1,
            1 + r % 3,
            1 + r % 6,
            ["1K", "1LDK", "2DK", "3LDK"][r % 4],
            rng.gen_range(55..140) * 1000,
            r % 2,
            (r + 1) % 2,
            ["菊名", "大倉山", "綱島", "日吉"][r % 4],
            rng.gen_range(3..18)
        ));
    }
    body.push_str(&format!("\nお問い合わせ：{COMPANY} 仲介課 {COMPANY_TEL}\n"));
    w.text(
        &format!("仲介/空室一覧/空室一覧_{:02}.txt", i / 6),
        &body,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

/// The 入居申込書 template with its 記入例 (a model person, no data).
fn sample_form(w: &mut Writer, i: usize) -> Result<(), SampleError> {
    let body = "入 居 申 込 書　【記入例】\n\n物件名：○○ハイツ　101号室\n\n申込者\n氏　　名：横浜　太郎\nフリガナ：ヨコハマ　タロウ\n生年月日：昭和60年1月1日\n現 住 所：〒222-0000　横浜市港北区○○町一丁目1番地1\n電話番号：090-0000-0000\n勤 務 先：株式会社○○\n\n※太枠内をご記入ください。\n";
    w.text(
        &format!(
            "賃貸管理/入居者/申込書/記入例/入居申込書_記入例_{:02}.txt",
            i / 6
        ),
        body,
        text(Enc::ShiftJis, true),
        &[],
        About::none(),
    )
}

/// A notice to all tenants of a building (no one named).
fn notice(w: &mut Writer, i: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let body = format!(
        "入居者各位\n\n{}年{}月{}日\n{COMPANY}\n\n排水管清掃のお知らせ\n\n下記日程にて排水管の清掃を実施いたします。作業時間は1戸あたり約15分です。\nご不在の場合は管理会社立会いのもと作業いたします。\n\n日時：{}月{}日（{}）9:00～16:00\n作業業者：{}\n\nお問い合わせ：{COMPANY_TEL}（平日9:00～18:00）\n",
        2024 + i % 2,
        1 + i % 12,
        1 + i % 27,
        1 + (i + 1) % 12,
        rng.gen_range(1..28),
        ["月", "火", "水", "木", "金", "土"][i % 6],
        PARTNERS[i % PARTNERS.len()].0
    );
    w.text(
        &format!("賃貸管理/お知らせ/お知らせ_{:03}.txt", i),
        &body,
        text(if i % 3 == 0 { Enc::ShiftJis } else { Enc::Utf8 }, true),
        &[],
        About::none(),
    )
}

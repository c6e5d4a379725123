//! Staff files of the logistics firm: the roster from the 基幹システム, the
//! 乗務員台帳, the family-allowance list, the Zengin payroll transfer, the
//! payroll-software export, health checks, ID cards, retirees, the My Number
//! collection sheet and address-change mails.

use super::{
    bare, dob, pad, short, zeros, zparen, Dob, COMPANY, COMPANY_ADDR, COMPANY_KANA, COMPANY_TEL,
    SECTIONS,
};
use crate::encodings::{col, encode, text, Enc, Format, Table};
use crate::held::Sheet;
use crate::names;
use crate::persons::{Date, TODAY};
use crate::truth::{About, Writer};
use crate::world::{Employee, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

const HR: &str = "HR";
const KEIRI: &str = "経理";
const UNKO: &str = "運行管理";

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.employees.is_empty() {
        return Ok(());
    }
    roster(w, world)?;
    drivers(w, world, rng)?;
    allowance(w, world)?;
    zengin(w, world, rng)?;
    payroll_export(w, world, rng)?;
    checkup(w, world, rng)?;
    id_cards(w, world)?;
    retirees(w, world)?;
    my_numbers(w, world)?;
    address_mails(w, world)?;
    Ok(())
}

fn ids(es: &[&Employee]) -> Vec<usize> {
    es.iter().map(|e| e.p.id).collect()
}

fn section(i: usize) -> &'static str {
    SECTIONS[i % SECTIONS.len()]
}

/// Romaji as a roster types it for cards and visas: YAMADA Taro.
pub(crate) fn romaji_name(surname_kana: &str, given_kana: &str) -> String {
    let s = names::romaji(surname_kana).to_uppercase();
    let g = names::romaji(given_kana);
    let mut c = g.chars();
    let g = match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => g,
    };
    format!("{s} {g}")
}

/// The 基幹システム staff export: English headers, the address over five
/// columns, phones without hyphens; Excel "CSV UTF-8" with a BOM and a
/// trailing empty column on every line.
fn roster(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("EmpNo", None),
        col("Name", Some("name")),
        col("Kana", Some("name")),
        col("Sex", Some("gender")),
        col("DOB", Some("birth_date")),
        col("Age", None),
        col("Zip", Some("address")),
        col("Pref", Some("address")),
        col("City", Some("address")),
        col("Addr", Some("address")),
        col("Bldg", Some("address")),
        col("Tel", Some("phone")),
        col("Mobile", Some("phone")),
        col("E-mail", Some("email")),
        col("Joined", None),
        col("Section", None),
        col("", None),
    ]);
    for (i, e) in world.employees.iter().enumerate() {
        let p = &e.p;
        t.push(vec![
            e.no.clone(),
            p.name(),
            p.kana(),
            if p.female { "F" } else { "M" }.into(),
            dob(p.birth, Dob::LetterSlash),
            p.age().to_string(),
            p.loc.postal.replace('-', ""),
            p.loc.prefecture.clone(),
            p.loc.municipality.clone(),
            format!("{}{}", p.loc.town, p.street),
            p.building.clone().unwrap_or_default(),
            if i % 3 == 0 {
                String::new()
            } else {
                bare(&p.home_phone)
            },
            bare(&p.mobile),
            p.email.clone(),
            short(e.hired),
            section(i).into(),
            String::new(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::Utf8Bom);
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        &format!("{HR}/staff_master_{}{:02}.csv", TODAY.y, TODAY.m),
        About::of("employee", &ids(&es)),
    )
}

/// A 12-digit licence number (commission, year, serial, check, reissue).
fn licence(rng: &mut ChaCha8Rng, birth_year: i32) -> String {
    let first = ((birth_year + 19).min(TODAY.y - 1) % 100) as u32;
    let ten = format!("30{first:02}{:06}", rng.gen_range(0..1_000_000u32));
    const W: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let s: u32 = ten
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(W)
        .map(|(d, w)| d * w)
        .sum();
    format!("{ten}{}{}", (11 - s % 11) % 10, rng.gen_range(0..3))
}

/// 乗務員台帳 (required of every trucking firm): 乗務員名, birth date and
/// age in one cell, licence, blood type for the accident card.
fn drivers(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let picked: Vec<&Employee> = world
        .employees
        .iter()
        .enumerate()
        .filter(|(i, _)| section(*i).starts_with("配送") || i % 6 == 3)
        .map(|(_, e)| e)
        .collect();
    let mut t = Table::new(vec![
        col("乗務員名", Some("name")),
        col("ﾌﾘｶﾞﾅ", Some("name")),
        col("生年月日（年齢）", Some("birth_date")),
        col("現住所", Some("address")),
        col("運転免許証番号", Some("drivers_license")),
        col("免許の種類", None),
        col("有効期限", None),
        col("血液型", Some("blood_type")),
        col("選任年月日", None),
    ]);
    for (k, e) in picked.iter().enumerate() {
        let p = &e.p;
        t.push(vec![
            p.name_tight(),
            p.holder_kana(),
            if k % 2 == 0 {
                dob(p.birth, Dob::WithAge)
            } else {
                format!("{}生（{}）", dob(p.birth, Dob::OneKanjiDot), p.age())
            },
            format!("{}{}", p.loc.postal, p.address()),
            licence(rng, p.birth.y),
            ["大型", "中型", "準中型", "大型・けん引"][k % 4].into(),
            short(Date {
                y: TODAY.y + 1 + (k % 3) as i32,
                m: p.birth.m,
                d: p.birth.d.min(28),
            }),
            format!("{}型", p.blood),
            short(e.hired),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![vec![format!("乗務員台帳　{COMPANY}　高崎営業所")], vec![]];
    s.write(
        w,
        &format!("{UNKO}/乗務員台帳_{}.csv", TODAY.y),
        About::of("employee", &ids(&picked)),
    )
}

/// 家族手当 list: the employee, the spouse and up to two children in one
/// row (two or more persons per row).
fn allowance(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員番号", None),
        col("本人氏名", Some("name")),
        col("配偶者", Some("family")),
        col("配偶者生年月日", Some("family")),
        col("子1", Some("family")),
        col("子1生年月日", Some("family")),
        col("子2", Some("family")),
        col("子2生年月日", Some("family")),
        col("手当月額", None),
    ]);
    let mut with = Vec::new();
    for e in &world.employees {
        let p = &e.p;
        if p.spouse.is_none() && p.children.is_empty() {
            continue;
        }
        with.push(e);
        let kid = |k: usize| -> (String, String) {
            p.children
                .get(k)
                .map(|c| (c.name.clone(), dob(c.birth, Dob::EraAfter)))
                .unwrap_or_default()
        };
        let (c1, b1) = kid(0);
        let (c2, b2) = kid(1);
        let amount = p.spouse.as_ref().map_or(0, |_| 10_000) + p.children.len() as u32 * 5_000;
        t.push(vec![
            e.no.clone(),
            p.name(),
            p.spouse
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            p.spouse
                .as_ref()
                .map(|s| dob(s.birth, Dob::EraAfter))
                .unwrap_or_default(),
            c1,
            b1,
            c2,
            b2,
            amount.to_string(),
        ]);
    }
    if with.is_empty() {
        return Ok(());
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("{HR}/手当/家族手当_対象者_{}.csv", TODAY.y),
        About::of("employee", &ids(&with)),
    )
}

/// 全銀 給与振込 file: header, one 120-byte data record per employee,
/// trailer and end record; Shift_JIS, half-width kana, CRLF.
fn zengin(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let day = format!("{:02}25", TODAY.m);
    let mut recs = vec![format!(
        "1110{}{}{day}0128{}100{}1{}{}",
        zeros(4_012_345_678, 10),
        pad(COMPANY_KANA, 40),
        pad("ｸﾞﾝﾏｷﾞﾝｺｳ", 15),
        pad("ﾎﾝﾃﾝ", 15),
        zeros(1_234_567, 7),
        pad("", 17)
    )];
    let mut total = 0u64;
    for e in &world.employees {
        let a = &e.p.account;
        let amount = rng.gen_range(180..460) as u64 * 1000 + rng.gen_range(0..1000);
        total += amount;
        let kind = if a.kind == "当座" { "2" } else { "1" };
        recs.push(format!(
            "2{}{}{}{}{}{kind}{}{}{}0{}{}7 {}",
            a.bank_code,
            pad("", 15),
            a.branch_code,
            pad("", 15),
            pad("", 4),
            a.number,
            pad(&e.p.holder_kana(), 30),
            zeros(amount, 10),
            zeros(e.no.parse().unwrap_or(0), 10),
            pad("", 10),
            pad("", 7)
        ));
    }
    recs.push(format!(
        "8{}{}{}",
        zeros(world.employees.len() as u64, 6),
        zeros(total, 12),
        pad("", 101)
    ));
    recs.push(format!("9{}", pad("", 119)));
    debug_assert!(recs.iter().all(|r| super::width(r) == 120));
    let body = recs.join("\r\n") + "\r\n";
    let bytes = encode(&body, Enc::ShiftJis)?;
    let es: Vec<&Employee> = world.employees.iter().collect();
    let items: BTreeSet<String> = ["name", "bank_account"].map(String::from).into();
    w.bytes(
        &format!("{KEIRI}/FB/KYUYO{}{:02}.txt", TODAY.y % 100, TODAY.m),
        &bytes,
        Some(text(Enc::ShiftJis, true)),
        items,
        About::of("employee", &ids(&es)),
    )
}

/// The payroll software's "テキスト出力": tab-separated, every field padded
/// to a fixed width with spaces, Shift_JIS.
fn payroll_export(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    const COLS: &[(&str, usize)] = &[
        ("社員ｺｰﾄﾞ", 10),
        ("氏名", 16),
        ("所属", 12),
        ("扶養", 4),
        ("基本給", 10),
        ("時間外手当", 10),
        ("通勤手当", 10),
        ("健康保険", 10),
        ("厚生年金", 10),
        ("所得税", 10),
        ("住民税", 10),
        ("差引支給額", 10),
    ];
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(COLS)
            .map(|(c, (_, wd))| pad(c, *wd))
            .collect::<Vec<_>>()
            .join("\t")
    };
    let mut b = line(&COLS.iter().map(|c| c.0.to_string()).collect::<Vec<_>>());
    b.push_str("\r\n");
    let mut family = false;
    for (i, e) in world.employees.iter().enumerate() {
        let p = &e.p;
        let deps = p.spouse.iter().count() + p.children.len();
        family |= deps > 0;
        let base: u64 = rng.gen_range(190..380) * 1000;
        let over: u64 = rng.gen_range(0..90) * 1000;
        let cells = [
            e.no.clone(),
            p.name(),
            section(i).into(),
            deps.to_string(),
            base.to_string(),
            over.to_string(),
            (rng.gen_range(4..25u64) * 1000).to_string(),
            (base / 20).to_string(),
            (base * 9 / 100).to_string(),
            (base / 40).to_string(),
            (base / 30).to_string(),
            (base + over - base / 5).to_string(),
        ];
        b.push_str(&line(&cells));
        b.push_str("\r\n");
    }
    let mut items = vec!["name"];
    if family {
        items.push("family");
    }
    let es: Vec<&Employee> = world.employees.iter().collect();
    w.text(
        &format!("{KEIRI}/給与/給与明細_{}{:02}.txt", TODAY.y, TODAY.m - 1),
        &b,
        text(Enc::ShiftJis, true),
        &items,
        About::of("employee", &ids(&es)),
    )
}

/// 健康診断 results with the clinic's abbreviations (BP, HbA1c, γ-GTP).
fn checkup(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("ID", None),
        col("Name", Some("name")),
        col("Age", None),
        col("BP", Some("health")),
        col("HbA1c", Some("health")),
        col("γ-GTP", Some("health")),
        col("総合判定", Some("health")),
        col("就業区分", Some("health")),
    ]);
    for e in &world.employees {
        let hi = rng.gen_range(0..5) == 0;
        t.push(vec![
            e.no.clone(),
            e.p.name(),
            e.p.age().to_string(),
            format!(
                "{}/{}",
                rng.gen_range(if hi { 145..175 } else { 105..135 }),
                rng.gen_range(60..100)
            ),
            format!("{}.{}", rng.gen_range(4..8), rng.gen_range(0..10)),
            rng.gen_range(10..120).to_string(),
            if hi { "C（要二次検査）" } else { "A" }.into(),
            if hi {
                "通常勤務（乗務前確認）"
            } else {
                "通常勤務"
            }
            .into(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::Utf8);
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        &format!("{HR}/health/kenshin_R{}.csv", TODAY.y - 2018 - 1),
        About::of("employee", &ids(&es)),
    )
}

/// Access-card list for the security vendor: 氏名 in romaji.
fn id_cards(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("氏名", Some("name")),
        col("Card ID", None),
        col("発行日", None),
        col("所属", None),
        col("入館権限", None),
    ]);
    for (i, e) in world.employees.iter().enumerate() {
        t.push(vec![
            romaji_name(e.p.surname_kana, e.p.given_kana),
            format!("HK{:06}", 31_000 + i * 7),
            short(e.hired),
            section(i).into(),
            ["本社・倉庫", "倉庫のみ", "本社のみ"][i % 3].into(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::Utf8Bom);
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        "総務/入退館/カード発行一覧.csv",
        About::of("employee", &ids(&es)),
    )
}

/// Retirees: last address with its 〒, mobile in full-width parentheses.
fn retirees(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    if world.former.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("氏名", Some("name")),
        col("退職日", None),
        col("退職時住所", Some("address")),
        col("連絡先（携帯）", Some("phone")),
        col("源泉徴収票", None),
    ]);
    for e in &world.former {
        let p = &e.p;
        t.push(vec![
            p.name(),
            e.left.map(short).unwrap_or_default(),
            format!("〒{} {}", p.loc.postal, p.address()),
            zparen(&p.mobile),
            "送付済".into(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    let es: Vec<&Employee> = world.former.iter().collect();
    s.write(
        w,
        &format!("{HR}/退職者/退職者_{}.csv", TODAY.y - 1),
        About::of("employee", &ids(&es)),
    )
}

/// My Number collection sheet: "MyNo" column, spaced 4-4-4, some not yet
/// handed in.
fn my_numbers(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("No", None),
        col("Name", Some("name")),
        col("MyNo", Some("my_number")),
        col("確認書類", None),
        col("受領", None),
    ]);
    let all: Vec<&Employee> = world.employees.iter().chain(world.former.iter()).collect();
    for (i, e) in all.iter().enumerate() {
        let n = &e.p.my_number;
        let late = i % 37 == 36;
        t.push(vec![
            (i + 1).to_string(),
            e.p.name(),
            if late {
                "未提出".into()
            } else {
                format!("{} {} {}", &n[..4], &n[4..8], &n[8..])
            },
            ["個人番号カード", "通知カード＋免許証"][i % 2].into(),
            if late { String::new() } else { "済".into() },
        ]);
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("{KEIRI}/年末調整/mn_collect_{}.csv", TODAY.y - 1),
        About::of("employee", &ids(&all)),
    )
}

/// Address-change mails saved as .txt: the employee's own message is the
/// quoted part (> ...) under 総務's reply and signature.
fn address_mails(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    for (k, e) in world
        .employees
        .iter()
        .skip(4)
        .step_by(29)
        .take(3)
        .enumerate()
    {
        let p = &e.p;
        let b = format!(
            "From: 総務課 <soumu@hikari-unyu.example.jp>\n\
             To: {mail}\n\
             Subject: Re: 住所変更のお願い\n\
             Date: {y}/{m:02}/{d:02} 10:{k}5\n\n\
             {sur}さん\n\n\
             お疲れさまです。総務です。\n\
             住所変更、承知しました。通勤手当は来月支給分から再計算します。\n\n\
             ------------------------------\n\
             {COMPANY} 総務課\n\
             {COMPANY_ADDR}\n\
             TEL {COMPANY_TEL}\n\
             ------------------------------\n\n\
             > 総務課 御中\n\
             >\n\
             > {sec}の{full}です。\n\
             > 先週末に引っ越しましたので届け出ます。\n\
             >\n\
             > 〒{postal}\n\
             > {addr}\n\
             >\n\
             > 携帯は変わらず {mob} です。\n\
             > よろしくお願いします。\n",
            mail = p.email,
            y = TODAY.y,
            m = TODAY.m - 1,
            d = 10 + k,
            sur = p.surname,
            full = p.name(),
            sec = section(k),
            postal = p.loc.postal,
            addr = p.address(),
            mob = bare(&p.mobile),
        );
        w.text(
            &format!("総務/mail/Re_住所変更のお願い_{}.txt", k + 1),
            &b,
            Format::Text {
                enc: Enc::Iso2022Jp,
                crlf: true,
            },
            &["name", "address", "phone", "email"],
            About::of("employee", &[p.id]),
        )?;
    }
    Ok(())
}

//! People outside the payroll: shareholders, the owners of rented lots
//! (couples co-owning one lot), partner carriers' drivers (傭車), household
//! moving customers, job-site applicants and seminar attendees.

use super::{bare, dob, short, zparen, Dob, COMPANY, COMPANY_FREE, COMPANY_TEL};
use crate::encodings::{col, text, Enc, Table};
use crate::held::Sheet;
use crate::persons::{Date, Person, TODAY};
use crate::truth::{About, Writer};
use crate::world::{Holder, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Subject ids of persons the world does not hold (a landlord's co-owning
/// spouse): far above any id the world's factory hands out.
const EXTRA_ID: usize = 1_000_000;

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    shareholders(w, world)?;
    lots(w, world)?;
    carriers(w, world, rng)?;
    moving(w, world, rng)?;
    moving_mails(w, world)?;
    applicants(w, world, rng)?;
    seminar(w, world)?;
    Ok(())
}

/// 株主名簿 from the transfer agent's download: 氏名又は名称, 〒 apart from
/// the address, holdings and the year-end dividend; companies and the
/// 従業員持株会 among persons; a few holders registered in romaji.
fn shareholders(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    if world.shareholders.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("株主番号", None),
        col("氏名又は名称", Some("name")),
        col("郵便番号", Some("address")),
        col("住所", Some("address")),
        col("持株数", Some("shareholding")),
        col("期末配当金", Some("dividend")),
    ]);
    let mut persons = Vec::new();
    for (i, s) in world.shareholders.iter().enumerate() {
        let (name, postal, addr) = match &s.holder {
            Holder::Person(p) => {
                persons.push(p.id);
                let name = if i % 9 == 4 {
                    super::staff::romaji_name(p.surname_kana, p.given_kana)
                } else {
                    p.name()
                };
                (name, p.loc.postal.clone(), p.address())
            }
            Holder::Company(n, _) => (
                n.to_string(),
                "100-0005".to_string(),
                "東京都千代田区丸の内一丁目1番1号".to_string(),
            ),
        };
        t.push(vec![
            s.no.clone(),
            name,
            postal,
            addr,
            s.shares.to_string(),
            (u64::from(s.shares) * 12).to_string(),
        ]);
    }
    t.push(vec![
        "00001".into(),
        "ひかり運輸従業員持株会".into(),
        "370-0044".into(),
        "群馬県高崎市岩押町12番7号".into(),
        "12000".into(),
        "144000".into(),
    ]);
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("IR/株主名簿_{}0331.csv", TODAY.y),
        About::of("shareholder", &persons),
    )
}

/// Lots and warehouses we rent: a couple co-owning a lot stands in one row
/// (貸主（夫）/ 貸主（妻）); the rent goes to an account under English headers.
fn lots(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    if world.landlords.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("物件", None),
        col("用途", None),
        col("月額賃料", None),
        col("貸主（夫）", Some("name")),
        col("貸主（妻）", Some("name")),
        col("〒", Some("address")),
        col("住所1", Some("address")),
        col("住所2", Some("address")),
        col("Bank", Some("bank_account")),
        col("Branch", Some("bank_account")),
        col("Type", Some("bank_account")),
        col("AcctNo", Some("bank_account")),
        col("更新", None),
    ]);
    let mut ids = Vec::new();
    for (i, l) in world.landlords.iter().enumerate() {
        let p = &l.p;
        ids.push(p.id);
        let (husband, wife) = match (&p.spouse, i % 2 == 0) {
            (Some(s), true) => {
                ids.push(EXTRA_ID + p.id);
                if p.female {
                    (s.name.clone(), p.name())
                } else {
                    (p.name(), s.name.clone())
                }
            }
            _ if p.female => (String::new(), p.name()),
            _ => (p.name(), String::new()),
        };
        let a = &p.account;
        t.push(vec![
            l.property.replace(l.kind, "").to_string() + ["倉庫", "駐車場"][i % 2],
            ["倉庫", "トラック駐車場"][i % 2].into(),
            l.rent.to_string(),
            husband,
            wife,
            p.loc.postal.clone(),
            format!(
                "{}{}{}{}",
                p.loc.prefecture, p.loc.municipality, p.loc.town, p.street
            ),
            p.building.clone().unwrap_or_default(),
            a.bank_name.clone(),
            a.branch_name.clone(),
            a.kind.into(),
            a.number.clone(),
            format!("毎年{}月", 4 + i % 6),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::Utf8Bom);
    s.title = vec![vec!["賃借物件一覧（倉庫・駐車場）".into()], vec![]];
    s.write(
        w,
        "総務/不動産/賃借物件一覧.csv",
        About::of("landlord", &ids),
    )
}

/// 傭車 (partner carriers') drivers, kept for the 安全書類: 運転者 rather
/// than 氏名, mobiles typed in full width.
fn carriers(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("協力会社名", None),
        col("運転者", Some("name")),
        col("生年月日", Some("birth_date")),
        col("携帯", Some("phone")),
        col("免許証番号", Some("drivers_license")),
        col("雇用保険番号", Some("insurance_number")),
        col("車番", None),
    ]);
    let mut ids = Vec::new();
    for (c, (company, crew)) in world.crews.iter().enumerate() {
        for (k, wk) in crew.iter().enumerate() {
            let p = &wk.p;
            ids.push(p.id);
            t.push(vec![
                company.replace("建設工業", "運送").replace("設備", "物流"),
                p.name(),
                dob(p.birth, Dob::OneKanjiDot),
                zparen(&p.mobile),
                wk.license.clone().unwrap_or_default(),
                wk.koyo.clone(),
                format!(
                    "群馬{}{}{:02}-{:02}",
                    100 + c,
                    ["あ", "い", "う", "え"][k % 4],
                    rng.gen_range(10..99),
                    rng.gen_range(10..99)
                ),
            ]);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        "運行管理/傭車/協力運送会社_運転者名簿.csv",
        About::of("contractor_staff", &ids),
    )
}

/// 引越受付台帳: the old and the new address each over four columns under a
/// two-row header (搬出元 / 搬入先), phones without hyphens.
fn moving(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.customers.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("受付No", None),
        col("お客様名", Some("name")),
        col("TEL", Some("phone")),
        col("都道府県", Some("address")),
        col("市区町村", Some("address")),
        col("番地", Some("address")),
        col("建物名", Some("address")),
        col("都道府県", Some("address")),
        col("市区町村", Some("address")),
        col("番地", Some("address")),
        col("建物名", Some("address")),
        col("見積日", None),
        col("作業日", None),
        col("見積額", None),
        col("プラン", None),
    ]);
    let n = world.customers.len();
    for (i, c) in world.customers.iter().enumerate() {
        let p = &c.p;
        let to = &world.customers[(i * 7 + 3) % n].p;
        let day = Date {
            y: TODAY.y,
            m: 1 + (i % 3) as u32,
            d: 1 + (i % 28) as u32,
        };
        t.push(vec![
            format!("H{}-{:04}", TODAY.y % 100, i + 1),
            p.name(),
            bare(if i % 2 == 0 { &p.mobile } else { &p.home_phone }),
            p.loc.prefecture.clone(),
            p.loc.municipality.clone(),
            format!("{}{}", p.loc.town, p.street),
            p.building.clone().unwrap_or_default(),
            to.loc.prefecture.clone(),
            to.loc.municipality.clone(),
            format!(
                "{}{}-{}",
                to.loc.town,
                rng.gen_range(1..6),
                rng.gen_range(1..30)
            ),
            if i % 3 == 0 {
                format!("パークハイツ{}号", rng.gen_range(101..510))
            } else {
                String::new()
            },
            short(day),
            short(Date {
                d: (day.d + 10).min(28),
                ..day
            }),
            (rng.gen_range(35..280) * 1000).to_string(),
            ["単身パック", "家族プラン", "おまかせプラン"][i % 3].into(),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    // Merged cells exported: a group label over its four columns, the
    // other labels in the first row only.
    let labels: Vec<String> = s.table.cols.iter().map(|c| c.header.clone()).collect();
    let (mut first, mut second) = (labels.clone(), vec![String::new(); labels.len()]);
    for k in 3..11 {
        first[k] = match k {
            3 => "搬出元".into(),
            7 => "搬入先".into(),
            _ => String::new(),
        };
        second[k].clone_from(&labels[k]);
    }
    s.headers = vec![first, second];
    let ids: Vec<usize> = world.customers.iter().map(|c| c.p.id).collect();
    s.write(
        w,
        &format!("引越事業部/受付台帳_{}Q1.csv", TODAY.y),
        About::of("customer", &ids),
    )
}

/// Saved replies to moving customers: the customer's message (with the new
/// address and a callback number) quoted under our answer.
fn moving_mails(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let picked: Vec<&Person> = world
        .customers
        .iter()
        .skip(5)
        .step_by(41)
        .take(5)
        .map(|c| &c.p)
        .collect();
    for (k, p) in picked.iter().enumerate() {
        let b = format!(
            "{name}様\n\n\
             このたびはお問い合わせいただき誠にありがとうございます。\n\
             {COMPANY} 引越事業部の小野でございます。\n\
             訪問お見積りの日程につきまして、下記のとおり承りました。\n\n\
             ・訪問日：{d}（土）10:00～\n\n\
             ご不明な点はフリーダイヤル {COMPANY_FREE}（9:00～18:00）までお気軽にどうぞ。\n\n\
             ====================\n{COMPANY} 引越事業部\nTEL {COMPANY_TEL}\n====================\n\n\
             -----Original Message-----\n\
             > 引越しの見積もりをお願いしたいです。\n\
             > 4月中旬に {from} から下記へ移ります（3LDK、夫婦と子供2人）。\n\
             > 新住所：{to}\n\
             > 日中は携帯 {mob} にお願いします。\n\
             > {name}\n",
            name = p.name(),
            d = short(Date {
                y: TODAY.y,
                m: TODAY.m,
                d: 5 + k as u32 * 3,
            }),
            from = p.loc.municipality,
            to = p.address(),
            mob = p.mobile,
        );
        w.text(
            &format!("引越事業部/見積依頼/{:02}_{}様.txt", k + 1, p.surname),
            &b,
            text(Enc::Utf8, false),
            &["name", "address", "phone", "family"],
            About::of("customer", &[p.id]),
        )?;
    }
    Ok(())
}

/// Driver-recruiting site export: English and romaji headers, age instead
/// of a birth date, the work history in one free-text cell.
fn applicants(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.applicants.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("Entry ID", None),
        col("Applied", None),
        col("Name", Some("name")),
        col("Furigana", Some("name")),
        col("Age", None),
        col("Gender", Some("gender")),
        col("Phone", Some("phone")),
        col("Email", Some("email")),
        col("職種", None),
        col("職務経歴", Some("resume")),
    ]);
    for (i, a) in world.applicants.iter().enumerate() {
        let p = &a.p;
        let history = if a.new_grad {
            format!(
                "{}{}在学中（{}年3月卒業見込）。アルバイト：{}",
                a.school,
                a.faculty,
                a.grad_year,
                ["コンビニ", "引越作業", "飲食店", "倉庫内軽作業"][i % 4]
            )
        } else {
            format!(
                "{}年～ {}にて{}（{}年）。中型免許、フォークリフト",
                TODAY.y - rng.gen_range(3..12),
                ["運送会社", "食品卸", "建設会社", "タクシー会社"][i % 4],
                ["ルート配送", "倉庫管理", "現場作業", "乗務員"][i % 4],
                rng.gen_range(2..9)
            )
        };
        t.push(vec![
            format!("D{}{:05}", TODAY.y % 100, 301 + i * 3),
            format!(
                "{}/{}/{} {}:{:02}",
                TODAY.y,
                1 + i % 3,
                1 + i % 28,
                8 + i % 12,
                i % 60
            ),
            p.name(),
            p.hiragana(),
            p.age().to_string(),
            if p.female { "女性" } else { "男性" }.into(),
            bare(&p.mobile),
            p.email.clone(),
            if a.new_grad {
                "総合職（新卒）"
            } else {
                "ドライバー"
            }
            .into(),
            history,
        ]);
    }
    let s = Sheet::new(t, ',', Enc::Utf8);
    let ids: Vec<usize> = world.applicants.iter().map(|a| a.p.id).collect();
    s.write(
        w,
        &format!("採用{}/entry_export_{}0331.csv", TODAY.y, TODAY.y),
        About::of("applicant", &ids),
    )
}

/// 会社説明会 受付名簿: attendees (new-grad applicants and others).
fn seminar(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let people: Vec<_> = world
        .applicants
        .iter()
        .filter(|a| a.new_grad)
        .chain(world.attendees_only.iter())
        .collect();
    if people.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("受付", None),
        col("お名前", Some("name")),
        col("学校名", None),
        col("学年", None),
        col("連絡用メール", Some("email")),
        col("参加回", None),
    ]);
    for (i, a) in people.iter().enumerate() {
        t.push(vec![
            (i + 1).to_string(),
            a.p.name_tight(),
            a.school.into(),
            ["4年", "M2", "3年"][i % 3].into(),
            a.p.email.clone(),
            ["第1回（2/10）", "第2回（2/24）", "第3回（3/3）"][i % 3].into(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::Utf8Bom);
    let ids: Vec<usize> = people.iter().map(|a| a.p.id).collect();
    s.write(
        w,
        &format!("採用{}/説明会/受付名簿.csv", TODAY.y),
        About::of("applicant", &ids),
    )
}

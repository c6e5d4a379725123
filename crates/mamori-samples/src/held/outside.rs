//! People outside the staff: shareholders, landlords, partner companies'
//! site workers and private customers, as the held-out office files them.

use super::staff::bank_cell;
use super::{bday, plain, row1, strs, tel, Bd, Sheet, COMPANY, COMPANY_ADDR, COMPANY_TEL};
use crate::encodings::{col, text, Enc, Table};
use crate::persons::{Date, TODAY};
use crate::truth::{About, Writer};
use crate::world::{Customer, Holder, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    super::recruit::write(w, world, rng)?;
    register(w, world)?;
    dividends(w, world)?;
    landlords(w, world, rng)?;
    landlord_mail(w, world)?;
    crews(w, world, rng)?;
    customers(w, world, rng)?;
    inquiries(w, world)?;
    card_slips(w, world, rng)?;
    Ok(())
}

/// Yen with thousands separators: 1,200.
fn yen(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const KABU: &str = "06_株主総会";

/// 株主名簿 with 法人 holders and an employee shareholding association mixed
/// in; 持株数 with separators; a totals row.
fn register(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    if world.shareholders.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("株主No", None),
        col("区分", None),
        col("株主の氏名又は名称", Some("name")),
        col("郵便番号", Some("address")),
        col("住所又は所在地", Some("address")),
        col("持株数", Some("shareholding")),
        col("議決権数", Some("shareholding")),
        col("名義書換日", None),
    ]);
    let mut ids = Vec::new();
    let mut total = 0u64;
    for s in &world.shareholders {
        total += u64::from(s.shares);
        match &s.holder {
            Holder::Person(p) => {
                ids.push(p.id);
                t.push(vec![
                    s.no.clone(),
                    "個人".into(),
                    p.name(),
                    format!("〒{}", p.loc.postal),
                    p.address(),
                    yen(u64::from(s.shares)),
                    (s.shares / 100).to_string(),
                    plain(s.since),
                ]);
            }
            Holder::Company(name, _) => t.push(vec![
                s.no.clone(),
                "法人".into(),
                name.to_string(),
                "〒105-0011".into(),
                "東京都港区芝公園二丁目4番1号".into(),
                yen(u64::from(s.shares)),
                (s.shares / 100).to_string(),
                plain(s.since),
            ]),
        }
    }
    // The employee shareholding association: a 法人格なき社団, not a person.
    let assoc = 4_800u64;
    total += assoc;
    t.push(strs(&[
        "00002",
        "その他",
        "みどり設備従業員持株会",
        "〒330-0063",
        "埼玉県さいたま市浦和区高砂3丁目12番9号",
        &yen(assoc),
        "48",
        "2010/4/1",
    ]));
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![
        row1(&format!("株主名簿　{}年3月31日現在", TODAY.y)),
        row1(&format!("{COMPANY}　発行済株式総数 {}株", yen(total))),
        vec![],
    ];
    s.footer = vec![strs(&[
        "",
        "",
        "合計",
        "",
        "",
        &yen(total),
        &(total / 100).to_string(),
        "",
    ])];
    s.write(
        w,
        &format!("{KABU}/株主名簿_{}03.csv", TODAY.y),
        About::of("shareholder", &ids),
    )
}

fn dividends(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    if world.shareholders.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("株主名", Some("name")),
        col("所有株数", Some("shareholding")),
        col("配当金額", Some("dividend")),
        col("源泉所得税", Some("dividend")),
        col("差引支払額", Some("dividend")),
        col("受取方法", Some("bank_account")),
    ]);
    let mut ids = Vec::new();
    for (i, s) in world.shareholders.iter().enumerate() {
        let gross = u64::from(s.shares) * 20;
        let (name, how) = match &s.holder {
            Holder::Person(p) => {
                ids.push(p.id);
                let how = if i % 4 == 3 {
                    "配当金領収証（郵便局払）".to_string()
                } else {
                    format!("口座振込：{}", bank_cell(p))
                };
                (format!("{} 様", p.name()), how)
            }
            Holder::Company(n, _) => (format!("{n} 御中"), "口座振込：登録口座".to_string()),
        };
        let tax = gross * 20_315 / 100_000;
        t.push(vec![
            name,
            yen(u64::from(s.shares)),
            format!("{}円", yen(gross)),
            format!("{}円", yen(tax)),
            format!("{}円", yen(gross - tax)),
            how,
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::Utf8Bom);
    s.quote_all = true;
    s.title = vec![row1("第47期 期末配当金 計算書（1株につき20円）"), vec![]];
    s.write(
        w,
        &format!("{KABU}/第47期_配当計算.csv"),
        About::of("shareholder", &ids),
    )
}

const CHINTAI: &str = "01_総務/賃貸借";

/// Landlords, with the property's location beside the lessor's address,
/// contract dates, and one 法人 landlord.
fn landlords(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.landlords.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("物件名", None),
        col("物件所在地", None),
        col("用途", None),
        col("賃貸人", Some("name")),
        col("賃貸人住所", Some("address")),
        col("TEL", Some("phone")),
        col("月額(税込)", None),
        col("契約日", None),
        col("次回更新", None),
        col("支払先", Some("bank_account")),
    ]);
    for (i, l) in world.landlords.iter().enumerate() {
        let p = &l.p;
        let signed = Date::random_between(rng, 2008, TODAY.y - 1);
        t.push(vec![
            l.property.clone(),
            format!("{}{}{}", p.loc.prefecture, p.loc.municipality, p.loc.town),
            l.kind.into(),
            p.name(),
            format!("〒{} {}", p.loc.postal, p.address()),
            tel(if i % 2 == 0 { &p.home_phone } else { &p.mobile }, i),
            yen(u64::from(l.rent)),
            plain(signed),
            format!("{}/{}", TODAY.y + 1, signed.m),
            bank_cell(p),
        ]);
    }
    t.push(strs(&[
        "浦和第二倉庫",
        "埼玉県さいたま市南区別所",
        "倉庫",
        "有限会社さくら不動産",
        "〒336-0021 埼玉県さいたま市南区別所7丁目2番1号",
        "048-865-3301",
        "220,000",
        "2015/6/1",
        &format!("{}/6", TODAY.y + 1),
        "埼玉りそな銀行 浦和中央支店 当座 0012345",
    ]));
    let ids: Vec<usize> = world.landlords.iter().map(|l| l.p.id).collect();
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![row1("賃借物件一覧（地主・家主）"), vec![]];
    s.write(
        w,
        &format!("{CHINTAI}/賃借物件一覧.csv"),
        About::of("landlord", &ids),
    )
}

fn landlord_mail(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let Some(l) = world
        .landlords
        .iter()
        .find(|l| l.kind == "資材置場")
        .or(world.landlords.first())
    else {
        return Ok(());
    };
    let b = format!(
        "From: 総務課 <soumu@midori-setsubi.example.jp>\nTo: 工務部 各位\nSubject: Re: 資材置場の賃料改定の件\n\n\
         お疲れさまです。総務課です。\n\n{}の件、家主の{}さんから昨日お電話がありました。\n\
         固定資産税が上がったので、来期から月{}円にしたいとのことです。\n\
         ご本人の携帯（{}）に今週中に折り返すことになっています。\n\n\
         --\n{COMPANY} 総務課\n{COMPANY_ADDR}\nTEL {COMPANY_TEL}\n",
        l.property,
        l.p.name_tight(),
        yen(u64::from(l.rent) + 5000),
        tel(&l.p.mobile, 2),
    );
    w.text(
        &format!("{CHINTAI}/メール保存/Re_資材置場の賃料改定の件.eml"),
        &b,
        text(Enc::Iso2022Jp, true),
        &["name", "phone"],
        About::of("landlord", &[l.p.id]),
    )
}

/// 作業員名簿 with a title block and a two-row header, TSV.
fn crews(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    for (k, (company, crew)) in world.crews.iter().enumerate() {
        if crew.is_empty() {
            continue;
        }
        let mut t = Table::new(vec![
            col("番号", None),
            col("氏名", Some("name")),
            col("", Some("name")),
            col("生年月日", Some("birth_date")),
            col("年齢", None),
            col("現住所", Some("address")),
            col("電話", Some("phone")),
            col("家族連絡先", Some("emergency_contact")),
            col("", Some("emergency_contact")),
            col("血液型", Some("blood_type")),
            col("健康診断", Some("health")),
            col("", None),
            col("社会保険", Some("insurance_number")),
            col("免許", Some("drivers_license")),
        ]);
        for (i, wk) in crew.iter().enumerate() {
            let p = &wk.p;
            let bf = [Bd::EraDotPadded, Bd::EraPadded][k % 2];
            t.push(vec![
                (i + 1).to_string(),
                p.name(),
                p.hiragana(),
                bday(p.birth, bf),
                p.age().to_string(),
                p.address(),
                tel(&p.mobile, i),
                format!("{}・{}", p.emergency.name, p.emergency.relation),
                tel(&p.emergency.phone, i + 1),
                format!("{}型 Rh{}", p.blood, if i % 9 == 8 { "－" } else { "＋" }),
                format!("{}/{}", wk.bp.0, wk.bp.1),
                plain(wk.checkup),
                format!("雇用 {}", wk.koyo),
                wk.license
                    .as_ref()
                    .map(|l| format!("普通 第{l}号"))
                    .unwrap_or_default(),
            ]);
        }
        let mut s = Sheet::new(t, '\t', [Enc::ShiftJis, Enc::Utf8, Enc::Utf16LeBom][k % 3]);
        s.title = vec![
            row1("作業員名簿"),
            strs(&["事業所名", company, "", "元請", COMPANY]),
            strs(&[
                "提出日",
                &plain(Date {
                    y: TODAY.y,
                    m: 3,
                    d: rng.gen_range(1..29),
                }),
            ]),
            vec![],
        ];
        s.headers = vec![
            strs(&[
                "番号",
                "氏名",
                "",
                "生年月日",
                "年齢",
                "現住所",
                "電話",
                "家族連絡先",
                "",
                "血液型",
                "健康診断",
                "",
                "社会保険",
                "免許",
            ]),
            strs(&[
                "",
                "(漢字)",
                "(ふりがな)",
                "",
                "",
                "",
                "",
                "氏名・続柄",
                "電話",
                "",
                "血圧",
                "受診日",
                "雇用保険番号",
                "運転免許証",
            ]),
        ];
        s.footer = vec![vec![], row1("※元請確認欄　確認者：　　　　　　　確認日：")];
        let ids: Vec<usize> = crew.iter().map(|wk| wk.p.id).collect();
        let short = company.replace("株式会社", "").replace("有限会社", "");
        s.write(
            w,
            &format!("07_工務/安全書類/{short}/作業員名簿.txt"),
            About::of("contractor_staff", &ids),
        )?;
    }
    Ok(())
}

const EIGYO: &str = "04_営業";

/// 顧客台帳 with 様 on every name, half-width ﾌﾘｶﾞﾅ and a 担当 column of
/// staff surnames.
fn customers(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.customers.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("お客様No", None),
        col("ご芳名", Some("name")),
        col("ﾌﾘｶﾞﾅ", Some("name")),
        col("〒", Some("address")),
        col("ご住所", Some("address")),
        col("建物名・部屋番号", Some("address")),
        col("TEL", Some("phone")),
        col("初回来店", None),
        col("担当", None),
        col("メモ", None),
    ]);
    let staff: Vec<&str> = world
        .employees
        .iter()
        .take(6)
        .map(|e| e.p.surname)
        .collect();
    for (i, c) in world.customers.iter().enumerate() {
        let p = &c.p;
        let phone = if rng.gen_bool(0.5) {
            &p.home_phone
        } else {
            &p.mobile
        };
        t.push(vec![
            c.no.clone(),
            format!("{} 様", p.name()),
            p.holder_kana(),
            p.loc.postal.clone(),
            format!(
                "{}{}{}{}",
                p.loc.prefecture, p.loc.municipality, p.loc.town, p.street
            ),
            p.building.clone().unwrap_or_default(),
            tel(phone, i),
            plain(c.since),
            staff
                .get(i % staff.len().max(1))
                .copied()
                .unwrap_or("")
                .into(),
            ["", "エアコン2台設置", "給湯器交換, 10年保証", "", "DM不要"][i % 5].into(),
        ]);
    }
    let ids: Vec<usize> = world.customers.iter().map(|c| c.p.id).collect();
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![row1("顧客台帳（個人のお客様）"), vec![]];
    s.write(
        w,
        &format!("{EIGYO}/顧客台帳_個人.csv"),
        About::of("customer", &ids),
    )
}

/// Phone-inquiry log in prose: お客様の〇〇様より…
fn inquiries(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let picked: Vec<&Customer> = world.customers.iter().skip(3).step_by(17).take(6).collect();
    if picked.is_empty() {
        return Ok(());
    }
    let mut b = format!("お問い合わせ記録（{}年{}月）\n\n", TODAY.y, TODAY.m - 1);
    let what = [
        "キッチンの水漏れ修理",
        "エアコン取付の見積",
        "浴室換気扇の交換",
        "給湯器の点検",
    ];
    for (k, c) in picked.iter().enumerate() {
        let p = &c.p;
        b.push_str(&format!(
            "■{}/{} お客様の{}様より電話。ご自宅（{}）の{}について。折り返しは{}まで。\n",
            TODAY.m - 1,
            3 + k * 4,
            p.name_tight(),
            p.address(),
            what[k % what.len()],
            tel(&p.mobile, k)
        ));
    }
    b.push_str("\n※対応済みのものは営業日報へ転記すること。\n");
    let ids: Vec<usize> = picked.iter().map(|c| c.p.id).collect();
    w.text(
        &format!(
            "{EIGYO}/問合せ/問合せ記録_{}{:02}.txt",
            TODAY.y,
            TODAY.m - 1
        ),
        &b,
        text(Enc::ShiftJis, true),
        &["name", "address", "phone"],
        About::of("customer", &ids),
    )
}

/// Card payment slips: holder names in romaji capitals, card numbers.
fn card_slips(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let shop: Vec<&Customer> = world
        .customers
        .iter()
        .filter(|c| c.card.is_some())
        .collect();
    if shop.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("伝票No", None),
        col("利用日", None),
        col("カード名義", Some("name")),
        col("カード番号", Some("credit_card")),
        col("有効期限", Some("credit_card")),
        col("金額", None),
        col("承認番号", None),
    ]);
    for (i, c) in shop.iter().enumerate() {
        let card = c.card.clone().unwrap_or_default();
        let shown = if i % 3 == 0 {
            card.as_bytes()
                .chunks(4)
                .map(|ch| String::from_utf8_lossy(ch).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            card
        };
        let holder = format!(
            "{} {}",
            crate::names::romaji(c.p.given_kana).to_uppercase(),
            crate::names::romaji(c.p.surname_kana).to_uppercase()
        );
        t.push(vec![
            format!("{:06}", 300_000 + i * 11),
            plain(Date {
                y: TODAY.y,
                m: 3,
                d: 1 + (i % 28) as u32,
            }),
            holder,
            shown,
            format!("{:02}/{:02}", rng.gen_range(1..13), rng.gen_range(26..31)),
            yen(rng.gen_range(30..900) * 100),
            format!("{:07}", rng.gen_range(0..10_000_000)),
        ]);
    }
    let ids: Vec<usize> = shop.iter().map(|c| c.p.id).collect();
    let s = Sheet::new(t, ',', Enc::Utf8);
    s.write(
        w,
        &format!("{EIGYO}/カード決済/売上票控え_{}03.csv", TODAY.y),
        About::of("customer", &ids),
    )
}

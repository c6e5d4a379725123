//! Files about people outside the staff: the 信託銀行's 株主名簿 export,
//! the 派遣先管理台帳 and the daily 衛生チェック表 of 派遣 staff, leased
//! properties, 求人媒体 / 新卒ナビ exports and a factory-tour list, the EC
//! cart's member export, printed 定期便 申込書 and a customer questionnaire.

use super::{quoted, slash, zenkaku, COMPANY, COMPANY_ADDR, COMPANY_TEL};
use crate::encodings::{col, text, Enc, Table};
use crate::held::Sheet;
use crate::persons::{fullwidth_digits, Person, TODAY};
use crate::truth::{About, Writer};
use crate::world::{Holder, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Staffing agencies the factory takes 派遣 workers from.
const AGENCIES: &[&str] = &[
    "ワークスタッフ信州株式会社",
    "株式会社アルプス人材サービス",
    "上田テンプ株式会社",
    "株式会社ながのキャリア",
    "千曲マンパワー株式会社",
];

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    shareholders(w, world)?;
    dispatch(w, world)?;
    hygiene(w, world, rng)?;
    leases(w, world)?;
    job_board(w, world, rng)?;
    navi(w, world)?;
    tour(w, world)?;
    members(w, world, rng)?;
    order_forms(w, world)?;
    survey(w, world, rng)?;
    Ok(())
}

/// 株主名簿 from the 信託銀行's 証券代行 (レコード区分 H/D/T, every cell
/// quoted, full-width digits in addresses, half-width kana names).
fn shareholders(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    if world.shareholders.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("レコード区分", None),
        col("株主番号", None),
        col("株主氏名", Some("name")),
        col("株主カナ氏名", Some("name")),
        col("郵便番号", Some("address")),
        col("住所", Some("address")),
        col("所有株式数", Some("shareholding")),
        col("議決権個数", None),
        col("期末配当金額", Some("dividend")),
        col("源泉徴収税額", None),
        col("配当金受取方法", None),
        col("金融機関名", Some("bank_account")),
        col("支店名", Some("bank_account")),
        col("預金種目", Some("bank_account")),
        col("口座番号", Some("bank_account")),
    ]);
    let mut persons = Vec::new();
    let mut total = 0u64;
    let mut rows = 0usize;
    for (k, s) in world.shareholders.iter().enumerate() {
        let dividend = u64::from(s.shares) * 8;
        total += u64::from(s.shares);
        rows += 1;
        let tax = dividend * 20315 / 100_000;
        let mut row = vec!["D".to_string(), s.no.clone()];
        match &s.holder {
            Holder::Person(p) => {
                persons.push(p.id);
                let how = ["口座振込", "配当金領収証", "株式数比例配分方式"][k % 3];
                let a = &p.account;
                row.extend([
                    format!("{}　{}", p.surname, p.given),
                    p.holder_kana(),
                    p.loc.postal.clone(),
                    zenkaku(&p.address()),
                    s.shares.to_string(),
                    (s.shares / 100).to_string(),
                    dividend.to_string(),
                    tax.to_string(),
                    how.into(),
                ]);
                if how == "口座振込" && a.yucho.is_none() {
                    row.extend([
                        a.bank_name.clone(),
                        a.branch_name.clone(),
                        a.kind.to_string(),
                        a.number.clone(),
                    ]);
                } else {
                    row.extend([String::new(), String::new(), String::new(), String::new()]);
                }
            }
            Holder::Company(name, _) => row.extend([
                name.to_string(),
                String::new(),
                "100-0005".into(),
                "東京都千代田区丸の内１丁目４番５号".into(),
                s.shares.to_string(),
                (s.shares / 100).to_string(),
                dividend.to_string(),
                "0".into(),
                "口座振込".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]),
        }
        t.push(row);
    }
    // The employee shareholding association: a 持株会, not a person.
    t.push(vec![
        "D".into(),
        "00001".into(),
        "やまびこ食品従業員持株会".into(),
        "ﾔﾏﾋﾞｺｼｮｸﾋﾝｼﾞｭｳｷﾞｮｳｲﾝﾓﾁｶﾌﾞｶｲ".into(),
        "386-0002".into(),
        "長野県上田市住吉１０４５番地".into(),
        "41200".into(),
        "412".into(),
        "329600".into(),
        "0".into(),
        "口座振込".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.quote_all = true;
    s.title = vec![vec![
        "H".into(),
        "株主名簿".into(),
        format!("{}/03/31", TODAY.y),
        "みずなみ信託銀行 証券代行部".into(),
        COMPANY.into(),
    ]];
    s.footer = vec![vec![
        "T".into(),
        (rows + 1).to_string(),
        (total + 41_200).to_string(),
    ]];
    s.write(
        w,
        &format!("総務/株式/株主名簿_{}0331現在_証券代行.csv", TODAY.y),
        About::of("shareholder", &persons),
    )
}

fn agency(c: usize) -> &'static str {
    AGENCIES[c % AGENCIES.len()]
}

/// 派遣先管理台帳: what the 派遣法 asks of the client; 年齢区分 and the
/// insurance status (有/無), no numbers.
fn dispatch(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("派遣元事業主", None),
        col("派遣労働者氏名", Some("name")),
        col("性別", Some("gender")),
        col("年齢区分", None),
        col("無期雇用/有期雇用", None),
        col("協定対象", None),
        col("健康保険", None),
        col("厚生年金", None),
        col("雇用保険", None),
        col("派遣期間", None),
        col("業務内容", None),
        col("責任の程度", None),
    ]);
    let mut ids = Vec::new();
    for (c, (_, crew)) in world.crews.iter().enumerate() {
        for (k, wk) in crew.iter().enumerate() {
            let p = &wk.p;
            ids.push(p.id);
            let age = p.age();
            t.push(vec![
                agency(c).into(),
                p.name(),
                p.gender().into(),
                if age >= 60 {
                    "60歳以上"
                } else if age >= 45 {
                    "45歳以上60歳未満"
                } else {
                    "45歳未満"
                }
                .into(),
                if k % 4 == 0 {
                    "無期雇用"
                } else {
                    "有期雇用"
                }
                .into(),
                "協定対象派遣労働者".into(),
                "有".into(),
                "有".into(),
                "有".into(),
                format!("{}/04/01～{}/03/31", TODAY.y - 1, TODAY.y),
                ["製造補助（計量・充填）", "包装・箱詰め", "ピッキング"][k % 3].into(),
                "役職なし".into(),
            ]);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("製造部/派遣/派遣先管理台帳_{}年度.csv", TODAY.y - 1),
        About::of("contractor_staff", &ids),
    )
}

/// The daily 衛生チェック表 of 派遣 staff entering the food area: 体温,
/// 下痢・嘔吐, 手指の傷 (food-hygiene rules), checked by a supervisor.
fn hygiene(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("日付", None),
        col("派遣元", None),
        col("氏名", Some("name")),
        col("体温", Some("health")),
        col("下痢・嘔吐", Some("health")),
        col("発熱・咳", Some("health")),
        col("手指の傷", Some("health")),
        col("判定", Some("health")),
        col("確認者", None),
    ]);
    let mut ids = Vec::new();
    for d in [3u32, 4, 5, 6, 7] {
        for (c, (_, crew)) in world.crews.iter().enumerate() {
            for (k, wk) in crew.iter().enumerate() {
                if d == 3 {
                    ids.push(wk.p.id);
                }
                let cut = (d as usize + k * 3) % 29 == 0;
                t.push(vec![
                    format!("3/{d}"),
                    agency(c).into(),
                    wk.p.name(),
                    format!("36.{}", rng.gen_range(0..9)),
                    "無".into(),
                    "無".into(),
                    if cut { "有（絆創膏）" } else { "無" }.into(),
                    if cut { "可（手袋着用）" } else { "可" }.into(),
                    ["中川", "石田"][c % 2].into(),
                ]);
            }
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    let records = t.rows.len() as u64;
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![
        vec![format!(
            "衛生チェック表（派遣スタッフ）　{}年3月第1週",
            TODAY.y
        )],
        vec!["※入場前に記入。異常がある場合は製造課長に報告すること。".into()],
    ];
    s.write(
        w,
        &format!("製造部/派遣/衛生チェック表_派遣_{}03_1週.csv", TODAY.y),
        About {
            category: Some("contractor_staff"),
            persons: &ids,
            records,
        },
    )
}

/// Leased properties (社宅, 駐車場, 倉庫) with their owners.
fn leases(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    if world.landlords.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("物件名", None),
        col("物件所在地", None),
        col("種別", None),
        col("貸主氏名", Some("name")),
        col("貸主住所", Some("address")),
        col("貸主連絡先", Some("phone")),
        col("月額賃料", None),
        col("振込先", Some("bank_account")),
        col("契約更新日", None),
    ]);
    let mut ids = Vec::new();
    for (k, l) in world.landlords.iter().enumerate() {
        let p = &l.p;
        ids.push(p.id);
        let a = &p.account;
        let pay = match &a.yucho {
            Some((kigo, bango)) => format!("ゆうちょ銀行 記号{kigo} 番号{bango}"),
            None => format!("{} {} {} {}", a.bank_name, a.branch_name, a.kind, a.number),
        };
        t.push(vec![
            l.property.clone(),
            format!("{}{}{}", p.loc.prefecture, p.loc.municipality, p.loc.town),
            l.kind.into(),
            p.name(),
            format!("〒{} {}", p.loc.postal, p.address()),
            if k % 2 == 0 {
                p.home_phone.clone()
            } else {
                p.mobile.clone()
            },
            format!("{}", l.rent),
            pay,
            format!("{}/{:02}/01", TODAY.y + (k % 2) as i32, 1 + k % 12),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("総務/賃貸借/賃借物件一覧_{}.csv", TODAY.y),
        About::of("landlord", &ids),
    )
}

/// The job board's applicant export (パート and 中途), UTF-8 without BOM.
fn job_board(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("応募ID", None),
        col("応募日時", None),
        col("求人タイトル", None),
        col("氏名", Some("name")),
        col("ふりがな", Some("name")),
        col("年齢", None),
        col("性別", Some("gender")),
        col("電話番号", Some("phone")),
        col("メールアドレス", Some("email")),
        col("住所", Some("address")),
        col("職歴", Some("resume")),
        col("自己PR", Some("resume")),
        col("選考ステータス", None),
    ]);
    let mut ids = Vec::new();
    for (k, a) in world.applicants.iter().filter(|a| !a.new_grad).enumerate() {
        let p = &a.p;
        ids.push(p.id);
        let m = 1 + k as u32 % 3;
        t.push(vec![
            format!("{}", 80_412_000 + k * 37),
            format!(
                "{}-{m:02}-{:02} {:02}:{:02}:{:02}",
                TODAY.y,
                1 + k % 28,
                rng.gen_range(7..24),
                rng.gen_range(0..60),
                rng.gen_range(0..60)
            ),
            [
                "【上田工場】みそ製造スタッフ（パート）",
                "【正社員】品質管理",
                "【契約社員】倉庫内作業",
            ][k % 3]
                .into(),
            p.name(),
            p.hiragana(),
            p.age().to_string(),
            if p.female { "女性" } else { "男性" }.into(),
            p.mobile.clone(),
            p.email.clone(),
            p.address(),
            [
                "スーパーの惣菜部門で5年勤務（パート）",
                "食品工場でのライン作業 3年、その後 物流倉庫でフォークリフト作業 2年",
                "一般事務 4年（建設会社）",
                "飲食店ホールスタッフ、調理補助",
            ][k % 4]
                .into(),
            [
                "子育てが落ち着いたので、扶養内で長く働きたいです。",
                "フォークリフト免許あり。体力には自信があります。",
                "HACCPの研修を受けたことがあります。",
                "",
            ][k % 4]
                .into(),
            ["書類選考中", "面接日程調整中", "不採用", "採用"][k % 4].into(),
        ]);
    }
    if ids.is_empty() {
        return Ok(());
    }
    let s = Sheet::new(t, ',', Enc::Utf8);
    s.write(
        w,
        &format!(
            "総務/採用/求人媒体/applicants_export_{}{:02}.csv",
            TODAY.y, TODAY.m
        ),
        About::of("applicant", &ids),
    )
}

/// The 新卒ナビ entry export: 氏名（漢字）/（カナ）, 現住所 and 休暇中住所.
fn navi(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("受付番号", None),
        col("氏名（漢字）", Some("name")),
        col("氏名（カナ）", Some("name")),
        col("性別", Some("gender")),
        col("生年月日", Some("birth_date")),
        col("学校名", None),
        col("学部名", None),
        col("卒業予定年月", None),
        col("現住所〒", Some("address")),
        col("現住所", Some("address")),
        col("携帯TEL", Some("phone")),
        col("E-mail", Some("email")),
        col("休暇中住所", Some("address")),
        col("エントリー日", None),
    ]);
    let mut ids = Vec::new();
    for (k, a) in world.applicants.iter().filter(|a| a.new_grad).enumerate() {
        let p = &a.p;
        ids.push(p.id);
        t.push(vec![
            format!("N{:07}", 2_600_100 + k * 3),
            p.name(),
            p.kana(),
            p.gender().into(),
            slash(p.birth),
            a.school.into(),
            a.faculty.into(),
            format!("{}年3月", TODAY.y + 1),
            p.loc.postal.clone(),
            p.address(),
            p.mobile.clone(),
            p.email.clone(),
            if k % 3 == 0 {
                format!(
                    "長野県上田市常田{}丁目{}番{}号",
                    1 + k % 3,
                    2 + k % 20,
                    1 + k % 9
                )
            } else {
                String::new()
            },
            format!("{}/03/{:02}", TODAY.y, 1 + k % 28),
        ]);
    }
    if ids.is_empty() {
        return Ok(());
    }
    let s = Sheet::new(t, ',', Enc::Utf8Bom);
    s.write(
        w,
        &format!("総務/採用/{}新卒/エントリー一覧_ナビ.csv", TODAY.y + 1),
        About::of("applicant", &ids),
    )
}

/// 工場見学会 participants (students who never applied, and a few who did).
fn tour(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("No", None),
        col("氏名", Some("name")),
        col("ふりがな", Some("name")),
        col("大学名", None),
        col("学部", None),
        col("学年", None),
        col("メールアドレス", Some("email")),
        col("参加日", None),
        col("感想", None),
    ]);
    let who: Vec<_> = world
        .attendees_only
        .iter()
        .chain(world.applicants.iter().filter(|a| a.new_grad).take(10))
        .collect();
    if who.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::new();
    for (k, a) in who.iter().enumerate() {
        ids.push(a.p.id);
        t.push(vec![
            (k + 1).to_string(),
            a.p.name(),
            a.p.hiragana(),
            a.school.into(),
            a.faculty.into(),
            "3年".into(),
            a.p.email.clone(),
            format!("{}/03/{}", TODAY.y, [15, 22][k % 2]),
            [
                "発酵のお話が面白かったです。",
                "衛生管理の徹底ぶりに驚きました。",
                "社員の方の雰囲気が良かった。",
            ][k % 3]
                .into(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("総務/採用/{}新卒/工場見学会_参加者.csv", TODAY.y + 1),
        About::of("applicant", &ids),
    )
}

/// The EC cart's member export: split name and address, 性別 as a code,
/// an optional allergy field.
fn members(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("会員ID", None),
        col("姓", Some("name")),
        col("名", Some("name")),
        col("セイ", Some("name")),
        col("メイ", Some("name")),
        col("郵便番号", Some("address")),
        col("都道府県", Some("address")),
        col("住所1", Some("address")),
        col("住所2", Some("address")),
        col("電話番号", Some("phone")),
        col("メールアドレス", Some("email")),
        col("生年月日", Some("birth_date")),
        col("性別(1:男性 2:女性)", Some("gender")),
        col("メルマガ", None),
        col("会員ランク", None),
        col("累計購入金額", None),
        col("最終購入日", None),
        col("アレルギー情報(任意)", Some("health")),
    ]);
    let mut ids = Vec::new();
    for (k, c) in world.customers.iter().enumerate() {
        let p = &c.p;
        ids.push(p.id);
        t.push(vec![
            format!("{}", 100_000 + k * 13),
            p.surname.into(),
            p.given.into(),
            p.surname_kana.into(),
            p.given_kana.into(),
            p.loc.postal.replace('-', ""),
            p.loc.prefecture.clone(),
            format!("{}{}{}", p.loc.municipality, p.loc.town, p.street),
            p.building.clone().unwrap_or_default(),
            if k % 2 == 0 {
                p.mobile.clone()
            } else {
                p.home_phone.clone()
            },
            p.email.clone(),
            if k % 2 == 1 {
                slash(p.birth)
            } else {
                String::new()
            },
            if p.female { "2" } else { "1" }.into(),
            if k % 3 != 0 { "1" } else { "0" }.into(),
            ["レギュラー", "シルバー", "ゴールド"][k % 3].into(),
            (rng.gen_range(3..300) * 1000).to_string(),
            format!(
                "{}/{:02}/{:02}",
                TODAY.y - (k % 2) as i32,
                1 + k % 12,
                1 + k % 28
            ),
            match k % 9 {
                2 => "卵".into(),
                5 => "小麦・そば".into(),
                7 => "大豆（軽度）".into(),
                _ => String::new(),
            },
        ]);
    }
    if ids.is_empty() {
        return Ok(());
    }
    quoted(
        w,
        &format!(
            "営業/通販/会員データ_export_{}{:02}{:02}.csv",
            TODAY.y, TODAY.m, TODAY.d
        ),
        &t,
        Enc::ShiftJis,
        About::of("customer", &ids),
    )
}

/// 定期お届け便 申込書 printed to text: ①②… labels, values aligned with
/// full-width spaces, the company's block at the foot.
fn order_forms(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    for (k, c) in world
        .customers
        .iter()
        .skip(3)
        .step_by(61)
        .take(6)
        .enumerate()
    {
        let p: &Person = &c.p;
        let fam = ["夫婦と子供2人", "夫婦のみ", "本人と母の2人"][k % 3];
        let allergy = k % 2 == 0;
        let name = format!("{}　{}", p.surname, p.given);
        let b = format!(
            "　　　　　やまびこ食品　定期お届け便　お申込書\n\n\
             受付日：{y}年{m}月{d}日　　受付番号：T{no:06}\n\n\
             ■お申込者様\n\
             ①お名前　　　　{name}　様\n\
             ②フリガナ　　　{kana}\n\
             ③ご住所　　　　〒{postal}\n\
             \u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}{addr}\n\
             ④お電話番号　　{tel}\n\
             ⑤生年月日　　　{birth}\n\
             ⑥メールアドレス　{mail}\n\n\
             ■お届け内容\n\
             \u{3000}商品：信州みそ詰合せ（減塩）　数量：1　お届け周期：毎月\n\
             \u{3000}お支払い方法：クレジットカード（下4桁 {last4}）\n\n\
             ■アンケート（任意）\n\
             \u{3000}ご家族構成：{fam}\n\
             \u{3000}アレルギー等：{allergy_text}\n\n\
             ────────────────────────\n\
             {COMPANY}　通販事業部\n\
             {COMPANY_ADDR}\n\
             フリーダイヤル 0120-38-8150　TEL {COMPANY_TEL}\n",
            y = TODAY.y,
            m = 1 + k % 3,
            d = 5 + k,
            no = 4100 + k * 17,
            kana = p.kana().replace(' ', "　"),
            postal = fullwidth_digits(&p.loc.postal).replace('-', "－"),
            addr = zenkaku(&p.address()),
            tel = zenkaku(&p.mobile),
            birth = fullwidth_digits(&p.birth.fmt(crate::persons::DateFmt::EraKanji)),
            mail = p.email,
            last4 = 1000 + (p.id * 7919) % 9000,
            allergy_text = if allergy {
                "本人が小麦アレルギー"
            } else {
                "特になし"
            },
        );
        let mut items = vec!["name", "address", "phone", "birth_date", "email", "family"];
        if allergy {
            items.push("health");
        }
        w.text(
            &format!("営業/通販/定期便申込書/申込書_T{:06}.txt", 4100 + k * 17),
            &b,
            text(Enc::ShiftJis, true),
            &items,
            About::of("customer", &[p.id]),
        )?;
    }
    Ok(())
}

/// A questionnaire from a web form (spreadsheet export, UTF-8): the name
/// and mail are optional; the free comments sometimes talk about health.
fn survey(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    const PLAIN: &[&str] = &[
        "味がまろやかで家族みんな気に入っています。",
        "配送が早くて助かりました。",
        "袋が開けにくいので改善してほしいです。",
        "もう少し小さいサイズがあると嬉しい。",
        "",
    ];
    const HEALTH: &[&str] = &[
        "高血圧で塩分を控えるよう医師に言われているので、減塩タイプは本当に助かります。",
        "糖尿病で通院中です。糖質の表示があると選びやすいです。",
    ];
    let mut t = Table::new(vec![
        col("タイムスタンプ", None),
        col("お名前（任意）", Some("name")),
        col("年代", None),
        col("性別", Some("gender")),
        col("お住まいの都道府県", None),
        col("購入された商品", None),
        col("満足度", None),
        col("ご意見・ご感想", Some("health")),
        col("新商品のご案内を希望されますか", None),
        col("メールアドレス", Some("email")),
    ]);
    let mut ids = Vec::new();
    for (k, c) in world
        .customers
        .iter()
        .skip(1)
        .step_by(7)
        .take(60)
        .enumerate()
    {
        let p = &c.p;
        let named = k % 3 != 2;
        let wants = named && k % 2 == 0;
        if named || wants {
            ids.push(p.id);
        }
        let comment = if named && k % 10 == 4 {
            HEALTH[(k / 10) % HEALTH.len()]
        } else {
            PLAIN[k % PLAIN.len()]
        };
        t.push(vec![
            format!(
                "{}/10/{:02} {}:{:02}:{:02}",
                TODAY.y - 1,
                1 + k % 28,
                rng.gen_range(8..23),
                rng.gen_range(0..60),
                rng.gen_range(0..60)
            ),
            if named { p.name() } else { String::new() },
            format!("{}代", (p.age() / 10 * 10).clamp(20, 70)),
            match k % 7 {
                6 => "回答しない",
                _ if p.female => "女性",
                _ => "男性",
            }
            .into(),
            p.loc.prefecture.clone(),
            ["信州みそ（減塩）", "野沢菜漬", "みそ詰合せ"][k % 3].into(),
            ["とても満足", "満足", "普通", "やや不満"][k % 4].into(),
            comment.into(),
            if wants { "はい" } else { "いいえ" }.into(),
            if wants {
                p.email.clone()
            } else {
                String::new()
            },
        ]);
    }
    let s = Sheet::new(t, ',', Enc::Utf8);
    s.write(
        w,
        &format!("営業/お客様の声/アンケート回答_{}秋.csv", TODAY.y - 1),
        About::of("customer", &ids),
    )
}

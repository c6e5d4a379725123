//! Staff files of the food manufacturer: the HR SaaS export, the 勤怠 SaaS
//! 打刻 export, the 給与ソフト 賃金台帳 printed to CSV, the 年末調整 export,
//! the monthly 検便 results, a UTF-16LE 引継ぎ書 and the 安全衛生委員会
//! minutes.

use super::{
    contract, era_padded, official, paged, quoted, section, slash, COMPANY, COMPANY_SHORT,
};
use crate::encodings::{col, text, Enc, Table};
use crate::persons::{random_my_number, TODAY};
use crate::truth::{About, Writer};
use crate::world::{Employee, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.employees.is_empty() {
        return Ok(());
    }
    hr_saas(w, world, rng)?;
    kintai(w, world)?;
    chingin(w, world, rng)?;
    nencho(w, world, rng)?;
    kenben(w, world)?;
    handover(w, world)?;
    safety_minutes(w, world)?;
    Ok(())
}

fn ids(es: &[&Employee]) -> Vec<usize> {
    es.iter().map(|e| e.p.id).collect()
}

/// The HR SaaS "従業員データ" export: 姓/名 and their readings in four
/// columns, the address over four, pension and employment-insurance
/// numbers; retirees stay in the export with their 退職年月日.
fn hr_saas(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員番号", None),
        col("姓", Some("name")),
        col("名", Some("name")),
        col("姓（ヨミガナ）", Some("name")),
        col("名（ヨミガナ）", Some("name")),
        col("生年月日", Some("birth_date")),
        col("性別", Some("gender")),
        col("入社年月日", None),
        col("退職年月日", None),
        col("雇用形態", None),
        col("部署", None),
        col("役職", None),
        col("メールアドレス", Some("email")),
        col("電話番号", Some("phone")),
        col("郵便番号", Some("address")),
        col("都道府県", Some("address")),
        col("市区町村", Some("address")),
        col("丁目・番地", Some("address")),
        col("建物名・部屋番号", Some("address")),
        col("基礎年金番号", Some("pension_number")),
        col("雇用保険の被保険者番号", Some("insurance_number")),
    ]);
    let all: Vec<(usize, &Employee)> = world
        .employees
        .iter()
        .chain(world.former.iter())
        .enumerate()
        .collect();
    for (i, e) in &all {
        let p = &e.p;
        let title = match i % 17 {
            0 => "課長",
            5 => "主任",
            9 => "係長",
            _ => "",
        };
        t.push(vec![
            e.no.clone(),
            p.surname.into(),
            p.given.into(),
            p.surname_kana.into(),
            p.given_kana.into(),
            slash(p.birth),
            if p.female { "女性" } else { "男性" }.into(),
            slash(e.hired),
            e.left.map(slash).unwrap_or_default(),
            contract(*i).into(),
            section(*i).into(),
            title.into(),
            p.email.clone(),
            p.mobile.clone(),
            p.loc.postal.clone(),
            p.loc.prefecture.clone(),
            p.loc.municipality.clone(),
            format!("{}{}", p.loc.town, p.street),
            p.building.clone().unwrap_or_default(),
            format!(
                "{:04}-{:06}",
                rng.gen_range(1000..10000),
                rng.gen_range(0..1_000_000)
            ),
            format!(
                "{:04}-{:06}-{}",
                rng.gen_range(1000..10000),
                rng.gen_range(0..1_000_000),
                rng.gen_range(0..10)
            ),
        ]);
    }
    let es: Vec<&Employee> = all.iter().map(|(_, e)| *e).collect();
    quoted(
        w,
        &format!(
            "総務/人事/HRクラウド_従業員データ_{}{:02}{:02}.csv",
            TODAY.y, TODAY.m, TODAY.d
        ),
        &t,
        Enc::Utf8Bom,
        About::of("employee", &ids(&es)),
    )
}

/// Day of week of a day in March 2025 (Mon = 0; 2025-03-01 was a Saturday).
fn weekday_march(d: u32) -> u32 {
    (d + 4) % 7
}

/// The 勤怠 SaaS 打刻 export: one row per person and working day of the
/// month, the terminal's IP, names as typed into the SaaS (common kanji).
fn kintai(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    const DOW: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    let mut t = Table::new(vec![
        col("従業員コード", None),
        col("従業員名", Some("name")),
        col("所属コード", None),
        col("所属名", None),
        col("日付", None),
        col("曜日", None),
        col("勤務日種別", None),
        col("出勤時刻", None),
        col("退勤時刻", None),
        col("休憩時間", None),
        col("労働時間", None),
        col("残業時間", None),
        col("打刻端末", None),
        col("備考", None),
    ]);
    for (i, e) in world.employees.iter().enumerate() {
        let part = contract(i) == "パート";
        for d in 1..=31u32 {
            let wd = weekday_march(d);
            if wd >= 5 || d == 20 || (part && (d + i as u32) % 3 == 0) {
                continue;
            }
            let (start, end, rest) = if part {
                ("08:58", "14:03", "0:45")
            } else if (d + i as u32) % 4 == 0 {
                ("07:52", "19:10", "1:00")
            } else {
                ("07:55", "17:02", "1:00")
            };
            let (work, over) = if part {
                ("4:20", "0:00")
            } else if end == "19:10" {
                ("10:18", "2:18")
            } else {
                ("8:07", "0:07")
            };
            t.push(vec![
                e.no.clone(),
                e.p.name(),
                format!("{:03}", 100 + (i % super::SECTIONS.len()) * 10),
                section(i).into(),
                format!("{}/03/{:02}", TODAY.y, d),
                DOW[wd as usize].into(),
                "平日".into(),
                start.into(),
                end.into(),
                rest.into(),
                work.into(),
                over.into(),
                format!("192.168.20.{}", 11 + i % 4),
                if (d * 7 + i as u32) % 53 == 0 {
                    "打刻修正（申請済）".into()
                } else {
                    String::new()
                },
            ]);
        }
    }
    // One record per 打刻 row; the persons are the employees.
    let records = t.rows.len() as u64;
    let s = crate::held::Sheet::new(t, ',', Enc::ShiftJis);
    let es: Vec<&Employee> = world.employees.iter().collect();
    let persons = ids(&es);
    s.write(
        w,
        &format!("総務/勤怠/打刻データ_{}03.csv", TODAY.y),
        About {
            category: Some("employee"),
            persons: &persons,
            records,
        },
    )
}

/// 賃金台帳 printed from the 給与ソフト to CSV: a title row and the header on
/// every page of 25; names as on the 住民票 (髙橋, 山﨑).
fn chingin(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員ｺｰﾄﾞ", None),
        col("氏名", Some("name")),
        col("所属", None),
        col("雇用区分", None),
        col("扶養人数", Some("family")),
        col("出勤日数", None),
        col("基本給/時給", None),
        col("残業手当", None),
        col("通勤手当", None),
        col("総支給額", None),
        col("健康保険料", None),
        col("厚生年金保険料", None),
        col("雇用保険料", None),
        col("所得税", None),
        col("住民税", None),
        col("差引支給額", None),
    ]);
    for (i, e) in world.employees.iter().enumerate() {
        let p = &e.p;
        let part = contract(i) == "パート";
        let deps = p.spouse.iter().count() + p.children.len();
        let days: u64 = if part { 14 } else { 20 };
        let base: u64 = if part {
            rng.gen_range(1000..1150)
        } else {
            rng.gen_range(190..360) * 1000
        };
        let pay = if part { base * 4 * days } else { base };
        let over: u64 = if part { 0 } else { rng.gen_range(0..60) * 1000 };
        let commute: u64 = rng.gen_range(2..20) * 1000;
        let gross = pay + over + commute;
        t.push(vec![
            e.no.clone(),
            official(&p.name()),
            section(i).into(),
            contract(i).into(),
            deps.to_string(),
            days.to_string(),
            base.to_string(),
            over.to_string(),
            commute.to_string(),
            gross.to_string(),
            (gross * 5 / 100).to_string(),
            (gross * 915 / 10000).to_string(),
            (gross * 6 / 1000).to_string(),
            (gross * 2 / 100).to_string(),
            (gross * 4 / 100).to_string(),
            (gross * 78 / 100).to_string(),
        ]);
    }
    let ym = format!("{}年{:02}月", TODAY.y, TODAY.m - 1);
    let title = |page: usize, pages: usize| -> Vec<String> {
        vec![
            "賃金台帳".into(),
            String::new(),
            format!("{ym}支給分"),
            String::new(),
            COMPANY_SHORT.into(),
            String::new(),
            format!("{page}／{pages}頁"),
        ]
    };
    let es: Vec<&Employee> = world.employees.iter().collect();
    paged(
        w,
        &format!("経理/給与/賃金台帳_{ym}.csv"),
        &t,
        25,
        &title,
        Enc::ShiftJis,
        About::of("employee", &ids(&es)),
    )
}

/// The 年末調整 export: the employee, the 世帯主, the spouse and two
/// dependants with their 個人番号, the 障害者区分.
fn nencho(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員番号", None),
        col("氏名", Some("name")),
        col("ﾌﾘｶﾞﾅ", Some("name")),
        col("生年月日", Some("birth_date")),
        col("個人番号", Some("my_number")),
        col("郵便番号", Some("address")),
        col("住所", Some("address")),
        col("世帯主の氏名", Some("family")),
        col("世帯主との続柄", Some("family")),
        col("源泉控除対象配偶者 氏名", Some("family")),
        col("配偶者 生年月日", Some("family")),
        col("配偶者 個人番号", Some("my_number")),
        col("配偶者の合計所得見積額", None),
        col("扶養親族1 氏名", Some("family")),
        col("扶養親族1 続柄", Some("family")),
        col("扶養親族1 生年月日", Some("family")),
        col("扶養親族1 個人番号", Some("my_number")),
        col("扶養親族2 氏名", Some("family")),
        col("扶養親族2 続柄", Some("family")),
        col("扶養親族2 生年月日", Some("family")),
        col("扶養親族2 個人番号", Some("my_number")),
        col("障害者区分", Some("health")),
        col("寡婦・ひとり親", None),
        col("勤労学生", None),
    ]);
    for (i, e) in world.employees.iter().enumerate() {
        let p = &e.p;
        let (head, rel) = match &p.spouse {
            Some(s) if p.female => (official(&s.name), "夫"),
            _ => (official(&p.name()), "本人"),
        };
        let mut row = vec![
            e.no.clone(),
            official(&p.name()),
            p.holder_kana(),
            era_padded(p.birth),
            p.my_number.clone(),
            p.loc.postal.clone(),
            p.address(),
            head,
            rel.into(),
        ];
        match &p.spouse {
            Some(s) => row.extend([
                official(&s.name),
                era_padded(s.birth),
                random_my_number(rng),
                if rng.gen_bool(0.6) {
                    "0".into()
                } else {
                    rng.gen_range(20..95).to_string() + "0000"
                },
            ]),
            None => row.extend([String::new(), String::new(), String::new(), String::new()]),
        }
        for k in 0..2 {
            match p.children.get(k) {
                Some(c) => row.extend([
                    official(&c.name),
                    c.relation.to_string(),
                    era_padded(c.birth),
                    random_my_number(rng),
                ]),
                None => row.extend([String::new(), String::new(), String::new(), String::new()]),
            }
        }
        row.push(match i % 23 {
            7 => "一般障害者".into(),
            15 => "特別障害者".into(),
            _ => String::new(),
        });
        row.push(if p.female && p.spouse.is_none() && i % 4 == 1 {
            "ひとり親".into()
        } else {
            String::new()
        });
        row.push(String::new());
        t.push(row);
    }
    let s = crate::held::Sheet::new(t, ',', Enc::ShiftJis);
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        &format!("経理/年末調整/R{}年調_従業員データ.csv", TODAY.y - 2019),
        About::of("employee", &ids(&es)),
    )
}

/// Monthly 検便 (stool test) results of the people handling food: a food
/// factory's legal routine, from the testing laboratory's CSV.
fn kenben(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let picked: Vec<(usize, &Employee)> = world
        .employees
        .iter()
        .enumerate()
        .filter(|(i, _)| section(*i).starts_with("製造") || section(*i) == "品質保証課")
        .collect();
    let mut t = Table::new(vec![
        col("受付No", None),
        col("事業所", None),
        col("所属", None),
        col("氏名", Some("name")),
        col("採便日", None),
        col("赤痢菌", Some("health")),
        col("サルモネラ属菌", Some("health")),
        col("腸管出血性大腸菌O157", Some("health")),
        col("結果", Some("health")),
    ]);
    for (k, (i, e)) in picked.iter().enumerate() {
        let positive = k == 11;
        t.push(vec![
            format!("K{}-{:05}", TODAY.y % 100, 3000 + k),
            "上田工場".into(),
            section(*i).into(),
            e.p.name(),
            format!("{}/03/{:02}", TODAY.y, 3 + k % 5),
            "陰性".into(),
            if positive { "陽性(+)" } else { "陰性" }.into(),
            "陰性".into(),
            if positive {
                "要再検査・調理従事不可"
            } else {
                "異常なし"
            }
            .into(),
        ]);
    }
    let s = crate::held::Sheet::new(t, ',', Enc::ShiftJis);
    let es: Vec<&Employee> = picked.iter().map(|(_, e)| *e).collect();
    s.write(
        w,
        &format!("品質保証/衛生管理/検便結果_{}年03月.csv", TODAY.y),
        About::of("employee", &ids(&es)),
    )
}

fn pick(world: &World, k: usize) -> (usize, &Employee) {
    let n = world.employees.len();
    let i = (5 + k * 13) % n;
    (i, &world.employees[i])
}

/// The 労務 handover note, typed in Notepad and saved as "Unicode"
/// (UTF-16LE with BOM): people in running prose, staff in their role.
fn handover(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let (i1, e1) = pick(world, 0);
    // The colleague whose wife is expecting: the first man from the pick on.
    let (i2, e2) = (0..world.employees.len())
        .map(|k| pick(world, 1 + k))
        .find(|(_, e)| !e.p.female)
        .unwrap_or_else(|| pick(world, 1));
    let (i3, e3) = pick(world, 2);
    let (_, e4) = pick(world, 3);
    let p3 = &e3.p;
    let b = format!(
        "引継ぎ書（総務課　労務担当）\n\
         作成：{y}年3月28日　総務課 佐々木\n\
         後任：総務課 小松さん\n\n\
         1. 休職・配慮が必要な方\n\
         ・{s1}の{n1}さん（{c1}）は、昨年12月から腰痛で整形外科に通院しています。\
         20kg以上の運搬は不可、と産業医の西村先生から意見書が出ています（面談記録はキャビネット2段目）。\n\
         ・{n4}さんは身体障害者手帳（4級）をお持ちで、ライン配置の際は立ち作業を短めにする配慮をお願いしています。本人了解済み。\n\n\
         2. 育児休業\n\
         ・{s2}の{n2}さんの奥様が5月に出産予定です。6月から育児休業を取りたいとのことで、\
         {sur2}さん本人から申出書をもらう予定です（先日ご連絡した件、担当：佐々木）。\n\n\
         3. 住所変更\n\
         ・{n3}さん（{s3}）が4月1日付で転居されます。新住所は〒{postal} {addr}。\
         通勤手当の再計算が必要です。携帯は変わらず {mobile} とのことです。\n\n\
         4. その他\n\
         ・算定基礎届は7月。昨年の控えは共有フォルダ「総務/社保」にあります。\n\
         ・不明点は内線215（総務課）までお願いします。\n",
        y = TODAY.y,
        s1 = section(i1),
        n1 = e1.p.name(),
        c1 = contract(i1),
        n4 = e4.p.name(),
        s2 = section(i2),
        n2 = e2.p.name(),
        sur2 = e2.p.surname,
        n3 = p3.name(),
        s3 = section(i3),
        postal = p3.loc.postal,
        addr = p3.address(),
        mobile = p3.mobile,
    );
    let mut persons = vec![e1.p.id, e2.p.id, e3.p.id, e4.p.id];
    persons.dedup();
    w.text(
        "総務/引継ぎ/引継ぎ書_労務担当_佐々木→小松.txt",
        &b,
        text(Enc::Utf16LeBom, true),
        &["name", "health", "family", "address", "phone"],
        About::of("employee", &persons),
    )
}

/// 安全衛生委員会 minutes: 出席者 by title and surname (no item), two
/// employees discussed by full name with their health.
fn safety_minutes(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let (_, e5) = pick(world, 4);
    let (i6, e6) = pick(world, 5);
    let b = format!(
        "第12回　安全衛生委員会　議事録\n\
         日時：{y}年3月18日（火）15:00～16:00\n\
         場所：本社2階　会議室①\n\
         出席者：工場長 山本、製造1課長 中川、品質保証課長 鈴木、物流課主任 石田、産業医 西村先生、総務課 佐々木（記録）\n\
         欠席：労働組合書記長 大島\n\n\
         １．前月の労働災害\n\
         \u{3000}休業災害０件、不休災害１件（包装ラインで指先の切創、応急処置のみ）。\n\
         ２．休職者の状況\n\
         \u{3000}製造2課 {n5}さん：1月より適応障害で休職中。主治医の診断書では4月末まで休養が必要とのこと。\
         復職時は短時間勤務から始める方向で産業医と調整する。\n\
         ３．定期健康診断の事後措置\n\
         \u{3000}要精密検査のうち未受診者は{n6}さん（{s6}）のみ。{sur6}さんには総務から再度受診勧奨を行う。\n\
         ４．熱中症対策\n\
         \u{3000}５月までにスポットクーラー２台を追加（物流課）。\n\
         ５．次回　４月15日（火）15:00～\n\n\
         以上\n\
         {COMPANY}　安全衛生委員会\n",
        y = TODAY.y,
        n5 = e5.p.name(),
        n6 = e6.p.name(),
        s6 = section(i6),
        sur6 = e6.p.surname,
    );
    let mut persons = vec![e5.p.id, e6.p.id];
    persons.dedup();
    w.text(
        &format!("総務/安全衛生委員会/議事録_第12回_{}03.txt", TODAY.y),
        &b,
        text(Enc::ShiftJis, true),
        &["name", "health"],
        About::of("employee", &persons),
    )
}

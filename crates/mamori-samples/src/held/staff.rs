//! 02_人事労務 and 03_経理/給与 of the held-out office: the staff roster,
//! retirees, family, emergency contacts, health, disability, social
//! insurance, payroll accounts, the My Number file and two memos.

use super::{bday, plain, row1, strs, tel, Bd, Sheet, COMPANY};
use crate::encodings::{col, text, Enc, Table};
use crate::persons::{fullwidth_digits, Person, TODAY};
use crate::truth::{About, Writer};
use crate::world::{Employee, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const JINJI: &str = "02_人事労務";
const KYUYO: &str = "03_経理/給与";

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.employees.is_empty() {
        return Ok(());
    }
    roster(w, world, rng)?;
    retirees(w, world, rng)?;
    family(w, world)?;
    emergency(w, world)?;
    checkup(w, world, rng)?;
    disability(w, world, rng)?;
    social_insurance(w, world, rng)?;
    accounts(w, world)?;
    my_numbers(w, world, rng)?;
    leave_memo(w, world, rng)?;
    housing_memo(w, world)?;
    Ok(())
}

fn ids(es: &[&Employee]) -> Vec<usize> {
    es.iter().map(|e| e.p.id).collect()
}

/// 職員名簿: title block, 姓/名/セイ/メイ in four columns, 住所１/住所２,
/// remarks with commas and line breaks, a head-count line below; Excel's
/// "CSV UTF-8" (BOM, CRLF), every cell quoted.
fn roster(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("No.", None),
        col("社員CD", None),
        col("姓", Some("name")),
        col("名", Some("name")),
        col("セイ", Some("name")),
        col("メイ", Some("name")),
        col("性別", Some("gender")),
        col("生年月日（和暦）", Some("birth_date")),
        col("年齢", None),
        col("〒番号", Some("address")),
        col("住所１", Some("address")),
        col("住所２", Some("address")),
        col("自宅TEL", Some("phone")),
        col("携帯番号", Some("phone")),
        col("Mail", Some("email")),
        col("入社年月日", None),
        col("所属", None),
        col("備考", None),
    ]);
    let remarks = [
        "",
        "",
        "社用車通勤,\n駐車場No.12",
        "資格：1級管工事施工管理技士, 2級電気工事施工管理技士",
        "",
        "嘱託（週4日）",
        "",
        "現場常駐,\n直行直帰可",
    ];
    for (i, e) in world.employees.iter().enumerate() {
        let p = &e.p;
        let addr1 = format!(
            "{}{}{}{}",
            p.loc.prefecture, p.loc.municipality, p.loc.town, p.street
        );
        t.push(vec![
            (i + 1).to_string(),
            format!("M{}", e.no),
            p.surname.into(),
            p.given.into(),
            p.surname_kana.into(),
            p.given_kana.into(),
            if p.female { "女性" } else { "男性" }.into(),
            bday(p.birth, Bd::EraPadded),
            p.age().to_string(),
            p.loc.postal.clone(),
            addr1,
            p.building.clone().unwrap_or_default(),
            if rng.gen_bool(0.7) {
                tel(&p.home_phone, i)
            } else {
                String::new()
            },
            tel(&p.mobile, i + 2),
            p.email.clone(),
            plain(e.hired),
            format!("{}{}課", e.dept.trim_end_matches('部'), ["一", "二"][i % 2]),
            remarks[i % remarks.len()].into(),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::Utf8Bom);
    s.quote_all = true;
    s.title = vec![
        row1("職　員　名　簿"),
        row1(&format!(
            "令和{}年{}月{}日現在　{COMPANY}",
            TODAY.y - 2018,
            TODAY.m,
            TODAY.d
        )),
        vec![],
    ];
    s.footer = vec![
        vec![],
        strs(&["", "在籍者数", &format!("{}名", world.employees.len())]),
    ];
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        &format!("{JINJI}/職員名簿_R{}.csv", TODAY.y - 2018),
        About::of("employee", &ids(&es)),
    )
}

/// Retirees with birth dates as Excel serial numbers (a column copied from
/// another book without its date format).
fn retirees(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.former.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("氏名", Some("name")),
        col("生年月日", Some("birth_date")),
        col("最終住所", Some("address")),
        col("連絡先", Some("phone")),
        col("入社", None),
        col("退社", None),
        col("離職理由", None),
        col("離職票", None),
    ]);
    for (i, e) in world.former.iter().enumerate() {
        let p = &e.p;
        t.push(vec![
            p.name_tight(),
            bday(p.birth, Bd::Serial),
            format!("{}{}", p.loc.postal, p.address()),
            tel(&p.mobile, i + 4),
            excel_or_plain(e.hired, i),
            e.left.map(|d| excel_or_plain(d, i)).unwrap_or_default(),
            ["一身上の都合", "定年退職", "契約期間満了", "会社都合"][rng.gen_range(0..4)].into(),
            ["発行済", "不要"][i % 2].into(),
        ]);
    }
    let es: Vec<&Employee> = world.former.iter().collect();
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![row1("退職者管理表（保存期間：退職後7年）"), vec![]];
    s.write(
        w,
        &format!("{JINJI}/退職者/退職者管理表.csv"),
        About::of("employee", &ids(&es)),
    )
}

fn excel_or_plain(d: crate::persons::Date, i: usize) -> String {
    if i % 2 == 0 {
        super::excel_serial(d).to_string()
    } else {
        plain(d)
    }
}

/// 家族状況: one row per family member, the employee's cells left blank on
/// the second and later rows (merged cells exported).
fn family(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員CD", None),
        col("氏　名", Some("name")),
        col("家族氏名", Some("family")),
        col("続柄", Some("family")),
        col("家族生年月日", Some("family")),
        col("同居区分", Some("family")),
        col("税扶養", Some("family")),
        col("健保扶養", Some("family")),
    ]);
    let mut with_family = Vec::new();
    for e in &world.employees {
        let p = &e.p;
        let members: Vec<_> = p.spouse.iter().chain(p.children.iter()).collect();
        if members.is_empty() {
            continue;
        }
        with_family.push(e);
        for (k, m) in members.iter().enumerate() {
            let child = m.relation != "妻" && m.relation != "夫";
            t.push(vec![
                if k == 0 { e.no.clone() } else { String::new() },
                if k == 0 {
                    format!("{}　{}", p.surname, p.given)
                } else {
                    String::new()
                },
                m.name.replace(' ', "　"),
                m.relation.into(),
                bday(m.birth, Bd::EraDotPadded),
                "同居".into(),
                if child { "○" } else { "×" }.into(),
                "○".into(),
            ]);
        }
    }
    if with_family.is_empty() {
        return Ok(());
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![
        row1("家族状況届 集計"),
        row1("※扶養区分は年末調整時点"),
        vec![],
    ];
    s.write(
        w,
        &format!("{JINJI}/家族状況一覧_{}.csv", TODAY.y),
        About::of("employee", &ids(&with_family)),
    )
}

/// 緊急連絡網 as a Markdown-ish pipe table in a text file.
fn emergency(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut b = format!(
        "# 災害時 緊急連絡網（{}年度版）\n\n安否確認が取れない場合は下記へ連絡すること。\n\n\
         | 部署 | 社員 | 連絡先の方 | 間柄 | 電話 |\n|---|---|---|---|---|\n",
        TODAY.y
    );
    for (i, e) in world.employees.iter().enumerate() {
        let p = &e.p;
        b.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            e.dept,
            p.name(),
            p.emergency.name,
            p.emergency.relation,
            tel(&p.emergency.phone, i + 1)
        ));
    }
    b.push_str("\n総務担当：内線 201\n");
    let es: Vec<&Employee> = world.employees.iter().collect();
    w.text(
        &format!("{JINJI}/緊急連絡網.md"),
        &b,
        text(Enc::Utf8, false),
        &["name", "emergency_contact"],
        About::of("employee", &ids(&es)),
    )
}

/// 健診結果: 所見あり/なし and 事後措置, TSV.
fn checkup(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員CD", None),
        col("氏名", Some("name")),
        col("年齢", None),
        col("健診結果", Some("health")),
        col("所見内容", Some("health")),
        col("区分", Some("health")),
        col("事後措置", Some("health")),
    ]);
    for e in &world.employees {
        let r = rng.gen_range(0..10);
        let (res, what, grade, after) = match r {
            0 => ("所見あり", "血圧高値", "要精密検査", "産業医面談済"),
            1 => ("所見あり", "LDLコレステロール高値", "要経過観察", ""),
            2 => ("所見あり", "肝機能(γ-GTP)", "要再検査", "再検査予約"),
            3 => ("所見あり", "心電図異常", "要精密検査", "就業制限なし"),
            _ => ("所見なし", "", "異常なし", ""),
        };
        t.push(strs(&[
            &e.no,
            &e.p.name(),
            &e.p.age().to_string(),
            res,
            what,
            grade,
            after,
        ]));
    }
    let mut s = Sheet::new(t, '\t', Enc::Utf8);
    s.title = vec![
        row1(&format!("{}年度 定期健康診断 結果一覧", TODAY.y - 1)),
        vec![],
    ];
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        &format!("{JINJI}/健康管理/R{}_健診結果.tsv", TODAY.y - 2019),
        About::of("employee", &ids(&es)),
    )
}

fn disability(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let picked: Vec<&Employee> = world.employees.iter().skip(7).step_by(11).take(4).collect();
    if picked.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("氏名", Some("name")),
        col("手帳の種類", Some("health")),
        col("等級", Some("health")),
        col("確認日", None),
        col("次回確認", None),
        col("配慮の内容", Some("health")),
    ]);
    for e in &picked {
        let (kind, grade, care) = [
            ("身体障害者手帳", "3級", "段差のない席、重量物の運搬なし"),
            (
                "精神障害者保健福祉手帳",
                "2級",
                "残業は月10時間まで, 通院日は休暇",
            ),
            ("療育手帳", "B", "作業手順書を図示"),
        ][rng.gen_range(0..3)];
        t.push(strs(&[
            &e.p.name(),
            kind,
            grade,
            &plain(crate::persons::Date {
                y: TODAY.y - 1,
                m: 4,
                d: 10,
            }),
            &format!("{}/4", TODAY.y + 1),
            care,
        ]));
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![row1("障害者手帳 確認記録（取扱注意）")];
    s.write(
        w,
        &format!("{JINJI}/健康管理/手帳確認記録.csv"),
        About::of("employee", &ids(&picked)),
    )
}

/// 社会保険: 基礎年金番号, 健康保険 記号・番号, 雇用保険被保険者番号.
fn social_insurance(
    w: &mut Writer,
    world: &World,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員CD", None),
        col("被保険者氏名", Some("name")),
        col("生年月日", Some("birth_date")),
        col("基礎年金番号", Some("pension_number")),
        col("健保 記号", Some("insurance_number")),
        col("健保 番号", Some("insurance_number")),
        col("雇用保険番号", Some("insurance_number")),
        col("資格取得日", None),
    ]);
    for (i, e) in world.employees.iter().enumerate() {
        t.push(vec![
            e.no.clone(),
            e.p.name(),
            bday(e.p.birth, Bd::EraDotPadded),
            format!(
                "{:04}-{:06}",
                rng.gen_range(1000..10000),
                rng.gen_range(0..1_000_000)
            ),
            "4810025".into(),
            (i + 11).to_string(),
            format!(
                "{:04}-{:06}-{}",
                rng.gen_range(1000..10000),
                rng.gen_range(0..1_000_000),
                rng.gen_range(0..10)
            ),
            plain(e.hired),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::Utf8Bom);
    s.title = vec![row1("社会保険・雇用保険 加入者一覧"), vec![]];
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        &format!("{JINJI}/社保/加入者一覧.csv"),
        About::of("employee", &ids(&es)),
    )
}

/// 金融機関 in one cell: 「三井住友銀行 渋谷支店 普通 1234567」.
pub(crate) fn bank_cell(p: &Person) -> String {
    let a = &p.account;
    match &a.yucho {
        Some((k, n)) => format!("ゆうちょ銀行 記号{k} 番号{n}"),
        None => {
            let branch = if a.branch_name.ends_with('店') {
                a.branch_name.clone()
            } else {
                format!("{}支店", a.branch_name)
            };
            format!("{} {} {} {}", a.bank_name, branch, a.kind, a.number)
        }
    }
}

fn accounts(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("従業員No", None),
        col("氏名", Some("name")),
        col("金融機関", Some("bank_account")),
        col("口座名義", Some("bank_account")),
        col("振込額区分", None),
    ]);
    for (i, e) in world.employees.iter().enumerate() {
        t.push(vec![
            e.no.clone(),
            e.p.name(),
            bank_cell(&e.p),
            e.p.holder_kana(),
            ["全額", "全額", "定額5万円＋残額"][i % 3].into(),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![row1(&format!(
        "給与振込口座一覧（{}年{}月支給分より）",
        TODAY.y, TODAY.m
    ))];
    s.footer = vec![
        vec![],
        row1("※口座変更は毎月10日締め。変更届の原本は金庫保管。"),
    ];
    let es: Vec<&Employee> = world.employees.iter().collect();
    s.write(
        w,
        &format!("{KYUYO}/振込先_{}.csv", TODAY.y),
        About::of("employee", &ids(&es)),
    )
}

/// The My Number file: only the title says what the numbers are.
fn my_numbers(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("管理No", None),
        col("対象者", Some("name")),
        col("区分", None),
        col("番号", Some("my_number")),
        col("確認書類", None),
        col("収集日", None),
        col("保管期限", None),
    ]);
    let all: Vec<&Employee> = world.employees.iter().chain(world.former.iter()).collect();
    for (i, e) in all.iter().enumerate() {
        let n = &e.p.my_number;
        let shown = match i % 4 {
            0 => format!("{}-{}-{}", &n[..4], &n[4..8], &n[8..]),
            1 => fullwidth_digits(n),
            2 => format!("{}　{}　{}", &n[..4], &n[4..8], &n[8..]),
            _ => n.clone(),
        };
        let got = crate::persons::Date::random_between(rng, e.hired.y.max(2016), TODAY.y - 1);
        t.push(vec![
            format!("{:03}", i + 1),
            e.p.name(),
            if e.left.is_some() {
                "退職者"
            } else {
                "在籍"
            }
            .into(),
            shown,
            ["カード", "通知カード+免許証", "住民票写し"][i % 3].into(),
            plain(got),
            e.left
                .map(|d| format!("{}年3月末", d.y + 7))
                .unwrap_or_else(|| "在籍中".into()),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![
        row1("特定個人情報ファイル（番号管理簿）"),
        row1("※事務取扱担当者以外の閲覧・複製禁止"),
        vec![],
    ];
    s.write(
        w,
        &format!("{KYUYO}/特定個人情報/番号管理簿.csv"),
        About::of("employee", &ids(&all)),
    )
}

/// A consultation note: 〇〇さん（42歳）… in prose.
fn leave_memo(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let Some(e) = world.employees.get(5).or(world.employees.first()) else {
        return Ok(());
    };
    let cond = ["腰椎椎間板ヘルニア", "適応障害", "胃潰瘍"][rng.gen_range(0..3)];
    let b = format!(
        "面談記録　{}年{}月{}日\n\n{}の{}さん（{}歳）から、{}のため来月より6週間程度休みたいとの相談あり。\n\
         主治医の診断書は月末までに提出予定。復帰時は産業医との面談を経て判断する。\n\
         本人の希望により、部内には「家庭の事情」と説明する。\n\n記録者：人事労務課\n",
        TODAY.y,
        TODAY.m,
        9,
        e.dept,
        e.p.name_tight(),
        e.p.age(),
        cond
    );
    w.text(
        &format!("{JINJI}/面談記録/{}{:02}09_相談.txt", TODAY.y, TODAY.m),
        &b,
        text(Enc::Utf8, true),
        &["name", "health"],
        About::of("employee", &[e.p.id]),
    )
}

/// A company-house memo: 生年月日は1979年8月3日, 現住所は…, family in prose.
fn housing_memo(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let Some(e) = world
        .employees
        .iter()
        .find(|e| e.p.spouse.is_some() && !e.p.children.is_empty())
        .or(world.employees.last())
    else {
        return Ok(());
    };
    let p = &e.p;
    let mut b = format!(
        "社宅入居について（メモ）\n\n入居者：{}（社員CD {}）\n生年月日は{}、現住所は{}。\n",
        p.name(),
        e.no,
        bday(p.birth, Bd::Both),
        p.address()
    );
    let mut items = vec!["name", "birth_date", "address"];
    if p.spouse.is_some() || !p.children.is_empty() {
        let fam: Vec<&str> = p
            .spouse
            .iter()
            .chain(p.children.iter())
            .map(|r| r.relation)
            .collect();
        b.push_str(&format!(
            "家族構成は{}で、計{}名で入居予定。\n",
            fam.join("・"),
            fam.len() + 1
        ));
        items.push("family");
    }
    b.push_str("入居日は5月GW明け、鍵の受け渡しは総務で行う。\n");
    w.text(
        &format!("01_総務/社宅/社宅入居メモ_{}.txt", p.surname),
        &b,
        text(Enc::ShiftJis, true),
        &items,
        About::of("employee", &[p.id]),
    )
}

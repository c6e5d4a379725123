//! Held-out noise: business files full of numbers, dates, company
//! addresses, phones and 法人番号, but about no natural person. Truth:
//! category None, no items.

use super::{
    plain, row1, strs, Sheet, COMPANY, COMPANY_ADDR, COMPANY_CORP_NO, COMPANY_FAX, COMPANY_TEL,
};
use crate::encodings::{col, text, Enc, Table};
use crate::noise::corporate_number;
use crate::persons::{my_number_check, Date, TODAY};
use crate::refdata::{self, CLIENT_COMPANIES, PARTNER_COMPANIES};
use crate::truth::{About, Writer};
use crate::world::{company_phone, DEPARTMENTS};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const KINDS: usize = 10;

pub fn write(w: &mut Writer, count: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    for i in 0..count {
        let r = i / KINDS;
        match i % KINDS {
            0 => estimate(w, rng, r)?,
            1 => purchase_order(w, rng, r)?,
            2 => attendance(w, rng, r)?,
            3 => minutes(w, rng, r)?,
            4 => projects(w, rng, r)?,
            5 => suppliers(w, rng, r)?,
            6 => extensions(w, r)?,
            7 => vehicles(w, rng, r)?,
            8 => parts(w, rng, r)?,
            _ => training(w, r)?,
        }
    }
    Ok(())
}

fn sfx(r: usize) -> String {
    if r == 0 {
        String::new()
    } else {
        format!("_{r}")
    }
}

fn code12(rng: &mut ChaCha8Rng) -> String {
    let mut body = [0u8; 11];
    for b in body.iter_mut() {
        *b = rng.gen_range(0..10);
    }
    body[0] = rng.gen_range(1..10);
    let c = my_number_check(&body);
    body.iter()
        .chain(std::iter::once(&c))
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// 見積書 to a corporate client, with our own address, phone and 登録番号.
fn estimate(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let (client, _) = CLIENT_COMPANIES[r % CLIENT_COMPANIES.len()];
    let mut b = format!(
        "御　見　積　書\n\n{client}　御中\n\n見積番号：Q{}-{:04}\n見積日：{}年{}月{}日\n有効期限：発行日より30日\n\n\
         {COMPANY}\n{COMPANY_ADDR}\nTEL {COMPANY_TEL}　FAX {COMPANY_FAX}\n登録番号：T{COMPANY_CORP_NO}\n\n\
         件名：空調設備更新工事\n\n品番\t品名\t数量\t単価\t金額\n",
        TODAY.y,
        r * 7 + 11,
        TODAY.y,
        TODAY.m,
        rng.gen_range(1..28)
    );
    let mut total = 0u32;
    for k in 0..8 {
        let q = rng.gen_range(1..20);
        let u = rng.gen_range(5..400) * 100;
        total += q * u;
        b.push_str(&format!(
            "{}\t{}\t{q}\t{u}\t{}\n",
            code12(rng),
            [
                "パッケージエアコン 5馬力",
                "冷媒配管 2分3分",
                "ドレン配管",
                "撤去処分費",
                "諸経費"
            ][k % 5],
            q * u
        ));
    }
    b.push_str(&format!(
        "\n小計 {total}円\n消費税(10%) {}円\n合計 {}円\n\n担当：営業部\n",
        total / 10,
        total + total / 10
    ));
    w.text(
        &format!(
            "04_営業/見積/見積書_{}{}.txt",
            client.replace("株式会社", ""),
            sfx(r)
        ),
        &b,
        text(Enc::ShiftJis, true),
        &[],
        About::none(),
    )
}

fn purchase_order(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("発注No", None),
        col("発注日", None),
        col("仕入先", None),
        col("品名", None),
        col("数量", None),
        col("単価", None),
        col("金額", None),
        col("納期", None),
        col("納品場所", None),
    ]);
    let mut total = 0u32;
    for k in 0..25 {
        let q = rng.gen_range(1..50);
        let u = rng.gen_range(1..800) * 10;
        total += q * u;
        t.push(vec![
            format!("PO{}{:05}", TODAY.y, r * 100 + k),
            plain(Date::random_between(rng, TODAY.y, TODAY.y)),
            PARTNER_COMPANIES[k % PARTNER_COMPANIES.len()].into(),
            [
                "VVFケーブル 2.0-3C",
                "ダクト 200φ",
                "保温材",
                "アンカーボルト M12",
                "配電盤",
            ][k % 5]
                .into(),
            q.to_string(),
            u.to_string(),
            (q * u).to_string(),
            plain(Date::random_between(rng, TODAY.y, TODAY.y)),
            ["本社倉庫", "現場直送", "浦和第二倉庫"][k % 3].into(),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![
        row1("発注書控え"),
        row1(&format!("{COMPANY}　{COMPANY_ADDR}")),
        vec![],
    ];
    s.footer = vec![strs(&["", "", "", "合計", "", "", &total.to_string()])];
    s.write(
        w,
        &format!("03_経理/発注/発注書控え{}.csv", sfx(r)),
        About::none(),
    )
}

/// 勤怠集計 by staff code only: no names.
fn attendance(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員CD", None),
        col("所属", None),
        col("出勤日数", None),
        col("有休取得", None),
        col("残業(h)", None),
        col("深夜(h)", None),
        col("休日出勤", None),
    ]);
    for k in 0..40 {
        t.push(vec![
            format!("M{:05}", 1000 + k),
            DEPARTMENTS[k % DEPARTMENTS.len()].into(),
            rng.gen_range(17..23).to_string(),
            rng.gen_range(0..4).to_string(),
            format!("{}.{}", rng.gen_range(0..45), rng.gen_range(0..10)),
            rng.gen_range(0..6).to_string(),
            rng.gen_range(0..3).to_string(),
        ]);
    }
    let m = (r % 12) as u32 + 1;
    let mut s = Sheet::new(t, ',', Enc::Utf8Bom);
    s.title = vec![
        row1(&format!(
            "勤怠集計 {}年{m}月度（{}/{m}/1～{}/{m}/末）",
            TODAY.y, TODAY.y, TODAY.y
        )),
        vec![],
    ];
    s.write(
        w,
        &format!("02_人事労務/勤怠/勤怠集計_{}{m:02}{}.csv", TODAY.y, sfx(r)),
        About::none(),
    )
}

fn minutes(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let m = (r % 12) as u32 + 1;
    let b = format!(
        "安全衛生委員会 議事録\n\n開催日：{}年{m}月{}日（月）14:00～15:00\n場所：本社2F会議室\n\
         出席：工事部、設計部、総務部、産業医（書面参加）\n\n1. 前月の労働災害：休業災害0件、不休災害1件（工事部・脚立からの転落、軽傷）\n\
         2. 定期健康診断の受診率：{}%（未受診者には所属長から声掛け）\n3. 熱中症対策：WBGT計を全現場に配備\n\
         4. 次回：{}月第2月曜日\n",
        TODAY.y,
        rng.gen_range(2..28),
        rng.gen_range(90..100),
        m % 12 + 1
    );
    w.text(
        &format!(
            "01_総務/委員会/安全衛生委員会_{}{m:02}{}.txt",
            TODAY.y,
            sfx(r)
        ),
        &b,
        text(Enc::Utf8, true),
        &[],
        About::none(),
    )
}

/// 工事台帳: contract and start dates, client companies, amounts.
fn projects(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("工事番号", None),
        col("工事名", None),
        col("発注者", None),
        col("契約日", None),
        col("着工日", None),
        col("竣工予定", None),
        col("請負金額", None),
        col("工事場所", None),
    ]);
    let sites = [
        "市立第三小学校 体育館空調設置",
        "みなと物産 本社ビル 受変電設備更新",
        "県営住宅B棟 給水管更生",
        "関西精機 第2工場 排気ダクト",
    ];
    for k in 0..20 {
        let loc = refdata::locality(r * 7 + k * 3);
        let c = Date::random_between(rng, TODAY.y - 2, TODAY.y - 1);
        t.push(vec![
            format!("{}-{:03}", TODAY.y - 2000, r * 20 + k),
            sites[k % sites.len()].into(),
            if k % 3 == 0 {
                format!("{}教育委員会", loc.municipality)
            } else {
                CLIENT_COMPANIES[k % 3].0.into()
            },
            plain(c),
            plain(Date {
                y: c.y,
                m: c.m,
                d: 1,
            }),
            plain(Date {
                y: c.y + 1,
                m: 3,
                d: 31,
            }),
            (rng.gen_range(50..5000) * 10_000).to_string(),
            format!("{}{}{}", loc.prefecture, loc.municipality, loc.town),
        ]);
    }
    Sheet::new(t, ',', Enc::ShiftJis).write(
        w,
        &format!("07_工務/工事台帳{}.csv", sfx(r)),
        About::none(),
    )
}

/// 取引先一覧: company addresses, representative numbers, 法人番号.
fn suppliers(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("取引先CD", None),
        col("取引先名", None),
        col("法人番号", None),
        col("〒", None),
        col("所在地", None),
        col("代表TEL", None),
        col("FAX", None),
        col("締日", None),
        col("支払条件", None),
    ]);
    let names = PARTNER_COMPANIES
        .iter()
        .copied()
        .chain(CLIENT_COMPANIES.iter().map(|c| c.0));
    for (k, n) in names.enumerate() {
        let loc = refdata::locality(r * 5 + k * 2 + 1);
        t.push(vec![
            format!("S{:04}", k + 1),
            n.into(),
            CLIENT_COMPANIES
                .get(k.wrapping_sub(PARTNER_COMPANIES.len()))
                .map(|c| c.1.to_string())
                .unwrap_or_else(|| corporate_number(rng)),
            loc.postal.clone(),
            format!(
                "{}{}{}{}-{}-{}",
                loc.prefecture,
                loc.municipality,
                loc.town,
                rng.gen_range(1..6),
                rng.gen_range(1..20),
                rng.gen_range(1..15)
            ),
            company_phone(rng, &loc.area_code),
            company_phone(rng, &loc.area_code),
            ["20日", "末日", "25日"][k % 3].into(),
            ["翌月末 現金", "翌々月10日 手形"][k % 2].into(),
        ]);
    }
    Sheet::new(t, ',', Enc::Utf8Bom).write(
        w,
        &format!("03_経理/取引先一覧{}.csv", sfx(r)),
        About::none(),
    )
}

/// 内線表: departments only, with the company's numbers.
fn extensions(w: &mut Writer, r: usize) -> Result<(), SampleError> {
    let mut b = format!(
        "内線番号表（{}年4月）\n代表 {COMPANY_TEL}　FAX {COMPANY_FAX}\n\n",
        TODAY.y
    );
    for (k, d) in DEPARTMENTS.iter().enumerate() {
        b.push_str(&format!(
            "{d}\t内線 {}\t直通 048-824-{}\n",
            200 + k * 10,
            5520 + k
        ));
    }
    b.push_str("会議室A\t内線 290\n倉庫\t内線 295\n");
    w.text(
        &format!("01_総務/内線表{}.txt", sfx(r)),
        &b,
        text(Enc::ShiftJis, true),
        &[],
        About::none(),
    )
}

fn vehicles(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("車両No", None),
        col("登録番号", None),
        col("車種", None),
        col("初度登録", None),
        col("車検満了日", None),
        col("任意保険証券番号", None),
        col("使用部署", None),
    ]);
    for k in 0..12 {
        t.push(vec![
            format!("V{:02}", k + 1),
            format!(
                "大宮 {} {} {:02}-{:02}",
                [400, 480, 300][k % 3],
                ["た", "ち", "つ"][k % 3],
                rng.gen_range(1..99),
                rng.gen_range(0..99)
            ),
            ["ハイエース", "プロボックス", "キャラバン", "軽トラック"][k % 4].into(),
            plain(Date::random_between(rng, 2015, 2023)),
            plain(Date::random_between(rng, TODAY.y, TODAY.y + 1)),
            format!("{:010}", rng.gen_range(1_000_000_000u64..9_999_999_999)),
            DEPARTMENTS[k % DEPARTMENTS.len()].into(),
        ]);
    }
    Sheet::new(t, ',', Enc::ShiftJis).write(
        w,
        &format!("01_総務/車両管理{}.csv", sfx(r)),
        About::none(),
    )
}

/// Parts list with 12-digit codes that pass the My Number check digit.
fn parts(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("品番", None),
        col("品名", None),
        col("在庫数", None),
        col("最終入庫日", None),
        col("棚番", None),
    ]);
    for k in 0..40 {
        t.push(vec![
            code12(rng),
            [
                "銅管 3/8",
                "フレア継手",
                "化粧カバー",
                "ブレーカー 20A",
                "換気扇 25cm",
            ][k % 5]
                .into(),
            rng.gen_range(0..300).to_string(),
            plain(Date::random_between(rng, TODAY.y - 1, TODAY.y)),
            format!("{}-{}", ["A", "B", "C", "D"][k % 4], rng.gen_range(1..30)),
        ]);
    }
    Sheet::new(t, '\t', Enc::Utf8).write(
        w,
        &format!("07_工務/資材/在庫表{}.tsv", sfx(r)),
        About::none(),
    )
}

/// New-hire training plan: 入社日 and dates, no names.
fn training(w: &mut Writer, r: usize) -> Result<(), SampleError> {
    let b = format!(
        "{}年度 新入社員研修計画\n\n入社日：{}年4月1日（入社式 9:30～ 本社2F）\n\n\
         4/1-4/4　ビジネスマナー、就業規則、安全衛生教育\n4/7-4/18　現場実習（工事部）\n\
         4/21　配属発表\n\n対象：新卒{}名、中途2名\n費用：1名あたり 85,000円\n",
        TODAY.y,
        TODAY.y,
        5 + r
    );
    w.text(
        &format!("02_人事労務/研修/新入社員研修計画{}.txt", sfx(r)),
        &b,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

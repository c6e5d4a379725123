//! Files about no natural person: the HR-sync script (with the well-known
//! test My Number in it) and its config, API logs with IPs and 12-digit
//! request ids beside `/mynumber/` paths, the department phone list, the
//! holiday calendar, the 社内報, the wholesale price list with JAN codes,
//! the customer-company list with a 担当 column, production minutes whose
//! only names are 出席者, HACCP temperature logs, and shipment reports
//! printed to CSV with a title and header on every page. Truth: category
//! None, no items.

use super::{
    paged, COMPANY, COMPANY_ADDR, COMPANY_CORP_NO, COMPANY_FAX, COMPANY_SHORT, COMPANY_TEL, DOMAIN,
};
use crate::encodings::{col, text, Enc, Table};
use crate::held::Sheet;
use crate::persons::{my_number_check, Date, TODAY};
use crate::truth::{About, Writer};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const ONE_OFFS: usize = 8;
const REPEATED: usize = 4;

/// Customer companies (wholesalers and supermarkets): never persons.
const CLIENTS: &[(&str, &str, &str)] = &[
    (
        "㈱しなの屋",
        "長野県長野市南千歳1丁目12番地",
        "026-226-4410",
    ),
    (
        "有限会社小諸商店",
        "長野県小諸市相生町3丁目2番8号",
        "0267-22-0913",
    ),
    (
        "株式会社あづみ野ストア",
        "長野県安曇野市豊科4270番地",
        "0263-72-5581",
    ),
    (
        "信州食品流通㈱",
        "長野県松本市中央2丁目5番12号",
        "0263-33-7120",
    ),
    (
        "㈱ながのデリカ",
        "長野県上田市天神3丁目8番7号",
        "0268-25-3301",
    ),
];

const PRODUCTS: &[(&str, &str, u32)] = &[
    ("M-750G", "信州みそ 750g", 498),
    ("M-750L", "信州みそ 減塩 750g", 548),
    ("M-1K", "信州みそ 1kg 業務用", 620),
    ("N-300", "野沢菜漬 300g", 380),
    ("N-500", "野沢菜漬 500g 刻み", 540),
    ("G-SET", "みそ詰合せ（3種）", 2800),
];

pub fn write(w: &mut Writer, count: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    for i in 0..count {
        match i {
            0 => script(w)?,
            1 => config(w)?,
            2 => extensions(w)?,
            3 => calendar(w)?,
            4 => newsletter(w)?,
            5 => prices(w)?,
            6 => clients(w)?,
            7 => temperature(w, rng, 0)?,
            _ => {
                let k = i - ONE_OFFS;
                let r = k / REPEATED;
                match k % REPEATED {
                    0 => api_log(w, rng, r)?,
                    1 => minutes(w, rng, r)?,
                    2 => shipments(w, rng, r)?,
                    _ => temperature(w, rng, r + 1)?,
                }
            }
        }
    }
    Ok(())
}

/// 12 random digits; with `valid` the last digit is the My Number check digit.
fn digits12(rng: &mut ChaCha8Rng, valid: bool) -> String {
    let mut body = [0u8; 11];
    for b in body.iter_mut() {
        *b = rng.gen_range(0..10);
    }
    body[0] = rng.gen_range(1..10);
    let last = if valid {
        my_number_check(&body)
    } else {
        rng.gen_range(0..10)
    };
    body.iter()
        .chain(std::iter::once(&last))
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// A JAN code (49 + 10 digits + check digit).
fn jan(k: usize) -> String {
    let body = format!("49{:010}", 1_234_500_000 + k * 11);
    let sum: u32 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { d * 3 } else { d })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// The HR-sync batch: column mappings, a validation regex and the test
/// value everybody uses for My Number checks.
fn script(w: &mut Writer) -> Result<(), SampleError> {
    let b = format!(
        "#!/usr/bin/env python3\n\
         # -*- coding: utf-8 -*-\n\
         \"\"\"HRクラウド → 給与ソフト 連携バッチ（毎日 2:00 cron）\n\n\
         従業員データCSVを取り込み、給与ソフトの取込形式に変換する。\n\
         個人番号（マイナンバー）は連携しない（給与ソフト側で別管理）。\n\"\"\"\n\
         import csv\nimport re\nimport sys\nimport logging\n\n\
         API_BASE = \"https://api.hr-cloud.example.com/v1\"\n\
         LOG = logging.getLogger(\"hr-sync\")\n\n\
         COLUMNS = {{\n    \"社員番号\": \"emp_code\",\n    \"姓\": \"last_name\",\n    \"名\": \"first_name\",\n\
         \x20   \"生年月日\": \"birth_date\",\n    \"郵便番号\": \"zip\",\n    \"電話番号\": \"tel\",\n}}\n\n\
         MY_NUMBER_RE = re.compile(r\"^\\d{{12}}$\")\n\
         # テスト用のマイナンバー（実在しない、チェックデジットのみ正しい）\n\
         TEST_MY_NUMBER = \"123456789018\"\n\n\n\
         def check_digit_ok(n: str) -> bool:\n\
         \x20   w = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]\n\
         \x20   s = sum(int(d) * k for d, k in zip(n[:11], w))\n\
         \x20   r = s % 11\n\
         \x20   return int(n[11]) == (0 if r <= 1 else 11 - r)\n\n\n\
         def main(path: str) -> int:\n\
         \x20   assert check_digit_ok(TEST_MY_NUMBER)\n\
         \x20   with open(path, encoding=\"utf-8-sig\", newline=\"\") as f:\n\
         \x20       for row in csv.DictReader(f):\n\
         \x20           LOG.info(\"emp %s\", row[\"社員番号\"])\n\
         \x20   return 0\n\n\n\
         if __name__ == \"__main__\":\n\
         \x20   sys.exit(main(sys.argv[1]))\n\
         # 問合せ: {COMPANY} 総務課 システム担当 (内線 215)\n"
    );
    w.text(
        "システム/batch/hr_sync.py",
        &b,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

fn config(w: &mut Writer) -> Result<(), SampleError> {
    let b = format!(
        "; hr_sync 設定ファイル\n\
         [db]\nhost = 10.0.3.15\nport = 5432\nname = payroll\nuser = hr_sync\npassword = ********\n\n\
         [api]\nbase = https://api.hr-cloud.example.com/v1\ntimeout = 30\nretry = 3\n\n\
         [smtp]\nhost = 192.168.10.5\nport = 25\nfrom = system@{DOMAIN}\nnotify = soumu@{DOMAIN}\n\n\
         [proxy]\nhttp = http://192.168.10.1:8080\n"
    );
    w.text(
        "システム/batch/hr_sync.ini",
        &b,
        text(Enc::Utf8, true),
        &[],
        About::none(),
    )
}

/// 内線表: departments, their extensions and direct lines.
fn extensions(w: &mut Writer) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("部署", None),
        col("内線", None),
        col("直通電話", None),
        col("FAX", None),
        col("備考", None),
    ]);
    let depts = [
        ("総務課", "215", "0268-22-5131", "0268-22-5139", ""),
        ("経理課", "221", "0268-22-5132", "0268-22-5139", ""),
        (
            "営業課",
            "301",
            "0268-22-5133",
            "0268-22-5138",
            "受注は9:00～17:00",
        ),
        (
            "通販事業部",
            "311",
            "0268-22-5134",
            "0268-22-5138",
            "お客様窓口 0120-38-8150",
        ),
        ("品質保証課", "401", "0268-22-5135", "", ""),
        ("製造1課", "501", "0268-22-5136", "", "①ライン詰所 内線511"),
        ("製造2課", "502", "0268-22-5137", "", "②ライン詰所 内線512"),
        ("物流課", "601", "0268-22-5140", "0268-22-5141", "出荷場"),
    ];
    for (d, ext, tel, fax, note) in depts {
        t.push(vec![
            d.into(),
            ext.into(),
            tel.into(),
            fax.into(),
            note.into(),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![
        vec![format!(
            "内線番号表　{COMPANY_SHORT}　{}年4月1日現在",
            TODAY.y
        )],
        vec![format!("代表 {COMPANY_TEL}　FAX {COMPANY_FAX}")],
        vec![],
    ];
    s.write(
        w,
        &format!("総務/内線表_{}年4月.csv", TODAY.y),
        About::none(),
    )
}

fn calendar(w: &mut Writer) -> Result<(), SampleError> {
    let y = TODAY.y;
    let b = format!(
        "{y}年度　年間休日カレンダー（上田工場）\n\
         \u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}{COMPANY_SHORT}　総務課\n\n\
         ①　4月29日（火）　昭和の日\n\
         ②　5月3日（土）～5月6日（火）　ゴールデンウィーク\n\
         ③　7月21日（月）　海の日\n\
         ④　8月9日（土）～8月17日（日）　夏季休業\n\
         ⑤　9月15日（月）　敬老の日\n\
         ⑥　9月23日（火）　秋分の日\n\
         ⑦　10月13日（月）　スポーツの日\n\
         ⑧　11月3日（月）　文化の日\n\
         ⑨　11月24日（月）　振替休日\n\
         ⑩　12月27日（土）～{y1}年1月4日（日）　年末年始休業\n\
         ⑪　{y1}年2月11日（水）　建国記念の日\n\
         ⑫　{y1}年3月20日（金）　春分の日\n\n\
         ※土曜日は原則休日。ただし繁忙期（11月～12月）は月2回の土曜出勤あり（別途通知）。\n\
         ※年間休日　115日　／　年間所定労働時間　1,952時間\n",
        y1 = y + 1
    );
    w.text(
        &format!("総務/年間休日カレンダー_{y}年度.txt"),
        &b,
        text(Enc::ShiftJis, true),
        &[],
        About::none(),
    )
}

/// 社内報, saved from Word as "Unicode text": departments only.
fn newsletter(w: &mut Writer) -> Result<(), SampleError> {
    let b = format!(
        "やまびこ通信　{y}年4月号（第87号）\n\n\
         ■ 製造2課が無災害300日を達成しました\n\
         製造2課では3月25日に無災害300日を達成しました。課内で続けてきたヒヤリハット報告の成果です。\n\n\
         ■ 品質保証課より：衛生ルール再徹底のお願い\n\
         工場内への私物の持ち込み禁止、入場前の手洗い（30秒）を改めて徹底してください。\
         定期健康診断は6月に実施予定です。詳細は総務課から案内します。\n\n\
         ■ 新入社員歓迎会\n\
         4月11日（金）18:30～　上田駅前にて。参加申込は各課で取りまとめ、4月4日までに総務課へ。\n\n\
         ■ 今月の新商品\n\
         信州みそ 減塩 750g（JAN {jan}）が通販・直売所で発売になりました。社員販売は2割引です。\n\n\
         ■ 直売所より\n\
         直売所は4月から土日も営業します（9:00～16:00）。お問い合わせは通販事業部 内線311。\n\n\
         編集：総務課　広報委員会\n",
        y = TODAY.y,
        jan = jan(1)
    );
    w.text(
        &format!("総務/社内報/やまびこ通信_{}年4月号.txt", TODAY.y),
        &b,
        text(Enc::Utf16LeBom, true),
        &[],
        About::none(),
    )
}

fn prices(w: &mut Writer) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("商品コード", None),
        col("JANコード", None),
        col("商品名", None),
        col("入数", None),
        col("希望小売価格", None),
        col("卸単価", None),
        col("賞味期間", None),
        col("備考", None),
    ]);
    for (k, (code, name, price)) in PRODUCTS.iter().enumerate() {
        t.push(vec![
            code.to_string(),
            jan(k),
            name.to_string(),
            ["12", "12", "6", "20", "20", "8"][k].into(),
            price.to_string(),
            (price * 62 / 100).to_string(),
            ["365日", "365日", "365日", "30日", "30日", "180日"][k].into(),
            match k {
                1 => "①新商品",
                5 => "②お中元期間のみ（6月～8月）",
                _ => "",
            }
            .into(),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.title = vec![vec![format!(
        "卸価格表（{}年4月1日改定）　{COMPANY_SHORT} 営業課",
        TODAY.y
    )]];
    s.footer = vec![vec![format!(
        "※価格は税抜。№{} 改定分。{COMPANY_ADDR} TEL {COMPANY_TEL}",
        TODAY.y - 2000
    )]];
    s.write(
        w,
        &format!("営業/価格表/卸価格表_{}年4月改定.csv", TODAY.y),
        About::none(),
    )
}

/// The customer-company list: companies, their main lines, our 担当.
fn clients(w: &mut Writer) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("得意先コード", None),
        col("得意先名", None),
        col("所在地", None),
        col("代表TEL", None),
        col("締日", None),
        col("担当", None),
    ]);
    for (k, (name, addr, tel)) in CLIENTS.iter().enumerate() {
        t.push(vec![
            format!("T{:04}", 101 + k),
            name.to_string(),
            addr.to_string(),
            tel.to_string(),
            ["20日", "末日", "15日"][k % 3].into(),
            ["中川", "石田", "小松"][k % 3].into(),
        ]);
    }
    let mut s = Sheet::new(t, ',', Enc::ShiftJis);
    s.footer = vec![vec![format!("自社 法人番号 {COMPANY_CORP_NO}")]];
    s.write(w, "営業/取引先/得意先一覧.csv", About::none())
}

/// HACCP 温度記録: equipment, temperatures, the checker's surname.
fn temperature(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let m = 1 + (r % 12) as u32;
    let mut t = Table::new(vec![
        col("日付", None),
        col("時刻", None),
        col("設備", None),
        col("温度(℃)", None),
        col("基準", None),
        col("判定", None),
        col("確認者", None),
    ]);
    for d in 1..=28u32 {
        for (k, (eq, base, lim)) in [
            ("冷蔵庫①", 4.0, "10℃以下"),
            ("冷凍庫②", -20.0, "-15℃以下"),
            ("発酵室③", 28.0, "25～32℃"),
        ]
        .iter()
        .enumerate()
        {
            t.push(vec![
                format!("{}/{m}/{d}", TODAY.y - i32::from(m > TODAY.m)),
                ["08:00", "13:00", "17:00"][(d as usize + k) % 3].into(),
                eq.to_string(),
                format!("{:.1}", base + f64::from(rng.gen_range(-15..15)) / 10.0),
                lim.to_string(),
                "適".into(),
                ["中川", "石田", "森"][(d as usize) % 3].into(),
            ]);
        }
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("品質保証/HACCP/温度記録_{:02}月{}.csv", m, sfx(r)),
        About::none(),
    )
}

fn sfx(r: usize) -> String {
    if r < 12 {
        String::new()
    } else {
        format!("_{}", r / 12 + 1)
    }
}

/// The HR-sync API gateway log: IPs, 12-digit request ids (some pass the
/// My Number check), `/mynumber/` paths, timings.
fn api_log(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let day = Date {
        y: TODAY.y,
        m: 3,
        d: 1 + (r % 28) as u32,
    };
    let mut b = String::new();
    let paths = [
        "GET /api/v1/employees?page=1&per_page=100",
        "GET /api/v1/employees/mynumber/status",
        "POST /api/v1/payroll/import",
        "GET /api/v1/attendance/daily",
        "GET /healthz",
    ];
    for k in 0..120 {
        let (h, mi, s) = (2 + k / 40, (k * 7) % 60, (k * 13) % 60);
        let path = paths[k % paths.len()];
        let status = if k % 37 == 36 { 503 } else { 200 };
        b.push_str(&format!(
            "{}-{:02}-{:02}T{h:02}:{mi:02}:{s:02}.{:03}+09:00 {} [hr-sync] {} - req_id={} {path} {status} {}ms\n",
            day.y,
            day.m,
            day.d,
            rng.gen_range(0..1000),
            if status == 200 { "INFO " } else { "WARN " },
            ["10.0.3.15", "192.168.10.23", "192.168.20.11"][k % 3],
            digits12(rng, k % 4 == 1),
            rng.gen_range(3..900)
        ));
        if status != 200 {
            b.push_str("    retry 1/3 after 3000ms (upstream timeout)\n");
        }
    }
    w.text(
        &format!(
            "システム/logs/hr-sync_{}{:02}{:02}{}.log",
            day.y,
            day.m,
            day.d,
            if r >= 28 {
                format!("_{}", r / 28)
            } else {
                String::new()
            }
        ),
        &b,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

/// 生産会議 minutes: 出席者 by title and full name, 記録 by surname.
fn minutes(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let m = 1 + (r % 12) as u32;
    let y = TODAY.y - i32::from(m > TODAY.m);
    let d = 2 + (r % 5) as u32 * 7;
    let b = format!(
        "生産会議　議事録\n\
         日時：{y}年{m}月{d}日（月）9:00～10:00\n\
         場所：上田工場　会議室②\n\
         出席者：工場長 山本 一郎、製造1課長 中川 浩二、製造2課長 森 正樹、品質保証課長 鈴木 花子、物流課長 石田 剛\n\
         記録：総務課 小松\n\n\
         1. 前月実績：生産量 {t}t（計画比 {pct}%）、クレーム {c}件（異物混入1件：毛髪、原因調査中）\n\
         2. 今月の生産計画：信州みそ減塩を増産（②ライン）。野沢菜は原料入荷次第。\n\
         3. 設備：③ライン充填機のオーバーホールを連休中に実施（業者：㈱信州メンテック）。\n\
         4. 次回：{m}月{d2}日（月）9:00～\n\n以上\n",
        t = rng.gen_range(80..140),
        pct = rng.gen_range(88..106),
        c = rng.gen_range(0..4),
        d2 = (d + 7).min(28),
    );
    w.text(
        &format!("製造部/会議/生産会議_議事録_{y}{m:02}{}.txt", sfx(r)),
        &b,
        text(Enc::ShiftJis, true),
        &[],
        About::none(),
    )
}

/// 出荷実績一覧表 printed to CSV: 40 rows a page, title and header on each.
fn shipments(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let m = 1 + (r % 12) as u32;
    let mut t = Table::new(vec![
        col("出荷日", None),
        col("伝票番号", None),
        col("得意先名", None),
        col("商品コード", None),
        col("商品名", None),
        col("数量", None),
        col("金額", None),
    ]);
    for k in 0..400usize {
        let (client, _, _) = CLIENTS[k % CLIENTS.len()];
        let (code, name, price) = PRODUCTS[(k * 7) % PRODUCTS.len()];
        let q: u32 = rng.gen_range(1..60) * 6;
        t.push(vec![
            format!("{m}/{}", 1 + k % 28),
            digits12(rng, k % 9 == 0),
            client.into(),
            code.into(),
            name.into(),
            q.to_string(),
            (q * price * 62 / 100).to_string(),
        ]);
    }
    let title = |page: usize, pages: usize| -> Vec<String> {
        vec![
            "出荷実績一覧表".into(),
            String::new(),
            format!("{}年{m}月分", TODAY.y),
            String::new(),
            format!("{COMPANY_SHORT} 物流課"),
            String::new(),
            format!("{page}／{pages}ページ"),
        ]
    };
    paged(
        w,
        &format!("物流/出荷実績/出荷実績一覧_{}{m:02}{}.csv", TODAY.y, sfx(r)),
        &t,
        40,
        &title,
        Enc::ShiftJis,
        About::none(),
    )
}

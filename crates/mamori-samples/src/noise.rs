//! Files without personal data that *look* dangerous: numbers that pass the
//! My Number check digit, corporate numbers, company addresses and phones,
//! meeting minutes, logs, configs, binaries, an empty file. Truth: category
//! None, no items. They are how a detector's false positives are measured.

use crate::encodings::{col, csv, text, tsv, Enc, Table};
use crate::persons::{my_number_check, TODAY};
use crate::refdata::{self, CLIENT_COMPANIES};
use crate::style::Style;
use crate::truth::{About, Writer};
use crate::world::{company_phone, DEPARTMENTS};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

const KINDS: usize = 12;

pub fn write(
    w: &mut Writer,
    count: usize,
    st: Style,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    for i in 0..count {
        let round = i / KINDS;
        let sfx = if round == 0 {
            String::new()
        } else {
            format!("_{round}")
        };
        match i % KINDS {
            0 => products(w, st, rng, &sfx)?,
            1 => invoices(w, st, rng, &sfx)?,
            2 => profile(w, st, rng, round)?,
            3 => minutes(w, st, rng, round)?,
            4 => stock_tsv(w, st, rng, &sfx)?,
            5 => log(w, rng, round)?,
            6 => readme(w, round)?,
            7 => config_json(w, rng, round)?,
            8 => config_xml(w, round)?,
            9 => png(w, st, round)?,
            10 => blob(w, rng, round)?,
            _ => empty(w, st, round)?,
        }
    }
    Ok(())
}

/// A 12-digit code; every other one is made to pass the My Number check
/// digit, because real product masters hold such numbers by chance.
fn product_code(rng: &mut ChaCha8Rng, check_valid: bool) -> String {
    let mut body = [0u8; 11];
    for b in body.iter_mut() {
        *b = rng.gen_range(0..10);
    }
    body[0] = rng.gen_range(1..10);
    let c = if check_valid {
        my_number_check(&body)
    } else {
        (my_number_check(&body) + rng.gen_range(1..10)) % 10
    };
    body.iter()
        .chain(std::iter::once(&c))
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// JAN-13 with its check digit (weights 1,3 from the left).
fn jan(rng: &mut ChaCha8Rng) -> String {
    let mut d: Vec<u32> = vec![4, [5, 9][rng.gen_range(0..2)]];
    while d.len() < 12 {
        d.push(rng.gen_range(0..10));
    }
    let s: u32 = d
        .iter()
        .enumerate()
        .map(|(i, x)| if i % 2 == 0 { *x } else { x * 3 })
        .sum();
    d.push((10 - s % 10) % 10);
    d.iter().filter_map(|x| char::from_digit(*x, 10)).collect()
}

/// Valid corporate number: C = 9 − (Σ P_n·Q_n mod 9) over the 12-digit base.
pub fn corporate_number(rng: &mut ChaCha8Rng) -> String {
    let base: Vec<u32> = (0..12).map(|_| rng.gen_range(0..10)).collect();
    let s: u32 = base
        .iter()
        .rev()
        .enumerate()
        .map(|(i, p)| if i % 2 == 0 { *p } else { p * 2 })
        .sum();
    let c = 9 - s % 9;
    std::iter::once(c)
        .chain(base)
        .filter_map(|x| char::from_digit(x, 10))
        .collect()
}

fn products(w: &mut Writer, st: Style, rng: &mut ChaCha8Rng, sfx: &str) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("商品コード", None),
        col("JANコード", None),
        col("商品名", None),
        col("単価", None),
        col("仕入先", None),
    ]);
    let goods = [
        "石膏ボード 9.5mm",
        "構造用合板 12mm",
        "断熱材 GW16K",
        "コンクリートブロック",
        "防水シート",
        "ビス 3.8×25",
        "塩ビ管 VU50",
        "LED照明器具",
    ];
    for i in 0..40 {
        t.push(vec![
            product_code(rng, i % 2 == 0),
            jan(rng),
            goods[i % goods.len()].into(),
            (rng.gen_range(10..5000) * 10).to_string(),
            CLIENT_COMPANIES[i % CLIENT_COMPANIES.len()].0.into(),
        ]);
    }
    let rel = format!(
        "{}/{}{sfx}.csv",
        st.eigyo(),
        st.pick("商品マスタ", "品目マスター")
    );
    w.table(&rel, &t, csv(Enc::ShiftJis), About::none())
}

fn invoices(w: &mut Writer, st: Style, rng: &mut ChaCha8Rng, sfx: &str) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("請求書番号", None),
        col("発行日", None),
        col("取引先", None),
        col("登録番号", None),
        col("所在地", None),
        col("代表電話", None),
        col("金額", None),
    ]);
    for i in 0..30 {
        let (company, corp) = if i < CLIENT_COMPANIES.len() {
            (
                CLIENT_COMPANIES[i].0.to_string(),
                CLIENT_COMPANIES[i].1.to_string(),
            )
        } else {
            let n = ["株式会社", "有限会社"][i % 2];
            let core = [
                "山城商店",
                "東邦資材",
                "光和設備",
                "中央建材",
                "協和電機",
                "大成物流",
            ][i % 6];
            (format!("{n}{core}"), corporate_number(rng))
        };
        let loc = refdata::locality(i * 3 + 1);
        t.push(vec![
            format!("INV-{}-{:05}", TODAY.y, 100 + i * 7),
            format!(
                "{}/{:02}/{:02}",
                TODAY.y,
                rng.gen_range(1..4),
                rng.gen_range(1..28)
            ),
            company,
            format!("T{corp}"),
            format!(
                "〒{} {}{}{}{}-{}-{}",
                loc.postal,
                loc.prefecture,
                loc.municipality,
                loc.town,
                rng.gen_range(1..5),
                rng.gen_range(1..20),
                rng.gen_range(1..15)
            ),
            company_phone(rng, &loc.area_code),
            (rng.gen_range(1..900) * 1000).to_string(),
        ]);
    }
    let rel = format!("経理部/{}{sfx}.csv", st.pick("請求書一覧", "請求管理表"));
    w.table(&rel, &t, csv(st.csv_enc()), About::none())
}

fn profile(
    w: &mut Writer,
    st: Style,
    rng: &mut ChaCha8Rng,
    round: usize,
) -> Result<(), SampleError> {
    let loc = refdata::locality(round * 5 + 1);
    let body = format!(
        "会社概要\n\n商号　　　株式会社やまと工務店\n法人番号　{}\n所在地　　〒{} {}{}{}2丁目3番4号 やまとビル5階\n\
         代表電話　{}\nFAX　　　 {}\n設立　　　1978年4月\n資本金　　5,000万円\n従業員数　{}名\n\
         事業内容　住宅・店舗の設計施工、リフォーム\n建設業許可　{}知事許可（般-{}）第{}号\n",
        if round == 0 { "7040001016687".to_string() } else { corporate_number(rng) },
        loc.postal,
        loc.prefecture,
        loc.municipality,
        loc.town,
        company_phone(rng, &loc.area_code),
        company_phone(rng, &loc.area_code),
        rng.gen_range(30..300),
        loc.prefecture,
        TODAY.y % 100 - 3,
        rng.gen_range(10000..99999),
    );
    let rel = if round == 0 {
        format!("{}/会社概要.txt", st.soumu())
    } else {
        format!("{}/会社概要_旧{round}.txt", st.soumu())
    };
    w.text(&rel, &body, text(Enc::Utf8, false), &[], About::none())
}

fn minutes(
    w: &mut Writer,
    st: Style,
    rng: &mut ChaCha8Rng,
    round: usize,
) -> Result<(), SampleError> {
    let m = (round % 12) as u32 + 1;
    let d = rng.gen_range(1..28);
    let body = format!(
        "{}年{m}月{d}日 定例部長会議 議事録\n\n日時：{}年{m}月{d}日 10:00～11:30\n場所：本社3階 第1会議室\n\
         出席：{}、{}、{} 各部長\n\n1. 前月実績報告\n  受注高は前年同月比{}%。工事部より現場3件の進捗報告。\n\
         2. 安全衛生\n  熱中症対策として休憩所を増設する。\n3. その他\n  次回は{}月第2月曜日。\n",
        TODAY.y,
        TODAY.y,
        DEPARTMENTS[round % DEPARTMENTS.len()],
        DEPARTMENTS[(round + 1) % DEPARTMENTS.len()],
        DEPARTMENTS[(round + 2) % DEPARTMENTS.len()],
        rng.gen_range(90..125),
        m % 12 + 1,
    );
    let rel = format!("{}/議事録/{}{m:02}{d:02}_部長会議.txt", st.soumu(), TODAY.y);
    w.text(
        &rel,
        &body,
        text(st.pick(Enc::ShiftJis, Enc::Utf8), true),
        &[],
        About::none(),
    )
}

fn stock_tsv(
    w: &mut Writer,
    st: Style,
    rng: &mut ChaCha8Rng,
    sfx: &str,
) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("品番", None),
        col("倉庫", None),
        col("棚", None),
        col("数量", None),
        col("最終入庫", None),
    ]);
    for i in 0..50 {
        t.push(vec![
            format!("{:08}", rng.gen_range(10_000_000..99_999_999u32)),
            ["本社倉庫", "第二倉庫", "現場置場"][i % 3].into(),
            format!("{}-{:02}", ["A", "B", "C"][i % 3], rng.gen_range(1..40)),
            rng.gen_range(0..500).to_string(),
            format!(
                "{}-{:02}-{:02}",
                TODAY.y,
                rng.gen_range(1..4),
                rng.gen_range(1..28)
            ),
        ]);
    }
    let rel = format!("{}/在庫{sfx}.tsv", st.pick("倉庫", "資材管理"));
    w.table(&rel, &t, tsv(Enc::Utf8), About::none())
}

fn log(w: &mut Writer, rng: &mut ChaCha8Rng, round: usize) -> Result<(), SampleError> {
    let mut body = String::new();
    for i in 0..200u32 {
        body.push_str(&format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}+09:00 INFO [job-{}] request_id={} user=u{:04} elapsed_ms={} status=200\n",
            TODAY.y,
            TODAY.m,
            (round % 28) + 1,
            8 + i / 30,
            (i * 7) % 60,
            (i * 13) % 60,
            rng.gen_range(1..9),
            rng.gen_range(100_000_000_000u64..999_999_999_999),
            rng.gen_range(1000..1100),
            rng.gen_range(3..900),
        ));
    }
    let rel = format!(
        "システム/logs/app-{}{:02}{:02}.log",
        TODAY.y,
        TODAY.m,
        (round % 28) + 1
    );
    w.text(&rel, &body, text(Enc::Utf8, false), &[], About::none())
}

fn readme(w: &mut Writer, round: usize) -> Result<(), SampleError> {
    let body = "# 共有フォルダの使い方\n\n- 各部のフォルダに保存してください。\n- 個人情報を含むファイルは所定のフォルダ以外に置かないこと。\n- 問い合わせ: 情報システム担当 (内線 210)\n";
    let rel = if round == 0 {
        "README.md".to_string()
    } else {
        format!("システム/README_{round}.md")
    };
    w.text(&rel, body, text(Enc::Utf8, false), &[], About::none())
}

fn config_json(w: &mut Writer, rng: &mut ChaCha8Rng, round: usize) -> Result<(), SampleError> {
    let body = format!(
        "{{\n  \"version\": 3,\n  \"backup\": {{ \"hour\": {}, \"keep_days\": 30, \"target\": \"nas01\" }},\n  \"printer\": \"複合機-2F\",\n  \"license_key\": \"{:04}-{:04}-{:04}\"\n}}\n",
        rng.gen_range(0..6),
        rng.gen_range(1000..9999),
        rng.gen_range(1000..9999),
        rng.gen_range(1000..9999),
    );
    w.text(
        &format!("システム/config{round}.json"),
        &body,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

fn config_xml(w: &mut Writer, round: usize) -> Result<(), SampleError> {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n  <share name=\"共有\" path=\"/srv/share\"/>\n  <retention days=\"2555\"/>\n</settings>\n";
    w.text(
        &format!("システム/settings{round}.xml"),
        body,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

fn png(w: &mut Writer, st: Style, round: usize) -> Result<(), SampleError> {
    let rel = format!("{}/ロゴ{round}.png", st.pick("広報", "広報室"));
    w.bytes(&rel, &tiny_png(), None, BTreeSet::new(), About::none())
}

fn blob(w: &mut Writer, rng: &mut ChaCha8Rng, round: usize) -> Result<(), SampleError> {
    let bytes: Vec<u8> = (0..4096).map(|_| rng.gen()).collect();
    w.bytes(
        &format!("システム/backup{round}.bin"),
        &bytes,
        None,
        BTreeSet::new(),
        About::none(),
    )
}

fn empty(w: &mut Writer, st: Style, round: usize) -> Result<(), SampleError> {
    let rel = format!("{}/新しいテキスト ドキュメント{round}.txt", st.soumu());
    w.bytes(&rel, &[], None, BTreeSet::new(), About::none())
}

/// A valid 1×1 RGBA PNG (signature, IHDR, IDAT with a stored zlib block, IEND).
fn tiny_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32fast::hash(&c).to_be_bytes());
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let ihdr = [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];
    chunk(&mut out, b"IHDR", &ihdr);
    let raw = [0u8, 0x2E, 0x6B, 0xB5, 0xFF]; // filter 0 + one RGBA pixel
    let mut z = vec![0x78, 0x01, 0x01, 0x05, 0x00, 0xFA, 0xFF];
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for x in raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn corporate_numbers_check() {
        // The reference's known-valid numbers satisfy the same formula.
        fn valid(s: &str) -> bool {
            let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
            let sum: u32 = d[1..]
                .iter()
                .rev()
                .enumerate()
                .map(|(i, p)| if i % 2 == 0 { *p } else { p * 2 })
                .sum();
            d[0] == 9 - sum % 9
        }
        for known in ["1180301018771", "6010701027558", "7040001016687"] {
            assert!(valid(known), "{known}");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..50 {
            assert!(valid(&corporate_number(&mut rng)));
        }
    }
}

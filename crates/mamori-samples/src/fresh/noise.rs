//! Files about no natural person that look personal: filled-in 記入例
//! forms, minutes naming staff by surname and title, tracking-number
//! lists (12 digits, some passing the My Number check), rate sheets with
//! 0120 numbers and info@ mailboxes, digital-tachograph logs, the vehicle
//! register, the warehouse stock list and a 年末調整 notice that talks
//! about My Numbers without holding one. Truth: category None, no items.

use super::{
    short, COMPANY, COMPANY_ADDR, COMPANY_CORP_NO, COMPANY_FREE, COMPANY_MAIL, COMPANY_TEL,
    SECTIONS,
};
use crate::encodings::{col, text, Enc, Table};
use crate::held::Sheet;
use crate::persons::{my_number_check, Date, TODAY};
use crate::refdata::CLIENT_COMPANIES;
use crate::truth::{About, Writer};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One-off documents first (three 記入例 forms, two notices, a rate sheet,
/// four minutes), then the files a busy office has many of.
const ONE_OFFS: usize = 10;
const REPEATED: usize = 4;

pub fn write(w: &mut Writer, count: usize, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    for i in 0..count {
        match i {
            0..=2 => sample_form(w, i)?,
            3 | 4 => notice(w, rng, i - 3)?,
            5 => rates(w, 0)?,
            6..=9 => minutes(w, rng, i - 6)?,
            _ => {
                let k = i - ONE_OFFS;
                let r = k / REPEATED;
                match k % REPEATED {
                    0 => tracking(w, rng, r)?,
                    1 => tacho(w, rng, r)?,
                    2 => stock(w, rng, r)?,
                    _ => vehicles(w, rng, r)?,
                }
            }
        }
    }
    Ok(())
}

fn sfx(r: usize) -> String {
    if r == 0 {
        String::new()
    } else {
        format!("_{:02}", r + 1)
    }
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

/// A form's 記入例: the model person 山田 太郎 (or 花子) with a made-up
/// address and numbers. A template, not anyone's data.
fn sample_form(w: &mut Writer, r: usize) -> Result<(), SampleError> {
    let (title, body) = match r % 3 {
        0 => (
            "住所変更届",
            "【記入例】\n氏名：山田　太郎\nフリガナ：ヤマダ　タロウ\n所属：配送1課\n\
             新住所：〒370-0000 群馬県高崎市○○町1丁目2番3号\n電話番号：090-1234-5678\n\
             異動日：令和7年4月1日\n\n※通勤経路が変わる場合は通勤手当申請書も提出してください。\n",
        ),
        1 => (
            "扶養控除等申告書",
            "記入例\n\n本人　氏名 山田 太郎　生年月日 昭和60年4月1日\n\
             個人番号 ＊＊＊＊ ＊＊＊＊ ＊＊＊＊（本人確認後に記入）\n\
             控除対象配偶者　山田 花子（妻）　昭和62年5月5日生\n\
             扶養親族　山田 一郎（長男）　平成27年6月6日生\n\n\
             ※個人番号は記入例には記載しません。提出時はマイナンバーカードの写しを添付。\n",
        ),
        _ => (
            "給与振込口座届",
            "＜記入例＞\n口座名義（ｶﾅ）：ﾔﾏﾀﾞ ﾀﾛｳ\n金融機関：○○銀行　△△支店\n\
             預金種目：普通\n口座番号：1234567\n\n※通帳のコピー（表紙裏）を添付してください。\n",
        ),
    };
    let b = format!("{title}　記入例\n{COMPANY} 総務課\n\n{body}");
    w.text(
        &format!("総務/書式/{title}_記入例{}.txt", sfx(r)),
        &b,
        text(Enc::Utf8, true),
        &[],
        About::none(),
    )
}

/// 運行会議 minutes: staff by surname and title, dates, one 欠席 with さん.
fn minutes(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let m = (r % 12) as u32 + 1;
    let d = Date {
        y: TODAY.y - i32::from(m > TODAY.m),
        m,
        d: rng.gen_range(3..27),
    };
    let b = format!(
        "運行会議 議事録\n日時：{}（月）8:30～9:15\n場所：本社2F\n\
         出席：田村部長、小野課長、石井係長、中島（記録）\n欠席：森田さん（有給）\n\n\
         1. 前月実績：稼働率{}%、事故0件、荷物事故{}件（{}、破損）\n\
         2. 点呼：アルコール検知器の校正日 {}。予備機は倉庫課で保管。\n\
         3. 繁忙期対応：3月の引越は{}件受付済。傭車の手配は小野課長。\n\
         4. 次回 {}\n",
        short(d),
        rng.gen_range(82..97),
        rng.gen_range(0..3),
        SECTIONS[r % 2],
        short(Date { d: 20, ..d }),
        rng.gen_range(120..260),
        short(Date {
            d: (d.d + 7).min(28),
            ..d
        })
    );
    w.text(
        &format!("運行管理/会議/運行会議_{}{m:02}{}.txt", d.y, sfx(r)),
        &b,
        text(Enc::ShiftJis, true),
        &[],
        About::none(),
    )
}

/// Shipment list: 12-digit tracking numbers, corporate consignees with
/// their own phones and addresses.
fn tracking(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("出荷日", None),
        col("送り状番号", None),
        col("荷受人", None),
        col("届け先TEL", None),
        col("届け先住所", None),
        col("個数", None),
        col("重量kg", None),
    ]);
    for k in 0..60 {
        let (client, _) = CLIENT_COMPANIES[k % CLIENT_COMPANIES.len()];
        t.push(vec![
            format!("{}/{}/{}", TODAY.y, 1 + r % 12, 1 + k % 28),
            digits12(rng, k % 11 == 0),
            format!("{client} 物流センター"),
            format!(
                "027-3{:02}-{:04}",
                rng.gen_range(10..99),
                rng.gen_range(0..10000)
            ),
            format!("群馬県高崎市倉賀野町{}番地", rng.gen_range(100..3000)),
            rng.gen_range(1..40).to_string(),
            rng.gen_range(5..900).to_string(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!(
            "営業/出荷実績/shipments_{}{:02}{}.csv",
            TODAY.y,
            1 + r % 12,
            sfx(r)
        ),
        About::none(),
    )
}

/// Rate sheet / company profile: 0120, the representative line and info@.
fn rates(w: &mut Writer, r: usize) -> Result<(), SampleError> {
    let b = format!(
        "{COMPANY}　引越料金のご案内（{}年度）\n\n\
         単身パック　　　 28,000円～\n家族プラン（3LDK）98,000円～\n\
         ※土日祝は20%増し。エアコン脱着 1台 15,000円\n\n\
         お申込み・お問い合わせ\nフリーダイヤル {COMPANY_FREE}（受付時間 9:00～18:00）\n\
         代表 {COMPANY_TEL}　FAX 027-325-4419\nMail {COMPANY_MAIL}\n\
         {COMPANY_ADDR}\n法人番号 {COMPANY_CORP_NO}\n一般貨物自動車運送事業 関自貨第1234号\n",
        TODAY.y + r as i32 % 2
    );
    w.text(
        &format!("営業/資料/料金表{}.txt", sfx(r)),
        &b,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

/// Digital-tachograph export: timestamps, vehicle, driver code, events.
fn tacho(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut b = String::from("DATE,TIME,VEHICLE,DRV_CD,EVENT,SPEED,ODO\n");
    let day = 1 + (r % 28) as u32;
    let mut odo = rng.gen_range(100_000..600_000);
    for k in 0..80 {
        odo += rng.gen_range(0..12);
        b.push_str(&format!(
            "{}/{:02}/{day:02},{:02}:{:02}:{:02},群馬100か{:02}-{:02},{:04},{},{},{odo}\n",
            TODAY.y,
            TODAY.m,
            5 + k / 8,
            (k * 7) % 60,
            rng.gen_range(0..60),
            10 + r % 80,
            20 + r % 70,
            100 + r % 40,
            ["出庫", "走行", "休憩", "荷積", "荷卸", "帰庫"][k % 6],
            rng.gen_range(0..80)
        ));
    }
    w.text(
        &format!(
            "運行管理/デジタコ/DT{}{:02}{day:02}{}.csv",
            TODAY.y,
            TODAY.m,
            sfx(r)
        ),
        &b,
        text(Enc::Utf8, false),
        &[],
        About::none(),
    )
}

/// 車両台帳: registration, chassis numbers, inspection and policy numbers.
fn vehicles(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("車番", None),
        col("車名", None),
        col("車台番号", None),
        col("初度登録", None),
        col("車検満了日", None),
        col("自賠責証券番号", None),
        col("配置", None),
    ]);
    for k in 0..30 {
        t.push(vec![
            format!("群馬100か{:02}-{:02}", 10 + k, rng.gen_range(10..99)),
            [
                "いすゞ フォワード",
                "日野 レンジャー",
                "三菱ふそう キャンター",
            ][k % 3]
                .into(),
            format!("FRR90-{:07}", rng.gen_range(1_000_000..9_999_999)),
            short(Date::random_between(rng, 2012, TODAY.y - 1)),
            short(Date::random_between(rng, TODAY.y, TODAY.y + 1)),
            format!(
                "{}{:09}",
                ["AB", "KC", "TM"][k % 3],
                rng.gen_range(0..1_000_000_000)
            ),
            SECTIONS[k % 3].into(),
        ]);
    }
    let s = Sheet::new(t, ',', Enc::ShiftJis);
    s.write(
        w,
        &format!("総務/車両/車両台帳{}.csv", sfx(r)),
        About::none(),
    )
}

/// Warehouse stock: JAN codes, lots and 12-digit serials (random: about one
/// in eleven passes the My Number check).
fn stock(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("ロケーション", None),
        col("JAN", None),
        col("品名", None),
        col("ロット", None),
        col("S/N", None),
        col("入庫日", None),
        col("数量", None),
    ]);
    for k in 0..50 {
        t.push(vec![
            format!("{}-{:02}-{}", ["A", "B", "C"][k % 3], k / 3 + 1, k % 4 + 1),
            format!("49{:011}", rng.gen_range(0..100_000_000_000u64)),
            [
                "電動工具セット",
                "家庭用蓄電池",
                "空気清浄機",
                "業務用冷蔵庫",
            ][k % 4]
                .into(),
            format!("L{}{:04}", TODAY.y % 100, rng.gen_range(0..10000)),
            digits12(rng, false),
            format!("{}-{:02}-{:02}", TODAY.y, 1 + (k % 3), 1 + k % 28),
            rng.gen_range(1..300).to_string(),
        ]);
    }
    let s = Sheet::new(t, '\t', Enc::Utf8);
    s.write(
        w,
        &format!("倉庫/在庫/stock_{}{}.tsv", TODAY.y, sfx(r)),
        About::none(),
    )
}

/// 年末調整 notice to all staff: speaks of マイナンバー, 扶養, 生年月日 and
/// carries a check-valid 12-digit 受付番号 of the e-filing service.
fn notice(w: &mut Writer, rng: &mut ChaCha8Rng, r: usize) -> Result<(), SampleError> {
    let b = format!(
        "【全社員】年末調整書類の提出について\n\n{}年分の年末調整を行います。\n\
         ・扶養控除等申告書：扶養親族の氏名、生年月日、マイナンバーを記入\n\
         ・保険料控除申告書：控除証明書を添付\n\
         提出期限：{}　提出先：総務課\n\n\
         電子申告の受付番号 {}（会社全体で1件）\n\
         お問い合わせ：総務課 内線 210 / {COMPANY_MAIL}\n",
        TODAY.y - 1,
        short(Date {
            y: TODAY.y - 1,
            m: 11,
            d: 15 + (r % 10) as u32,
        }),
        digits12(rng, true)
    );
    w.text(
        &format!("総務/お知らせ/年末調整のお知らせ{}.txt", sfx(r)),
        &b,
        text(Enc::Utf8Bom, true),
        &[],
        About::none(),
    )
}

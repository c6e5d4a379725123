//! `Style::Fifth`: the share of a fifth company, 株式会社やまびこ食品 (a
//! food manufacturer in 長野県上田市: a miso/pickles factory run largely by
//! パート and 派遣 staff, a mail-order shop for private customers, and
//! shareholders managed by a 信託銀行's 証券代行), written apart from the
//! detector and from the other four styles. Same vocabulary, other habits:
//! what real shares hold that hand-made spreadsheets do not.
//!
//! * **Business-software exports**: an HR SaaS employee export (姓/名/姓
//!   （ヨミガナ） split, 基礎年金番号, 雇用保険の被保険者番号, every cell
//!   quoted, UTF-8 BOM); a 勤怠 SaaS 打刻 export (one row per person and
//!   day, thousands of rows, IP of the 打刻 terminal); a 給与ソフト 賃金台帳
//!   printed to CSV with a title row and the header repeated on every page;
//!   a 年末調整 export (spouse and dependants with their 個人番号, 障害者区分,
//!   世帯主); a 信託銀行 株主名簿 export (full-width digits, 配当金受取方法,
//!   法人 and 持株会 rows); 求人媒体 and 新卒ナビ exports; an EC cart's 会員
//!   export (性別 as a code 1/2).
//! * **Official kanji in official files**: payroll and year-end files spell
//!   surnames as on the 住民票 (髙橋, 山﨑, CP932 extension characters), the
//!   勤怠 and HR SaaS files as typed (高橋, 山崎): the same persons.
//! * **Prose**: a UTF-16LE 引継ぎ書 and 安全衛生委員会 minutes that talk about
//!   people in running sentences (「製造2課の〇〇さんは…」), with staff in a
//!   business role beside them (担当：佐々木, 出席者 lists).
//! * **Food-factory health data**: 検便 (stool test) results and a daily 衛生
//!   チェック表 (体温, 下痢・嘔吐, 手指の傷) for 派遣 staff; customer
//!   アレルギー fields; free comments in a questionnaire.
//! * **Printed forms** (申込書 with ①②… labels, Shift_JIS) and noise: code
//!   and config files, API logs with IPs and 12-digit request ids next to
//!   the word `mynumber`, price lists with JAN codes, the department phone
//!   list (直通/内線/代表), the holiday calendar, the 社内報, minutes whose
//!   only names are 出席者, HACCP temperature logs, long shipment reports
//!   with page headers.
//!
//! Truth conventions beyond the crate's: see the crate doc comment.

mod noise;
mod outside;
mod staff;

use crate::encodings::{encode, Enc, Format, Table};
use crate::persons::{fullwidth_digits, Date};
use crate::truth::{About, Writer};
use crate::world::World;
use crate::SampleError;
use rand_chacha::ChaCha8Rng;

pub(crate) const COMPANY: &str = "株式会社やまびこ食品";
pub(crate) const COMPANY_SHORT: &str = "㈱やまびこ食品";
pub(crate) const COMPANY_ADDR: &str = "〒386-0002 長野県上田市住吉1045番地";
pub(crate) const COMPANY_TEL: &str = "0268-22-5130";
pub(crate) const COMPANY_FAX: &str = "0268-22-5139";
pub(crate) const COMPANY_CORP_NO: &str = "1180301018771";
pub(crate) const DOMAIN: &str = "yamabiko-foods.example.jp";

/// This company's sections, by employee index.
pub(crate) const SECTIONS: &[&str] = &[
    "製造1課",
    "製造2課",
    "製造1課",
    "品質保証課",
    "物流課",
    "営業課",
    "製造2課",
    "総務課",
];

pub(crate) fn section(i: usize) -> &'static str {
    SECTIONS[i % SECTIONS.len()]
}

/// 雇用形態 by employee index: a factory of part-timers.
pub(crate) fn contract(i: usize) -> &'static str {
    match i % 5 {
        0 | 3 => "正社員",
        4 => "契約社員",
        _ => "パート",
    }
}

pub fn write(
    w: &mut Writer,
    world: &World,
    noise_files: usize,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    staff::write(w, world, rng)?;
    outside::write(w, world, rng)?;
    noise::write(w, noise_files, rng)?;
    Ok(())
}

/// The surname as the 住民票 spells it (CP932 extension kanji): what the
/// payroll and year-end software hold. Everyday files write the common form.
pub(crate) fn official(name: &str) -> String {
    name.replacen('高', "髙", 1).replacen('崎', "﨑", 1)
}

/// 1980/03/02
pub(crate) fn slash(d: Date) -> String {
    format!("{}/{:02}/{:02}", d.y, d.m, d.d)
}

/// 昭和55年03月02日 (what 年末調整 software prints).
pub(crate) fn era_padded(d: Date) -> String {
    let s = d.fmt(crate::persons::DateFmt::EraKanji);
    let era: String = s.chars().take(2).collect();
    let rest: String = s.chars().skip(2).take_while(|c| *c != '年').collect();
    let y: i32 = if rest == "元" {
        1
    } else {
        rest.parse().unwrap_or(1)
    };
    format!("{era}{y:02}年{:02}月{:02}日", d.m, d.d)
}

/// ２丁目３番４号 / １－２－３: how the 信託銀行 prints addresses.
pub(crate) fn zenkaku(s: &str) -> String {
    fullwidth_digits(s).replace('-', "－").replace(' ', "　")
}

/// CSV lines with every cell quoted (what the SaaS exports write).
pub(crate) fn quoted_line(cells: &[String]) -> String {
    let v: Vec<String> = cells
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    v.join(",")
}

/// A report printed to CSV: every `per_page` rows, a title row (with the
/// page number) and the header again, a blank line between pages. Items come
/// from the table's columns.
pub(crate) fn paged(
    w: &mut Writer,
    rel: &str,
    t: &Table,
    per_page: usize,
    title: &dyn Fn(usize, usize) -> Vec<String>,
    enc: Enc,
    about: About<'_>,
) -> Result<(), SampleError> {
    let pages = t.rows.len().div_ceil(per_page).max(1);
    let header: Vec<String> = t.cols.iter().map(|c| c.header.clone()).collect();
    let mut s = String::new();
    for (p, chunk) in t.rows.chunks(per_page.max(1)).enumerate() {
        if p > 0 {
            s.push_str("\r\n");
        }
        s.push_str(&csv_line(&title(p + 1, pages)));
        s.push_str(&csv_line(&header));
        for r in chunk {
            s.push_str(&csv_line(r));
        }
    }
    let bytes = encode(&s, enc)?;
    let fmt = Format::Delimited {
        enc,
        delim: ',',
        crlf: true,
    };
    w.bytes(rel, &bytes, Some(fmt), t.items(), about)
}

fn csv_line(cells: &[String]) -> String {
    let v: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    v.join(",") + "\r\n"
}

/// Writes a table with every cell quoted.
pub(crate) fn quoted(
    w: &mut Writer,
    rel: &str,
    t: &Table,
    enc: Enc,
    about: About<'_>,
) -> Result<(), SampleError> {
    let mut s = String::new();
    let header: Vec<String> = t.cols.iter().map(|c| c.header.clone()).collect();
    s.push_str(&quoted_line(&header));
    s.push_str("\r\n");
    for r in &t.rows {
        s.push_str(&quoted_line(r));
        s.push_str("\r\n");
    }
    let bytes = encode(&s, enc)?;
    let fmt = Format::Delimited {
        enc,
        delim: ',',
        crlf: true,
    };
    w.bytes(rel, &bytes, Some(fmt), t.items(), about)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_and_encodings() {
        let d = Date {
            y: 1980,
            m: 3,
            d: 2,
        };
        assert_eq!(slash(d), "1980/03/02");
        assert_eq!(era_padded(d), "昭和55年03月02日");
        assert_eq!(official("高橋"), "髙橋");
        assert_eq!(official("山崎"), "山﨑");
        assert_eq!(zenkaku("2丁目3-4"), "２丁目３－４");
        // CP932 holds the extension kanji and the NEC specials this style writes.
        for s in ["髙橋", "山﨑", "①②③", "㈱", "～", "Ⅱ", "№"] {
            assert!(encode(s, Enc::ShiftJis).is_ok(), "{s}");
        }
    }
}

//! `Style::Held`: the files of another office (株式会社みどり設備, a
//! building-services contractor), written by someone who had not read the
//! detector. Same vocabulary as the other styles, different habits:
//!
//! * spreadsheets exported with a title block and blank rows above the
//!   header, totals and notes below it, two-row headers, every cell quoted,
//!   cells holding commas and line breaks, UTF-8 with BOM and CRLF;
//! * headers such as 氏　名 (full-width space), 姓/名/セイ/メイ in four
//!   columns, 住所１/住所２, 〒番号, 自宅TEL, 携帯番号, Mail, 金融機関 in one
//!   cell (「銀行 支店 普通 1234567」), 対象者/番号 under a 特定個人情報 title;
//! * dates as 昭和55年03月02日, S55.03.02, 1980.03.02, full-width digits,
//!   kanji numerals, Excel serial numbers; phones as 03(1234)5678,
//!   090 1234 5678, +81-90-...;
//! * memos and mails in running prose (〇〇さん（42歳）, 生年月日は…);
//! * resumes drawn with box characters or pipes;
//! * registers and lists where 法人 rows (株式会社…, 持株会, 有限会社…) stand
//!   beside natural persons, and noise files full of dates that are not
//!   birth dates, company addresses, phones and 法人番号.
//!
//! Truth conventions beyond the crate's: see the crate doc comment.

mod noise;
mod outside;
mod recruit;
mod staff;

use crate::encodings::{encode, Enc, Format, Table};
use crate::persons::{fullwidth_digits, Date, DateFmt};
use crate::truth::{About, Writer};
use crate::world::World;
use crate::SampleError;
use rand_chacha::ChaCha8Rng;

/// Our own company: its address, phone and corporate number appear in many
/// files and are never personal data.
pub(crate) const COMPANY: &str = "株式会社みどり設備";
pub(crate) const COMPANY_CORP_NO: &str = "6010701027558";
pub(crate) const COMPANY_ADDR: &str =
    "〒330-0063 埼玉県さいたま市浦和区高砂3丁目12番9号 みどりビル2F";
pub(crate) const COMPANY_TEL: &str = "048-824-5511";
pub(crate) const COMPANY_FAX: &str = "048-824-5519";

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

/// A spreadsheet as an office exports it: title block, one or more header
/// rows, the data rows of `table`, then footer rows. Items come from the
/// table's columns only.
pub(crate) struct Sheet {
    pub title: Vec<Vec<String>>,
    /// Header rows; empty = the table's column headers.
    pub headers: Vec<Vec<String>>,
    pub table: Table,
    pub footer: Vec<Vec<String>>,
    pub delim: char,
    pub quote_all: bool,
    pub enc: Enc,
}

impl Sheet {
    pub fn new(table: Table, delim: char, enc: Enc) -> Self {
        Sheet {
            title: Vec::new(),
            headers: Vec::new(),
            table,
            footer: Vec::new(),
            delim,
            quote_all: false,
            enc,
        }
    }

    fn cell(&self, s: &str) -> String {
        let needs =
            s.contains(self.delim) || s.contains('"') || s.contains('\n') || s.contains('\r');
        if self.quote_all || needs {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }

    fn line(&self, out: &mut String, cells: &[String]) {
        let width = self.table.cols.len().max(cells.len());
        let mut v: Vec<String> = cells.iter().map(|c| self.cell(c)).collect();
        // Exports pad short rows to the sheet's width with empty cells.
        while v.len() < width {
            v.push(self.cell(""));
        }
        out.push_str(&v.join(&self.delim.to_string()));
        out.push_str("\r\n");
    }

    pub fn render(&self) -> Result<Vec<u8>, SampleError> {
        let mut s = String::new();
        for r in &self.title {
            self.line(&mut s, r);
        }
        if self.headers.is_empty() {
            let h: Vec<String> = self.table.cols.iter().map(|c| c.header.clone()).collect();
            self.line(&mut s, &h);
        } else {
            for r in &self.headers {
                self.line(&mut s, r);
            }
        }
        for r in &self.table.rows {
            self.line(&mut s, r);
        }
        for r in &self.footer {
            self.line(&mut s, r);
        }
        encode(&s, self.enc)
    }

    pub fn write(&self, w: &mut Writer, rel: &str, about: About<'_>) -> Result<(), SampleError> {
        let bytes = self.render()?;
        let fmt = Format::Delimited {
            enc: self.enc,
            delim: self.delim,
            crlf: true,
        };
        w.bytes(rel, &bytes, Some(fmt), self.table.items(), about)
    }
}

/// One-cell row (a title line in column A).
pub(crate) fn row1(s: &str) -> Vec<String> {
    vec![s.to_string()]
}

pub(crate) fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Birth-date spellings this office uses; `k` picks one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bd {
    /// 昭和55年03月02日
    EraPadded,
    /// S55.03.02
    EraDotPadded,
    /// 1980.03.02
    WesternDot,
    /// １９８０年３月２日
    FullWidth,
    /// 昭和五十五年三月二日
    KanjiNumerals,
    /// Excel serial day number (29282)
    Serial,
    /// 1980年(昭和55年)3月2日
    Both,
}

pub(crate) fn bday(d: Date, f: Bd) -> String {
    let era = d.fmt(DateFmt::EraKanji);
    let (era_name, era_year) = split_era(&era);
    match f {
        Bd::EraPadded => format!("{era_name}{era_year:02}年{:02}月{:02}日", d.m, d.d),
        Bd::EraDotPadded => {
            let abbr = d.fmt(DateFmt::EraDot);
            let letter: String = abbr.chars().take(1).collect();
            format!("{letter}{era_year:02}.{:02}.{:02}", d.m, d.d)
        }
        Bd::WesternDot => format!("{}.{:02}.{:02}", d.y, d.m, d.d),
        Bd::FullWidth => fullwidth_digits(&d.fmt(DateFmt::KanjiWestern)),
        Bd::KanjiNumerals => format!(
            "{era_name}{}年{}月{}日",
            if era_year == 1 {
                "元".to_string()
            } else {
                kanji_num(era_year)
            },
            kanji_num(d.m as i32),
            kanji_num(d.d as i32)
        ),
        Bd::Serial => excel_serial(d).to_string(),
        Bd::Both => format!("{}年({era_name}{era_year}年){}月{}日", d.y, d.m, d.d),
    }
}

/// ("昭和", 55) from "昭和55年3月2日" ("平成元年…" → 1).
fn split_era(s: &str) -> (String, i32) {
    let name: String = s.chars().take(2).collect();
    let rest: String = s.chars().skip(2).take_while(|c| *c != '年').collect();
    let y = if rest == "元" {
        1
    } else {
        rest.parse().unwrap_or(1)
    };
    (name, y)
}

fn kanji_num(n: i32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let (t, o) = ((n / 10) as usize, (n % 10) as usize);
    let mut s = String::new();
    if t > 1 {
        s.push_str(D[t]);
    }
    if t >= 1 {
        s.push('十');
    }
    s.push_str(D[o]);
    s
}

/// Days since 1899-12-30, as Excel stores dates.
pub(crate) fn excel_serial(d: Date) -> i64 {
    fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
    days_from_civil(i64::from(d.y), i64::from(d.m), i64::from(d.d)) - days_from_civil(1899, 12, 30)
}

/// Phone spellings: 03(1234)5678, 090 1234 5678, +81-90-1234-5678, as is.
pub(crate) fn tel(s: &str, k: usize) -> String {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 {
        return s.to_string();
    }
    match k % 6 {
        0 | 1 => format!("{}({}){}", parts[0], parts[1], parts[2]),
        2 => parts.join(" "),
        3 => format!("+81-{}-{}-{}", &parts[0][1..], parts[1], parts[2]),
        _ => s.to_string(),
    }
}

/// A short human date that is not a birth date (入社, 契約, 面接...).
pub(crate) fn plain(d: Date) -> String {
    format!("{}/{}/{}", d.y, d.m, d.d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_spellings() {
        let d = Date {
            y: 1980,
            m: 3,
            d: 2,
        };
        assert_eq!(bday(d, Bd::EraPadded), "昭和55年03月02日");
        assert_eq!(bday(d, Bd::EraDotPadded), "S55.03.02");
        assert_eq!(bday(d, Bd::KanjiNumerals), "昭和五十五年三月二日");
        assert_eq!(bday(d, Bd::Serial), "29282");
        assert_eq!(bday(d, Bd::Both), "1980年(昭和55年)3月2日");
        assert_eq!(tel("03-1234-5678", 0), "03(1234)5678");
        assert_eq!(tel("090-1234-5678", 3), "+81-90-1234-5678");
    }
}

//! `Style::Fresh`: the share of a fourth company, 株式会社ひかり運輸 (a
//! regional logistics firm: trucking, warehousing and a household-moving
//! division), written by someone who had read neither the detector nor the
//! other three styles. Same vocabulary, other habits:
//!
//! * headers in English or romaji (Name, Kana, Sex, DOB, Zip, Pref, City,
//!   Addr, Bldg, Tel, Mobile, Bank, Branch, Type, AcctNo, MyNo) and trade
//!   words (乗務員名, 運転者, お客様名) instead of 氏名;
//! * birth dates as `S55/03/02`, `昭55.3.2`, `55.3.2 (昭和)` and, with the
//!   age in the same cell, `S55.3.2生 45歳`; other dates as `R7.4.1`;
//! * phones without hyphens (09012345678) or in full-width with full-width
//!   parentheses (０９０（１２３４）５６７８);
//! * addresses split over 都道府県 / 市区町村 / 番地 / 建物 columns under a
//!   two-row header (搬出元 / 搬入先), 〒 in one column and 住所 in two;
//! * two persons in one row (a couple co-owning a rented lot, 配偶者 and
//!   子1/子2 in an allowance list); romaji names (YAMADA Taro) in 氏名;
//! * a Zengin 給与振込 file (120-byte Shift_JIS records, half-width kana),
//!   a payroll-software export padded to fixed width between tabs, an Excel
//!   CSV with a BOM and a trailing empty column, mails with quoted replies;
//! * noise that looks personal: 記入例 forms, minutes naming staff by
//!   surname and title, 0120 numbers, info@ mailboxes, 12-digit tracking
//!   numbers (some pass the My Number check), logs full of dates.
//!
//! Truth conventions beyond the crate's: see the crate doc comment.

mod noise;
mod outside;
mod staff;

use crate::persons::{fullwidth_digits, Date};
use crate::truth::Writer;
use crate::world::World;
use crate::SampleError;
use rand_chacha::ChaCha8Rng;

pub(crate) const COMPANY: &str = "株式会社ひかり運輸";
pub(crate) const COMPANY_KANA: &str = "ｶ)ﾋｶﾘｳﾝﾕ";
pub(crate) const COMPANY_ADDR: &str = "〒370-0044 群馬県高崎市岩押町12番7号";
pub(crate) const COMPANY_TEL: &str = "027-325-4410";
pub(crate) const COMPANY_FREE: &str = "0120-417-882";
pub(crate) const COMPANY_MAIL: &str = "info@hikari-unyu.example.jp";
pub(crate) const COMPANY_CORP_NO: &str = "7040001016687";

/// This company's sections, by employee index.
pub(crate) const SECTIONS: &[&str] = &[
    "配送1課",
    "配送2課",
    "倉庫課",
    "引越事業部",
    "総務課",
    "経理課",
];

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

/// (era kanji, era letter, era year) of a date.
pub(crate) fn era(d: Date) -> (&'static str, &'static str, i32) {
    crate::persons::era_of(d)
}

/// How this office writes a birth date.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dob {
    /// S55/03/02
    LetterSlash,
    /// 昭55.3.2
    OneKanjiDot,
    /// 55.3.2 (昭和)
    EraAfter,
    /// S55.3.2生 45歳 (birth date and age in one cell)
    WithAge,
}

pub(crate) fn dob(d: Date, f: Dob) -> String {
    let (k, l, y) = era(d);
    let one: String = k.chars().take(1).collect();
    match f {
        Dob::LetterSlash => format!("{l}{y:02}/{:02}/{:02}", d.m, d.d),
        Dob::OneKanjiDot => format!("{one}{y}.{}.{}", d.m, d.d),
        Dob::EraAfter => format!("{y}.{}.{} ({k})", d.m, d.d),
        Dob::WithAge => format!(
            "{l}{y}.{}.{}生 {}歳",
            d.m,
            d.d,
            d.age_at(crate::persons::TODAY)
        ),
    }
}

/// R7.4.1: how this office writes dates that are not birth dates.
pub(crate) fn short(d: Date) -> String {
    let (_, l, y) = era(d);
    format!("{l}{y}.{}.{}", d.m, d.d)
}

/// 090-1234-5678 → 09012345678 (the way the 基幹システム stores them).
pub(crate) fn bare(phone: &str) -> String {
    phone.replace('-', "")
}

/// 090-1234-5678 → ０９０（１２３４）５６７８ (typed with the IME on).
pub(crate) fn zparen(phone: &str) -> String {
    let p: Vec<&str> = phone.split('-').collect();
    if p.len() != 3 {
        return fullwidth_digits(phone);
    }
    fullwidth_digits(&format!("{}（{}）{}", p[0], p[1], p[2]))
}

/// Display width: full-width characters take two columns, ASCII and
/// half-width katakana one (as fixed-width exports count them).
pub(crate) fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                1
            } else {
                2
            }
        })
        .sum()
}

/// Pads (or cuts) to `w` display columns.
pub(crate) fn pad(s: &str, w: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if width(&out) + width(&c.to_string()) > w {
            break;
        }
        out.push(c);
    }
    while width(&out) < w {
        out.push(' ');
    }
    out
}

/// Right-aligned number padded with zeros (Zengin numeric fields).
pub(crate) fn zeros(n: u64, w: usize) -> String {
    format!("{n:0w$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        let d = Date {
            y: 1980,
            m: 3,
            d: 2,
        };
        assert_eq!(dob(d, Dob::LetterSlash), "S55/03/02");
        assert_eq!(dob(d, Dob::OneKanjiDot), "昭55.3.2");
        assert_eq!(dob(d, Dob::EraAfter), "55.3.2 (昭和)");
        assert_eq!(dob(d, Dob::WithAge), "S55.3.2生 45歳");
        assert_eq!(
            short(Date {
                y: 2025,
                m: 4,
                d: 1
            }),
            "R7.4.1"
        );
        assert_eq!(bare("090-1234-5678"), "09012345678");
        assert_eq!(zparen("090-1234-5678"), "０９０（１２３４）５６７８");
        assert_eq!(pad("山田", 6), "山田  ");
        assert_eq!(pad("ﾔﾏﾀﾞ", 6).len(), "ﾔﾏﾀﾞ".len() + 2);
    }
}

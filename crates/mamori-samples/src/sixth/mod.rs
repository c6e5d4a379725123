//! `Style::Sixth`: the share of a sixth company, 株式会社みなと住宅管理 (a
//! real-estate management company in 横浜市港北区: it manages rented flats
//! for private owners (賃貸人, some of them 法人), keeps the 入居者 of those
//! flats, and pays its own small staff), written apart from the detector and
//! from the other five styles. What an ordinary small office's share holds
//! that exported spreadsheets do not:
//!
//! * **Persons in paths**: per-person folders (`総務/社員/0012_佐藤花子/`)
//!   holding several small files that never repeat the name inside
//!   (口座振込依頼書, 通勤経路, 緊急連絡先), and files named after a person
//!   (`源泉徴収票/R6/山田太郎_源泉徴収票.txt`, `送金明細_鈴木一郎様_2025年3月.txt`).
//! * **Hand-filled .txt forms**: full-width colons, ideographic spaces in
//!   labels (氏　　名), irregular spacing, ☑/□ boxes.
//! * **Ledgers kept by hand in Excel**: a preamble of several rows above the
//!   header (物件名, 所在地, 管理番号, 作成日, 注記), merged-cell artefacts (an
//!   owner's name, address, phone and bank only on the first row of the
//!   owner's block of properties), 法人 owners among persons, mixed encodings
//!   in one folder (Shift_JIS, UTF-8, UTF-8 BOM, EUC-JP).
//! * **Surface forms**: dates S.55.3.2 / 昭和55.03.02 / 1980年（昭和55年）3月2日
//!   / 昭和 55 年 3 月 2 日; phones (045)531-2234 and 045(531)2234; addresses
//!   without the prefecture and with the 丁目 in kanji (三丁目2番地5).
//! * **Noise that looks personal**: a 取引先担当者一覧 (名刺 export: business
//!   contacts' names, work phones and mails at partner companies), mails with
//!   the company's signature block, the 内線表, a property master with
//!   addresses, repair histories, 記入例 forms.
//!
//! Truth conventions beyond the crate's: see the crate doc comment (a name
//! in the file's path; business contacts at partner companies).

mod noise;
mod people;

use crate::persons::{Date, Person};
use crate::truth::Writer;
use crate::world::World;
use crate::SampleError;
use rand_chacha::ChaCha8Rng;

pub(crate) const COMPANY: &str = "株式会社みなと住宅管理";
pub(crate) const COMPANY_ADDR: &str = "〒222-0033 横浜市港北区新横浜二丁目5番地14 第3ミナトビル4F";
pub(crate) const COMPANY_TEL: &str = "045-475-3310";
pub(crate) const COMPANY_FAX: &str = "045-475-3319";
pub(crate) const DOMAIN: &str = "minato-jk.example.jp";

pub fn write(
    w: &mut Writer,
    world: &World,
    noise_files: usize,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    people::write(w, world, rng)?;
    noise::write(w, noise_files, rng)?;
    Ok(())
}

/// 1..=99 in kanji numerals (三, 十二, 二十三).
pub(crate) fn kanji_num(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "〇".into(),
        1..=9 => D[n as usize].into(),
        10..=99 => {
            let tens = if n / 10 == 1 {
                ""
            } else {
                D[(n / 10) as usize]
            };
            format!("{tens}十{}", D[(n % 10) as usize])
        }
        _ => n.to_string(),
    }
}

/// The street part with the 丁目 in kanji, the way people write it by hand:
/// "3丁目2番5号" / "3-2-5" → "三丁目2番地5" (or "三丁目2番5号").
pub(crate) fn kanji_street(street: &str, banchi: bool) -> String {
    let nums: Vec<u32> = street
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match nums.as_slice() {
        [c, b, g] if banchi => format!("{}丁目{b}番地{g}", kanji_num(*c)),
        [c, b, g] => format!("{}丁目{b}番{g}号", kanji_num(*c)),
        _ => street.to_string(),
    }
}

/// A home address as typed by someone who knows the area: no prefecture,
/// kanji 丁目, building kept.
pub(crate) fn local_address(p: &Person, banchi: bool) -> String {
    let mut s = format!(
        "{}{}{}",
        p.loc.municipality,
        p.loc.town,
        kanji_street(&p.street, banchi)
    );
    if let Some(b) = &p.building {
        s.push('　');
        s.push_str(b);
    }
    s
}

/// Birth dates as hand-written forms and old ledgers hold them; `k` picks.
pub(crate) fn birth_hand(d: Date, k: usize) -> String {
    let (era, letter, ey) = crate::persons::era_of(d);
    match k % 5 {
        0 => format!("{letter}.{ey}.{}.{}", d.m, d.d),
        1 => format!("{era}{ey:02}.{:02}.{:02}", d.m, d.d),
        2 => format!("{}年（{era}{ey}年）{}月{}日", d.y, d.m, d.d),
        3 => format!("{era} {ey} 年 {} 月 {} 日", d.m, d.d),
        _ => format!("{}/{}/{}", d.y, d.m, d.d),
    }
}

/// Phones as typed in a hand-kept ledger: (045)531-2234, 045(531)2234.
pub(crate) fn phone_hand(phone: &str, k: usize) -> String {
    let g: Vec<&str> = phone.split('-').collect();
    if g.len() != 3 || g[0].starts_with("090") || g[0].starts_with("080") || g[0].starts_with("070")
    {
        return phone.to_string();
    }
    match k % 3 {
        0 => format!("({}){}-{}", g[0], g[1], g[2]),
        1 => format!("{}({}){}", g[0], g[1], g[2]),
        _ => phone.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encodings::Enc;

    #[test]
    fn surface_forms() {
        assert_eq!(kanji_num(3), "三");
        assert_eq!(kanji_num(12), "十二");
        assert_eq!(kanji_num(23), "二十三");
        assert_eq!(kanji_street("3丁目2番5号", true), "三丁目2番地5");
        assert_eq!(kanji_street("3-2-5", false), "三丁目2番5号");
        let d = Date {
            y: 1980,
            m: 3,
            d: 2,
        };
        assert_eq!(birth_hand(d, 0), "S.55.3.2");
        assert_eq!(birth_hand(d, 1), "昭和55.03.02");
        assert_eq!(birth_hand(d, 2), "1980年（昭和55年）3月2日");
        assert_eq!(phone_hand("045-531-2234", 0), "(045)531-2234");
        assert_eq!(phone_hand("045-531-2234", 1), "045(531)2234");
        assert_eq!(phone_hand("090-1234-5678", 1), "090-1234-5678");
    }

    #[test]
    fn share_is_deterministic_and_counts_its_subjects() {
        let spec = crate::ShareSpec::demo().with_style(crate::Style::Sixth);
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let ta = crate::generate(a.path(), &spec).unwrap();
        let tb = crate::generate(b.path(), &spec).unwrap();
        assert_eq!(ta, tb);
        assert_eq!(
            ta.subjects["employee"].persons,
            spec.employees + spec.former_employees
        );
        assert_eq!(ta.subjects["landlord"].persons, spec.landlords);
        assert_eq!(ta.subjects["customer"].persons, spec.customers);
        let contacts = &ta.files["総務/取引先/取引先担当者一覧.csv"];
        assert!(contacts.category.is_none() && contacts.items.is_empty());
        for (path, f) in &ta.files {
            let bytes = std::fs::read(a.path().join(path)).unwrap();
            let enc = match f.encoding.as_deref() {
                Some("Shift_JIS") => Enc::ShiftJis,
                Some("EUC-JP") => Enc::EucJp,
                Some("ISO-2022-JP") => Enc::Iso2022Jp,
                _ => Enc::Utf8,
            };
            assert!(
                !crate::encodings::decode(&bytes, enc).contains('\u{FFFD}'),
                "{path}"
            );
        }
    }
}

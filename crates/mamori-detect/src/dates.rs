//! Western and Japanese-era dates (昭和55年3月2日, S55.3.2, H2/4/1, 1980-03-02),
//! validated against the calendar and the era boundaries. Whether a date is a
//! *birth* date is decided by labels and columns, not here.

use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// [`Date::iso`] written into `buf`, without an allocation (a birth
    /// date is hashed in this form for every table row).
    pub fn iso_in<'b>(&self, buf: &'b mut [u8; 16]) -> &'b str {
        let (year, month, day) = (self.year, self.month, self.day);
        let len = if year <= 9999 && month <= 99 && day <= 99 {
            let digit = |n: u16| b'0' + (n % 10) as u8;
            *buf = [0; 16];
            buf[..10].copy_from_slice(&[
                digit(year / 1000),
                digit(year / 100),
                digit(year / 10),
                digit(year),
                b'-',
                digit(u16::from(month) / 10),
                digit(u16::from(month)),
                b'-',
                digit(u16::from(day) / 10),
                digit(u16::from(day)),
            ]);
            10
        } else {
            // Wider fields than the format pads to (never a real date).
            use std::io::Write;
            let mut rest = &mut buf[..];
            let _ = write!(rest, "{:04}-{:02}-{:02}", year, month, day);
            16 - rest.len()
        };
        // ASCII digits and hyphens only.
        std::str::from_utf8(&buf[..len]).unwrap_or_default()
    }

    /// Days since 1899-12-30 (Excel's serial-date epoch) → date.
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        civil_from_days(serial.floor() as i64 - 25_569)
    }
}

/// (kanji, abbreviation, first day)
const ERAS: [(&str, char, (u16, u8, u8)); 5] = [
    ("明治", 'M', (1868, 1, 25)),
    ("大正", 'T', (1912, 7, 30)),
    ("昭和", 'S', (1926, 12, 25)),
    ("平成", 'H', (1989, 1, 8)),
    ("令和", 'R', (2019, 5, 1)),
];

fn era_index(name: &str) -> Option<usize> {
    ERAS.iter().position(|(kanji, abbr, _)| {
        (name.chars().count() == 1 && !name.is_ascii() && kanji.starts_with(name))
            || *kanji == name
            || (name.len() == 1
                && name.chars().next().map(|c| c.to_ascii_uppercase()) == Some(*abbr))
    })
}

/// Converts an era date, rejecting dates outside the era (昭和65年, 平成1年1月7日).
pub fn era_date(era: &str, year: u16, month: u8, day: u8) -> Option<Date> {
    let index = era_index(era)?;
    let (start_year, _, _) = ERAS[index].2;
    let date = valid(start_year + year.checked_sub(1)?, month, day)?;
    let start = ERAS[index].2;
    let start = Date {
        year: start.0,
        month: start.1,
        day: start.2,
    };
    if date < start {
        return None;
    }
    if let Some(next) = ERAS.get(index + 1) {
        let next = Date {
            year: next.2 .0,
            month: next.2 .1,
            day: next.2 .2,
        };
        if date >= next {
            return None;
        }
    }
    Some(date)
}

pub fn valid(year: u16, month: u8, day: u8) -> Option<Date> {
    if !(1..=12).contains(&month) || day == 0 || !(1800..=2200).contains(&year) {
        return None;
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let max = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (day <= max).then_some(Date { year, month, day })
}

fn date_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?:(?P<era>明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr])\.?\s*(?P<ey>\d{1,2})\s*(?:年\s*(?P<em1>\d{1,2})\s*月\s*(?P<ed1>\d{1,2})\s*日|[./-]\s*(?P<em2>\d{1,2})\s*[./-]\s*(?P<ed2>\d{1,2})))",
            r"|(?:(?P<sy>\d{1,2})[./](?P<sm>\d{1,2})[./](?P<sd>\d{1,2})\s*[(（](?P<sera>明治|大正|昭和|平成|令和)[)）])",
            r"|(?:(?P<wy>(?:18|19|20)\d{2})\s*(?:年\s*(?:\([^)]{2,8}\)\s*)?(?P<wm1>\d{1,2})\s*月\s*(?P<wd1>\d{1,2})\s*日|(?P<sep>[./-])\s*(?P<wm2>\d{1,2})\s*[./-]\s*(?P<wd2>\d{1,2})))",
        ))
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
    })
}

/// A date found in text, with its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundDate {
    pub start: usize,
    pub end: usize,
    pub date: Date,
}

/// Every valid date in normalised text.
pub fn find_dates(text: &str) -> Vec<FoundDate> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for caps in date_regex().captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        // An ASCII letter era must not be the tail of a word (e.g. "ABS55.3.2").
        if let Some(era) = caps.name("era") {
            if era.as_str().len() == 1
                && text[..era.start()]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
        }
        if text[..whole.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        let num = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u16>().ok());
        let date = if let Some(era) = caps.name("sera") {
            match (num("sy"), num("sm"), num("sd")) {
                (Some(y), Some(m), Some(d)) => era_date(era.as_str(), y, m as u8, d as u8),
                _ => None,
            }
        } else if let Some(era) = caps.name("era") {
            let (m, d) = (num("em1").or(num("em2")), num("ed1").or(num("ed2")));
            match (num("ey"), m, d) {
                (Some(y), Some(m), Some(d)) => era_date(era.as_str(), y, m as u8, d as u8),
                _ => None,
            }
        } else {
            match (
                num("wy"),
                num("wm1").or(num("wm2")),
                num("wd1").or(num("wd2")),
            ) {
                (Some(y), Some(m), Some(d)) if m <= 12 && d <= 31 => valid(y, m as u8, d as u8),
                _ => None,
            }
        };
        if let Some(date) = date {
            out.push(FoundDate {
                start: whole.start(),
                end: whole.end(),
                date,
            });
        }
    }
    out
}

/// A table cell that is a date and nothing more (also 19800302 and Excel serials as text).
pub fn parse_date_cell(cell: &str) -> Option<Date> {
    let cell = crate::normalize::trim(cell);
    if cell.len() == 8 && cell.bytes().all(|b| b.is_ascii_digit()) {
        let y = cell[..4].parse().ok()?;
        return valid(y, cell[4..6].parse().ok()?, cell[6..].parse().ok()?);
    }
    if let Some(date) = plain_western(cell) {
        return Some(date);
    }
    if let Some(date) = plain_era(cell) {
        return date;
    }
    let found = find_dates(cell);
    let first = found.first()?;
    let rest = cell[first.end..].trim();
    let plausible_tail = rest.is_empty()
        || rest.starts_with('生')
        || rest.starts_with('(')
        || rest.ends_with('歳')
        || rest.ends_with('才');
    (first.start == 0 && plausible_tail).then_some(first.date)
}

/// 昭和55年3月2日 and nothing else, the common era cell: parsed without the
/// regex, to the same answer (`Some(None)`: that shape, but no such day).
fn plain_era(cell: &str) -> Option<Option<Date>> {
    let era = ["明治", "大正", "昭和", "平成", "令和"]
        .into_iter()
        .find(|e| cell.starts_with(e))?;
    let rest = &cell[era.len()..];
    let (year, rest) = number_then(rest, '年')?;
    let (month, rest) = number_then(rest, '月')?;
    let (day, rest) = number_then(rest, '日')?;
    if !rest.is_empty() {
        return None;
    }
    Some(era_date(era, year, month as u8, day as u8))
}

/// One or two ASCII digits, then `unit`.
fn number_then(s: &str, unit: char) -> Option<(u16, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return None;
    }
    let rest = s[digits..].strip_prefix(unit)?;
    Some((s[..digits].parse().ok()?, rest))
}

/// 1980/03/02, 1980-3-2, 1980.3.2: the common cell forms, parsed without a regex.
fn plain_western(cell: &str) -> Option<Date> {
    let b = cell.as_bytes();
    if !(8..=10).contains(&b.len()) || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = *b.get(4)?;
    if !matches!(sep, b'/' | b'-' | b'.') {
        return None;
    }
    let mut parts = cell[5..].split(sep as char);
    let (m, d) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || m.is_empty() || d.is_empty() || m.len() > 2 || d.len() > 2 {
        return None;
    }
    valid(cell[..4].parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A plausible birth date for a living person on a company share.
pub fn plausible_birth(date: &Date) -> bool {
    (1900..=2026).contains(&date.year)
}

fn civil_from_days(z: i64) -> Option<Date> {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    valid(u16::try_from(y).ok()?, m as u8, d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_cells_parse_as_the_regex_does() {
        for cell in [
            "昭和60年8月27日",
            "平成1年1月8日",
            "平成1年1月7日",
            "昭和64年1月7日",
            "令和1年4月30日",
            "大正15年12月24日",
            "昭和55年2月30日",
            "明治45年7月29日",
            "昭和5年13月1日",
            "平成12年3月4日生",
        ] {
            let by_regex = find_dates(cell)
                .first()
                .filter(|f| f.start == 0 && f.end == cell.len())
                .map(|f| f.date);
            if plain_era(cell).is_some() {
                assert_eq!(plain_era(cell).flatten(), by_regex, "{cell}");
            }
        }
        assert!(plain_era("平成12年3月4日生").is_none());
    }
    use crate::normalize::normalize;

    fn one(s: &str) -> Option<String> {
        find_dates(&normalize(s)).first().map(|d| d.date.iso())
    }

    #[test]
    fn era_and_western_forms() {
        assert_eq!(one("昭和55年3月2日生").as_deref(), Some("1980-03-02"));
        assert_eq!(one("S55.3.2").as_deref(), Some("1980-03-02"));
        assert_eq!(one("H2/4/1").as_deref(), Some("1990-04-01"));
        assert_eq!(one("平成元年1月8日").as_deref(), Some("1989-01-08"));
        assert_eq!(one("昭和五十五年三月二日").as_deref(), Some("1980-03-02"));
        assert_eq!(one("１９８０年３月２日").as_deref(), Some("1980-03-02"));
        assert_eq!(one("1980-03-02").as_deref(), Some("1980-03-02"));
        assert_eq!(one("R1.5.1").as_deref(), Some("2019-05-01"));
        assert_eq!(one("昭36.12.1").as_deref(), Some("1961-12-01"));
        assert_eq!(one("55.3.2 (昭和)").as_deref(), Some("1980-03-02"));
        assert_eq!(
            one("生年月日は1969年(昭和44年)11月20日").as_deref(),
            Some("1969-11-20")
        );
    }

    #[test]
    fn era_boundaries_and_calendar() {
        assert_eq!(one("平成1年1月7日"), None);
        assert_eq!(one("昭和64年1月7日").as_deref(), Some("1989-01-07"));
        assert_eq!(one("昭和65年1月1日"), None);
        assert_eq!(one("令和1年4月30日"), None);
        assert_eq!(one("1980-02-30"), None);
        assert_eq!(one("2000/2/29").as_deref(), Some("2000-02-29"));
    }

    #[test]
    fn cells_and_serials() {
        assert_eq!(
            parse_date_cell("19800302").map(|d| d.iso()).as_deref(),
            Some("1980-03-02")
        );
        assert_eq!(
            parse_date_cell("S55.3.2").map(|d| d.iso()).as_deref(),
            Some("1980-03-02")
        );
        assert_eq!(parse_date_cell("商品 1980-03-02"), None);
        assert_eq!(
            Date::from_excel_serial(29282.0).map(|d| d.iso()).as_deref(),
            Some("1980-03-02")
        );
    }

    #[test]
    fn plain_western_cells_without_the_regex() {
        assert_eq!(
            parse_date_cell("1980/3/2").map(|d| d.iso()).as_deref(),
            Some("1980-03-02")
        );
        assert_eq!(
            parse_date_cell("1980.03.02").map(|d| d.iso()).as_deref(),
            Some("1980-03-02")
        );
        assert_eq!(parse_date_cell("1980-02-30"), None);
        assert_eq!(parse_date_cell("1980/3/2/1"), None);
    }

    #[test]
    fn iso_in_equals_iso() {
        let mut buf = [0u8; 16];
        for year in (0..=u16::MAX).step_by(7).chain([9999, 10000, u16::MAX]) {
            for (month, day) in [(1, 1), (3, 2), (12, 31), (99, 99), (100, 7), (255, 255)] {
                let date = Date { year, month, day };
                assert_eq!(date.iso_in(&mut buf), date.iso());
            }
        }
    }

    #[test]
    fn era_letter_with_a_dot() {
        assert_eq!(one("H.16.4.18").as_deref(), Some("2004-04-18"));
        assert_eq!(one("S.30.6.1").as_deref(), Some("1955-06-01"));
    }
}

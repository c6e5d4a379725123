//! Persons and their identifiers, made from the seeded RNG.
//!
//! Every identifier is built to be *valid* where validity is checkable (My
//! Number check digit, Luhn, numbering plan, real bank/branch codes), because a
//! detector that rejects invalid numbers must still find all of ours.

use crate::names::{self, SURNAMES};
use crate::refdata::{self, Locality};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The fixed "today" of every generated share, so output never depends on the
/// clock (same seed → same bytes on any day).
pub const TODAY: Date = Date {
    y: 2025,
    m: 4,
    d: 1,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

/// How a date is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFmt {
    /// 1980/03/02
    Slash,
    /// 1980-03-02
    Iso,
    /// 1980年3月2日
    KanjiWestern,
    /// 昭和55年3月2日
    EraKanji,
    /// S55.3.2
    EraDot,
    /// H2/4/1
    EraSlash,
}

/// (era kanji, era letter, era year) of a date (Taishō for anything older).
pub(crate) fn era_of(d: Date) -> (&'static str, &'static str, i32) {
    for (kanji, letter, start) in ERAS {
        if d >= *start {
            return (kanji, letter, d.y - start.y + 1);
        }
    }
    ("大正", "T", d.y - 1911)
}

const ERAS: &[(&str, &str, Date)] = &[
    (
        "令和",
        "R",
        Date {
            y: 2019,
            m: 5,
            d: 1,
        },
    ),
    (
        "平成",
        "H",
        Date {
            y: 1989,
            m: 1,
            d: 8,
        },
    ),
    (
        "昭和",
        "S",
        Date {
            y: 1926,
            m: 12,
            d: 25,
        },
    ),
    (
        "大正",
        "T",
        Date {
            y: 1912,
            m: 7,
            d: 30,
        },
    ),
];

impl Date {
    pub fn fmt(&self, f: DateFmt) -> String {
        let Date { y, m, d } = *self;
        match f {
            DateFmt::Slash => format!("{y}/{m:02}/{d:02}"),
            DateFmt::Iso => format!("{y}-{m:02}-{d:02}"),
            DateFmt::KanjiWestern => format!("{y}年{m}月{d}日"),
            DateFmt::EraKanji | DateFmt::EraDot | DateFmt::EraSlash => {
                let (kanji, abbr, start) = ERAS
                    .iter()
                    .find(|(_, _, s)| *self >= *s)
                    .copied()
                    .unwrap_or(ERAS[ERAS.len() - 1]);
                let ey = y - start.y + 1;
                match f {
                    DateFmt::EraKanji if ey == 1 => format!("{kanji}元年{m}月{d}日"),
                    DateFmt::EraKanji => format!("{kanji}{ey}年{m}月{d}日"),
                    DateFmt::EraDot => format!("{abbr}{ey}.{m}.{d}"),
                    _ => format!("{abbr}{ey}/{m}/{d}"),
                }
            }
        }
    }

    /// Whole years from `self` to `at`.
    pub fn age_at(&self, at: Date) -> i32 {
        let mut a = at.y - self.y;
        if (at.m, at.d) < (self.m, self.d) {
            a -= 1;
        }
        a
    }

    /// A random date in the years `from_year..=to_year` (swapped if reversed,
    /// so callers computing a range from other random dates cannot panic).
    pub fn random_between(rng: &mut ChaCha8Rng, from_year: i32, to_year: i32) -> Date {
        let (lo, hi) = if from_year <= to_year {
            (from_year, to_year)
        } else {
            (to_year, from_year)
        };
        let y = rng.gen_range(lo..=hi);
        let m = rng.gen_range(1..=12);
        let d = rng.gen_range(1..=days_in(y, m));
        Date { y, m, d }
    }
}

fn days_in(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ASCII digits → full-width digits (０１２), as people type them in Excel.
pub fn fullwidth_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// My Number check digit over an 11-digit body (weights 6 5 4 3 2 7 6 5 4 3 2).
pub fn my_number_check(body: &[u8; 11]) -> u8 {
    const W: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let s: u32 = body.iter().zip(W).map(|(d, w)| u32::from(*d) * w).sum();
    let r = s % 11;
    if r <= 1 {
        0
    } else {
        (11 - r) as u8
    }
}

/// Is `s` (12 ASCII digits) a valid My Number? Used by tests and by the noise
/// generator to *want* check-valid product codes.
pub fn my_number_valid(s: &str) -> bool {
    let d: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if d.len() != 12 {
        return false;
    }
    let mut body = [0u8; 11];
    body.copy_from_slice(&d[..11]);
    my_number_check(&body) == d[11]
}

pub fn random_my_number(rng: &mut ChaCha8Rng) -> String {
    let mut body = [0u8; 11];
    for b in body.iter_mut() {
        *b = rng.gen_range(0..10);
    }
    // A leading zero is legal but rare in print; avoid it so Excel-stripped
    // leading zeros do not muddy the fixture.
    body[0] = rng.gen_range(1..10);
    let c = my_number_check(&body);
    body.iter()
        .chain(std::iter::once(&c))
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// Luhn-valid card number with a real issuer prefix.
pub fn random_card(rng: &mut ChaCha8Rng) -> String {
    let prefixes: [&str; 5] = ["4", "35", "52", "54", "37"];
    let p = prefixes[rng.gen_range(0..prefixes.len())];
    let (prefix, len) = match p {
        "35" => (format!("35{}", rng.gen_range(28..=89)), 16),
        "37" => ("37".to_string(), 15),
        other => (other.to_string(), 16),
    };
    let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    while digits.len() < len - 1 {
        digits.push(rng.gen_range(0..10));
    }
    let check = luhn_check_digit(&digits);
    digits.push(check);
    digits
        .iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect()
}

fn luhn_check_digit(body: &[u32]) -> u32 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

pub fn luhn_valid(s: &str) -> bool {
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    match d.split_last() {
        Some((last, body)) => luhn_check_digit(body) == *last,
        None => false,
    }
}

/// Mobile number 070/080/090-XXXX-XXXX.
pub fn mobile(rng: &mut ChaCha8Rng) -> String {
    let p = ["090", "080", "070"][rng.gen_range(0..3)];
    format!(
        "{p}-{:04}-{:04}",
        rng.gen_range(1000..10000),
        rng.gen_range(0..10000)
    )
}

/// Fixed line in an area: area code + local exchange = 5 digits after the
/// trunk 0, then 4 subscriber digits; the exchange never starts with 0.
pub fn fixed_line(rng: &mut ChaCha8Rng, area_code: &str) -> String {
    let exch_len = 6usize.saturating_sub(area_code.len()).max(1);
    let lo = 10u32.pow(exch_len as u32 - 1);
    let hi = 10u32.pow(exch_len as u32);
    let lo = if exch_len == 1 { 2 } else { lo * 2 };
    let exch = rng.gen_range(lo..hi);
    format!(
        "{area_code}-{exch:0w$}-{:04}",
        rng.gen_range(0..10000),
        w = exch_len
    )
}

/// A relative (dependant, emergency contact).
#[derive(Debug, Clone)]
pub struct Relative {
    pub name: String,
    pub kana: String,
    pub relation: &'static str,
    pub birth: Date,
    pub phone: String,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub kind: &'static str,
    pub number: String,
    /// 記号-番号 for ゆうちょ accounts.
    pub yucho: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Person {
    /// Identity of the data subject across files (unique per share).
    pub id: usize,
    pub surname: &'static str,
    pub surname_kana: &'static str,
    pub given: &'static str,
    pub given_kana: &'static str,
    pub female: bool,
    pub birth: Date,
    pub loc: Locality,
    pub street: String,
    pub building: Option<String>,
    pub mobile: String,
    pub home_phone: String,
    pub email: String,
    pub my_number: String,
    pub account: Account,
    pub blood: &'static str,
    pub spouse: Option<Relative>,
    pub children: Vec<Relative>,
    pub emergency: Relative,
}

impl Person {
    pub fn name(&self) -> String {
        format!("{} {}", self.surname, self.given)
    }
    /// Name without the space, as many files write it.
    pub fn name_tight(&self) -> String {
        format!("{}{}", self.surname, self.given)
    }
    pub fn kana(&self) -> String {
        format!("{} {}", self.surname_kana, self.given_kana)
    }
    pub fn hiragana(&self) -> String {
        names::to_hiragana(&self.kana())
    }
    pub fn holder_kana(&self) -> String {
        names::to_halfwidth_kana(&self.kana())
    }
    pub fn gender(&self) -> &'static str {
        if self.female {
            "女"
        } else {
            "男"
        }
    }
    /// Address without the postal code.
    pub fn address(&self) -> String {
        let mut s = format!(
            "{}{}{}{}",
            self.loc.prefecture, self.loc.municipality, self.loc.town, self.street
        );
        if let Some(b) = &self.building {
            s.push(' ');
            s.push_str(b);
        }
        s
    }
    pub fn age(&self) -> i32 {
        self.birth.age_at(TODAY)
    }
}

/// Makes persons with unique ids from one RNG stream.
pub struct Factory {
    next_id: usize,
    locality_cursor: usize,
    branch_cursor: usize,
}

impl Default for Factory {
    fn default() -> Self {
        Self::new()
    }
}

impl Factory {
    pub fn new() -> Self {
        Factory {
            next_id: 0,
            locality_cursor: 0,
            branch_cursor: 0,
        }
    }

    pub fn person(&mut self, rng: &mut ChaCha8Rng, min_age: i32, max_age: i32) -> Person {
        let female = rng.gen_bool(0.45);
        let (surname, surname_kana) = SURNAMES[rng.gen_range(0..SURNAMES.len())];
        let given_list: Vec<_> = names::given_names(female).collect();
        let (given, given_kana) = *given_list[rng.gen_range(0..given_list.len())];
        let birth = Date::random_between(rng, TODAY.y - max_age, TODAY.y - min_age - 1);
        self.locality_cursor += rng.gen_range(1..7);
        let loc = refdata::locality(self.locality_cursor);
        let street = if rng.gen_bool(0.6) {
            format!(
                "{}丁目{}番{}号",
                rng.gen_range(1..6),
                rng.gen_range(1..30),
                rng.gen_range(1..20)
            )
        } else {
            format!(
                "{}-{}-{}",
                rng.gen_range(1..6),
                rng.gen_range(1..30),
                rng.gen_range(1..20)
            )
        };
        let building = if rng.gen_bool(0.4) {
            let b = refdata::BUILDINGS[rng.gen_range(0..refdata::BUILDINGS.len())];
            Some(format!(
                "{}{}{}",
                b,
                surname_of_building(rng),
                rng.gen_range(1..8) * 100 + rng.gen_range(1..10)
            ))
        } else {
            None
        };
        let mobile = mobile(rng);
        let home_phone = fixed_line(rng, &loc.area_code);
        let local = format!(
            "{}{}{}",
            names::romaji(given_kana),
            [".", "_", ""][rng.gen_range(0..3)],
            names::romaji(surname_kana)
        );
        let domain = refdata::MAIL_DOMAINS[rng.gen_range(0..refdata::MAIL_DOMAINS.len())];
        let email = format!("{local}{}@{domain}", rng.gen_range(1..100));
        let my_number = random_my_number(rng);
        self.branch_cursor += rng.gen_range(1..5);
        let account = self.account(rng);
        let blood = ["A", "A", "A", "O", "O", "B", "B", "AB"][rng.gen_range(0..8)];
        let age = birth.age_at(TODAY);
        let married = age > 28 && rng.gen_bool(0.6);
        let spouse = married.then(|| {
            let sf = !female;
            let (g, gk) = *names::given_names(sf)
                .collect::<Vec<_>>()
                .choose(rng)
                .copied()
                .unwrap_or(&("花子", "ハナコ"));
            Relative {
                name: format!("{surname} {g}"),
                kana: format!("{surname_kana} {gk}"),
                relation: if sf { "妻" } else { "夫" },
                birth: Date::random_between(rng, birth.y - 4, birth.y + 4),
                phone: self::mobile(rng),
            }
        });
        let mut children = Vec::new();
        if married && age > 30 {
            for k in 0..rng.gen_range(0..3) {
                let cf = rng.gen_bool(0.5);
                let (g, gk) = *names::given_names(cf)
                    .collect::<Vec<_>>()
                    .choose(rng)
                    .copied()
                    .unwrap_or(&("太郎", "タロウ"));
                let from = (birth.y + 26 + k * 2).min(TODAY.y - 1);
                children.push(Relative {
                    name: format!("{surname} {g}"),
                    kana: format!("{surname_kana} {gk}"),
                    relation: match (cf, k) {
                        (false, 0) => "長男",
                        (false, _) => "次男",
                        (true, 0) => "長女",
                        (true, _) => "次女",
                    },
                    birth: Date::random_between(rng, from, (from + 3).min(TODAY.y - 1)),
                    phone: String::new(),
                });
            }
        }
        let emergency = match &spouse {
            Some(s) => s.clone(),
            None => {
                let (g, gk) = *names::given_names(true)
                    .collect::<Vec<_>>()
                    .choose(rng)
                    .copied()
                    .unwrap_or(&("幸子", "サチコ"));
                Relative {
                    name: format!("{surname} {g}"),
                    kana: format!("{surname_kana} {gk}"),
                    relation: "母",
                    birth: Date::random_between(rng, birth.y - 35, birth.y - 22),
                    phone: if rng.gen_bool(0.5) {
                        fixed_line(rng, &loc.area_code)
                    } else {
                        self::mobile(rng)
                    },
                }
            }
        };
        let id = self.next_id;
        self.next_id += 1;
        Person {
            id,
            surname,
            surname_kana,
            given,
            given_kana,
            female,
            birth,
            loc,
            street,
            building,
            mobile,
            home_phone,
            email,
            my_number,
            account,
            blood,
            spouse,
            children,
            emergency,
        }
    }

    /// A different person with the same name (同姓同名): new id, new birth
    /// date and everything else new.
    pub fn homonym_of(
        &mut self,
        rng: &mut ChaCha8Rng,
        p: &Person,
        min_age: i32,
        max_age: i32,
    ) -> Person {
        let mut q = self.person(rng, min_age, max_age);
        q.surname = p.surname;
        q.surname_kana = p.surname_kana;
        q.given = p.given;
        q.given_kana = p.given_kana;
        q.female = p.female;
        while q.birth == p.birth {
            q.birth = Date::random_between(rng, TODAY.y - max_age, TODAY.y - min_age - 1);
        }
        q
    }

    fn account(&mut self, rng: &mut ChaCha8Rng) -> Account {
        if rng.gen_bool(0.15) {
            return yucho(rng);
        }
        let b = refdata::branch(self.branch_cursor);
        Account {
            bank_code: b.bank_code,
            bank_name: b.bank_name,
            branch_code: b.branch_code,
            branch_name: b.branch_name,
            kind: if rng.gen_bool(0.95) {
                "普通"
            } else {
                "当座"
            },
            number: format!("{:07}", rng.gen_range(100_000..10_000_000)),
            yucho: None,
        }
    }
}

/// 記号 digits 2-3 whose branch (digits + "8") exists in the Zengin list.
const YUCHO_MIDS: &[u32] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 31, 32, 33, 40, 41, 42, 43,
    44, 45, 46, 47, 51, 52, 53, 54, 55, 61, 62, 63, 64, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 81,
    82, 83, 84, 85, 86, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
];

/// ゆうちょ 通常貯金: 記号 1XXX0, 番号 8 digits ending in 1; the Zengin form is
/// branch = 記号 digits 2-3 + "8", 普通, account = 番号 without its last digit.
pub fn yucho(rng: &mut ChaCha8Rng) -> Account {
    let mid = YUCHO_MIDS[rng.gen_range(0..YUCHO_MIDS.len())];
    let kigo = format!("1{mid:02}{}0", rng.gen_range(0..10));
    let body = rng.gen_range(1_000_000..10_000_000u32);
    let bango = format!("{body:07}1");
    let branch_code = format!("{mid:02}8");
    Account {
        bank_code: "9900".into(),
        bank_name: "ゆうちょ銀行".into(),
        branch_name: refdata::yucho_branch_name(&branch_code),
        branch_code,
        kind: "普通",
        number: format!("{body:07}"),
        yucho: Some((kigo, bango)),
    }
}

fn surname_of_building(rng: &mut ChaCha8Rng) -> &'static str {
    ["桜", "緑", "青葉", "富士見", "中央", "旭", "若葉", "日の出"][rng.gen_range(0..8)]
}

/// Hyphen look-alikes people type instead of '-'.
pub const HYPHENS: &[char] = &['ー', '－', '‐', '―', '−'];

/// Mess a number up the way hand-typed Excel cells are: sometimes full-width
/// digits, sometimes another hyphen. Most values stay clean.
pub fn messy(rng: &mut ChaCha8Rng, s: &str) -> String {
    let roll = rng.gen_range(0..10);
    match roll {
        0 => fullwidth_digits(s),
        1 => {
            let h = HYPHENS[rng.gen_range(0..HYPHENS.len())];
            s.replace('-', &h.to_string())
        }
        2 => fullwidth_digits(&s.replace('-', "－")),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn my_number_reference_value() {
        assert!(my_number_valid("123456789018"));
        assert!(!my_number_valid("123456789012"));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            assert!(my_number_valid(&random_my_number(&mut rng)));
        }
    }

    #[test]
    fn yucho_branches_are_real_where_checkable() {
        let banks = mamori_data::Banks::get();
        if !banks.is_available() {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..200 {
            let a = yucho(&mut rng);
            assert!(
                banks.branch("9900", &a.branch_code).is_some(),
                "{}",
                a.branch_code
            );
        }
    }

    #[test]
    fn cards_pass_luhn() {
        assert!(luhn_valid("4111111111111111"));
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..100 {
            assert!(luhn_valid(&random_card(&mut rng)));
        }
    }

    #[test]
    fn era_dates() {
        let d = Date {
            y: 1980,
            m: 3,
            d: 2,
        };
        assert_eq!(d.fmt(DateFmt::EraKanji), "昭和55年3月2日");
        assert_eq!(d.fmt(DateFmt::EraDot), "S55.3.2");
        assert_eq!(
            Date {
                y: 1990,
                m: 4,
                d: 1
            }
            .fmt(DateFmt::EraSlash),
            "H2/4/1"
        );
        assert_eq!(
            Date {
                y: 1989,
                m: 1,
                d: 8
            }
            .fmt(DateFmt::EraKanji),
            "平成元年1月8日"
        );
    }

    #[test]
    fn phones_follow_the_plan() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for area in ["03", "045", "0466", "06"] {
            let p = fixed_line(&mut rng, area);
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            assert_eq!(digits.len(), 10, "{p}");
            let exch = p.split('-').nth(1).unwrap_or("0");
            assert!(!exch.starts_with('0'), "{p}");
        }
    }
}

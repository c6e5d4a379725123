//! Whether one value (a table cell, or what follows a form label) really is
//! what its field says, and its normalised form for person keys.

use crate::dates::{parse_date_cell, plausible_birth, Date};
use crate::ids;
use crate::labels::Field;
use crate::normalize::{digits_only, normalize, trim};
use crate::phone::{parse_phone, PhoneKind};
use mamori_data::{match_prefecture, Postal};

/// A validated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Date(Date),
    Digits(String),
    Present,
}

const EMPTY_MARKS: &[&str] = &[
    "",
    "-",
    "--",
    "―",
    "ー",
    "n/a",
    "na",
    "null",
    "未定",
    "未記入",
    "不明",
    "－",
    "*",
    "ー",
];
#[rustfmt::skip]
const COMPANY_MARKS: &[&str] = &["株式会社", "(株)", "有限会社", "(有)", "合同会社", "合資会社", "組合", "法人", "銀行", "支店", "協会", "事務所", "営業所", "工業", "建設", "商事", "産業", "製作所", "持株会", "合計", "小計", "総計", "co., ltd", "co.,ltd", "ltd.", "inc.", "corp."];
const ROLE_MAILBOXES: &[&str] = &[
    "system",
    "batch",
    "alert",
    "alerts",
    "notify",
    "notification",
    "kyuyo",
    "eigyo",
    "kanri",
    "somu",
    "hr",
    "it",
    "ops",
    "dev",
    "donotreply",
    "do-not-reply",
    "no_reply",
    "mailer-daemon",
    "bounce",
    "news",
    "newsletter",
    "marketing",
    "team",
    "info",
    "support",
    "sales",
    "contact",
    "admin",
    "webmaster",
    "noreply",
    "no-reply",
    "postmaster",
    "recruit",
    "saiyo",
    "soumu",
    "jinji",
    "keiri",
    "office",
    "help",
    "service",
    "press",
    "pr",
    "ir",
    "abuse",
    "root",
    "mail",
    "master",
    "order",
    "shop",
    "customer",
    "center",
    "desk",
];

/// The length of the longest of [`ROLE_MAILBOXES`].
const LONGEST_ROLE_MAILBOX: usize = {
    let mut longest = 0;
    let mut i = 0;
    while i < ROLE_MAILBOXES.len() {
        if ROLE_MAILBOXES[i].len() > longest {
            longest = ROLE_MAILBOXES[i].len();
        }
        i += 1;
    }
    longest
};

/// なし, 特になし, 該当なし, 無: an answer that states nothing.
pub fn is_negative_answer(value: &str) -> bool {
    let v = trim(value).trim_end_matches(['。', '.']);
    matches!(
        v,
        "なし"
            | "無"
            | "無し"
            | "特になし"
            | "特に無し"
            | "該当なし"
            | "ない"
            | "いいえ"
            | "無し。"
            | "none"
            | "None"
            | "N/A"
            | "-"
            | "ー"
            | "0"
            // 世帯主：本人 points back at the person: no one else's data.
            | "本人"
            | "同上"
    )
}

pub fn is_empty_mark(value: &str) -> bool {
    let v = trim(value);
    // Every mark is at most four characters: skip the lower-casing for real values.
    if v.len() > 12 {
        return false;
    }
    EMPTY_MARKS.iter().any(|m| m.eq_ignore_ascii_case(v))
}

pub fn has_company_mark(value: &str) -> bool {
    static MARKS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    MARKS
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(COMPANY_MARKS)
                .unwrap_or_else(|e| unreachable!("static automaton: {e}"))
        })
        .is_match(value)
}

/// 山田 太郎 様 → 山田 太郎: honorifics belong to the letter, not the name.
pub fn strip_honorific(name: &str) -> &str {
    let mut v = trim(name);
    // Each honorific ends in one of these: most names end in none of them.
    if !v.ends_with(['中', '様', '殿', 'ん', '君', '氏']) {
        return v;
    }
    for suffix in ["御中", "様", "殿", "さん", "くん", "君", "氏"] {
        if let Some(rest) = v.strip_suffix(suffix) {
            if trim(rest).chars().count() >= 2 {
                v = rest.trim_end();
                break;
            }
        }
    }
    v
}

/// A person's name as written in a cell: letters, kana or kanji, no digits.
pub fn looks_like_name(value: &str) -> bool {
    let v = strip_honorific(trim(value));
    let count = v.chars().count();
    if !(2..=30).contains(&count)
        || has_company_mark(v)
        || is_empty_mark(v)
        || v.ends_with('会')
        || v == "計"
    {
        return false;
    }
    // last_name, first_name: an identifier in code, not a person.
    if v.is_ascii() && (v.contains('_') || !v.contains(' ')) {
        return false;
    }
    let mut letters = 0;
    for c in v.chars() {
        if c.is_ascii_digit() || matches!(c, '@' | '/' | '#' | '%' | '=' | '<' | '>' | '〒') {
            return false;
        }
        // Kana and kanji are letters: skip the Unicode tables for them.
        if matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | '\u{4E00}'..='\u{9FFF}') || c.is_alphabetic()
        {
            letters += 1;
        }
    }
    letters >= 2
}

pub fn is_personal_email(value: &str) -> bool {
    let v = trim(value);
    // ASCII (nearly every address): lower-casing is ASCII lower-casing, so
    // the test runs on the borrowed text without a lower-cased copy.
    if v.is_ascii() {
        let Some((local, domain)) = v.split_once('@') else {
            return false;
        };
        let local_ok = !local.is_empty()
            && local
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+'));
        let domain_ok = domain.contains('.')
            && domain
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'));
        // A local part longer than every role mailbox is no role's.
        return local_ok
            && domain_ok
            && (local.len() > LONGEST_ROLE_MAILBOX
                || !ROLE_MAILBOXES
                    .iter()
                    .any(|role| role.eq_ignore_ascii_case(local)));
    }
    let v = v.to_lowercase();
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'));
    let domain_ok = domain.contains('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
    local_ok && domain_ok && !ROLE_MAILBOXES.contains(&local)
}

/// A person's address: prefecture and municipality checked against the
/// national postal data when it is installed; without the data, a prefecture or a municipality
/// marker followed by a house number.
pub fn is_address(value: &str) -> bool {
    let v = trim(value);
    // Fewer than 5 chars, without counting a long address's every char.
    if v.chars().nth(4).is_none() {
        return false;
    }
    let body = v.trim_start_matches('〒').trim_start();
    let (code, body) = split_postal_prefix(body);
    let postal = Postal::get();
    if postal.is_available() {
        // A mistyped 〒 does not make a real place less of an address: the
        // municipality decides, the code only adds when the body is short.
        return postal.has_municipality(body)
            || code
                .is_some_and(|c| postal.has_code(c) && body.chars().any(|ch| ch.is_ascii_digit()));
    }
    if match_prefecture(body).is_some() {
        return true;
    }
    let has_unit = ["市", "区", "町", "村", "郡"]
        .iter()
        .any(|u| body.contains(u));
    has_unit && body.chars().any(|c| c.is_ascii_digit())
}

fn split_postal_prefix(s: &str) -> (Option<&str>, &str) {
    let b = s.as_bytes();
    if b.len() >= 8
        && b[..3].iter().all(u8::is_ascii_digit)
        && b[3] == b'-'
        && b[4..8].iter().all(u8::is_ascii_digit)
    {
        (Some(&s[..8]), s[8..].trim_start())
    } else {
        (None, s)
    }
}

pub fn is_postal_code(value: &str) -> bool {
    let v = trim(trim(value).trim_start_matches('〒'));
    // Digits and hyphens only, seven of them digits: counted, not copied.
    v.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && v.bytes().filter(u8::is_ascii_digit).count() == 7
}

fn numeric_amount(value: &str) -> Option<f64> {
    let v: String = value
        .trim()
        .trim_end_matches(['円', '株'])
        .chars()
        .filter(|c| !matches!(c, ',' | '¥' | '\\' | ' '))
        .collect();
    v.parse::<f64>().ok().filter(|n| *n > 0.0)
}

fn is_blood_type(value: &str) -> bool {
    let v = trim(value).to_uppercase().replace('型', "");
    let v = trim(&v);
    let (base, rest) = match v.find(|c: char| !matches!(c, 'A' | 'B' | 'O')) {
        Some(i) => v.split_at(i),
        None => (v, ""),
    };
    matches!(base, "A" | "B" | "O" | "AB")
        && (trim(rest).is_empty() || trim(rest).starts_with("RH"))
}

fn is_gender(value: &str) -> bool {
    let v = trim(value);
    // The Japanese words have no case; the ASCII ones are compared without
    // a lower-cased copy. Only those, lower-cased, can match: `to_lowercase`
    // maps no non-ASCII character to ASCII m, f, a, l or e but K (Kelvin
    // sign, to k, in none of the words).
    matches!(v, "男" | "女" | "男性" | "女性" | "その他")
        || ["m", "f", "male", "female"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(v))
}

/// Validates `value` as `field`; None when it is empty or not of that kind.
pub fn check(field: Field, value: &str) -> Option<Value> {
    let normalized = crate::normalize::normalize_cow(value);
    let value = trim(&normalized);
    if is_empty_mark(value) {
        return None;
    }
    let digits = || digits_only(value);
    let only_digits_and_separators = || {
        value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' '))
    };
    Some(match field {
        Field::Name | Field::NameKana | Field::AccountHolder => {
            if !looks_like_name(value) {
                return None;
            }
            let name = strip_honorific(value);
            // A cell that normalisation left as it was: every piece of it
            // is normal too (the passes' tests only weaken at a piece's
            // ends), so the name needs no second pass.
            if matches!(normalized, std::borrow::Cow::Borrowed(_)) {
                Value::Text(name.to_string())
            } else {
                Value::Text(normalize(name))
            }
        }
        Field::BirthDate => {
            let date = parse_date_cell(value).or_else(|| excel_serial(value))?;
            if !plausible_birth(&date) {
                return None;
            }
            Value::Date(date)
        }
        Field::Gender => is_gender(value).then_some(Value::Present)?,
        Field::PostalCode => is_postal_code(value).then(|| Value::Digits(digits()))?,
        // A labelled address may hold only its postal code, the rest on the next line.
        Field::Address => {
            (is_address(value) || is_postal_code(value)).then(|| Value::Text(value.to_string()))?
        }
        Field::Phone | Field::Mobile => {
            let phone = parse_phone(value)?;
            if phone.kind == PhoneKind::Business {
                return None;
            }
            Value::Digits(phone.digits)
        }
        // An ASCII address (nearly all) lower-cases the same without the
        // Unicode tables.
        Field::Email => is_personal_email(value).then(|| {
            Value::Text(if value.is_ascii() {
                value.to_ascii_lowercase()
            } else {
                value.to_lowercase()
            })
        })?,
        Field::MyNumber => {
            let d = digits();
            if crate::ids::is_published_sample(&d) {
                return None;
            }
            (only_digits_and_separators() && ids::is_my_number(&d)).then_some(Value::Digits(d))?
        }
        Field::AccountNumber => {
            let d = digits();
            (only_digits_and_separators() && (5..=8).contains(&d.len()))
                .then_some(Value::Digits(d))?
        }
        Field::BankCode => {
            let d = digits();
            (d.len() == 4 && only_digits_and_separators()).then_some(Value::Digits(d))?
        }
        Field::BranchCode => {
            let d = digits();
            (d.len() == 3 && only_digits_and_separators()).then_some(Value::Digits(d))?
        }
        Field::AccountType => {
            let v = value.to_lowercase();
            (["普通", "当座", "貯蓄", "総合", "1", "2", "4"]
                .iter()
                .any(|t| v.contains(t)))
            .then_some(Value::Present)?
        }
        Field::BankAccountCombined => {
            let d = digits();
            let has_account_digits = value
                .split(|c: char| !c.is_ascii_digit())
                .any(|run| (6..=8).contains(&run.len()));
            let has_bank_words = [
                "普通",
                "当座",
                "貯蓄",
                "総合",
                "銀行",
                "信金",
                "信用",
                "ゆうちょ",
                "口座",
            ]
            .iter()
            .any(|w| value.contains(w));
            (has_account_digits
                && has_bank_words
                && d.len() >= 6
                && crate::patterns::named_bank_is_real(value))
            .then_some(Value::Digits(d))?
        }
        // 普通 第540618661860号: the number within its licence wording.
        Field::DriversLicense => single_run(value, 12, 12).map(Value::Digits)?,
        Field::Passport => {
            let v = value.to_uppercase().replace([' ', '-'], "");
            ids::is_passport(&v).then_some(Value::Digits(v))?
        }
        Field::ResidenceCard => {
            let v = value.to_uppercase().replace([' ', '-'], "");
            ids::is_residence_card(&v).then_some(Value::Digits(v))?
        }
        Field::PensionNumber => ids::is_pension_number(value).then(|| Value::Digits(digits()))?,
        // 雇用 8683-041800-2, 記号 12: a number after its kind.
        Field::InsuranceNumber => {
            let start = value.find(|c: char| c.is_ascii_digit())?;
            let number = &value[start..];
            let d = digits_only(number);
            // An amount (13400) is not a number of a card: at least six digits, or a grouped form.
            let grouped = number.contains('-') || number.contains(' ');
            (ids::is_insurance_number(number) && (d.len() >= 6 || grouped))
                .then_some(Value::Digits(d))?
        }
        Field::CreditCard => {
            let d = digits();
            (only_digits_and_separators() && ids::is_card_number(&d)).then_some(Value::Digits(d))?
        }
        Field::BloodType => is_blood_type(value).then_some(Value::Present)?,
        Field::Shareholding | Field::Dividend => numeric_amount(value).map(|_| Value::Present)?,
        Field::Family => (!is_negative_answer(value)).then_some(Value::Present)?,
        // 「特になし」 answers the question without giving data about anyone.
        Field::CriminalRecord | Field::Health => {
            (!is_negative_answer(value)).then_some(Value::Present)?
        }
        Field::EmergencyContact | Field::Resume | Field::BankName | Field::BranchName => {
            Value::Present
        }
        Field::AddressPart => Value::Present,
        Field::Age | Field::NotPersonal | Field::OtherDate | Field::RecordId => return None,
    })
}

/// The only run of `min..=max` digits (separators allowed) in a value.
fn single_run(value: &str, min: usize, max: usize) -> Option<String> {
    let mut runs = value
        .split(|c: char| !(c.is_ascii_digit() || c == '-' || c == ' '))
        .map(digits_only)
        .filter(|d| !d.is_empty());
    let run = runs.next()?;
    (runs.next().is_none() && (min..=max).contains(&run.len())).then_some(run)
}

fn excel_serial(value: &str) -> Option<Date> {
    let n: f64 = trim(value).parse().ok()?;
    // 1900-01-01 .. 2030: a serial in that range under a birth-date header.
    if (1.0..47_500.0).contains(&n) {
        Date::from_excel_serial(n)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `check` relies on for a name cell that normalisation borrowed:
    /// every piece of such a text normalises to itself.
    #[test]
    fn pieces_of_a_normal_text_are_normal() {
        let alphabet = [
            '山', '一', '二', '年', '元', '丁', 'ー', '1', ' ', '\u{3000}', 'ｱ', 'ア', 'あ', '々',
            '〒', '・', '－', 'A', 'Ａ', '様', '①', '㈱', '〜', '-', '髙',
        ];
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        texts.sort();
        texts.dedup();
        for text in &texts {
            if !matches!(
                crate::normalize::normalize_cow(text),
                std::borrow::Cow::Borrowed(_)
            ) {
                continue;
            }
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            for (i, &start) in bounds.iter().enumerate() {
                for &end in &bounds[i..] {
                    let piece = &text[start..end];
                    assert_eq!(normalize(piece), piece, "{piece:?} of {text:?}");
                }
            }
        }
        assert_eq!(
            check(Field::Name, " 山田 太郎 様"),
            Some(Value::Text("山田 太郎".into()))
        );
        assert_eq!(
            check(Field::Name, "山田\u{3000}太郎"),
            Some(Value::Text("山田 太郎".into()))
        );
    }

    #[test]
    fn cells() {
        assert!(check(Field::MyNumber, "4906 3022 4281").is_some());
        assert!(
            check(Field::MyNumber, "1234 5678 9018").is_none(),
            "the published sample"
        );
        assert!(check(Field::MyNumber, "123456789019").is_none());
        assert!(check(Field::Name, "山田 太郎").is_some());
        assert!(check(Field::Name, "株式会社山田").is_none());
        assert!(check(Field::Name, "-").is_none());
        assert!(check(Field::Email, "taro.yamada@example.jp").is_some());
        assert!(check(Field::Email, "info@example.jp").is_none());
        assert!(check(Field::Email, "INFO@Example.JP").is_none());
        assert!(check(Field::Email, "Taro.Yamada@Example.jp").is_some());
        assert!(!is_personal_email("taro@@example.jp"));
        assert!(!is_personal_email("@example.jp"));
        assert!(!is_personal_email("taro@example"));
        assert!(!is_personal_email("ｔａｒｏ@example.jp"));
        assert!(check(Field::BloodType, "AB型 Rh+").is_some());
        assert!(check(Field::BloodType, "C").is_none());
        assert!(check(Field::Phone, "0120-123-456").is_none());
        assert!(check(Field::BirthDate, "S55.3.2").is_some());
        assert!(check(Field::BirthDate, "29282").is_some());
        assert!(check(Field::Address, "東京都千代田区千代田1-1").is_some());
        assert!(check(Field::Address, "営業部").is_none());
        assert!(check(Field::Gender, "女性").is_some());
        assert!(check(Field::Shareholding, "1,200株").is_some());
        assert!(check(Field::Family, "なし").is_none());
    }
}

//! Line-level patterns for the text engine. Every function takes a
//! normalised line and returns byte ranges into it.

use crate::findings::Findings;
use crate::keywords::{Group, Hits};
use crate::labels::{classify_label, Field};
use mamori_core::DataItem;
use mamori_data::match_prefecture;
use regex::Regex;
use std::sync::OnceLock;

macro_rules! regex {
    ($re:expr) => {{
        static RE: OnceLock<Regex> = OnceLock::new();
        RE.get_or_init(|| Regex::new($re).unwrap_or_else(|e| unreachable!("static regex: {e}")))
    }};
}

// After the macro: macro_rules! scope is textual.
mod names;
mod numbers;
pub use names::*;
pub use numbers::*;

pub(crate) const MY_NUMBER_KEYWORDS: &[&str] = &[
    "個人番号",
    "マイナンバー",
    "通知カード",
    "共通番号",
    // Spelled apart only: "mynumber" inside a URL path or an identifier is code, not a label.
    "my number",
    "My Number",
];
pub(crate) const CARD_KEYWORDS: &[&str] = &[
    "カード",
    "card",
    "Card",
    "CARD",
    "VISA",
    "Visa",
    "JCB",
    "Master",
    "AMEX",
    "Amex",
    "有効期限",
    "クレジット",
];
pub(crate) const COMPANY_LINE_WORDS: &[&str] = &[
    "本社",
    "所在地",
    "代表",
    "株式会社",
    "有限会社",
    "合同会社",
    "(株)",
    "御中",
    "FAX",
    "Fax",
    "fax",
    "会社概要",
    "本店",
    "営業所",
    "事業所",
    "支社",
    "工場",
    "受付時間",
    "お問い合わせ",
    "問合せ",
    "窓口",
    "法人番号",
    "登録番号",
    "URL",
    "http",
];
pub(crate) const NOT_MY_NUMBER_WORDS: &[&str] = &[
    "法人番号",
    "商品",
    "品番",
    "注文",
    "請求",
    "伝票",
    "JAN",
    "登録番号",
    "受注",
    "発注",
    "型番",
    "製造",
    "シリアル",
    "口座",
];

pub fn is_company_line(line: &str) -> bool {
    COMPANY_LINE_WORDS.iter().any(|k| line.contains(k))
}

/// [`is_company_line`] of the line with `cut` (an address) taken out,
/// without building that line: a word lies in the part before the cut, in
/// the part after it, or across the joint (its head ends the one, its tail
/// opens the other). `line_has_word` is the keyword pass's Company group
/// for the whole line: without it neither part can hold a word (the pass
/// finds every word, in any ASCII case), and only the joint is looked at.
pub fn is_company_line_without(line: &str, cut: (usize, usize), line_has_word: bool) -> bool {
    let (before, after) = (&line[..cut.0], &line[cut.1..]);
    if line_has_word && (is_company_line(before) || is_company_line(after)) {
        return true;
    }
    let (Some(&last), Some(&first)) = (before.as_bytes().last(), after.as_bytes().first()) else {
        return false;
    };
    // The two bytes at the joint must stand side by side in the word: one
    // byte compare rules out nearly every split before any slice compare.
    COMPANY_LINE_WORDS.iter().any(|word| {
        let word = word.as_bytes();
        (1..word.len()).any(|k| {
            word[k - 1] == last
                && word[k] == first
                && before.as_bytes().ends_with(&word[..k])
                && after.as_bytes().starts_with(&word[k..])
        })
    })
}

/// Words that mark a filled-in example (記入例 山田 太郎): not anyone's data.
pub const EXAMPLE_WORDS: &[&str] = &[
    "記入例",
    "記載例",
    "見本",
    "サンプル",
    "テンプレート",
    "ひな形",
    "雛形",
];

/// A 12-digit number right after another kind of number's label (受付番号,
/// 送り状番号, S/N) is that number, whatever My Number keyword is nearby.
pub fn labelled_as_other_number(line: &str, start: usize) -> bool {
    let before_start = line[..start]
        .char_indices()
        .rev()
        .nth(9)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let before = &line[before_start..start];
    let other = [
        "受付番号",
        "送り状",
        "伝票",
        "問合せ番号",
        "問い合わせ番号",
        "注文番号",
        "管理番号",
        "社員番号",
        "会員番号",
        "顧客番号",
        "請求番号",
        "追跡番号",
        "製造番号",
        "シリアル",
        "S/N",
        "品番",
        "型番",
        "受付No",
        "伝票No",
        "証券番号",
    ]
    .iter()
    .any(|w| before.contains(w));
    // req_id=…, trace_id: … : an ASCII key names the number.
    let ascii_key = regex!(r"[A-Za-z_][A-Za-z0-9_.\-]*\s*[=:]\s*[\x22']?$").is_match(before);
    (other || ascii_key)
        && !before.contains("個人番号")
        && !MY_NUMBER_KEYWORDS.iter().any(|k| before.contains(k))
}

/// 「総務部の松尾 直美です」「山田太郎と申します」: a writer introducing themself.
pub fn self_introduced_name(line: &str) -> Option<NameHit> {
    if !(line.contains("です") || line.contains("申します") || line.contains("ございます"))
    {
        return None;
    }
    let caps = regex!(r"(?:^|[のは、\s])([\p{Han}々ヶ]{1,4} ?[\p{Han}々ヶぁ-んァ-ヴー]{1,4})(?:です|と申します|でございます)").captures(line)?;
    let name = caps.get(1)?;
    let text = name.as_str().trim();
    // 森 誠: two characters are a full name when a space parts them.
    let chars = text.chars().filter(|c| !c.is_whitespace()).count();
    if chars < 2
        || (chars == 2 && !text.contains(' '))
        || is_not_name(text)
        || crate::values::has_company_mark(text)
    {
        return None;
    }
    Some(NameHit {
        start: name.start(),
        end: name.end(),
        text: text.to_string(),
        full: true,
    })
}

pub fn is_not_my_number_line(line: &str) -> bool {
    NOT_MY_NUMBER_WORDS.iter().any(|k| line.contains(k))
}

pub struct LabelPair<'a> {
    pub field: Field,
    pub value: &'a str,
    pub value_start: usize,
    pub is_last: bool,
}

/// `氏名：山田太郎　生年月日：S55.3.2`, `【住所】…`, `氏名\t山田`, `氏名 山田太郎`.
pub fn label_pairs(line: &str) -> Vec<LabelPair<'_>> {
    let mut labels: Vec<(usize, usize, Field)> = Vec::new(); // (label start, value start, field)
                                                             // Each regex needs its mark (a colon or tab; 【) on the line: a memo's
                                                             // prose line has neither and is passed without a regex scan.
    let colon_or_tab = memchr::memchr(b'\t', line.as_bytes()).is_some()
        || crate::labels::find_colon(line).is_some();
    for m in regex!(r"(?:^|[\s、,。】■□●・]|\t)([^\s:：、。,【】\t■□●()（）]{1,14}(?:[(（][^)）\s]{1,6}[)）])?)\s*(?:[:：]|\t)")
        .captures_iter(if colon_or_tab { line } else { "" })
    {
        if let (Some(label), Some(whole)) = (m.get(1), m.get(0)) {
            if let Some(field) = classify_label(label.as_str()) {
                labels.push((label.start(), whole.end(), field));
            }
        }
    }
    for m in
        regex!(r"【([^】]{1,14})】").captures_iter(if line.contains('【') { line } else { "" })
    {
        if let (Some(label), Some(whole)) = (m.get(1), m.get(0)) {
            if let Some(field) = classify_label(label.as_str()) {
                labels.push((whole.start(), whole.end(), field));
            }
        }
    }
    if labels.is_empty() {
        // "氏名 山田 太郎": a label word first, then spaces.
        let spaced = if may_open_with_spaced_label(line) || !crate::text::shortcuts() {
            line
        } else {
            ""
        };
        if let Some(m) = regex!(r"^\s*([^\s:：]{1,8})[ ]+(\S.*)$").captures(spaced) {
            if let (Some(label), Some(value)) = (m.get(1), m.get(2)) {
                if let Some(field) = classify_label(label.as_str()) {
                    if !matches!(
                        field,
                        Field::NotPersonal | Field::RecordId | Field::OtherDate
                    ) {
                        labels.push((label.start(), value.start(), field));
                    }
                }
            }
        }
        // A label alone on its line: its value follows on the next one.
        let trimmed = line.trim();
        // More than 40 bytes are more than 10 characters.
        if labels.is_empty() && trimmed.len() <= 40 && trimmed.chars().count() <= 10 {
            if let Some(field) = classify_label(trimmed) {
                return vec![LabelPair {
                    field,
                    value: "",
                    value_start: line.len(),
                    is_last: true,
                }];
            }
        }
    }
    labels.sort_by_key(|l| l.0);
    labels.dedup_by_key(|l| l.0);
    let count = labels.len();
    (0..count)
        .map(|i| {
            let (_, value_start, field) = labels[i];
            let end = labels
                .get(i + 1)
                .map(|l| l.0)
                .unwrap_or(line.len())
                .max(value_start);
            LabelPair {
                field,
                value: &line[value_start..end],
                value_start,
                is_last: i + 1 == count,
            }
        })
        .collect()
}

/// Whether `^\s*([^\s:：]{1,8})[ ]+(\S.*)$` can match `line`: after the
/// leading white space (`trim_start` and `\s` are both Unicode White_Space),
/// 1 to 8 characters that are neither white space nor a colon, then a
/// space. Prose lines fail within nine characters, without the regex.
pub(crate) fn may_open_with_spaced_label(line: &str) -> bool {
    let mut chars = line.trim_start().chars();
    for taken in 0..=8 {
        match chars.next() {
            Some(' ') => return taken >= 1,
            Some(c) if c.is_whitespace() || c == ':' || c == '：' => return false,
            Some(_) => {}
            None => return false,
        }
    }
    false
}

/// Cuts what a label's value carries after it: `山田 太郎 (ヤマダ タロウ)`, `男 年齢 44`.
/// HTML and XML: tags become cell separators, so `<th>氏名</th><td>山田 太郎</td>`
/// reads like a tab-separated label and value.
pub fn strip_tags(line: &str) -> std::borrow::Cow<'_, str> {
    if !(line.contains('<') && line.contains('>')) {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                if !out.ends_with('\t') {
                    out.push('\t');
                }
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    std::borrow::Cow::Owned(out)
}

pub fn trim_value(field: Field, raw: &str) -> &str {
    // JSON and CSV-in-text quote their values: "山田 太郎",
    let v = raw
        .trim()
        .trim_matches(|c| matches!(c, '、' | ',' | '。' | '"' | '\'' | '「' | '」' | ';'));
    match field {
        Field::Name | Field::NameKana | Field::AccountHolder => {
            let v = v
                .split(['(', '（', '/', '、', ',', '　'])
                .next()
                .unwrap_or(v)
                .trim();
            // At most two space-separated parts (姓 名).
            let mut parts = v.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some(_), Some(b)) => {
                    let end = b.as_ptr() as usize - v.as_ptr() as usize + b.len();
                    &v[..end]
                }
                (Some(a), None) => a,
                _ => v,
            }
        }
        Field::Gender | Field::BloodType => v.split_whitespace().next().unwrap_or(v),
        _ => v,
    }
}

#[rustfmt::skip]
pub(crate) const HEALTH_WORDS: &[&str] = &["健康診断", "健診", "要再検査", "要精密検査", "既往歴", "障害者手帳", "身体障害", "精神障害", "療育手帳", "診断書", "休職", "復職", "産業医", "血圧", "血糖", "HbA1c", "通院", "持病", "服薬", "病名", "入院", "うつ病", "適応障害", "障害等級", "要治療", "所見", "アレルギー", "高血圧", "糖尿病", "検便", "発熱", "体温"];
#[rustfmt::skip]
pub(crate) const FAMILY_WORDS: &[&str] = &["扶養", "配偶者", "続柄", "長男", "長女", "次男", "次女", "家族構成", "夫婦", "奥様", "ご主人", "出産予定", "育児休業", "育休", "産休", "介護休業"];
pub(crate) const RESUME_WORDS: &[&str] = &[
    "学歴",
    "職歴",
    "志望動機",
    "自己PR",
    "職務経歴",
    "志望理由",
    "卒業見込",
    "入学",
    "卒業",
];
pub(crate) const CRIMINAL_WORDS: &[&str] = &["犯罪歴", "前科", "逮捕歴"];

/// Attribute items named by keywords (counted once per line and item).
/// Whether [`keyword_items`] can find anything on the line: one of its
/// groups, or the 人 of 子供2人.
pub fn may_have_keyword_items(line: &str, hits: Hits) -> bool {
    [
        Group::Health,
        Group::Family,
        Group::Resume,
        Group::Criminal,
        Group::Emergency,
        Group::BloodType,
        Group::Shares,
        Group::Dividend,
    ]
    .iter()
    .any(|g| hits.has(*g))
        || line.contains('人')
}

pub fn keyword_items(line: &str, hits: Hits, findings: &mut Findings) {
    for (group, item) in [
        (Group::Health, DataItem::Health),
        (Group::Family, DataItem::Family),
        (Group::Resume, DataItem::Resume),
        (Group::Criminal, DataItem::CriminalRecord),
        (Group::Emergency, DataItem::EmergencyContact),
    ] {
        if hits.has(group) {
            findings.add(item, 1);
        }
    }
    if line.contains('人')
        && regex!(r"(子供|子ども|家族)\s*\d+\s*人").is_match(line)
        && !hits.has(Group::Family)
    {
        findings.add(DataItem::Family, 1);
    }
    if hits.has(Group::BloodType) && regex!(r"血液型\s*[:：]?\s*(AB|A|B|O)\b").is_match(line) {
        findings.add(DataItem::BloodType, 1);
    }
    if hits.has(Group::Shares)
        && regex!(r"(持株数|所有株式数|保有株式数|株式数)\s*[:：]?\s*[\d,]+").is_match(line)
    {
        findings.add(DataItem::Shareholding, 1);
    }
    if hits.has(Group::Dividend) && regex!(r"配当金?(額)?\s*[:：]?\s*[¥\\]?[\d,]+").is_match(line)
    {
        findings.add(DataItem::Dividend, 1);
    }
}

/// 「給与所得者の扶養控除等申告書」: a document's title names its topic, not
/// anyone's data.
pub fn is_title_line(line: &str) -> bool {
    let t = line.trim();
    // More than 160 bytes are more than 40 characters.
    t.len() <= 160
        && t.chars().count() <= 40
        && !t.contains([':', '：'])
        && [
            "書",
            "票",
            "表",
            "届",
            "簿",
            "一覧",
            "台帳",
            "記録",
            "について",
            "のお知らせ",
        ]
        .iter()
        .any(|e| t.ends_with(e))
}

/// From:, To:, Cc: lines of a saved mail.
pub fn is_mail_header(line: &str) -> bool {
    let t = line.trim_start_matches(['>', ' ']).to_lowercase();
    [
        "from:",
        "to:",
        "cc:",
        "bcc:",
        "reply-to:",
        "差出人",
        "宛先",
        "送信者",
    ]
    .iter()
    .any(|h| t.starts_with(h))
}

/// Mailboxes people hold privately (a carrier's or a free service): on a
/// mail header these are a person's; a company domain there is a business
/// contact point.
pub fn is_consumer_mail(email: &str) -> bool {
    let domain = email.rsplit('@').next().unwrap_or("").to_lowercase();
    [
        "gmail.com",
        "yahoo.co.jp",
        "ymail.ne.jp",
        "icloud.com",
        "me.com",
        "outlook.com",
        "outlook.jp",
        "hotmail.com",
        "hotmail.co.jp",
        "live.jp",
        "docomo.ne.jp",
        "ezweb.ne.jp",
        "au.com",
        "softbank.ne.jp",
        "i.softbank.jp",
        "ymobile.ne.jp",
        "nifty.com",
        "biglobe.ne.jp",
        "ocn.ne.jp",
        "so-net.ne.jp",
        "plala.or.jp",
        "aol.com",
    ]
    .iter()
    .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
}

pub fn emails(line: &str) -> Vec<(usize, usize)> {
    regex!(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
        .find_iter(line)
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// Words that name a document type or a group of people (for the categoriser).
pub(crate) const SIGNAL_WORDS: &[&str] = &[
    "通勤手当",
    "手当",
    "お問い合わせ",
    "お見積",
    "ご依頼",
    "お客様",
    "履歴書",
    "職務経歴書",
    "エントリーシート",
    "志望動機",
    "応募",
    "選考",
    "面接",
    "説明会",
    "内定",
    "新卒",
    "中途採用",
    "株主",
    "配当",
    "株式",
    "持株",
    "賃貸",
    "貸主",
    "賃貸人",
    "家主",
    "地主",
    "駐車場",
    "賃料",
    "家賃",
    "物件",
    "協力会社",
    "作業員",
    "下請",
    "外注",
    "現場",
    "安全書類",
    "社員",
    "従業員",
    "入社",
    "退職",
    "人事",
    "給与",
    "扶養",
    "年末調整",
    "健康診断",
    "顧客",
    "お客様",
    "会員",
    "購入",
    "注文",
    "通販",
];

pub fn signal_words(line: &str) -> impl Iterator<Item = &'static str> + '_ {
    // One automaton pass instead of a substring search per word; the set of
    // words found is the same, each at most once, in list order.
    static AC: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let ac = AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new(SIGNAL_WORDS)
            .unwrap_or_else(|e| unreachable!("static signal automaton: {e}"))
    });
    let mut found = [false; SIGNAL_WORDS.len()];
    for m in ac.find_overlapping_iter(line) {
        found[m.pattern().as_usize()] = true;
    }
    SIGNAL_WORDS
        .iter()
        .zip(found)
        .filter(|(_, hit)| *hit)
        .map(|(w, _)| *w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honorific_names_cut_the_name_as_the_capture_did() {
        let capture = regex::Regex::new(r"([\p{Han}々ヶ]{1,4}(?:[ ]?[\p{Han}々ヶ]{1,4})?|[ァ-ヴー]{2,6}(?:[ ][ァ-ヴー]{2,6})?)[ ]?(様|さん|殿|氏|君)").unwrap();
        for line in [
            "小沢香織様より電話あり（080-6493-8285）。",
            "山田 太郎 様、鈴木さん、田中氏様、佐藤殿 高橋君",
            "ヤマダ タロウ さん と カトウさん、総務部佐藤様、営業の中村さん",
            "阿部翼さん 氏氏氏氏氏 様様 さんさん",
            "長い前置きの文章がここに続きますが山田太郎様と佐藤花子さんと𠮷田𠮷田 𠮷田𠮷田 様、アイウエオカ キクケコサシ さん",
            "様",
            "さ",
            "",
        ] {
            let expected: Vec<(usize, usize)> = capture
                .captures_iter(line)
                .filter_map(|c| c.get(1))
                .map(|g| (g.start(), g.end()))
                .collect();
            let whole: Vec<(usize, usize)> = capture.find_iter(line).map(|m| (m.start(), m.end())).collect();
            let windowed: Vec<(usize, usize)> = honorific_matches(line).iter().map(|m| (m.start(), m.end())).collect();
            assert_eq!(windowed, whole, "{line}");
            let ends: Vec<usize> = honorific_names(line, None).iter().map(|n| n.end).collect();
            assert!(
                ends.iter()
                    .all(|e| expected.iter().any(|(_, end)| end == e)),
                "{line}: {ends:?} vs {expected:?}"
            );
        }
    }

    #[test]
    fn number_runs_find_identifiers_not_glued_numbers() {
        let found = |line: &str| {
            number_runs(line)
                .into_iter()
                .filter(|r| r.is(12, &[4, 4, 4]))
                .map(|r| r.digits)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("個人番号 1234 5678 9018 です"), ["123456789018"]);
        assert_eq!(found("1234-5678-9018"), ["123456789018"]);
        assert_eq!(found("123456789018"), ["123456789018"]);
        assert!(found("id=A123456789018").is_empty());
        assert!(found("1234567890189").is_empty());
        assert!(found("12 3456 789018").is_empty());
        let cards = number_runs("カード 4111-1111-1111-1111 有効");
        assert_eq!(cards.iter().filter(|r| is_card_shape(r)).count(), 1);
    }
}

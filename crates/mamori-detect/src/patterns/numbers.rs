//! Numbers on a line: digit runs, card shapes, birth-date context, addresses
//! and accounts, identifiers named by keywords.

use super::*;

/// Runs of digits joined by single spaces or hyphens, 10 to 24 bytes long,
/// not glued to letters or digits: where identifiers can stand. A byte loop,
/// since logs put such runs on every line.
fn digit_runs(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || matches!(b[j], b' ' | b'-')) {
            if b[j].is_ascii_digit() {
                end = j + 1;
            } else if j + 1 < b.len() && !b[j + 1].is_ascii_digit() {
                break; // a separator not followed by a digit ends the run
            }
            j += 1;
        }
        let glued = b.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
        if (10..=24).contains(&(end - start)) && !glued {
            out.push((start, end));
        }
        i = end.max(i + 1);
    }
    out
}

/// A run of digits as written (1234 5678 9018), with its digits and groups.
pub struct NumberRun {
    pub start: usize,
    pub end: usize,
    pub digits: String,
    pub groups: Vec<usize>,
}

impl NumberRun {
    /// `total` digits, contiguous or grouped exactly as `groups`.
    pub fn is(&self, total: usize, groups: &[usize]) -> bool {
        self.digits.len() == total && (self.groups.len() == 1 || self.groups == groups)
    }
}

/// Every identifier-shaped run of a line, computed once for all checks.
pub fn number_runs(line: &str) -> Vec<NumberRun> {
    runs_of(line, digit_runs(line))
}

/// The runs of [`number_runs`] written with a separator (4111-1111-…),
/// the only ones a card number without a keyword nearby can be.
pub fn grouped_number_runs(line: &str) -> Vec<NumberRun> {
    let mut spans = digit_runs(line);
    spans.retain(|&(start, end)| {
        line.as_bytes()[start..end]
            .iter()
            .any(|b| matches!(b, b' ' | b'-'))
    });
    runs_of(line, spans)
}

fn runs_of(line: &str, spans: Vec<(usize, usize)>) -> Vec<NumberRun> {
    spans
        .into_iter()
        .map(|(start, end)| {
            let mut digits = String::with_capacity(end - start);
            let mut groups = Vec::with_capacity(4);
            for part in line[start..end].split([' ', '-']).filter(|p| !p.is_empty()) {
                digits.push_str(part);
                groups.push(part.len());
            }
            NumberRun {
                start,
                end,
                digits,
                groups,
            }
        })
        .collect()
}

/// Card-number shapes among a line's runs: 16 (4-4-4-4), 15 (4-6-5), 14 (4-6-4).
pub fn is_card_shape(run: &NumberRun) -> bool {
    run.is(16, &[4, 4, 4, 4]) || run.is(15, &[4, 6, 5]) || run.is(14, &[4, 6, 4])
}

pub(crate) const BIRTH_WORDS: &[&str] = &[
    "生年月日",
    "誕生日",
    "生まれ",
    "生年",
    "出生",
    "birth",
    "Birth",
];

/// 昭和55年3月2日生, 生年月日 1980/3/2, (S55.3.2生まれ).
pub fn is_birth_context(line: &str, start: usize, end: usize) -> bool {
    let after: String = line[end..].chars().take(4).collect();
    if after.trim_start().starts_with('生') || after.contains("生まれ") {
        return true;
    }
    let before_start = line[..start]
        .char_indices()
        .rev()
        .nth(11)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let before = &line[before_start..start];
    BIRTH_WORDS.iter().any(|w| before.contains(w))
}

/// Words that say an address is where a person lives (〒 alone does not:
/// letterheads have one too).
#[rustfmt::skip]
pub(crate) const ADDRESS_WORDS: &[&str] = &["住所", "自宅", "転居", "引越", "引っ越", "住まい", "実家", "在住", "現住所", "新住所", "旧住所", "お届け", "送付先"];

/// Spans that start with 〒 + code, or a prefecture, and run to the house number.
pub fn address_spans(line: &str) -> Vec<(usize, usize)> {
    address_spans_in(line, true)
}

/// [`address_spans`], told by the keyword pass whether the line holds a
/// prefecture's name at all: without one only a postal code can start a
/// span, and the prefecture search is not run. A postal code needs its
/// ASCII '-': without one the postal regex is not run either.
pub fn address_spans_in(line: &str, may_have_prefecture: bool) -> Vec<(usize, usize)> {
    static PREFECTURE_AC: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let prefectures = PREFECTURE_AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new(mamori_data::PREFECTURES)
            .unwrap_or_else(|e| unreachable!("static automaton: {e}"))
    });
    let postal_re = regex!(r"〒?\s*\d{3}-\d{4}\s*");
    let body_re = regex!(r"^[^\s、。,]{2,40}?\d+(?:[-丁目番地号の]+\d+)*(?:丁目|番地|番|号)?");
    // (span start, body start): after a postal code, or at a prefecture.
    let postal_text =
        if memchr::memchr(b'-', line.as_bytes()).is_some() || !crate::text::shortcuts() {
            line
        } else {
            ""
        };
    let mut starts: Vec<(usize, usize)> = postal_re
        .find_iter(postal_text)
        .filter(|m| !line[..m.start()].ends_with(|c: char| c.is_ascii_digit() || c == '-'))
        .map(|m| (m.start(), m.end()))
        .collect();
    if may_have_prefecture {
        starts.extend(prefectures.find_iter(line).map(|m| (m.start(), m.start())));
    }
    starts.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (start, body_start) in starts {
        if out.last().is_some_and(|&(_, end)| start < end) {
            continue;
        }
        let body = &line[body_start..];
        let Some(m) = body_re.find(body) else {
            continue;
        };
        if body_start > start
            || match_prefecture(body).is_some()
            || crate::values::is_address(&body[..m.end()])
        {
            out.push((start, body_start + m.end()));
        }
    }
    out
}

/// 普通 1234567, 当座預金 0123456, ゆうちょ 記号 14030 番号 12345671.
/// 「記号：15380」 alone on its line (ゆうちょ's account written over two lines).
pub fn yucho_symbol_line(line: &str) -> Option<String> {
    let caps = regex!(r"^\s*記号\s*[:：]?\s*([01]\d{4})\s*$").captures(line)?;
    Some(caps.get(1)?.as_str().to_string())
}

/// 「番号：91207091」 alone on its line, after a ゆうちょ 記号.
pub fn yucho_number_line(line: &str) -> bool {
    regex!(r"^\s*番号\s*[:：]?\s*\d{6,8}\s*$").is_match(line)
}

/// A bank named in `text` must exist (with its branch, when named).
pub fn named_bank_is_real(text: &str) -> bool {
    if let Some(caps) = regex!(r"([^\s、,:：]{1,12}?(?:銀行|信用金庫|信金|信用組合|労働金庫))(?:\s*([^\s、,]{1,12}?(?:支店|営業部|出張所|支所|店)))?").captures(text) {
        let bank_ref = crate::bank::BankRef {
            bank_name: caps.get(1).map(|m| m.as_str()),
            branch_name: caps.get(2).map(|m| m.as_str()),
            ..Default::default()
        };
        return crate::bank::is_consistent(bank_ref);
    }
    true
}

pub fn bank_accounts(line: &str) -> Vec<(usize, usize)> {
    if !named_bank_is_real(line) {
        return Vec::new();
    }
    let mut out: Vec<(usize, usize)> = regex!(
        r"(普通|当座|貯蓄|総合)(?:預金)?\s*(?:口座)?\s*(?:No\.?|番号)?\s*[:：]?\s*\d{6,8}\b"
    )
    .find_iter(line)
    .map(|m| (m.start(), m.end()))
    .collect();
    for caps in regex!(r"記号\s*[:：]?\s*([01]\d{4})\s*[-、,]?\s*番号\s*[:：]?\s*\d{1,8}")
        .captures_iter(line)
    {
        if let (Some(whole), Some(symbol)) = (caps.get(0), caps.get(1)) {
            if crate::bank::yucho_symbol_ok(symbol.as_str()) {
                out.push((whole.start(), whole.end()));
            }
        }
    }
    if line.contains("ゆうちょ") {
        for caps in regex!(r"\b([01]\d{4})-\d{6,8}\b").captures_iter(line) {
            if let (Some(whole), Some(symbol)) = (caps.get(0), caps.get(1)) {
                if crate::bank::yucho_symbol_ok(symbol.as_str()) {
                    out.push((whole.start(), whole.end()));
                }
            }
        }
    }
    out
}

/// Licence, passport, residence card, pension and insurance numbers whose keyword is on the line.
pub fn keyword_identifiers(line: &str) -> Vec<(DataItem, usize, usize)> {
    let mut out = Vec::new();
    let spans = |re: &Regex| {
        re.find_iter(line)
            .map(|m| (m.start(), m.end()))
            .collect::<Vec<_>>()
    };
    if line.contains("免許") {
        for (s, e) in spans(regex!(r"\b\d{12}\b")) {
            out.push((DataItem::DriversLicense, s, e));
        }
    }
    if line.contains("旅券") || line.contains("パスポート") || line.contains("passport") {
        for (s, e) in spans(regex!(r"\b[A-Z]{2}\d{7}\b")) {
            out.push((DataItem::Passport, s, e));
        }
    }
    if line.contains("在留") {
        for (s, e) in spans(regex!(r"\b[A-Z]{2}\d{8}[A-Z]{2}\b")) {
            out.push((DataItem::ResidenceCard, s, e));
        }
    }
    if line.contains("年金") {
        for (s, e) in spans(regex!(r"\b\d{4}-?\d{6}\b")) {
            out.push((DataItem::PensionNumber, s, e));
        }
    }
    if line.contains("被保険者") || line.contains("保険者番号") || line.contains("保険証")
    {
        for (s, e) in spans(regex!(r"\b\d{4}-\d{6}-\d\b|\b\d{8}\b")) {
            out.push((DataItem::InsuranceNumber, s, e));
        }
    }
    out
}

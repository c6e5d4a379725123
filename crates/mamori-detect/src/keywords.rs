//! One pass over a line to learn which keyword groups it holds, so the text
//! engine runs its regexes only on lines that can match them. Most lines of
//! a share (logs, minutes, code) hold none, and are skipped after this pass.

use crate::labels::{label_words, Field};
use crate::patterns as pat;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use mamori_data::PREFECTURES;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Group {
    MyNumber,
    Card,
    Company,
    Birth,
    Address,
    Prefecture,
    Health,
    Family,
    Resume,
    Criminal,
    Emergency,
    BloodType,
    Shares,
    Dividend,
    Identifier,
    Honorific,
    /// です / 申します: a writer may be introducing themself.
    Intro,
    Bank,
    Label,
    Signal,
}

/// Which groups a line holds, and which document-type words
/// ([`pat::SIGNAL_WORDS`]) it holds: the same pass finds both, so the
/// categoriser's words need no second pass over the line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hits {
    groups: u32,
    /// Bit `i`: `SIGNAL_WORDS[i]` occurs in the line.
    signals: u64,
}

// One bit per signal word.
const _: () = assert!(pat::SIGNAL_WORDS.len() <= 64);

impl Hits {
    pub fn has(self, group: Group) -> bool {
        self.groups & (1 << group as u8) != 0
    }

    pub fn any(self) -> bool {
        self.groups != 0
    }

    /// These hits without `groups`.
    pub fn without(self, groups: &[Group]) -> Hits {
        let mask = groups.iter().fold(0u32, |m, g| m | 1 << *g as u8);
        Hits {
            groups: self.groups & !mask,
            signals: self.signals,
        }
    }

    /// Bit `i`: `SIGNAL_WORDS[i]` occurs in the line.
    pub(crate) fn signal_bits(self) -> u64 {
        self.signals
    }

    /// The document-type words found, each once, in list order (the words
    /// [`pat::signal_words`] finds in the same line).
    pub fn signal_words(self) -> impl Iterator<Item = &'static str> {
        pat::SIGNAL_WORDS
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.signals & (1 << i) != 0)
            .map(|(_, w)| *w)
    }
}

struct Automaton {
    search: Search,
    /// Per pattern: its group's bit and, for a signal word, its bit in
    /// `SIGNAL_WORDS` order.
    masks: Vec<Hits>,
    #[cfg(test)]
    words: Vec<String>,
    #[cfg(test)]
    groups: Vec<Group>,
}

enum Search {
    /// ASCII keywords over ASCII lines (logs): the prefilter skips most of a
    /// log line.
    Prefiltered(AhoCorasick),
    /// Every keyword over Japanese text, whose lead bytes are too common for
    /// a prefilter to pay. Walked by hand: every match state's patterns are
    /// the overlapping iterator's matches, without its per-match re-entry.
    Walked(Box<aho_corasick::dfa::DFA>),
}

impl Automaton {
    fn hits(&self, line: &str) -> Hits {
        let mut hits = Hits::default();
        let mut add = |pattern: usize| {
            if let Some(mask) = self.masks.get(pattern) {
                hits.groups |= mask.groups;
                hits.signals |= mask.signals;
            }
        };
        match &self.search {
            Search::Prefiltered(ac) => {
                for m in ac.find_overlapping_iter(line) {
                    add(m.pattern().as_usize());
                }
            }
            Search::Walked(dfa) => {
                use aho_corasick::automaton::Automaton as _;
                let Ok(mut sid) = dfa.start_state(aho_corasick::Anchored::No) else {
                    unreachable!("an unanchored automaton has an unanchored start")
                };
                let mut report = |sid| {
                    for i in 0..dfa.match_len(sid) {
                        add(dfa.match_pattern(sid, i).as_usize());
                    }
                };
                if dfa.is_match(sid) {
                    report(sid);
                }
                for &byte in line.as_bytes() {
                    sid = dfa.next_state(aho_corasick::Anchored::No, sid, byte);
                    // Without a prefilter only dead and match states are special.
                    if dfa.is_special(sid) {
                        if dfa.is_dead(sid) {
                            break;
                        }
                        if dfa.is_match(sid) {
                            report(sid);
                        }
                    }
                }
            }
        }
        hits
    }
}

/// The automaton over every keyword.
fn automaton() -> &'static Automaton {
    static AC: OnceLock<Automaton> = OnceLock::new();
    AC.get_or_init(|| build_automaton(|_| true, false))
}

/// The automaton over the ASCII keywords (birth, passport, English
/// labels): on an ASCII line (a log) no other keyword can match, and this
/// far smaller automaton finds the same hits faster.
fn ascii_automaton() -> &'static Automaton {
    static AC: OnceLock<Automaton> = OnceLock::new();
    AC.get_or_init(|| build_automaton(str::is_ascii, true))
}

fn build_automaton(keep: fn(&str) -> bool, prefilter: bool) -> Automaton {
    {
        let mut words: Vec<String> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut add = |list: &[&str], group: Group| {
            for w in list {
                words.push(w.to_string());
                groups.push(group);
            }
        };
        add(pat::MY_NUMBER_KEYWORDS, Group::MyNumber);
        add(pat::CARD_KEYWORDS, Group::Card);
        add(pat::COMPANY_LINE_WORDS, Group::Company);
        add(pat::BIRTH_WORDS, Group::Birth);
        add(&["日生", "日 生", "歳", "才"], Group::Birth);
        add(pat::ADDRESS_WORDS, Group::Address);
        add(&PREFECTURES, Group::Prefecture);
        add(pat::HEALTH_WORDS, Group::Health);
        add(pat::FAMILY_WORDS, Group::Family);
        add(pat::RESUME_WORDS, Group::Resume);
        add(pat::CRIMINAL_WORDS, Group::Criminal);
        add(&["緊急連絡"], Group::Emergency);
        add(&["血液型"], Group::BloodType);
        add(&["株式数", "持株数", "所有株"], Group::Shares);
        add(&["配当"], Group::Dividend);
        add(
            &[
                "免許",
                "旅券",
                "パスポート",
                "passport",
                "在留",
                "年金",
                "被保険者",
                "保険者番号",
                "保険証",
            ],
            Group::Identifier,
        );
        add(&["様", "さん", "殿", "氏", "君"], Group::Honorific);
        add(&["です", "申します", "でございます"], Group::Intro);
        add(
            &["普通", "当座", "貯蓄", "総合", "記号", "ゆうちょ", "口座"],
            Group::Bank,
        );
        add(pat::SIGNAL_WORDS, Group::Signal);
        for (word, field) in label_words() {
            if !matches!(
                field,
                Field::NotPersonal | Field::RecordId | Field::OtherDate
            ) && (word.len() > 3 || !word.is_ascii())
            {
                words.push(word.to_string());
                groups.push(Group::Label);
            }
        }
        // Signal bits are numbered over the whole list, so a subset keeps them.
        let signals_start = groups
            .iter()
            .position(|g| *g == Group::Signal)
            .unwrap_or(words.len());
        let signal_index: Vec<Option<u8>> = (0..words.len())
            .map(|i| {
                i.checked_sub(signals_start)
                    .filter(|&k| k < pat::SIGNAL_WORDS.len())
                    .map(|k| k as u8)
            })
            .collect();
        let kept: Vec<bool> = words.iter().map(|w| keep(w)).collect();
        let words = subset(words, &kept);
        let groups = subset(groups, &kept);
        let signal_index = subset(signal_index, &kept);
        let masks = groups
            .iter()
            .zip(&signal_index)
            .map(|(group, signal)| Hits {
                groups: 1 << *group as u8,
                signals: signal.map_or(0, |k| 1 << k),
            })
            .collect();
        let search = if prefilter {
            Search::Prefiltered(
                AhoCorasickBuilder::new()
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&words)
                    .unwrap_or_else(|e| unreachable!("static keyword automaton: {e}")),
            )
        } else {
            Search::Walked(Box::new(
                aho_corasick::dfa::DFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&words)
                    .unwrap_or_else(|e| unreachable!("static keyword automaton: {e}")),
            ))
        };
        Automaton {
            search,
            masks,
            #[cfg(test)]
            words,
            #[cfg(test)]
            groups,
        }
    }
}

fn subset<T>(list: Vec<T>, kept: &[bool]) -> Vec<T> {
    list.into_iter()
        .zip(kept)
        .filter(|(_, k)| **k)
        .map(|(x, _)| x)
        .collect()
}

/// Keyword groups in a normalised line.
pub fn line_hits(line: &str) -> Hits {
    let automaton = if line.is_ascii() {
        ascii_automaton()
    } else {
        automaton()
    };
    automaton.hits(line)
}

/// Document-type words that tell the categoriser what a text is about.
/// `hits` are the line's own: their signal words are the line's. True
/// when exactly the words of `hits` were added (the line has no 株 and the
/// list had room): the caller may then skip lines holding only those.
pub(crate) fn collect_signals(
    findings: &mut crate::findings::Findings,
    line: &str,
    hits: Hits,
) -> bool {
    if findings.signals.len() > 200 {
        return false;
    }
    // 株式会社… in a signature is not about shares: such a line is searched
    // again without it.
    if line.contains('株') {
        let line = line.replace("株式会社", " ").replace("(株)", " ");
        for word in pat::signal_words(&line) {
            if !findings.signals.contains(word) {
                findings.signals.insert(word.to_string());
            }
        }
        return false;
    }
    for word in hits.signal_words() {
        if !findings.signals.contains(word) {
            findings.signals.insert(word.to_string());
        }
    }
    true
}

/// Digits that could be a phone, an identifier or an account: a run of at
/// least `min` digits, allowing the separators people write inside numbers.
pub fn has_digit_run(line: &str, min: usize) -> bool {
    // Most prose lines have no digit at all: a vectorised look settles them.
    any_byte(line.as_bytes(), |b| b.is_ascii_digit()) && has_digit_run_bytewise(line, min)
}

/// [`has_digit_run`] without the vectorised look first.
fn has_digit_run_bytewise(line: &str, min: usize) -> bool {
    let mut run = 0;
    for b in line.bytes() {
        if b.is_ascii_digit() {
            run += 1;
            if run >= min {
                return true;
            }
        } else if !matches!(b, b'-' | b' ' | b'(' | b')' | b'+') {
            run = 0;
        }
    }
    false
}

/// A digit, an @, or a full-width digit, letter or ＠, or half-width kana
/// (all U+FFxx, whose UTF-8 opens with 0xEF): a byte loop decides most
/// lines, the characters are decoded only when a 0xEF is there.
pub fn has_number_or_mark(raw: &str) -> bool {
    any_byte(raw.as_bytes(), |b| b.is_ascii_digit() | (b == b'@') | (b == 0xEF))
        && raw.chars().any(|c| {
            c.is_ascii_digit()
                || matches!(c, '０'..='９' | '@' | '＠' | '\u{FF61}'..='\u{FF9F}' | '\u{FF21}'..='\u{FF5A}')
        })
}

/// Whether some byte of `bytes` passes `test`, a branch-free predicate:
/// tested 32 bytes at a time without an early exit inside a block, which
/// the compiler turns into vector compares (`Iterator::any` stops after
/// each byte and stays scalar). Lines without the byte, most of a text,
/// are read about four times faster.
#[inline(always)]
fn any_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        if block.iter().fold(false, |found, &b| found | test(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| test(b))
}

/// Whether some stretch of digits and separators (as [`has_digit_run`]
/// reads them) holds at least `min` digits and a separator ('-', '(' or a
/// space) with a digit after it and a digit, '+' or '(' at or before it.
/// Every phone number written with separators and every grouped card
/// number lies in such a stretch; a log line's timestamps, request ids and
/// counters do not make one.
pub fn has_separated_digit_run(line: &str, min: usize) -> bool {
    // Stretch by stretch: a table skips the bytes between them (letters,
    // most of a log line) without a branch per kind of byte.
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && !IN_DIGIT_STRETCH[usize::from(bytes[i])] {
            i += 1;
        }
        let (mut digits, mut started, mut pending, mut inner) = (0usize, false, false, false);
        while i < bytes.len() && IN_DIGIT_STRETCH[usize::from(bytes[i])] {
            let b = bytes[i];
            if b.is_ascii_digit() {
                digits += 1;
                started = true;
                inner |= pending;
            } else if b == b'+' {
                started = true;
            } else if b != b')' {
                started |= b == b'(';
                pending |= started;
            }
            i += 1;
        }
        if inner && digits >= min {
            return true;
        }
    }
    false
}

/// The bytes of a digit stretch as [`has_digit_run`] reads them.
static IN_DIGIT_STRETCH: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'0'..=b'9' | b'-' | b' ' | b'(' | b')' | b'+');
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The hits of the whole keyword list as the library's overlapping
    /// iterator finds them: the first version of `line_hits`.
    /// `count` pseudo-random lines of 1..=2^(64-len_shift) pieces each,
    /// `piece` picking one from a random number (reproducible LCG).
    fn random_lines<'a>(
        mut seed: u64,
        count: usize,
        len_shift: u32,
        piece: impl Fn(u64) -> &'a str,
    ) -> impl Iterator<Item = String> {
        (0..count).map(move |_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> len_shift) as usize + 1;
            let mut x = seed;
            (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    piece(x)
                })
                .collect()
        })
    }

    fn overlapping_hits(line: &str) -> Hits {
        static AC: OnceLock<AhoCorasick> = OnceLock::new();
        let all = automaton();
        let ac = AC.get_or_init(|| {
            AhoCorasickBuilder::new()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&all.words)
                .unwrap()
        });
        let mut hits = Hits::default();
        for m in ac.find_overlapping_iter(line) {
            let mask = all.masks[m.pattern().as_usize()];
            hits.groups |= mask.groups;
            hits.signals |= mask.signals;
        }
        hits
    }

    /// The hand walk finds what the overlapping iterator finds, on random
    /// lines of keyword pieces, prefixes, suffixes and filler (overlapping
    /// and nested keywords, cut UTF-8 sequences at keyword edges).
    #[test]
    fn the_walked_automaton_finds_what_the_iterator_finds() {
        let all = automaton();
        let mut pieces: Vec<String> = Vec::new();
        for w in &all.words {
            pieces.push(w.clone());
            let chars: Vec<char> = w.chars().collect();
            if chars.len() > 1 {
                pieces.push(chars[..chars.len() - 1].iter().collect());
                pieces.push(chars[1..].iter().collect());
            }
        }
        pieces.extend(
            [
                "、", "。", " ", "様", "の", "東京", "123", "ABC", "山田", "ー", "（", "）",
            ]
            .map(String::from),
        );
        for line in random_lines(987654321, 50_000, 60, |x| {
            pieces[(x >> 33) as usize % pieces.len()].as_str()
        }) {
            assert_eq!(all.hits(&line), overlapping_hits(&line), "{line}");
        }
        for w in &all.words {
            assert_eq!(all.hits(w), overlapping_hits(w), "{w}");
        }
        assert_eq!(all.hits(""), Hits::default());
    }

    #[test]
    fn the_ascii_automaton_finds_what_the_whole_one_finds() {
        let whole = overlapping_hits;
        for line in [
            "2025-04-02T00:00:00+09:00 INFO request_id=395781930846 path=/api/v1/items/30150",
            "name: Taro Yamada, Birth 1980-01-02, passport TK1234567, email a@b.jp",
            "ADDRESS Tokyo; Phone 090-1234-5678; Date of birth; mynumber; card",
        ] {
            assert!(line.is_ascii());
            assert_eq!(line_hits(line), whole(line), "{line}");
        }
        assert!(ascii_automaton().groups.len() < automaton().groups.len());
    }

    #[test]
    fn the_byte_test_for_numbers_and_marks_equals_the_char_test() {
        let by_chars = |raw: &str| {
            raw.chars().any(|c| {
                c.is_ascii_digit()
                    || matches!(c, '０'..='９' | '@' | '＠' | '\u{FF61}'..='\u{FF9F}' | '\u{FF21}'..='\u{FF5A}')
            })
        };
        for code in 0..0x1_0000u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let line = format!("本日{c}の現場");
            assert_eq!(has_number_or_mark(&line), by_chars(&line), "U+{code:04X}");
        }
    }

    /// The first version, one `match` per byte: the reference.
    fn separated_by_bytes(line: &str, min: usize) -> bool {
        let (mut digits, mut started, mut pending, mut inner) = (0, false, false, false);
        for b in line.bytes() {
            match b {
                b'0'..=b'9' => {
                    digits += 1;
                    started = true;
                    inner |= pending;
                    if inner && digits >= min {
                        return true;
                    }
                }
                b'-' | b' ' | b'(' => {
                    started |= b == b'(';
                    pending |= started;
                }
                b')' => {}
                b'+' => started = true,
                _ => (digits, started, pending, inner) = (0, false, false, false),
            }
        }
        false
    }

    /// The block-wise byte tests answer as a plain byte loop does, with
    /// the byte sought at every offset of lines of every length around the
    /// 32-byte blocks (ASCII and full-width digits, @, half-width kana).
    #[test]
    fn the_block_tests_equal_the_byte_loops() {
        let reference_run = has_digit_run_bytewise;
        let by_chars = |raw: &str| {
            raw.chars().any(|c| {
                c.is_ascii_digit()
                    || matches!(c, '０'..='９' | '@' | '＠' | '\u{FF61}'..='\u{FF9F}' | '\u{FF21}'..='\u{FF5A}')
            })
        };
        for filler in ["a", "本", "-"] {
            for len in 0..80 {
                for mark in ["", "7", "０", "@", "ｶ", "1234567", "12-34 56", "ー"] {
                    for at in 0..=len {
                        let line =
                            format!("{}{mark}{}", filler.repeat(at), filler.repeat(len - at));
                        for min in [1, 6, 10] {
                            assert_eq!(
                                has_digit_run(&line, min),
                                reference_run(&line, min),
                                "{line:?} {min}"
                            );
                        }
                        assert_eq!(has_number_or_mark(&line), by_chars(&line), "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_stretch_loop_equals_the_byte_loop() {
        let alphabet = "0123456789-( )+a:T";
        for line in random_lines(12345, 200_000, 59, |x| {
            let at = (x >> 58) as usize % alphabet.len();
            &alphabet[at..at + 1]
        }) {
            for min in [3, 10] {
                assert_eq!(
                    has_separated_digit_run(&line, min),
                    separated_by_bytes(&line, min),
                    "{line:?} {min}"
                );
            }
        }
    }

    #[test]
    fn groups_are_found_in_one_pass() {
        let hits = line_hits("個人番号: 1234 5678 9018 山田様");
        assert!(hits.has(Group::MyNumber) && hits.has(Group::Honorific));
        assert!(!hits.has(Group::Health));
        assert!(!line_hits("GET /index.html 200 5123").any());
        assert!(line_hits("東京都千代田区").has(Group::Prefecture));
        assert!(has_digit_run("090-1234-5678", 10));
        assert!(!has_digit_run("2025/04/01 12:00:00", 10));
        assert!(has_separated_digit_run("tel 090-1234-5678", 10));
        assert!(has_separated_digit_run("(03)1234-5678", 10));
        assert!(has_separated_digit_run("4111 1111 1111 1111", 10));
        assert!(!has_separated_digit_run(
            "request_id=395781930846 session=705c",
            10
        ));
        assert!(!has_separated_digit_run(
            "2025-04-02T00:00:00+09:00 INFO bytes=67623",
            10
        ));
    }

    #[test]
    fn signal_words_come_with_the_groups() {
        let lines = [
            "本日の現場は予定どおり進捗。社員の健康診断は来週。",
            "株主総会の招集通知、持株数と配当",
            "顧客 お客様 会員 購入 注文 通販 顧客",
            "GET /index.html 200 5123",
            "",
            "社員社員従業員入社退職人事給与扶養年末調整",
        ];
        for line in lines {
            let mut want: Vec<&str> = pat::signal_words(line).collect();
            want.dedup();
            let mut got: Vec<&str> = line_hits(line).signal_words().collect();
            got.dedup();
            assert_eq!(got, want, "{line}");
            assert_eq!(line_hits(line).has(Group::Signal), !want.is_empty());
        }
        // Every word alone, and all of them in one line.
        for word in pat::SIGNAL_WORDS {
            assert!(line_hits(word).signal_words().any(|w| w == *word), "{word}");
        }
        let all = pat::SIGNAL_WORDS.join("、");
        let got: std::collections::BTreeSet<&str> = line_hits(&all).signal_words().collect();
        let want: std::collections::BTreeSet<&str> = pat::signal_words(&all).collect();
        assert_eq!(got, want);
    }
}

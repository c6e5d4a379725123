//! Names in free text: before an honorific (山田太郎様, 佐藤 花子さん) and
//! a full name opening a line that goes on with personal evidence.

use super::{address_spans, is_birth_context};
use mamori_morph::Morph;
use regex::Regex;
use std::sync::OnceLock;

pub struct NameHit {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Surname and given name: enough to count a person.
    pub full: bool,
}

/// Whether a candidate holds one of [`NOT_NAMES`]: one automaton pass
/// instead of forty substring searches per name.
pub(super) fn is_not_name(text: &str) -> bool {
    static AC: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new(NOT_NAMES)
            .unwrap_or_else(|e| unreachable!("static automaton: {e}"))
    })
    .is_match(text)
}

const NOT_NAMES: &[&str] = &[
    "お客",
    "皆",
    "各位",
    "担当",
    "関係者",
    "貴社",
    "会員",
    "利用者",
    "奥",
    "王",
    "神",
    "仏",
    "社長",
    "部長",
    "課長",
    "先生",
    "御中",
    "お父",
    "お母",
    "子供",
    "皆々",
    "患者",
    "相手",
    "先方",
    "当方",
    "上記",
    "下記",
    "本人",
    "様々",
    "同",
    "株主",
    "地主",
    "家主",
    "貸主",
    "借主",
    "応募者",
    "参加者",
    "ご家族",
    "家族",
    "親御",
    "お子",
];

/// The longest name part of the honorific regex, in bytes: 4+1+4 kanji
/// (up to 4 bytes each) or 6+1+6 katakana (3 bytes), then a space.
const LONGEST_NAME_BYTES: usize = 40;

/// The matches of the honorific regex, as `find_iter` gives them, but the
/// regex only runs from a little before each honorific: every match ends
/// in one and starts at most [`LONGEST_NAME_BYTES`] before it, so no match
/// starts before `first honorific - LONGEST_NAME_BYTES`, and after the
/// last honorific there is nothing left to scan. The capture pass is not
/// needed either: the name is the match less its honorific (the last
/// character, or さん) and the optional space before it, since the name
/// part ends in a kanji or katakana.
pub(super) fn honorific_matches(line: &str) -> Vec<regex::Match<'_>> {
    static HONORIFICS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let honorifics = HONORIFICS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(["様", "さん", "殿", "氏", "君"])
            .unwrap_or_else(|e| unreachable!("static automaton: {e}"))
    });
    let re = regex!(
        r"([\p{Han}々ヶ]{1,4}(?:[ ]?[\p{Han}々ヶ]{1,4})?|[ァ-ヴー]{2,6}(?:[ ][ァ-ヴー]{2,6})?)[ ]?(様|さん|殿|氏|君)"
    );
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < line.len() {
        let Some(honorific) = honorifics.find(&line[pos..]) else {
            break;
        };
        let mut from = (pos + honorific.start())
            .saturating_sub(LONGEST_NAME_BYTES)
            .max(pos);
        while !line.is_char_boundary(from) {
            from -= 1;
        }
        let from = from.max(pos);
        let Some(m) = re.find_at(line, from) else {
            break;
        };
        pos = m.end();
        out.push(m);
    }
    out
}

/// 山田太郎様, 佐藤 花子さん, 鈴木殿: a kanji/katakana name before an honorific.
pub fn honorific_names(line: &str, morph: Option<&Morph>) -> Vec<NameHit> {
    let mut out = Vec::new();
    for m in honorific_matches(line) {
        let matched = m.as_str();
        let before_honorific = matched.strip_suffix("さん").unwrap_or_else(|| {
            let last = matched.chars().next_back().map_or(0, char::len_utf8);
            &matched[..matched.len() - last]
        });
        let name_text = before_honorific
            .strip_suffix(' ')
            .unwrap_or(before_honorific);
        let name_end = m.start() + name_text.len();
        let mut text = name_text;
        let mut start = m.start();
        // 総務部佐藤様: drop an organisational prefix.
        // Only after a stem of two or more characters (総務部, not 阿部).
        if let Some(pos) = text
            .rfind([
                '部', '課', '係', '室', '店', '社', '所', 'の', '局', '校', '院',
            ])
            .filter(|&p| text[..p].chars().count() >= 2 || text[p..].starts_with('の'))
        {
            let cut = pos + text[pos..].chars().next().map(char::len_utf8).unwrap_or(0);
            start += cut;
            text = &text[cut..];
        }
        let text = text.trim();
        let chars = text.chars().filter(|c| !c.is_whitespace()).count();
        if chars < 2 || is_not_name(text) || crate::values::has_company_mark(text) {
            continue;
        }
        // The dictionary settles short candidates; three or more kanji before
        // an honorific are a name even when IPADIC lacks the given name (阿部翼さん).
        let all_kanji = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .all(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '々' | 'ヶ'));
        if let Some(morph) = morph {
            // The cheap test first: most names in a memo need no lattice.
            if !((chars >= 3 && all_kanji) || morph.is_person_name(text)) {
                continue;
            }
        }
        let full =
            text.contains(' ') || chars >= 4 || (chars == 3 && (morph.is_some() || all_kanji));
        out.push(NameHit {
            start,
            end: name_end,
            text: text.to_string(),
            full,
        });
    }
    out
}

/// A full name (姓 名, space-separated) opening a line that goes on with an
/// address, a personal phone or a birth date.
pub fn leading_name(line: &str, morph: Option<&Morph>) -> Option<NameHit> {
    // The name opens with a kanji after white space (`\s` and `trim_start`
    // are both Unicode White_Space): a line opening with ASCII has none.
    if line
        .trim_start()
        .chars()
        .next()
        .is_none_or(|c| c.is_ascii())
    {
        return None;
    }
    let caps = regex!(r"^\s*([\p{Han}々ヶ]{1,4} [\p{Han}々ヶぁ-んァ-ヴー]{1,4})(?:\s|[(,、]|$)")
        .captures(line)?;
    let name = caps.get(1)?;
    let rest = &line[name.end()..];
    let evidence = !address_spans(rest).is_empty()
        || crate::phone::find_phones(rest)
            .iter()
            .any(|p| p.phone.kind != crate::phone::PhoneKind::Business)
        || crate::dates::find_dates(rest)
            .iter()
            .any(|d| is_birth_context(rest, d.start, d.end));
    if !evidence || crate::values::has_company_mark(name.as_str()) || is_not_name(name.as_str()) {
        return None;
    }
    if let Some(morph) = morph {
        if !morph.is_person_name(name.as_str()) {
            return None;
        }
    }
    Some(NameHit {
        start: name.start(),
        end: name.end(),
        text: name.as_str().to_string(),
        full: true,
    })
}

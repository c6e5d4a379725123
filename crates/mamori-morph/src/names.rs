//! Person-name spans over IPADIC tokens, and the table-cell test.
//!
//! A name starts at a 人名 token. A surname takes a given-name part when the
//! next token is tagged 名, when it is a kana word whose reading is a known
//! given-name reading, or when it is a short run of single kanji (given
//! names missing from IPADIC split that way: 陽菜 → 陽 / 菜) standing between
//! a space or honorific and a boundary. Everything else about the decision is
//! context: honorifics and job titles make a name strong; company-form
//! prefixes and suffixes (株式会社山田, 山田製作所) veto it; a lone name token
//! glued to other nouns is taken as part of a compound word.

use std::collections::HashSet;

use crate::cache::NameReadings;
use crate::{romaji, Morph, NameSpan, Pos, Token};

const HONORIFICS: &[&str] = &[
    "様",
    "さま",
    "サマ",
    "さん",
    "サン",
    "殿",
    "どの",
    "君",
    "くん",
    "クン",
    "氏",
    "ちゃん",
    "チャン",
];

/// Job titles that follow a name the way an honorific does (田中部長).
const TITLES: &[&str] = &[
    "部長",
    "課長",
    "係長",
    "社長",
    "副社長",
    "会長",
    "専務",
    "常務",
    "取締役",
    "主任",
    "次長",
    "室長",
    "所長",
    "店長",
    "支店長",
    "工場長",
    "院長",
    "園長",
    "校長",
    "教頭",
    "先生",
    "教授",
    "准教授",
    "博士",
    "議員",
    "弁護士",
    "税理士",
    "先輩",
    "選手",
    "監督",
    "局長",
    "理事長",
];

/// Company forms that turn a following name into an organisation.
const ORG_PREFIXES: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "㈱",
    "㈲",
    "医療法人",
    "社会福祉法人",
    "学校法人",
    "財団法人",
    "社団法人",
    "宗教法人",
];

/// Nouns that turn a preceding full name into an organisation (山田太郎商店).
const ORG_SUFFIXES: &[&str] = &[
    "製作所",
    "商店",
    "工業",
    "建設",
    "工務店",
    "事務所",
    "商事",
    "産業",
    "銀行",
    "病院",
    "医院",
    "クリニック",
    "株式会社",
    "有限会社",
    "記念",
    "財団",
    "学園",
    "興業",
    "物産",
    "運輸",
    "電機",
    "薬局",
    "書店",
    "不動産",
    "商会",
    "法律",
    "会計",
];

/// Longest given-name part assembled from loose kanji (陽 / 菜).
const MAX_LOOSE_KANJI: usize = 3;

/// Hepburn spellings of IPADIC's name readings.
pub(crate) struct RomajiReadings {
    surnames: HashSet<String>,
    given: HashSet<String>,
}

impl RomajiReadings {
    fn build(readings: &NameReadings) -> Self {
        let romanise = |set: &HashSet<String>| -> HashSet<String> {
            set.iter().flat_map(|r| romaji::variants(r)).collect()
        };
        RomajiReadings {
            surnames: romanise(&readings.surnames),
            given: romanise(&readings.given),
        }
    }
}

/// A non-whitespace token and whether whitespace separates it from the previous one.
struct Item<'t, 'a> {
    tok: &'t Token<'a>,
    space_before: bool,
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

fn items<'t, 'a>(tokens: &'t [Token<'a>], text: &str) -> Vec<Item<'t, 'a>> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut prev_end = 0;
    let mut pending_space = false;
    for tok in tokens {
        // lindera drops ASCII whitespace (visible as a gap in the offsets)
        // but returns the full-width space as a token.
        if is_blank(tok.surface) {
            pending_space = true;
            prev_end = tok.end;
            continue;
        }
        let gap = text.get(prev_end..tok.start).unwrap_or("");
        let space_before = pending_space || !gap.is_empty();
        out.push(Item { tok, space_before });
        pending_space = false;
        prev_end = tok.end;
    }
    out
}

fn is_honorific(it: &Item<'_, '_>) -> bool {
    it.tok.pos == Pos::PersonSuffix && HONORIFICS.contains(&it.tok.surface)
}

fn is_title(it: &Item<'_, '_>) -> bool {
    TITLES.contains(&it.tok.surface)
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '々')
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | 'ー')
}

fn to_katakana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Whether a name may end before item `k`.
fn boundary(items: &[Item<'_, '_>], k: usize) -> bool {
    match items.get(k) {
        None => true,
        Some(it) => {
            it.space_before
                || matches!(it.tok.major_pos.as_str(), "記号" | "助詞" | "助動詞")
                || is_honorific(it)
                || is_title(it)
        }
    }
}

/// Given-name part after the surname at `i`: the index just past it, if any.
fn given_part(
    items: &[Item<'_, '_>],
    i: usize,
    readings: &NameReadings,
    cell: bool,
) -> Option<usize> {
    let j = i + 1;
    let next = items.get(j)?;
    let tagged_given = match next.tok.pos {
        Pos::GivenName | Pos::PersonOther => true,
        Pos::Surname => next
            .tok
            .reading
            .as_ref()
            .is_some_and(|r| readings.given.contains(r)),
        _ => false,
    };
    if tagged_given {
        // 陽菜 → 陽 (名) + 菜: take trailing loose kanji when they reach a boundary.
        let mut k = j + 1;
        let mut len = next.tok.surface.chars().count();
        while let Some(it) = items.get(k) {
            if it.space_before || !is_loose_kanji(it) || len >= MAX_LOOSE_KANJI {
                break;
            }
            len += 1;
            k += 1;
        }
        return Some(if k > j + 1 && boundary(items, k) {
            k
        } else {
            j + 1
        });
    }
    // Kana or loose kanji glued into one word; the longest prefix that ends
    // at a boundary and passes the checks wins.
    let separated_before = next.space_before || cell;
    let mut word = String::new();
    let mut best = None;
    for (k, it) in items.iter().enumerate().skip(j) {
        if k > j && it.space_before {
            break;
        }
        if is_honorific(it) || is_title(it) {
            break;
        }
        word.push_str(it.tok.surface);
        let kanji_ok = word.chars().all(is_kanji)
            && (k == j || is_loose_kanji(it))
            && (is_loose_kanji(it) || it.tok.unknown)
            && word.chars().count() <= MAX_LOOSE_KANJI;
        let kana_ok = word.chars().all(is_kana) && readings.given.contains(&to_katakana(&word));
        // IPADIC sometimes picks another sense (山田 太郎 様: 太郎 as 地域).
        if !word.chars().all(is_kanji) && !word.chars().all(is_kana) {
            break;
        }
        let end = k + 1;
        let honoured_after = items
            .get(end)
            .is_some_and(|n| is_honorific(n) || is_title(n));
        // Only with an explicit separator: 田中工業 reads as 田中 + コウギョウ.
        let reading_ok = (next.space_before || honoured_after)
            && !ORG_SUFFIXES.contains(&it.tok.surface)
            && reading_of(&items[j..=k]).is_some_and(|r| readings.given.contains(&r));
        if (kanji_ok || kana_ok || reading_ok)
            && boundary(items, end)
            && (separated_before || honoured_after)
        {
            best = Some(end);
        }
    }
    best
}

/// A one-kanji token that is not a place or organisation marker.
fn is_loose_kanji(it: &Item<'_, '_>) -> bool {
    let mut chars = it.tok.surface.chars();
    chars.next().is_some_and(is_kanji)
        && chars.next().is_none()
        && !matches!(
            it.tok.pos,
            Pos::Place | Pos::Organization | Pos::PersonSuffix
        )
}

fn reading_of(items: &[Item<'_, '_>]) -> Option<String> {
    items
        .iter()
        .map(|it| it.tok.reading.as_deref())
        .collect::<Option<Vec<&str>>>()
        .map(|parts| parts.concat())
}

fn find(items: &[Item<'_, '_>], readings: &NameReadings, cell: bool) -> Vec<NameSpan> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let it = &items[i];
        if !it.tok.pos.is_person() {
            i += 1;
            continue;
        }
        let given_end = match it.tok.pos {
            Pos::Surname => given_part(items, i, readings, cell),
            _ => None,
        };
        let end = given_end.unwrap_or(i + 1);
        let next = items.get(end);
        let honoured = next.is_some_and(|n| is_honorific(n) || is_title(n));
        let strong = given_end.is_some() || honoured;
        let prev = i.checked_sub(1).map(|p| &items[p]);
        let org_before = prev.is_some_and(|p| ORG_PREFIXES.contains(&p.tok.surface));
        let glued_after = next.filter(|n| !n.space_before && !honoured);
        let org_after = glued_after.is_some_and(|n| {
            ORG_SUFFIXES.contains(&n.tok.surface)
                || matches!(n.tok.pos, Pos::Place | Pos::Organization)
        });
        let noun_after = glued_after.is_some_and(|n| n.tok.major_pos == "名詞");
        let noun_before = !it.space_before && prev.is_some_and(|p| p.tok.major_pos == "名詞");
        let lone_ok = it.tok.pos != Pos::PersonOther
            && it.tok.surface.chars().count() >= 2
            && !noun_after
            && !noun_before;
        let keep = !org_before && !org_after && (strong || lone_ok);
        if keep {
            let start = it.tok.start;
            let stop = items[end - 1].tok.end;
            spans.push(NameSpan {
                start,
                end: stop,
                strong,
                reading: reading_of(&items[i..end]),
            });
        }
        i = if keep && honoured { end + 1 } else { end };
    }
    spans
}

pub(crate) fn person_names(
    tokens: &[Token<'_>],
    text: &str,
    readings: &NameReadings,
) -> Vec<NameSpan> {
    find(&items(tokens, text), readings, false)
}

pub(crate) fn is_person_name(m: &Morph, cell: &str) -> bool {
    let cell = cell.trim();
    if cell.is_empty() || cell.chars().count() > 40 {
        return false;
    }
    if cell.chars().all(|c| is_kana(c) || c.is_whitespace()) {
        return kana_cell(m, cell);
    }
    let ascii: String = cell.chars().map(fold_fullwidth_ascii).collect();
    if ascii
        .chars()
        .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '\'')
    {
        return romaji_cell(
            m.romaji.get_or_init(|| RomajiReadings::build(&m.readings)),
            &ascii,
        );
    }
    if !cell
        .chars()
        .all(|c| is_kanji(c) || is_kana(c) || c.is_whitespace())
    {
        return false;
    }
    let tokens = m.tokens(cell);
    let items = items(&tokens, cell);
    let spans = find(&items, &m.readings, true);
    let [span] = spans.as_slice() else {
        return false;
    };
    if !span.strong || span.start != 0 {
        return false;
    }
    // Only an honorific or title may follow the name.
    let rest: Vec<&Item<'_, '_>> = items.iter().filter(|it| it.tok.start >= span.end).collect();
    match rest.as_slice() {
        [] => true,
        [one] => is_honorific(one) || is_title(one),
        _ => false,
    }
}

fn fold_fullwidth_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// "ヤマダ タロウ", "やまだたろう": checked against IPADIC name readings.
fn kana_cell(m: &Morph, cell: &str) -> bool {
    let readings = &m.readings;
    let kana = to_katakana(cell);
    let parts: Vec<&str> = kana.split_whitespace().collect();
    let len: usize = parts.iter().map(|p| p.chars().count()).sum();
    if !(2..=12).contains(&len) {
        return false;
    }
    let known_word = m
        .tokens(cell)
        .iter()
        .any(|t| !t.unknown && !t.pos.is_person() && t.surface.chars().count() >= 3);
    let surname = |s: &str| readings.surnames.contains(s);
    let given = |s: &str| readings.given.contains(s);
    match parts.as_slice() {
        // Family name first is the norm; one confirmed half is enough when
        // the space already shows the two-part structure.
        [a, b] => surname(a) || given(b) || (given(a) && surname(b)),
        // Unspaced kana splits too easily (ありがとう = アリ + ガトウ): both
        // halves need two kana, and a known word must not cover the cell.
        [whole] => {
            !known_word
                && whole.char_indices().skip(2).any(|(at, _)| {
                    whole[at..].chars().count() >= 2 && surname(&whole[..at]) && given(&whole[at..])
                })
        }
        _ => false,
    }
}

/// "Taro Yamada", "YAMADA Taro": both words must be known name readings.
fn romaji_cell(romaji: &RomajiReadings, cell: &str) -> bool {
    let words: Vec<&str> = cell.split_whitespace().collect();
    let [a, b] = words.as_slice() else {
        return false;
    };
    let capitalised = |w: &str| {
        let mut chars = w.chars();
        let first_upper = chars.next().is_some_and(|c| c.is_ascii_uppercase());
        let rest: String = chars.filter(|&c| c != '\'').collect();
        first_upper
            && (2..=15).contains(&w.len())
            && (rest.chars().all(|c| c.is_ascii_lowercase())
                || rest.chars().all(|c| c.is_ascii_uppercase()))
    };
    if !(capitalised(a) && capitalised(b)) {
        return false;
    }
    let norm = |w: &str| w.to_ascii_lowercase().replace('\'', "");
    let (a, b) = (norm(a), norm(b));
    (romaji.given.contains(&a) && romaji.surnames.contains(&b))
        || (romaji.surnames.contains(&a) && romaji.given.contains(&b))
}

#[cfg(test)]
mod tests {
    use crate::testutil::morph;

    fn names(text: &str) -> Vec<(String, bool)> {
        let Some(m) = morph() else { return Vec::new() };
        m.person_names(text)
            .into_iter()
            .map(|s| (text[s.start..s.end].to_string(), s.strong))
            .collect()
    }

    fn strong(text: &str, expected: &str) {
        if morph().is_none() {
            return;
        }
        assert_eq!(names(text), [(expected.to_string(), true)], "in {text}");
    }

    fn none(text: &str) {
        assert_eq!(names(text), [], "in {text}");
    }

    #[test]
    fn names_in_sentences() {
        strong("山田太郎様の住所変更について", "山田太郎");
        strong("担当：佐藤 花子", "佐藤 花子");
        strong("担当：佐藤　花子", "佐藤　花子");
        strong("鈴木さんから連絡", "鈴木");
        strong("伊藤氏より", "伊藤");
        strong("田中部長に確認", "田中");
        strong("担当は中村 陽菜です", "中村 陽菜");
        strong("小林 さくらの件", "小林 さくら");
        strong("渡辺美咲さん", "渡辺美咲");
        strong("山田 太郎 様", "山田 太郎");
    }

    #[test]
    fn non_names() {
        none("東京都千代田区");
        none("株式会社山田製作所");
        none("マイナンバー");
        none("日本生命");
        none("田中工業株式会社");
        none("山田太郎商店");
        none("お客様各位");
        none("翼を広げて");
    }

    #[test]
    fn lone_surname_is_weak() {
        if morph().is_none() {
            return;
        }
        assert_eq!(names("山本から連絡"), [("山本".to_string(), false)]);
    }

    #[test]
    fn reading_is_joined() {
        let Some(m) = morph() else { return };
        let spans = m.person_names("山田太郎様");
        assert_eq!(spans[0].reading.as_deref(), Some("ヤマダタロウ"));
    }

    #[test]
    fn cells() {
        let Some(m) = morph() else { return };
        for yes in [
            "山田 太郎",
            "山田太郎",
            "  佐藤　花子 ",
            "中村陽菜",
            "山田様",
            "ヤマダ タロウ",
            "やまだ たろう",
            "ヤマダタロウ",
            "やまだたろう",
            "Taro Yamada",
            "YAMADA Taro",
            "Ichiro Suzuki",
            "Yuko Sato",
        ] {
            assert!(m.is_person_name(yes), "{yes} should be a name");
        }
        for no in [
            "",
            "山田",
            "東京都千代田区",
            "株式会社山田製作所",
            "日本生命",
            "マイナンバー",
            "ありがとう",
            "はい",
            "ミーティング",
            "Project Manager",
            "taro yamada",
            "山田太郎 090-1234-5678",
            "田中工業",
        ] {
            assert!(!m.is_person_name(no), "{no} should not be a name");
        }
    }
}

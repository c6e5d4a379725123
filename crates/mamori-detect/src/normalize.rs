//! Normalisation that every detector relies on: NFKC (full-width digits and
//! letters, half-width katakana, ㈱ → (株)), one ASCII hyphen for the dozen
//! dash and long-vowel variants people type between digits, and arabic
//! digits for kanji numerals in dates and addresses (昭和五十五年 → 昭和55年).

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Dashes that stand for '-' wherever they appear.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' | '\u{FE63}' | '\u{2043}' | '\u{30FB}'
    )
}

/// Long-vowel marks and kanji 一 are dashes only between digits (ヤマダ タロー keeps its ー).
fn is_dash_between_digits(c: char) -> bool {
    matches!(c, '\u{30FC}' | '\u{FF70}' | '\u{2500}' | '〜' | '～')
}

/// Normalises one piece of text. Cheap for ASCII and already-normal text.
pub fn normalize(text: &str) -> String {
    normalize_cow(text).into_owned()
}

/// Normalises one piece of text, borrowing it when nothing changes.
pub fn normalize_cow(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() || is_plain_japanese(text.as_bytes()) {
        return std::borrow::Cow::Borrowed(text);
    }
    // One look decides which of the three passes this text needs at all.
    // Kanji numerals are common in names and prose (健一, 午後二時); only a
    // numeral before a unit (二年, 三丁目) or 元年 is rewritten (see
    // `has_convertible_numeral`, the same test).
    let (mut needs_nfkc, mut needs_dashes, mut needs_numerals) = (false, false, false);
    let mut prev = ' ';
    for c in text.chars() {
        if c.is_ascii() {
            prev = c;
            continue;
        }
        needs_nfkc |= !is_stable(c);
        needs_dashes |= needs_unifying(c);
        needs_numerals |= (is_unit(c) && is_kanji_numeral(prev)) || (c == '年' && prev == '元');
        prev = c;
    }
    if !needs_nfkc && !needs_dashes && !needs_numerals {
        return std::borrow::Cow::Borrowed(text);
    }
    if !needs_nfkc && !needs_dashes {
        // Prose with 午後二時 and nothing else to fold: the numeral pass
        // reads the text itself, not a copy of it.
        return std::borrow::Cow::Owned(kanji_numerals(text));
    }
    // The full-width shortcut first: when it applies it is the NFKC of the
    // text, and when the quick check would say "already normal" it returns
    // the text unchanged; either way the quick check's pass is saved.
    // The shortcut maps full-width ASCII and U+3000 to ASCII, character
    // for character: it makes no dash, numeral or unit the first look did
    // not see, so the look need not be repeated on its output.
    let mut recheck = false;
    let mut out = if needs_nfkc {
        match nfkc_of_full_width(text) {
            Some(out) => out,
            None if is_nfkc_quick(text.chars()) == IsNormalized::Yes => text.to_string(),
            None => {
                recheck = true;
                text.nfkc().collect()
            }
        }
    } else {
        text.to_string()
    };
    if recheck {
        // NFKC may have produced dashes (full-width hyphen-minus → '-') or numerals (㈠).
        needs_dashes |= out.chars().any(needs_unifying);
        needs_numerals |= has_convertible_numeral(&out);
    }
    if needs_dashes {
        out = unify_dashes(&out);
    }
    if needs_numerals {
        out = kanji_numerals(&out);
    }
    std::borrow::Cow::Owned(out)
}

/// A byte-level look at the common case, the answer of the loop in
/// [`normalize_cow`] without its passes: true when the text is only ASCII,
/// kana and kanji that none of the passes changes (a name, a reading, an
/// address, a date in kanji units). False means "not sure": the full test
/// decides.
fn is_plain_japanese(bytes: &[u8]) -> bool {
    let mut i = 0;
    let mut prev = ' ';
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            prev = char::from(b);
            i += 1;
            continue;
        }
        // Kana, kanji and the punctuation below are three bytes each.
        let (Some(&b1), Some(&b2)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
            return false;
        };
        let code = (u32::from(b & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
        let Some(c) = char::from_u32(code) else {
            return false;
        };
        let plain = match b {
            // 、。「」々〒, hiragana ぁ..ゖ, katakana ァ..ヺ; ー unless between
            // two digits (then it is a dash). Not ・, a dash.
            0xE3 => {
                matches!(code, 0x3001 | 0x3002 | 0x3005 | 0x300C | 0x300D | 0x3012 | 0x3041..=0x3096 | 0x30A1..=0x30FA)
                    || (c == 'ー'
                        && !(prev.is_ascii_digit()
                            && bytes.get(i + 3).is_some_and(u8::is_ascii_digit)))
            }
            // Kanji, but not a unit after a kanji numeral (三丁目) nor 元年.
            // The unit test runs only for the few kanji whose low bits are
            // a unit's (one in sixteen), not a chain of compares per kanji.
            0xE4..=0xE9 => {
                code >= 0x4E00
                    && !(UNIT_LOW_BITS >> (code & 0x7F) & 1 != 0
                        && ((is_unit(c) && is_kanji_numeral(prev)) || (c == '年' && prev == '元')))
            }
            _ => false,
        };
        if !plain {
            return false;
        }
        prev = c;
        i += 3;
    }
    true
}

/// NFKC of a text whose only unstable characters are full-width ASCII
/// (ＡＢＣ１２３, the most common reason a cell is not normal) and the
/// ideographic space: each maps to its ASCII form and nothing composes.
/// None when anything else is in the text.
fn nfkc_of_full_width(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FF01}'..='\u{FF5E}' => out.push(char::from_u32(c as u32 - 0xFEE0)?),
            '\u{3000}' => out.push(' '),
            _ if is_stable(c) || c == 'ー' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// Characters that NFKC, dash unification and numeral conversion all leave
/// alone: most Japanese text is made of them, so it skips the full pipeline.
/// 々 (佐々木) and 〒 (an address cell's head) have no decomposition and
/// compose with nothing: without them here, such cells took the NFKC quick
/// check and a copy.
fn is_stable(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{7F}' | 'ぁ'..='ゖ' | 'ァ'..='ヺ' | '\u{4E00}'..='\u{9FFF}' | '、' | '。' | '「' | '」' | '・' | '々' | '〒')
}

/// Whether [`kanji_numerals`] would change anything: a kanji numeral right
/// before a date or address unit, or 元年 (a superset of what it rewrites).
fn has_convertible_numeral(text: &str) -> bool {
    let mut prev = ' ';
    for c in text.chars() {
        if (is_unit(c) && is_kanji_numeral(prev)) || (c == '年' && prev == '元') {
            return true;
        }
        prev = c;
    }
    false
}

/// Bit `n` set when some unit of [`is_unit`] has `n` as its code's low
/// seven bits: a filter that lets every unit through.
const UNIT_LOW_BITS: u128 = {
    let units = ['年', '月', '日', '歳', '才', '丁', '番', '号'];
    let mut bits = 0u128;
    let mut i = 0;
    while i < units.len() {
        bits |= 1 << (units[i] as u32 & 0x7F);
        i += 1;
    }
    bits
};

fn is_unit(c: char) -> bool {
    matches!(c, '年' | '月' | '日' | '歳' | '才' | '丁' | '番' | '号')
}

fn needs_unifying(c: char) -> bool {
    is_dash(c) || is_dash_between_digits(c) || c == '\u{3000}'
}

fn unify_dashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let mapped = if is_dash(c) {
            '-'
        } else if is_dash_between_digits(c) {
            let before = prev.is_some_and(|p| p.is_ascii_digit());
            let after = chars.peek().is_some_and(|n| n.is_ascii_digit());
            if before && after {
                '-'
            } else {
                c
            }
        } else if c == '\u{3000}' {
            ' '
        } else {
            c
        };
        out.push(mapped);
        prev = Some(c);
    }
    out
}

fn kanji_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn is_kanji_numeral(c: char) -> bool {
    kanji_digit(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// Value of a kanji numeral run: positional (一九八〇) or with units (千九百八十).
pub fn kanji_number(run: &str) -> Option<u32> {
    if run.is_empty() {
        return None;
    }
    if !run.chars().any(|c| matches!(c, '十' | '百' | '千')) {
        return run
            .chars()
            .try_fold(0u32, |acc, c| Some(acc.checked_mul(10)? + kanji_digit(c)?));
    }
    let (mut total, mut current) = (0u32, 0u32);
    for c in run.chars() {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                current = current * 10 + kanji_digit(c)?;
                continue;
            }
        };
        total += if current == 0 { 1 } else { current } * unit;
        current = 0;
    }
    Some(total + current)
}

/// Replaces kanji numerals that stand before a date or address unit, and 元年.
fn kanji_numerals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '元' && chars.get(i + 1) == Some(&'年') && i > 0 && is_era_char(chars[i - 1]) {
            out.push('1');
            i += 1;
            continue;
        }
        if is_kanji_numeral(c) {
            let start = i;
            while i < chars.len() && is_kanji_numeral(chars[i]) {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let followed_by_unit = chars.get(i).is_some_and(|n| is_unit(*n));
            match (followed_by_unit, kanji_number(&run)) {
                (true, Some(value)) => out.push_str(&value.to_string()),
                _ => out.push_str(&run),
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn is_era_char(c: char) -> bool {
    matches!(c, '治' | '正' | '和' | '成')
}

/// `str::trim`, with the common case decided by the bytes at either end:
/// a cell that neither starts nor ends with a character that could be
/// whitespace is returned as it is, without the generic char searchers
/// (each roster cell was trimmed four or five times on its way through the
/// checks). Anything uncertain goes to `str::trim` itself.
#[inline]
pub fn trim(text: &str) -> &str {
    let b = text.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return text;
    };
    let n = b.len();
    // A lead byte of a whitespace character: U+0085/U+00A0 (C2), U+1680
    // (E1 9A), U+2000..U+205F (E2 80/81), U+3000 (E3 80).
    let whitespace_lead = |lead: u8, second: u8| match lead {
        0xC2 => true,
        0xE1 => second == 0x9A,
        0xE2 => matches!(second, 0x80 | 0x81),
        0xE3 => second == 0x80,
        _ => false,
    };
    let start_settled = if first < 0x80 {
        first > b' '
    } else {
        !whitespace_lead(first, b.get(1).copied().unwrap_or(0))
    };
    // The last character's lead byte is one (2-byte) or two (3-byte) bytes
    // before the last; a 4-byte character is never whitespace.
    let end_settled = if last < 0x80 {
        last > b' '
    } else {
        let two_byte_space = n >= 2 && b[n - 2] == 0xC2;
        let three_byte_space = n >= 3 && whitespace_lead(b[n - 3], b[n - 2]);
        !(two_byte_space || three_byte_space)
    };
    if start_settled && end_settled {
        text
    } else {
        text.trim()
    }
}

/// Digits only, for comparing identifiers written with spaces or hyphens.
pub fn digits_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    out.extend(text.bytes().filter(u8::is_ascii_digit).map(char::from));
    out
}

/// Key form of a name: no spaces or dots, katakana for kana, so 山田 太郎 /
/// 山田　太郎 and やまだ たろう / ﾔﾏﾀﾞ ﾀﾛｳ compare equal.
pub fn name_key(name: &str) -> String {
    name_key_of_normalized(&normalize_cow(name))
}

/// [`name_key`] of a name already through [`normalize`] (one pass fewer
/// per roster cell).
pub fn name_key_of_normalized(normalized: &str) -> String {
    let stripped = crate::values::strip_honorific(normalized);
    let mut key = String::with_capacity(stripped.len());
    for c in stripped.chars() {
        let c = fold_variant_kanji(c);
        if c.is_whitespace() || matches!(c, '・' | '.' | ',' | '､' | '、') {
            continue;
        }
        match c {
            'ぁ'..='ゖ' => key.push(char::from_u32(c as u32 + 0x60).unwrap_or(c)),
            // Kana and kanji have no case: skip the case tables for them.
            '\u{3040}'..='\u{9FFF}' => key.push(c),
            _ if c.is_ascii() => key.push(c.to_ascii_lowercase()),
            _ => key.extend(c.to_lowercase()),
        }
    }
    key
}

/// Official and everyday forms of the same name kanji (髙橋 is 高橋 in
/// another system): folded so one person's files meet.
fn fold_variant_kanji(c: char) -> char {
    match c {
        '髙' => '高',
        '﨑' | '嵜' => '崎',
        '邊' | '邉' => '辺',
        '齋' | '齊' | '斎' => '斉',
        '濱' | '濵' => '浜',
        '澤' => '沢',
        '嶋' | '嶌' => '島',
        '廣' => '広',
        '德' => '徳',
        '櫻' => '桜',
        '國' => '国',
        '實' => '実',
        '眞' => '真',
        '惠' => '恵',
        '榮' => '栄',
        '藏' => '蔵',
        '冨' => '富',
        '槇' => '槙',
        '舘' => '館',
        '瀨' => '瀬',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_dashes() {
        assert_eq!(normalize("０９０ー１２３４ー５６７８"), "090-1234-5678");
        assert_eq!(normalize("ヤマダ　タロー"), "ヤマダ タロー");
        assert_eq!(normalize("１２３４−５６７８−９０１８"), "1234-5678-9018");
        assert_eq!(normalize("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(normalize("㈱やまと"), "(株)やまと");
    }

    #[test]
    fn kanji_numerals_in_dates() {
        assert_eq!(normalize("昭和五十五年三月二日生"), "昭和55年3月2日生");
        assert_eq!(normalize("平成元年一月八日"), "平成1年1月8日");
        assert_eq!(normalize("一九八〇年"), "1980年");
        assert_eq!(normalize("一丁目二番三号"), "1丁目2番3号");
        assert_eq!(normalize("一郎"), "一郎");
        assert!(matches!(
            normalize_cow("午後二時に健一が来た"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(normalize("令和元年五月"), "令和1年5月");
        assert_eq!(kanji_number("千九百八十"), Some(1980));
    }

    #[test]
    fn plain_japanese_needs_no_pass() {
        for text in [
            "山田 太郎",
            "やまだ たろう",
            "東京都千代田区",
            "ヤマダ タロウ",
            "「はい」、。",
        ] {
            assert!(is_plain_japanese(text.as_bytes()), "{text}");
            assert_eq!(normalize_cow(text), text);
        }
        // Anything a pass may change, or that the byte look does not know,
        // goes to the full test.
        for text in [
            "ヤマダ タロー",
            "山田・太郎",
            "二年",
            "三丁目",
            "元年",
            "ｶﾀｶﾅ",
            "１２３",
            "山田　太郎",
            "髙橋",
            "①",
        ] {
            assert!(
                !is_plain_japanese(text.as_bytes()) || normalize_cow(text) == text,
                "{text}"
            );
        }
        assert!(!is_plain_japanese("令和元年".as_bytes()));
        assert!(!is_plain_japanese("1ー2".as_bytes()));
        for text in [
            "平成9年4月28日",
            "北海道北見市ひかり野5丁目6番14号",
            "ヤマダ タロー",
            "ー1",
        ] {
            assert!(is_plain_japanese(text.as_bytes()), "{text}");
            assert_eq!(normalize_cow(text), text);
        }
        assert!(!is_plain_japanese("山田\u{3000}太郎".as_bytes()));
        // 々 and 〒 are their own NFKC and no pass changes them.
        for text in ["佐々木 美々", "〒819-7919 神奈川県横浜市", "代々木1丁目"] {
            assert!(is_plain_japanese(text.as_bytes()), "{text}");
            assert_eq!(normalize(text), text.nfkc().collect::<String>());
        }
        assert_eq!(normalize("〒８１９－７９１９　佐々木"), "〒819-7919 佐々木");
    }

    /// The full-width shortcut is NFKC itself on every character it takes.
    #[test]
    fn full_width_shortcut_is_nfkc() {
        let mut texts: Vec<String> = (0xFF01..=0xFF5E)
            .filter_map(char::from_u32)
            .map(|c| format!("山田{c}ヤマダー{c}1\u{3000}"))
            .collect();
        texts.push("４９７９２１０３２４１４".into());
        texts.push("ＡＢＣ－１２３　東京都".into());
        for text in texts {
            let nfkc: String = text.nfkc().collect();
            assert_eq!(nfkc_of_full_width(&text), Some(nfkc), "{text}");
        }
        assert_eq!(nfkc_of_full_width("ｶﾀｶﾅ"), None);
        assert_eq!(nfkc_of_full_width("①"), None);
    }

    /// The low-bits filter of the plain look lets every unit through, and
    /// the look answers as before on each kanji after each numeral.
    #[test]
    fn unit_filter_keeps_every_unit() {
        for c in ['年', '月', '日', '歳', '才', '丁', '番', '号'] {
            assert!(is_unit(c));
            assert_ne!(UNIT_LOW_BITS >> (c as u32 & 0x7F) & 1, 0, "{c}");
        }
        for prev in ['一', '二', '十', '百', '千', '元', '山', 'a'] {
            for c in ('\u{4E00}'..='\u{9FFF}')
                .step_by(7)
                .chain(['年', '月', '丁', '番'])
            {
                let text = format!("{prev}{c}");
                let numeral = (is_unit(c) && is_kanji_numeral(prev)) || (c == '年' && prev == '元');
                assert_eq!(is_plain_japanese(text.as_bytes()), !numeral, "{text}");
            }
        }
    }

    /// The byte look at the ends answers as `str::trim` for every
    /// character of the first two planes at either end (and alone).
    #[test]
    fn trim_equals_std_trim() {
        let mut texts: Vec<String> = Vec::new();
        for c in (0..0x3_0000u32).filter_map(char::from_u32) {
            texts.push(c.to_string());
            texts.push(format!("{c}山田"));
            texts.push(format!("山田{c}"));
            texts.push(format!("a{c}"));
            texts.push(format!("{c}a"));
            texts.push(format!("{c}\u{3000}{c}"));
        }
        texts.extend(
            [
                "",
                " ",
                "\u{3000}",
                "\u{3000}山田 ",
                "é\u{85}",
                "ア\u{2029}",
            ]
            .map(String::from),
        );
        for text in &texts {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn name_keys_match_across_forms() {
        assert_eq!(name_key("山田　太郎"), name_key("山田太郎"));
        assert_eq!(name_key("やまだ たろう"), name_key("ﾔﾏﾀﾞ ﾀﾛｳ"));
        assert_eq!(name_key("髙野 美由紀"), name_key("高野美由紀"));
    }
}

//! Name normalisation shared by the organisation matcher: NFKC (full-width
//! letters, half-width katakana, ㈱), case, hiragana as katakana, company
//! forms dropped (株式会社, (株), Co., Ltd., Inc., K.K., ...), punctuation
//! and spacing as token boundaries, and a canonical romaji for names
//! written in katakana or Latin letters, so ヤマトコウムテン, Yamato Koumuten
//! and YAMATO-KOHMUTEN meet.

use unicode_normalization::UnicodeNormalization;

/// Japanese legal forms, matched anywhere after NFKC and lower-casing.
const JAPANESE_FORMS: &[&str] = &[
    "特定非営利活動法人",
    "一般社団法人",
    "公益社団法人",
    "一般財団法人",
    "公益財団法人",
    "医療法人社団",
    "医療法人財団",
    "社会福祉法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "医療法人",
    "学校法人",
    "宗教法人",
    "npo法人",
    "カブシキガイシャ",
    "(株)",
    "(有)",
    "(同)",
    "(資)",
    "(名)",
    "(医)",
    "(社)",
    "(財)",
];

/// Latin legal-form words, dropped at either end of a name.
const LATIN_FORMS: &[&str] = &[
    "co",
    "ltd",
    "inc",
    "corp",
    "corporation",
    "incorporated",
    "limited",
    "llc",
    "llp",
    "plc",
    "kk",
    "gk",
    "company",
    "kabushiki",
    "kaisha",
    "gaisha",
    "kabushikikaisha",
    "kabushikigaisha",
    "godo",
    "yugen",
    "gmbh",
    "ag",
    "sa",
    "srl",
    "spa",
    "bv",
    "nv",
    "pty",
    "yk",
];

/// Words that precede a name: only these are dropped at its start.
const LEADING_FORMS: &[&str] = &[
    "the",
    "kabushiki",
    "kaisha",
    "kabushikikaisha",
    "kabushikigaisha",
    "kk",
    "yugen",
    "godo",
];

/// One word of a normalised name: Latin/digit words and runs of Japanese
/// script are separate tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    /// Raw romaji (Latin as is; katakana transliterated), before folding.
    pub romaji: Option<String>,
    pub japanese: bool,
}

/// Normalised text, before tokenising: NFKC, lower case, hiragana → katakana,
/// accents dropped (Kômuten → komuten), Japanese company forms blanked.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            continue; // combining accents (macrons of Hepburn)
        }
        out.push(c);
    }
    // NFKD then NFC: the accents are gone, kana voicing marks recombine.
    let mut out: String = out.nfc().collect::<String>().to_lowercase();
    out = out
        .chars()
        .map(|c| match c {
            'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            '\u{FF70}' => 'ー',
            _ => c,
        })
        .collect();
    for (dotted, word) in [
        ("k.k.", " kk "),
        ("g.k.", " gk "),
        ("l.l.c.", " llc "),
        ("y.k.", " yk "),
    ] {
        if out.contains(dotted) {
            out = out.replace(dotted, word);
        }
    }
    for form in JAPANESE_FORMS {
        if out.contains(form) {
            out = out.replace(form, " ");
        }
    }
    out
}

pub fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '々' | '〆')
        && c != '・'
}

pub fn is_katakana_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| matches!(c, 'ァ'..='ヺ' | 'ー'))
}

/// Tokens of already-[`fold`]ed text. Every other character (spaces,
/// punctuation, ・, hyphens, dots) separates tokens.
pub fn tokens(folded: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_japanese = false;
    let flush = |current: &mut String, japanese: bool, out: &mut Vec<Token>| {
        if current.is_empty() {
            return;
        }
        let text = std::mem::take(current);
        let romaji = if japanese {
            katakana_romaji(&text)
        } else if text.bytes().all(|b| b.is_ascii_alphabetic()) {
            Some(text.clone())
        } else {
            None
        };
        out.push(Token {
            text,
            romaji,
            japanese,
        });
    };
    for c in folded.chars() {
        let japanese = is_japanese(c);
        let latin = c.is_ascii_alphanumeric() || (c.is_alphanumeric() && !japanese);
        if !japanese && !latin {
            flush(&mut current, current_japanese, &mut out);
            continue;
        }
        if !current.is_empty() && japanese != current_japanese {
            flush(&mut current, current_japanese, &mut out);
        }
        current_japanese = japanese;
        current.push(c);
    }
    flush(&mut current, current_japanese, &mut out);
    strip_latin_forms(out)
}

fn strip_latin_forms(mut tokens: Vec<Token>) -> Vec<Token> {
    let is_form = |t: &Token| !t.japanese && LATIN_FORMS.contains(&t.text.as_str());
    while tokens.last().is_some_and(is_form) && tokens.len() > 1 {
        tokens.pop();
    }
    let is_leading = |t: &Token| !t.japanese && LEADING_FORMS.contains(&t.text.as_str());
    while tokens.first().is_some_and(is_leading) && tokens.len() > 1 {
        tokens.remove(0);
    }
    tokens
}

/// Katakana to romaji (the detector's transliteration); None for kanji.
pub fn katakana_romaji(word: &str) -> Option<String> {
    if !is_katakana_word(word) {
        return None;
    }
    let key = mamori_detect::romaji::romaji_key(word)?;
    // romaji_key folds already; a one-word key is the folded romaji.
    key.strip_prefix("romaji:").map(str::to_string)
}

/// The canonical romaji of a run of Latin/katakana words: Hepburn,
/// long vowels folded. Katakana pieces arrive already folded; folding
/// again is harmless.
pub fn canonical_romaji(raw: &str) -> Option<String> {
    if raw.len() < 4 {
        return None;
    }
    let key = mamori_detect::romaji::romaji_key(raw)?;
    key.strip_prefix("romaji:").map(str::to_string)
}

/// Levenshtein distance, bounded: returns `limit + 1` once past it.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(text: &str) -> String {
        tokens(&fold(text))
            .iter()
            .map(|t| t.text.as_str())
            .collect()
    }

    #[test]
    fn company_forms_widths_and_scripts_fold_away() {
        assert_eq!(compact("株式会社やまと工務店"), "ヤマト工務店");
        assert_eq!(compact("ヤマト工務店（株）"), "ヤマト工務店");
        assert_eq!(compact("㈱ﾔﾏﾄ工務店"), "ヤマト工務店");
        assert_eq!(compact("Yamato Koumuten Co., Ltd."), "yamatokoumuten");
        assert_eq!(
            compact("ＹＡＭＡＴＯ－ＫＯＵＭＵＴＥＮ INC"),
            "yamatokoumuten"
        );
        assert_eq!(compact("Co-op Kobe"), "coopkobe");
    }

    #[test]
    fn katakana_and_latin_meet_in_romaji() {
        let kana = katakana_romaji("ヤマトコウムテン").unwrap();
        assert_eq!(Some(kana), canonical_romaji("yamatokoumuten"));
        assert_eq!(
            canonical_romaji("yamatokohmuten"),
            canonical_romaji("yamatokomuten")
        );
        assert_eq!(compact("Yamato Kômuten"), "yamatokomuten");
    }

    #[test]
    fn bounded_edit_distance() {
        assert_eq!(edit_distance("yamatokomuten", "yamatokomten", 2), 1);
        assert_eq!(edit_distance("yamatokomuten", "yamadakomuten", 1), 2);
    }
}

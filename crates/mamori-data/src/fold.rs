//! Text folding used for lookups.
//!
//! Two strengths: [`place_char`] only merges spelling variants that keep the
//! UTF-8 length (so byte offsets into the caller's text stay valid), while
//! [`name_key`] is a lossy key for whole names (banks, branches).

use unicode_normalization::UnicodeNormalization;

/// Folds variants that people swap freely in place names (旭ヶ丘/旭ケ丘,
/// 虎ノ門/虎の門). Every mapping is 3 bytes → 3 bytes.
#[inline]
pub(crate) fn place_char(c: char) -> char {
    match c {
        'ヶ' | 'ヵ' | 'ケ' | 'が' => 'ケ',
        'ノ' | '之' => 'の',
        c => c,
    }
}

pub(crate) fn place_eq(a: &str, b: &str) -> bool {
    a.chars().map(place_char).eq(b.chars().map(place_char))
}

/// Lookup key for a bank or branch name: NFKC, no whitespace or company
/// markers, hiragana → katakana, small kana → large (zengin writes ユウチヨ),
/// and every dash/long-vowel mark as `ー`.
pub fn name_key(s: &str) -> String {
    nfkc_name_key(s.nfkc())
}

/// [`name_key`] for text that is already NFKC (the stored data), skipping
/// the normalisation pass that dominates index building.
pub(crate) fn nfkc_name_key(chars: impl Iterator<Item = char>) -> String {
    let mut t: String = chars.filter(|c| !c.is_whitespace()).collect();
    for marker in ["株式会社", "(株)", "(株)"] {
        if t.contains(marker) {
            t = t.replace(marker, "");
        }
    }
    t.chars().map(kana_fold).collect()
}

fn kana_fold(c: char) -> char {
    let c = match c {
        // Hiragana block that has a katakana twin at +0x60.
        'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
        c => c,
    };
    match c {
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        '-' | '‐' | '‑' | '–' | '—' | '―' | '−' | 'ｰ' => 'ー',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_fold_keeps_byte_length() {
        for c in ['ヶ', 'ヵ', 'ケ', 'が', 'ノ', '之'] {
            assert_eq!(c.len_utf8(), place_char(c).len_utf8());
        }
        assert!(place_eq("旭ヶ丘", "旭ケ丘"));
        assert!(place_eq("虎ノ門", "虎の門"));
        assert!(!place_eq("旭ヶ丘", "旭丘"));
    }

    #[test]
    fn name_key_folds_scripts_and_markers() {
        assert_eq!(name_key("みずほ"), name_key("ミズホ"));
        assert_eq!(name_key("ﾐｽﾞﾎ"), "ミズホ");
        assert_eq!(name_key("ゆうちょ"), name_key("ユウチヨ"));
        assert_eq!(name_key("株式会社 三菱ＵＦＪ銀行"), "三菱UFJ銀行");
        assert_eq!(name_key("㈱みずほ銀行"), name_key("みずほ銀行"));
        assert_eq!(
            name_key("ミツビシユ－エフジエイ"),
            name_key("ミツビシユーエフジエイ")
        );
    }
}

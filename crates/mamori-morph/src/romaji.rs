//! Katakana → Hepburn romaji, to match romaji table cells ("Taro Yamada")
//! against IPADIC's katakana name readings.

/// Hepburn spelling of a katakana reading, lower case, or `None` when the
/// reading holds something other than katakana.
pub(crate) fn hepburn(kana: &str) -> Option<String> {
    let chars: Vec<char> = kana.chars().collect();
    let mut out = String::with_capacity(chars.len() * 2);
    let mut geminate = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == 'ッ' {
            geminate = true;
            i += 1;
            continue;
        }
        if c == 'ー' {
            // Long vowel mark: passports drop it, so write nothing.
            i += 1;
            continue;
        }
        let (syllable, used) = match chars.get(i + 1).and_then(|&n| digraph(c, n)) {
            Some(s) => (s, 2),
            None => (mono(c)?, 1),
        };
        if geminate {
            // ッチ is "tchi" in Hepburn; otherwise double the consonant.
            match syllable.chars().next() {
                Some('c') => out.push('t'),
                Some(first) if !"aiueon".contains(first) => out.push(first),
                _ => {}
            }
            geminate = false;
        }
        out.push_str(syllable);
        i += used;
    }
    Some(out)
}

/// Spellings found on real documents for the same reading: long vowels
/// written out or dropped (サトウ: satou, sato, satoh), ン before b/m/p as m.
pub(crate) fn variants(kana: &str) -> Vec<String> {
    let Some(base) = hepburn(kana) else {
        return Vec::new();
    };
    let mut out = vec![base.clone()];
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    push(base.replace("ou", "o").replace("uu", "u"));
    push(base.replace("ou", "oh"));
    push(base.replace("oo", "o"));
    push(
        base.replace("nb", "mb")
            .replace("nm", "mm")
            .replace("np", "mp"),
    );
    out
}

fn digraph(c: char, next: char) -> Option<&'static str> {
    let row = match next {
        'ャ' => 0,
        'ュ' => 1,
        'ョ' => 2,
        'ェ' => 3,
        _ => return None,
    };
    let table: [&str; 4] = match c {
        'キ' => ["kya", "kyu", "kyo", ""],
        'ギ' => ["gya", "gyu", "gyo", ""],
        'シ' => ["sha", "shu", "sho", "she"],
        'ジ' => ["ja", "ju", "jo", "je"],
        'チ' => ["cha", "chu", "cho", "che"],
        'ヂ' => ["ja", "ju", "jo", ""],
        'ニ' => ["nya", "nyu", "nyo", ""],
        'ヒ' => ["hya", "hyu", "hyo", ""],
        'ビ' => ["bya", "byu", "byo", ""],
        'ピ' => ["pya", "pyu", "pyo", ""],
        'ミ' => ["mya", "myu", "myo", ""],
        'リ' => ["rya", "ryu", "ryo", ""],
        _ => return None,
    };
    Some(table[row]).filter(|s| !s.is_empty())
}

fn mono(c: char) -> Option<&'static str> {
    #[rustfmt::skip]
    const ROWS: [(char, &str); 71] = [
        ('ア', "a"), ('イ', "i"), ('ウ', "u"), ('エ', "e"), ('オ', "o"),
        ('カ', "ka"), ('キ', "ki"), ('ク', "ku"), ('ケ', "ke"), ('コ', "ko"),
        ('サ', "sa"), ('シ', "shi"), ('ス', "su"), ('セ', "se"), ('ソ', "so"),
        ('タ', "ta"), ('チ', "chi"), ('ツ', "tsu"), ('テ', "te"), ('ト', "to"),
        ('ナ', "na"), ('ニ', "ni"), ('ヌ', "nu"), ('ネ', "ne"), ('ノ', "no"),
        ('ハ', "ha"), ('ヒ', "hi"), ('フ', "fu"), ('ヘ', "he"), ('ホ', "ho"),
        ('マ', "ma"), ('ミ', "mi"), ('ム', "mu"), ('メ', "me"), ('モ', "mo"),
        ('ヤ', "ya"), ('ユ', "yu"), ('ヨ', "yo"),
        ('ラ', "ra"), ('リ', "ri"), ('ル', "ru"), ('レ', "re"), ('ロ', "ro"),
        ('ワ', "wa"), ('ヰ', "i"), ('ヱ', "e"), ('ヲ', "o"), ('ン', "n"),
        ('ガ', "ga"), ('ギ', "gi"), ('グ', "gu"), ('ゲ', "ge"), ('ゴ', "go"),
        ('ザ', "za"), ('ジ', "ji"), ('ズ', "zu"), ('ゼ', "ze"), ('ゾ', "zo"),
        ('ダ', "da"), ('ヂ', "ji"), ('ヅ', "zu"), ('デ', "de"), ('ド', "do"),
        ('バ', "ba"), ('ビ', "bi"), ('ブ', "bu"), ('ベ', "be"), ('ボ', "bo"),
        ('パ', "pa"), ('ピ', "pi"), ('プ', "pu"),
    ];
    match c {
        'ペ' => Some("pe"),
        'ポ' => Some("po"),
        'ヴ' => Some("vu"),
        'ァ' => Some("a"),
        'ィ' => Some("i"),
        'ゥ' => Some("u"),
        'ェ' => Some("e"),
        'ォ' => Some("o"),
        _ => ROWS.iter().find(|(k, _)| *k == c).map(|(_, r)| *r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hepburn_basics() {
        assert_eq!(hepburn("ヤマダ").as_deref(), Some("yamada"));
        assert_eq!(hepburn("タロウ").as_deref(), Some("tarou"));
        assert_eq!(hepburn("シュンスケ").as_deref(), Some("shunsuke"));
        assert_eq!(hepburn("ハットリ").as_deref(), Some("hattori"));
        assert_eq!(hepburn("ホッチ").as_deref(), Some("hotchi"));
        assert_eq!(hepburn("やまだ"), None);
    }

    #[test]
    fn long_vowel_variants() {
        let v = variants("サトウ");
        for s in ["satou", "sato", "satoh"] {
            assert!(v.iter().any(|x| x == s), "{s} missing from {v:?}");
        }
        assert!(variants("ホンマ").iter().any(|x| x == "homma"));
    }
}

//! Romaji keys for names, so a card holder's TOMOYA OOTSUKA, a reading
//! オオツカ トモヤ and a bank's ｵｵﾂｶ ﾄﾓﾔ meet as one person. Spellings are
//! folded to one canonical form (long vowels, Hepburn/Kunrei, m/n before
//! labials) and the two parts are ordered, since romaji puts the given
//! name first.

#[rustfmt::skip]
const DIGRAPHS: &[(&str, &str)] = &[
    ("キャ", "kya"), ("キュ", "kyu"), ("キョ", "kyo"), ("シャ", "sha"), ("シュ", "shu"), ("ショ", "sho"),
    ("チャ", "cha"), ("チュ", "chu"), ("チョ", "cho"), ("ニャ", "nya"), ("ニュ", "nyu"), ("ニョ", "nyo"),
    ("ヒャ", "hya"), ("ヒュ", "hyu"), ("ヒョ", "hyo"), ("ミャ", "mya"), ("ミュ", "myu"), ("ミョ", "myo"),
    ("リャ", "rya"), ("リュ", "ryu"), ("リョ", "ryo"), ("ギャ", "gya"), ("ギュ", "gyu"), ("ギョ", "gyo"),
    ("ジャ", "ja"), ("ジュ", "ju"), ("ジョ", "jo"), ("ビャ", "bya"), ("ビュ", "byu"), ("ビョ", "byo"),
    ("ピャ", "pya"), ("ピュ", "pyu"), ("ピョ", "pyo"), ("ヂャ", "ja"), ("ヂュ", "ju"), ("ヂョ", "jo"),
];

fn mono(c: char) -> Option<&'static str> {
    Some(match c {
        'ア' => "a",
        'イ' => "i",
        'ウ' => "u",
        'エ' => "e",
        'オ' => "o",
        'カ' => "ka",
        'キ' => "ki",
        'ク' => "ku",
        'ケ' => "ke",
        'コ' => "ko",
        'サ' => "sa",
        'シ' => "shi",
        'ス' => "su",
        'セ' => "se",
        'ソ' => "so",
        'タ' => "ta",
        'チ' => "chi",
        'ツ' => "tsu",
        'テ' => "te",
        'ト' => "to",
        'ナ' => "na",
        'ニ' => "ni",
        'ヌ' => "nu",
        'ネ' => "ne",
        'ノ' => "no",
        'ハ' => "ha",
        'ヒ' => "hi",
        'フ' => "fu",
        'ヘ' => "he",
        'ホ' => "ho",
        'マ' => "ma",
        'ミ' => "mi",
        'ム' => "mu",
        'メ' => "me",
        'モ' => "mo",
        'ヤ' => "ya",
        'ユ' => "yu",
        'ヨ' => "yo",
        'ラ' => "ra",
        'リ' => "ri",
        'ル' => "ru",
        'レ' => "re",
        'ロ' => "ro",
        'ワ' => "wa",
        'ヲ' => "o",
        'ン' => "n",
        'ガ' => "ga",
        'ギ' => "gi",
        'グ' => "gu",
        'ゲ' => "ge",
        'ゴ' => "go",
        'ザ' => "za",
        'ジ' => "ji",
        'ズ' => "zu",
        'ゼ' => "ze",
        'ゾ' => "zo",
        'ダ' => "da",
        'ヂ' => "ji",
        'ヅ' => "zu",
        'デ' => "de",
        'ド' => "do",
        'バ' => "ba",
        'ビ' => "bi",
        'ブ' => "bu",
        'ベ' => "be",
        'ボ' => "bo",
        'パ' => "pa",
        'ピ' => "pi",
        'プ' => "pu",
        'ペ' => "pe",
        'ポ' => "po",
        'ァ' => "a",
        'ィ' => "i",
        'ゥ' => "u",
        'ェ' => "e",
        'ォ' => "o",
        'ヴ' => "vu",
        _ => return None,
    })
}

/// Katakana (one word) to Hepburn romaji; None if anything else is in it.
fn word_to_romaji(word: &str) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut double_next = false;
    while i < chars.len() {
        let c = chars[i];
        if c == 'ッ' {
            double_next = true;
            i += 1;
            continue;
        }
        if c == 'ー' {
            i += 1;
            continue; // long vowels fold away in the canonical form anyway
        }
        // Only a small ャ/ュ/ョ makes a digraph: look it up then, and only then.
        let digraph = match chars.get(i + 1) {
            Some(&small @ ('ャ' | 'ュ' | 'ョ')) => DIGRAPHS.iter().find(|(k, _)| {
                let mut kc = k.chars();
                kc.next() == Some(c) && kc.next() == Some(small)
            }),
            _ => None,
        };
        let (syllable, width) = match digraph {
            Some((_, r)) => (*r, 2),
            None => (mono(c)?, 1),
        };
        if double_next {
            if let Some(first) = syllable.chars().next() {
                out.push(first);
            }
            double_next = false;
        }
        out.push_str(syllable);
        i += width;
    }
    Some(out)
}

/// One spelling for all the ways a name is romanised: Kunrei to Hepburn
/// (si→shi, ti→chi, tu→tsu, hu→fu, zi→ji, sya→sha, tya→cha), long vowels
/// folded (ou, oo, oh, uu), m before a labial as n. One pass over bytes: it
/// runs for every kana reading of every roster row.
fn canonical(word: &str) -> String {
    let w: Vec<u8> = word
        .bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut hepburn: Vec<u8> = Vec::with_capacity(w.len() + 4);
    let mut i = 0;
    while i < w.len() {
        let (c, next, prev) = (w[i], w.get(i + 1).copied(), hepburn.last().copied());
        let after_sc = matches!(prev, Some(b's' | b'c'));
        match (c, next) {
            (b's', Some(b'i')) => hepburn.extend_from_slice(b"sh"),
            (b't', Some(b'i')) => hepburn.extend_from_slice(b"ch"),
            (b't', Some(b'u')) => hepburn.extend_from_slice(b"ts"),
            (b'h', Some(b'u')) if !after_sc && prev != Some(b't') => hepburn.push(b'f'),
            (b'z', Some(b'i')) => hepburn.push(b'j'),
            (b's', Some(b'y')) => {
                hepburn.extend_from_slice(b"sh");
                i += 1;
            }
            (b't', Some(b'y')) => {
                hepburn.extend_from_slice(b"ch");
                i += 1;
            }
            (b'm', Some(b'b' | b'p' | b'm')) => hepburn.push(b'n'),
            _ => hepburn.push(c),
        }
        i += 1;
    }
    let mut out = String::with_capacity(hepburn.len());
    let mut last: Option<u8> = None;
    for (k, &c) in hepburn.iter().enumerate() {
        let folds = match (last, c) {
            (Some(b'o'), b'u' | b'o') | (Some(b'u'), b'u') => true,
            // oh before a consonant or at the end (Ohno, Satoh), not before a vowel (Ohashi keeps it).
            (Some(b'o'), b'h') => !hepburn.get(k + 1).is_some_and(|n| b"aeiou".contains(n)),
            _ => false,
        };
        if !folds {
            out.push(c as char);
            last = Some(c);
        }
    }
    out
}

/// The romaji key of a name written in katakana or in Latin letters:
/// canonical parts in sorted order. None for kanji or mixed names.
pub fn romaji_key(name: &str) -> Option<String> {
    // Kanji names (most of a roster) fail here, before anything is allocated.
    if !name.chars().all(|c| {
        c.is_ascii_alphabetic() || matches!(c, '-' | '\'' | 'ァ'..='ヺ' | 'ー') || c.is_whitespace()
    }) {
        return None;
    }
    // Canonical parts side by side in one buffer, each part a range of it;
    // the buffers are this thread's, reused from name to name.
    SCRATCH.with(|scratch| {
        let Ok(mut scratch) = scratch.try_borrow_mut() else {
            return romaji_key_in(name, &mut (String::new(), Vec::new()));
        };
        romaji_key_in(name, &mut scratch)
    })
}

type Scratch = (String, Vec<std::ops::Range<usize>>);

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const {
        std::cell::RefCell::new((String::new(), Vec::new()))
    };
}

fn romaji_key_in(name: &str, (buffer, parts): &mut Scratch) -> Option<String> {
    // A rare very long text does not keep its buffer for the thread's life.
    if buffer.capacity() > 4096 {
        *buffer = String::new();
    }
    buffer.clear();
    parts.clear();
    for word in name.split_whitespace() {
        let start = buffer.len();
        if !canonical_word(word, buffer) {
            return None;
        }
        parts.push(start..buffer.len());
    }
    if parts.is_empty() || parts.iter().map(|r| r.len()).sum::<usize>() < 4 {
        return None;
    }
    parts.sort_by(|a, b| buffer[a.clone()].cmp(&buffer[b.clone()]));
    let mut key = String::with_capacity(7 + buffer.len() + parts.len());
    key.push_str("romaji:");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            key.push(' ');
        }
        key.push_str(&buffer[part.clone()]);
    }
    Some(key)
}

/// Words of this thread's names already spelled canonically. Family and
/// given names repeat all over a share (thousands of サトウ), so each word
/// is romanised and folded once; the cache is emptied when it grows large.
const WORD_CACHE_LIMIT: usize = 1 << 16;

type WordCache = std::collections::HashMap<Box<str>, Option<Box<str>>, foldhash::fast::RandomState>;

thread_local! {
    static WORDS: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache::default());
}

/// Appends the canonical spelling of one word (Latin or katakana); false
/// when the word is neither.
fn canonical_word(word: &str, out: &mut String) -> bool {
    let cached = WORDS.with(|words| {
        words.borrow().get(word).map(|hit| match hit {
            Some(spelling) => {
                out.push_str(spelling);
                true
            }
            None => false,
        })
    });
    if let Some(known) = cached {
        return known;
    }
    let spelling = if word
        .chars()
        .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '\'')
    {
        Some(canonical(word))
    } else if word.chars().all(|c| matches!(c, 'ァ'..='ヺ' | 'ー')) {
        word_to_romaji(word).map(|r| canonical(&r))
    } else {
        None
    };
    if let Some(spelling) = &spelling {
        out.push_str(spelling);
    }
    let found = spelling.is_some();
    WORDS.with(|words| {
        let mut words = words.borrow_mut();
        if words.len() >= WORD_CACHE_LIMIT {
            words.clear();
        }
        words.insert(word.into(), spelling.map(String::into_boxed_str));
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_and_latin_spellings_meet() {
        assert_eq!(romaji_key("オオツカ トモヤ"), romaji_key("TOMOYA OOTSUKA"));
        assert_eq!(romaji_key("サトウ ユウコ"), romaji_key("Yuko Sato"));
        assert_eq!(romaji_key("ホンマ ケンタ"), romaji_key("KENTA HOMMA"));
        assert_eq!(romaji_key("ハットリ カオリ"), romaji_key("Kaori Hattori"));
        assert_eq!(romaji_key("シンジ ツチヤ"), romaji_key("Shinji Tsuchiya"));
        assert_eq!(romaji_key("山田 太郎"), None);
    }
}

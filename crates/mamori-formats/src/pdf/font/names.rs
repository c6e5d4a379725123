//! Simple fonts' encodings by name (WinAnsi, MacRoman, Standard) and
//! glyph names (Adobe Glyph List for ASCII and common punctuation,
//! `uniXXXX`, `uXXXX`).

use crate::pdf::syntax::{unreadable, Res};

pub(super) fn named_encoding(name: &[u8]) -> Res<[Option<char>; 256]> {
    let mut table = [None; 256];
    for (b, slot) in table.iter_mut().enumerate().take(0x7F).skip(0x20) {
        *slot = Some(b as u8 as char);
    }
    let high = match name {
        b"WinAnsiEncoding" => Some(encoding_rs::WINDOWS_1252),
        b"MacRomanEncoding" => Some(encoding_rs::MACINTOSH),
        b"StandardEncoding" => {
            table[0x27] = Some('\u{2019}');
            table[0x60] = Some('\u{2018}');
            None
        }
        other => {
            return unreadable(format!("encoding {}", String::from_utf8_lossy(other)));
        }
    };
    if let Some(enc) = high {
        for (b, slot) in table.iter_mut().enumerate().skip(0x80) {
            let byte = [b as u8];
            let (t, _, bad) = enc.decode(&byte);
            if !bad {
                *slot = t.chars().next();
            }
        }
    }
    Ok(table)
}

/// ASCII glyph names from 0x20 (`space`) to 0x7E (`asciitilde`).
const ASCII_NAMES: [&str; 95] = [
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quotesingle",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "grave",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
];

const OTHER_NAMES: [(&str, char); 24] = [
    ("quoteleft", '\u{2018}'),
    ("quoteright", '\u{2019}'),
    ("quotedblleft", '\u{201C}'),
    ("quotedblright", '\u{201D}'),
    ("endash", '\u{2013}'),
    ("emdash", '\u{2014}'),
    ("bullet", '\u{2022}'),
    ("ellipsis", '\u{2026}'),
    ("yen", '\u{A5}'),
    ("sterling", '\u{A3}'),
    ("section", '\u{A7}'),
    ("degree", '\u{B0}'),
    ("copyright", '\u{A9}'),
    ("registered", '\u{AE}'),
    ("trademark", '\u{2122}'),
    ("periodcentered", '\u{B7}'),
    ("multiply", '\u{D7}'),
    ("divide", '\u{F7}'),
    ("plusminus", '\u{B1}'),
    ("nbspace", '\u{A0}'),
    ("minus", '\u{2212}'),
    ("Euro", '\u{20AC}'),
    ("dagger", '\u{2020}'),
    ("paragraph", '\u{B6}'),
];

/// A glyph name's character (Adobe Glyph List names for ASCII and common
/// punctuation, `uniXXXX`, `uXXXX`); unknown names stay unmapped.
pub(super) fn glyph_name(name: &[u8]) -> Option<char> {
    let name = std::str::from_utf8(name).ok()?;
    if let Some(i) = ASCII_NAMES.iter().position(|n| *n == name) {
        return char::from_u32(0x20 + i as u32);
    }
    if let Some((_, c)) = OTHER_NAMES.iter().find(|(n, _)| *n == name) {
        return Some(*c);
    }
    let hex = name
        .strip_prefix("uni")
        .filter(|h| h.len() == 4)
        .or_else(|| {
            name.strip_prefix('u')
                .filter(|h| (4..=6).contains(&h.len()))
        })?;
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

//! Fonts as text decoders: byte strings of a content stream → characters
//! and advance widths. ToUnicode wherever present; else, for Type0 fonts,
//! the predefined CMaps whose codes are Unicode (UniJIS-UCS2-H,
//! UniJIS-UTF16-H) or Shift_JIS (90ms-RKSJ-H, 90msp-RKSJ-H); for simple
//! fonts, WinAnsi/MacRoman/Standard encodings with Differences. A font
//! this cannot decode (Type3, Identity-H without ToUnicode, an embedded
//! or unknown CMap, a glyph name it does not know) makes the page
//! unreadable, and the caller runs poppler instead.

mod names;

use super::syntax::{get, unreadable, Dict, Document, Lexer, Obj, Res};
use names::{glyph_name, named_encoding};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codes {
    /// One byte per code (simple fonts).
    One,
    /// Two bytes per code (Identity-H, UniJIS-UCS2-H).
    Two,
    /// UTF-16BE: two bytes, four for a surrogate pair.
    Utf16,
    /// Shift_JIS: one byte, two after a lead byte.
    Sjis,
}

#[derive(Debug)]
enum Base {
    /// No mapping of its own: everything must come from ToUnicode.
    None,
    /// The code is the Unicode value (UCS-2 or UTF-16).
    Unicode,
    /// The code is Shift_JIS (CP932).
    Sjis,
    /// A simple font's 256 codes.
    Table(Box<[Option<char>; 256]>),
}

/// The text of one code: nearly always one character, kept without an
/// allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlyphText {
    One(char),
    Many(Box<str>),
}

impl GlyphText {
    fn new(s: String) -> Self {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => GlyphText::One(c),
            _ => GlyphText::Many(s.into_boxed_str()),
        }
    }

    pub fn chars(&self) -> std::iter::Chain<std::option::IntoIter<char>, std::str::Chars<'_>> {
        match self {
            GlyphText::One(c) => Some(*c).into_iter().chain("".chars()),
            GlyphText::Many(s) => None.into_iter().chain(s.chars()),
        }
    }

    /// Empty, U+FFFD or a control character: no usable Unicode value.
    fn is_unusable(&self) -> bool {
        let mut any = false;
        for c in self.chars() {
            any = true;
            if c == '\u{FFFD}' || c < ' ' {
                return true;
            }
        }
        !any
    }
}

/// One decoded code.
pub struct Glyph {
    pub text: GlyphText,
    /// Advance in thousandths of the font size.
    pub width: f64,
    /// A one-byte code 32: word spacing (`Tw`) applies.
    pub word_space: bool,
}

pub struct Font {
    /// Codes already decoded: text, width and word spacing by code, so a
    /// code's CMap lookups and width search run once per document.
    memo: std::cell::RefCell<Memo>,
    codes: Codes,
    base: Base,
    to_unicode: Option<ToUnicode>,
    widths: Widths,
    /// Why this font cannot be decoded (checked when a string uses it).
    pub unreadable: Option<String>,
    /// Ascent in font sizes (the top of the glyph box for the layout).
    pub ascent: f64,
}

/// A font descriptor's ascent as poppler reads it (0.95 where absent,
/// zero or absurd).
fn ascent_of(doc: &Document, descriptor: Option<&Dict>) -> f64 {
    descriptor
        .and_then(|d| doc.get(d, b"Ascent").as_f64())
        .map(|v| (v / 1000.0).abs())
        .filter(|&a| a != 0.0 && a < 3.0)
        .unwrap_or(0.95)
}

#[derive(Debug, Default)]
struct Widths {
    single: HashMap<u32, f64>,
    ranges: Vec<(u32, u32, f64)>,
    default: f64,
    /// CID fonts under a predefined CMap: widths are by CID, which only
    /// the CMap knows; ASCII and half-width katakana get their Adobe-Japan1
    /// CIDs, everything else the default width.
    by_adobe_japan1: bool,
}

impl Widths {
    fn of(&self, cid: u32) -> f64 {
        if let Some(w) = self.single.get(&cid) {
            return *w;
        }
        self.ranges
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&cid))
            .map_or(self.default, |r| r.2)
    }
}

impl Font {
    pub fn load(doc: &Document, obj: &Obj) -> Font {
        match Self::try_load(doc, obj) {
            Ok(f) => f,
            Err(e) => Font {
                memo: Default::default(),
                codes: Codes::One,
                base: Base::None,
                to_unicode: None,
                widths: Widths::default(),
                unreadable: Some(e.0),
                ascent: 0.95,
            },
        }
    }

    fn try_load(doc: &Document, obj: &Obj) -> Res<Font> {
        let Some(dict) = doc.dict(obj) else {
            return unreadable("font is not a dictionary");
        };
        let subtype = doc.get(dict, b"Subtype").as_name().unwrap_or(b"");
        let to_unicode = match doc.get(dict, b"ToUnicode") {
            s @ Obj::Stream(..) => Some(ToUnicode::parse(&doc.decode(s, 16 << 20)?)?),
            _ => None,
        };
        if subtype == b"Type0" {
            let encoding = doc.get(dict, b"Encoding").as_name().unwrap_or(b"(stream)");
            let (codes, base) = match encoding {
                b"Identity-H" => (Codes::Two, Base::None),
                b"UniJIS-UCS2-H" | b"UniJIS-UCS2-HW-H" => (Codes::Two, Base::Unicode),
                b"UniJIS-UTF16-H" => (Codes::Utf16, Base::Unicode),
                b"90ms-RKSJ-H" | b"90msp-RKSJ-H" => (Codes::Sjis, Base::Sjis),
                other => {
                    return unreadable(format!("CMap {}", String::from_utf8_lossy(other)));
                }
            };
            if matches!(base, Base::None) && to_unicode.is_none() {
                return unreadable("Identity-H font without ToUnicode");
            }
            let descendant = match doc.get(dict, b"DescendantFonts") {
                Obj::Array(a) => a.first().map(|d| doc.resolve(d)),
                _ => None,
            };
            let mut widths = Widths {
                default: 1000.0,
                by_adobe_japan1: !matches!(base, Base::None),
                ..Widths::default()
            };
            let descriptor = descendant
                .and_then(|d| doc.dict(d))
                .and_then(|d| doc.dict(get(d, b"FontDescriptor").unwrap_or(&Obj::Null)));
            let ascent = ascent_of(doc, descriptor);
            if let Some(cid) = descendant.and_then(|d| doc.dict(d)) {
                if let Some(dw) = doc.get(cid, b"DW").as_f64() {
                    widths.default = dw;
                }
                if let Obj::Array(w) = doc.get(cid, b"W") {
                    read_cid_widths(doc, w, &mut widths);
                }
            }
            return Ok(Font {
                memo: Default::default(),
                codes,
                base,
                to_unicode,
                widths,
                unreadable: None,
                ascent,
            });
        }
        if subtype == b"Type3" {
            return unreadable("Type3 font");
        }
        let mut widths = Widths {
            default: 500.0,
            ..Widths::default()
        };
        let descriptor = doc.dict(get(dict, b"FontDescriptor").unwrap_or(&Obj::Null));
        if let Some(mw) = descriptor.and_then(|d| doc.get(d, b"MissingWidth").as_f64()) {
            widths.default = mw;
        }
        if let (Some(first), Obj::Array(w)) = (
            doc.get(dict, b"FirstChar").as_f64(),
            doc.get(dict, b"Widths"),
        ) {
            for (i, v) in w.iter().enumerate().take(256) {
                if let Some(v) = doc.resolve(v).as_f64() {
                    widths.single.insert(first.max(0.0) as u32 + i as u32, v);
                }
            }
        }
        let embedded = descriptor.is_some_and(|d| {
            [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| get(d, k).is_some())
        });
        let base_name = doc.get(dict, b"BaseFont").as_name().unwrap_or(b"");
        let symbolic = base_name.ends_with(b"Symbol") || base_name.ends_with(b"Dingbats");
        let (table, differences) = match doc.get(dict, b"Encoding") {
            Obj::Name(n) => (named_encoding(n)?, None),
            Obj::Dict(d) => {
                let base = match doc.get(d, b"BaseEncoding") {
                    Obj::Name(n) => named_encoding(n)?,
                    _ if embedded || symbolic => [None; 256],
                    _ => named_encoding(b"StandardEncoding")?,
                };
                (base, Some(doc.get(d, b"Differences")))
            }
            _ if to_unicode.is_some() => ([None; 256], None),
            _ if embedded || symbolic => {
                return unreadable("simple font with its built-in encoding only");
            }
            _ => (named_encoding(b"StandardEncoding")?, None),
        };
        let mut table = Box::new(table);
        if let Some(Obj::Array(diffs)) = differences {
            let mut code = 0usize;
            for d in diffs {
                match doc.resolve(d) {
                    Obj::Int(c) => code = usize::try_from(*c).unwrap_or(256),
                    Obj::Name(n) => {
                        if code < 256 {
                            table[code] = glyph_name(n);
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
        let ascent = ascent_of(doc, descriptor);
        Ok(Font {
            memo: Default::default(),
            codes: Codes::One,
            base: Base::Table(table),
            to_unicode,
            widths,
            unreadable: None,
            ascent,
        })
    }

    /// The glyphs of a string shown with this font.
    pub fn decode(&self, s: &[u8], out: &mut Vec<Glyph>) -> Res<()> {
        if let Some(why) = &self.unreadable {
            return unreadable(why.clone());
        }
        let mut memo = self.memo.borrow_mut();
        let mut i = 0;
        out.reserve(s.len() >> u8::from(matches!(self.codes, Codes::Two)));
        while i < s.len() {
            // Two-byte codes already decoded (nearly every glyph of a
            // Type0 font): as below, without the general code reading.
            if let (Codes::Two, Some(&[high, low])) = (&self.codes, s.get(i..i + 2)) {
                if let Some((text, width, word_space)) = memo.get_short(high, low) {
                    out.push(Glyph {
                        text: text.clone(),
                        width: *width,
                        word_space: *word_space,
                    });
                    i += 2;
                    continue;
                }
            }
            let len = match self.codes {
                Codes::One => 1,
                Codes::Two => 2,
                Codes::Utf16 => {
                    if (0xD8..=0xDB).contains(&s[i]) {
                        4
                    } else {
                        2
                    }
                }
                Codes::Sjis => {
                    if matches!(s[i], 0x81..=0x9F | 0xE0..=0xFC) {
                        2
                    } else {
                        1
                    }
                }
            };
            let Some(bytes) = s.get(i..i + len) else {
                return unreadable("string ends inside a code");
            };
            i += len;
            let code = bytes.iter().fold(0u32, |a, &b| a << 8 | u32::from(b));
            // The code's length follows from its value, so the code alone
            // determines all three.
            if let Some((text, width, word_space)) = memo.get(code) {
                out.push(Glyph {
                    text: text.clone(),
                    width: *width,
                    word_space: *word_space,
                });
                continue;
            }
            let text = match self.to_unicode.as_ref().and_then(|t| t.get(code)) {
                Some(t) => t,
                None => self.base_text(bytes, code)?,
            };
            let cid = if self.widths.by_adobe_japan1 {
                // By the code's own character: the round trip changes some.
                let shown = match self.base {
                    Base::Unicode if len == 2 => char::from_u32(code),
                    _ => text.chars().next(),
                };
                shown.and_then(|c| adobe_japan1_cid(c, self.codes))
            } else {
                Some(code)
            };
            let width = cid.map_or(self.widths.default, |c| self.widths.of(c));
            let word_space = len == 1 && code == 32;
            memo.insert(code, (text.clone(), width, word_space));
            out.push(Glyph {
                text,
                width,
                word_space,
            });
        }
        Ok(())
    }

    fn base_text(&self, bytes: &[u8], code: u32) -> Res<GlyphText> {
        let text = match &self.base {
            Base::None => None,
            Base::Unicode if JAPAN1_UNSURE.contains(&code) => {
                return unreadable(format!("U+{code:04X} under a predefined CMap"));
            }
            Base::Unicode => match bytes.len() {
                2 => char::from_u32(adobe_japan1_round_trip(code)).map(GlyphText::One),
                _ => {
                    let units = [(code >> 16) as u16, code as u16];
                    char::decode_utf16(units)
                        .collect::<Result<String, _>>()
                        .ok()
                        .map(GlyphText::new)
                }
            },
            Base::Sjis => {
                let (t, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
                (!had_errors).then(|| GlyphText::new(t.into_owned()))
            }
            Base::Table(t) => t[code as usize & 0xFF].map(GlyphText::One),
        };
        match text {
            Some(t) if !t.is_unusable() => Ok(t),
            _ => unreadable(format!("code {code:#x} has no Unicode value")),
        }
    }
}

/// What poppler reads back for a Unicode code under UniJIS-UCS2-H: the
/// code goes to an Adobe-Japan1 CID and the CID to its own Unicode value,
/// and some characters share a CID (measured with pdftotext 22-24).
fn adobe_japan1_round_trip(code: u32) -> u32 {
    match code {
        0x7E => 0x2DC,
        0x60 => 0x300,
        0xFF0D => 0x2212,
        0xFF5E => 0x301C,
        0x2225 => 0x2016,
        0x2014 => 0x336,
        0x2011 => 0x2D,
        0x2013 => 0x2012,
        // The full-width space's CID reads back as a space: a gap of one em.
        0x3000 => 0x20,
        other => other,
    }
}

/// Quotes poppler places apart from their neighbours under UniJIS-UCS2-H
/// (proportional CIDs): poppler reads such a file.
const JAPAN1_UNSURE: [u32; 5] = [0x201C, 0x201D, 0x2018, 0x2019, 0x301E];

/// Codes remembered per font (a hostile file shows millions).
const MAX_MEMO: usize = 1 << 16;

/// Decoded codes of one font: text, width, word spacing. Codes below
/// 2^16 (all but UTF-16 surrogate pairs) are found through a two-level
/// table by high and low byte (blocks of 256 made as codes arrive, so
/// memory follows the codes used); the rest through a map.
#[derive(Default)]
struct Memo {
    /// Block + 1 by high byte (0: none yet).
    blocks_by_high: Vec<u16>,
    /// Entry + 1 by low byte (0: not yet decoded).
    blocks: Vec<[u32; 256]>,
    entries: Vec<(GlyphText, f64, bool)>,
    wide: HashMap<u32, u32, CodeHash>,
}

impl Memo {
    /// [`Memo::get`] of the code `high << 8 | low`.
    #[inline(always)]
    fn get_short(&self, high: u8, low: u8) -> Option<&(GlyphText, f64, bool)> {
        let block = *self.blocks_by_high.get(usize::from(high))?;
        let block = self.blocks.get(usize::from(block.checked_sub(1)?))?;
        let slot = block[usize::from(low)].checked_sub(1)?;
        self.entries.get(slot as usize)
    }

    fn get(&self, code: u32) -> Option<&(GlyphText, f64, bool)> {
        let slot = if code < 1 << 16 {
            let block = self.blocks_by_high.get((code >> 8) as usize).copied();
            match block.and_then(|b| b.checked_sub(1)) {
                Some(b) => self.blocks[usize::from(b)][(code & 0xFF) as usize],
                None => 0,
            }
        } else {
            self.wide.get(&code).copied().unwrap_or(0)
        };
        slot.checked_sub(1).map(|i| &self.entries[i as usize])
    }

    fn insert(&mut self, code: u32, entry: (GlyphText, f64, bool)) {
        if self.entries.len() >= MAX_MEMO {
            return;
        }
        self.entries.push(entry);
        let slot = self.entries.len() as u32;
        if code < 1 << 16 {
            if self.blocks_by_high.is_empty() {
                self.blocks_by_high = vec![0; 256];
            }
            let high = (code >> 8) as usize;
            if self.blocks_by_high[high] == 0 {
                self.blocks.push([0; 256]);
                self.blocks_by_high[high] = self.blocks.len() as u16;
            }
            let block = usize::from(self.blocks_by_high[high] - 1);
            self.blocks[block][(code & 0xFF) as usize] = slot;
        } else {
            self.wide.insert(code, slot);
        }
    }
}

/// A hasher for codes: one multiplication (SipHash costs more than the
/// lookup it guards, and codes come from the file, not from an attacker
/// who gains by collisions beyond a slower read).
#[derive(Default, Clone, Copy)]
pub struct CodeHasher(u64);

impl std::hash::Hasher for CodeHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

pub type CodeHash = std::hash::BuildHasherDefault<CodeHasher>;

/// Adobe-Japan1 CIDs of the glyphs whose widths differ from the default
/// in office PDFs: proportional ASCII (1-95), half-width katakana (327-389).
fn adobe_japan1_cid(c: char, codes: Codes) -> Option<u32> {
    let c = c as u32;
    match c {
        0x20..=0x7E if codes == Codes::Sjis => Some(c - 0x20 + 231),
        0x20..=0x7E => Some(c - 0x1F),
        0xFF61..=0xFF9F => Some(c - 0xFF61 + 327),
        _ => None,
    }
}

/// Entries of a CID font's `/W` array kept (a hostile file lists more).
const MAX_WIDTHS: usize = 1 << 16;

fn read_cid_widths(doc: &Document, w: &[Obj], widths: &mut Widths) {
    let mut i = 0;
    while i < w.len() && widths.single.len() + widths.ranges.len() < MAX_WIDTHS {
        let Some(first) = doc.resolve(&w[i]).as_f64() else {
            return;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).map(|o| doc.resolve(o)) {
            Some(Obj::Array(list)) => {
                for (k, v) in list.iter().enumerate().take(MAX_WIDTHS) {
                    if let Some(v) = doc.resolve(v).as_f64() {
                        widths.single.insert(first.saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) = (
                    last.as_f64(),
                    w.get(i + 2).and_then(|o| doc.resolve(o).as_f64()),
                ) else {
                    return;
                };
                widths.ranges.push((first, last.max(0.0) as u32, v));
                i += 3;
            }
            None => return,
        }
    }
}

/// A ToUnicode CMap: single codes and ranges to UTF-16BE strings.
#[derive(Debug, Default)]
pub struct ToUnicode {
    single: HashMap<u32, GlyphText>,
    ranges: Vec<(u32, u32, RangeDst)>,
}

#[derive(Debug)]
enum RangeDst {
    /// The first code's string; later codes add to its last unit.
    Start(Vec<u16>),
    List(Vec<String>),
}

/// Mappings kept from one CMap (a hostile file declares more).
const MAX_MAPPINGS: usize = 1 << 17;

fn utf16be(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
        .collect()
}

fn code_of(bytes: &[u8]) -> Option<u32> {
    (!bytes.is_empty() && bytes.len() <= 4)
        .then(|| bytes.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)))
}

impl ToUnicode {
    pub fn parse(data: &[u8]) -> Res<ToUnicode> {
        let mut map = ToUnicode::default();
        let mut lx = Lexer::new(data, 0);
        let mut stack: Vec<Obj> = Vec::new();
        while let Some(obj) = lx.next(0)? {
            let Obj::Op(op) = obj else {
                if stack.len() < 3 * 100 + 3 {
                    stack.push(obj);
                }
                continue;
            };
            match op.as_slice() {
                b"endbfchar" => {
                    for pair in stack.chunks(2) {
                        if let [Obj::Str(src), Obj::Str(dst)] = pair {
                            if let Some(code) = code_of(src) {
                                let s = String::from_utf16_lossy(&utf16be(dst));
                                map.single.insert(code, GlyphText::new(s));
                            }
                        }
                    }
                }
                b"endbfrange" => {
                    for triple in stack.chunks(3) {
                        let [Obj::Str(lo), Obj::Str(hi), dst] = triple else {
                            continue;
                        };
                        let (Some(lo), Some(hi)) = (code_of(lo), code_of(hi)) else {
                            continue;
                        };
                        if hi < lo || hi - lo > 0xFFFF {
                            continue;
                        }
                        let dst = match dst {
                            Obj::Str(s) => RangeDst::Start(utf16be(s)),
                            Obj::Array(a) => RangeDst::List(
                                a.iter()
                                    .map(|o| match o {
                                        Obj::Str(s) => String::from_utf16_lossy(&utf16be(s)),
                                        _ => String::new(),
                                    })
                                    .collect(),
                            ),
                            _ => continue,
                        };
                        map.ranges.push((lo, hi, dst));
                    }
                }
                _ => {}
            }
            stack.clear();
            if map.single.len() + map.ranges.len() > MAX_MAPPINGS {
                return unreadable("ToUnicode CMap too large");
            }
        }
        map.expand_ranges();
        map.single.retain(|_, t| !t.is_unusable());
        Ok(map)
    }

    /// The text of `code`; `None` where the CMap does not map it. A
    /// mapping to nothing, to U+FFFD or to a control character counts as none.
    pub fn get(&self, code: u32) -> Option<GlyphText> {
        self.single.get(&code).cloned()
    }

    /// Ranges become single entries (looked up once per glyph); single
    /// mappings and later ranges win, as in a CMap.
    fn expand_ranges(&mut self) {
        for (lo, hi, dst) in std::mem::take(&mut self.ranges).into_iter().rev() {
            for code in lo..=hi {
                if self.single.len() >= MAX_MAPPINGS {
                    return;
                }
                let offset = code - lo;
                let text = match &dst {
                    RangeDst::Start(units) => {
                        let mut units = units.clone();
                        let Some(last) = units.last_mut() else {
                            continue;
                        };
                        *last = last.wrapping_add(offset as u16);
                        String::from_utf16_lossy(&units)
                    }
                    RangeDst::List(list) => match list.get(offset as usize) {
                        Some(t) => t.clone(),
                        None => continue,
                    },
                };
                self.single
                    .entry(code)
                    .or_insert_with(|| GlyphText::new(text));
            }
        }
    }
}

/// Fonts loaded once per document, by object; and the last few looked up
/// by resource dictionary and name (a roster sets its font for every
/// cell: `/F1 9 Tf` thousands of times).
#[derive(Default)]
pub struct FontCache {
    by_object: HashMap<usize, std::rc::Rc<Font>, CodeHash>,
    by_name: Vec<(usize, NameKey, std::rc::Rc<Font>)>,
    /// The entry of `by_name` the next new name replaces once it is full
    /// (each page has its own resource dictionary).
    next_replaced: usize,
}

/// A font's resource name as the cache compares it: names of up to seven
/// bytes (`F1`, `TT2`: nearly all) packed in an integer with their length,
/// so a lookup per `Tf` compares integers rather than calling `memcmp`.
#[derive(PartialEq, Eq)]
enum NameKey {
    Short(u64),
    Long(Vec<u8>),
}

impl NameKey {
    fn of(name: &[u8]) -> NameKey {
        if name.len() <= 7 {
            let packed = name
                .iter()
                .fold(name.len() as u64, |a, &b| a << 8 | u64::from(b));
            NameKey::Short(packed)
        } else {
            NameKey::Long(name.to_vec())
        }
    }
}

/// Names remembered per document in [`FontCache`].
const NAMES_REMEMBERED: usize = 16;

/// The font named `name` in resources `res`.
pub fn font_of(
    doc: &Document,
    res: Option<&Dict>,
    name: &[u8],
    cache: &mut FontCache,
) -> std::rc::Rc<Font> {
    // The same dictionary and name find the same object: the document
    // does not change while it is read.
    let res_key = res.map_or(0, |r| r as *const Dict as usize);
    let name_key = NameKey::of(name);
    if let Some((.., font)) = cache
        .by_name
        .iter()
        .find(|(r, n, _)| *r == res_key && *n == name_key)
    {
        return font.clone();
    }
    let fonts = res.and_then(|r| doc.dict(get(r, b"Font").unwrap_or(&Obj::Null)));
    let obj = fonts.and_then(|f| get(f, name)).unwrap_or(&Obj::Null);
    let resolved = doc.resolve(obj);
    // Keyed by the object's address: the same font object is loaded once.
    let key = resolved as *const Obj as usize;
    let font = cache
        .by_object
        .entry(key)
        .or_insert_with(|| std::rc::Rc::new(Font::load(doc, resolved)))
        .clone();
    let entry = (res_key, name_key, font.clone());
    if cache.by_name.len() < NAMES_REMEMBERED {
        cache.by_name.push(entry);
    } else {
        cache.by_name[cache.next_replaced] = entry;
        cache.next_replaced = (cache.next_replaced + 1) % NAMES_REMEMBERED;
    }
    font
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_chars_and_ranges() {
        let cmap = b"begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <0010> <5C71 7530> endbfchar\n\
            2 beginbfrange <0020> <0022> <30A2> <0030> <0031> [<004E> <D842DFB7>] endbfrange endcmap";
        let map = ToUnicode::parse(cmap).unwrap();
        assert_eq!(map.get(0x10), Some(GlyphText::Many("山田".into())));
        assert_eq!(map.get(0x21), Some(GlyphText::One('\u{30A3}')));
        assert_eq!(map.get(0x31), Some(GlyphText::One('\u{20BB7}')));
        assert_eq!(map.get(0x23), None);
    }

    #[test]
    fn glyph_names_and_encodings() {
        assert_eq!(glyph_name(b"A"), Some('A'));
        assert_eq!(glyph_name(b"quoteright"), Some('\u{2019}'));
        assert_eq!(glyph_name(b"uni5C71"), Some('山'));
        assert_eq!(glyph_name(b"g123"), None);
        let win = named_encoding(b"WinAnsiEncoding").unwrap();
        assert_eq!(win[0x80], Some('€'));
        assert_eq!(win[0x41], Some('A'));
        assert!(named_encoding(b"Custom").is_err());
    }

    #[test]
    fn adobe_japan1_round_trip_as_poppler_reads_it() {
        assert_eq!(adobe_japan1_round_trip(0xFF5E), 0x301C);
        assert_eq!(adobe_japan1_round_trip(0x3000), 0x20);
        assert_eq!(adobe_japan1_round_trip(0x5C71), 0x5C71);
    }
}

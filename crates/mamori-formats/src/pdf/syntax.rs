//! PDF objects: a lexer over the file's bytes and a document that finds
//! its objects by scanning for `N G obj` headers (the xref table is not
//! trusted: office exporters write it right, damaged files do not) and
//! reads object streams. Only what text extraction needs; anything this
//! does not understand is an [`Unreadable`] and the caller falls back to
//! poppler. Content streams are read by `tokens` (`Lexer::next_content`).

mod number;
mod tokens;

use number::{number_or_word, plain_number_f64};
use std::collections::HashMap;
use std::io::Read;
pub use tokens::{Item, Token};

/// Why the in-process reader gave up (the caller runs poppler instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

pub type Res<T> = Result<T, Unreadable>;

pub fn unreadable<T>(why: impl Into<String>) -> Res<T> {
    Err(Unreadable(why.into()))
}

#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32),
    /// A stream: its dictionary and the byte range of its raw data in the
    /// file (or, for none, empty).
    Stream(Dict, usize, usize),
    /// A content-stream operator or other bare word.
    Op(OpName),
}

/// A bare word, kept inline (no allocation per operator); words longer
/// than its capacity are cut, which no operator this reads is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpName {
    bytes: [u8; 15],
    len: u8,
}

impl OpName {
    fn new(word: &[u8]) -> Self {
        let mut bytes = [0u8; 15];
        let len = word.len().min(15);
        bytes[..len].copy_from_slice(&word[..len]);
        OpName {
            bytes,
            len: len as u8,
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

pub type Dict = Vec<(Vec<u8>, Obj)>;

pub fn get<'a>(dict: &'a Dict, key: &[u8]) -> Option<&'a Obj> {
    dict.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

impl Obj {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Obj::Int(i) => Some(*i as f64),
            Obj::Real(r) => Some(*r),
            _ => None,
        }
    }
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Obj::Name(n) => Some(n),
            _ => None,
        }
    }
}

/// Nesting of arrays and dictionaries kept (a hostile file nests deeper).
const MAX_NESTING: usize = 64;

pub struct Lexer<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

const WHITE: u8 = 1;
const DELIM: u8 = 2;

/// Each byte's class, looked up once per byte where words are scanned.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let white = b" \t\r\n\x0c\0";
    let mut i = 0;
    while i < white.len() {
        t[white[i] as usize] = WHITE;
        i += 1;
    }
    let delim = b"()<>[]{}/%";
    let mut i = 0;
    while i < delim.len() {
        t[delim[i] as usize] = DELIM;
        i += 1;
    }
    t
};

fn is_white(b: u8) -> bool {
    CLASS[usize::from(b)] == WHITE
}

fn is_delim(b: u8) -> bool {
    CLASS[usize::from(b)] == DELIM
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Lexer { data, pos }
    }

    pub fn skip_white(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&b) = self.data.get(self.pos) {
                    if b == b'\n' || b == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        let rest = &self.data[start..];
        let len = rest
            .iter()
            .position(|&b| CLASS[usize::from(b)] != 0)
            .unwrap_or(rest.len());
        self.pos = start + len;
        &self.data[start..self.pos]
    }

    /// The next object; `None` at the end of the data. Bare words are
    /// operators (`Op`); `R` after two integers makes a reference.
    pub fn next(&mut self, depth: usize) -> Res<Option<Obj>> {
        if depth > MAX_NESTING {
            return unreadable("objects nested too deeply");
        }
        self.skip_white();
        let Some(&b) = self.data.get(self.pos) else {
            return Ok(None);
        };
        let obj = match b {
            b'/' => {
                self.pos += 1;
                let raw = self.word();
                Obj::Name(unescape_name(raw))
            }
            b'(' => {
                self.pos += 1;
                let mut out = Vec::new();
                self.literal(&mut out)?;
                Obj::Str(out)
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut dict = Vec::new();
                loop {
                    self.skip_white();
                    match self.data.get(self.pos) {
                        None => return unreadable("unterminated dictionary"),
                        Some(b'>') => {
                            // `>>`, or a lone `>` at the end of damaged data.
                            self.pos = (self.pos + 2).min(self.data.len());
                            break;
                        }
                        _ => {}
                    }
                    let key = match self.next(depth + 1)? {
                        Some(Obj::Name(n)) => n,
                        Some(_) => continue,
                        None => return unreadable("unterminated dictionary"),
                    };
                    self.skip_white();
                    if self.data.get(self.pos) == Some(&b'>') {
                        dict.push((key, Obj::Null));
                        continue;
                    }
                    let value = self.value(depth + 1)?;
                    dict.push((key, value));
                }
                Obj::Dict(dict)
            }
            b'<' => {
                self.pos += 1;
                let mut out = Vec::new();
                self.hex(&mut out)?;
                Obj::Str(out)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_white();
                    match self.data.get(self.pos) {
                        None => return unreadable("unterminated array"),
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => items.push(self.value(depth + 1)?),
                    }
                }
                Obj::Array(items)
            }
            b')' | b'>' | b']' | b'{' | b'}' => {
                self.pos += 1;
                Obj::Op(OpName::new(&[b]))
            }
            _ => {
                let w = self.word();
                if w.is_empty() {
                    self.pos += 1;
                    return Ok(Some(Obj::Null));
                }
                number_or_word(w)
            }
        };
        Ok(Some(obj))
    }

    /// A value inside an array or dictionary: `a b R` is a reference.
    fn value(&mut self, depth: usize) -> Res<Obj> {
        let Some(obj) = self.next(depth)? else {
            return unreadable("unexpected end of data");
        };
        if let Obj::Int(num) = obj {
            let save = self.pos;
            if let Some(Obj::Int(_)) = self.peek_number() {
                self.skip_white();
                if self.data.get(self.pos) == Some(&b'R')
                    && self
                        .data
                        .get(self.pos + 1)
                        .is_none_or(|&b| is_white(b) || is_delim(b))
                {
                    self.pos += 1;
                    return Ok(Obj::Ref(u32::try_from(num).unwrap_or(0)));
                }
            }
            self.pos = save;
            return Ok(Obj::Int(num));
        }
        Ok(obj)
    }

    fn peek_number(&mut self) -> Option<Obj> {
        self.skip_white();
        let start = self.pos;
        let w = self.word();
        if !w.is_empty() && w.iter().all(u8::is_ascii_digit) {
            return Some(number_or_word(w));
        }
        self.pos = start;
        None
    }

    /// A literal string's bytes, appended to `out`.
    fn literal(&mut self, out: &mut Vec<u8>) -> Res<()> {
        let mut level = 1usize;
        loop {
            let Some(&b) = self.data.get(self.pos) else {
                return unreadable("unterminated string");
            };
            self.pos += 1;
            match b {
                b'(' => {
                    level += 1;
                    out.push(b);
                }
                b')' => {
                    level -= 1;
                    if level == 0 {
                        return Ok(());
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.pos) else {
                        return unreadable("unterminated string");
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.data.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
    }

    /// A hex string's bytes, appended to `out`.
    fn hex(&mut self, out: &mut Vec<u8>) -> Res<()> {
        // The leading pairs of digits up to the closing `>` (a content
        // stream's whole string, nearly always) at once: what the loop
        // below does with them, one pair at a time.
        if let Some(rest) = self.data.get(self.pos..) {
            let body = &rest[..memchr::memchr(b'>', rest).unwrap_or(0)];
            let pairs = body
                .chunks_exact(2)
                .take_while(|p| HEX[usize::from(p[0])] < 16 && HEX[usize::from(p[1])] < 16)
                .count();
            out.extend(
                body[..2 * pairs]
                    .chunks_exact(2)
                    .map(|p| HEX[usize::from(p[0])] << 4 | HEX[usize::from(p[1])]),
            );
            self.pos += 2 * pairs;
        }
        let mut high: Option<u8> = None;
        loop {
            // Two digits at once, the common case.
            if high.is_none() {
                if let Some(&[a, b]) = self.data.get(self.pos..self.pos + 2) {
                    let (a, b) = (HEX[usize::from(a)], HEX[usize::from(b)]);
                    if a < 16 && b < 16 {
                        out.push(a << 4 | b);
                        self.pos += 2;
                        continue;
                    }
                }
            }
            let Some(&b) = self.data.get(self.pos) else {
                return unreadable("unterminated hex string");
            };
            self.pos += 1;
            let v = match HEX[usize::from(b)] {
                v @ 0..=15 => v,
                HEX_END => break,
                HEX_WHITE => continue,
                _ => return unreadable("bad hex string"),
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        Ok(())
    }
}

const HEX_END: u8 = 0xFD;
const HEX_WHITE: u8 = 0xFE;
const HEX_BAD: u8 = 0xFF;

/// Each byte's meaning inside a hex string: a digit's value, the end,
/// whitespace, or bad.
const HEX: [u8; 256] = {
    let mut t = [HEX_BAD; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'>' => HEX_END,
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0 => HEX_WHITE,
            _ => HEX_BAD,
        };
        b += 1;
    }
    t
};

fn unescape_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' && i + 2 < raw.len() {
            if let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(&raw[i + 1..i + 3]), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// Objects of one file, by number.
pub struct Document<'a> {
    pub data: &'a [u8],
    objects: HashMap<u32, Obj>,
    pub trailer: Dict,
}

/// Objects read from one file (a hostile file declares millions).
const MAX_OBJECTS: usize = 2_000_000;

impl<'a> Document<'a> {
    pub fn parse(data: &'a [u8], limit: u64) -> Res<Self> {
        let mut doc = Document {
            data,
            objects: HashMap::new(),
            trailer: Vec::new(),
        };
        let finder = memchr::memmem::Finder::new(b"obj");
        let mut from = 0usize;
        let mut object_streams = Vec::new();
        while let Some(found) = finder.find(data.get(from..).unwrap_or(&[])) {
            let at = from + found;
            from = at + 3;
            let Some(num) = object_header(data, at) else {
                continue;
            };
            let mut lx = Lexer::new(data, at + 3);
            let Ok(Some(obj)) = lx.value(0).map(Some) else {
                continue;
            };
            let obj = match obj {
                Obj::Dict(dict) => {
                    lx.skip_white();
                    if data.get(lx.pos..).unwrap_or(&[]).starts_with(b"stream") {
                        let (begin, end) = stream_range(data, lx.pos + 6, &dict);
                        from = end;
                        if get(&dict, b"Type").and_then(Obj::as_name) == Some(b"ObjStm") {
                            object_streams.push(num);
                        }
                        if get(&dict, b"Type").and_then(Obj::as_name) == Some(b"XRef") {
                            doc.trailer = dict.clone();
                        }
                        Obj::Stream(dict, begin, end)
                    } else {
                        from = from.max(lx.pos);
                        Obj::Dict(dict)
                    }
                }
                other => {
                    from = from.max(lx.pos);
                    other
                }
            };
            if doc.objects.len() >= MAX_OBJECTS {
                return unreadable("too many objects");
            }
            doc.objects.insert(num, obj);
        }
        // The last `trailer` dictionary (classic xref) names the catalog.
        if let Some(at) = memchr::memmem::rfind(data, b"trailer") {
            let mut lx = Lexer::new(data, at + 7);
            if let Ok(Some(Obj::Dict(d))) = lx.next(0) {
                doc.trailer = d;
            }
        }
        if get(&doc.trailer, b"Encrypt").is_some() {
            return unreadable("encrypted");
        }
        let mut spent = 0u64;
        for num in object_streams {
            let Some(Obj::Stream(dict, ..)) = doc.objects.get(&num) else {
                continue;
            };
            let first = get(dict, b"First").and_then(Obj::as_f64).unwrap_or(0.0) as usize;
            let count = get(dict, b"N").and_then(Obj::as_f64).unwrap_or(0.0) as usize;
            let bytes = doc.stream_data(num, limit.saturating_sub(spent))?;
            spent += bytes.len() as u64;
            let mut header = Lexer::new(&bytes, 0);
            let mut entries = Vec::new();
            for _ in 0..count.min(MAX_OBJECTS) {
                match (header.next(0)?, header.next(0)?) {
                    (Some(Obj::Int(n)), Some(Obj::Int(off))) => entries.push((n, off)),
                    _ => break,
                }
            }
            for (n, off) in entries {
                let (Ok(n), Ok(off)) = (u32::try_from(n), usize::try_from(off)) else {
                    continue;
                };
                if doc.objects.contains_key(&n) {
                    continue;
                }
                let mut lx = Lexer::new(&bytes, first.saturating_add(off).min(bytes.len()));
                if let Ok(obj) = lx.value(0) {
                    if doc.objects.len() >= MAX_OBJECTS {
                        return unreadable("too many objects");
                    }
                    doc.objects.insert(n, obj);
                }
            }
        }
        Ok(doc)
    }

    /// An object, references followed (a chain of them at most 32 long).
    pub fn resolve<'o>(&'o self, mut obj: &'o Obj) -> &'o Obj {
        for _ in 0..32 {
            match obj {
                Obj::Ref(n) => match self.objects.get(n) {
                    Some(o) => obj = o,
                    None => return &Obj::Null,
                },
                _ => return obj,
            }
        }
        &Obj::Null
    }

    pub fn object(&self, num: u32) -> &Obj {
        self.objects.get(&num).unwrap_or(&Obj::Null)
    }

    pub fn dict<'o>(&'o self, obj: &'o Obj) -> Option<&'o Dict> {
        match self.resolve(obj) {
            Obj::Dict(d) | Obj::Stream(d, ..) => Some(d),
            _ => None,
        }
    }

    pub fn get<'o>(&'o self, dict: &'o Dict, key: &[u8]) -> &'o Obj {
        get(dict, key).map_or(&Obj::Null, |o| self.resolve(o))
    }

    fn stream_data(&self, num: u32, limit: u64) -> Res<Vec<u8>> {
        self.decode(self.object(num), limit)
    }

    /// The decoded data of a stream (Flate or none; other filters are
    /// unreadable), at most `limit` bytes.
    pub fn decode(&self, obj: &Obj, limit: u64) -> Res<Vec<u8>> {
        let Obj::Stream(dict, begin, end) = self.resolve(obj) else {
            return unreadable("not a stream");
        };
        let raw = self.data.get(*begin..*end).unwrap_or(&[]);
        let filters: Vec<&[u8]> = match self.get(dict, b"Filter") {
            Obj::Null => Vec::new(),
            Obj::Name(n) => vec![n],
            Obj::Array(a) => a.iter().filter_map(Obj::as_name).collect(),
            _ => return unreadable("bad stream filter"),
        };
        match filters.as_slice() {
            [] => {
                if raw.len() as u64 > limit {
                    return unreadable("stream over the size limit");
                }
                Ok(raw.to_vec())
            }
            [b"FlateDecode" | b"Fl"] => {
                if !matches!(self.get(dict, b"DecodeParms"), Obj::Null)
                    && self
                        .dict(get(dict, b"DecodeParms").unwrap_or(&Obj::Null))
                        .is_some_and(|p| self.get(p, b"Predictor").as_f64().unwrap_or(1.0) > 1.0)
                {
                    return unreadable("Flate predictor");
                }
                let out = match inflate_whole(raw, limit) {
                    Some(out) => out,
                    None => inflate_damaged(raw, limit),
                };
                if out.len() as u64 > limit {
                    return unreadable("stream over the size limit");
                }
                Ok(out)
            }
            other => unreadable(format!(
                "stream filter {}",
                other
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        }
    }
}

/// A sound zlib stream inflated in one pass over the input, into an
/// output sized from the input (content streams inflate 5-10 times; the
/// space reserved and not written is never touched), with
/// no intermediate buffer. `None` for anything but a stream that ends
/// cleanly within `limit` bytes: [`inflate_damaged`] reads those as before.
fn inflate_whole(raw: &[u8], limit: u64) -> Option<Vec<u8>> {
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(raw.len().saturating_mul(16).max(4096).min(cap).min(1 << 26));
    let mut z = flate2::Decompress::new(true);
    loop {
        let consumed = z.total_in() as usize;
        let input = raw.get(consumed..)?;
        let before = (z.total_in(), z.total_out());
        match z.decompress_vec(input, &mut out, flate2::FlushDecompress::None) {
            Ok(flate2::Status::StreamEnd) => return Some(out),
            Ok(_) if out.len() >= cap => return None,
            Ok(_) if (z.total_in(), z.total_out()) == before && out.len() < out.capacity() => {
                // No progress with room to write: the input ended early.
                return None;
            }
            Ok(_) => {
                if out.len() == out.capacity() {
                    let more = out.capacity().min(cap - out.len()).max(1);
                    out.reserve_exact(more);
                }
            }
            Err(_) => return None,
        }
    }
}

/// A damaged or truncated zlib stream: what a reader gives before the
/// error (a truncated stream still gives what it holds, as poppler
/// does), up to `limit + 1` bytes. This is the reading the text was
/// always made with; the exact cut at an error depends on its read sizes.
fn inflate_damaged(raw: &[u8], limit: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut z = flate2::read::ZlibDecoder::new(raw).take(limit.saturating_add(1));
    let _ = z.read_to_end(&mut out);
    out
}

/// `N G obj` ending at `at` (where `obj` starts): the object number.
fn object_header(data: &[u8], at: usize) -> Option<u32> {
    if data
        .get(at + 3)
        .is_some_and(|&b| !is_white(b) && !is_delim(b))
    {
        return None;
    }
    let mut i = at;
    let mut numbers = [0u64; 2];
    for slot in (0..2).rev() {
        let ws_end = i;
        while i > 0 && is_white(data[i - 1]) {
            i -= 1;
        }
        if i == ws_end {
            return None;
        }
        let digits_end = i;
        while i > 0 && data[i - 1].is_ascii_digit() {
            i -= 1;
        }
        if i == digits_end || digits_end - i > 10 {
            return None;
        }
        numbers[slot] = std::str::from_utf8(&data[i..digits_end])
            .ok()?
            .parse()
            .ok()?;
    }
    if i > 0 && !is_white(data[i - 1]) && !is_delim(data[i - 1]) {
        return None;
    }
    u32::try_from(numbers[0]).ok()
}

/// The raw data of a stream starting after the `stream` keyword: its
/// `/Length` where that lands on `endstream`, else up to `endstream`.
fn stream_range(data: &[u8], mut pos: usize, dict: &Dict) -> (usize, usize) {
    if data.get(pos) == Some(&b'\r') {
        pos += 1;
    }
    if data.get(pos) == Some(&b'\n') {
        pos += 1;
    }
    let pos = pos.min(data.len());
    if let Some(Obj::Int(len)) = get(dict, b"Length") {
        if let Ok(len) = usize::try_from(*len) {
            let end = pos.saturating_add(len);
            if end <= data.len() {
                let mut lx = Lexer::new(data, end);
                lx.skip_white();
                if data.get(lx.pos..).unwrap_or(&[]).starts_with(b"endstream") {
                    return (pos, end);
                }
            }
        }
    }
    match memchr::memmem::find(&data[pos..], b"endstream") {
        Some(n) => {
            let mut end = pos + n;
            // The end-of-line before `endstream` is not data.
            if end > pos && data[end - 1] == b'\n' {
                end -= 1;
            }
            if end > pos && data[end - 1] == b'\r' {
                end -= 1;
            }
            (pos, end)
        }
        None => (pos, data.len()),
    }
}

#[cfg(test)]
mod tests;

//! A small streaming tokenizer for the XML parts of Office files: tags
//! are found with memchr and handed out as borrowed slices of the part,
//! so reading a sheet allocates nothing per element.
//!
//! It reads only what Office writes: elements, attributes, text, character
//! and the five predefined entity references, comments, processing
//! instructions and CDATA. Anything else — a DOCTYPE (and with it every
//! entity definition: no billion laughs), a tag cut short, text that is not
//! UTF-8, an unknown entity — is a [`Refuse`]: the caller then hands the
//! part to quick-xml (through calamine or the event reader), which decides
//! what that input means. Self-closing tags come out as a start and an end
//! event, as quick-xml's `expand_empty_elements` gives them.

use memchr::{memchr, memmem};

#[path = "xmlscan_sheet.rs"]
mod sheet;
pub(crate) use sheet::{CellTag, CellText};
#[path = "xmlscan_word.rs"]
mod word;
use word::{CellPrefix, RunPrefix};

/// The fast reader declines this input; the caller falls back to the
/// general reader. The reason is for tests and debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refuse(pub(crate) &'static str);

pub(crate) type Scan<T> = Result<T, Refuse>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// `<name attrs>` (also the first half of `<name attrs/>`).
    Start {
        name: &'a [u8],
        attrs: &'a [u8],
    },
    /// `</name>` (or the second half of `<name/>`).
    End {
        name: &'a [u8],
    },
    /// Raw text between tags (entities not yet decoded).
    Text(&'a str),
    /// The content of `<![CDATA[...]]>`.
    CData(&'a [u8]),
    /// `<name attrs/>`, only from a tokenizer made with
    /// [`Tokenizer::keep_empty`].
    Empty {
        name: &'a [u8],
        attrs: &'a [u8],
    },
    Eof,
}

/// The part after a namespace prefix: `x:c` and `c` are both `c`.
pub(crate) fn local(name: &[u8]) -> &[u8] {
    // Names are short: a plain loop beats a memchr call.
    match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

pub(crate) struct Tokenizer<'a> {
    xml: &'a [u8],
    /// The same bytes, checked once as UTF-8: text runs are sliced from it.
    text: &'a str,
    pos: usize,
    /// The end event owed for the last self-closing tag.
    pending_end: Option<&'a [u8]>,
    /// Self-closing tags as [`Event::Empty`] rather than start + end.
    keep_empty: bool,
    /// Names of the elements open, innermost last. An end tag must close
    /// the innermost one: a part nested otherwise goes to the reference
    /// reader, which decides (quick-xml errs on an end tag with none open
    /// even where end names are not checked).
    open: Vec<&'a [u8]>,
    /// Whether the last [`Event::Text`] holds an `&` (a reference to
    /// decode); without one its raw text is its value.
    text_has_references: bool,
    /// The last plain run's bytes from `<r` through its `<t …>`, and those
    /// two names (see [`Tokenizer::take_run`]): runs of a document mostly
    /// repeat them byte for byte.
    run_prefix: RunPrefix<'a>,
    /// The same for the last plain table cell, up to its run.
    cell_prefix: CellPrefix<'a>,
}

/// Deeper nesting than any Office part has goes to the reference reader.
const MAX_OPEN: usize = 256;

impl<'a> Tokenizer<'a> {
    /// A tokenizer over a whole part. A UTF-8 byte order mark is skipped;
    /// a declaration naming another encoding is refused.
    pub(crate) fn new(xml: &'a [u8]) -> Scan<Self> {
        // One SIMD pass over the whole part: text runs are then sliced
        // from it unchecked-by-piece (std's check is several times slower
        // on Japanese text).
        let text = simdutf8::basic::from_utf8(xml).map_err(|_| Refuse("part not UTF-8"))?;
        // NUL is no XML character; quick-xml also reads `<\0?\0` as UTF-16.
        if memchr(0, xml).is_some() {
            return Err(Refuse("NUL byte"));
        }
        let mut pos = 0;
        if xml.starts_with(b"\xEF\xBB\xBF") {
            return Err(Refuse("byte order mark"));
        }
        if is_declaration(xml.get(2..).unwrap_or(b"")) && xml.starts_with(b"<?") {
            let end =
                memmem::find(&xml[1..], b"?>").ok_or(Refuse("XML declaration cut short"))? + 1;
            let decl = &xml[..end];
            if memmem::find_iter(decl, b"encoding").count() > 1 {
                return Err(Refuse("encoding given twice"));
            }
            if let Some(at) = memmem::find(decl, b"encoding") {
                let value = decl[at + 8..]
                    .iter()
                    .skip_while(|b| **b != b'"' && **b != b'\'')
                    .skip(1)
                    .take_while(|b| **b != b'"' && **b != b'\'')
                    .copied()
                    .collect::<Vec<u8>>();
                if !value.eq_ignore_ascii_case(b"utf-8") {
                    return Err(Refuse("encoding other than UTF-8"));
                }
            }
            pos = end + 2;
        }
        Ok(Tokenizer {
            xml,
            text,
            pos,
            pending_end: None,
            keep_empty: false,
            open: Vec::new(),
            text_has_references: false,
            run_prefix: RunPrefix::default(),
            cell_prefix: CellPrefix::default(),
        })
    }

    /// Self-closing tags come out as [`Event::Empty`] (quick-xml's default).
    pub(crate) fn keep_empty(mut self) -> Self {
        self.keep_empty = true;
        self
    }

    /// The next event; text is returned as it is (possibly empty runs are
    /// skipped).
    pub(crate) fn next(&mut self) -> Scan<Event<'a>> {
        if let Some(name) = self.pending_end.take() {
            self.open.pop();
            return Ok(Event::End { name });
        }
        // Comments and instructions are skipped here, in a loop: a part
        // made of a million comments must not recurse a million deep.
        loop {
            if let Some(event) = self.next_markup()? {
                return Ok(event);
            }
        }
    }

    /// One event, or None after skipping a comment or instruction.
    fn next_markup(&mut self) -> Scan<Option<Event<'a>>> {
        let xml = self.xml;
        if self.pos >= xml.len() {
            return Ok(Some(Event::Eof));
        }
        if xml[self.pos] != b'<' {
            let start = self.pos;
            // Text runs are short too. One pass finds the end and whether
            // a reference needs checking.
            let end = match find_byte(&xml[start..], [b'<', b'&', b'&']) {
                Some(i) if xml[start + i] == b'&' => {
                    let amp = start + i;
                    let end = find_byte(&xml[amp..], [b'<'; 3]).map_or(xml.len(), |i| amp + i);
                    check_references(&xml[amp..end])?;
                    self.text_has_references = true;
                    end
                }
                found => {
                    self.text_has_references = false;
                    found.map_or(xml.len(), |i| start + i)
                }
            };
            self.pos = end;
            // `<` is ASCII: both ends are character boundaries.
            let text = self.text.get(start..end).ok_or(Refuse("text not UTF-8"))?;
            return Ok(Some(Event::Text(text)));
        }
        let at = self.pos;
        match xml.get(at + 1) {
            Some(b'/') => {
                let close =
                    find_byte(&xml[at..], [b'>'; 3]).ok_or(Refuse("end tag cut short"))? + at;
                let name = trim_end(&xml[at + 2..close]);
                self.pos = close + 1;
                // The open name was checked as a name: an end name equal
                // to it is one too (and an empty or malformed one is not).
                match self.open.pop() {
                    None => return Err(Refuse("end tag with no element open")),
                    Some(open) if !same_name(open, name) => {
                        return Err(Refuse("end tag does not match its start tag"))
                    }
                    Some(_) => {}
                }
                Ok(Some(Event::End { name }))
            }
            Some(b'?') => {
                // As quick-xml: the first `?>` after the `<` ends it, and
                // `<?>` (the opening `?` alone) is an error there.
                let close =
                    memmem::find(&xml[at + 1..], b"?>").ok_or(Refuse("instruction cut short"))?;
                if close == 0 {
                    return Err(Refuse("instruction cut short"));
                }
                // A declaration past the start may switch quick-xml's
                // decoding (calamine's reader has the encoding feature).
                if is_declaration(&xml[at + 2..]) {
                    return Err(Refuse("XML declaration inside the part"));
                }
                self.pos = at + 1 + close + 2;
                Ok(None)
            }
            Some(b'!') => {
                let rest = &xml[at..];
                if rest.starts_with(b"<!--") {
                    let close =
                        memmem::find(&rest[4..], b"-->").ok_or(Refuse("comment cut short"))?;
                    self.pos = at + 4 + close + 3;
                    Ok(None)
                } else if rest.starts_with(b"<![CDATA[") {
                    let close =
                        memmem::find(&rest[9..], b"]]>").ok_or(Refuse("CDATA cut short"))?;
                    self.pos = at + 9 + close + 3;
                    Ok(Some(Event::CData(&rest[9..9 + close])))
                } else {
                    Err(Refuse("DOCTYPE or other declaration"))
                }
            }
            Some(_) => {
                let close = find_tag_end(xml, at + 1).ok_or(Refuse("start tag cut short"))?;
                let (name, attrs, empty) =
                    start_tag_parts(&xml[at + 1..close]).ok_or(Refuse("malformed start tag"))?;
                self.pos = close + 1;
                if empty && self.keep_empty {
                    return Ok(Some(Event::Empty { name, attrs }));
                }
                if self.open.len() >= MAX_OPEN {
                    return Err(Refuse("elements nested too deeply"));
                }
                self.open.push(name);
                if empty {
                    self.pending_end = Some(name);
                }
                Ok(Some(Event::Start { name, attrs }))
            }
            None => Err(Refuse("tag cut short")),
        }
    }

    /// Whether the last [`Event::Text`] holds a reference: without one its
    /// raw text is already its value (entities are all there is to
    /// decode in it).
    pub(crate) fn text_has_references(&self) -> bool {
        self.text_has_references
    }

    /// Skips to the end of the element whose start was just read (named
    /// `name`): nested elements of the same name are counted.
    pub(crate) fn skip_element(&mut self, name: &[u8]) -> Scan<()> {
        let mut depth = 1u32;
        loop {
            match self.next()? {
                Event::Start { name: n, .. } if same_name(n, name) => depth += 1,
                Event::End { name: n } if same_name(n, name) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::Eof => return Err(Refuse("element not closed")),
                _ => {}
            }
        }
    }

    /// The text of `OPEN TEXT CLOSE` right at the cursor, `OPEN` one of
    /// `opens` and `OPEN`/`CLOSE` spelled byte for byte as given (say
    /// `<is><t>` … `</t></is>`), where the events in between would be
    /// starts, one literal run (see [`Tokenizer::leaf_value`]) and the
    /// matching ends: all of them taken at once. None, with nothing
    /// consumed, for anything else: the caller then reads the events.
    pub(crate) fn take_literal(
        &mut self,
        opens: &[&[u8]],
        close: &[u8],
        excel_escapes: bool,
    ) -> Option<&'a str> {
        if self.pending_end.is_some() {
            return None;
        }
        let rest = self.xml.get(self.pos..)?;
        let open = opens.iter().find(|open| has_prefix(rest, open))?;
        // As deep as the events would go: past the limit they refuse.
        let depth = open.iter().filter(|&&b| b == b'<').count();
        if self.open.len() + depth > MAX_OPEN {
            return None;
        }
        let start = self.pos + open.len();
        let end = start + find_byte(&self.xml[start..], [b'<', b'&', b'\r'])?;
        if self.xml[end] != b'<' || !has_prefix(&self.xml[end..], close) {
            return None;
        }
        // `<` is ASCII: both ends are character boundaries.
        let text = self.text.get(start..end)?;
        if excel_escapes && find_byte(text.as_bytes(), [b'_'; 3]).is_some() {
            return None;
        }
        self.pos = end + close.len();
        Some(text)
    }

    /// What [`Tokenizer::leaf_text`] reads, without the copy where there is
    /// nothing to decode: a leaf holding one run with no reference, no
    /// `\r` (and, with `excel_escapes`, no `_`) is that run, borrowed from
    /// the part. Otherwise the decoded text is appended to `out`.
    pub(crate) fn leaf_value(
        &mut self,
        name: &[u8],
        excel_escapes: bool,
        out: &mut String,
    ) -> Scan<Leaf<'a>> {
        let raw = match self.next()? {
            Event::End { name: n } if same_name(n, name) => return Ok(Leaf::Raw("")),
            Event::Text(raw) => raw,
            _ => return Err(Refuse("markup inside a text element")),
        };
        let special = if excel_escapes {
            [b'\r', b'_', b'_']
        } else {
            [b'\r'; 3]
        };
        let literal = !self.text_has_references && find_byte(raw.as_bytes(), special).is_none();
        if !literal {
            decode_text(raw, excel_escapes, out)?;
            self.leaf_text(name, excel_escapes, out)?;
            return Ok(Leaf::Decoded);
        }
        match self.next()? {
            Event::End { name: n } if same_name(n, name) => Ok(Leaf::Raw(raw)),
            // A comment splits the run: decoded run by run, as before.
            Event::Text(more) => {
                decode_text(raw, excel_escapes, out)?;
                decode_text(more, excel_escapes, out)?;
                self.leaf_text(name, excel_escapes, out)?;
                Ok(Leaf::Decoded)
            }
            _ => Err(Refuse("markup inside a text element")),
        }
    }

    /// The text of a leaf element whose start was just read, up to its end
    /// tag, decoded into `out`: entities, XML 1.0 line ends and, with
    /// `excel_escapes`, Excel's `_xHHHH_`. Markup inside is refused.
    pub(crate) fn leaf_text(
        &mut self,
        name: &[u8],
        excel_escapes: bool,
        out: &mut String,
    ) -> Scan<()> {
        loop {
            match self.next()? {
                Event::Text(raw) => decode_text(raw, excel_escapes, out)?,
                Event::End { name: n } if same_name(n, name) => return Ok(()),
                _ => return Err(Refuse("markup inside a text element")),
            }
        }
    }
}

/// A leaf element's text from [`Tokenizer::leaf_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaf<'a> {
    /// The raw text is the value: a slice of the part.
    Raw(&'a str),
    /// The value was decoded onto the end of the caller's buffer.
    Decoded,
}

/// Whether `hay` begins with `prefix`, compared inline (a few bytes: a
/// loop beats a call to `memcmp`).
#[inline(always)]
fn has_prefix(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && same_name(&hay[..prefix.len()], prefix)
}

/// Element names are a few bytes: a loop inlined here beats a call to
/// `memcmp` per end tag.
#[inline(always)]
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// A start tag's inside (between `<` and `>`): its name, its attributes
/// (the rest, without a closing `/`) and whether it closes itself; None for
/// an empty or malformed name. One pass finds the name's end and checks
/// its bytes.
#[inline(always)]
fn start_tag_parts(inner: &[u8]) -> Option<(&[u8], &[u8], bool)> {
    let (inner, empty) = match inner.last() {
        Some(b'/') => (&inner[..inner.len() - 1], true),
        _ => (inner, false),
    };
    let mut name_len = inner.len();
    for (i, &b) in inner.iter().enumerate() {
        match NAME_BYTE[b as usize] {
            IN_NAME => {}
            ENDS_NAME => {
                name_len = i;
                break;
            }
            _ => return None,
        }
    }
    (name_len > 0).then(|| (&inner[..name_len], &inner[name_len..], empty))
}

/// The `>` closing a start tag from `from`, skipping quoted attribute
/// values. Tags and values are short: eight bytes at a time (SWAR) beats
/// both a byte loop and memchr calls per quote.
fn find_tag_end(xml: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let i = at + find_byte(&xml[at..], [b'>', b'"', b'\''])?;
        match xml[i] {
            b'>' => return Some(i),
            quote => at = i + 1 + find_byte(&xml[i + 1..], [quote; 3])?,
        }
        at += 1;
    }
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Bytes of `word` equal to `byte` marked by their high bit. Exact for the
/// lowest marked byte (a borrow can only mark bytes above a true match).
#[inline(always)]
fn zero_bytes(word: u64, byte: u8) -> u64 {
    let x = word ^ (LOW * byte as u64);
    x.wrapping_sub(LOW) & !x & HIGH
}

/// The first position of any of three bytes.
#[inline(always)]
fn find_byte(hay: &[u8], bytes: [u8; 3]) -> Option<usize> {
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let hits =
            zero_bytes(word, bytes[0]) | zero_bytes(word, bytes[1]) | zero_bytes(word, bytes[2]);
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|b| bytes.contains(b))
        .map(|i| base + i)
}

/// Every `&` of a text run starts a reference closed by `;` in the same
/// run: quick-xml 0.38 (calamine's) fails on an open one in any text,
/// even text nobody reads.
fn check_references(text: &[u8]) -> Scan<()> {
    let mut rest = text;
    while let Some(amp) = find_byte(rest, [b'&'; 3]) {
        rest = &rest[amp + 1..];
        let semi = find_byte(rest, [b';'; 3]).ok_or(Refuse("reference not closed"))?;
        let name = &rest[..semi];
        let ok = !name.is_empty()
            && name
                .iter()
                .enumerate()
                .all(|(i, &b)| b.is_ascii_alphanumeric() || (i == 0 && b == b'#'));
        if !ok {
            return Err(Refuse("malformed reference"));
        }
        rest = &rest[semi + 1..];
    }
    Ok(())
}

/// Whether an instruction's content (after `<?`) is an XML declaration
/// as quick-xml reads it: `xml` then whitespace or the end.
fn is_declaration(content: &[u8]) -> bool {
    content.starts_with(b"xml") && content.get(3).is_none_or(|&b| is_ws(b) || b == b'?')
}

/// XML's whitespace (quick-xml's `is_whitespace`): not form feed.
const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rposition(|&c| !is_ws(c)).map_or(0, |i| i + 1);
    &b[..n]
}

/// What a byte is to a tag's or attribute's name: whitespace ends a
/// tag's name, `<>"'=&/` may not be in one.
const IN_NAME: u8 = 0;
const ENDS_NAME: u8 = 1;
const NOT_IN_NAME: u8 = 2;
static NAME_BYTE: [u8; 256] = {
    let mut table = [IN_NAME; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if is_ws(byte) {
            table[b] = ENDS_NAME;
        } else if matches!(byte, b'<' | b'>' | b'"' | b'\'' | b'=' | b'&' | b'/') {
            table[b] = NOT_IN_NAME;
        }
        b += 1;
    }
    table
};

/// No whitespace and none of `<>"'=&/` (one table lookup a byte).
fn is_name(name: &[u8]) -> bool {
    name.iter().all(|&b| NAME_BYTE[b as usize] == IN_NAME)
}

/// The attributes of a start tag, as raw (not unescaped) values. Malformed
/// attributes and a key given twice are refused, as quick-xml's checked
/// attribute reader rejects them.
pub(crate) struct Attrs<'a> {
    list: [(&'a [u8], &'a [u8]); 12],
    len: usize,
}

impl<'a> Attrs<'a> {
    pub(crate) fn new() -> Self {
        Attrs {
            list: [(&[][..], &[][..]); 12],
            len: 0,
        }
    }

    pub(crate) fn parse(raw: &'a [u8]) -> Scan<Self> {
        let mut attrs = Attrs::new();
        attrs.reparse(raw)?;
        Ok(attrs)
    }

    /// [`Attrs::parse`] into this list, reused from element to element
    /// (a cell's list is not made anew per cell).
    pub(crate) fn reparse(&mut self, mut raw: &'a [u8]) -> Scan<()> {
        let attrs = self;
        attrs.len = 0;
        loop {
            let skip = raw.iter().position(|&b| !is_ws(b)).unwrap_or(raw.len());
            if skip == 0 && !raw.is_empty() && attrs.len > 0 {
                return Err(Refuse("attributes not separated"));
            }
            raw = &raw[skip..];
            if raw.is_empty() {
                return Ok(());
            }
            // Keys and values are short: SWAR, not a memchr call each.
            let eq = find_byte(raw, [b'='; 3]).ok_or(Refuse("attribute without value"))?;
            let key = trim_end(&raw[..eq]);
            if key.is_empty() || !is_name(key) {
                return Err(Refuse("malformed attribute name"));
            }
            let rest = &raw[eq + 1..];
            let lead = rest
                .iter()
                .position(|&b| !is_ws(b))
                .ok_or(Refuse("attribute without value"))?;
            let quote = rest[lead];
            if quote != b'"' && quote != b'\'' {
                return Err(Refuse("unquoted attribute"));
            }
            let body = &rest[lead + 1..];
            let close = find_byte(body, [quote; 3]).ok_or(Refuse("attribute cut short"))?;
            let value = &body[..close];
            if attrs.get(key).is_some() {
                return Err(Refuse("attribute given twice"));
            }
            if attrs.len == attrs.list.len() {
                return Err(Refuse("too many attributes"));
            }
            attrs.list[attrs.len] = (key, value);
            attrs.len += 1;
            raw = &body[close + 1..];
        }
    }

    /// (key, raw value) in the order written.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + '_ {
        self.list[..self.len].iter().copied()
    }

    /// The raw value of the attribute with exactly this (qualified) name.
    pub(crate) fn get(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.list[..self.len]
            .iter()
            .find(|(k, _)| same_name(k, key))
            .map(|(_, v)| *v)
    }
}

/// An attribute value with entities decoded (no line-end normalization,
/// as quick-xml's `decode_and_unescape_value`).
pub(crate) fn unescape_attr(raw: &[u8]) -> Scan<String> {
    let text = std::str::from_utf8(raw).map_err(|_| Refuse("attribute not UTF-8"))?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        rest = push_entity(&rest[amp + 1..], &mut out)?;
    }
    out.push_str(rest);
    Ok(out)
}

/// Appends raw text with its entity references decoded and nothing else
/// changed (quick-xml 0.37's `unescape`, as the docx/pptx reader has it).
pub(crate) fn unescape_entities(raw: &str, out: &mut String) -> Scan<()> {
    let mut rest = raw;
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        rest = push_entity(&rest[amp + 1..], out)?;
    }
    out.push_str(rest);
    Ok(())
}

/// Appends raw element text to `out`: every run between entity references
/// gets its XML 1.0 line ends normalized (`\r\n` and `\r` become `\n`)
/// and, with `excel_escapes`, Excel's `_x00HH_` escapes decoded — run by
/// run, as calamine does it on quick-xml's text events.
pub(crate) fn decode_text(raw: &str, excel_escapes: bool, out: &mut String) -> Scan<()> {
    let mut rest = raw;
    loop {
        let run_end = memchr(b'&', rest.as_bytes()).unwrap_or(rest.len());
        push_run(&rest[..run_end], excel_escapes, out);
        if run_end == rest.len() {
            return Ok(());
        }
        rest = push_entity(&rest[run_end + 1..], out)?;
    }
}

fn push_run(run: &str, excel_escapes: bool, out: &mut String) {
    if memchr(b'\r', run.as_bytes()).is_none() {
        if excel_escapes {
            unescape_excel(run, out);
        } else {
            out.push_str(run);
        }
        return;
    }
    let mut normalized = String::with_capacity(run.len());
    let bytes = run.as_bytes();
    let mut i = 0;
    while let Some(cr) = memchr(b'\r', &bytes[i..]) {
        normalized.push_str(&run[i..i + cr]);
        normalized.push('\n');
        i += cr + 1;
        if bytes.get(i) == Some(&b'\n') {
            i += 1;
        }
    }
    normalized.push_str(&run[i..]);
    if excel_escapes {
        unescape_excel(&normalized, out);
    } else {
        out.push_str(&normalized);
    }
}

/// Decodes one reference (`rest` starts after the `&`) and returns what
/// follows its `;`.
fn push_entity<'t>(rest: &'t str, out: &mut String) -> Scan<&'t str> {
    let semi = memchr(b';', rest.as_bytes()).ok_or(Refuse("entity reference cut short"))?;
    let name = &rest[..semi];
    let resolved = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let num = name.strip_prefix('#').ok_or(Refuse("unknown entity"))?;
            let (digits, radix) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            if digits.starts_with(['+', '-']) {
                return Err(Refuse("signed character reference"));
            }
            let code = u32::from_str_radix(digits, radix)
                .map_err(|_| Refuse("bad character reference"))?;
            if code == 0 {
                return Err(Refuse("character reference to NUL"));
            }
            char::from_u32(code).ok_or(Refuse("character reference out of range"))?
        }
    };
    out.push(resolved);
    Ok(&rest[semi + 1..])
}

/// Excel's escapes of control characters: `_x000D_` is "\r" and
/// `_x005F_` a literal `_`. Exactly calamine's `unescape_xml` (MIT,
/// Johann Tuffe and contributors): two hex digits after `_x00`, read
/// with `u8::from_str_radix` (so a `+` sign passes, as there).
fn unescape_excel(text: &str, out: &mut String) {
    if text.len() < 7 || memmem::find(text.as_bytes(), b"_x00").is_none() {
        out.push_str(text);
        return;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if i + 7 <= bytes.len() && bytes[i..].starts_with(b"_x00") && bytes[i + 6] == b'_' {
            if let Ok(hex) = std::str::from_utf8(&bytes[i + 4..i + 6]) {
                if let Ok(value) = u8::from_str_radix(hex, 16) {
                    out.push(value as char);
                    i += 7;
                    continue;
                }
            }
        }
        match text[i..].chars().next() {
            Some(ch) => {
                out.push(ch);
                i += ch.len_utf8();
            }
            None => break,
        }
    }
}

#[cfg(test)]
#[path = "xmlscan_tests.rs"]
mod tests;

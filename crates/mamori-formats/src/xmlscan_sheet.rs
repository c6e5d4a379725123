//! The tokenizer's shortcuts for worksheets: a plain cell (`<c>` with
//! its value) and a plain row tag, each taken in one pass where the events
//! would say the same (see `xlsx::read_sheet`).

use super::{find_byte, has_prefix, same_name, Tokenizer, IN_NAME, MAX_OPEN, NAME_BYTE};

impl<'a> Tokenizer<'a> {
    /// A worksheet cell written the plain way, taken whole at the cursor: `<c`
    /// with only `r`, `s`, `t` attributes (each once, one space before each,
    /// values of ASCII letters and digits), then `/>`, `><v>TEXT</v></c>`,
    /// `><f>FORMULA</f><v>TEXT</v></c>` or an inline string
    /// `><is><t>TEXT</t></is></c>` (`<t xml:space="preserve">` too), TEXT a
    /// literal run (no reference, no `\r`; in `<t>` no `_` either), FORMULA one
    /// run without a reference. For exactly these bytes the events would be
    /// that start tag (its attributes as [`Attrs`](super::Attrs) reads them),
    /// the runs and the matching ends, so the caller gets what it would have
    /// read event by event (a formula is skipped there too), with one pass over
    /// the tag. None, with nothing consumed, for anything else: the caller then
    /// reads the events.
    pub(crate) fn take_cell(&mut self) -> Option<CellTag<'a>> {
        // As deep as the events would go (`c`, `is`, `t`).
        if self.pending_end.is_some() || self.open.len() + 3 > MAX_OPEN {
            return None;
        }
        let xml = self.xml;
        let mut at = self.pos;
        if !has_prefix(&xml[at..], b"<c ") {
            return None;
        }
        at += 2;
        let mut cell = CellTag {
            reference: None,
            style: None,
            kind: None,
            value: CellText::None,
        };
        loop {
            match *xml.get(at)? {
                b' ' => {}
                b'>' => break,
                b'/' if xml.get(at + 1) == Some(&b'>') => {
                    self.pos = at + 2;
                    return Some(cell);
                }
                _ => return None,
            }
            let slot = match xml.get(at + 1..at + 4)? {
                b"r=\"" => &mut cell.reference,
                b"s=\"" => &mut cell.style,
                b"t=\"" => &mut cell.kind,
                _ => return None,
            };
            if slot.is_some() {
                return None;
            }
            let start = at + 4;
            let len = xml[start..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())?;
            at = start + len;
            if xml[at] != b'"' {
                return None;
            }
            *slot = Some(&xml[start..at]);
            at += 1;
        }
        // `>` of the start tag, then the value.
        let mut at = at + 1;
        let formula = has_prefix(&xml[at..], b"<f>");
        if formula {
            // A formula, then its cached value: the formula's text is
            // skipped (one run, so no reference to check), the value read.
            let text = at + 3;
            let end = text + find_byte(&xml[text..], [b'<', b'&', b'&'])?;
            if !has_prefix(&xml[end..], b"</f><v>") {
                return None;
            }
            at = end + 4;
        }
        let rest = &xml[at..];
        let (open, close, inline): (&[u8], &[u8], bool) = if has_prefix(rest, b"<v>") {
            (b"<v>", b"</v></c>", false)
        } else if formula {
            return None;
        } else if has_prefix(rest, b"<is><t>") {
            (b"<is><t>", b"</t></is></c>", true)
        } else if has_prefix(rest, b"<is><t xml:space=\"preserve\">") {
            (b"<is><t xml:space=\"preserve\">", b"</t></is></c>", true)
        } else {
            return None;
        };
        let start = at + open.len();
        let end = start + find_byte(&xml[start..], [b'<', b'&', b'\r'])?;
        if !has_prefix(&xml[end..], close) {
            return None;
        }
        // `<` is ASCII: both ends are character boundaries.
        let text = self.text.get(start..end)?;
        cell.value = if !inline {
            CellText::Value(text)
        } else if find_byte(text.as_bytes(), [b'_'; 3]).is_some() {
            // Maybe an Excel escape (`_x000D_`): decoded on the event path.
            return None;
        } else {
            CellText::Inline(text)
        };
        self.pos = end + close.len();
        Some(cell)
    }

    /// A row's start tag written plainly, taken at the cursor: `<row`,
    /// then attributes ` key="value"` (one space before each, distinct
    /// names, at most twelve), then `>`. For exactly these bytes the event
    /// would be this start (its attributes as [`Attrs`](super::Attrs)
    /// reads them); the value of `r` is returned (None without one). None, with nothing
    /// consumed, for anything else.
    pub(crate) fn take_row(&mut self) -> Option<Option<&'a [u8]>> {
        if self.pending_end.is_some() || self.open.len() >= MAX_OPEN {
            return None;
        }
        let xml = self.xml;
        if !has_prefix(&xml[self.pos..], b"<row ") {
            return None;
        }
        let name = &xml[self.pos + 1..self.pos + 4];
        let mut at = self.pos + 4;
        let mut keys: [&[u8]; 12] = [&[]; 12];
        let mut count = 0;
        let mut reference = None;
        loop {
            match *xml.get(at)? {
                b' ' => {}
                b'>' => break,
                _ => return None,
            }
            let key_start = at + 1;
            let key_len = xml[key_start..]
                .iter()
                .position(|&b| NAME_BYTE[b as usize] != IN_NAME)?;
            let key = &xml[key_start..key_start + key_len];
            let value_start = key_start + key_len + 2;
            if key.is_empty() || xml.get(value_start - 2..value_start)? != b"=\"" {
                return None;
            }
            if count == keys.len() || keys[..count].iter().any(|k| same_name(k, key)) {
                return None;
            }
            keys[count] = key;
            count += 1;
            let value_len = find_byte(&xml[value_start..], [b'"'; 3])?;
            if same_name(key, b"r") {
                reference = Some(&xml[value_start..value_start + value_len]);
            }
            at = value_start + value_len + 1;
        }
        self.open.push(name);
        self.pos = at + 1;
        Some(reference)
    }
}

/// A cell from [`Tokenizer::take_cell`]: its raw `r`, `s` and `t`
/// attribute values and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CellTag<'a> {
    pub(crate) reference: Option<&'a [u8]>,
    pub(crate) style: Option<&'a [u8]>,
    pub(crate) kind: Option<&'a [u8]>,
    pub(crate) value: CellText<'a>,
}

/// What a cell from [`Tokenizer::take_cell`] holds, raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellText<'a> {
    /// A self-closing cell.
    None,
    /// The text of `<v>`.
    Value(&'a str),
    /// The text of an inline string's `<t>`.
    Inline(&'a str),
}

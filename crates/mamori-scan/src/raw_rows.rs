//! Shift_JIS and EUC-JP delimited text split on its raw bytes.
//!
//! Why this is exact: in both encodings every byte of a multibyte
//! character is ≥ 0x40 (Shift_JIS trail bytes are 0x40–0x7E and 0x80–0xFC,
//! lead bytes 0x81–0x9F and 0xE0–0xFC; EUC-JP uses 0x8E, 0x8F and
//! 0xA1–0xFE only), so the bytes the CSV parser acts on — `,` 0x2C, tab
//! 0x09, `"` 0x22, CR, LF — are always whole characters, in valid text and
//! (per the WHATWG decoders encoding_rs implements) in malformed text too:
//! an ASCII byte after a lead byte is never consumed as a trail byte, the
//! lead becomes one U+FFFD and the ASCII byte is read as itself. Splitting
//! the raw bytes therefore finds the same records and cells as splitting the
//! decoded text, and decoding each cell on its own gives the same
//! characters, with one exception: the parser drops a closing quote and
//! joins what follows it (`"ab"cd` is `abcd`), so a lead byte left dangling
//! before that quote would pair with the next byte in the raw cell where
//! the decoded text had U+FFFD. [`RawGuard`] watches every `"` and gives
//! up when one follows an unfinished character; a cell ending with one
//! (before a delimiter or line end) decodes to the same single U+FFFD as the
//! whole text did. It also gives up on lines that could exceed the decoded
//! line cap. Giving up means: read the file again the old way.

use encoding_rs::{Encoding, EUC_JP, SHIFT_JIS};
use mamori_extract::TextEncoding;
use std::io::{self, Read};

/// The encodings whose delimited text can be split raw.
pub(crate) fn raw_encoding(enc: TextEncoding) -> Option<&'static Encoding> {
    match enc {
        TextEncoding::ShiftJis => Some(SHIFT_JIS),
        TextEncoding::EucJp => Some(EUC_JP),
        _ => None,
    }
}

/// How a raw split ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Split {
    /// Every record was handed over (or the parser stopped where the
    /// decoded path stops too).
    Done,
    /// The raw split cannot promise the decoded path's cells: start over.
    GaveUp,
}

const GAVE_UP: &str = "raw split gave up";

/// Where a decoder stands between two bytes. `Idle`: at a character
/// boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Idle,
    /// Shift_JIS lead byte, or an EUC-JP two-byte lead (0x8E, 0xA1–0xFE).
    Lead,
    /// EUC-JP 0x8F: two more bytes to come if the next is 0xA1–0xFE.
    Ss3,
}

fn step_sjis(state: Pending, b: u8) -> Pending {
    match state {
        // Any byte after a lead ends the character: a trail byte with it,
        // an ASCII byte as itself after the U+FFFD, 0xFD–0xFF with it.
        Pending::Lead | Pending::Ss3 => Pending::Idle,
        Pending::Idle if matches!(b, 0x81..=0x9F | 0xE0..=0xFC) => Pending::Lead,
        Pending::Idle => Pending::Idle,
    }
}

fn step_euc(state: Pending, b: u8) -> Pending {
    match state {
        Pending::Ss3 if matches!(b, 0xA1..=0xFE) => Pending::Lead,
        Pending::Ss3 | Pending::Lead => Pending::Idle,
        Pending::Idle if matches!(b, 0x8E | 0x8F) => {
            if b == 0x8F {
                Pending::Ss3
            } else {
                Pending::Lead
            }
        }
        Pending::Idle if matches!(b, 0xA1..=0xFE) => Pending::Lead,
        Pending::Idle => Pending::Idle,
    }
}

/// The raw bytes on their way to the CSV parser, checked as they pass.
struct RawGuard<R> {
    inner: R,
    step: fn(Pending, u8) -> Pending,
    /// The decoder's state at the end of what was read so far.
    carry: Pending,
    since_newline: usize,
    /// Raw line length beyond which the decoded line might pass the cap.
    max_raw_line: usize,
    gave_up: bool,
}

impl<R> RawGuard<R> {
    /// The state before `buf[at]`: every ASCII byte leaves both decoders at a
    /// boundary, so only the bytes after the last one need replaying.
    fn state_before(&self, buf: &[u8], at: usize) -> Pending {
        let (mut state, from) = match buf[..at].iter().rposition(|&b| b < 0x80) {
            Some(ascii) => (Pending::Idle, ascii + 1),
            None => (self.carry, 0),
        };
        for &b in &buf[from..at] {
            state = (self.step)(state, b);
        }
        state
    }

    fn check(&mut self, buf: &[u8]) -> bool {
        for quote in memchr::memchr_iter(b'"', buf) {
            if self.state_before(buf, quote) != Pending::Idle {
                return false;
            }
        }
        self.carry = self.state_before(buf, buf.len());
        // Every line is measured, not only where reads end: the decoded
        // path's reads end elsewhere.
        let mut line_start = 0;
        for newline in memchr::memchr_iter(b'\n', buf) {
            if self.since_newline + (newline - line_start) > self.max_raw_line {
                return false;
            }
            self.since_newline = 0;
            line_start = newline + 1;
        }
        self.since_newline += buf.len() - line_start;
        self.since_newline <= self.max_raw_line
    }
}

impl<R: Read> Read for RawGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.gave_up {
            return Err(io::Error::other(GAVE_UP));
        }
        let n = self.inner.read(buf)?;
        if !self.check(&buf[..n]) {
            self.gave_up = true;
            return Err(io::Error::other(GAVE_UP));
        }
        Ok(n)
    }
}

/// Splits `raw` (text in `enc`, one of [`raw_encoding`]'s) into records and
/// hands each record's cells, decoded, to `row`. `max_line`: the decoded
/// line length the old path stops at, if any (a raw byte decodes to at most
/// three UTF-8 bytes, so lines up to a third of it are safe). Errors: read
/// errors of `raw`, as the decoded path reports them.
pub(crate) fn split_raw<R: Read>(
    raw: R,
    enc: &'static Encoding,
    delimiter: u8,
    max_line: Option<usize>,
    mut row: impl FnMut(&[&str]),
) -> io::Result<Split> {
    let guard = RawGuard {
        inner: raw,
        step: if enc == EUC_JP { step_euc } else { step_sjis },
        carry: Pending::Idle,
        since_newline: 0,
        max_raw_line: max_line.map_or(usize::MAX, |m| m / 3),
        gave_up: false,
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(guard);
    let mut record = csv::ByteRecord::new();
    // One text and one cell list for the whole file.
    let mut text = String::new();
    let mut ends: Vec<usize> = Vec::new();
    let mut spare: Vec<&'static str> = Vec::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {
                text.clear();
                ends.clear();
                for cell in record.iter() {
                    decode_cell(enc, cell, &mut text);
                    ends.push(text.len());
                }
                let mut cells: Vec<&str> = crate::process::reuse(spare);
                let mut start = 0;
                for &end in &ends {
                    cells.push(&text[start..end]);
                    start = end;
                }
                row(&cells);
                spare = crate::process::reuse(cells);
            }
            Ok(false) => return Ok(Split::Done),
            Err(e) => {
                if csv.get_ref().gave_up {
                    return Ok(Split::GaveUp);
                }
                match e.into_kind() {
                    csv::ErrorKind::Io(io) => return Err(io),
                    // Cannot happen (flexible byte records); the decoded
                    // path keeps what it read before a parser error.
                    _ => return Ok(Split::Done),
                }
            }
        }
    }
}

/// Appends one cell's characters, malformed bytes as U+FFFD exactly as a
/// decoder of the whole text replaces them.
fn decode_cell(enc: &'static Encoding, cell: &[u8], out: &mut String) {
    if cell.is_ascii() {
        // SAFETY: ASCII is valid UTF-8 (and itself in both encodings);
        // checked just above, so it is not validated a second time.
        out.push_str(unsafe { std::str::from_utf8_unchecked(cell) });
        return;
    }
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut rest = cell;
    loop {
        let need = decoder
            .max_utf8_buffer_length(rest.len())
            .unwrap_or(rest.len().saturating_mul(3).saturating_add(16));
        out.reserve(need);
        let (result, read, _) = decoder.decode_to_string(rest, out, true);
        rest = &rest[read..];
        if result == encoding_rs::CoderResult::InputEmpty {
            return;
        }
    }
}

#[cfg(test)]
#[path = "raw_rows_tests.rs"]
mod tests;

//! PowerPoint 97-2003 (.ppt): the text of a binary presentation, from the
//! records of its `PowerPoint Document` stream ([MS-PPT] 2.3).
//!
//! Every record has an 8-byte header (version/instance, type, length);
//! version 0xF marks a container whose body is more records. The walk
//! visits containers depth-first in stream order and keeps the text atoms:
//! TextCharsAtom (0x0FA0, UTF-16LE) and TextBytesAtom (0x0FA8, the low
//! bytes of UTF-16, i.e. Latin-1). Placeholder text sits in the document's
//! SlideListWithText, shape text in each slide's drawing; notes pages are
//! read too. Masters and handouts hold only template text ("Click to edit
//! Master title style") and are skipped. A table on a slide is a group of
//! shapes, one per cell, so its cells come out one per line.

use crate::ole::read_stream;
use crate::{Budget, FormatError, Part};

const FORMAT: &str = "PowerPoint 97-2003 presentation";
const TEXT_CHARS: u16 = 0x0FA0;
const TEXT_BYTES: u16 = 0x0FA8;
const MAIN_MASTER: u16 = 0x03F8;
const HANDOUT: u16 = 0x0FC9;
const SLIDE_LIST_WITH_TEXT: u16 = 0x0FF0;
/// Containers nest a few levels in real files; deeper is hostile.
const MAX_DEPTH: usize = 64;

pub(crate) fn read_ppt<F: std::io::Read + std::io::Seek>(
    cfb: &mut cfb::CompoundFile<F>,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    if cfb.exists("/EncryptedSummary") {
        return Err(FormatError::Encrypted);
    }
    let stream = read_stream(cfb, "/PowerPoint Document", budget, FORMAT)?
        .ok_or_else(|| FormatError::corrupt(FORMAT, "no PowerPoint Document stream"))?;
    read_ppt_stream(&stream, budget, sink)
}

/// The text of a `PowerPoint Document` stream (the fuzz target's entry
/// point).
pub fn read_ppt_stream(
    stream: &[u8],
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    if header(stream, 0).is_none() {
        return Err(FormatError::corrupt(FORMAT, "no records"));
    }
    let mut text = String::new();
    walk(stream, 0, budget, &mut text)?;
    budget.charge(text.len() as u64)?;
    if !text.trim().is_empty() {
        sink(Part::Text(text));
    }
    Ok(())
}

struct Header {
    version: u8,
    instance: u16,
    kind: u16,
    len: usize,
}

fn header(b: &[u8], at: usize) -> Option<Header> {
    let h = b.get(at..at.checked_add(8)?)?;
    let ver_inst = u16::from_le_bytes([h[0], h[1]]);
    Some(Header {
        version: (ver_inst & 0x0F) as u8,
        instance: ver_inst >> 4,
        kind: u16::from_le_bytes([h[2], h[3]]),
        len: u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize,
    })
}

/// Walks the records in `body`; a record running past its container is cut
/// at the container's end (damaged files keep what precedes the damage).
fn walk(body: &[u8], depth: usize, budget: &Budget, out: &mut String) -> Result<(), FormatError> {
    if depth > MAX_DEPTH {
        return Err(FormatError::corrupt(FORMAT, "records nested too deep"));
    }
    let mut at = 0usize;
    while let Some(h) = header(body, at) {
        let start = at + 8;
        let end = start.saturating_add(h.len).min(body.len());
        let data = &body[start..end];
        at = end;
        if h.version == 0x0F {
            let template = h.kind == MAIN_MASTER
                || h.kind == HANDOUT
                || (h.kind == SLIDE_LIST_WITH_TEXT && h.instance == 1);
            if !template {
                budget.check_time()?;
                walk(data, depth + 1, budget, out)?;
            }
            continue;
        }
        match h.kind {
            TEXT_CHARS => {
                let units = data
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]));
                let s: String = char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect();
                push_text(&s, out);
            }
            TEXT_BYTES => {
                let s: String = data.iter().map(|&b| b as char).collect();
                push_text(&s, out);
            }
            _ => {}
        }
    }
    Ok(())
}

/// One text atom: paragraphs end in CR, line breaks are VT.
fn push_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\r' | '\u{0B}' | '\n' => out.push('\n'),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ver: u16, kind: u16, body: &[u8]) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(&ver.to_le_bytes());
        r.extend_from_slice(&kind.to_le_bytes());
        r.extend_from_slice(&(body.len() as u32).to_le_bytes());
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn text_atoms_in_containers_masters_skipped() {
        let chars: Vec<u8> = "山田 太郎\r090-1234-5678"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let slide = record(0x0F, 0x03EE, &record(0, TEXT_CHARS, &chars));
        let master = record(0x0F, MAIN_MASTER, &record(0, TEXT_BYTES, b"Click to edit"));
        let doc = record(
            0x0F,
            0x03E8,
            &[master, slide, record(0, TEXT_BYTES, b"memo")].concat(),
        );
        let mut out = String::new();
        walk(&doc, 0, &Budget::new(Default::default()), &mut out).unwrap();
        assert_eq!(out, "山田 太郎\n090-1234-5678\nmemo\n");
    }
}

//! Word 97-2003 (.doc) and PowerPoint 97-2003 (.ppt) files, written as the
//! binary formats lay them out: an OLE container whose `WordDocument`
//! stream holds a FIB and the text, with the piece table in `1Table`
//! ([MS-DOC]); or whose `PowerPoint Document` stream holds the document
//! container with each slide's text atoms ([MS-PPT]).
//!
//! Only what a text reader needs is written (no style sheet nor character
//! properties; paragraph properties only to flag table row ends), so Word
//! itself would not open these; the
//! layout of real files is checked by converting the generator's .docx and
//! .pptx with LibreOffice (`mamori-formats` test `legacy`). The text is
//! split into pieces the way Word saves it: runs of ASCII in 8-bit
//! ("compressed") pieces, Japanese in UTF-16LE pieces; table cells end in
//! 0x07 and each row in one more 0x07; the footer carries a PAGE field.

use super::ooxml::Block;
use std::io::{Cursor, Write};

/// A .doc with `blocks` as its main text and `header`/`footer` in the
/// header story, as Word stores them after the main text.
pub fn doc(blocks: &[Block], header: &str, footer: &str) -> Vec<u8> {
    doc_with(blocks, header, footer, true)
}

/// [`doc`], with ASCII runs in 8-bit pieces (`compress_ascii`, as Word
/// saves) or everything in one UTF-16 piece (what older readers such as
/// catdoc, which skip the piece table, can read).
pub fn doc_with(blocks: &[Block], header: &str, footer: &str, compress_ascii: bool) -> Vec<u8> {
    let mut main = String::new();
    // Character positions of the row-end marks.
    let mut row_marks = std::collections::HashSet::new();
    let mut units = 0usize;
    let mut push = |main: &mut String, s: &str| {
        main.push_str(s);
        units += s.encode_utf16().count();
        units
    };
    for block in blocks {
        match block {
            Block::Para(t) | Block::TextBox(t) => {
                for line in t.lines() {
                    push(&mut main, line);
                    push(&mut main, "\r");
                }
            }
            Block::Table(rows) => {
                for row in rows {
                    for cell in row {
                        push(&mut main, cell);
                        push(&mut main, "\u{7}");
                    }
                    row_marks.insert(push(&mut main, "\u{7}") - 1);
                }
            }
        }
    }
    main.push('\r');
    let headers = format!("{header}\r{footer} \u{13} PAGE \u{14}1\u{15}\r\r");
    let main_chars = main.encode_utf16().count();
    let header_chars = headers.encode_utf16().count();
    let all: Vec<u16> = main.encode_utf16().chain(headers.encode_utf16()).collect();

    const TEXT_AT: usize = 0x400;
    let mut word = fib(main_chars as u32, header_chars as u32);
    word.resize(TEXT_AT, 0);
    // Pieces: (first character, byte offset, compressed).
    let mut pieces: Vec<(usize, usize, bool)> = Vec::new();
    // Byte offsets just past each row-end mark: where its paragraph ends.
    let mut row_ends = Vec::new();
    for (i, &u) in all.iter().enumerate() {
        let ascii = compress_ascii && u < 0x80;
        if pieces.last().is_none_or(|p| p.2 != ascii) {
            pieces.push((i, word.len(), ascii));
        }
        if ascii {
            word.push(u as u8);
        } else {
            word.extend_from_slice(&u.to_le_bytes());
        }
        if row_marks.contains(&i) {
            row_ends.push(word.len());
        }
    }
    let fc_mac = word.len();
    // fcMin/fcMac: where the text lies, for readers of the Word 6 layout.
    word[0x18..0x1C].copy_from_slice(&(TEXT_AT as u32).to_le_bytes());
    word[0x1C..0x20].copy_from_slice(&(fc_mac as u32).to_le_bytes());
    let bte_papx = papx_pages(&mut word, TEXT_AT, fc_mac, &row_ends);
    let cb_mac = word.len() as u32;
    word[64..68].copy_from_slice(&cb_mac.to_le_bytes());

    let mut plc = Vec::new();
    for p in &pieces {
        plc.extend_from_slice(&(p.0 as u32).to_le_bytes());
    }
    plc.extend_from_slice(&(all.len() as u32).to_le_bytes());
    for p in &pieces {
        let fc = if p.2 {
            (p.1 as u32 * 2) | 0x4000_0000
        } else {
            p.1 as u32
        };
        plc.extend_from_slice(&[0, 0]);
        plc.extend_from_slice(&fc.to_le_bytes());
        plc.extend_from_slice(&[0, 0]);
    }
    let mut table = vec![0x02];
    table.extend_from_slice(&(plc.len() as u32).to_le_bytes());
    table.extend_from_slice(&plc);
    let clx_len = table.len() as u32;
    word[418..422].copy_from_slice(&0u32.to_le_bytes());
    word[422..426].copy_from_slice(&clx_len.to_le_bytes());
    // fcPlcfBtePapx/lcbPlcfBtePapx (FibRgFcLcb97 index 13).
    word[258..262].copy_from_slice(&clx_len.to_le_bytes());
    word[262..266].copy_from_slice(&(bte_papx.len() as u32).to_le_bytes());
    table.extend_from_slice(&bte_papx);

    ole(&[("/WordDocument", &word), ("/1Table", &table)])
}

/// Paragraph properties: PAPX FKP pages appended to `word` (512-byte
/// aligned), one run per paragraph run ending at a row end, each such run
/// flagged sprmPFTtp; returns the PlcBtePapx for the table stream.
fn papx_pages(word: &mut Vec<u8>, first: usize, last: usize, row_ends: &[usize]) -> Vec<u8> {
    const RUNS_PER_PAGE: usize = 25;
    // The one PAPX all row ends share: cb=3 → 5 bytes: istd 0, sprmPFTtp 1.
    const TTP: [u8; 6] = [3, 0, 0, 0x17, 0x24, 1];
    const TTP_AT: usize = 498;
    let mut bounds = vec![first];
    bounds.extend(row_ends.iter().copied().filter(|&e| e > first && e < last));
    bounds.push(last);
    let runs: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let (mut fcs, mut pns) = (Vec::new(), Vec::new());
    for page in runs.chunks(RUNS_PER_PAGE) {
        word.resize(word.len().div_ceil(512) * 512, 0);
        let pn = word.len() / 512;
        let mut fkp = vec![0u8; 512];
        for (r, &(start, end)) in page.iter().enumerate() {
            fkp[4 * r..4 * r + 4].copy_from_slice(&(start as u32).to_le_bytes());
            fkp[4 * r + 4..4 * r + 8].copy_from_slice(&(end as u32).to_le_bytes());
            if row_ends.binary_search(&end).is_ok() {
                fkp[4 * (page.len() + 1) + 13 * r] = (TTP_AT / 2) as u8;
            }
        }
        fkp[TTP_AT..TTP_AT + TTP.len()].copy_from_slice(&TTP);
        fkp[511] = page.len() as u8;
        word.extend_from_slice(&fkp);
        fcs.push(page[0].0 as u32);
        pns.push(pn as u32);
    }
    fcs.push(last as u32);
    fcs.iter()
        .chain(pns.iter())
        .flat_map(|v| v.to_le_bytes())
        .collect()
}

/// The File Information Block of a Word 97 (nFib 0xC1) document whose
/// piece table is in `1Table`.
fn fib(ccp_text: u32, ccp_hdd: u32) -> Vec<u8> {
    fib_of_version(0x00C1, ccp_text, ccp_hdd)
}

fn fib_of_version(n_fib: u16, ccp_text: u32, ccp_hdd: u32) -> Vec<u8> {
    let mut f = vec![0u8; 898];
    f[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
    f[2..4].copy_from_slice(&n_fib.to_le_bytes());
    f[6..8].copy_from_slice(&0x0411u16.to_le_bytes()); // Japanese
    f[0x0A..0x0C].copy_from_slice(&0x1200u16.to_le_bytes()); // 1Table, fExtChar
    f[0x0C..0x0E].copy_from_slice(&0x00BFu16.to_le_bytes());
    f[32..34].copy_from_slice(&14u16.to_le_bytes()); // csw
    f[62..64].copy_from_slice(&22u16.to_le_bytes()); // cslw
    f[76..80].copy_from_slice(&ccp_text.to_le_bytes());
    f[84..88].copy_from_slice(&ccp_hdd.to_le_bytes());
    f[152..154].copy_from_slice(&0x5Du16.to_le_bytes()); // cbRgFcLcb
    f
}

/// A Word 6.0/95 document: same signature, older version; its text is
/// not read (listed with an error).
pub fn word95_doc() -> Vec<u8> {
    let word = fib_of_version(0x0065, 0, 0);
    ole(&[("/WordDocument", &word), ("/1Table", &[0u8; 16])])
}

fn record(ver_inst: u16, kind: u16, body: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(8 + body.len());
    r.extend_from_slice(&ver_inst.to_le_bytes());
    r.extend_from_slice(&kind.to_le_bytes());
    r.extend_from_slice(&(body.len() as u32).to_le_bytes());
    r.extend_from_slice(body);
    r
}

/// A .ppt: one slide per entry, each block a text placeholder (title, then
/// body) in the document's SlideListWithText. ASCII-only text is stored as
/// TextBytesAtom, the rest as TextCharsAtom, as PowerPoint does.
pub fn ppt(slides: &[Vec<Block>]) -> Vec<u8> {
    let mut list = Vec::new();
    for (i, blocks) in slides.iter().enumerate() {
        let mut persist = vec![0u8; 20];
        persist[0..4].copy_from_slice(&(i as u32 + 1).to_le_bytes());
        persist[12..16].copy_from_slice(&(256 + i as u32).to_le_bytes());
        list.extend(record(0, 0x03F3, &persist));
        for (k, block) in blocks.iter().enumerate() {
            let text = match block {
                Block::Para(t) | Block::TextBox(t) => t.replace('\n', "\r"),
                Block::Table(rows) => rows
                    .iter()
                    .map(|r| r.join(" "))
                    .collect::<Vec<_>>()
                    .join("\r"),
            };
            let text_type: u32 = if k == 0 { 0 } else { 1 };
            list.extend(record(0, 0x0F9F, &text_type.to_le_bytes()));
            if text.is_ascii() {
                list.extend(record(0, 0x0FA8, text.as_bytes()));
            } else {
                let chars: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
                list.extend(record(0, 0x0FA0, &chars));
            }
        }
    }
    let mut document_atom = vec![0u8; 40];
    document_atom[0..4].copy_from_slice(&5760u32.to_le_bytes());
    document_atom[4..8].copy_from_slice(&4320u32.to_le_bytes());
    let body = [
        record(0x0001, 0x03E9, &document_atom),
        record(0x000F, 0x0FF0, &list),
        record(0, 0x03EA, &[]),
    ]
    .concat();
    let stream = record(0x000F, 0x03E8, &body);
    let mut user = Vec::new();
    user.extend_from_slice(&20u32.to_le_bytes()); // size
    user.extend_from_slice(&0xE391C05Fu32.to_le_bytes()); // headerToken (not encrypted)
    user.extend_from_slice(&0u32.to_le_bytes()); // offsetToCurrentEdit
    user.extend_from_slice(&[0u8; 8]);
    let user = record(0, 0x0FF6, &user);
    ole(&[("/PowerPoint Document", &stream), ("/Current User", &user)])
}

fn ole(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let build = || -> std::io::Result<Vec<u8>> {
        // Version 3 (512-byte sectors): what Office 97-2003 writes.
        let mut cfb =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
        for (path, data) in streams {
            cfb.create_stream(path)?.write_all(data)?;
        }
        cfb.flush()?;
        Ok(cfb.into_inner().into_inner())
    };
    build().unwrap_or_default()
}

//! PDF text, read in this process for the PDFs offices write (`syntax`:
//! objects; `font`: ToUnicode, UniJIS-UCS2-H/UTF16-H, 90ms-RKSJ-H,
//! Identity-H, simple fonts; `content`: text operators; `layout`: lines
//! and columns as `pdftotext -layout` prints them), and through poppler's
//! `pdftotext` wherever that reader gives up: a font it cannot decode, an
//! encrypted or damaged file, too little text, the time limit, a panic
//! (caught). poppler runs as a child process fed on stdin (the file is
//! read once, by us, with O_NOATIME) and killed at the file's deadline.
//! A PDF whose pages give no text but hold images is image-only (a
//! scanned 履歴書): [`FormatError::ImageOnly`], or, with OCR enabled and
//! Tesseract's Japanese model installed, its OCR text.

mod content;
mod font;
mod layout;
mod syntax;

use crate::{Budget, FormatError, Part, PdfText, Source};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether image-only PDFs are read with Tesseract (`--ocr`).
static OCR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_ocr(enabled: bool) {
    OCR.store(enabled, std::sync::atomic::Ordering::Relaxed);
}

/// poppler maps Adobe-Japan1's underscore to U+0332 (combining low line)
/// and the vertical bar to U+00A6 (broken bar): `a̲b@x` would not read as
/// a mail address.
fn adobe_japan1_ascii(text: String) -> String {
    // Neither character (U+0332 is CC B2 in UTF-8, U+00A6 is C2 A6): the
    // text as it is, without a copy.
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, "\u{332}".as_bytes()).is_none()
        && memchr::memmem::find(bytes, "\u{a6}".as_bytes()).is_none()
    {
        return text;
    }
    text.chars()
        .map(|c| match c {
            '\u{332}' => '_',
            '\u{a6}' => '|',
            c => c,
        })
        .collect()
}

/// Largest text kept from one PDF.
const MAX_TEXT: u64 = 64 << 20;

pub fn read_pdf(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let bytes = budget.read_container(source, "PDF")?;
    let text = match budget.limits.pdf_text {
        PdfText::Poppler => pdftotext(&bytes, budget.time_left())?,
        PdfText::InProcess => in_process(&bytes, budget)
            .map_err(|why| FormatError::Unsupported(format!("PDF text in process ({})", why.0)))?,
        PdfText::Auto => match in_process(&bytes, budget) {
            Ok(text) => text,
            Err(_) => pdftotext(&bytes, budget.time_left())?,
        },
    };
    let text = adobe_japan1_ascii(text);
    budget.charge(text.len() as u64)?;
    if text.chars().any(|c| !c.is_whitespace()) {
        split_tables(&layout_to_cells(&text), sink);
        return Ok(());
    }
    if has_images(&bytes) {
        if OCR.load(std::sync::atomic::Ordering::Relaxed) {
            let text = ocr(&bytes, budget.time_left())?;
            sink(Part::Text(text));
            return Ok(());
        }
        return Err(FormatError::ImageOnly);
    }
    Ok(())
}

/// Non-blank characters per page below which the in-process text is not
/// trusted (a page of images, text in fonts drawn as paths): poppler reads
/// the file instead.
const MIN_CHARS_PER_PAGE: usize = 8;

/// The file's text laid out like `pdftotext -layout`, read in this process;
/// `Err` says why poppler should read it instead. A panic in the reader
/// is caught here and is one more such reason.
fn in_process(bytes: &[u8], budget: &Budget) -> Result<String, syntax::Unreadable> {
    if budget.time_left().is_zero() {
        return syntax::unreadable("time limit");
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_in_process(bytes, budget)
    }))
    .unwrap_or_else(|_| syntax::unreadable("the in-process reader panicked"))
}

fn read_in_process(bytes: &[u8], budget: &Budget) -> Result<String, syntax::Unreadable> {
    let deadline = Instant::now() + budget.time_left();
    {
        if memchr::memmem::find(bytes, b"/Encrypt").is_some() {
            return syntax::unreadable("encrypted");
        }
        let doc = syntax::Document::parse(bytes, budget.limits.max_member_bytes)?;
        let mut limits = content::Limits {
            deadline,
            bytes_left: budget.limits.max_member_bytes,
        };
        let pages = content::pages_text(&doc, &mut limits)?;
        if pages.visible < MIN_CHARS_PER_PAGE * pages.pages.max(1) {
            return syntax::unreadable("too little text for the page count");
        }
        Ok(pages.text)
    }
}

/// The in-process reader without the panic guard, for the fuzz target
/// `pdf_inprocess` (a panic there is a bug to fix, not a fallback).
#[doc(hidden)]
pub fn fuzz_in_process(bytes: &[u8]) {
    let budget = Budget::new(crate::Limits {
        max_time: Duration::from_secs(5),
        ..crate::Limits::default()
    });
    let _ = read_in_process(bytes, &budget);
}

/// The in-process reader alone: the text it reads, or why poppler would
/// be needed (for the fuzz target and the comparison tests).
#[doc(hidden)]
pub fn text_in_process(bytes: &[u8]) -> Result<String, String> {
    let budget = Budget::new(crate::Limits {
        max_time: Duration::from_secs(10),
        ..crate::Limits::default()
    });
    in_process(bytes, &budget)
        .map(|t| layout_to_cells(&adobe_japan1_ascii(t)))
        .map_err(|e| e.0)
}

/// The in-process reader's text exactly as it lays it out (before runs of
/// spaces become tabs), for byte-for-byte comparisons of two builds
/// (example `pdf-dump`).
#[doc(hidden)]
pub fn layout_in_process(bytes: &[u8]) -> Result<String, String> {
    let budget = Budget::new(crate::Limits {
        max_time: Duration::from_secs(10),
        ..crate::Limits::default()
    });
    in_process(bytes, &budget).map_err(|e| e.0)
}

/// poppler's text of the same file as [`text_in_process`] gives it.
#[doc(hidden)]
pub fn text_by_poppler(bytes: &[u8]) -> Result<String, FormatError> {
    pdftotext(bytes, Duration::from_secs(60)).map(|t| layout_to_cells(&adobe_japan1_ascii(t)))
}

/// `pdftotext -layout` aligns columns with runs of spaces: two or more
/// become a tab, so a printed roster or form reads as cells.
fn layout_to_cells(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.trim_end_matches('\u{c}').trim();
        // Byte by byte: a space is 20, an ideographic space E3 80 80, and
        // the runs between are copied whole (E3 and 20 start characters,
        // so every cut is at a character boundary).
        let b = line.as_bytes();
        let mut spaces = 0;
        let mut i = 0;
        while i < b.len() {
            if b[i] == b' ' {
                spaces += 1;
                i += 1;
                continue;
            }
            if b[i..].starts_with("\u{3000}".as_bytes()) {
                spaces += 1;
                i += 3;
                continue;
            }
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b' ' && b[i] != 0xE3 {
                i += 1;
            }
            if spaces >= 2 {
                out.push('\t');
            } else if spaces == 1 {
                out.push(' ');
            }
            spaces = 0;
            out.push_str(&line[start..i]);
        }
        out.push('\n');
    }
    out
}

/// Runs of three or more lines of three or more cells are a printed table
/// (for the table engine); everything else is text.
fn split_tables(text: &str, sink: &mut dyn FnMut(Part)) {
    let lines: Vec<&str> = text.lines().collect();
    // Box-drawn forms and `label ： value` lines stay text for the text engine.
    let cells = |l: &str| {
        if has_box_drawing(l) {
            return 0;
        }
        let mut n = 0;
        for cell in l.split('\t') {
            let cell = cell.trim();
            if matches!(cell, "：" | ":" | "・") {
                return 0;
            }
            n += usize::from(cell.chars().any(is_alphanumeric));
        }
        n
    };
    let mut prose = String::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j < lines.len() && cells(lines[j]) >= 3 {
            j += 1;
        }
        if j - i >= 3 {
            if !prose.trim().is_empty() {
                sink(Part::Text(std::mem::take(&mut prose)));
            }
            prose.clear();
            let rows = lines[i..j]
                .iter()
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect();
            sink(Part::Table {
                name: String::new(),
                rows,
            });
            i = j;
            continue;
        }
        let end = j.max(i + 1);
        for line in &lines[i..end] {
            prose.push_str(line);
            prose.push('\n');
        }
        i = end;
    }
    if !prose.trim().is_empty() {
        sink(Part::Text(prose));
    }
}

/// Whether the line holds a box-drawing character (U+2500-U+257F, in
/// UTF-8 `E2 94 xx` and `E2 95 xx`; `E2` only ever starts a character).
fn has_box_drawing(line: &str) -> bool {
    let b = line.as_bytes();
    memchr::memchr_iter(0xE2, b).any(|i| matches!(b.get(i + 1), Some(0x94 | 0x95)))
}

/// `char::is_alphanumeric`, with ASCII, kana and the CJK ideographs of a
/// roster answered without the Unicode tables.
fn is_alphanumeric(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        '\0'..='\u{7f}' => false,
        '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{4E00}'..='\u{9FFF}' => true,
        c => c.is_alphanumeric(),
    }
}

fn has_images(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"/Image").is_some()
        || memchr::memmem::find(bytes, b"/DCTDecode").is_some()
}

/// Runs `program args` with `input` on stdin, killed after `timeout`.
fn run_with_timeout(
    program: &str,
    args: &[&str],
    input: &[u8],
    timeout: Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>, String), FormatError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                FormatError::Tool(format!(
                    "{program} is not installed (apt-get install poppler-utils); PDF text was not read"
                ))
            } else {
                FormatError::Tool(format!("cannot run {program}: {e}"))
            }
        })?;
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            if let Some(mut s) = stdin.take() {
                // A child that exits early closes the pipe: not our error.
                let _ = s.write_all(input);
            }
        });
        let out = scope.spawn(|| {
            let mut buf = Vec::new();
            if let Some(s) = stdout.take() {
                let _ = s.take(MAX_TEXT).read_to_end(&mut buf);
            }
            buf
        });
        let err = scope.spawn(|| {
            let mut buf = Vec::new();
            if let Some(s) = stderr.take() {
                let _ = s.take(64 * 1024).read_to_end(&mut buf);
            }
            buf
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if started.elapsed() >= timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(FormatError::Limit(format!(
                        "{program} did not finish within {} s",
                        timeout.as_secs()
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => break Err(FormatError::Tool(format!("{program}: {e}"))),
            }
        };
        let out = out.join().unwrap_or_default();
        let err = err.join().unwrap_or_default();
        let err = String::from_utf8_lossy(&err).into_owned();
        status.map(|s| (s, out, err))
    })
}

fn pdftotext(bytes: &[u8], timeout: Duration) -> Result<String, FormatError> {
    let (status, out, err) = run_with_timeout(
        "pdftotext",
        &["-q", "-layout", "-enc", "UTF-8", "fd://0", "-"],
        bytes,
        timeout,
    )?;
    if !status.success() {
        // -q silences the reason; ask again without it for the message.
        let (_, _, loud) = run_with_timeout(
            "pdftotext",
            &["-enc", "UTF-8", "fd://0", "-"],
            bytes,
            timeout.min(Duration::from_secs(10)),
        )
        .unwrap_or_else(|_| (status, Vec::new(), err.clone()));
        let reason = loud
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        if reason.contains("assword") || reason.contains("ncrypt") {
            return Err(FormatError::Encrypted);
        }
        return Err(FormatError::corrupt(
            "PDF",
            if reason.is_empty() {
                "pdftotext failed"
            } else {
                reason
            },
        ));
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// OCR of an image-only PDF: pages to PNG (pdftoppm), then Tesseract's
/// Japanese model.
fn ocr(bytes: &[u8], timeout: Duration) -> Result<String, FormatError> {
    let dir = std::env::temp_dir().join(format!(
        "mamori-ocr-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| FormatError::Tool(format!("OCR: {e}")))?;
    let prefix = dir.join("page");
    let prefix_str = prefix.to_string_lossy().to_string();
    let result = (|| {
        let (status, _, err) = run_with_timeout(
            "pdftoppm",
            &[
                "-r",
                "200",
                "-gray",
                "-png",
                "-l",
                "20",
                "fd://0",
                &prefix_str,
            ],
            bytes,
            timeout,
        )?;
        if !status.success() {
            return Err(FormatError::Tool(format!("pdftoppm: {}", err.trim())));
        }
        let mut pages: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| FormatError::Tool(format!("OCR: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        pages.sort();
        let mut text = String::new();
        for page in pages {
            let page = page.to_string_lossy().to_string();
            let (status, out, err) =
                run_with_timeout("tesseract", &[&page, "-", "-l", "jpn"], &[], timeout)
                    .map_err(|e| match e {
                        FormatError::Tool(m) if m.contains("not installed") => FormatError::Tool(
                            "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-jpn); OCR was not done".into(),
                        ),
                        e => e,
                    })?;
            if !status.success() {
                return Err(FormatError::Tool(format!(
                    "tesseract: {}",
                    err.lines().next().unwrap_or("").trim()
                )));
            }
            // Tesseract puts spaces between Japanese characters.
            text.push_str(&join_cjk(&String::from_utf8_lossy(&out)));
        }
        Ok(text)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn join_cjk(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let wide = |c: char| c as u32 >= 0x3000;
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() && wide(chars[i - 1]) && wide(chars[i + 1]) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_columns_become_tabs() {
        assert_eq!(
            layout_to_cells("氏名      山田 太郎\n  住所   東京都\n"),
            "氏名\t山田 太郎\n住所\t東京都\n"
        );
        assert_eq!(join_cjk("山 田 太 郎 abc d"), "山田太郎 abc d");
        assert_eq!(
            layout_to_cells(
                "\u{3000}氏名\u{3000}\u{3000}山田 太郎\u{3000}あ\u{3001}い  x\u{c}\n\n"
            ),
            "氏名\t山田 太郎 あ、い\tx\n\n"
        );
        assert_eq!(adobe_japan1_ascii("a\u{332}b\u{a6}c".into()), "a_b|c");
        assert_eq!(adobe_japan1_ascii("山田".into()), "山田");
    }

    /// The character-by-character version the byte version replaced.
    fn layout_to_cells_by_chars(text: &str) -> String {
        let mut out = String::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\u{c}').trim();
            let mut spaces = 0;
            for c in line.chars() {
                if c == ' ' || c == '\u{3000}' {
                    spaces += 1;
                    continue;
                }
                if spaces >= 2 {
                    out.push('\t');
                } else if spaces == 1 {
                    out.push(' ');
                }
                spaces = 0;
                out.push(c);
            }
            out.push('\n');
        }
        out
    }

    #[test]
    fn shortcuts_answer_as_the_unicode_tables() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            let line = format!("a{c}b");
            assert_eq!(
                has_box_drawing(&line),
                ('\u{2500}'..='\u{257F}').contains(&c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn cells_by_bytes_as_by_characters() {
        let pieces = [
            " ", "  ", "\u{3000}", "\u{3001}", "\u{3042}", "a", "\n", "\r\n", "\u{c}", "\t",
            "\u{a0}", "東", "\u{2003}", "xy",
        ];
        // Every string of up to five pieces.
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let mut next = Vec::new();
            for t in &texts {
                for p in pieces {
                    next.push(format!("{t}{p}"));
                }
            }
            texts.extend(next.iter().cloned());
            texts = next;
        }
        for t in &texts {
            assert_eq!(layout_to_cells(t), layout_to_cells_by_chars(t), "{t:?}");
        }
    }
}

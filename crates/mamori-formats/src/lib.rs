//! Opening the containers offices store personal data in: Excel (.xlsx
//! .xlsm .xls .ods), Word and PowerPoint (.docx .pptx), PDF, mail (.eml
//! .msg), archives (.zip .tar .tar.gz .gz) and legacy Word and
//! PowerPoint (.doc .ppt, read from their binary records).
//!
//! Design: a container is turned into a stream of [`Part`]s handed to a
//! sink: text (for the text engine), tables (rows of cells, for the table
//! engine, one per sheet or Word/PowerPoint table) and members (archive
//! entries, mail attachments) that the caller sniffs and opens in turn,
//! reporting them as `archive.zip!/inner/path`. Nothing here detects
//! personal data, and nothing writes: parsers only read from a seekable
//! source.
//!
//! Hostile input: every expansion goes through one [`Budget`] per
//! top-level file: total expanded bytes, bytes per member, expansion ratio
//! (zip bombs), member count, cells per sheet, wall time; nesting depth is
//! the caller's (at most [`Limits::max_depth`]). XML is read by a memchr
//! tokenizer (`xmlscan`: .xlsx shared strings and sheets in `xlsx`,
//! .docx/.pptx parts in `xmltext`) that refuses any DOCTYPE; what it
//! refuses goes to quick-xml (directly, or through calamine), which never
//! expands DTD entities either (no billion laughs, no external entities).
//! The fast readers reproduce the reference readers' output exactly; they
//! are fuzzed against them (`fuzzing`, targets `xlsx_fast`, `ooxml_fast`). PDF text is read in process by a bounded reader
//! whose panics are caught, and otherwise by poppler's `pdftotext` in a
//! child process with a timeout (a hostile PDF can hang or crash only
//! that child). Every failure is a [`FormatError`] whose `Display` is one
//! line; a member that cannot be read becomes a member with an error, and
//! its siblings are still read.

pub mod archive;
pub mod budget;
mod doc;
#[doc(hidden)]
pub mod fuzzing;
pub mod mail;
pub mod ole;
pub mod ooxml;
pub mod pdf;
mod ppt;
pub mod sheet;
mod xlsx;
mod xmlscan;
mod xmltext;

pub use budget::{Budget, Limits, PdfText};

/// Readers below the OLE container (the streams of a .doc or .ppt), for
/// the fuzz targets `doc` and `ppt`.
#[doc(hidden)]
pub mod streams {
    pub use crate::doc::read_word_streams;
    pub use crate::ppt::read_ppt_stream;
}

use std::io::{Read, Seek};

/// A readable, seekable source (a file, or bytes in memory).
pub trait Source: Read + Seek {}
impl<T: Read + Seek> Source for T {}

/// One piece of a container, in document order.
#[derive(Debug)]
pub enum Part {
    /// Running text: paragraphs, slide text, a mail body. Lines end in `\n`.
    Text(String),
    /// Rows of cells: a sheet, or a table in a document. `name` is the sheet
    /// name (empty for document tables).
    Table {
        name: String,
        rows: Vec<Vec<String>>,
    },
    /// A file inside this one: an archive entry or a mail attachment.
    /// `name` is its path inside the container (`/` separators, decoded).
    Member {
        name: String,
        content: Result<Vec<u8>, FormatError>,
    },
}

/// Why a container (or a member of one) could not be read. One line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("password-protected (encrypted); its content was not read")]
    Encrypted,
    #[error("{0}: not supported yet")]
    Unsupported(String),
    #[error("corrupt or malformed {format}: {reason}")]
    Corrupt {
        format: &'static str,
        reason: String,
    },
    /// A safety limit stopped reading (zip bomb, nesting, size, time).
    #[error("not read further: {0}")]
    Limit(String),
    #[error(
        "image-only PDF (no text layer); scan with --ocr where Tesseract is installed to read it"
    )]
    ImageOnly,
    /// A helper program (pdftotext, tesseract) is missing or failed.
    #[error("{0}")]
    Tool(String),
}

impl FormatError {
    pub(crate) fn corrupt(format: &'static str, reason: impl std::fmt::Display) -> Self {
        let reason = reason.to_string();
        let reason = reason.lines().next().unwrap_or("").trim().to_string();
        FormatError::Corrupt { format, reason }
    }
}

/// The container kinds this crate opens, by the names `mamori_extract::Kind`
/// uses ("xlsx", "docx", "zip", ...).
pub fn opens(name: &str) -> bool {
    matches!(
        name,
        "xlsx"
            | "xlsm"
            | "xls"
            | "ods"
            | "docx"
            | "pptx"
            | "doc"
            | "ppt"
            | "cfb"
            | "pdf"
            | "eml"
            | "msg"
            | "zip"
            | "tar"
            | "gz"
    )
}

/// Reads a container of kind `kind` (see [`opens`]) and hands its parts to
/// `sink` in order. `Err` means the container itself could not be read;
/// parts already handed over still count.
pub fn read_container(
    kind: &str,
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    match kind {
        "xlsx" | "xlsm" => sheet::read_xlsx(source, budget, sink),
        "xls" => ole::read_ole(source, budget, sink),
        "ods" => sheet::read_ods(source, budget, sink),
        "docx" => ooxml::read_docx(source, budget, sink),
        "pptx" => ooxml::read_pptx(source, budget, sink),
        "doc" | "ppt" | "cfb" => ole::read_ole(source, budget, sink),
        "pdf" => pdf::read_pdf(source, budget, sink),
        "eml" => mail::read_eml(source, budget, sink),
        "msg" => ole::read_ole(source, budget, sink),
        "zip" => archive::read_zip(source, budget, sink),
        "tar" => archive::read_tar(source, budget, sink),
        "gz" => archive::read_gz(source, budget, sink),
        other => Err(FormatError::Unsupported(format!("{other} files"))),
    }
}

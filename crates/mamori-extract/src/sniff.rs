//! What a file is, from its extension and its first bytes.

use std::path::Path;

use crate::decode::{detect_encoding, utf16_encoding, DecodingReader};

/// What a file is. The `&'static str` names are lower-case extensions or
/// short type names, stable for later parsers to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text: .txt .log .md .html .htm .json .xml, no extension, or an
    /// unknown extension with text content.
    Text,
    /// .csv (`,`), .tsv (tab), or a .txt whose first lines are clearly tab-
    /// or comma-separated with a consistent column count.
    Delimited {
        delimiter: u8,
    },
    /// "xlsx" "xlsm" "xls" "ods" "docx" "pptx" "doc" "ppt", or "cfb" for an
    /// OLE compound file whose extension does not say which Office format.
    Office(&'static str),
    Pdf,
    /// "eml" or "msg".
    Mail(&'static str),
    /// "zip" "tar" "gz" "7z" "rar" "bz2" "xz".
    Archive(&'static str),
    /// Images, executables, other non-text: "png" "jpeg" "exe" ... "binary".
    Binary(&'static str),
    Empty,
}

impl Kind {
    /// Whether the file is read as text (and so gets an encoding).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Kind::Text | Kind::Delimited { .. } | Kind::Mail("eml")
        )
    }
}

/// How many head bytes the sniffer needs at most.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Decides from the extension and the first bytes. Magic numbers win over
/// the extension; a text extension on non-text content gives `Binary`.
pub fn sniff(path: &Path, head: &[u8]) -> Kind {
    if head.is_empty() {
        return Kind::Empty;
    }
    let ext = extension(path);
    let ext = ext.as_deref().unwrap_or("");
    if let Some(kind) = by_magic(ext, head) {
        return kind;
    }
    if !looks_like_text(head) {
        return Kind::Binary(binary_name(ext));
    }
    match ext {
        "csv" => Kind::Delimited { delimiter: b',' },
        "tsv" | "tab" => Kind::Delimited { delimiter: b'\t' },
        "eml" => Kind::Mail("eml"),
        "txt" | "dat" => match delimiter_of(head) {
            Some(delimiter) => Kind::Delimited { delimiter },
            None => Kind::Text,
        },
        _ => Kind::Text,
    }
}

fn extension(path: &Path) -> Option<String> {
    let ext = path.extension()?;
    Some(String::from_utf8_lossy(std::os::unix::ffi::OsStrExt::as_bytes(ext)).to_ascii_lowercase())
}

fn by_magic(ext: &str, head: &[u8]) -> Option<Kind> {
    const CFB: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    let kind = if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") || at(0, b"PK\x07\x08") {
        zip_kind(ext, head)
    } else if at(0, CFB) {
        match ext {
            "xls" => Kind::Office("xls"),
            "doc" => Kind::Office("doc"),
            "ppt" => Kind::Office("ppt"),
            "msg" => Kind::Mail("msg"),
            _ => Kind::Office("cfb"),
        }
    } else if memchr::memmem::find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        // PDF readers accept junk before the header within the first KiB.
        Kind::Pdf
    } else if at(0, b"\x89PNG\r\n\x1A\n") {
        Kind::Binary("png")
    } else if at(0, b"\xFF\xD8\xFF") {
        Kind::Binary("jpeg")
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Kind::Binary("gif")
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        Kind::Binary("tiff")
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Kind::Binary("webp")
    } else if at(4, b"ftyp") {
        Kind::Binary("mp4")
    } else if at(0, b"\x7FELF") {
        Kind::Binary("elf")
    } else if at(0, b"MZ") && head.contains(&0) {
        Kind::Binary("exe")
    } else if at(0, b"\x1F\x8B") {
        Kind::Archive("gz")
    } else if at(0, b"7z\xBC\xAF\x27\x1C") {
        Kind::Archive("7z")
    } else if at(0, b"Rar!\x1A\x07") {
        Kind::Archive("rar")
    } else if at(0, b"\xFD7zXZ\0") {
        Kind::Archive("xz")
    } else if at(0, b"BZh") && ext == "bz2" {
        Kind::Archive("bz2")
    } else if at(257, b"ustar") {
        Kind::Archive("tar")
    } else if at(0, b"BM") && ext == "bmp" {
        Kind::Binary("bmp")
    } else {
        return None;
    };
    Some(kind)
}

/// A zip is an Office file when its extension or its first entries say so.
fn zip_kind(ext: &str, head: &[u8]) -> Kind {
    match ext {
        "xlsx" => return Kind::Office("xlsx"),
        "xlsm" => return Kind::Office("xlsm"),
        "docx" => return Kind::Office("docx"),
        "pptx" => return Kind::Office("pptx"),
        "ods" => return Kind::Office("ods"),
        _ => {}
    }
    let has = |s: &[u8]| memchr::memmem::find(head, s).is_some();
    if has(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet") {
        Kind::Office("ods")
    } else if has(b"[Content_Types].xml") || has(b"_rels/.rels") {
        if has(b"xl/") {
            Kind::Office("xlsx")
        } else if has(b"word/") {
            Kind::Office("docx")
        } else if has(b"ppt/") {
            Kind::Office("pptx")
        } else {
            Kind::Archive("zip")
        }
    } else {
        Kind::Archive("zip")
    }
}

fn binary_name(ext: &str) -> &'static str {
    match ext {
        "bmp" => "bmp",
        "ico" => "ico",
        "exe" | "dll" => "exe",
        "mp3" => "mp3",
        "wav" => "wav",
        "db" | "sqlite" | "mdb" | "accdb" => "database",
        _ => "binary",
    }
}

/// Text: UTF-16 by its BOM or NUL pattern, else no NUL and almost no
/// control characters (ESC is allowed: ISO-2022-JP uses it).
fn looks_like_text(head: &[u8]) -> bool {
    if utf16_encoding(head).is_some() {
        return true;
    }
    if head.contains(&0) {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    // A stray form feed or bell is fine; binary data has ~1 in 10.
    controls * 100 <= head.len()
}

/// The delimiter when the first lines have a consistent column count.
fn delimiter_of(head: &[u8]) -> Option<u8> {
    // Decode first: in UTF-16 or ISO-2022-JP, ',' and tab bytes can be part
    // of other characters.
    let mut text = String::new();
    let enc = detect_encoding(head);
    let mut reader = DecodingReader::new(&head[..head.len().min(16 * 1024)], enc);
    std::io::Read::read_to_string(&mut reader, &mut text).ok()?;
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // The last line of a head may be cut short.
    if lines.len() > 2 && !text.ends_with('\n') {
        lines.pop();
    }
    lines.truncate(20);
    if lines.len() < 2 {
        return None;
    }
    for delimiter in [b'\t', b','] {
        let first = fields(lines[0], delimiter);
        // Two comma-separated lines are too easily prose.
        let enough = delimiter == b'\t' || lines.len() >= 3 || first >= 3;
        if first >= 2 && enough && lines.iter().all(|l| fields(l, delimiter) == first) {
            return Some(delimiter);
        }
    }
    None
}

/// Fields in one line, not counting delimiters inside double quotes.
fn fields(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for &b in line.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(name: &str, head: &[u8]) -> Kind {
        sniff(Path::new(name), head)
    }

    #[test]
    fn extensions_of_text() {
        assert_eq!(k("a.txt", b"hello\n"), Kind::Text);
        assert_eq!(k("README", b"hello\n"), Kind::Text);
        assert_eq!(k("a.weird", b"hello\n"), Kind::Text);
        assert_eq!(k("a.CSV", b"a,b\n"), Kind::Delimited { delimiter: b',' });
        assert_eq!(k("a.tsv", b"a\tb\n"), Kind::Delimited { delimiter: b'\t' });
        assert_eq!(k("m.eml", b"From: a@b\n\nhi\n"), Kind::Mail("eml"));
        assert_eq!(k("a.txt", b""), Kind::Empty);
    }

    #[test]
    fn txt_with_consistent_columns_is_delimited() {
        assert_eq!(
            k("a.txt", b"id\tname\n1\tx\n2\ty\n"),
            Kind::Delimited { delimiter: b'\t' }
        );
        assert_eq!(
            k("a.txt", b"id,name,age\n1,x,3\n2,\"y,z\",4\n"),
            Kind::Delimited { delimiter: b',' }
        );
        assert_eq!(k("a.txt", b"Hello, world.\nBye, then.\n"), Kind::Text);
        assert_eq!(k("a.txt", b"a,b\n1,2,3\n4\n"), Kind::Text);
    }

    #[test]
    fn magic_wins_over_extension() {
        assert_eq!(
            k("a.csv", b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR"),
            Kind::Binary("png")
        );
        assert_eq!(k("a.csv", b"PK\x03\x04\x14\0\0\0"), Kind::Archive("zip"));
        assert_eq!(k("a.xlsx", b"PK\x03\x04\x14\0\0\0"), Kind::Office("xlsx"));
        let mut ooxml = b"PK\x03\x04\x14\0\0\0[Content_Types].xml".to_vec();
        ooxml.extend_from_slice(b"PK\x03\x04xl/workbook.xml");
        assert_eq!(k("report.dat", &ooxml), Kind::Office("xlsx"));
        assert_eq!(
            k("a.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"),
            Kind::Office("xls")
        );
        assert_eq!(
            k("a.msg", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"),
            Kind::Mail("msg")
        );
        assert_eq!(k("a.txt", b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(k("x", b"\x1F\x8B\x08\0"), Kind::Archive("gz"));
        assert_eq!(k("x.exe", b"MZ\x90\0\x03\0"), Kind::Binary("exe"));
        assert_eq!(k("x.txt", b"MZ is a name\n"), Kind::Text);
    }

    #[test]
    fn nul_bytes_mean_binary_unless_utf16() {
        assert_eq!(k("a.csv", b"a,b\n\0\0\x01\x02"), Kind::Binary("binary"));
        let utf16: Vec<u8> = "a,b\n1,2\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(k("a.csv", &utf16), Kind::Delimited { delimiter: b',' });
    }

    #[test]
    fn an_office_extension_on_text_is_text() {
        // Excel "web page" files saved as .xls are HTML.
        assert_eq!(k("a.xls", b"<html><body><table>"), Kind::Text);
    }
}

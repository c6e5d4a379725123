//! Text encodings found on Japanese shares, and the file writers.
//!
//! Content is built as Unicode (`Table` or text) and only turned into bytes
//! here, so a new container (xlsx, docx, pdf) is one more `Format` variant
//! without touching the department generators.

use crate::SampleError;
use encoding_rs::{EUC_JP, ISO_2022_JP, SHIFT_JIS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    /// Windows-31J / CP932, what Excel writes for "CSV".
    ShiftJis,
    Utf8,
    Utf8Bom,
    EucJp,
    /// Excel's "Unicode text": UTF-16LE with BOM.
    Utf16LeBom,
    /// Mail bodies (JIS).
    Iso2022Jp,
}

impl Enc {
    pub fn label(self) -> &'static str {
        match self {
            Enc::ShiftJis => "Shift_JIS",
            Enc::Utf8 => "UTF-8",
            Enc::Utf8Bom => "UTF-8 (BOM)",
            Enc::EucJp => "EUC-JP",
            Enc::Utf16LeBom => "UTF-16LE (BOM)",
            Enc::Iso2022Jp => "ISO-2022-JP",
        }
    }
}

/// Encode, failing on any character the encoding cannot hold: encoding_rs
/// would silently write `&#NNNN;` instead, and the truth would then describe
/// text that is not in the file.
pub fn encode(text: &str, enc: Enc) -> Result<Vec<u8>, SampleError> {
    let legacy = match enc {
        Enc::Utf8 => return Ok(text.as_bytes().to_vec()),
        Enc::Utf8Bom => {
            let mut v = vec![0xEF, 0xBB, 0xBF];
            v.extend_from_slice(text.as_bytes());
            return Ok(v);
        }
        Enc::Utf16LeBom => {
            let mut v = vec![0xFF, 0xFE];
            for u in text.encode_utf16() {
                v.extend_from_slice(&u.to_le_bytes());
            }
            return Ok(v);
        }
        Enc::ShiftJis => SHIFT_JIS,
        Enc::EucJp => EUC_JP,
        Enc::Iso2022Jp => ISO_2022_JP,
    };
    let (bytes, _, had_errors) = legacy.encode(text);
    if had_errors {
        let bad = text
            .chars()
            .find(|c| legacy.encode(&c.to_string()).2)
            .unwrap_or('?');
        return Err(SampleError::Unmappable {
            encoding: enc.label(),
            ch: bad,
        });
    }
    Ok(bytes.into_owned())
}

/// Decode bytes written by [`encode`] (tests and the truth checks use it).
pub fn decode(bytes: &[u8], enc: Enc) -> String {
    match enc {
        Enc::Utf8 | Enc::Utf8Bom => encoding_rs::UTF_8.decode(bytes).0.into_owned(),
        Enc::Utf16LeBom => encoding_rs::UTF_16LE.decode(bytes).0.into_owned(),
        Enc::ShiftJis => SHIFT_JIS.decode(bytes).0.into_owned(),
        Enc::EucJp => EUC_JP.decode(bytes).0.into_owned(),
        Enc::Iso2022Jp => ISO_2022_JP.decode(bytes).0.into_owned(),
    }
}

/// A column: its header and the data item its values are (None = not
/// personal data, e.g. 社員番号, 入社日, 所属).
#[derive(Debug, Clone)]
pub struct Col {
    pub header: String,
    pub item: Option<&'static str>,
}

pub fn col(header: &str, item: Option<&'static str>) -> Col {
    Col {
        header: header.to_string(),
        item,
    }
}

/// A table as a spreadsheet would hold it. Items of the file are derived from
/// the columns that hold at least one value, so the truth cannot drift from
/// what was written.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub cols: Vec<Col>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(cols: Vec<Col>) -> Self {
        Table {
            cols,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.cols.len());
        self.rows.push(row);
    }

    pub fn items(&self) -> std::collections::BTreeSet<String> {
        self.cols
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let used = self
                    .rows
                    .iter()
                    .any(|r| r.get(i).is_some_and(|v| !v.is_empty()));
                c.item.filter(|_| used).map(str::to_string)
            })
            .collect()
    }

    /// Reorder columns: `order[k]` = index of the old column placed at k.
    pub fn permute(&mut self, order: &[usize]) {
        if order.len() != self.cols.len() {
            return;
        }
        self.cols = order.iter().map(|&i| self.cols[i].clone()).collect();
        for r in &mut self.rows {
            *r = order.iter().map(|&i| r[i].clone()).collect();
        }
    }
}

/// How a file is laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text (`,` CSV or `\t` TSV).
    Delimited { enc: Enc, delim: char, crlf: bool },
    /// Plain text.
    Text { enc: Enc, crlf: bool },
}

pub fn csv(enc: Enc) -> Format {
    Format::Delimited {
        enc,
        delim: ',',
        crlf: true,
    }
}

pub fn tsv(enc: Enc) -> Format {
    Format::Delimited {
        enc,
        delim: '\t',
        crlf: true,
    }
}

pub fn text(enc: Enc, crlf: bool) -> Format {
    Format::Text { enc, crlf }
}

impl Format {
    pub fn enc(self) -> Enc {
        match self {
            Format::Delimited { enc, .. } | Format::Text { enc, .. } => enc,
        }
    }
}

fn quote(field: &str, delim: char) -> String {
    if field.contains(delim) || field.contains('"') || field.contains('\n') || field.contains('\r')
    {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

pub fn render_table(t: &Table, fmt: Format) -> Result<Vec<u8>, SampleError> {
    let (enc, delim, crlf) = match fmt {
        Format::Delimited { enc, delim, crlf } => (enc, delim, crlf),
        Format::Text { enc, crlf } => (enc, '\t', crlf),
    };
    let nl = if crlf { "\r\n" } else { "\n" };
    let sep = delim.to_string();
    let mut s = String::new();
    let header: Vec<String> = t.cols.iter().map(|c| quote(&c.header, delim)).collect();
    s.push_str(&header.join(&sep));
    s.push_str(nl);
    for r in &t.rows {
        let fields: Vec<String> = r.iter().map(|f| quote(f, delim)).collect();
        s.push_str(&fields.join(&sep));
        s.push_str(nl);
    }
    encode(&s, enc)
}

pub fn render_text(body: &str, fmt: Format) -> Result<Vec<u8>, SampleError> {
    let (enc, crlf) = match fmt {
        Format::Text { enc, crlf } | Format::Delimited { enc, crlf, .. } => (enc, crlf),
    };
    let normalised = body.replace("\r\n", "\n");
    let s = if crlf {
        normalised.replace('\n', "\r\n")
    } else {
        normalised
    };
    encode(&s, enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let s = "山田 太郎,ﾔﾏﾀﾞ ﾀﾛｳ,０９０－１２３４ー５６７８,〒100-0005";
        for enc in [
            Enc::ShiftJis,
            Enc::Utf8,
            Enc::Utf8Bom,
            Enc::EucJp,
            Enc::Utf16LeBom,
        ] {
            let b = encode(s, enc).expect("encodable");
            assert_eq!(decode(&b, enc), s, "{enc:?}");
        }
        let jis = "山田 太郎様 ０９０－１２３４";
        let b = encode(jis, Enc::Iso2022Jp).expect("encodable");
        assert_eq!(decode(&b, Enc::Iso2022Jp), jis);
    }

    #[test]
    fn unmappable_is_an_error() {
        assert!(encode("😀", Enc::ShiftJis).is_err());
    }
}

//! PDFs as Japanese office software writes them without embedding fonts:
//! a Type0 font `HeiseiMin-W3` with the predefined CMap `UniJIS-UCS2-H`
//! (strings are UCS-2 code units; a reader needs the Adobe-Japan1 tables
//! to get the text back), one positioned string per cell so a table keeps
//! its columns; and an image-only PDF (a scanned page, no text layer).

use std::io::Write;

struct Pdf {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Pdf {
    fn new() -> Self {
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        out.shrink_to_fit();
        Pdf {
            out,
            offsets: Vec::new(),
        }
    }

    /// Writes object number `offsets.len() + 1`.
    fn object(&mut self, body: &[u8]) -> usize {
        self.offsets.push(self.out.len());
        let n = self.offsets.len();
        self.out
            .extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
        n
    }

    fn stream(&mut self, dict: &str, data: &[u8]) -> usize {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = z.write_all(data);
        let packed = z.finish().unwrap_or_default();
        let mut body = format!(
            "<< {dict} /Length {} /Filter /FlateDecode >>\nstream\n",
            packed.len()
        )
        .into_bytes();
        body.extend_from_slice(&packed);
        body.extend_from_slice(b"\nendstream");
        self.object(&body)
    }

    /// A stream kept as it is (a JPEG: `/DCTDecode`).
    fn raw_stream(&mut self, dict: &str, data: &[u8]) -> usize {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(&body)
    }

    fn finish(mut self, root: usize) -> Vec<u8> {
        let xref = self.out.len();
        let n = self.offsets.len() + 1;
        self.out
            .extend_from_slice(format!("xref\n0 {n}\n0000000000 65535 f \n").as_bytes());
        for o in &self.offsets {
            self.out
                .extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        self.out.extend_from_slice(
            format!("trailer\n<< /Size {n} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n")
                .as_bytes(),
        );
        self.out
    }
}

/// Width in ems: ASCII glyphs are half-width (`/W` above), the rest full.
fn em_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

fn ucs2_hex(s: &str) -> String {
    s.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

/// Rows of cells (a line of prose is a row of one cell), A4 landscape,
/// the font shrunk until the widest row fits.
pub fn text_pdf(rows: &[Vec<String>]) -> Vec<u8> {
    text_pdf_with_image(rows, None)
}

/// [`text_pdf`] with a picture (JPEG bytes) drawn on the first page, as a
/// report with a photo or a scanned seal is.
pub fn text_pdf_with_image(rows: &[Vec<String>], jpeg: Option<&[u8]>) -> Vec<u8> {
    let widths = {
        let mut w: Vec<f64> = Vec::new();
        for row in rows.iter().filter(|r| r.len() > 1) {
            for (i, c) in row.iter().enumerate() {
                if w.len() <= i {
                    w.push(0.0);
                }
                w[i] = w[i].max(em_width(c));
            }
        }
        w
    };
    let table_chars: f64 = widths.iter().map(|w| w + 3.0).sum();
    let (page_w, page_h, margin) = (842.0f64, 595.0f64, 30.0f64);
    let size = ((page_w - 2.0 * margin) / table_chars.max(1.0)).clamp(4.0, 10.0);
    let lead = size * 1.6;
    let per_page = (((page_h - 2.0 * margin) / lead) as usize).max(1);

    let mut pdf = Pdf::new();
    let descriptor = pdf.object(b"<< /Type /FontDescriptor /FontName /HeiseiMin-W3 /Flags 6 /FontBBox [-123 -257 1001 910] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 709 /StemV 69 >>");
    let cid = pdf.object(format!("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiMin-W3 /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor {descriptor} 0 R /DW 1000 /W [1 95 500 231 632 500] >>").as_bytes());
    let font = pdf.object(format!("<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiMin-W3 /Encoding /UniJIS-UCS2-H /DescendantFonts [{cid} 0 R] >>").as_bytes());
    let image = jpeg.map(|bytes| {
        pdf.raw_stream(
            "/Type /XObject /Subtype /Image /Width 640 /Height 480 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode",
            bytes,
        )
    });
    let pages_id = pdf.offsets.len() + 1 + 2 * rows.len().div_ceil(per_page).max(1);
    let mut kids = Vec::new();
    for (n, chunk) in rows
        .chunks(per_page)
        .chain(rows.is_empty().then_some(rows))
        .enumerate()
    {
        let picture = image.filter(|_| n == 0);
        let mut content = String::new();
        if picture.is_some() {
            content.push_str("q 320 0 0 240 492 325 cm /Im1 Do Q\n");
        }
        for (i, row) in chunk.iter().enumerate() {
            let y = page_h - margin - lead * (i as f64 + 1.0);
            let mut x = margin;
            for (k, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    content.push_str(&format!(
                        "BT /F1 {size:.2} Tf {x:.2} {y:.2} Td <{}> Tj ET\n",
                        ucs2_hex(cell)
                    ));
                }
                let w = if row.len() > 1 {
                    widths.get(k).copied().unwrap_or(0.0) + 3.0
                } else {
                    0.0
                };
                x += w * size;
            }
        }
        let contents = pdf.stream("", content.as_bytes());
        let xobject = picture
            .map(|id| format!(" /XObject << /Im1 {id} 0 R >>"))
            .unwrap_or_default();
        let page = pdf.object(format!("<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {page_w} {page_h}] /Resources << /Font << /F1 {font} 0 R >>{xobject} >> /Contents {contents} 0 R >>").as_bytes());
        kids.push(page);
    }
    let kids_list: String = kids.iter().map(|k| format!("{k} 0 R ")).collect();
    let pages = pdf.object(
        format!(
            "<< /Type /Pages /Kids [{kids_list}] /Count {} >>",
            kids.len()
        )
        .as_bytes(),
    );
    debug_assert_eq!(pages, pages_id);
    let catalog = pdf.object(format!("<< /Type /Catalog /Pages {pages} 0 R >>").as_bytes());
    pdf.finish(catalog)
}

/// A scanned page: one grey image, no text layer.
pub fn image_only_pdf(seed: u8) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let pixels: Vec<u8> = (0..64u32 * 64)
        .map(|i| 200u8.wrapping_add(((i * 7 + seed as u32) % 40) as u8))
        .collect();
    let image = pdf.stream(
        "/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray /BitsPerComponent 8",
        &pixels,
    );
    let contents = pdf.stream("", b"q 515 0 0 762 40 40 cm /Im1 Do Q\n");
    let pages_id = pdf.offsets.len() + 2;
    let page = pdf.object(format!("<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 {image} 0 R >> >> /Contents {contents} 0 R >>").as_bytes());
    let pages = pdf.object(format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>").as_bytes());
    let catalog = pdf.object(format!("<< /Type /Catalog /Pages {pages} 0 R >>").as_bytes());
    pdf.finish(catalog)
}

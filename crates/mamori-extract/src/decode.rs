//! Text encoding detection and streaming decoding to UTF-8.

use std::io::{self, BufRead, Read};

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    Decoder, DecoderResult, Encoding, EUC_JP, ISO_2022_JP, SHIFT_JIS, UTF_16BE, UTF_16LE, UTF_8,
};

/// How much of the head [`detect_encoding`] looks at.
pub const DETECT_BYTES: usize = 64 * 1024;

/// The encodings a Japanese file share is expected to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// Decoded as CP932 (encoding_rs's Shift_JIS is the WHATWG one, which
    /// includes the NEC/IBM extensions: ①, ㈱ ...).
    ShiftJis,
    EucJp,
    Iso2022Jp,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::ShiftJis => "Shift_JIS",
            TextEncoding::EucJp => "EUC-JP",
            TextEncoding::Iso2022Jp => "ISO-2022-JP",
        }
    }

    pub fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::ShiftJis => SHIFT_JIS,
            TextEncoding::EucJp => EUC_JP,
            TextEncoding::Iso2022Jp => ISO_2022_JP,
        }
    }
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Detects the encoding from the first bytes of a file (only the first
/// [`DETECT_BYTES`] are looked at). Never fails: pure ASCII is UTF-8.
pub fn detect_encoding(head: &[u8]) -> TextEncoding {
    let head = &head[..head.len().min(DETECT_BYTES)];
    if let Some(enc) = bom(head) {
        return enc;
    }
    if let Some(enc) = utf16_without_bom(head) {
        return enc;
    }
    let ascii_len = Encoding::ascii_valid_up_to(head);
    if ascii_len == head.len() {
        // 7-bit: ASCII unless it carries ISO-2022-JP escapes.
        return if has_iso2022jp_escapes(head) {
            TextEncoding::Iso2022Jp
        } else {
            TextEncoding::Utf8
        };
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    // `last = false`: the head is usually a prefix, possibly cut mid-character.
    detector.feed(head, false);
    let guess = detector.guess(Some(b"jp"), Utf8Detection::Allow);
    if guess == UTF_8 {
        TextEncoding::Utf8
    } else if guess == SHIFT_JIS {
        TextEncoding::ShiftJis
    } else if guess == EUC_JP {
        TextEncoding::EucJp
    } else {
        // chardetng thought of another script; on a Japanese share the
        // candidate with the fewest decoding errors is the better bet.
        let candidates = [
            TextEncoding::ShiftJis,
            TextEncoding::Utf8,
            TextEncoding::EucJp,
        ];
        let mut best = TextEncoding::ShiftJis;
        let mut best_errors = usize::MAX;
        for enc in candidates {
            let errors = count_malformed(enc.encoding(), head);
            if errors < best_errors {
                best = enc;
                best_errors = errors;
            }
        }
        best
    }
}

fn bom(head: &[u8]) -> Option<TextEncoding> {
    if head.starts_with(b"\xEF\xBB\xBF") {
        Some(TextEncoding::Utf8Bom)
    } else if head.starts_with(b"\xFF\xFE") {
        Some(TextEncoding::Utf16Le)
    } else if head.starts_with(b"\xFE\xFF") {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// UTF-16 (with or without BOM), as seen from the head. Used by the sniffer
/// too, since UTF-16 text is full of NULs that would otherwise mean binary.
pub(crate) fn utf16_encoding(head: &[u8]) -> Option<TextEncoding> {
    match bom(head) {
        Some(enc @ (TextEncoding::Utf16Le | TextEncoding::Utf16Be)) => Some(enc),
        Some(_) => None,
        None => utf16_without_bom(head),
    }
}

/// UTF-16 without BOM: NULs mostly at one parity (the high byte of ASCII;
/// U+3000 and friends put some at the other), and the text decodes to
/// plausible characters. Japanese-only UTF-16 without BOM and with almost no
/// ASCII is not recognised: without NULs it cannot be told from Shift_JIS
/// reliably (Windows tools write a BOM anyway).
fn utf16_without_bom(head: &[u8]) -> Option<TextEncoding> {
    let sample = &head[..head.len().min(DETECT_BYTES) & !1];
    if sample.len() < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let (enc, major, minor) = if odd >= even {
        (TextEncoding::Utf16Le, odd, even)
    } else {
        (TextEncoding::Utf16Be, even, odd)
    };
    let units_total = sample.len() / 2;
    // Evenly spread NULs (padding, binary) or too few to be ASCII in UTF-16.
    if major == 0 || minor * 4 > major * 3 || major * 64 < units_total {
        return None;
    }
    let units = sample.chunks_exact(2).map(|p| match enc {
        TextEncoding::Utf16Le => u16::from_le_bytes([p[0], p[1]]),
        _ => u16::from_be_bytes([p[0], p[1]]),
    });
    let (mut total, mut plausible) = (0usize, 0usize);
    for c in char::decode_utf16(units) {
        total += 1;
        // A surrogate cut off at the end of the sample is not evidence.
        if let Ok(c) = c {
            plausible += usize::from(plausible_char(c));
        }
    }
    // 90%: tolerate some rare characters, not a different encoding.
    (plausible * 10 >= total * 9).then_some(enc)
}

fn plausible_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{0C}' | ' '..='~'
        | '\u{A0}'..='\u{24F}'      // Latin-1, Latin Extended
        | '\u{370}'..='\u{4FF}'     // Greek, Cyrillic (JIS X 0208 has them)
        | '\u{2000}'..='\u{27BF}'   // punctuation, symbols, ①, arrows, boxes
        | '\u{3000}'..='\u{30FF}'   // CJK punctuation, kana
        | '\u{3200}'..='\u{33FF}'   // ㈱, ㍻ ...
        | '\u{4E00}'..='\u{9FFF}'   // CJK ideographs
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility (IBM extensions)
        | '\u{FF00}'..='\u{FFEF}') // fullwidth / halfwidth forms
}

fn has_iso2022jp_escapes(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"\x1B$B").is_some()
        || memchr::memmem::find(head, b"\x1B$@").is_some()
        || memchr::memmem::find(head, b"\x1B(J").is_some()
        || memchr::memmem::find(head, b"\x1B(I").is_some()
}

/// Malformed sequences when decoding `bytes` as `enc`, not counting a
/// sequence cut off at the end.
fn count_malformed(enc: &'static Encoding, bytes: &[u8]) -> usize {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = vec![0u8; 16 * 1024];
    let mut src = bytes;
    let mut errors = 0;
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(src, &mut out, false);
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => return errors,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(_, _) => errors += 1,
        }
    }
}

const IN_BUF: usize = 64 * 1024;
/// Worst case is 3 bytes of UTF-8 per input byte (a half-width katakana in
/// Shift_JIS); the slack covers a pending partial sequence and U+FFFD.
const OUT_BUF: usize = IN_BUF * 3 + 32;

/// A reader yielding UTF-8 from a byte stream in a [`TextEncoding`], through
/// fixed buffers. Malformed input becomes U+FFFD and is counted. Output
/// buffers handed out by [`BufRead::fill_buf`] always end on a character
/// boundary. A BOM at the start is removed.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    out: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    finished: bool,
    replacements: u64,
    raw_bytes: u64,
}

impl<R: Read> DecodingReader<R> {
    pub fn new(inner: R, enc: TextEncoding) -> Self {
        DecodingReader {
            inner,
            // Not `new_decoder()`: its BOM sniffing could switch encodings
            // behind the detector's back.
            decoder: enc.encoding().new_decoder_with_bom_removal(),
            input: vec![0; IN_BUF].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            out: vec![0; OUT_BUF].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            eof: false,
            finished: false,
            replacements: 0,
            raw_bytes: 0,
        }
    }

    /// Malformed sequences replaced by U+FFFD so far.
    pub fn replacements(&self) -> u64 {
        self.replacements
    }

    /// Raw (undecoded) bytes read from the inner reader so far.
    pub fn raw_bytes(&self) -> u64 {
        self.raw_bytes
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Decodes until some output is available or the stream is finished.
    fn fill(&mut self) -> io::Result<()> {
        self.out_start = 0;
        self.out_end = 0;
        while self.out_end == 0 && !self.finished {
            if self.in_start == self.in_end && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.in_start = 0;
                self.in_end = n;
                self.raw_bytes += n as u64;
                self.eof = n == 0;
            }
            self.decode_pending();
        }
        Ok(())
    }

    fn decode_pending(&mut self) {
        loop {
            let src = &self.input[self.in_start..self.in_end];
            let dst = &mut self.out[self.out_end..];
            let (result, read, written) = self
                .decoder
                .decode_to_utf8_without_replacement(src, dst, self.eof);
            self.in_start += read;
            self.out_end += written;
            match result {
                DecoderResult::InputEmpty => {
                    if self.eof {
                        self.finished = true;
                    }
                    return;
                }
                DecoderResult::OutputFull => return,
                DecoderResult::Malformed(_, _) => {
                    self.replacements += 1;
                    if self.out.len() - self.out_end < 3 {
                        // Cannot happen with OUT_BUF sized for the input, but
                        // dropping a U+FFFD beats writing out of bounds.
                        return;
                    }
                    self.out[self.out_end..self.out_end + 3].copy_from_slice("\u{FFFD}".as_bytes());
                    self.out_end += 3;
                }
            }
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for DecodingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_start == self.out_end {
            self.fill()?;
        }
        Ok(&self.out[self.out_start..self.out_end])
    }

    fn consume(&mut self, amt: usize) {
        self.out_start = (self.out_start + amt).min(self.out_end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "山田太郎　昭和55年3月2日生　東京都千代田区\n";

    fn encode(enc: &'static Encoding, s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = enc.encode(s);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    }

    fn decode_all(bytes: &[u8], enc: TextEncoding) -> (String, u64) {
        let mut r = DecodingReader::new(bytes, enc);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, r.replacements())
    }

    #[test]
    fn detects_boms() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFabc"), TextEncoding::Utf8Bom);
        assert_eq!(detect_encoding(b"\xFF\xFEa\0"), TextEncoding::Utf16Le);
        assert_eq!(detect_encoding(b"\xFE\xFF\0a"), TextEncoding::Utf16Be);
    }

    #[test]
    fn ascii_is_utf8_and_empty_too() {
        assert_eq!(detect_encoding(b"hello, world\n"), TextEncoding::Utf8);
        assert_eq!(detect_encoding(b""), TextEncoding::Utf8);
    }

    #[test]
    fn japanese_encodings_are_detected() {
        let sjis = encode(SHIFT_JIS, &SAMPLE.repeat(3));
        assert_eq!(detect_encoding(&sjis), TextEncoding::ShiftJis);
        let euc = encode(EUC_JP, &SAMPLE.repeat(3));
        assert_eq!(detect_encoding(&euc), TextEncoding::EucJp);
        let jis = encode(ISO_2022_JP, SAMPLE);
        assert_eq!(detect_encoding(&jis), TextEncoding::Iso2022Jp);
        assert_eq!(detect_encoding(SAMPLE.as_bytes()), TextEncoding::Utf8);
        assert_eq!(detect_encoding(&utf16(SAMPLE, true)), TextEncoding::Utf16Le);
        assert_eq!(
            detect_encoding(&utf16(SAMPLE, false)),
            TextEncoding::Utf16Be
        );
    }

    #[test]
    fn detection_tolerates_a_character_cut_at_the_end_of_the_head() {
        let sjis = encode(SHIFT_JIS, &SAMPLE.repeat(50));
        assert_eq!(
            detect_encoding(&sjis[..sjis.len() - 2]),
            TextEncoding::ShiftJis
        );
        let utf8 = SAMPLE.repeat(50);
        let cut = &utf8.as_bytes()[..utf8.len() - 2];
        assert_eq!(detect_encoding(cut), TextEncoding::Utf8);
    }

    #[test]
    fn binary_noise_is_not_utf16() {
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert_eq!(utf16_without_bom(&noise), None);
        // A log whose tail was zero-filled by a crash.
        let mut log = b"2024-01-01 started ok\n".repeat(20);
        log.extend_from_slice(&[0; 300]);
        assert_eq!(utf16_without_bom(&log), None);
        let mut ascii_and_a_nul = b"hello world, this is fine\n".repeat(3);
        ascii_and_a_nul.push(0);
        assert_eq!(utf16_without_bom(&ascii_and_a_nul), None);
    }

    #[test]
    fn malformed_input_is_replaced_and_counted() {
        let mut bytes = encode(SHIFT_JIS, "山田");
        bytes.extend_from_slice(b"\xFF\xFFok\x82");
        let (text, n) = decode_all(&bytes, TextEncoding::ShiftJis);
        assert!(text.starts_with("山田"), "{text}");
        assert!(text.contains("ok"));
        assert_eq!(n, 3, "{text:?}");
        assert_eq!(text.matches('\u{FFFD}').count(), 3);
    }

    #[test]
    fn boms_are_removed() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(SAMPLE.as_bytes());
        assert_eq!(decode_all(&bytes, TextEncoding::Utf8Bom).0, SAMPLE);
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16(SAMPLE, true));
        assert_eq!(decode_all(&bytes, TextEncoding::Utf16Le).0, SAMPLE);
    }

    /// A reader returning one byte per call: multi-byte characters are split
    /// across reads and must still come out whole.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn characters_split_across_reads_survive() {
        let text = "①㈱ 山田太郎 ｱｲｳ\n".repeat(10);
        let bytes = encode(SHIFT_JIS, &text);
        let mut r = DecodingReader::new(Trickle(&bytes), TextEncoding::ShiftJis);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, text);
        assert_eq!(r.replacements(), 0);
        assert_eq!(r.raw_bytes(), bytes.len() as u64);
    }

    #[test]
    fn half_width_katakana_fills_the_output_without_overflow() {
        // 1 byte in, 3 bytes out: the worst case for the output buffer.
        let bytes = vec![0xB1u8; IN_BUF * 2 + 7];
        let (text, n) = decode_all(&bytes, TextEncoding::ShiftJis);
        assert_eq!(n, 0);
        assert_eq!(text.chars().count(), bytes.len());
        assert!(text.chars().all(|c| c == 'ｱ'));
    }
}

//! Bounded chunks of a UTF-8 stream.

use std::io::{self, BufRead, Read};

use crate::decode::DecodingReader;
use crate::ExtractError;

/// Default bytes of the previous chunk's tail carried as [`Chunk::overlap`].
pub const DEFAULT_OVERLAP: usize = 256;

/// A piece of text of at most the configured size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub text: String,
    /// The end of the previous chunk (empty for the first), so detectors can
    /// see a match cut by the chunk boundary. Not part of `text`.
    pub overlap: String,
    /// Byte offset of `text` in the UTF-8 stream.
    pub offset: u64,
}

/// Splits a UTF-8 stream into chunks of at most `max` bytes: cut after the
/// last `'\n'` that fits, else at the last character boundary that fits, so
/// a 2 GB line becomes many chunks and memory stays at about `max`.
///
/// Invalid UTF-8 from the inner reader becomes U+FFFD; a read error ends the
/// iteration after being yielded once.
pub struct TextChunks<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    overlap_bytes: usize,
    tail: String,
    offset: u64,
    eof: bool,
    done: bool,
}

impl<R: BufRead> TextChunks<R> {
    /// `max` is raised to 4 so that any character fits.
    pub fn new(inner: R, max: usize) -> Self {
        let max = max.max(4);
        TextChunks {
            inner,
            // Grows to `max` only for files that need it.
            buf: Vec::with_capacity(max.min(64 * 1024)),
            max,
            overlap_bytes: DEFAULT_OVERLAP,
            tail: String::new(),
            offset: 0,
            eof: false,
            done: false,
        }
    }

    /// Sets how many bytes of the previous chunk are carried as overlap.
    pub fn with_overlap(mut self, bytes: usize) -> Self {
        self.overlap_bytes = bytes;
        self
    }

    pub fn max_chunk_bytes(&self) -> usize {
        self.max
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.buf.len() < self.max && !self.eof {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                self.eof = true;
                break;
            }
            let n = available.len().min(self.max - self.buf.len());
            self.buf.extend_from_slice(&available[..n]);
            self.inner.consume(n);
        }
        Ok(())
    }

    /// Where to cut a full buffer (`buf.len() == max`, more may follow).
    fn cut_point(&self) -> usize {
        let window = &self.buf[..self.max];
        if let Some(p) = memchr::memrchr(b'\n', window) {
            return p + 1;
        }
        char_boundary_at_or_before(window)
    }
}

/// The largest `n <= bytes.len()` such that `bytes[..n]` does not end in the
/// middle of a UTF-8 sequence (judged by the last lead byte only).
fn char_boundary_at_or_before(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for back in 1..=4.min(len) {
        let b = bytes[len - back];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte
        }
        let need = match b {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        return if need > back { len - back } else { len };
    }
    // Garbage (only continuation bytes): any cut is as good as another.
    len
}

/// `bytes` as a string, malformed sequences replaced by U+FFFD (as
/// `String::from_utf8_lossy` does). Nearly every chunk is valid: it comes
/// from the decoder, which writes UTF-8 only, so the check is SIMD
/// (simdutf8) rather than std's scalar one, which took 3 % of a memo scan.
fn utf8_or_replaced(bytes: Vec<u8>) -> String {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just validated these very bytes as UTF-8
        // (its `basic` check accepts exactly what `std::str::from_utf8`
        // accepts; `utf8_check_agrees_with_std` tests that).
        unsafe { String::from_utf8_unchecked(bytes) }
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The last `n` bytes of `s` or slightly fewer, starting on a char boundary.
fn tail_of(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

impl<R: BufRead> Iterator for TextChunks<R> {
    type Item = Result<Chunk, ExtractError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Err(e) = self.fill() {
            self.done = true;
            return Some(Err(ExtractError::from_io(e)));
        }
        if self.buf.is_empty() {
            self.done = true;
            return None;
        }
        let cut = if self.eof {
            self.buf.len()
        } else {
            self.cut_point()
        };
        // Hand the buffer itself over as the text and keep only the rest:
        // copies the (usually short) remainder instead of the chunk.
        let mut rest = if self.eof {
            Vec::new()
        } else {
            Vec::with_capacity(self.max)
        };
        rest.extend_from_slice(&self.buf[cut..]);
        let mut bytes = std::mem::replace(&mut self.buf, rest);
        bytes.truncate(cut);
        let text = utf8_or_replaced(bytes);
        let overlap = std::mem::replace(
            &mut self.tail,
            tail_of(&text, self.overlap_bytes).to_owned(),
        );
        let offset = self.offset;
        self.offset += cut as u64;
        Some(Ok(Chunk {
            text,
            overlap,
            offset,
        }))
    }
}

impl<R: Read> TextChunks<DecodingReader<R>> {
    /// Malformed sequences replaced by U+FFFD so far.
    pub fn replacements(&self) -> u64 {
        self.inner.replacements()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(s: &str, max: usize) -> Vec<Chunk> {
        TextChunks::new(s.as_bytes(), max)
            .with_overlap(8)
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    #[test]
    fn cuts_after_the_last_newline_that_fits() {
        let c = chunks("aaa\nbbb\ncccccc\nd", 10);
        let texts: Vec<_> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["aaa\nbbb\n", "cccccc\nd"]);
        assert_eq!(c[1].overlap, "aaa\nbbb\n");
        assert_eq!(c[1].offset, 8);
        assert_eq!(c[0].overlap, "");
    }

    #[test]
    fn a_long_line_is_cut_at_char_boundaries() {
        let line = "山田太郎".repeat(100);
        let c = chunks(&line, 10);
        assert!(c.iter().all(|c| c.text.len() <= 10 && !c.text.is_empty()));
        assert_eq!(c.iter().map(|c| c.text.as_str()).collect::<String>(), line);
        assert!(c[1].overlap.len() <= 8 && !c[1].overlap.is_empty());
        assert!(c.iter().all(|c| !c.text.contains('\u{FFFD}')));
    }

    #[test]
    fn tiny_max_still_fits_four_byte_chars() {
        let s = "𠮷野家𠮷";
        let c = chunks(s, 1);
        assert_eq!(c.iter().map(|c| c.text.as_str()).collect::<String>(), s);
    }

    #[test]
    fn empty_input_has_no_chunks() {
        assert!(chunks("", 10).is_empty());
    }

    #[test]
    fn boundary_helper() {
        assert_eq!(char_boundary_at_or_before(b"ab"), 2);
        assert_eq!(char_boundary_at_or_before("aあ".as_bytes()), 4);
        assert_eq!(char_boundary_at_or_before(&"aあ".as_bytes()[..3]), 1);
        assert_eq!(char_boundary_at_or_before(b"\x80\x80\x80\x80\x80"), 5);
        assert_eq!(tail_of("あいう", 4), "う");
    }

    /// The SIMD check accepts exactly what std accepts, and the text is
    /// std's (lossy on malformed input), on random byte soups built from
    /// valid and broken pieces: cut sequences at both ends, overlong forms,
    /// surrogates, Shift_JIS bytes, full-width digits and half-width kana.
    #[test]
    fn utf8_check_agrees_with_std() {
        let pieces: [&[u8]; 16] = [
            b"abc",
            "山田".as_bytes(),
            "０９".as_bytes(),
            "ｶﾀｶﾅ".as_bytes(),
            "𠮷".as_bytes(),
            &"あ".as_bytes()[..2],
            &"𠮷".as_bytes()[1..],
            b"\xC0\xAF",
            b"\xED\xA0\x80",
            b"\xF4\x90\x80\x80",
            b"\x82\xA0\x93\x8C",
            b"\xFF",
            b"\n",
            b"\x80",
            b"\xE3\x81",
            "〒100-0001 東京都".as_bytes(),
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut bytes = Vec::new();
            let mut x = seed;
            for _ in 0..(seed >> 59) + 1 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                bytes.extend_from_slice(pieces[(x >> 60) as usize]);
            }
            let std_text = match String::from_utf8(bytes.clone()) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            };
            assert_eq!(
                simdutf8::basic::from_utf8(&bytes).is_ok(),
                std::str::from_utf8(&bytes).is_ok(),
                "{bytes:?}"
            );
            assert_eq!(utf8_or_replaced(bytes.clone()), std_text, "{bytes:?}");
        }
    }

    /// Each chunk of a text with broken bytes is std's lossy text of the
    /// bytes it was cut from, whatever the chunk size.
    #[test]
    fn chunks_of_broken_text_are_the_lossy_text() {
        let mut bytes = "山田 太郎\n０９０-１２３４\nｶﾀｶﾅ".as_bytes().to_vec();
        bytes.extend_from_slice(b"\x82\xA0\xE3\x81\xFF\n");
        bytes.extend_from_slice("𠮷野家".as_bytes());
        for max in 1..40 {
            let chunks: Vec<Chunk> = TextChunks::new(&bytes[..], max)
                .collect::<Result<_, _>>()
                .unwrap();
            let mut ends: Vec<usize> = chunks.iter().skip(1).map(|c| c.offset as usize).collect();
            ends.push(bytes.len());
            for (chunk, end) in chunks.iter().zip(ends) {
                let start = chunk.offset as usize;
                assert_eq!(
                    chunk.text,
                    String::from_utf8_lossy(&bytes[start..end]),
                    "max {max}"
                );
            }
        }
    }

    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(libc::EIO))
        }
    }

    #[test]
    fn a_read_error_is_yielded_once() {
        let mut it = TextChunks::new(io::BufReader::new(Failing), 10);
        let first = it.next();
        assert!(matches!(first, Some(Err(ExtractError::Read(_)))));
        assert!(it.next().is_none());
    }
}

//! Content probes: what a few regions of a file look like, without keeping
//! any of its content.
//!
//! A probe reads at most [`MAX_REGIONS`] regions of [`REGION`] bytes with
//! `pread` (head, tail and evenly spread middles), so partial encryption
//! (first 4 KB only, every other 16 bytes, a few percent in chunks) shows in
//! at least the head region, and a header-preserving encryptor still breaks
//! the zip central directory or the PDF trailer kept in the tail region.

use crate::names;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Bytes per sampled region.
pub const REGION: usize = 4096;
/// At most this many regions are read (head, tail and spread middles).
pub const MAX_REGIONS: usize = 8;

/// Chi-square (255 degrees of freedom, mean 255, sd ≈ 22.6) above which a
/// byte histogram is not uniform: 5 sd above the mean. Deflate output,
/// JPEG scans and MP4 frames sit above this on 4 KB; ciphertext below.
pub const CHI2_UNIFORM_MAX: f64 = 370.0;
/// Pooled chi-square above which sampled bytes are compressed rather than
/// encrypted: 3.5 sd above the mean (1 ciphertext in 4000 fails it, which
/// only delays judgement by a file); fast deflate sits at 700–1000, strong
/// deflate bodies pass (their stream head does not, see `mostly_cipher`).
pub const CHI2_POOLED_MAX: f32 = 335.0;
/// The same for the 64 symbols of base64 (63 df: mean 63, sd ≈ 11.2).
const CHI2_BASE64_MAX: f64 = 120.0;
/// The same for the 16 symbols of hex (15 df: mean 15, sd ≈ 5.5).
const CHI2_HEX_MAX: f64 = 45.0;

/// The type a file's bytes say it has (magic numbers and text sniffing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Unknown,
    Empty,
    /// Every sampled byte is zero (sparse or preallocated).
    Zeros,
    Zip,
    /// Office Open XML (docx/xlsx/pptx): a zip naming `[Content_Types].xml`.
    Ooxml,
    /// OpenDocument: a zip whose first entry is `mimetype`.
    Odf,
    Pdf,
    Jpeg,
    Png,
    Gif,
    Bmp,
    Tiff,
    Webp,
    /// ISO media: mp4, mov, heic, m4a (`ftyp` box).
    IsoMedia,
    Riff,
    Matroska,
    Mp3,
    Ogg,
    Flac,
    /// OLE compound file: doc, xls, ppt, msg.
    Ole,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    SevenZ,
    Rar,
    Sqlite,
    Pst,
    Elf,
    Exe,
    /// OpenPGP message (gpg output, binary or armoured).
    OpenPgp,
    /// `openssl enc` output (`Salted__`).
    OpenSsl,
    /// age-encryption.org output.
    Age,
    /// Text (ASCII, UTF-8, Shift_JIS, EUC-JP, UTF-16).
    Text,
    /// Text made only of base64 symbols in long runs.
    Base64Text,
    /// Text made only of hexadecimal digits.
    HexText,
}

impl Kind {
    /// Types whose loss of structure after an overwrite is telling: a user
    /// document had this type, and an honest program keeps it.
    pub fn is_structured(self) -> bool {
        !matches!(
            self,
            Kind::Unknown
                | Kind::Empty
                | Kind::Zeros
                | Kind::OpenPgp
                | Kind::OpenSsl
                | Kind::Age
                | Kind::Base64Text
                | Kind::HexText
        )
    }

    /// Output of an encryption tool a user runs on purpose (gpg, openssl, age).
    pub fn is_encryption_tool(self) -> bool {
        matches!(self, Kind::OpenPgp | Kind::OpenSsl | Kind::Age)
    }

    /// Compressed containers a user creates on purpose.
    pub fn is_archive(self) -> bool {
        matches!(
            self,
            Kind::Zip | Kind::Gzip | Kind::Bzip2 | Kind::Xz | Kind::Zstd | Kind::SevenZ | Kind::Rar
        )
    }

    /// Kinds that an honest rewrite may turn into each other.
    pub fn family(self) -> u8 {
        match self {
            Kind::Zip | Kind::Ooxml | Kind::Odf => 1,
            Kind::Text => 2,
            Kind::Riff | Kind::Webp => 3,
            other => 10 + other as u8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Unknown => "unknown",
            Kind::Empty => "empty",
            Kind::Zeros => "zeros",
            Kind::Zip => "zip",
            Kind::Ooxml => "office-xml",
            Kind::Odf => "opendocument",
            Kind::Pdf => "pdf",
            Kind::Jpeg => "jpeg",
            Kind::Png => "png",
            Kind::Gif => "gif",
            Kind::Bmp => "bmp",
            Kind::Tiff => "tiff",
            Kind::Webp => "webp",
            Kind::IsoMedia => "mp4/mov/heic",
            Kind::Riff => "riff",
            Kind::Matroska => "matroska",
            Kind::Mp3 => "mp3",
            Kind::Ogg => "ogg",
            Kind::Flac => "flac",
            Kind::Ole => "ole",
            Kind::Gzip => "gzip",
            Kind::Bzip2 => "bzip2",
            Kind::Xz => "xz",
            Kind::Zstd => "zstd",
            Kind::SevenZ => "7z",
            Kind::Rar => "rar",
            Kind::Sqlite => "sqlite",
            Kind::Pst => "pst",
            Kind::Elf => "elf",
            Kind::Exe => "exe",
            Kind::OpenPgp => "openpgp",
            Kind::OpenSsl => "openssl",
            Kind::Age => "age",
            Kind::Text => "text",
            Kind::Base64Text => "base64",
            Kind::HexText => "hex",
        }
    }
}

/// Statistics of one sampled region.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Region {
    pub offset: u64,
    pub len: u32,
    /// Shannon entropy, bits per byte.
    pub entropy: f32,
    /// Chi-square of the byte histogram against uniform.
    pub chi2: f32,
    /// Share of printable ASCII and whitespace.
    pub printable: f32,
    /// Looks like ciphertext: high entropy and a uniform histogram.
    pub cipher_like: bool,
    /// base64 or hex text whose symbols are uniformly distributed
    /// (encoded ciphertext rather than an encoded picture or key).
    pub encoded_random: bool,
}

/// What a few regions of a file look like (no content is kept).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probe {
    pub len: u64,
    pub kind: Kind,
    /// For zip, PDF, PNG and JPEG: whether the tail still holds the end of
    /// central directory / `%%EOF` / `IEND` / EOI (a header-preserving
    /// encryptor breaks it).
    pub tail_ok: Option<bool>,
    pub regions: Vec<Region>,
    /// Chi-square against uniform of all sampled bytes together. Over up to
    /// 32 KB the small biases of compressed streams add up (deflate ≈ 320 to
    /// 1000) while ciphertext stays at 255 ± 23.
    pub chi2_pooled: f32,
    /// Number of distinct ransom-note cues (English and Japanese) in the
    /// head of a text file.
    pub note_cues: u8,
}

impl Probe {
    /// Reads a bounded sample of the file (several regions, not the whole).
    pub fn of_file(path: &Path) -> std::io::Result<Probe> {
        Probe::of_open_file(&File::open(path)?)
    }

    /// Like [`Probe::of_file`] through a descriptor already open for
    /// reading (the guard's fanotify descriptors, whose reads raise no
    /// events), by `pread`: the descriptor's offset is left alone.
    pub fn of_open_file(file: &File) -> std::io::Result<Probe> {
        Probe::of_open_file_of_len(file, file.metadata()?.len())
    }

    /// [`Probe::of_open_file`] when the caller has just learnt the file's
    /// length (one `fstat` less); a file since grown or shrunk is sampled
    /// as it is read.
    pub fn of_open_file_of_len(file: &File, len: u64) -> std::io::Result<Probe> {
        // A small file is all regions back to back: one read instead of one
        // per region (the guard probes every file written over SMB).
        if len > 0 && len <= (REGION * MAX_REGIONS) as u64 {
            let mut whole = vec![0u8; len as usize];
            let mut got = 0;
            while got < whole.len() {
                let n = file.read_at(&mut whole[got..], got as u64)?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            if got == whole.len() {
                let samples: Vec<(u64, &[u8])> = whole
                    .chunks(REGION)
                    .enumerate()
                    .map(|(i, c)| ((i * REGION) as u64, c))
                    .collect();
                return Ok(Probe::of_samples(len, &samples));
            }
            // Truncated under us: sample region by region as below.
        }
        let mut samples = Vec::new();
        for offset in region_offsets(len) {
            let want = (len - offset).min(REGION as u64) as usize;
            let mut buf = vec![0u8; want];
            let mut got = 0;
            while got < want {
                let n = file.read_at(&mut buf[got..], offset + got as u64)?;
                if n == 0 {
                    break; // truncated under us: judge what is there
                }
                got += n;
            }
            buf.truncate(got);
            samples.push((offset, buf));
        }
        let samples: Vec<(u64, &[u8])> = samples.iter().map(|(o, b)| (*o, b.as_slice())).collect();
        Ok(Probe::of_samples(len, &samples))
    }

    /// Probes an in-memory file with the same sampling as [`Probe::of_file`].
    pub fn of_bytes(bytes: &[u8]) -> Probe {
        let len = bytes.len() as u64;
        let samples: Vec<(u64, &[u8])> = region_offsets(len)
            .into_iter()
            .map(|off| {
                let start = off as usize;
                let end = (start + REGION).min(bytes.len());
                (off, &bytes[start..end])
            })
            .collect();
        Probe::of_samples(len, &samples)
    }

    fn of_samples(len: u64, samples: &[(u64, &[u8])]) -> Probe {
        // One count of every sampled byte serves each region's statistics
        // and, summed, the pooled histogram and the all-zeros test.
        let mut pooled = [0u64; 256];
        let regions: Vec<Region> = samples
            .iter()
            .filter(|(_, b)| !b.is_empty())
            .map(|(off, b)| {
                let counts = histogram(b);
                for (total, &c) in pooled.iter_mut().zip(&counts) {
                    *total += u64::from(c);
                }
                region_stats(*off, b.len(), &counts)
            })
            .collect();
        let sampled: u64 = pooled.iter().sum();
        let head = samples.first().map_or(&[][..], |(_, b)| b);
        let tail = samples.last().map_or(&[][..], |(_, b)| b);
        let kind = if len > 0 && pooled[0] == sampled {
            Kind::Zeros
        } else {
            sniff(head, len)
        };
        let tail_ok = match kind {
            Kind::Zip | Kind::Ooxml | Kind::Odf => Some(find(tail, b"PK\x05\x06").is_some()),
            Kind::Pdf => Some(find(tail, b"%%EOF").is_some()),
            Kind::Png => Some(find(tail, b"IEND\xAE\x42\x60\x82").is_some()),
            // JPEG writers end on EOI; a few pad after it, hence anywhere in the tail
            Kind::Jpeg => Some(find(tail, b"\xFF\xD9").is_some()),
            _ => None,
        };
        let chi2_pooled = chi2_of(&pooled) as f32;
        let note_cues = if kind == Kind::Text {
            names::note_cues(head)
        } else {
            0
        };
        Probe {
            len,
            kind,
            tail_ok,
            regions,
            chi2_pooled,
            note_cues,
        }
    }

    /// A probe that read nothing (`Probe::default()` after a failed read,
    /// a file gone before it was probed): it says nothing either way.
    pub fn is_unread(&self) -> bool {
        self.regions.is_empty() && self.kind == Kind::Unknown
    }

    /// Regions that look like ciphertext.
    pub fn cipher_regions(&self) -> usize {
        self.regions.iter().filter(|r| r.cipher_like).count()
    }

    pub fn encoded_random(&self) -> bool {
        matches!(self.kind, Kind::Base64Text | Kind::HexText)
            && self.regions.iter().any(|r| r.encoded_random)
    }

    pub fn max_entropy(&self) -> f32 {
        self.regions.iter().map(|r| r.entropy).fold(0.0, f32::max)
    }

    /// Largest rise of entropy between regions at the same offset.
    pub fn entropy_rise_from(&self, before: &Probe) -> f32 {
        let mut rise = 0.0f32;
        for a in &self.regions {
            if let Some(b) = before.regions.iter().find(|b| b.offset == a.offset) {
                rise = rise.max(a.entropy - b.entropy);
            }
        }
        rise
    }

    /// Ciphertext-like throughout: the head and most regions random and,
    /// over all sampled bytes, a histogram too uniform for fast-compressed
    /// data. (The body of a strong deflate stream passes byte tests; its
    /// head — Huffman tables or a container header — does not.)
    pub fn mostly_cipher(&self) -> bool {
        self.regions.first().is_some_and(|r| r.cipher_like)
            && self.cipher_regions() * 2 >= self.regions.len()
            && (self.len < 8192 || self.chi2_pooled <= CHI2_POOLED_MAX)
    }
}

/// Head, tail and evenly spread middle regions; the whole file if small.
fn region_offsets(len: u64) -> Vec<u64> {
    let region = REGION as u64;
    if len == 0 {
        return vec![0];
    }
    if len <= region * MAX_REGIONS as u64 {
        return (0..len.div_ceil(region)).map(|i| i * region).collect();
    }
    let last = len - region;
    let middles = MAX_REGIONS as u64 - 2;
    let mut offsets = vec![0];
    for i in 1..=middles {
        // align to the region size so before/after probes compare alike
        let at = last * i / (middles + 1);
        offsets.push(at - at % region);
    }
    offsets.push(last);
    offsets.dedup();
    offsets
}

/// How often each byte value occurs. Four tables filled in turn and summed:
/// a run of one byte value (a file of zeros or spaces) would otherwise
/// make every increment wait for the one before.
fn histogram(bytes: &[u8]) -> [u32; 256] {
    let mut tables = [[0u32; 256]; 4];
    let mut quads = bytes.chunks_exact(4);
    for q in &mut quads {
        tables[0][q[0] as usize] += 1;
        tables[1][q[1] as usize] += 1;
        tables[2][q[2] as usize] += 1;
        tables[3][q[3] as usize] += 1;
    }
    for &b in quads.remainder() {
        tables[0][b as usize] += 1;
    }
    let mut counts = tables[0];
    for table in &tables[1..] {
        for (c, &t) in counts.iter_mut().zip(table) {
            *c += t;
        }
    }
    counts
}

/// `c·log2 c` for every count a region can hold (0 for 0).
fn c_log2_c_table() -> &'static [f64] {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=REGION as u32)
            .map(|c| {
                if c == 0 {
                    0.0
                } else {
                    f64::from(c) * f64::from(c).log2()
                }
            })
            .collect()
    })
}

/// One region's statistics from its byte counts (`len` bytes, ≥ 1).
fn region_stats(offset: u64, len: usize, counts: &[u32; 256]) -> Region {
    let n = len as f64;
    // H = −Σ (c/n)·log2(c/n) = log2 n − Σ c·log2 c / n, and
    // χ² = Σ (c − n/256)² / (n/256) = 256·Σ c² / n − n: a table lookup and
    // integer sums per value instead of a logarithm and a division.
    let table = c_log2_c_table();
    let mut c_log_c = 0.0f64;
    let mut squares = 0u64;
    let mut printable = 0u32;
    for (value, &c) in counts.iter().enumerate() {
        c_log_c += match table.get(c as usize) {
            Some(&x) => x,
            None => f64::from(c) * f64::from(c).log2(),
        };
        squares += u64::from(c) * u64::from(c);
        if (0x20..0x7f).contains(&value) || matches!(value, 9 | 10 | 13) {
            printable += c;
        }
    }
    let entropy = (n.log2() - c_log_c / n).max(0.0);
    let chi2 = 256.0 * squares as f64 / n - n;
    let cipher_like = if len >= 256 {
        // Expected entropy of n uniform bytes falls below 8 for small n.
        let floor = if len >= 2048 { 7.8 } else { 7.0 };
        entropy >= floor && chi2 <= CHI2_UNIFORM_MAX
    } else if len >= 48 {
        entropy >= (n.log2() - 0.9).min(7.0) && counts.iter().all(|&c| (c as f64) < 4.0 + n / 32.0)
    } else {
        false
    };
    Region {
        offset,
        len: len as u32,
        entropy: entropy as f32,
        chi2: chi2 as f32,
        printable: (printable as f64 / n) as f32,
        cipher_like,
        encoded_random: encoded_random(counts, len),
    }
}

/// base64 or hex text whose symbols are uniform (encoded ciphertext).
fn encoded_random(counts: &[u32; 256], len: usize) -> bool {
    if len < 256 {
        return false;
    }
    let sym = |b: u8| counts[b as usize];
    let newlines = sym(b'\n') + sym(b'\r') + sym(b'=');
    let hex: Vec<u32> = (b'0'..=b'9').chain(b'a'..=b'f').map(sym).collect();
    let hex_upper: Vec<u32> = (b'0'..=b'9').chain(b'A'..=b'F').map(sym).collect();
    for set in [&hex, &hex_upper] {
        let total: u32 = set.iter().sum();
        if total + newlines >= len as u32 * 98 / 100 && total > 0 {
            return chi2_of(set) <= CHI2_HEX_MAX;
        }
    }
    let b64: Vec<u32> = (b'A'..=b'Z')
        .chain(b'a'..=b'z')
        .chain(b'0'..=b'9')
        .map(sym)
        .chain([sym(b'+') + sym(b'-'), sym(b'/') + sym(b'_')])
        .collect();
    let total: u32 = b64.iter().sum();
    if total + newlines >= len as u32 * 98 / 100 && total > 0 {
        return chi2_of(&b64) <= CHI2_BASE64_MAX;
    }
    false
}

fn chi2_of<T: Copy + Into<u64>>(counts: &[T]) -> f64 {
    let n: u64 = counts.iter().map(|&c| c.into()).sum();
    let expected = n as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| {
            let d = c.into() as f64 - expected;
            d * d / expected
        })
        .sum()
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The type from the head of the file.
fn sniff(head: &[u8], len: u64) -> Kind {
    if len == 0 {
        return Kind::Empty;
    }
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        if head.len() > 38 && &head[30..38] == b"mimetype" {
            return Kind::Odf;
        }
        if find(head, b"[Content_Types].xml").is_some()
            || find(head, b"word/").is_some()
            || find(head, b"xl/").is_some()
            || find(head, b"ppt/").is_some()
        {
            return Kind::Ooxml;
        }
        return Kind::Zip;
    }
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Kind::Pdf;
    }
    let magic: &[(&[u8], Kind)] = &[
        (b"\xFF\xD8\xFF", Kind::Jpeg),
        (b"\x89PNG\r\n\x1a\n", Kind::Png),
        (b"GIF87a", Kind::Gif),
        (b"GIF89a", Kind::Gif),
        (b"II*\x00", Kind::Tiff),
        (b"MM\x00*", Kind::Tiff),
        (b"\x1a\x45\xdf\xa3", Kind::Matroska),
        (b"ID3", Kind::Mp3),
        (b"OggS", Kind::Ogg),
        (b"fLaC", Kind::Flac),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Kind::Ole),
        (b"\x1f\x8b\x08", Kind::Gzip),
        (b"BZh", Kind::Bzip2),
        (b"\xFD7zXZ\x00", Kind::Xz),
        (b"\x28\xB5\x2F\xFD", Kind::Zstd),
        (b"7z\xBC\xAF\x27\x1C", Kind::SevenZ),
        (b"Rar!\x1A\x07", Kind::Rar),
        (b"SQLite format 3\x00", Kind::Sqlite),
        (b"!BDN", Kind::Pst),
        (b"\x7fELF", Kind::Elf),
        (b"Salted__", Kind::OpenSsl),
        (b"age-encryption.org/", Kind::Age),
        (b"-----BEGIN PGP MESSAGE-----", Kind::OpenPgp),
    ];
    for (m, kind) in magic {
        if starts(m) {
            return *kind;
        }
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" {
        return if &head[8..12] == b"WEBP" {
            Kind::Webp
        } else {
            Kind::Riff
        };
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return Kind::IsoMedia;
    }
    if head.len() >= 64 && starts(b"MZ") {
        return Kind::Exe;
    }
    if head.len() >= 26 && starts(b"BM") && head[6..10] == [0, 0, 0, 0] {
        return Kind::Bmp;
    }
    if is_openpgp(head) {
        return Kind::OpenPgp;
    }
    text_kind(head)
}

/// A PKESK/SKESK packet opening a gpg message (old or new packet format)
/// with a version byte that makes sense.
fn is_openpgp(head: &[u8]) -> bool {
    if head.len() < 8 {
        return false;
    }
    let (tag, body) = match head[0] {
        0x84 | 0x8c => (head[0] >> 2 & 0x0f, &head[2..]), // one-byte length
        0x85 | 0x8d => (head[0] >> 2 & 0x0f, &head[3..]), // two-byte length
        0xc1 | 0xc3 => (head[0] & 0x3f, &head[2..]),
        _ => return false,
    };
    match tag {
        1 => matches!(body[0], 3 | 6), // PKESK v3/v6
        3 => matches!(body[0], 4..=6), // SKESK v4..v6
        _ => false,
    }
}

fn text_kind(head: &[u8]) -> Kind {
    if head.is_empty() {
        return Kind::Unknown;
    }
    if let Some(kind) = binary_or_utf16(head) {
        return kind;
    }
    let is_text = decodes_cleanly(encoding_rs::UTF_8, head)
        || decodes_cleanly(encoding_rs::SHIFT_JIS, head)
        || decodes_cleanly(encoding_rs::EUC_JP, head);
    if !is_text {
        return Kind::Unknown;
    }
    encoded_text_kind(head)
}

/// A control byte (tab, newlines, form feed and escape are text).
fn is_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, 9 | 10 | 12 | 13 | 27)) || b == 0x7f
}

/// `Some(Text)` for UTF-16, `Some(Unknown)` for binary (over 1 % control
/// bytes), `None` for anything else (text in an 8-bit encoding, or not).
///
/// One pass counting zeros at even and odd offsets and control bytes, in
/// blocks; it stops once the result is settled — ASCII-as-UTF-16 out of
/// reach and the control bytes over the line — which for binary (nearly
/// every file the guard probes) is within the first tenth or so.
fn binary_or_utf16(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Some(Kind::Text);
    }
    let pairs_total = head.len() / 2;
    let (mut even_zeros, mut odd_zeros, mut controls) = (0usize, 0usize, 0usize);
    let mut pairs_seen = 0usize;
    let mut settled = false;
    for block in head.chunks(512) {
        let mut pairs = block.chunks_exact(2);
        for pair in &mut pairs {
            even_zeros += usize::from(pair[0] == 0);
            odd_zeros += usize::from(pair[1] == 0);
            controls += usize::from(is_control(pair[0])) + usize::from(is_control(pair[1]));
        }
        pairs_seen += block.len() / 2;
        for &b in pairs.remainder() {
            // Only the last block can be odd: this is the head's last byte.
            even_zeros += usize::from(b == 0);
            controls += usize::from(is_control(b));
        }
        // Even if every pair still to come had its odd byte zero.
        let ascii_reachable = (odd_zeros + (pairs_total - pairs_seen)) * 10 >= pairs_total * 9;
        if !ascii_reachable && controls * 100 > head.len() {
            settled = true;
            break;
        }
    }
    let ascii = !settled && odd_zeros * 10 >= pairs_total * 9 && even_zeros * 10 < pairs_total;
    // UTF-16 without BOM: ASCII has every other byte zero; Japanese has
    // code units in the kana/kanji and fullwidth ranges.
    if ascii || (head.len() >= 64 && utf16le_mostly_japanese(head)) {
        return Some(Kind::Text);
    }
    (controls * 100 > head.len()).then_some(Kind::Unknown)
}

/// Text that decodes cleanly: plain, or hex / base64 (ciphertext written
/// out as text).
fn encoded_text_kind(head: &[u8]) -> Kind {
    let plain = head.iter().filter(|&&b| b.is_ascii_alphanumeric()).count();
    let spaces = head.iter().filter(|&&b| b == b' ').count();
    // Encoded text: nothing but symbols of the alphabet, no spaces, and
    // (for base64) upper case, lower case and digits all present.
    if head.len() >= 64 && spaces == 0 {
        let lines = head
            .iter()
            .filter(|&&b| matches!(b, 10 | 13 | b'='))
            .count();
        let is_hex = head
            .iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, 10 | 13));
        let has = |f: fn(&u8) -> bool| head.iter().any(f);
        if is_hex && plain + lines == head.len() && has(u8::is_ascii_alphabetic) {
            return Kind::HexText;
        }
        let b64 = head
            .iter()
            .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
            .count();
        if b64 + lines == head.len()
            && has(u8::is_ascii_uppercase)
            && has(u8::is_ascii_lowercase)
            && has(u8::is_ascii_digit)
        {
            return Kind::Base64Text;
        }
    }
    Kind::Text
}

/// Whether 90 % or more of the UTF-16LE code units are ASCII text, kana,
/// kanji, CJK punctuation or fullwidth forms (random bytes: under half).
/// Stops as soon as the misses rule it out.
fn utf16le_mostly_japanese(head: &[u8]) -> bool {
    let units = head.len() / 2;
    let mut misses = 0usize;
    for pair in head.chunks_exact(2) {
        let unit = u16::from_le_bytes([pair[0], pair[1]]);
        let common = matches!(unit, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x3000..=0x30FF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF);
        if !common {
            misses += 1;
            // Past a tenth (with a unit to spare): the share is surely below 0.9.
            if misses * 10 > units + 10 {
                return false;
            }
        }
    }
    (units - misses) as f32 / units.max(1) as f32 >= 0.9
}

/// Decodes without error; a character cut at the end of the region is fine.
fn decodes_cleanly(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> bool {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![0u8; bytes.len() * 3 + 16];
    let (result, _, _) = decoder.decode_to_utf8_without_replacement(bytes, &mut out, false);
    !matches!(result, encoding_rs::DecoderResult::Malformed(..))
}

#[cfg(test)]
mod tests;

//! Limits on what one top-level file may expand into.

use crate::FormatError;
use std::cell::Cell;
use std::io::Read;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Containers inside containers (a.zip!/b.zip!/c.csv is depth 2).
    pub max_depth: u32,
    /// Bytes all members and parts of one top-level file may expand to.
    pub max_expanded_bytes: u64,
    /// Bytes one member (or one zipped XML part) may expand to.
    pub max_member_bytes: u64,
    /// Expanded/compressed ratio above which a member is a bomb (members
    /// that expand to less than [`Limits::ratio_floor`] are exempt).
    pub max_ratio: u64,
    pub ratio_floor: u64,
    /// Members (archive entries, attachments, sheets) per top-level file.
    pub max_members: u64,
    /// Cells read per sheet; the rest of a huge sheet is skipped.
    pub max_cells_per_sheet: u64,
    /// Columns read per sheet row.
    pub max_columns: u32,
    /// Wall time for one top-level file, members included.
    pub max_time: Duration,
    /// Largest container read into memory (archives inside archives, mail attachments).
    pub max_container_bytes: u64,
    /// How PDF text is read (in process with poppler as the fallback, by default).
    pub pdf_text: PdfText,
}

/// Which extractor reads a PDF's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfText {
    /// The in-process reader; poppler's `pdftotext` where it cannot decode
    /// a font or the file (see `pdf`).
    #[default]
    Auto,
    /// Always poppler (the reference the in-process reader is tested against).
    Poppler,
    /// Only the in-process reader: a PDF it cannot read is an error
    /// (for tests and benchmarks).
    InProcess,
}

impl PdfText {
    /// `MAMORI_PDF_TEXT=poppler|inprocess|auto` (benchmarks compare the
    /// readers with it); anything else or unset is [`PdfText::Auto`].
    pub fn from_env() -> Self {
        match std::env::var("MAMORI_PDF_TEXT").as_deref() {
            Ok("poppler") => PdfText::Poppler,
            Ok("inprocess") => PdfText::InProcess,
            _ => PdfText::Auto,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 5,
            max_expanded_bytes: 1 << 30,
            max_member_bytes: 256 << 20,
            max_ratio: 1000,
            ratio_floor: 8 << 20,
            max_members: 20_000,
            max_cells_per_sheet: 4_000_000,
            max_columns: 1024,
            max_time: Duration::from_secs(120),
            max_container_bytes: 512 << 20,
            pdf_text: PdfText::from_env(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Cap {
    Ratio,
    Total,
    Member,
}

/// What one top-level file has used of its [`Limits`].
#[derive(Debug)]
pub struct Budget {
    pub limits: Limits,
    expanded: Cell<u64>,
    members: Cell<u64>,
    started: Instant,
}

impl Budget {
    /// A whole container in memory (mail, PDF), refused above the
    /// per-container limit; `format` names it in errors.
    pub(crate) fn read_container(
        &self,
        source: &mut dyn Read,
        format: &'static str,
    ) -> Result<Vec<u8>, FormatError> {
        let mut bytes = Vec::new();
        source
            .take(self.limits.max_container_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| FormatError::corrupt(format, e))?;
        if bytes.len() as u64 > self.limits.max_container_bytes {
            return Err(FormatError::Limit(format!(
                "a {format} larger than {} MiB",
                self.limits.max_container_bytes >> 20
            )));
        }
        Ok(bytes)
    }

    pub fn new(limits: Limits) -> Self {
        Budget {
            limits,
            expanded: Cell::new(0),
            members: Cell::new(0),
            started: Instant::now(),
        }
    }

    pub fn expanded_bytes(&self) -> u64 {
        self.expanded.get()
    }

    /// Time left before the file's deadline.
    pub fn time_left(&self) -> Duration {
        self.limits.max_time.saturating_sub(self.started.elapsed())
    }

    pub fn check_time(&self) -> Result<(), FormatError> {
        if self.time_left().is_zero() {
            return Err(FormatError::Limit(format!(
                "reading took longer than {} s",
                self.limits.max_time.as_secs()
            )));
        }
        Ok(())
    }

    /// Counts one more member.
    pub fn member(&self) -> Result<(), FormatError> {
        self.members.set(self.members.get() + 1);
        if self.members.get() > self.limits.max_members {
            return Err(FormatError::Limit(format!(
                "more than {} members",
                self.limits.max_members
            )));
        }
        self.check_time()
    }

    /// Counts what a member expands to without keeping it (a preflight of
    /// a zipped workbook); stops at the first byte past a limit.
    pub fn drain_expanded(
        &self,
        reader: &mut dyn Read,
        compressed: u64,
    ) -> Result<u64, FormatError> {
        let cap = self.cap(compressed);
        let mut buf = [0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FormatError::corrupt("compressed data", e)),
            };
            total += n as u64;
            if total > cap.0 {
                return Err(FormatError::Limit(self.why(cap)));
            }
        }
    }

    /// What [`Budget::drain_expanded`] does (same cap, same errors), but
    /// keeping the bytes: the xlsx preflight keeps the XML parts it will
    /// read instead of inflating them twice. Not charged (the caller
    /// charges the preflight's total, as after draining).
    pub(crate) fn read_uncharged(
        &self,
        reader: &mut dyn Read,
        compressed: u64,
        declared: u64,
    ) -> Result<Vec<u8>, FormatError> {
        let cap = self.cap(compressed);
        // The declared size may lie: it only sizes the first allocation.
        let mut out = Vec::with_capacity(declared.min(cap.0).min(16 << 20) as usize + 1);
        reader
            .take(cap.0.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| FormatError::corrupt("compressed data", e))?;
        if out.len() as u64 > cap.0 {
            return Err(FormatError::Limit(self.why(cap)));
        }
        // A size that lied high must not stay reserved while parts are kept.
        if out.capacity() - out.len() > 1 << 20 {
            out.shrink_to_fit();
        }
        Ok(out)
    }

    /// Charges bytes expanded elsewhere against the total.
    pub fn charge(&self, bytes: u64) -> Result<(), FormatError> {
        self.expanded.set(self.expanded.get().saturating_add(bytes));
        if self.expanded.get() > self.limits.max_expanded_bytes {
            return Err(FormatError::Limit(self.why((0, Cap::Total))));
        }
        self.check_time()
    }

    fn cap(&self, compressed: u64) -> (u64, Cap) {
        let remaining = self
            .limits
            .max_expanded_bytes
            .saturating_sub(self.expanded.get());
        let by_ratio = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(self.limits.ratio_floor);
        let mut cap = (self.limits.max_member_bytes, Cap::Member);
        if remaining < cap.0 {
            cap = (remaining, Cap::Total);
        }
        if by_ratio < cap.0 {
            cap = (by_ratio, Cap::Ratio);
        }
        cap
    }

    fn why(&self, cap: (u64, Cap)) -> String {
        match cap.1 {
            Cap::Ratio => format!(
                "expands more than {}x its stored size (zip bomb?)",
                self.limits.max_ratio
            ),
            Cap::Total => format!(
                "the file expands to more than {} MiB in total",
                self.limits.max_expanded_bytes >> 20
            ),
            Cap::Member => format!(
                "a member larger than {} MiB",
                self.limits.max_member_bytes >> 20
            ),
        }
    }

    /// Reads a member that was stored in `compressed` bytes, stopping at the
    /// first byte past any limit: memory never holds more than the limit.
    pub fn read_expanded(
        &self,
        reader: &mut dyn Read,
        compressed: u64,
    ) -> Result<Vec<u8>, FormatError> {
        let cap = self.cap(compressed);
        let mut out = Vec::new();
        let mut limited = reader.take(cap.0.saturating_add(1));
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = match limited.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(FormatError::corrupt("compressed data", e)),
            };
            out.extend_from_slice(&buf[..n]);
            if out.len() as u64 > cap.0 {
                return Err(FormatError::Limit(self.why(cap)));
            }
            self.check_time()?;
        }
        self.expanded.set(self.expanded.get() + out.len() as u64);
        Ok(out)
    }
}

impl Budget {
    /// [`Budget::read_expanded`] (same caps, same errors, same time checks,
    /// same charge) for a member whose expanded size is `declared`: the
    /// bytes are inflated straight into one buffer of about that size
    /// rather than through a 64 KiB bounce buffer into a growing one.
    pub(crate) fn read_expanded_sized(
        &self,
        reader: &mut dyn Read,
        compressed: u64,
        declared: u64,
    ) -> Result<Vec<u8>, FormatError> {
        const CHUNK: u64 = 64 * 1024;
        let cap = self.cap(compressed);
        // The declared size may lie: it only sizes the first allocation
        // (+1 so that reaching the end needs no growth).
        let mut out = Vec::with_capacity(declared.min(cap.0).min(16 << 20) as usize + 1);
        let mut limited = reader.take(cap.0.saturating_add(1));
        loop {
            let n = (&mut limited)
                .take(CHUNK)
                .read_to_end(&mut out)
                .map_err(|e| FormatError::corrupt("compressed data", e))?;
            if n == 0 {
                break;
            }
            if out.len() as u64 > cap.0 {
                return Err(FormatError::Limit(self.why(cap)));
            }
            self.check_time()?;
        }
        // A size that lied high must not stay reserved.
        if out.capacity() - out.len() > 1 << 20 {
            out.shrink_to_fit();
        }
        self.expanded.set(self.expanded.get() + out.len() as u64);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bomb_stops_at_the_ratio() {
        let limits = Limits {
            ratio_floor: 1024,
            max_ratio: 10,
            ..Limits::default()
        };
        let budget = Budget::new(limits);
        let zeros = vec![0u8; 1 << 20];
        let err = budget.read_expanded(&mut &zeros[..], 100).unwrap_err();
        assert!(err.to_string().contains("zip bomb"), "{err}");
        let ok = budget.read_expanded(&mut &zeros[..1000], 100).unwrap();
        assert_eq!(ok.len(), 1000);
    }

    #[test]
    fn the_total_is_bounded() {
        let limits = Limits {
            max_expanded_bytes: 1500,
            ..Limits::default()
        };
        let budget = Budget::new(limits);
        let data = vec![1u8; 1000];
        budget.read_expanded(&mut &data[..], 1000).unwrap();
        assert!(budget.read_expanded(&mut &data[..], 1000).is_err());
    }

    #[test]
    fn sized_reads_keep_every_limit() {
        let limits = Limits {
            ratio_floor: 1024,
            max_ratio: 10,
            max_expanded_bytes: 300_000,
            ..Limits::default()
        };
        let zeros = vec![0u8; 1 << 20];
        for declared in [0, 10, 1000, 1 << 20, u64::MAX] {
            let budget = Budget::new(limits);
            let err = budget
                .read_expanded_sized(&mut &zeros[..], 100, declared)
                .unwrap_err();
            assert!(err.to_string().contains("zip bomb"), "{err}");
            let ok = budget
                .read_expanded_sized(&mut &zeros[..1000], 100, declared)
                .unwrap();
            assert_eq!(ok.len(), 1000);
            assert_eq!(budget.expanded_bytes(), 1000);
            // Past the total: 139 000 bytes left after the first.
            let big = vec![7u8; 160_000];
            let ok = budget
                .read_expanded_sized(&mut &big[..], 100_000, declared)
                .unwrap();
            assert_eq!(ok, big);
            let err = budget
                .read_expanded_sized(&mut &big[..], 100_000, declared)
                .unwrap_err();
            assert!(err.to_string().contains("in total"), "{err}");
            // The same answers as the unsized read.
            let reference = Budget::new(limits);
            reference.read_expanded(&mut &zeros[..1000], 100).unwrap();
            reference.read_expanded(&mut &big[..], 100_000).unwrap();
            assert_eq!(reference.expanded_bytes(), 161_000);
            assert_eq!(budget.expanded_bytes(), 161_000);
        }
    }
}

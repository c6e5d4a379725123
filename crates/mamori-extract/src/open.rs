//! Opening a file read-only without touching its access time.

use std::fs::{File, OpenOptions};
use std::io::{self, Chain, Cursor, Read, Seek, SeekFrom, Take};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::chunks::TextChunks;
use crate::decode::{detect_encoding, DecodingReader, TextEncoding};
use crate::sniff::{sniff, Kind, SNIFF_BYTES};
use crate::walk::Stamp;
use crate::ExtractError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Text is read up to this many bytes; a larger file is flagged
    /// ([`Opened::truncated`]).
    pub max_file_bytes: u64,
    /// Maximum bytes of UTF-8 text per chunk.
    pub chunk_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 << 30,
            chunk_bytes: 1 << 20,
        }
    }
}

/// The bytes of an opened file: the head already read, then the rest of the
/// descriptor, capped at `max_file_bytes` in total.
pub type FileSource = Chain<Cursor<Vec<u8>>, Take<File>>;

/// An open regular file whose head has been read and sniffed.
#[derive(Debug)]
pub struct Opened {
    pub kind: Kind,
    /// Set for text kinds (Text, Delimited, eml).
    pub encoding: Option<TextEncoding>,
    /// Size at open time (from `fstat` on the descriptor).
    pub size: u64,
    /// Identity at open time, to compare with the walk's stamp.
    pub stamp: Stamp,
    /// The file is larger than `max_file_bytes`: readers stop there.
    pub truncated: bool,
    /// Whether `O_NOATIME` was in effect (it needs ownership or CAP_FOWNER).
    pub noatime: bool,
    file: File,
    head: Vec<u8>,
    limits: Limits,
}

/// Opens `path` read-only (with `O_NOATIME` when allowed), refuses anything
/// but a regular file, reads the head, sniffs it and detects the encoding
/// of text.
pub fn open(path: &Path, limits: &Limits) -> Result<Opened, ExtractError> {
    let (file, noatime) = open_readonly(path)?;
    let md = file.metadata()?;
    let ft = md.file_type();
    if !ft.is_file() {
        return Err(ExtractError::NotRegularFile(if ft.is_dir() {
            "directory"
        } else if ft.is_fifo() {
            "FIFO"
        } else if ft.is_char_device() {
            "character device"
        } else if ft.is_block_device() {
            "block device"
        } else if ft.is_socket() {
            "socket"
        } else {
            "unknown type"
        }));
    }
    clear_nonblock(&file)?;
    let stamp = Stamp::from_metadata(&md);
    let head_cap = SNIFF_BYTES.min(usize::try_from(limits.max_file_bytes).unwrap_or(usize::MAX));
    let mut head = Vec::with_capacity(head_cap);
    (&file).take(head_cap as u64).read_to_end(&mut head)?;
    let kind = sniff(path, &head);
    let encoding = kind.is_text().then(|| detect_encoding(&head));
    Ok(Opened {
        kind,
        encoding,
        size: stamp.size,
        stamp,
        truncated: stamp.size > limits.max_file_bytes,
        noatime,
        file,
        head,
        limits: *limits,
    })
}

/// `O_NOFOLLOW`: a symlink swapped in after the walk is refused (ELOOP).
/// `O_NONBLOCK`: opening a FIFO swapped in would otherwise block forever.
fn open_readonly(path: &Path) -> Result<(File, bool), ExtractError> {
    let base = libc::O_NOFOLLOW | libc::O_NONBLOCK;
    let attempt = |flags: i32| OpenOptions::new().read(true).custom_flags(flags).open(path);
    match attempt(base | libc::O_NOATIME) {
        Ok(f) => Ok((f, true)),
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => match attempt(base) {
            Ok(f) => Ok((f, false)),
            Err(e) => Err(ExtractError::from_io(e)),
        },
        Err(e) => Err(ExtractError::from_io(e)),
    }
}

/// Regular files ignore O_NONBLOCK on local filesystems, but some network
/// filesystems honour it with EAGAIN, so it goes once the type is known.
fn clear_nonblock(file: &File) -> Result<(), ExtractError> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(ExtractError::from_io(io::Error::last_os_error()));
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(ExtractError::from_io(io::Error::last_os_error()));
    }
    Ok(())
}

impl Opened {
    /// The first bytes, as sniffed (at most 64 KiB).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// `Err(TooLarge)` when the file exceeds the limit, for readers that
    /// cannot use a truncated file.
    pub fn require_whole(&self) -> Result<(), ExtractError> {
        if self.truncated {
            Err(ExtractError::TooLarge {
                size: self.size,
                limit: self.limits.max_file_bytes,
            })
        } else {
            Ok(())
        }
    }

    /// The raw bytes from the start, head included, capped at
    /// `max_file_bytes`.
    pub fn into_source(self) -> FileSource {
        let rest = self
            .limits
            .max_file_bytes
            .saturating_sub(self.head.len() as u64);
        Cursor::new(self.head).chain(self.file.take(rest))
    }

    /// A UTF-8 stream of the whole file (up to the limit), for CSV parsing.
    /// Non-text kinds are decoded as UTF-8 with replacements.
    pub fn into_reader(self) -> DecodingReader<FileSource> {
        let enc = self.encoding.unwrap_or(TextEncoding::Utf8);
        DecodingReader::new(self.into_source(), enc)
    }

    /// The text in chunks of at most `chunk_bytes`.
    pub fn into_chunks(self) -> TextChunks<DecodingReader<FileSource>> {
        let max = self.limits.chunk_bytes;
        TextChunks::new(self.into_reader(), max)
    }

    /// Raw bytes (for binary formats), head included, capped at
    /// `max_file_bytes` like the text readers.
    pub fn into_raw(self) -> impl Read {
        self.into_source()
    }

    /// The descriptor itself, rewound, for formats that need to seek (zip,
    /// OLE). Not capped: check [`Opened::require_whole`] first.
    pub fn into_file(mut self) -> Result<File, ExtractError> {
        self.file.seek(SeekFrom::Start(0))?;
        Ok(self.file)
    }
}

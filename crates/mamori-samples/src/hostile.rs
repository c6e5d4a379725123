//! Bad inputs for robustness tests. Each case says what the scanner should
//! do with it; none may crash or hang a scan.

use crate::encodings::{encode, Enc};
use crate::SampleError;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostileKind {
    InvalidBytes,
    Empty,
    NonUtf8Name,
    SymlinkLoop,
    Fifo,
    LongLine,
    Unreadable,
    BinaryCsv,
}

/// What the scan report should show for a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// A regular file: listed in `files`, with `error: null`.
    Listed,
    /// A regular file: listed in `files`; an `error` reason is acceptable.
    ListedMayError,
    /// Not a regular file (FIFO, symlink): must not be opened for reading,
    /// must not hang, and is not listed as a file.
    NotListed,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostileCase {
    /// Path relative to the root; a non-UTF-8 name is shown lossily here and
    /// given exactly in `raw_name`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_name: Option<Vec<u8>>,
    pub kind: HostileKind,
    pub expect: Expect,
    pub note: &'static str,
}

pub fn generate_hostile(
    root: &Path,
    long_line_bytes: u64,
) -> Result<Vec<HostileCase>, SampleError> {
    use std::os::unix::ffi::OsStrExt;
    std::fs::create_dir_all(root).map_err(|e| SampleError::io(root, e))?;
    let mut cases = Vec::new();
    let put = |rel: &str, bytes: &[u8]| -> Result<(), SampleError> {
        let p = root.join(rel);
        std::fs::write(&p, bytes).map_err(|e| SampleError::io(&p, e))
    };

    // Shift_JIS text with broken sequences in the middle (a lead byte cut
    // off, 0xFF which no Japanese encoding uses, a lone continuation).
    let mut bad = encode("氏名,電話番号\r\n山田 太郎,", Enc::ShiftJis)?;
    bad.extend_from_slice(&[0x82, 0xFF, 0x80, 0xFE, 0x81]);
    bad.extend_from_slice(&encode(",090-1234-5678\r\n", Enc::ShiftJis)?);
    put("壊れた文字.csv", &bad)?;
    cases.push(HostileCase {
        path: "壊れた文字.csv".into(),
        raw_name: None,
        kind: HostileKind::InvalidBytes,
        expect: Expect::Listed,
        note: "decode with replacement; the readable rest may still be scanned",
    });

    put("空.csv", &[])?;
    cases.push(HostileCase {
        path: "空.csv".into(),
        raw_name: None,
        kind: HostileKind::Empty,
        expect: Expect::Listed,
        note: "no personal data, records 0",
    });

    // The CP932 bytes of 社員名簿.csv as a file name: an old Windows or a
    // misconfigured Samba (unix charset) leaves such names on disk.
    let raw = encode("社員名簿_旧.csv", Enc::ShiftJis)?;
    let p = root.join(std::ffi::OsStr::from_bytes(&raw));
    let body = encode("氏名,生年月日\r\n佐藤 花子,1985/04/01\r\n", Enc::ShiftJis)?;
    std::fs::write(&p, body).map_err(|e| SampleError::io(&p, e))?;
    cases.push(HostileCase {
        path: String::from_utf8_lossy(&raw).into_owned(),
        raw_name: Some(raw),
        kind: HostileKind::NonUtf8Name,
        expect: Expect::Listed,
        note: "listed under its name decoded from CP932 (社員名簿_旧.csv) or a lossless escape; content is scanned",
    });

    let d = root.join("リンク");
    std::fs::create_dir_all(&d).map_err(|e| SampleError::io(&d, e))?;
    for (name, target) in [("a", "b"), ("b", "a"), ("親へ", "..")] {
        let l = d.join(name);
        if std::fs::symlink_metadata(&l).is_err() {
            std::os::unix::fs::symlink(target, &l).map_err(|e| SampleError::io(&l, e))?;
        }
        cases.push(HostileCase {
            path: format!("リンク/{name}"),
            raw_name: None,
            kind: HostileKind::SymlinkLoop,
            expect: Expect::NotListed,
            note: "symlinks are not followed: no loop, no file",
        });
    }

    let fifo = root.join("パイプ.csv");
    if std::fs::symlink_metadata(&fifo).is_err() {
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes())
            .map_err(|e| SampleError::Usage(format!("FIFO path: {e}")))?;
        // SAFETY: `c` is a valid NUL-terminated path; mkfifo only reads it.
        let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
        if rc != 0 {
            return Err(SampleError::io(&fifo, std::io::Error::last_os_error()));
        }
    }
    cases.push(HostileCase {
        path: "パイプ.csv".into(),
        raw_name: None,
        kind: HostileKind::Fifo,
        expect: Expect::NotListed,
        note: "a FIFO must never be opened (opening blocks until a writer comes)",
    });

    // One line without a newline, written in chunks to keep memory flat.
    let long = root.join("一行.csv");
    let mut fh = std::fs::File::create(&long).map_err(|e| SampleError::io(&long, e))?;
    let chunk: Vec<u8> = b"0123456789,abcdefghij,".repeat(2978);
    let mut left = long_line_bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        fh.write_all(&chunk[..n])
            .map_err(|e| SampleError::io(&long, e))?;
        left -= n as u64;
    }
    drop(fh);
    cases.push(HostileCase {
        path: "一行.csv".into(),
        raw_name: None,
        kind: HostileKind::LongLine,
        expect: Expect::ListedMayError,
        note: "bounded memory; may be reported as too large",
    });

    let unread = root.join("閲覧禁止.csv");
    std::fs::write(&unread, encode("氏名\r\n鈴木 一郎\r\n", Enc::ShiftJis)?)
        .map_err(|e| SampleError::io(&unread, e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&unread, std::fs::Permissions::from_mode(0o000))
            .map_err(|e| SampleError::io(&unread, e))?;
    }
    cases.push(HostileCase {
        path: "閲覧禁止.csv".into(),
        raw_name: None,
        kind: HostileKind::Unreadable,
        expect: Expect::ListedMayError,
        note: "mode 000: listed with a permission error (root can still read it)",
    });

    let junk: Vec<u8> = (0u32..8192)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    put("データ.csv", &junk)?;
    cases.push(HostileCase {
        path: "データ.csv".into(),
        raw_name: None,
        kind: HostileKind::BinaryCsv,
        expect: Expect::Listed,
        note: "binary despite .csv: no personal data (or an error), no garbage matches",
    });
    Ok(cases)
}

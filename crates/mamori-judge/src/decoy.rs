//! Decoy files: bait placed where encryptors start.
//!
//! Encryptors walk a share in directory order, root first, so a decoy that
//! sorts first in the share root and in every large folder is among the
//! first files touched. `!` sorts before digits, letters and kana both in
//! Windows Explorer (symbols first) and in `ls` (byte order and ICU
//! collation alike), and `!0000_` before any name a person types.
//!
//! The decoys are real small Office files (a docx and an xlsx, stored zip
//! entries written here without a zip library), dated in the past, large
//! enough (tens of KB) not to be skipped as "tiny". Users do not see them:
//! each carries the DOS hidden attribute where Samba keeps it
//! (`user.DOSATTRIB`, read with `store dos attributes = yes`, Samba's
//! default), and `hide files = /!0000_*/` ([`SAMBA_HIDE_FILES`]) sets it
//! on shares that store no DOS attributes. Explorer with "show hidden
//! files" still lists them, which is what the encryptor sees too — an
//! attacker that skips hidden files is left to the content judgement.
//!
//! Decoys go where ransomware does harm and people rarely clean up
//! wholesale: the root and large folders that mostly hold documents. A
//! build-output, cache or temp folder (by name, or by holding mostly
//! non-document files) gets none, since deleting such a folder is routine.
//!
//! Directory order as the server returns it is the file system's `readdir`
//! order, not name order (ext4: a seeded hash of the name); [`place`]
//! therefore tries a few variants of each name and keeps the one listed
//! earliest ([`seek_early`]).
//!
//! The guard calls [`plan`] then [`place`] at start, [`refresh`] now and
//! then (a decoy rewritten by a backup restore or deleted by a user is put
//! back), registers the share-relative paths with
//! [`crate::Judge::register_decoys`], and must not feed its own writes to
//! the judge. A decoy is never anyone's data: the incident assessment leaves
//! names with the decoy prefix (`mamori_core::is_decoy_path`) out of the
//! files an attacker touched; a scan lists decoys as files without personal
//! data (their content holds none), and a rollback puts them back like any
//! file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Every decoy's file name starts with this.
pub const PREFIX: &str = mamori_core::DECOY_PREFIX;
/// The decoys in each chosen folder.
pub const NAMES: &[&str] = &["!0000_顧客台帳_2024.xlsx", "!0000_見積書_最新版.docx"];
/// Value for Samba's `hide files` so users do not see decoys.
pub const SAMBA_HIDE_FILES: &str = "/!0000_*/";
/// A folder with at least this many entries gets its own decoys.
pub const LARGE_FOLDER: usize = 40;
/// At most this many folders get decoys (the root always does).
pub const MAX_FOLDERS: usize = 32;
/// Folders looked at when planning (bounded walk).
const MAX_SCANNED_DIRS: usize = 5000;
/// How deep large folders are searched for.
const MAX_DEPTH: usize = 4;

/// Whether a path names a decoy.
pub fn is_decoy_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(mamori_core::is_decoy_path)
}

/// Where decoys go: the share root and its largest folders (absolute paths).
pub fn plan(share_root: &Path) -> Vec<PathBuf> {
    let mut large: Vec<(usize, PathBuf)> = Vec::new();
    let mut queue = std::collections::VecDeque::from([(share_root.to_path_buf(), 0usize)]);
    let mut scanned = 0;
    while let Some((dir, depth)) = queue.pop_front() {
        scanned += 1;
        if scanned > MAX_SCANNED_DIRS {
            break;
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let (mut count, mut files, mut documents) = (0, 0, 0);
        for entry in entries.flatten() {
            count += 1;
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if depth < MAX_DEPTH && !hidden && kind.is_dir() {
                queue.push_back((entry.path(), depth + 1));
            } else if kind.is_file() {
                files += 1;
                documents += usize::from(is_document_name(Path::new(&name)));
            }
        }
        if dir != share_root
            && count >= LARGE_FOLDER
            && documents * 2 >= files
            && !is_scratch_folder(&dir)
        {
            large.push((count, dir));
        }
    }
    large.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut folders = vec![share_root.to_path_buf()];
    folders.extend(large.into_iter().take(MAX_FOLDERS - 1).map(|(_, d)| d));
    folders
        .iter()
        .flat_map(|dir| NAMES.iter().map(move |name| dir.join(name)))
        .collect()
}

/// Whether a file name is a kind people keep and ransomware goes after:
/// office documents, PDFs, text and tables, pictures, archives.
fn is_document_name(name: &Path) -> bool {
    const DOCUMENTS: &[&str] = &[
        "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "odt", "ods", "odp", "pdf",
        "txt", "csv", "tsv", "rtf", "md", "jpg", "jpeg", "png", "gif", "tif", "tiff", "heic",
        "zip", "7z", "lzh", "msg", "eml", "jtd", "dwg", "mp4", "mov",
    ];
    name.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOCUMENTS.iter().any(|d| d.eq_ignore_ascii_case(e)))
}

/// Folders that tools fill and empty wholesale (build output, caches,
/// temp): a clean-up there deletes a decoy as innocently as anything else.
fn is_scratch_folder(dir: &Path) -> bool {
    const SCRATCH: &[&str] = &[
        "tmp",
        "temp",
        "cache",
        "build",
        "obj",
        "bin",
        "node_modules",
        "$recycle.bin",
        "logs",
        "log",
        "backup_tmp",
        "~snapshot",
    ];
    dir.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|n| {
            SCRATCH.iter().any(|s| {
                n == *s
                    || n.starts_with(&format!("{s}_"))
                    || n.starts_with(&format!("{s}-"))
                    || n.ends_with(&format!("_{s}"))
                    || n.ends_with(&format!(".{s}"))
            }) || n.starts_with('~')
        })
}

/// A decoy left by an earlier run under one of the names [`seek_early`]
/// tries for `planned` (same stem prefix and extension), if any.
fn earlier_decoy(planned: &Path) -> Option<PathBuf> {
    let dir = planned.parent()?;
    let name = planned.file_name()?.to_str()?;
    let (stem, ext) = name.rsplit_once('.')?;
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| {
            n.strip_suffix(ext)
                .and_then(|n| n.strip_suffix('.'))
                .and_then(|n| n.strip_prefix(stem))
                .is_some_and(|rest| {
                    rest.is_empty()
                        || rest
                            .strip_prefix('_')
                            .is_some_and(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
                })
        })
        .map(|n| dir.join(n))
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Writes every planned decoy (atomically, dated in the past) and returns
/// where they are: a decoy may be renamed to come early in directory order
/// (see [`seek_early`]); register the returned paths, not the planned ones.
pub fn place(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for path in paths {
        // A restart finds its decoys where the last run left them: reuse
        // (and repair) those rather than leave unregistered bait behind.
        if let Some(earlier) = earlier_decoy(path) {
            refresh(std::slice::from_ref(&earlier))?;
            written.push(earlier);
            continue;
        }
        write_decoy(path)?;
        written.push(seek_early(path)?);
    }
    Ok(written)
}

/// Tries this many alternative names per decoy.
const SEEK_TRIES: usize = 128;

/// Encryptors enumerate in the server's directory order, which is the
/// file system's `readdir` order, not the name order: ext4 returns entries
/// in the order of a seeded hash of their names, so a name that sorts
/// first in Explorer may come anywhere. Rename the decoy through a few
/// variants of its name (same prefix and extension) and keep the one that
/// `readdir` returns earliest. On file systems whose order does not depend
/// on the name (btrfs: creation order; tmpfs) this changes nothing and
/// stops after a few tries.
pub fn seek_early(path: &Path) -> io::Result<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Ok(path.to_path_buf());
    };
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let position = |p: &Path| -> io::Result<(usize, usize)> {
        let target = p.file_name();
        let mut at = usize::MAX;
        let mut total = 0;
        for (i, entry) in fs::read_dir(dir)?.flatten().enumerate() {
            if Some(entry.file_name().as_os_str()) == target {
                at = i;
            }
            total += 1;
        }
        Ok((at, total))
    };
    let (mut best_at, total) = position(path)?;
    let mut best = path.to_path_buf();
    let good_enough = (total / 100).max(1);
    let mut unchanged = 0;
    for i in 1..=SEEK_TRIES {
        if best_at < good_enough || unchanged >= 4 {
            break;
        }
        let candidate = dir.join(format!("{stem}_{i:03}.{ext}"));
        if candidate.exists() {
            continue;
        }
        fs::rename(&best, &candidate)
            .map_err(|e| io::Error::new(e.kind(), format!("decoy {}: {e}", best.display())))?;
        let (at, _) = position(&candidate)?;
        if at < best_at {
            best_at = at;
            best = candidate;
            unchanged = 0;
        } else {
            // back to the better name
            fs::rename(&candidate, &best).map_err(|e| {
                io::Error::new(e.kind(), format!("decoy {}: {e}", candidate.display()))
            })?;
            unchanged += usize::from(at == best_at || at + 1 >= total);
        }
    }
    Ok(best)
}

/// Puts back decoys that are missing or no longer hold their content;
/// returns those rewritten (each one is worth a look: who touched it?).
pub fn refresh(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut rewritten = Vec::new();
    for path in paths {
        let intact = fs::read(path).is_ok_and(|bytes| bytes == content(path));
        if !intact {
            write_decoy(path)?;
            rewritten.push(path.clone());
        } else if !is_marked_hidden(path) {
            // Copied back without its xattrs (a restore, an admin's cp).
            let _ = fs::File::open(path).and_then(|file| set_hidden(&file));
        }
    }
    Ok(rewritten)
}

fn write_decoy(path: &Path) -> io::Result<()> {
    let err = |e: io::Error| io::Error::new(e.kind(), format!("decoy {}: {e}", path.display()));
    let bytes = content(path);
    let tmp = path.with_file_name(format!(
        ".{}.mamori-tmp",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    let mut file = fs::File::create(&tmp).map_err(err)?;
    file.write_all(&bytes).map_err(err)?;
    // Dated like an old document, not like something just planted.
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_711_929_600); // 2024-04-01
    file.set_times(fs::FileTimes::new().set_modified(when).set_accessed(when))
        .map_err(err)?;
    // Best effort: a file system without user xattrs leaves it to `hide files`.
    let _ = set_hidden(&file);
    file.sync_all().map_err(err)?;
    drop(file);
    fs::rename(&tmp, path).map_err(err)
}

/// Samba's extended attribute for DOS attributes.
const DOSATTRIB: &std::ffi::CStr = c"user.DOSATTRIB";
/// HIDDEN | ARCHIVE in the hex form every Samba version reads (newer ones
/// write an NDR blob but still read this).
const HIDDEN_ARCHIVE: &[u8] = b"0x22\0";

fn set_hidden(file: &fs::File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid descriptor, a NUL-terminated name and a buffer of the
    // given length.
    let rc = unsafe {
        libc::fsetxattr(
            file.as_raw_fd(),
            DOSATTRIB.as_ptr(),
            HIDDEN_ARCHIVE.as_ptr().cast(),
            HIDDEN_ARCHIVE.len(),
            0,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether a decoy carries the DOS hidden attribute (Samba's
/// `user.DOSATTRIB`, in its hex form or as the NDR blob Samba writes).
pub fn is_marked_hidden(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(name) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mut buf = [0u8; 256];
    // SAFETY: NUL-terminated strings and a buffer of the given length.
    let len = unsafe {
        libc::getxattr(
            name.as_ptr(),
            DOSATTRIB.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let Ok(len) = usize::try_from(len) else {
        return false;
    };
    dos_attributes(&buf[..len]).is_some_and(|attrib| attrib & 0x2 != 0)
}

/// The attribute word of a `user.DOSATTRIB` value: "0x…" text, or the NDR
/// `xattr_DOSATTRIB` (empty hex string, version, union level; the
/// attributes at offset 8 in version 1, after the flags at 12 in 2–5).
fn dos_attributes(value: &[u8]) -> Option<u32> {
    if let Some(hex) = value.strip_prefix(b"0x") {
        let digits: Vec<u8> = hex
            .iter()
            .copied()
            .take_while(u8::is_ascii_hexdigit)
            .collect();
        return u32::from_str_radix(std::str::from_utf8(&digits).ok()?, 16).ok();
    }
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(value.get(at..at + 4)?.try_into().ok()?))
    };
    let version = u16::from_le_bytes(value.get(2..4)?.try_into().ok()?);
    match version {
        1 => word(8),
        2..=5 => word(12),
        _ => None,
    }
}

/// The decoy's bytes, by its extension: a minimal valid xlsx or docx.
pub fn content(path: &Path) -> Vec<u8> {
    let xlsx = path.extension().is_some_and(|e| e == "xlsx");
    let mut zip = ZipWriter::default();
    if xlsx {
        zip.add("[Content_Types].xml", XLSX_TYPES.as_bytes());
        zip.add("_rels/.rels", rels("xl/workbook.xml").as_bytes());
        zip.add("xl/workbook.xml", XLSX_WORKBOOK.as_bytes());
        zip.add("xl/_rels/workbook.xml.rels", XLSX_WORKBOOK_RELS.as_bytes());
        zip.add("xl/worksheets/sheet1.xml", sheet().as_bytes());
    } else {
        zip.add("[Content_Types].xml", DOCX_TYPES.as_bytes());
        zip.add("_rels/.rels", rels("word/document.xml").as_bytes());
        zip.add("word/document.xml", document().as_bytes());
    }
    zip.finish()
}

const XLSX_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const XLSX_WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台帳" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const XLSX_WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const DOCX_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn rels(target: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{target}"/></Relationships>"#
    )
}

/// Rows of a plausible ledger of companies (no personal data: the
/// inventory must not count a decoy even if it reads one).
fn sheet() -> String {
    let mut rows = String::new();
    for (i, title) in ["取引先", "区分", "金額", "担当部署"].iter().enumerate() {
        let col = (b'A' + i as u8) as char;
        rows.push_str(&format!(
            r#"<c r="{col}1" t="inlineStr"><is><t>{title}</t></is></c>"#
        ));
    }
    let mut body = format!(r#"<row r="1">{rows}</row>"#);
    for r in 2..400u32 {
        body.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>株式会社サンプル商事{r:03}</t></is></c><c r="B{r}" t="inlineStr"><is><t>{}</t></is></c><c r="C{r}"><v>{}</v></c><c r="D{r}" t="inlineStr"><is><t>営業{}課</t></is></c></row>"#,
            ["継続", "新規", "休眠"][r as usize % 3],
            (r * 7919) % 1_000_000,
            r % 5 + 1
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>"#
    )
}

fn document() -> String {
    let mut paras = String::new();
    for i in 1..300u32 {
        paras.push_str(&format!(
            "<w:p><w:r><w:t>第{i}項 見積条件: 納期は受注後{}営業日、単価は別紙の通り。有効期限は発行日より30日とします。</w:t></w:r></w:p>",
            i % 20 + 5
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>御見積書</w:t></w:r></w:p>{paras}</w:body></w:document>"#
    )
}

/// A zip of stored (uncompressed) entries: all a decoy needs.
#[derive(Default)]
struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

impl ZipWriter {
    fn add(&mut self, name: &str, data: &[u8]) {
        let crc = crc32fast::hash(data);
        let offset = self.out.len() as u32;
        let (time, date) = (0u16, (44u16 << 9) | (4 << 5) | 1); // 2024-04-01
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        let out = &mut self.out;
        out.extend_from_slice(b"PK\x03\x04");
        for v in [20u16, 0x0800, 0, time, date] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        let c = &mut self.central;
        c.extend_from_slice(b"PK\x01\x02");
        for v in [20u16, 20, 0x0800, 0, time, date] {
            c.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            c.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            c.extend_from_slice(&v.to_le_bytes());
        }
        c.extend_from_slice(&0u32.to_le_bytes());
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let central_offset = self.out.len() as u32;
        let central_len = self.central.len() as u32;
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(b"PK\x05\x06");
        for v in [0u16, 0, self.entries, self.entries] {
            self.out.extend_from_slice(&v.to_le_bytes());
        }
        self.out.extend_from_slice(&central_len.to_le_bytes());
        self.out.extend_from_slice(&central_offset.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Kind, Probe};

    #[test]
    fn decoys_are_valid_office_files_that_zip_readers_open() {
        for name in NAMES {
            let bytes = content(Path::new(name));
            assert!(bytes.len() > 16 * 1024, "{name} is not tiny");
            let probe = Probe::of_bytes(&bytes);
            assert_eq!(probe.kind, Kind::Ooxml);
            assert_eq!(probe.tail_ok, Some(true));
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            for i in 0..archive.len() {
                let mut entry = archive.by_index(i).unwrap();
                let mut sink = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut sink).unwrap(); // checks the CRC
            }
        }
    }

    #[test]
    fn dos_attributes_are_read_in_both_of_sambas_forms() {
        assert_eq!(dos_attributes(HIDDEN_ARCHIVE), Some(0x22));
        assert_eq!(dos_attributes(b"0x20"), Some(0x20));
        // What Samba 4.17 stored for `setmode FILE +h` over SMB (version 5).
        let ndr = [
            0x00, 0x00, 0x05, 0x00, 0x05, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x22, 0x00,
            0x00, 0x00, 0x10, 0xe3, 0x1f, 0x73, 0xcb, 0x7f, 0xdd, 0x01,
        ];
        assert_eq!(dos_attributes(&ndr), Some(0x22));
        assert_eq!(dos_attributes(&ndr[..10]), None, "cut short");
        assert_eq!(dos_attributes(b""), None);
    }

    #[test]
    fn placed_decoys_carry_the_hidden_attribute_where_xattrs_work() {
        let dir = tempfile::tempdir().unwrap();
        let placed = place(&plan(dir.path())).unwrap();
        assert!(!placed.is_empty());
        let probe = dir.path().join("xattr-probe");
        fs::write(&probe, "x").unwrap();
        if set_hidden(&fs::File::open(&probe).unwrap()).is_err() {
            eprintln!("skipped: no user xattrs on {}", dir.path().display());
            return;
        }
        for decoy in &placed {
            assert!(is_marked_hidden(decoy), "{}", decoy.display());
        }
        assert!(!is_marked_hidden(&dir.path().join("missing")));
        // Copied back without xattrs: the refresh marks it again, and it
        // is not counted as rewritten.
        let copy = dir.path().join("copy");
        fs::copy(&placed[0], &copy).unwrap();
        fs::rename(&copy, &placed[0]).unwrap();
        assert!(!is_marked_hidden(&placed[0]));
        assert!(refresh(&placed).unwrap().is_empty());
        assert!(is_marked_hidden(&placed[0]));
    }

    #[test]
    fn decoys_sort_first() {
        let mut names = vec!["0001_a.docx", "A.xlsx", "あ.txt", "_x.txt", "!readme.txt"];
        names.extend(NAMES.iter().copied());
        names.sort();
        assert!(
            names[..2].iter().all(|n| n.starts_with(PREFIX)),
            "{names:?}"
        );
    }

    #[test]
    fn placed_decoys_come_early_in_hash_ordered_directories() {
        let dir = tempfile::tempdir().unwrap();
        let n = 300;
        for i in 0..n {
            fs::write(dir.path().join(format!("file_{i:03}.txt")), "x").unwrap();
        }
        let listed: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let mut sorted = listed.clone();
        sorted.sort();
        let mut reversed = sorted.clone();
        reversed.reverse();
        if listed == sorted || listed == reversed {
            println!("skip: this file system lists in name or creation order");
            return;
        }
        let placed = place(&[dir.path().join(NAMES[0])]).unwrap();
        let position = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .position(|e| e.path() == placed[0])
            .unwrap();
        println!("decoy listed at {position} of {}", n + 1);
        assert!(position <= n / 4, "decoy listed at {position} of {}", n + 1);
    }

    #[test]
    fn scratch_and_non_document_folders_get_no_decoys() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["tmp_build", "資料", "営業/cache", "objs"] {
            fs::create_dir_all(root.join(folder)).unwrap();
        }
        for i in 0..LARGE_FOLDER {
            fs::write(root.join(format!("tmp_build/{i}.docx")), "x").unwrap();
            fs::write(root.join(format!("資料/{i}.pdf")), "x").unwrap();
            fs::write(root.join(format!("営業/cache/{i}.xlsx")), "x").unwrap();
            fs::write(root.join(format!("objs/obj_{i}.o.tmp")), "x").unwrap();
        }
        let folders: std::collections::BTreeSet<_> = plan(root)
            .iter()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        assert_eq!(
            folders,
            [root.to_path_buf(), root.join("資料")]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn a_restart_reuses_the_decoys_it_finds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for i in 0..50 {
            fs::write(root.join(format!("file_{i:03}.txt")), "x").unwrap();
        }
        let first = place(&plan(root)).unwrap();
        fs::write(&first[0], b"changed").unwrap();
        let second = place(&plan(root)).unwrap();
        assert_eq!(first, second);
        assert_eq!(fs::read(&second[0]).unwrap(), content(&second[0]));
        let decoys = fs::read_dir(root)
            .unwrap()
            .flatten()
            .filter(|e| is_decoy_name(&e.path()))
            .count();
        assert_eq!(decoys, NAMES.len());
    }

    #[test]
    fn plan_place_refresh() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("経理/2024")).unwrap();
        fs::create_dir_all(root.join("small")).unwrap();
        for i in 0..LARGE_FOLDER {
            fs::write(root.join(format!("経理/2024/{i}.txt")), "x").unwrap();
        }
        let plan = plan(root);
        assert_eq!(plan.len(), 2 * NAMES.len());
        assert!(plan.iter().all(|p| is_decoy_name(p)));
        assert!(plan.contains(&root.join("経理/2024").join(NAMES[0])));
        assert!(!plan.iter().any(|p| p.starts_with(root.join("small"))));
        let placed = place(&plan).unwrap();
        assert_eq!(placed.len(), plan.len());
        for (p, q) in placed.iter().zip(&plan) {
            assert!(p.exists() && is_decoy_name(p), "{}", p.display());
            assert_eq!(p.parent(), q.parent());
            assert_eq!(p.extension(), q.extension());
        }
        assert!(refresh(&placed).unwrap().is_empty());
        fs::write(&placed[0], b"encrypted").unwrap();
        fs::remove_file(&placed[1]).unwrap();
        assert_eq!(refresh(&placed).unwrap(), placed[..2].to_vec());
        assert!(refresh(&placed).unwrap().is_empty());
        let listed: Vec<_> = fs::read_dir(root).unwrap().flatten().collect();
        assert!(!listed
            .iter()
            .any(|e| e.file_name().to_string_lossy().ends_with(".mamori-tmp")));
    }
}

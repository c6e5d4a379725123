//! Archives (.zip, .tar, .tar.gz, .gz): every entry becomes a member, named
//! by its decoded path. Zip names without the UTF-8 flag are CP932 when
//! they are not valid UTF-8 (what Japanese Windows writes).

use crate::{Budget, FormatError, Part, Source};
use std::io::Read;
use zip::ZipArchive;

pub(crate) fn open_zip<'s>(
    source: &'s mut dyn Source,
    format: &'static str,
) -> Result<ZipArchive<&'s mut dyn Source>, FormatError> {
    ZipArchive::new(source).map_err(|e| FormatError::corrupt(format, e))
}

/// One entry's bytes, within the budget; an encrypted entry is an error.
pub(crate) fn read_zip_entry(
    zip: &mut ZipArchive<&mut dyn Source>,
    index: usize,
    budget: &Budget,
    format: &'static str,
) -> Result<Vec<u8>, FormatError> {
    let mut entry = match zip.by_index(index) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::UnsupportedArchive(msg)) if msg.contains("assword") => {
            return Err(FormatError::Encrypted)
        }
        Err(zip::result::ZipError::UnsupportedArchive(msg)) => {
            return Err(FormatError::Unsupported(format!("zip entry ({msg})")))
        }
        Err(e) => return Err(FormatError::corrupt(format, e)),
    };
    if entry.encrypted() {
        return Err(FormatError::Encrypted);
    }
    let compressed = entry.compressed_size();
    let declared = entry.size();
    budget.read_expanded_sized(&mut entry, compressed, declared)
}

/// A zip entry's name: UTF-8 when it is valid UTF-8 (flagged or not),
/// else CP932.
pub fn decode_zip_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(raw).0.into_owned(),
    }
    .replace('\\', "/")
}

pub fn read_zip(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let mut zip = open_zip(source, "zip archive")?;
    let mut any_encrypted = false;
    let mut members = 0usize;
    for index in 0..zip.len() {
        budget.member()?;
        let (name, is_dir, encrypted) = match zip.by_index_raw(index) {
            Ok(entry) => (
                decode_zip_name(entry.name_raw()),
                entry.is_dir(),
                entry.encrypted(),
            ),
            Err(e) => return Err(FormatError::corrupt("zip archive", e)),
        };
        if is_dir || name.ends_with('/') {
            continue;
        }
        members += 1;
        any_encrypted |= encrypted;
        let content = if encrypted {
            Err(FormatError::Encrypted)
        } else {
            read_zip_entry(&mut zip, index, budget, "zip archive")
        };
        let stop = matches!(content, Err(FormatError::Limit(_))) && budget.check_time().is_err();
        sink(Part::Member {
            name: clean_member_name(&name),
            content,
        });
        if stop {
            return budget.check_time();
        }
    }
    if any_encrypted && members > 0 {
        // The archive itself is listed; its encrypted members carry the error.
        return Ok(());
    }
    Ok(())
}

/// `./a/../b` and absolute names kept readable but never climbing out.
fn clean_member_name(name: &str) -> String {
    name.split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect::<Vec<_>>()
        .join("/")
}

pub fn read_tar(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    read_tar_stream(source, budget, sink)
}

fn read_tar_stream(
    reader: &mut dyn Read,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| FormatError::corrupt("tar archive", e))?;
    for entry in entries {
        budget.member()?;
        let mut entry = entry.map_err(|e| FormatError::corrupt("tar archive", e))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw = entry.path_bytes().into_owned();
        let name = clean_member_name(&decode_zip_name(&raw));
        let size = entry.size();
        let content = budget.read_expanded(&mut entry, size);
        sink(Part::Member { name, content });
    }
    Ok(())
}

/// A gzip stream: a .tar.gz's members, or the one file it holds.
pub fn read_gz(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let compressed = source
        .seek(std::io::SeekFrom::End(0))
        .map_err(|e| FormatError::corrupt("gzip", e))?;
    source
        .seek(std::io::SeekFrom::Start(0))
        .map_err(|e| FormatError::corrupt("gzip", e))?;
    let mut decoder = flate2::read::MultiGzDecoder::new(source);
    let bytes = budget.read_expanded(&mut decoder, compressed)?;
    if bytes.get(257..262) == Some(b"ustar") {
        return read_tar_stream(&mut &bytes[..], budget, sink);
    }
    sink(Part::Member {
        name: String::new(),
        content: Ok(bytes),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp932_names_are_decoded() {
        let (raw, _, _) = encoding_rs::SHIFT_JIS.encode("社員名簿/住所録.csv");
        assert_eq!(decode_zip_name(&raw), "社員名簿/住所録.csv");
        assert_eq!(decode_zip_name("名簿.csv".as_bytes()), "名簿.csv");
        assert_eq!(clean_member_name("/../a/./b.csv"), "a/b.csv");
    }
}

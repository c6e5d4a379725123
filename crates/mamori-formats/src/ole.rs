//! OLE compound files (.doc .ppt .xls .msg, and password-protected Office
//! files, which are OLE files holding an `EncryptedPackage`): told apart by
//! their streams, whatever their extension says.

use crate::{Budget, FormatError, Part, Source};
use std::io::{Read, Seek, SeekFrom};

pub fn read_ole(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let kind = {
        let mut cfb = cfb::CompoundFile::open(&mut *source)
            .map_err(|e| FormatError::corrupt("OLE compound file", e))?;
        if cfb.exists("/EncryptedPackage") {
            return Err(FormatError::Encrypted);
        }
        if cfb.exists("/WordDocument") {
            return crate::doc::read_doc(&mut cfb, budget, sink);
        } else if cfb.exists("/PowerPoint Document") {
            return crate::ppt::read_ppt(&mut cfb, budget, sink);
        } else if cfb.exists("/Workbook") || cfb.exists("/Book") {
            "xls"
        } else if cfb.exists("/__properties_version1.0") {
            "msg"
        } else {
            "other"
        }
    };
    source
        .seek(SeekFrom::Start(0))
        .map_err(|e| FormatError::corrupt("OLE compound file", e))?;
    match kind {
        "xls" => crate::sheet::read_xls(source, budget, sink),
        "msg" => crate::mail::read_msg(source, budget, sink),
        _ => Err(FormatError::Unsupported(
            "OLE compound file of unknown type".into(),
        )),
    }
}

/// One whole stream of an OLE file (None if it is absent), read under the
/// budget: a stream claiming more than the per-member limit is refused
/// before anything is allocated.
pub(crate) fn read_stream<F: Read + Seek>(
    cfb: &mut cfb::CompoundFile<F>,
    path: &str,
    budget: &Budget,
    format: &'static str,
) -> Result<Option<Vec<u8>>, FormatError> {
    if !cfb.is_stream(path) {
        return Ok(None);
    }
    let mut stream = cfb
        .open_stream(path)
        .map_err(|e| FormatError::corrupt(format, e))?;
    let len = stream.len();
    if len > budget.limits.max_member_bytes {
        return Err(FormatError::Limit(format!(
            "a {format} stream larger than {} MiB",
            budget.limits.max_member_bytes >> 20
        )));
    }
    budget.read_expanded(&mut stream, len).map(Some)
}

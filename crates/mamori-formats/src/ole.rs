//! OLE compound files (.doc .ppt .xls .msg, and password-protected Office
//! files, which are OLE files holding an `EncryptedPackage`): told apart by
//! their streams, whatever their extension says.

use crate::{Budget, FormatError, Part, Source};
use std::io::SeekFrom;

pub fn read_ole(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let kind = {
        let cfb = cfb::CompoundFile::open(&mut *source)
            .map_err(|e| FormatError::corrupt("OLE compound file", e))?;
        if cfb.exists("/EncryptedPackage") {
            return Err(FormatError::Encrypted);
        }
        if cfb.exists("/WordDocument") {
            "doc"
        } else if cfb.exists("/PowerPoint Document") {
            "ppt"
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
        "doc" => Err(FormatError::Unsupported(
            "legacy Word 97-2003 document (.doc); save it as .docx to have it read".into(),
        )),
        "ppt" => Err(FormatError::Unsupported(
            "legacy PowerPoint 97-2003 presentation (.ppt); save it as .pptx to have it read"
                .into(),
        )),
        "xls" => crate::sheet::read_xls(source, budget, sink),
        "msg" => crate::mail::read_msg(source, budget, sink),
        _ => Err(FormatError::Unsupported(
            "OLE compound file of unknown type".into(),
        )),
    }
}

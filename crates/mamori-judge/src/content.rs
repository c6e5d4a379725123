//! Content judgement of one file: what an overwrite did to its type and
//! bytes, and which names pair an encrypted copy with its original.

use crate::codes::Code;
use crate::names;
use crate::probe::{Kind, Probe};
use std::path::Path;

/// Marks for an overwrite of content that existed before.
pub(crate) fn overwrite_marks(
    before: &Probe,
    after: &Probe,
    path: &Path,
    mark: &mut impl FnMut(Code, f32, &Path, String),
) {
    let rise = after.entropy_rise_from(before);
    let more_cipher = after.cipher_regions() > before.cipher_regions();
    let head_noisy = after.regions.first().is_some_and(|r| r.entropy >= 6.0);
    let evidence = more_cipher || after.encoded_random() || rise >= 1.0;
    let detail = format!(
        "{} → {}, {}/{} random regions, entropy +{:.1}",
        before.kind.name(),
        after.kind.name(),
        after.cipher_regions(),
        after.regions.len(),
        rise.max(0.0)
    );
    if before.kind.is_structured() {
        if after.kind.family() == before.kind.family() {
            if before.tail_ok == Some(true) && after.tail_ok == Some(false) {
                // Head kept, trailer gone: random throughout now (the
                // pooled histogram flattened, or more random regions).
                let flattened = before.chi2_pooled - after.chi2_pooled > 30.0;
                let random_now = after.cipher_regions() * 2 >= after.regions.len();
                let weight = if random_now && (more_cipher || flattened) {
                    1.0
                } else {
                    0.5
                };
                mark(Code::TailBroken, weight, path, detail);
            }
            return;
        }
        match after.kind {
            Kind::Empty => mark(Code::Truncated, 0.15, path, detail),
            // zero-filled in place: a wiper's overwrite (preallocation only
            // happens to new files)
            Kind::Zeros => mark(Code::TypeBroken, 0.5, path, detail),
            Kind::Base64Text | Kind::HexText => {
                let weight = if after.encoded_random() { 1.0 } else { 0.5 };
                mark(Code::EncodedOverwrite, weight, path, detail);
            }
            Kind::Unknown => {
                if evidence || head_noisy {
                    mark(Code::EncryptedOverwrite, 1.0, path, detail);
                } else {
                    mark(Code::TypeBroken, 0.5, path, detail);
                }
            }
            k if k.is_encryption_tool() => mark(Code::TypeBroken, 0.5, path, detail),
            _ => mark(Code::TypeBroken, 0.2, path, detail),
        }
        return;
    }
    // Unknown before: a database, a container, an already encrypted file.
    let was_random = before.mostly_cipher() || before.kind.is_encryption_tool();
    if was_random {
        return;
    }
    if matches!(before.kind, Kind::Base64Text | Kind::HexText) {
        return;
    }
    if (after.kind == Kind::Unknown && after.mostly_cipher() && more_cipher)
        || (after.encoded_random() && before.kind == Kind::Unknown)
    {
        mark(Code::RandomOverwrite, 0.35, path, detail);
    }
}

/// Whether `new` is named as an encrypted copy of `gone` (same folder,
/// `report.docx` → `report.docx.xyz`, `report.xyz` or `report.docx`).
pub(crate) fn replaces(new: &Path, gone: &Path) -> bool {
    if new.parent() != gone.parent() {
        return false;
    }
    let (Some(new_name), Some(gone_name)) = (
        new.file_name().map(|n| n.to_string_lossy()),
        gone.file_name().map(|n| n.to_string_lossy()),
    ) else {
        return false;
    };
    if new_name.starts_with(&*gone_name) {
        return true;
    }
    match gone_name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => new_name.starts_with(&format!("{stem}.")),
        _ => false,
    }
}

/// The kind a document extension promises (only the unambiguous ones).
pub(crate) fn expected_kind(ext: &str) -> Option<Kind> {
    Some(match ext {
        "docx" | "xlsx" | "pptx" | "docm" | "xlsm" | "zip" => Kind::Zip,
        "odt" | "ods" | "odp" => Kind::Odf,
        "pdf" => Kind::Pdf,
        "jpg" | "jpeg" => Kind::Jpeg,
        "png" => Kind::Png,
        "gif" => Kind::Gif,
        "doc" | "xls" | "ppt" | "msg" => Kind::Ole,
        "txt" | "csv" | "tsv" | "md" => Kind::Text,
        "7z" => Kind::SevenZ,
        "mp4" | "mov" | "heic" | "m4a" => Kind::IsoMedia,
        _ => return None,
    })
}

pub(crate) fn is_document(path: &Path, before: Option<&Probe>) -> bool {
    match before.filter(|b| !b.is_unread()) {
        Some(probe) if probe.kind != Kind::Unknown => probe.kind.is_structured(),
        _ => names::extension(path).is_some_and(|e| names::is_document_extension(&e)),
    }
}

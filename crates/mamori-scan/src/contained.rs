//! Files inside files: Office documents, PDFs, mail and archives are opened
//! by `mamori-formats` into text, tables and members. Text goes to one
//! text engine per document, tables to the table engine (short form-like
//! tables are read as labelled lines instead), and every member is read in
//! turn as a file of its own, reported as `parent!/member` under the
//! top-level file's budget (depth, bytes, ratio, time). A parser that
//! panics on one member costs that member only.

use crate::process::{finish_record, person_in_path, scan_delimited, Ctx};
use mamori_detect::Findings;
use mamori_extract::sniff::SNIFF_BYTES;
use mamori_extract::{detect_encoding, sniff, DecodingReader, Kind, TextChunks};
use mamori_formats::{Budget, FormatError, Part, Source};
use mamori_inventory::FileRecord;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// The `mamori-formats` name of a container kind; `Err` for containers
/// listed but not read (7z, rar, ...); `None` for files that hold no
/// container.
pub(crate) fn container_format(kind: Kind) -> Option<Result<&'static str, String>> {
    Some(match kind {
        Kind::Office(name) => Ok(name),
        Kind::Pdf => Ok("pdf"),
        Kind::Mail(name) => Ok(name),
        Kind::Archive(name @ ("zip" | "tar" | "gz")) => Ok(name),
        Kind::Archive(other) => Err(format!("{other} archive: not supported yet")),
        _ => return None,
    })
}

/// Reads one container: its own findings (text and tables), and its
/// members' records appended to `members`. Partial findings are kept when
/// reading stops early; the reason comes back as the file's note.
pub(crate) fn read_container(
    format: &str,
    source: &mut dyn Source,
    rel: &str,
    depth: u32,
    budget: &Budget,
    ctx: &Ctx<'_>,
    members: &mut Vec<FileRecord>,
) -> (Findings, Option<String>) {
    let path_names_person = person_in_path(ctx.detector, rel).is_some();
    let mut text = ctx.detector.text();
    if path_names_person {
        text.identified_by_path();
    }
    let mut tables = Findings::default();
    let result = {
        let mut sink = |part: Part| match part {
            Part::Text(t) => {
                text.push_text(&t);
            }
            Part::Table { rows, .. } => {
                if is_form_like(&rows) {
                    for row in rows {
                        text.push_line(&row.join("\t"));
                    }
                    return;
                }
                let mut table = ctx.detector.table();
                if path_names_person {
                    table.identified_by_path();
                }
                for row in rows {
                    table.push_row(row);
                }
                tables.merge(table.finish());
            }
            Part::Member { name, content } => {
                let name = if name.is_empty() {
                    unzipped_name(rel)
                } else {
                    name
                };
                let member_rel = format!("{rel}!/{name}");
                read_member(&member_rel, &name, content, depth + 1, budget, ctx, members);
            }
        };
        mamori_formats::read_container(format, source, budget, &mut sink)
    };
    let mut findings = text.finish();
    findings.merge(tables);
    (findings, result.err().map(|e| e.to_string()))
}

/// A table of one or two rows, or of one column, is a form or a layout
/// table: its cells read as `label<TAB>value` lines.
fn is_form_like(rows: &[Vec<String>]) -> bool {
    let filled = |r: &Vec<String>| r.iter().filter(|c| !c.is_empty()).count();
    rows.len() < 3 || rows.iter().map(filled).max().unwrap_or(0) < 2
}

/// `名簿.csv.gz` holds `名簿.csv`.
fn unzipped_name(rel: &str) -> String {
    let base = rel.rsplit(['/', '!']).next().unwrap_or(rel);
    let lower = base.to_ascii_lowercase();
    if lower.ends_with(".tgz") {
        format!("{}.tar", &base[..base.len() - 4])
    } else if lower.ends_with(".gz") {
        base[..base.len() - 3].to_string()
    } else {
        format!("{base}.out")
    }
}

/// One member, read like a file of its own.
fn read_member(
    rel: &str,
    name: &str,
    content: Result<Vec<u8>, FormatError>,
    depth: u32,
    budget: &Budget,
    ctx: &Ctx<'_>,
    out: &mut Vec<FileRecord>,
) {
    let bytes = match content {
        Ok(bytes) => bytes,
        Err(e) => {
            out.push(FileRecord {
                error: Some(e.to_string()),
                ..FileRecord::empty(rel)
            });
            return;
        }
    };
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let kind = sniff(Path::new(name), head);
    let mut nested = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| -> (Findings, Option<String>) {
        match kind {
            Kind::Delimited { delimiter } => {
                let reader = DecodingReader::new(Cursor::new(&bytes[..]), detect_encoding(head));
                let path_names_person = person_in_path(ctx.detector, rel).is_some();
                match scan_delimited(reader, delimiter, ctx.detector, path_names_person) {
                    Ok(findings) => (findings, None),
                    Err(e) => (Findings::default(), Some(e.to_string())),
                }
            }
            Kind::Text => (read_text(&bytes, head, rel, ctx), None),
            kind => match container_format(kind) {
                Some(Ok(_)) if depth > budget.limits.max_depth => (
                    Findings::default(),
                    Some(format!(
                        "not read further: nested deeper than {} containers",
                        budget.limits.max_depth
                    )),
                ),
                Some(Ok(format)) => read_container(
                    format,
                    &mut Cursor::new(&bytes[..]),
                    rel,
                    depth,
                    budget,
                    ctx,
                    &mut nested,
                ),
                Some(Err(reason)) => (Findings::default(), Some(reason)),
                None => (Findings::default(), None),
            },
        }
    }));
    let record = match outcome {
        Ok((findings, note)) => {
            let mut record = finish_record(rel, findings, ctx);
            record.error = note;
            record
        }
        Err(_) => FileRecord {
            error: Some(crate::process::PANIC_NOTE.to_string()),
            ..FileRecord::empty(rel)
        },
    };
    out.push(record);
    out.extend(nested);
}

fn read_text(bytes: &[u8], head: &[u8], rel: &str, ctx: &Ctx<'_>) -> Findings {
    let mut scanner = ctx.detector.text();
    if person_in_path(ctx.detector, rel).is_some() {
        scanner.identified_by_path();
    }
    let reader = DecodingReader::new(Cursor::new(bytes), detect_encoding(head));
    for chunk in TextChunks::new(reader, ctx.limits.chunk_bytes) {
        match chunk {
            Ok(chunk) => scanner.push_text(&chunk.text),
            Err(_) => break,
        }
    }
    scanner.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_member_names() {
        assert_eq!(unzipped_name("a/名簿.csv.gz"), "名簿.csv");
        assert_eq!(unzipped_name("x.zip!/b.tgz"), "b.tar");
    }
}

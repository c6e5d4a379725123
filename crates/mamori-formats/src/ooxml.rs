//! Word (.docx) and PowerPoint (.pptx): body, tables, text boxes,
//! headers/footers, comments, notes.

use crate::archive::{open_zip, read_zip_entry};
use crate::xmlscan::Refuse;
use crate::xmltext::Collector;
use crate::{Budget, FormatError, Part, Source};

pub fn read_docx(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    read_parts(source, budget, sink, "Word document", docx_order)
}

pub fn read_pptx(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    read_parts(source, budget, sink, "PowerPoint presentation", pptx_order)
}

/// Where a part comes in reading order, or None to skip it. Headers come
/// first (a form's title is often there), then the body, then the rest.
fn docx_order(name: &str) -> Option<(u32, u32)> {
    let file = name.strip_prefix("word/")?;
    if file.contains('/') || !file.ends_with(".xml") {
        return None;
    }
    let rank = if file.starts_with("header") {
        0
    } else if file == "document.xml" {
        1
    } else if file.starts_with("footer") {
        2
    } else if file == "comments.xml" || file == "footnotes.xml" || file == "endnotes.xml" {
        3
    } else {
        return None;
    };
    Some((rank, number_in(file)))
}

fn pptx_order(name: &str) -> Option<(u32, u32)> {
    let rank = if name.starts_with("ppt/slides/slide") {
        0
    } else if name.starts_with("ppt/notesSlides/notesSlide") {
        1
    } else if name.starts_with("ppt/comments/") {
        2
    } else {
        return None;
    };
    name.ends_with(".xml").then(|| (rank, number_in(name)))
}

fn number_in(name: &str) -> u32 {
    let digits: String = name.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.parse().unwrap_or(0)
}

/// `MAMORI_OOXML_READER=quick-xml` reads with the reference reader alone
/// (to diff the fast one against it); `fast-only` makes a part the fast
/// reader refuses an error naming why.
fn read_parts(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
    format: &'static str,
    order: fn(&str) -> Option<(u32, u32)>,
) -> Result<(), FormatError> {
    let mut zip = open_zip(source, format)?;
    let mut wanted: Vec<((u32, u32), usize)> = (0..zip.len())
        .filter_map(|i| {
            let name = zip.name_for_index(i)?;
            order(name).map(|o| (o, i))
        })
        .collect();
    wanted.sort();
    if wanted.is_empty() {
        return Err(FormatError::corrupt(format, "no document parts"));
    }
    let mut parts = Vec::new();
    let reader = std::env::var("MAMORI_OOXML_READER").unwrap_or_default();
    for (_, index) in wanted {
        budget.check_time()?;
        let xml = read_zip_entry(&mut zip, index, budget, format)?;
        // The fast reader's parts wait until it has taken the whole part;
        // what it refuses, quick-xml reads (and reports) as before. Each
        // part starts and ends with an empty collector, so one collector
        // per part reads as one for the whole file does.
        parts.clear();
        let fast = if reader == "quick-xml" {
            Err(Refuse("the reference reader was asked for"))
        } else {
            let mut keep = |p| parts.push(p);
            let mut collector = Collector::new(&mut keep);
            let fast = collector.read_fast(&xml);
            if fast.is_ok() {
                collector.flush_text();
            }
            fast
        };
        if let (Err(why), "fast-only") = (fast, reader.as_str()) {
            return Err(FormatError::Unsupported(format!("fast reader: {}", why.0)));
        }
        if fast.is_ok() {
            parts.drain(..).for_each(&mut *sink);
        } else {
            let mut collector = Collector::new(sink);
            collector.read(&xml, format)?;
            collector.flush_text();
        }
    }
    Ok(())
}

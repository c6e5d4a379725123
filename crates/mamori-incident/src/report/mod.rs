//! `mamori incident report`: the documents, built once as blocks and
//! rendered to Markdown, HTML and Word; the notification lists as CSV.

mod docs;
pub mod docx;
pub mod html;
pub mod markdown;
pub mod notify;

pub use docs::{documents, Context};
pub use notify::{Contact, NotificationList};

use crate::{IncidentError, Result};
use mamori_core::Lang;
use std::path::{Path, PathBuf};

/// One piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    /// Level 1 or 2.
    Heading(u8, String),
    Paragraph(String),
    Bullets(Vec<String>),
    /// Header row, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Something a person must complete or check before sending.
    ToComplete(String),
}

/// A document: its file stem (ASCII, for every file system) and blocks.
#[derive(Debug, Clone)]
pub struct Document {
    pub stem: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The mark of what a person must complete.
pub fn todo_mark(lang: Lang) -> &'static str {
    lang.pick("【要記入】", "[TO COMPLETE]")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Docx,
    Csv,
}

impl Format {
    pub fn parse_list(text: &str) -> std::result::Result<Vec<Format>, String> {
        text.split(',')
            .map(|f| match f.trim().to_ascii_lowercase().as_str() {
                "md" | "markdown" => Ok(Format::Markdown),
                "html" => Ok(Format::Html),
                "docx" | "word" => Ok(Format::Docx),
                "csv" => Ok(Format::Csv),
                other => Err(format!(
                    "unknown format '{other}' (use md, html, docx, csv)"
                )),
            })
            .collect()
    }

    pub const ALL: [Format; 4] = [Format::Markdown, Format::Html, Format::Docx, Format::Csv];
}

/// Writes every document in every requested format, and the notification
/// lists as CSV; returns the files written.
pub fn write_all(
    out_dir: &Path,
    context: &Context<'_>,
    formats: &[Format],
    contacts: &NotificationList,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir).map_err(IncidentError::io(out_dir))?;
    let mut written = Vec::new();
    for document in documents(context) {
        for format in formats {
            let (ext, bytes) = match format {
                Format::Markdown => ("md", markdown::render(&document, context.lang).into_bytes()),
                Format::Html => ("html", html::render(&document, context.lang).into_bytes()),
                Format::Docx => ("docx", docx::render(&document, context.lang)),
                Format::Csv => continue,
            };
            let path = out_dir.join(format!("{}.{ext}", document.stem));
            std::fs::write(&path, bytes).map_err(IncidentError::io(&path))?;
            written.push(path);
        }
    }
    if formats.contains(&Format::Csv) {
        written.extend(notify::write_csv(out_dir, context, contacts)?);
        written.push(notify::write_affected(out_dir, context)?);
    }
    Ok(written)
}

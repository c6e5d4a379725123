//! Markdown rendering (CommonMark with pipe tables).

use super::{Block, Document};
use mamori_core::Lang;
use std::fmt::Write;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn render(document: &Document, _lang: Lang) -> String {
    let mut out = String::new();
    for block in &document.blocks {
        match block {
            Block::Title(text) => {
                let _ = writeln!(out, "# {text}\n");
            }
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {text}\n", "#".repeat(usize::from(*level) + 1));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{text}\n");
            }
            Block::Bullets(items) => {
                for item in items {
                    let _ = writeln!(out, "- {item}");
                }
                out.push('\n');
            }
            Block::Table(header, rows) => {
                let _ = writeln!(
                    out,
                    "| {} |",
                    header
                        .iter()
                        .map(|h| cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
                for row in rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::ToComplete(text) => {
                let _ = writeln!(out, "**{text}**\n");
            }
        }
    }
    out
}

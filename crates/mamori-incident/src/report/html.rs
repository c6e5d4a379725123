//! HTML rendering: one self-contained page, printable.

use super::{Block, Document};
use mamori_core::Lang;
use std::fmt::Write;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:'Noto Sans CJK JP','Yu Gothic','Hiragino Sans',sans-serif;max-width:50em;margin:2em auto;line-height:1.7}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #888;padding:.3em .6em;text-align:left}\
th{background:#eee}.todo{background:#ffeb3b;font-weight:bold}";

pub fn render(document: &Document, lang: Lang) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang.pick("ja", "en"),
        escape(&document.title)
    );
    for block in &document.blocks {
        match block {
            Block::Title(text) => {
                let _ = writeln!(out, "<h1>{}</h1>", escape(text));
            }
            Block::Heading(level, text) => {
                let level = level + 1;
                let _ = writeln!(out, "<h{level}>{}</h{level}>", escape(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape(text));
            }
            Block::Bullets(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", escape(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(header, rows) => {
                out.push_str("<table>\n<tr>");
                for h in header {
                    let _ = write!(out, "<th>{}</th>", escape(h));
                }
                out.push_str("</tr>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for c in row {
                        let _ = write!(out, "<td>{}</td>", escape(c));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
            Block::ToComplete(text) => {
                let _ = writeln!(out, "<p class=\"todo\">{}</p>", escape(text));
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

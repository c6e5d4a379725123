//! File listings in post bodies: tree drawings (`tree`, Windows `tree /F`,
//! indented folders), Windows and Unix paths one per line, `dir` and
//! `ls -l` output, with sizes where given. Every line is read as an entry at
//! an indentation column; an entry below a shallower one is inside it. Prose
//! lines come out as "files" too, harmlessly: only names that match the
//! inventory ever count.

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq)]
pub struct ListedFile {
    /// Folder names then the file name, as posted (not normalised).
    pub components: Vec<String>,
    /// Bytes, when the listing gave a size; `exact` when given in bytes.
    pub size: Option<u64>,
    pub exact_size: bool,
    /// The listing line, for the evidence excerpt.
    pub line: String,
}

impl ListedFile {
    pub fn name(&self) -> &str {
        self.components.last().map(String::as_str).unwrap_or("")
    }
}

const TREE_GLYPHS: &[char] = &[
    '├', '└', '│', '─', '┣', '┗', '┃', '━', '|', '`', '+', '\\', '-', '¦',
];

static TRAILING_SIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\s*[\(\[]\s*|\s{2,}|\t+|\s+-\s+|\s+)(\d[\d,]*(?:\.\d+)?)\s*(bytes|byte|b|kib|kb|k|mib|mb|m|gib|gb|g)?\s*[\)\]]?\s*$").unwrap_or_else(|_| unreachable!())
});
static DIR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\d{2,4}[/\-.]\d{1,2}[/\-.]\d{1,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?\s+(<dir>|[\d,]+)\s+(.+?)\s*$").unwrap_or_else(|_| unreachable!())
});
/// The totals of `dir` ("4 File(s) 12,345 bytes", "4 個のファイル") and `ls` ("total 48").
static SUMMARY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:\d[\d,]*\s+(?:file\(s\)|dir\(s\)|個のファイル|個のディレクトリ)|total\s+\d+\s*$|合計\s+\d+)").unwrap_or_else(|_| unreachable!())
});
static LS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[-dl][rwxsStT\-]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(.+?)\s*$",
    )
    .unwrap_or_else(|_| unreachable!())
});
static DIRECTORY_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:directory of\s+(.+?)|(.+?)\s*のディレクトリ)\s*$")
        .unwrap_or_else(|_| unreachable!())
});

/// One line read: indentation column, path pieces, size, whether it is
/// explicitly a folder (trailing separator, `<DIR>`).
struct Entry {
    column: usize,
    components: Vec<String>,
    size: Option<(u64, bool)>,
    folder: bool,
    /// From `dir` or `ls -l` output: a folder only when it says so.
    structured: bool,
    line: String,
}

pub fn parse_listing(text: &str) -> Vec<ListedFile> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut directory: Vec<String> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.chars().count() > 400 {
            continue;
        }
        if let Some(caps) = DIRECTORY_OF.captures(line) {
            let dir = caps.get(1).or(caps.get(2)).map_or("", |m| m.as_str());
            directory = split_path(dir);
            continue;
        }
        if let Some(caps) = DIR_LINE.captures(line) {
            let name = caps[2].to_string();
            let folder = caps[1].eq_ignore_ascii_case("<dir>");
            if name == "." || name == ".." {
                continue;
            }
            let mut components = directory.clone();
            components.extend(split_path(&name));
            let size = (!folder)
                .then(|| caps[1].replace(',', "").parse().ok())
                .flatten();
            entries.push(Entry {
                column: 0,
                components,
                size: size.map(|s| (s, true)),
                folder,
                structured: true,
                line: line.to_string(),
            });
            continue;
        }
        if SUMMARY_LINE.is_match(line) {
            continue;
        }
        if let Some(caps) = LS_LINE.captures(line) {
            let mut components = directory.clone();
            components.extend(split_path(&caps[2]));
            entries.push(Entry {
                column: 0,
                components,
                size: caps[1].parse().ok().map(|s| (s, true)),
                folder: line.starts_with('d'),
                structured: true,
                line: line.to_string(),
            });
            continue;
        }
        let (column, rest) = strip_tree_prefix(line);
        let (name, size) = split_size(rest);
        let name = name
            .trim()
            .trim_start_matches("- ")
            .trim_start_matches("* ");
        if name.is_empty() {
            continue;
        }
        let folder = name.ends_with(['/', '\\']);
        let components = split_path(name);
        if components.is_empty() {
            continue;
        }
        entries.push(Entry {
            column,
            components,
            size,
            folder,
            structured: false,
            line: line.to_string(),
        });
    }
    build_paths(entries)
}

/// Nest entries by column: an entry is inside the nearest earlier entry
/// with a smaller column; an entry with a deeper one right after it is a folder.
fn build_paths(entries: Vec<Entry>) -> Vec<ListedFile> {
    let mut files = Vec::new();
    let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        while stack
            .last()
            .is_some_and(|(column, _)| *column >= entry.column)
        {
            stack.pop();
        }
        let mut components = stack.last().map(|(_, c)| c.clone()).unwrap_or_default();
        components.extend(entry.components.iter().cloned());
        let has_children = !entry.structured
            && entries
                .get(i + 1)
                .is_some_and(|next| next.column > entry.column);
        if entry.folder || has_children {
            stack.push((entry.column, components));
            continue;
        }
        files.push(ListedFile {
            components,
            size: entry.size.map(|(s, _)| s),
            exact_size: entry.size.is_some_and(|(_, exact)| exact),
            line: entry.line.clone(),
        });
    }
    files
}

/// The column where the name starts, after tree glyphs and indentation.
fn strip_tree_prefix(line: &str) -> (usize, &str) {
    let mut column = 0;
    let mut previous: Option<char> = None;
    for (offset, c) in line.char_indices() {
        let rest = &line[offset..];
        let glyph = match c {
            ' ' | '\t' | '\u{3000}' | '\u{a0}' => true,
            // A leading '\' starts a UNC or root path unless a drawing follows (`\---`).
            '\\' => rest.starts_with("\\--"),
            // '-' and '+' draw trees ("|--", "+---") but also start names.
            '+' => rest.starts_with("+-"),
            '-' => rest.starts_with("--") || matches!(previous, Some('-' | '+' | '\\' | '|' | '`')),
            _ => TREE_GLYPHS.contains(&c),
        };
        if !glyph {
            return (column, rest);
        }
        column += if c == '\t' { 4 } else { 1 };
        previous = Some(c);
    }
    (column, "")
}

/// A size at the end of the line: "(45 KB)", "1.2MB", "  12,345 bytes".
fn split_size(text: &str) -> (&str, Option<(u64, bool)>) {
    let Some(caps) = TRAILING_SIZE.captures(text) else {
        return (text, None);
    };
    let whole = caps.get(0).map_or(0..0, |m| m.range());
    let number = caps[1].replace(',', "");
    let unit = caps.get(2).map(|m| m.as_str().to_ascii_lowercase());
    let delimited =
        whole.len() > caps[1].len() + 1 || text[whole.clone()].contains(['(', '[', '\t']);
    // A bare number after one space is part of the name ("report 2024").
    if unit.is_none() && !delimited {
        return (text, None);
    }
    let Ok(value) = number.parse::<f64>() else {
        return (text, None);
    };
    let (factor, exact) = match unit.as_deref() {
        None | Some("b" | "byte" | "bytes") => (1.0, !number.contains('.')),
        Some("k" | "kb" | "kib") => (1024.0, false),
        Some("m" | "mb" | "mib") => (1024.0 * 1024.0, false),
        _ => (1024.0 * 1024.0 * 1024.0, false),
    };
    (
        &text[..whole.start],
        Some(((value * factor).round() as u64, exact)),
    )
}

/// Path pieces of a Windows, UNC or Unix path; drive letters and empty pieces dropped.
pub fn split_path(path: &str) -> Vec<String> {
    path.split(['/', '\\', '¥'])
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "." && !is_drive(p))
        .map(str::to_string)
        .collect()
}

/// "C:", "D:." (the root line of `tree`).
fn is_drive(piece: &str) -> bool {
    let bytes = piece.as_bytes();
    (2..=3).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && bytes.get(2).is_none_or(|b| *b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(text: &str) -> Vec<String> {
        parse_listing(text)
            .iter()
            .map(|f| f.components.join("/"))
            .collect()
    }

    #[test]
    fn unix_tree() {
        let text = "share/\n├── 総務部\n│   ├── 人事\n│   │   ├── 社員名簿.xlsx\n│   │   └── 評価.docx\n│   └── 規程.pdf\n└── 経理\n    └── 請求書.pdf\n";
        assert_eq!(
            paths(text),
            vec![
                "share/総務部/人事/社員名簿.xlsx",
                "share/総務部/人事/評価.docx",
                "share/総務部/規程.pdf",
                "share/経理/請求書.pdf"
            ]
        );
    }

    #[test]
    fn windows_tree_f() {
        let text = "C:\\SHARE\n│   readme.txt\n│\n├───総務部\n│   │   社員名簿.xlsx\n│   │\n│   └───人事\n│           評価.xlsx\n└───経理\n        請求書.pdf\n";
        assert_eq!(
            paths(text),
            vec![
                "SHARE/readme.txt",
                "SHARE/総務部/社員名簿.xlsx",
                "SHARE/総務部/人事/評価.xlsx",
                "SHARE/経理/請求書.pdf"
            ]
        );
        let ascii = "D:.\n+---hr\n|   |   staff.csv\n|   \\---old\n|           2019.csv\n\\---sales\n        list.xlsx\n";
        assert_eq!(
            paths(ascii),
            vec!["hr/staff.csv", "hr/old/2019.csv", "sales/list.xlsx"]
        );
    }

    #[test]
    fn paths_sizes_and_dir_output() {
        let files = parse_listing(
            "\\\\fs01\\共有\\総務部\\社員名簿.xlsx (45 KB)\n/srv/share/経理/請求書_2024.pdf  12,345 bytes\nreport 2024.docx\n",
        );
        assert_eq!(
            files[0].components,
            vec!["fs01", "共有", "総務部", "社員名簿.xlsx"]
        );
        assert_eq!(files[0].size, Some(46080));
        assert!(!files[0].exact_size);
        assert_eq!(files[1].size, Some(12345));
        assert!(files[1].exact_size);
        assert_eq!(files[2].components, vec!["report 2024.docx"]);
        let dir = parse_listing(" Directory of C:\\share\\総務部\n\n2024/04/01  10:23    <DIR>          人事\n2024/04/01  10:23            45,056 社員名簿.xlsx\n               1 File(s)         45,056 bytes\n");
        assert_eq!(dir.len(), 1);
        assert_eq!(dir[0].components, vec!["share", "総務部", "社員名簿.xlsx"]);
        assert_eq!(dir[0].size, Some(45056));
        let ls = parse_listing("-rw-r--r-- 1 smb users 2048 Apr  1 10:23 顧客一覧.csv\n");
        assert_eq!(ls[0].components, vec!["顧客一覧.csv"]);
        assert_eq!(ls[0].size, Some(2048));
    }

    #[test]
    fn indented_folders() {
        let text = "総務部/\n  人事/\n    社員名簿.xlsx\n  規程.pdf\n";
        assert_eq!(
            paths(text),
            vec!["総務部/人事/社員名簿.xlsx", "総務部/規程.pdf"]
        );
    }
}

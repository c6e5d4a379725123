//! Tables drawn in text: Markdown pipe tables and box-drawn forms
//! (┃氏名┃山田 太郎┃). A block with a `|---|` rule is a table for the
//! table engine; a block without one is a form whose cells pair labels
//! with values.

const BARS: [char; 4] = ['|', '┃', '│', '║'];

/// A line drawn as cells: starts (after indentation) with a bar and has another.
pub fn is_pipe_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with(BARS) && t.chars().filter(|c| BARS.contains(c)).count() >= 2
}

/// `|---|:--:|`: a Markdown rule under a header. Box-drawn forms use rules
/// between sections too (┣━━╋━━┫), so only the Markdown form makes a table.
pub fn is_rule_row(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// A pure box-drawing border (┏━━┓, └──┘): no content.
pub fn is_border(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| ('\u{2500}'..='\u{257F}').contains(&c) || c == ' ')
}

pub fn cells(line: &str) -> Vec<String> {
    let t = line.trim().trim_matches(BARS);
    t.split(BARS).map(|c| c.trim().to_string()).collect()
}

/// The row as a tab-separated line, for the label pairs of a form.
pub fn as_tabbed(line: &str) -> String {
    cells(line)
        .into_iter()
        .map(|cell| {
            crate::labels::despace_leading_label(&cell)
                .map(|l| l.trim_end().to_string())
                .unwrap_or(cell)
        })
        .collect::<Vec<_>>()
        .join("\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_rules_and_cells() {
        assert!(is_pipe_row("| 氏名 | 山田 |"));
        assert!(is_pipe_row("┃生年月日┃平成14年7月4日┃"));
        assert!(!is_pipe_row("a | b"));
        assert!(is_rule_row("|---|:---:|"));
        assert!(is_border("┏━━━━┓"));
        assert!(!is_rule_row("┣━━╋━━┫"));
        assert_eq!(cells("| 氏名 | 山田 太郎 |"), ["氏名", "山田 太郎"]);
        assert_eq!(as_tabbed("┃性別┃男┃"), "性別\t男");
    }
}

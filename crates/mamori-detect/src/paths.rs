//! Names in paths: per-person folders (社員/0012_佐藤花子/) and files named
//! after their person (伊藤達也_源泉徴収票.txt). A share exposes its paths as
//! much as its contents, so a file that holds someone's data and is named
//! after them holds their name too.

use mamori_morph::Morph;

/// Words that end document and folder names, never person names.
const DOCUMENT_ENDINGS: &[&str] = &[
    "票",
    "書",
    "表",
    "簿",
    "帳",
    "録",
    "細",
    "覧",
    "歴",
    "路",
    "頼",
    "告",
    "約",
    "料",
    "内",
    "知",
    "写",
    "先",
    "課",
    "部",
    "室",
    "係",
    "店",
    "社",
    "所",
    "局",
    "館",
    "者",
    "用",
    "分",
    "版",
    "年",
    "月",
    "日",
    "シート",
    "メモ",
    "リスト",
];

fn is_name_char(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '々' | 'ヶ' | 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー')
}

/// The person a file's own name or its folder's name names, if any.
pub fn person_in_path(rel: &str, morph: Option<&Morph>) -> Option<String> {
    person_in_path_with(rel, &|| morph)
}

/// [`person_in_path`] asking for the analyser only when a segment could be
/// a name: most paths (logs/access-0001.log) have none, and loading the
/// dictionary costs a fifth of a CPU-second.
pub fn person_in_path_with<'m>(rel: &str, morph: &dyn Fn() -> Option<&'m Morph>) -> Option<String> {
    let mut parts = rel.rsplit('/');
    let file = parts.next()?;
    let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(file);
    let folder = parts.next();
    for name in [Some(stem), folder].into_iter().flatten() {
        let segments: Vec<&str> = name
            .split(['_', '-', ' ', '　', '(', ')', '（', '）'])
            .collect();
        // A name beside a document word (伊藤達也_源泉徴収票) or after an id (1000_斎藤誠).
        let beside_document = segments
            .iter()
            .any(|s| DOCUMENT_ENDINGS.iter().any(|e| s.ends_with(e)) && s.chars().count() >= 2);
        let after_id = name.starts_with(|c: char| c.is_ascii_digit());
        for raw in &segments {
            let segment = raw.trim_start_matches(|c: char| c.is_ascii_digit());
            let honorific = segment.ends_with('様') || segment.ends_with('殿');
            let segment = crate::values::strip_honorific(segment.trim_end_matches(['様', '殿']));
            let chars = segment.chars().count();
            if !(2..=6).contains(&chars) || !segment.chars().all(is_name_char) {
                continue;
            }
            if DOCUMENT_ENDINGS.iter().any(|e| segment.ends_with(e))
                || crate::labels::classify_label(segment).is_some()
            {
                continue;
            }
            let kanji = segment
                .chars()
                .all(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '々' | 'ヶ'));
            let placed = honorific || beside_document || after_id;
            let accepted = match morph() {
                Some(m) => {
                    m.is_person_name(segment)
                        || (placed
                            && kanji
                            && m.person_names(segment)
                                .iter()
                                .any(|n| n.start == 0 && n.end == segment.len()))
                }
                None => placed && kanji && (3..=5).contains(&chars),
            };
            if accepted {
                return Some(segment.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_file_and_folder_names() {
        assert_eq!(
            person_in_path("総務/源泉徴収票/R6/伊藤達也_源泉徴収票.txt", None).as_deref(),
            Some("伊藤達也")
        );
        assert_eq!(
            person_in_path("総務/社員/1000_斎藤誠/通勤経路.txt", None).as_deref(),
            Some("斎藤誠")
        );
        assert_eq!(
            person_in_path("送金明細_中田周平様_2025年01月.txt", None).as_deref(),
            Some("中田周平")
        );
        assert_eq!(person_in_path("総務部/人事/社員名簿.csv", None), None);
        assert_eq!(person_in_path("営業部/顧客名簿.csv", None), None);
        assert_eq!(person_in_path("株式/配当金支払調書_2024.csv", None), None);
        assert_eq!(
            person_in_path("01_総務/委員会/安全衛生委員会_202501.txt", None),
            None
        );
        assert_eq!(
            person_in_path("総務/社内報/やまびこ通信_2025年4月号.txt", None),
            None
        );
    }
}

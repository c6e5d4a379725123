//! The 47 prefectures, usable without any data files.

/// The 47 prefectures in JIS X 0401 order (index + 1 = prefecture code).
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// Prefecture written in full at the start of `s`, with its byte length
/// ("東京都千代田区" → ("東京都", 9)). Only full names count: "京都市" must not
/// be read as 京都府, and bare 東京/大阪 are too ambiguous in prose.
pub fn match_prefecture(s: &str) -> Option<(&'static str, usize)> {
    // Every name ends in 都, 道, 府 or 県 as its third or fourth char: only
    // a prefix ending so can be one, and no name is a prefix of another.
    // (This runs for every address cell: 47 comparisons per cell showed.)
    for (n, (i, c)) in s.char_indices().take(4).enumerate() {
        if n >= 2 && matches!(c, '都' | '道' | '府' | '県') {
            let end = i + c.len_utf8();
            if let Some(p) = prefecture(&s[..end]) {
                return Some((p, end));
            }
        }
    }
    None
}

/// The `&'static` prefecture equal to `name`, if it is one.
pub fn prefecture(name: &str) -> Option<&'static str> {
    // Most names are 9 bytes long: the third byte (the first character's
    // last) rules out nearly all of them before a full comparison.
    let bytes = name.as_bytes();
    PREFECTURES
        .iter()
        .copied()
        .find(|p| p.len() == bytes.len() && p.as_bytes()[2] == bytes[2] && *p == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same answer as trying every name in turn.
    #[test]
    fn equals_the_search_through_every_name() {
        let linear = |s: &str| {
            PREFECTURES
                .iter()
                .find(|p| s.starts_with(**p))
                .map(|p| (*p, p.len()))
        };
        let mut cases = vec![
            String::new(),
            "都".into(),
            "京都".into(),
            "京都市".into(),
            "東京".into(),
            "東京都".into(),
            "A東京都".into(),
            "東京 都".into(),
            "大阪府府".into(),
            "県県県県".into(),
        ];
        for p in PREFECTURES {
            cases.push(p.to_string());
            cases.push(format!("{p}千代田区"));
            cases.push(format!("{p} 市"));
            cases.push(p.chars().take(p.chars().count() - 1).collect());
            cases.push(format!("x{p}"));
        }
        for case in &cases {
            assert_eq!(match_prefecture(case), linear(case), "{case}");
        }
    }

    #[test]
    fn matches_full_names_at_start() {
        assert_eq!(match_prefecture("東京都千代田区"), Some(("東京都", 9)));
        assert_eq!(match_prefecture("北海道札幌市"), Some(("北海道", 9)));
        assert_eq!(match_prefecture("神奈川県横浜市"), Some(("神奈川県", 12)));
        assert_eq!(match_prefecture("京都府京都市"), Some(("京都府", 9)));
        assert_eq!(match_prefecture("鹿児島県"), Some(("鹿児島県", 12)));
    }

    #[test]
    fn rejects_partial_or_embedded_names() {
        assert_eq!(match_prefecture("京都市左京区"), None);
        assert_eq!(match_prefecture("東京"), None);
        assert_eq!(match_prefecture("住所は東京都"), None);
        assert_eq!(match_prefecture(""), None);
    }

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for p in PREFECTURES {
            assert!(seen.insert(p));
            assert!(p.ends_with(['都', '道', '府', '県']));
            for q in PREFECTURES {
                assert!(p == q || !q.starts_with(p), "{p} prefixes {q}");
            }
        }
        assert_eq!(prefecture("沖縄県"), Some("沖縄県"));
        assert_eq!(prefecture("沖縄"), None);
    }
}

//! Which group of people a file is about: scored from its folder names, its
//! file name, its headers and the document-type words in it, with
//! configurable path rules and company-defined categories on top.
//!
//! Content outweighs location (a 株主名簿 filed under 総務部 is about
//! shareholders), and the nearest folder outweighs the farther ones.

use mamori_core::Category;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeSet;

/// (category, words). Words are matched in normalised, lower-case text.
const VOCABULARY: &[(&str, &[&str])] = &[
    (
        "employee",
        &[
            "社員",
            "従業員",
            "職員",
            "退職",
            "人事",
            "給与",
            "賃金",
            "勤怠",
            "労務",
            "年末調整",
            "源泉",
            "扶養",
            "健康診断",
            "健診",
            "入社",
            "在籍",
            "異動",
            "労働者名簿",
            "社会保険",
            "雇用保険",
            "staff",
            "hr",
            "jinji",
            "kyuyo",
            "kenshin",
            "health",
            "shain",
            "roumu",
            "payroll",
            "乗務員",
            "通勤手当",
            "社宅",
            "通勤",
            "所属",
            "部署",
            "入退館",
            "社員証",
            "入館",
            "手当",
            "employee",
        ],
    ),
    (
        "applicant",
        &[
            "採用",
            "応募",
            "新卒",
            "中途",
            "面接",
            "選考",
            "エントリー",
            "履歴書",
            "職務経歴",
            "説明会",
            "インターン",
            "内定",
            "志望",
            "応募者",
            "recruit",
            "applicant",
        ],
    ),
    (
        "shareholder",
        &["株主", "配当", "持株", "株式", "所有株式", "shareholder"],
    ),
    (
        "landlord",
        &[
            "賃貸",
            "不動産",
            "貸主",
            "賃貸人",
            "家主",
            "地主",
            "駐車場",
            "物件",
            "賃料",
            "家賃",
            "借上",
            "オーナー",
            "lessor",
            "landlord",
        ],
    ),
    (
        "contractor_staff",
        &[
            "協力会社",
            "作業員",
            "下請",
            "外注",
            "協力業者",
            "安全書類",
            "グリーンファイル",
            "現場",
            "就労",
            "工事",
            "contractor",
            "傭車",
            "派遣",
            "派遣労働者",
            "派遣スタッフ",
            "派遣元",
            "派遣先",
            "請負",
            "庸車",
            "協力運送",
            "運転者名簿",
            "協力",
            "下請負",
        ],
    ),
    (
        "customer",
        &[
            "顧客",
            "お客様",
            "会員",
            "通販",
            "購入",
            "購買",
            "問合せ",
            "問い合わせ",
            "利用者",
            "契約者",
            "入居者",
            "入居",
            "入居申込",
            "借主",
            "賃借人",
            "テナント",
            "受注",
            "注文",
            "お届け",
            "売上票",
            "見積依頼",
            "お見積",
            "ご依頼",
            "カード決済",
            "決済",
            "customer",
            "member",
        ],
    ),
];

/// Words so general they say little alone (総務 holds everything).
const WEAK: &[&str] = &[
    "株式", "工事", "現場", "会員", "購入", "物件", "賃貸", "賃料", "家賃",
];

fn strip_company_forms(text: &str) -> String {
    let mut out = text.to_string();
    for form in ["株式会社", "(株)", "有限会社", "(有)", "合同会社"] {
        if out.contains(form) {
            out = out.replace(form, " ");
        }
    }
    out
}

/// Japanese words match inside text; ASCII words (hr, kenshin) only as whole
/// tokens, so "hr" is not found in "chrome".
fn mentions(text: &str, word: &str) -> bool {
    if word.is_ascii() {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|token| token == word || (word.len() >= 5 && token.starts_with(word)))
    } else {
        text.contains(word)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryConfig {
    /// First matching rule wins over scoring.
    #[serde(default, rename = "rule")]
    pub rules: Vec<PathRule>,
    /// Company-defined categories, scored like the built-ins.
    #[serde(default, rename = "custom")]
    pub custom: Vec<CustomCategory>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRule {
    /// Glob on the path relative to the scanned root: `*` within a name, `**` across folders.
    pub path: String,
    pub category: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomCategory {
    pub id: String,
    #[serde(default)]
    pub label_ja: Option<String>,
    #[serde(default)]
    pub label_en: Option<String>,
    pub keywords: Vec<String>,
}

pub struct Categorizer {
    rules: Vec<(Regex, Category)>,
    vocabulary: Vec<(String, Vec<String>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    #[error("category rule path '{path}' is not a valid pattern: {reason}")]
    BadPattern { path: String, reason: String },
}

fn glob_to_regex(glob: &str) -> Result<Regex, regex::Error> {
    let mut re = String::from("^");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            _ => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re)
}

impl Categorizer {
    pub fn new(config: &CategoryConfig) -> Result<Self, CategoryError> {
        let rules = config
            .rules
            .iter()
            .map(|r| {
                glob_to_regex(&r.path)
                    .map(|re| (re, Category::new(r.category.clone())))
                    .map_err(|e| CategoryError::BadPattern {
                        path: r.path.clone(),
                        reason: e.to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        let mut vocabulary: Vec<(String, Vec<String>)> = VOCABULARY
            .iter()
            .map(|(id, words)| {
                (
                    id.to_string(),
                    words.iter().map(|w| w.to_string()).collect(),
                )
            })
            .collect();
        for custom in &config.custom {
            let words = custom
                .keywords
                .iter()
                .map(|k| crate::normalize::normalize(k).to_lowercase())
                .collect();
            vocabulary.push((custom.id.clone(), words));
        }
        Ok(Categorizer { rules, vocabulary })
    }

    /// The category of a file with personal data.
    /// `resume`: the file holds resume content, which only applicants' files
    /// do (a resume's 職歴 mentions 入社 and 退職 without being about staff).
    pub fn categorize(&self, rel_path: &str, signals: &BTreeSet<String>, resume: bool) -> Category {
        for (re, category) in &self.rules {
            if re.is_match(rel_path) {
                return category.clone();
            }
        }
        // A company's own name (株式会社…) says nothing about whose data it is.
        let path = strip_company_forms(&crate::normalize::normalize(rel_path).to_lowercase());
        let signals: Vec<String> = signals.iter().map(|s| strip_company_forms(s)).collect();
        let mut parts: Vec<&str> = path.split('/').collect();
        let file = parts.pop().unwrap_or("");
        let mut best: Option<(f64, &str)> = None;
        for (id, words) in &self.vocabulary {
            let weight = |w: &String| if WEAK.contains(&w.as_str()) { 0.3 } else { 1.0 };
            let mut score = 0.0;
            for w in words {
                if mentions(file, w) {
                    score += 3.0 * weight(w);
                }
                for (depth, folder) in parts.iter().rev().enumerate() {
                    if mentions(folder, w) {
                        score += weight(w) * if depth == 0 { 2.0 } else { 1.0 };
                    }
                }
                let hits = signals.iter().filter(|s| mentions(s, w)).count().min(3);
                score += 1.5 * weight(w) * hits as f64;
            }
            if resume && id == "applicant" {
                score += 6.0;
            }
            if score > 0.0 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, id));
            }
        }
        match best {
            Some((_, id)) => Category::new(id),
            None => Category::unknown(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(path: &str, signals: &[&str]) -> String {
        let c = Categorizer::new(&CategoryConfig::default()).unwrap();
        let set = signals.iter().map(|s| s.to_string()).collect();
        c.categorize(path, &set, false).id().to_string()
    }

    #[test]
    fn folders_files_and_headers() {
        assert_eq!(
            cat("総務部/人事/社員名簿.csv", &["社員番号", "氏名"]),
            "employee"
        );
        assert_eq!(
            cat(
                "総務部/給与/マイナンバー管理台帳.csv",
                &["氏名", "個人番号"]
            ),
            "employee"
        );
        assert_eq!(
            cat("総務部/株式/株主名簿.csv", &["株主番号", "所有株式数"]),
            "shareholder"
        );
        assert_eq!(
            cat("総務部/不動産/賃貸人一覧.csv", &["貸主氏名"]),
            "landlord"
        );
        assert_eq!(
            cat("工事部/協力会社/作業員名簿_山田建設.csv", &[]),
            "contractor_staff"
        );
        assert_eq!(
            cat("採用/2025/エントリーシート_001.txt", &["志望動機"]),
            "applicant"
        );
        assert_eq!(cat("営業部/顧客名簿.csv", &[]), "customer");
        assert_eq!(cat("共有/メモ.txt", &[]), "unknown");
    }

    #[test]
    fn rules_and_custom_categories() {
        let config: CategoryConfig = toml_like();
        let c = Categorizer::new(&config).unwrap();
        assert_eq!(
            c.categorize("営業部/特約店/担当者.csv", &BTreeSet::new(), false)
                .id(),
            "dealer_staff"
        );
        assert_eq!(
            c.categorize("法務/案件/a.txt", &BTreeSet::new(), false)
                .id(),
            "litigant"
        );
    }

    fn toml_like() -> CategoryConfig {
        CategoryConfig {
            rules: vec![PathRule {
                path: "法務/**".into(),
                category: "litigant".into(),
            }],
            custom: vec![CustomCategory {
                id: "dealer_staff".into(),
                label_ja: None,
                label_en: None,
                keywords: vec!["特約店".into()],
            }],
        }
    }
}

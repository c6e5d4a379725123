//! Data-subject categories: seven built-ins that always exist, plus any a
//! company defines in its configuration (hence a string newtype, not an enum).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Category(String);

/// (id, 日本語ラベル, English label, how a published notice addresses them)
const BUILTIN: &[(&str, &str, &str, &str)] = &[
    (
        "employee",
        "従業員（退職者を含む）",
        "Employees (including former)",
        "過去に勤務されていた方・現在勤務されている方",
    ),
    (
        "applicant",
        "応募者・説明会参加者",
        "Applicants and seminar attendees",
        "入社を希望されていた方",
    ),
    ("shareholder", "株主", "Shareholders", "株主の方"),
    (
        "landlord",
        "賃貸人",
        "Lessors",
        "賃貸契約を締結されている方",
    ),
    (
        "contractor_staff",
        "協力会社従業員",
        "Partner companies' staff",
        "協力会社の従業員の方",
    ),
    ("customer", "顧客", "Customers", "お客様"),
    ("unknown", "不明", "Unknown", "その他の方"),
];

impl Category {
    pub const EMPLOYEE: &'static str = "employee";
    pub const APPLICANT: &'static str = "applicant";
    pub const SHAREHOLDER: &'static str = "shareholder";
    pub const LANDLORD: &'static str = "landlord";
    pub const CONTRACTOR_STAFF: &'static str = "contractor_staff";
    pub const CUSTOMER: &'static str = "customer";
    pub const UNKNOWN: &'static str = "unknown";

    pub fn new(id: impl Into<String>) -> Self {
        Category(id.into())
    }

    pub fn unknown() -> Self {
        Category(Self::UNKNOWN.to_string())
    }

    pub fn id(&self) -> &str {
        &self.0
    }

    pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|b| b.0)
    }

    pub fn is_builtin(&self) -> bool {
        BUILTIN.iter().any(|b| b.0 == self.0)
    }

    /// Label for people; custom categories show their id unless configured.
    pub fn label(&self, lang: crate::Lang) -> &str {
        match BUILTIN.iter().find(|b| b.0 == self.0) {
            Some(b) => match lang {
                crate::Lang::Ja => b.1,
                crate::Lang::En => b.2,
            },
            None => &self.0,
        }
    }

    /// The phrase a Japanese breach notice uses for this group of people.
    pub fn notice_phrase_ja(&self) -> &str {
        BUILTIN
            .iter()
            .find(|b| b.0 == self.0)
            .map(|b| b.3)
            .unwrap_or(&self.0)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn builtins_have_labels() {
        assert_eq!(Category::builtin_ids().count(), 7);
        assert_eq!(Category::new("landlord").label(Lang::Ja), "賃貸人");
        assert_eq!(Category::new("vendor").label(Lang::En), "vendor");
    }
}

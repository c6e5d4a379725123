//! Data items of `shared/spec/data-items.md`: ids are the contract, never rename.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the Act on the Protection of Personal Information classes an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppiClass {
    Personal,
    /// 特定個人情報 (My Number).
    SpecificPersonal,
    /// 要配慮個人情報.
    Sensitive,
    /// 財産的被害のおそれ.
    Financial,
}

macro_rules! data_items {
    ($( $variant:ident => $id:literal, $ja:literal, $en:literal, $class:ident; )*) => {
        /// One kind of personal data, as listed in the data-item vocabulary.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum DataItem { $($variant),* }

        impl DataItem {
            /// Every item, in the order of the vocabulary table.
            pub const ALL: &'static [DataItem] = &[$(DataItem::$variant),*];

            /// The snake_case id used in reports and the inventory.
            pub fn id(self) -> &'static str {
                match self { $(DataItem::$variant => $id),* }
            }

            /// The Japanese label people see first.
            pub fn label_ja(self) -> &'static str {
                match self { $(DataItem::$variant => $ja),* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $(DataItem::$variant => $en),* }
            }

            pub fn appi_class(self) -> AppiClass {
                match self { $(DataItem::$variant => AppiClass::$class),* }
            }

            pub fn from_id(id: &str) -> Option<DataItem> {
                match id { $($id => Some(DataItem::$variant),)* _ => None }
            }
        }
    };
}

data_items! {
    Name => "name", "氏名", "Name", Personal;
    Address => "address", "住所", "Address", Personal;
    BirthDate => "birth_date", "生年月日", "Date of birth", Personal;
    Gender => "gender", "性別", "Gender", Personal;
    Phone => "phone", "電話番号", "Phone number", Personal;
    Email => "email", "メールアドレス", "E-mail address", Personal;
    Family => "family", "家族情報", "Family information", Personal;
    BankAccount => "bank_account", "金融機関口座", "Bank account", Personal;
    MyNumber => "my_number", "個人番号（マイナンバー）", "Individual Number", SpecificPersonal;
    Health => "health", "健康・障害情報", "Health and disability", Sensitive;
    CriminalRecord => "criminal_record", "犯罪歴", "Criminal record", Sensitive;
    BloodType => "blood_type", "血液型", "Blood type", Personal;
    EmergencyContact => "emergency_contact", "緊急連絡先", "Emergency contact", Personal;
    Resume => "resume", "履歴書・職務経歴", "Resume content", Personal;
    Shareholding => "shareholding", "持株数", "Shareholding", Personal;
    Dividend => "dividend", "配当", "Dividend", Personal;
    DriversLicense => "drivers_license", "運転免許証番号", "Driver's licence number", Personal;
    Passport => "passport", "旅券番号", "Passport number", Personal;
    PensionNumber => "pension_number", "基礎年金番号", "Basic pension number", Personal;
    InsuranceNumber => "insurance_number", "保険者・被保険者番号", "Insurance numbers", Personal;
    ResidenceCard => "residence_card", "在留カード番号", "Residence card number", Personal;
    CreditCard => "credit_card", "クレジットカード番号", "Card number", Financial;
}

impl DataItem {
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Ja => self.label_ja(),
            crate::Lang::En => self.label_en(),
        }
    }

    /// Identifiers that must never be stored, logged or reported in clear.
    pub fn is_secret_identifier(self) -> bool {
        matches!(
            self,
            DataItem::MyNumber
                | DataItem::BankAccount
                | DataItem::Phone
                | DataItem::CreditCard
                | DataItem::DriversLicense
                | DataItem::Passport
                | DataItem::PensionNumber
                | DataItem::InsuranceNumber
                | DataItem::ResidenceCard
        )
    }
}

impl fmt::Display for DataItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for DataItem {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataItem::from_id(s).ok_or_else(|| format!("unknown data item id: {s}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_serde() {
        assert_eq!(DataItem::ALL.len(), 22);
        for item in DataItem::ALL {
            assert_eq!(DataItem::from_id(item.id()), Some(*item));
            let json = serde_json_like(*item);
            assert_eq!(json, item.id());
        }
        assert_eq!(DataItem::MyNumber.label_ja(), "個人番号（マイナンバー）");
    }

    fn serde_json_like(item: DataItem) -> String {
        // Debug of the serde name without pulling serde_json into this crate.
        item.id().to_string()
    }
}

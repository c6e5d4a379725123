//! The reporting duties and deadlines, in one place.
//!
//! Triggers (APPI art. 26, Enforcement Rules art. 7): one person suffices
//! for sensitive data (要配慮個人情報), data whose misuse may cause financial
//! damage (財産的被害のおそれ) and acts with a possible malicious purpose
//! (不正の目的のおそれ); otherwise more than 1 000 persons. The My Number
//! Act has its own duty for 特定個人情報: here, when My Numbers are among the
//! items and either more than 100 persons are concerned or a malicious
//! purpose may be involved (the Commission's rules list further cases, such
//! as publication on the internet; a person checks those).
//!
//! Deadlines (Enforcement Rules art. 8), counted in Japan's calendar (JST)
//! from the day the organisation learnt of the incident, weekends and
//! holidays included, **the day of discovery counting as day 1**: the
//! conservative reading, since an earlier date is never late.
//! - 速報 (preliminary, "promptly, in practice within 3-5 days"): the 5th day,
//!   i.e. discovery + 4 days. The report says it is due promptly and gives
//!   this date as the latest.
//! - 確報 (final): the 30th day (discovery + 29), or the 60th day
//!   (discovery + 59) where the malicious-purpose trigger applies.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use mamori_core::{AppiClass, DataItem};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// More than this many persons is a reporting trigger by itself.
pub const PERSONS_THRESHOLD: usize = 1000;
/// More than this many persons with My Numbers is a My Number Act trigger.
pub const MY_NUMBER_PERSONS_THRESHOLD: usize = 100;
/// Days of the preliminary report, discovery day = day 1.
pub const PRELIMINARY_DAY: i64 = 5;
pub const FINAL_DAY: i64 = 30;
pub const FINAL_DAY_MALICIOUS: i64 = 60;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triggers {
    /// 要配慮個人情報 (health, criminal record ...).
    pub sensitive: bool,
    /// 財産的被害のおそれ (card numbers).
    pub financial: bool,
    /// 不正の目的のおそれ (unauthorised access, ransomware, theft).
    pub malicious: bool,
    /// More than 1 000 persons.
    pub over_1000: bool,
    /// The My Number Act's own duty (特定個人情報).
    pub my_number_act: bool,
}

impl Triggers {
    /// Items across all categories, total persons, persons of categories
    /// whose files held My Numbers, and whether the act may have been malicious.
    pub fn evaluate(
        items: &BTreeSet<DataItem>,
        persons: usize,
        my_number_persons: usize,
        malicious: bool,
    ) -> Triggers {
        let has = |class: AppiClass| items.iter().any(|i| i.appi_class() == class);
        let my_number = has(AppiClass::SpecificPersonal);
        Triggers {
            sensitive: has(AppiClass::Sensitive),
            financial: has(AppiClass::Financial),
            malicious,
            over_1000: persons > PERSONS_THRESHOLD,
            my_number_act: my_number
                && (malicious || my_number_persons > MY_NUMBER_PERSONS_THRESHOLD),
        }
    }

    /// Whether a report to the Commission is mandatory under the APPI.
    pub fn appi_report_required(&self) -> bool {
        self.sensitive || self.financial || self.malicious || self.over_1000
    }

    pub fn any(&self) -> bool {
        self.appi_report_required() || self.my_number_act
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// 速報, latest day.
    pub preliminary: NaiveDate,
    /// 確報.
    #[serde(rename = "final")]
    pub final_report: NaiveDate,
}

/// Japan's civil time: deadlines are calendar days there.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// The calendar day (JST) of a moment.
pub fn day_in_japan(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&jst()).date_naive()
}

impl Deadlines {
    pub fn from_discovery(discovered: DateTime<Utc>, malicious: bool) -> Deadlines {
        let day1 = day_in_japan(discovered);
        let final_day = if malicious {
            FINAL_DAY_MALICIOUS
        } else {
            FINAL_DAY
        };
        Deadlines {
            preliminary: day1 + Duration::days(PRELIMINARY_DAY - 1),
            final_report: day1 + Duration::days(final_day - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn deadlines_count_the_discovery_day_in_japan() {
        // 2025-05-31 23:30 UTC is already 1 June in Japan.
        let d = Deadlines::from_discovery(at("2025-05-31T23:30:00Z"), true);
        assert_eq!(d.preliminary, NaiveDate::from_ymd_opt(2025, 6, 5).unwrap());
        assert_eq!(
            d.final_report,
            NaiveDate::from_ymd_opt(2025, 7, 30).unwrap()
        );
        let d = Deadlines::from_discovery(at("2025-06-01T03:00:00Z"), false);
        assert_eq!(
            d.final_report,
            NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
        );
    }

    #[test]
    fn triggers() {
        let items: BTreeSet<DataItem> = [DataItem::Name, DataItem::Address].into();
        let t = Triggers::evaluate(&items, 10, 0, false);
        assert!(!t.any());
        let t = Triggers::evaluate(&items, 1001, 0, false);
        assert!(t.over_1000 && t.appi_report_required());
        let items: BTreeSet<DataItem> =
            [DataItem::Name, DataItem::Health, DataItem::MyNumber].into();
        let t = Triggers::evaluate(&items, 5, 5, false);
        assert!(t.sensitive && !t.financial && !t.my_number_act);
        let t = Triggers::evaluate(&items, 500, 101, false);
        assert!(t.my_number_act);
        let t = Triggers::evaluate(&items, 5, 5, true);
        assert!(t.my_number_act && t.malicious);
        let items: BTreeSet<DataItem> = [DataItem::Name, DataItem::CreditCard].into();
        assert!(Triggers::evaluate(&items, 1, 0, false).financial);
    }
}

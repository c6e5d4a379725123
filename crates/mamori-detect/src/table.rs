//! The table engine: CSV/TSV now, spreadsheets and Word tables later.
//!
//! A header row is searched among the first rows (title blocks above it are
//! common), each column is classified by its header and then *confirmed by
//! the values under it* (a column headed 電話 whose values are not phone
//! numbers is dropped; 商品コード is never a My Number whatever its digits).
//! Every data row then yields item occurrences and one person record.
//! Tables without a recognisable header are read as text.

use crate::findings::{Findings, PersonDraft};
use crate::labels::{classify_label, clean_label, Field};
use crate::text::TextScanner;
use crate::values::{check, Value};
use crate::Detector;
use mamori_core::DataItem;

const HEADER_SEARCH_ROWS: usize = 30;
const VALIDATION_ROWS: usize = 200;
/// Share of non-empty values that must validate for a column to count.
const MIN_VALID_SHARE: f64 = 0.6;

fn item_of(field: Field) -> Option<DataItem> {
    Some(match field {
        Field::Name | Field::NameKana | Field::AccountHolder => DataItem::Name,
        Field::Gender => DataItem::Gender,
        Field::BirthDate => DataItem::BirthDate,
        Field::PostalCode | Field::Address => DataItem::Address,
        Field::Phone | Field::Mobile => DataItem::Phone,
        Field::Email => DataItem::Email,
        Field::Family => DataItem::Family,
        Field::AccountNumber | Field::BankAccountCombined => DataItem::BankAccount,
        Field::MyNumber => DataItem::MyNumber,
        Field::Health => DataItem::Health,
        Field::CriminalRecord => DataItem::CriminalRecord,
        Field::BloodType => DataItem::BloodType,
        Field::EmergencyContact => DataItem::EmergencyContact,
        Field::Resume => DataItem::Resume,
        Field::Shareholding => DataItem::Shareholding,
        Field::Dividend => DataItem::Dividend,
        Field::DriversLicense => DataItem::DriversLicense,
        Field::Passport => DataItem::Passport,
        Field::PensionNumber => DataItem::PensionNumber,
        Field::InsuranceNumber => DataItem::InsuranceNumber,
        Field::ResidenceCard => DataItem::ResidenceCard,
        Field::CreditCard => DataItem::CreditCard,
        _ => return None,
    })
}

/// Fields whose values must mostly validate for the column to be trusted.
fn needs_value_check(field: Field) -> bool {
    !matches!(
        field,
        Field::Health
            | Field::EmergencyContact
            | Field::Resume
            | Field::Family
            | Field::BankName
            | Field::BranchName
            | Field::CriminalRecord
            | Field::AddressPart
    )
}

#[derive(Debug, Clone)]
struct Column {
    field: Field,
    /// A family member's or contact's value: counts as an item, not as the row person's identity.
    about_someone_else: bool,
    /// One part of a name split over two columns (姓 | 名): one character is enough.
    name_part: bool,
    /// A second person in the same row (貸主（妻）beside 貸主（夫）).
    extra_person: bool,
}

pub struct TableScanner<'d> {
    detector: &'d Detector,
    pending: Vec<Vec<String>>,
    columns: Option<Vec<Option<Column>>>,
    validated: bool,
    fallback: Option<TextScanner<'d>>,
    findings: Findings,
    header: Vec<String>,
    /// Columns the header calls the row's name, before value checks (a column
    /// of company names fails them, yet tells that its rows are companies).
    name_columns: Vec<usize>,
    /// The table is an emergency contact list (緊急連絡網): relations and
    /// phones in it are the contacts', not the listed person's.
    emergency: bool,
}

/// A column about another person than the row's (a dependant, a contact).
/// 子 only as the label's head (子1氏名), never inside a word (電子メール).
fn is_someone_else(label: &str) -> bool {
    // 貸主（妻）is a lessor too: a role word makes the column a subject's own.
    let role = [
        "貸主",
        "借主",
        "所有者",
        "契約者",
        "名義人",
        "株主",
        "共有者",
        "本人",
    ]
    .iter()
    .any(|w| label.contains(w));
    !role
        && ([
            "扶養",
            "配偶者",
            "家族",
            "緊急",
            "保証人",
            "親族",
            "妻",
            "夫",
        ]
        .iter()
        .any(|w| label.contains(w))
            || label.starts_with('子'))
}

impl<'d> TableScanner<'d> {
    pub(crate) fn new(detector: &'d Detector) -> Self {
        TableScanner {
            detector,
            pending: Vec::new(),
            columns: None,
            validated: false,
            fallback: None,
            findings: Findings::default(),
            header: Vec::new(),
            name_columns: Vec::new(),
            emergency: false,
        }
    }

    /// Tells the table it sits under an emergency-contact heading.
    pub fn set_emergency_context(&mut self) {
        self.emergency = true;
    }

    pub fn push_row(&mut self, row: Vec<String>) {
        if let Some(text) = self.fallback.as_mut() {
            text.push_line(&row.join("\t"));
            return;
        }
        if self.columns.is_none() {
            if let Some(columns) = header_columns(&row) {
                for cell in &row {
                    insert_signal(&mut self.findings, cell);
                }
                // Title-block rows above the header are text (a form's heading).
                let title: Vec<Vec<String>> = std::mem::take(&mut self.pending);
                for line in title {
                    for cell in line {
                        self.emergency |= cell.contains("緊急");
                        insert_signal(&mut self.findings, &cell);
                    }
                }
                self.name_columns = columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        matches!(
                            c,
                            Some(Column {
                                field: Field::Name,
                                about_someone_else: false,
                                ..
                            })
                        )
                    })
                    .map(|(i, _)| i)
                    .collect();
                self.header = row;
                self.columns = Some(columns);
                return;
            }
            self.pending.push(row);
            if self.pending.len() >= HEADER_SEARCH_ROWS {
                self.fall_back_to_text();
            }
            return;
        }
        if !self.validated {
            self.pending.push(row);
            if self.pending.len() >= VALIDATION_ROWS {
                self.validate_and_flush();
            }
            return;
        }
        self.process_row(&row);
    }

    fn fall_back_to_text(&mut self) {
        let mut text = self.detector.text();
        for row in std::mem::take(&mut self.pending) {
            text.push_line(&row.join("\t"));
        }
        self.fallback = Some(text);
    }

    fn validate_and_flush(&mut self) {
        let mut rows = std::mem::take(&mut self.pending);
        // A second header row ((漢字), 氏名・続柄 …) refines the first; it is not a record.
        while rows.first().is_some_and(|r| is_header_continuation(r)) {
            let continuation = rows.remove(0);
            if let Some(columns) = self.columns.as_mut() {
                merge_continuation(columns, &self.header, &continuation);
            }
        }
        if let Some(columns) = self.columns.as_mut() {
            if self.emergency {
                for col in columns.iter_mut().flatten() {
                    if matches!(col.field, Field::Family | Field::Phone | Field::Mobile) {
                        col.field = Field::EmergencyContact;
                        col.about_someone_else = true;
                    }
                }
            }
            infer_columns_from_values(columns, &rows);
        }
        if let Some(columns) = self.columns.as_mut() {
            for (index, column) in columns.iter_mut().enumerate() {
                let Some(col) = column else { continue };
                if !needs_value_check(col.field) {
                    continue;
                }
                let mut filled = 0usize;
                let mut valid = 0usize;
                for row in &rows {
                    let Some(cell) = row.get(index) else { continue };
                    if crate::values::is_empty_mark(cell) {
                        continue;
                    }
                    filled += 1;
                    if check(col.field, cell).is_some() {
                        valid += 1;
                    }
                }
                if filled > 0 && (valid as f64) < MIN_VALID_SHARE * filled as f64 {
                    *column = None;
                }
            }
        }
        self.validated = true;
        for row in rows {
            self.process_row(&row);
        }
    }

    fn process_row(&mut self, row: &[String]) {
        let Some(columns) = self.columns.as_ref() else {
            return;
        };
        // A company's row (法人 shareholder, a consignee company) is no person's data.
        let company_row = self.name_columns.iter().any(|&i| {
            row.get(i)
                .is_some_and(|cell| crate::values::has_company_mark(cell))
        });
        if company_row {
            return;
        }
        let mut draft = PersonDraft::default();
        let mut extra_persons: Vec<PersonDraft> = Vec::new();
        let mut row_items: Vec<DataItem> = Vec::new();
        let mut name_parts: Vec<String> = Vec::new();
        let mut kana_parts: Vec<String> = Vec::new();
        let mut has_account_number = false;
        for (index, column) in columns.iter().enumerate() {
            let Some(col) = column else { continue };
            let Some(cell) = row.get(index) else { continue };
            let value = check(col.field, cell).or_else(|| {
                if col.name_part {
                    name_part_value(cell)
                } else {
                    None
                }
            });
            let Some(value) = value else {
                continue;
            };
            let Some(item) = item_of(col.field) else {
                continue;
            };
            // A dependant's name or birth date is the employee's family data.
            let item = if col.about_someone_else
                && !matches!(item, DataItem::EmergencyContact | DataItem::MyNumber)
            {
                DataItem::Family
            } else {
                item
            };
            if !row_items.contains(&item) {
                row_items.push(item);
            }
            if item.is_secret_identifier()
                || item == DataItem::Name
                || item == DataItem::Email
                || item == DataItem::Address
            {
                self.findings.sample(item, cell.trim());
            }
            if col.about_someone_else {
                continue;
            }
            if col.extra_person {
                if let Value::Text(name) = &value {
                    let mut other = PersonDraft::default();
                    other.add_name(name);
                    extra_persons.push(other);
                }
                continue;
            }
            match (col.field, value) {
                (Field::Name, Value::Text(v)) => name_parts.push(v),
                (Field::NameKana | Field::AccountHolder, Value::Text(v)) => kana_parts.push(v),
                (Field::BirthDate, Value::Date(d)) => draft.birth = draft.birth.or(Some(d)),
                (Field::MyNumber, Value::Digits(d)) => {
                    draft.my_number = draft.my_number.clone().or(Some(d))
                }
                (Field::Email, Value::Text(v)) => draft.links.push(("email", v)),
                (Field::Mobile, Value::Digits(d)) => draft.links.push(("phone", d)),
                (
                    Field::DriversLicense
                    | Field::Passport
                    | Field::ResidenceCard
                    | Field::PensionNumber,
                    Value::Digits(d),
                ) => draft.links.push(("id", d)),
                (Field::AccountNumber, Value::Digits(d)) => {
                    has_account_number = true;
                    draft.links.push(("account", account_key(row, columns, &d)));
                }
                _ => {}
            }
        }
        // 姓 and 名 in two columns make one name; otherwise the first name column is the person's.
        let split_name = name_parts.len() == 2
            && name_parts
                .iter()
                .all(|p| p.chars().count() <= 5 && !p.contains(' '));
        if split_name {
            draft.add_name(&name_parts.join(""));
        } else if let Some(first) = name_parts.first() {
            draft.add_name(first);
        }
        if !kana_parts.is_empty() {
            // Holder and reading columns may both exist; each is a name form.
            for part in &kana_parts {
                draft.add_name(part);
            }
        }
        // Only the second person's column is filled: they are the row's person.
        if name_parts.is_empty() && kana_parts.is_empty() && !extra_persons.is_empty() {
            let first = extra_persons.remove(0);
            draft.names.extend(first.names);
        }
        for group in address_part_groups(columns) {
            let joined: String = group
                .iter()
                .filter_map(|&i| row.get(i))
                .map(|c| c.trim())
                .collect();
            if crate::values::is_address(&joined) {
                if !row_items.contains(&DataItem::Address) {
                    row_items.push(DataItem::Address);
                }
                self.findings.sample(DataItem::Address, &joined);
            }
        }
        if has_account_number && !crate::bank::is_consistent(bank_ref(row, columns)) {
            row_items.retain(|i| *i != DataItem::BankAccount);
            draft.links.retain(|(domain, _)| *domain != "account");
        }
        let identifies = row_items
            .iter()
            .any(|i| crate::findings::is_identifying(*i));
        if !identifies {
            return;
        }
        for item in row_items {
            self.findings.add(item, 1);
        }
        self.findings.records += 1;
        // A birth date alone tells no one apart: such a row is a record, not a keyed person.
        if !draft.names.is_empty() || draft.my_number.is_some() || !draft.links.is_empty() {
            self.findings.push_person(draft.hash(self.detector.key()));
        }
        for other in extra_persons {
            self.findings.records += 1;
            self.findings.push_person(other.hash(self.detector.key()));
        }
    }

    pub fn finish(mut self) -> Findings {
        if let Some(text) = self.fallback.take() {
            let mut findings = text.finish();
            findings.signals.extend(self.findings.signals);
            return findings;
        }
        if self.columns.is_none() {
            self.fall_back_to_text();
            return self.finish();
        }
        if !self.validated {
            self.validate_and_flush();
        }
        let mut findings = self.findings;
        findings.gate();
        findings
    }
}

fn bank_ref<'r>(row: &'r [String], columns: &[Option<Column>]) -> crate::bank::BankRef<'r> {
    let mut r = crate::bank::BankRef::default();
    for (index, column) in columns.iter().enumerate() {
        let (Some(col), Some(cell)) = (column, row.get(index)) else {
            continue;
        };
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match col.field {
            Field::BankCode => r.bank_code = Some(cell),
            Field::BankName => r.bank_name = Some(cell),
            Field::BranchCode => r.branch_code = Some(cell),
            Field::BranchName => r.branch_name = Some(cell),
            _ => {}
        }
    }
    r
}

/// Account identity: bank and branch codes when present, so the same
/// 7-digit number at two banks stays two accounts.
fn account_key(row: &[String], columns: &[Option<Column>], number: &str) -> String {
    let mut key = String::new();
    for (index, column) in columns.iter().enumerate() {
        if let Some(Column {
            field: Field::BankCode | Field::BranchCode,
            ..
        }) = column
        {
            if let Some(cell) = row.get(index) {
                key.push_str(cell.trim());
                key.push('/');
            }
        }
    }
    key.push_str(number);
    key
}

/// Headers and title words steer the categoriser; values (with digits or
/// an @) never become signals.
fn insert_signal(findings: &mut Findings, cell: &str) {
    let label = clean_label(cell);
    if !label.is_empty()
        && label.chars().count() <= 24
        && !label.contains('@')
        && !label.bytes().any(|b| b.is_ascii_digit())
    {
        findings.signals.insert(label);
    }
}

/// Two-row headers: a group label spans blank cells to its right (家族連絡先 |
/// (blank)), and the second row names each column (氏名・続柄 | 電話). A
/// column under a group about someone else stays theirs.
fn merge_continuation(
    columns: &mut Vec<Option<Column>>,
    header: &[String],
    continuation: &[String],
) {
    if columns.len() < continuation.len() {
        columns.resize(continuation.len(), None);
    }
    let mut group: Option<Column> = None;
    for (index, column) in columns.iter_mut().enumerate() {
        let header_blank = header.get(index).is_none_or(|h| h.trim().is_empty());
        if !header_blank {
            group = column.clone();
        }
        let below = continuation
            .get(index)
            .and_then(|c| classify_label(c))
            .map(|field| Column {
                field,
                about_someone_else: continuation
                    .get(index)
                    .is_some_and(|c| is_someone_else(&clean_label(c))),
                name_part: false,
                extra_person: false,
            });
        let inherited = if header_blank {
            group.clone()
        } else {
            column.clone()
        };
        *column = match (inherited, below) {
            (Some(g), _) if g.about_someone_else => Some(g),
            (_, Some(b)) => Some(b),
            (g, None) => g,
        };
    }
}

fn is_header_continuation(row: &[String]) -> bool {
    let cells: Vec<&str> = row
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if cells.is_empty() {
        return false;
    }
    let labels = cells
        .iter()
        .filter(|c| {
            classify_label(c).is_some()
                || (c.starts_with(['(', '（', '[', '【']) && c.chars().count() <= 12)
        })
        .count();
    labels * 2 >= cells.len()
        && cells
            .iter()
            .all(|c| !c.chars().any(|ch| ch.is_ascii_digit()))
}

/// Columns the header did not explain (or explained as a bank name) are
/// classified by what they hold: a whole account in one cell, e-mail
/// addresses, mobile numbers.
fn infer_columns_from_values(columns: &mut Vec<Option<Column>>, rows: &[Vec<String>]) {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if columns.len() < width {
        columns.resize(width, None);
    }
    for (index, column) in columns.iter_mut().enumerate() {
        let values: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.get(index))
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        // A column of check-valid 12-digit numbers is My Numbers whatever its
        // generic label (番号, No): chance gives 1 in 11, not nine in ten.
        if matches!(
            column,
            None | Some(Column {
                field: Field::RecordId,
                ..
            })
        ) && values.len() >= 3
        {
            let valid = values
                .iter()
                .filter(|v| check(Field::MyNumber, v).is_some())
                .count();
            if valid * 10 >= values.len() * 9 {
                *column = Some(Column {
                    field: Field::MyNumber,
                    about_someone_else: false,
                    name_part: false,
                    extra_person: false,
                });
                continue;
            }
        }
        let open = match column {
            None => true,
            Some(c) => matches!(
                c.field,
                Field::BankName | Field::BranchName | Field::AccountType
            ),
        };
        if !open {
            continue;
        }
        if values.len() < 2 {
            continue;
        }
        let candidates: &[Field] = if column.is_none() {
            &[Field::BankAccountCombined, Field::Email, Field::Mobile]
        } else {
            &[Field::BankAccountCombined]
        };
        for &field in candidates {
            let valid = values.iter().filter(|v| check(field, v).is_some()).count();
            if valid as f64 >= MIN_VALID_SHARE * values.len() as f64 {
                let someone_else = column.as_ref().is_some_and(|c| c.about_someone_else);
                *column = Some(Column {
                    field,
                    about_someone_else: someone_else,
                    name_part: false,
                    extra_person: false,
                });
                break;
            }
        }
    }
}

/// Name columns after the first that name a second person (妻, 共有者, ②).
fn mark_extra_persons(row: &[String], columns: &mut [Option<Column>]) {
    let mut seen_name = false;
    for (index, column) in columns.iter_mut().enumerate() {
        let Some(col) = column else { continue };
        if col.field != Field::Name || col.about_someone_else || col.name_part {
            continue;
        }
        let label = row
            .get(index)
            .map(|c| crate::normalize::normalize(c))
            .unwrap_or_default();
        let qualified = ["妻", "夫", "共有", "②", "2", "二", "副"]
            .iter()
            .any(|q| label.contains(q));
        if seen_name && qualified {
            col.extra_person = true;
        }
        seen_name = true;
    }
}

/// Consecutive address-part columns (都道府県 | 市区町村 | 番地 | 建物).
fn address_part_groups(columns: &[Option<Column>]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut previous: Option<usize> = None;
    for (index, column) in columns.iter().enumerate() {
        if !matches!(
            column,
            Some(Column {
                field: Field::AddressPart,
                ..
            })
        ) {
            continue;
        }
        match (previous, groups.last_mut()) {
            (Some(p), Some(group)) if p + 1 == index => group.push(index),
            _ => groups.push(vec![index]),
        }
        previous = Some(index);
    }
    groups
}

/// In a list of companies (取引先名, 法人番号 and no person's name column),
/// addresses, phones and mailboxes are the companies' own.
fn drop_company_contact_columns(row: &[String], columns: &mut [Option<Column>]) {
    let company_identity = row.iter().any(|c| {
        let label = clean_label(c);
        [
            "会社名",
            "社名",
            "取引先",
            "法人名",
            "法人番号",
            "企業名",
            "事業者名",
            "仕入先",
            "得意先",
        ]
        .iter()
        .any(|w| label.contains(w))
    });
    let person_name = columns
        .iter()
        .flatten()
        .any(|c| matches!(c.field, Field::Name | Field::NameKana) && !c.about_someone_else);
    if company_identity && !person_name {
        for column in columns.iter_mut() {
            if matches!(
                column,
                Some(Column {
                    field: Field::Address
                        | Field::PostalCode
                        | Field::Phone
                        | Field::Mobile
                        | Field::Email,
                    ..
                })
            ) {
                *column = None;
            }
        }
    }
}

/// A 姓 or 名 cell: any short run of letters (林, 森, 翼).
fn name_part_value(cell: &str) -> Option<Value> {
    let v = crate::normalize::normalize(cell.trim());
    let ok = (1..=8).contains(&v.chars().count())
        && v.chars().all(|c| c.is_alphabetic())
        && !crate::values::is_empty_mark(&v);
    ok.then_some(Value::Text(v))
}

/// Classifies a candidate header row; None unless it looks like one.
fn header_columns(row: &[String]) -> Option<Vec<Option<Column>>> {
    let mut personal = 0;
    let mut known = 0;
    let columns: Vec<Option<Column>> = row
        .iter()
        .map(|cell| {
            if cell.chars().count() > 30 {
                return None;
            }
            let field = classify_label(cell)?;
            known += 1;
            if item_of(field).is_some() {
                personal += 1;
            }
            let label = clean_label(cell);
            Some(Column {
                field,
                about_someone_else: is_someone_else(&label),
                name_part: crate::labels::is_name_part_label(cell),
                extra_person: false,
            })
        })
        .collect();
    // 続柄 right after an emergency contact is the contact's relation, not family data.
    let mut columns = columns;
    for i in 1..columns.len() {
        let after_contact = matches!(
            &columns[i - 1],
            Some(Column {
                field: Field::EmergencyContact,
                ..
            })
        );
        if let Some(col) = columns[i].as_mut() {
            if after_contact && col.field == Field::Family && clean_label(&row[i]).contains("続柄")
            {
                col.field = Field::EmergencyContact;
            }
        }
    }
    mark_extra_persons(row, &mut columns);
    drop_company_contact_columns(row, &mut columns);
    // A header of one known label is accepted when every cell reads like a label.
    let filled = row.iter().filter(|c| !c.trim().is_empty()).count();
    let label_like = row.iter().all(|c| {
        let c = c.trim();
        c.chars().count() <= 20
            && !c.contains('@')
            && c.chars().filter(|ch| ch.is_ascii_digit()).count() <= 1
    });
    if personal >= 1 && filled >= 3 && label_like {
        return Some(columns);
    }
    // A data row may contain one label-like word; a header has several.
    (known >= 2 && (personal >= 1 || known >= 3)).then_some(columns)
}

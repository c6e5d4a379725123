//! The table engine: CSV/TSV now, spreadsheets and Word tables later.
//!
//! A header row is searched among the first rows (title blocks above it are
//! common), each column is classified by its header and then *confirmed by
//! the values under it* (a column headed 電話 whose values are not phone
//! numbers is dropped; 商品コード is never a My Number whatever its digits).
//! Every data row then yields item occurrences and one person record.
//! Tables without a recognisable header are read as text.

mod columns;

use crate::findings::{Findings, PersonDraft, RecordNumber};
use crate::labels::{item_of, Field};
use crate::text::TextScanner;
use crate::values::Value;
use crate::Detector;
use columns::*;
use mamori_core::DataItem;

const HEADER_SEARCH_ROWS: usize = 30;
const VALIDATION_ROWS: usize = 200;

pub struct TableScanner<'d> {
    detector: &'d Detector,
    pending: Vec<Vec<String>>,
    columns: Option<Vec<Option<Column>>>,
    validated: bool,
    fallback: Option<TextScanner<'d>>,
    findings: Findings,
    header: Vec<String>,
    /// The header's cells trimmed once, for spotting repeated headers.
    header_trimmed: Vec<String>,
    /// Columns the header calls the row's name, before value checks (a column
    /// of company names fails them, yet tells that its rows are companies).
    name_columns: Vec<usize>,
    /// Each header cell's person numbering (社員番号) and its hash, worked
    /// out once per table.
    numberings: Vec<Option<(String, mamori_core::KeyHash)>>,
    /// The table is an emergency contact list (緊急連絡網): relations and
    /// phones in it are the contacts', not the listed person's.
    emergency: bool,
    /// Runs of adjacent address-part columns (都道府県 | 市区町村 | 番地),
    /// worked out once when the columns are settled, not per row.
    address_groups: Vec<Vec<usize>>,
    /// Items whose samples are all taken: their cells need no sampling call.
    samples_full: Vec<DataItem>,
    scratch: RowScratch,
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
            header_trimmed: Vec::new(),
            name_columns: Vec::new(),
            numberings: Vec::new(),
            emergency: false,
            address_groups: Vec::new(),
            samples_full: Vec::new(),
            scratch: RowScratch::default(),
        }
    }

    /// The file's path names its person: attributes alone are theirs.
    pub fn identified_by_path(&mut self) {
        self.findings.identified_by_path = true;
    }

    /// Tells the table it sits under an emergency-contact heading.
    pub fn set_emergency_context(&mut self) {
        self.emergency = true;
    }

    /// A row as borrowed cells (a CSV record): once the columns are known,
    /// the cells are read where they lie, without a string per cell.
    pub fn push_cells(&mut self, cells: &[&str]) {
        if self.validated && self.fallback.is_none() {
            self.process_row(cells);
            return;
        }
        self.push_row(cells.iter().map(|c| c.to_string()).collect());
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
                let key = self.detector.key();
                self.numberings = row
                    .iter()
                    .map(|h| {
                        person_numbering(h).map(|label| {
                            let hash = mamori_core::PersonKeys::record_numbering(key, &label);
                            (label, hash)
                        })
                    })
                    .collect();
                self.header_trimmed = row.iter().map(|h| h.trim().to_string()).collect();
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
        if self.findings.identified_by_path {
            text.identified_by_path();
        }
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
            infer_columns_from_values(columns, &self.header, &rows);
        }
        // What each checked cell held, so the rows below do not check it
        // again (a 1000-row document's first 200 rows were checked twice).
        let mut checked: Vec<Vec<Option<Option<Value>>>> = rows
            .iter()
            .map(|row| std::iter::repeat_with(|| None).take(row.len()).collect())
            .collect();
        if let Some(columns) = self.columns.as_mut() {
            for (index, column) in columns.iter_mut().enumerate() {
                let Some(col) = column else { continue };
                // Record ids carry no item, so no value proves them; kept
                // for telling namesakes apart (社員番号).
                if !needs_value_check(col.field) || col.field == Field::RecordId {
                    continue;
                }
                let mut filled = 0usize;
                let mut valid = 0usize;
                for (row, checked) in rows.iter().zip(checked.iter_mut()) {
                    let Some(cell) = row.get(index) else { continue };
                    if crate::values::is_empty_mark(cell) {
                        continue;
                    }
                    filled += 1;
                    let value = check_column(col, cell);
                    if value.is_some() {
                        valid += 1;
                    }
                    checked[index] = Some(value);
                }
                if filled > 0 && (valid as f64) < MIN_VALID_SHARE * filled as f64 {
                    *column = None;
                }
            }
        }
        self.validated = true;
        if let Some(columns) = self.columns.as_ref() {
            self.address_groups = address_part_groups(columns);
        }
        for (row, mut checked) in rows.into_iter().zip(checked) {
            self.process_row_checked(&row, &mut checked);
        }
    }

    fn process_row<S: AsRef<str>>(&mut self, row: &[S]) {
        self.process_row_checked(row, &mut []);
    }

    /// A row whose cells' values are already in `checked` where known.
    fn process_row_checked<S: AsRef<str>>(
        &mut self,
        row: &[S],
        checked: &mut [Option<Option<Value>>],
    ) {
        if self.columns.is_none() {
            return;
        }
        // A company's row (法人 shareholder, a consignee company) is no person's data.
        let company_row = self.name_columns.iter().any(|&i| {
            row.get(i)
                .is_some_and(|cell| crate::values::has_company_mark(cell.as_ref()))
        });
        // A page break in a printed report repeats the header: not a record.
        let repeated_header = row
            .iter()
            .zip(&self.header_trimmed)
            .filter(|(a, b)| could_trim_to(a.as_ref(), b) && a.as_ref().trim() == b.as_str())
            .count()
            >= 2;
        if company_row || repeated_header {
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        self.record_row(row, checked, &mut scratch);
        self.scratch = scratch;
    }

    /// A data row's items and person, with `scratch` (empty) for its lists
    /// and the cell values `checked` already holds.
    fn record_row<S: AsRef<str>>(
        &mut self,
        row: &[S],
        checked: &mut [Option<Option<Value>>],
        scratch: &mut RowScratch,
    ) {
        let Some(columns) = self.columns.as_ref() else {
            return;
        };
        let RowScratch {
            draft,
            extra_persons,
            row_items,
            name_parts,
            kana_parts,
            name_split,
            kana_split,
        } = scratch;
        let mut has_account_number = false;
        let capture = self.detector.captures_contacts();
        let mut contact = mamori_core::Contact::default();
        for (index, column) in columns.iter().enumerate() {
            let Some(col) = column else { continue };
            let Some(cell) = row.get(index).map(AsRef::as_ref) else {
                continue;
            };
            if col.field == Field::RecordId && draft.record_id.is_none() {
                if let Some(Some((label, numbering))) = self.numberings.get(index) {
                    let number = cell.trim().trim_start_matches('0');
                    if !number.is_empty() {
                        draft.record_id = Some(RecordNumber::new(*numbering, label, number));
                    }
                }
            }
            // A column of no item (bank and branch codes, record ids) is
            // only read where it lies: its cells need no check.
            let Some(item) = item_of(col.field) else {
                continue;
            };
            let value = match checked.get_mut(index).and_then(Option::take) {
                Some(value) => value,
                None => check_column(col, cell),
            };
            let Some(value) = value else {
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
            if (item.is_secret_identifier()
                || item == DataItem::Name
                || item == DataItem::Email
                || item == DataItem::Address)
                && !self.samples_full.contains(&item)
            {
                sample(
                    &mut self.findings,
                    &mut self.samples_full,
                    item,
                    cell.trim(),
                );
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
            if capture {
                match (col.field, &value) {
                    (Field::Address, Value::Text(v)) if contact.address.is_empty() => {
                        contact.address = v.trim().to_string()
                    }
                    (Field::PostalCode, Value::Digits(d)) if contact.postal_code.is_empty() => {
                        contact.postal_code = d.clone()
                    }
                    _ => {}
                }
            }
            match (col.field, value) {
                (Field::Name, Value::Text(v)) if col.name_part => name_split.push(v),
                (Field::NameKana, Value::Text(v)) if col.name_part => kana_split.push(v),
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
        // 姓 and 名 in two columns make one name (a part alone is no name key);
        // otherwise the first name column is the person's.
        if name_split.len() >= 2 {
            draft.add_name(&name_split.join(" "));
        }
        if kana_split.len() >= 2 {
            draft.add_name(&kana_split.join(" "));
        }
        let split_name = name_parts.len() == 2
            && name_parts
                .iter()
                .all(|p| p.chars().count() <= 5 && !p.contains(' '));
        if split_name {
            draft.add_name(&name_parts.join(""));
        } else if let Some(first) = name_parts.first() {
            draft.add_name(first);
        }
        self.free_text_items(row, columns, row_items);
        if !kana_parts.is_empty() {
            // Holder and reading columns may both exist; each is a name form.
            for part in kana_parts.iter() {
                draft.add_name(part);
            }
        }
        // Only the second person's column is filled: they are the row's person.
        if draft.names.is_empty() && draft.readings.is_empty() && !extra_persons.is_empty() {
            let first = extra_persons.remove(0);
            draft.names.extend(first.names);
            draft.readings.extend(first.readings);
        }
        for group in &self.address_groups {
            let joined: String = group
                .iter()
                .filter_map(|&i| row.get(i))
                .map(|c| c.as_ref().trim())
                .collect();
            if crate::values::is_address(&joined) {
                if capture && contact.address.is_empty() {
                    contact.address = joined.clone();
                }
                if !row_items.contains(&DataItem::Address) {
                    row_items.push(DataItem::Address);
                }
                if !self.samples_full.contains(&DataItem::Address) {
                    sample(
                        &mut self.findings,
                        &mut self.samples_full,
                        DataItem::Address,
                        &joined,
                    );
                }
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
        for item in row_items.iter() {
            self.findings.add(*item, 1);
        }
        self.findings.records += 1;
        // A birth date alone tells no one apart: such a row is a record, not a keyed person.
        if !draft.names.is_empty()
            || !draft.readings.is_empty()
            || draft.my_number.is_some()
            || !draft.links.is_empty()
        {
            let keys = draft.hash(self.detector.key());
            self.findings.push_person(keys);
            if capture {
                contact.name = if name_split.len() >= 2 {
                    name_split.join(" ")
                } else if split_name {
                    name_parts.join(" ")
                } else {
                    name_parts
                        .first()
                        .or(kana_parts.first())
                        .cloned()
                        .unwrap_or_default()
                };
                self.findings
                    .push_contact(crate::findings::split_postal_code(contact));
            }
        }
        for other in extra_persons.iter() {
            self.findings.records += 1;
            let keys = other.hash(self.detector.key());
            self.findings.push_person(keys);
        }
    }

    /// Comments and notes (ご意見, 備考) in columns the header did not explain:
    /// 「糖尿病で通院中」 in a customer's comment is their health data.
    fn free_text_items<S: AsRef<str>>(
        &self,
        row: &[S],
        columns: &[Option<Column>],
        row_items: &mut Vec<DataItem>,
    ) {
        for (index, cell) in row.iter().enumerate() {
            let cell = cell.as_ref();
            if columns.get(index).is_some_and(Option::is_some) || cell.chars().count() < 8 {
                continue;
            }
            let hits = crate::keywords::line_hits(&crate::normalize::normalize(cell));
            for (group, item) in [
                (crate::keywords::Group::Health, DataItem::Health),
                (crate::keywords::Group::Family, DataItem::Family),
            ] {
                if hits.has(group) && !row_items.contains(&item) {
                    row_items.push(item);
                }
            }
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

/// [`Findings::sample`], noting in `full` the items that need no more
/// (only the table adds samples to its findings, and none goes away
/// before `finish`).
fn sample(findings: &mut Findings, full: &mut Vec<DataItem>, item: DataItem, raw: &str) {
    findings.sample(item, raw);
    if findings.samples.iter().filter(|s| s.item == item).count()
        >= crate::findings::SAMPLES_PER_ITEM
    {
        full.push(item);
    }
}

/// Whether `cell.trim()` may equal the non-empty `trimmed` header: one
/// byte decides for nearly every data cell, before any trimming. A cell
/// that starts with neither the header's first byte nor a byte that can
/// open a whitespace character (ASCII space and controls, U+0085/U+00A0
/// 0xC2, U+1680 0xE1, U+2000.. 0xE2, U+3000 0xE3) does not trim to it.
fn could_trim_to(cell: &str, trimmed: &str) -> bool {
    let (Some(&first), Some(&want)) = (cell.as_bytes().first(), trimmed.as_bytes().first()) else {
        return false;
    };
    cell.len() >= trimmed.len()
        && (first == want || first <= b' ' || matches!(first, 0xC2 | 0xE1 | 0xE2 | 0xE3))
}

/// A row's working lists, kept between rows so their buffers are reused.
#[derive(Default)]
struct RowScratch {
    draft: PersonDraft,
    extra_persons: Vec<PersonDraft>,
    row_items: Vec<DataItem>,
    name_parts: Vec<String>,
    kana_parts: Vec<String>,
    /// 姓 | 名 and セイ | メイ: parts that make a name only together.
    name_split: Vec<String>,
    kana_split: Vec<String>,
}

impl RowScratch {
    fn clear(&mut self) {
        self.draft.clear();
        self.extra_persons.clear();
        self.row_items.clear();
        self.name_parts.clear();
        self.kana_parts.clear();
        self.name_split.clear();
        self.kana_split.clear();
    }
}

/// The numbering a record-id header names when it numbers persons
/// (社員番号, 株主番号, Employee ID), normalised; `None` for row numbers and
/// other codes (No., 管理番号), which repeat across files.
fn person_numbering(header: &str) -> Option<String> {
    let label: String = crate::normalize::normalize(header)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    const PERSONS: &[&str] = &[
        "社員",
        "従業員",
        "職員",
        "株主",
        "会員",
        "顧客",
        "作業員",
        "employee",
        "staff",
        "member",
        "customer",
        "shareholder",
    ];
    PERSONS
        .iter()
        .any(|word| label.contains(word))
        .then_some(label)
}

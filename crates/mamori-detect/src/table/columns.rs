//! Columns: what a header says, what the values under it prove, and the
//! shapes real tables take (two-row headers, split names and addresses,
//! second persons, company rows).

use crate::findings::Findings;
use crate::labels::{classify_label, clean_label, item_of, Field};
use crate::values::{check, Value};

/// Share of non-empty values that must validate for a column to count.
pub(super) const MIN_VALID_SHARE: f64 = 0.6;

/// Fields whose values must mostly validate for the column to be trusted.
pub(super) fn needs_value_check(field: Field) -> bool {
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
pub(super) struct Column {
    pub(super) field: Field,
    /// A family member's or contact's value: counts as an item, not as the row person's identity.
    pub(super) about_someone_else: bool,
    /// One part of a name split over two columns (姓 | 名): one character is enough.
    pub(super) name_part: bool,
    /// The header gives a code legend (性別(1:男性 2:女性)): values are codes.
    pub(super) coded: bool,
    /// A second person in the same row (貸主（妻）beside 貸主（夫）).
    pub(super) extra_person: bool,
}

/// A column about another person than the row's (a dependant, a contact).
/// 子 only as the label's head (子1氏名), never inside a word (電子メール).
pub(super) fn is_someone_else(label: &str) -> bool {
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

pub(super) fn bank_ref<'r, S: AsRef<str>>(
    row: &'r [S],
    columns: &[Option<Column>],
) -> crate::bank::BankRef<'r> {
    let mut r = crate::bank::BankRef::default();
    for (index, column) in columns.iter().enumerate() {
        let (Some(col), Some(cell)) = (column, row.get(index)) else {
            continue;
        };
        let cell = cell.as_ref().trim();
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
pub(super) fn account_key<S: AsRef<str>>(
    row: &[S],
    columns: &[Option<Column>],
    number: &str,
) -> String {
    let mut key = String::new();
    for (index, column) in columns.iter().enumerate() {
        if let Some(Column {
            field: Field::BankCode | Field::BranchCode,
            ..
        }) = column
        {
            if let Some(cell) = row.get(index) {
                key.push_str(cell.as_ref().trim());
                key.push('/');
            }
        }
    }
    key.push_str(number);
    key
}

/// Headers and title words steer the categoriser; values (with digits or
/// an @) never become signals.
pub(super) fn insert_signal(findings: &mut Findings, cell: &str) {
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
pub(super) fn merge_continuation(
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
                coded: false,
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

pub(super) fn is_header_continuation(row: &[String]) -> bool {
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
pub(super) fn infer_columns_from_values(
    columns: &mut Vec<Option<Column>>,
    header: &[String],
    rows: &[Vec<String>],
) {
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
                    coded: false,
                });
                continue;
            }
        }
        // A column the header names (and the table logic set aside) stays aside.
        let header_known = header
            .get(index)
            .is_some_and(|h| classify_label(h).is_some());
        let open = match column {
            None => !header_known,
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
            let valid = values
                .iter()
                .filter(|v| match field {
                    // Unlabelled numbers are a person's only when they are mobiles.
                    Field::Mobile => crate::phone::parse_phone(&crate::normalize::normalize(v))
                        .is_some_and(|p| p.kind == crate::phone::PhoneKind::Mobile),
                    _ => check(field, v).is_some(),
                })
                .count();
            if valid as f64 >= MIN_VALID_SHARE * values.len() as f64 {
                let someone_else = column.as_ref().is_some_and(|c| c.about_someone_else);
                *column = Some(Column {
                    field,
                    about_someone_else: someone_else,
                    name_part: false,
                    extra_person: false,
                    coded: false,
                });
                break;
            }
        }
    }
}

/// Name columns after the first that name a second person (妻, 共有者, ②).
pub(super) fn mark_extra_persons(row: &[String], columns: &mut [Option<Column>]) {
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
pub(super) fn address_part_groups(columns: &[Option<Column>]) -> Vec<Vec<usize>> {
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
pub(super) fn drop_company_contact_columns(row: &[String], columns: &mut [Option<Column>]) {
    // A company list, or a department directory (部署 | 内線 | 直通電話): the
    // addresses and lines in it are the company's own.
    const IDENTITY: &[&str] = &[
        "会社名",
        "社名",
        "取引先",
        "法人名",
        "法人番号",
        "企業名",
        "事業者名",
        "仕入先",
        "得意先",
        "部署",
        "所属",
        "部門",
        "課名",
        "部課",
        "内線",
        "拠点",
        "事業所",
    ];
    let company_identity = row.iter().any(|c| {
        let label = clean_label(c);
        IDENTITY.iter().any(|w| label.contains(w))
    });
    // A list of partner companies' contacts (会社名 | 部署 | 役職 | 氏名): business
    // contact points, which no data-subject category covers.
    let label_has = |words: &[&str]| {
        row.iter().any(|c| {
            let label = clean_label(c);
            words.iter().any(|w| label.contains(w))
        })
    };
    if label_has(&[
        "会社名",
        "社名",
        "取引先",
        "法人名",
        "企業名",
        "事業者名",
        "仕入先",
        "得意先",
    ]) && label_has(&["役職", "部署", "部門", "肩書"])
    {
        for column in columns.iter_mut() {
            if matches!(column, Some(c) if item_of(c.field).is_some()) {
                *column = None;
            }
        }
        return;
    }
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

/// What a cell under `col` holds, by the column's field and its shape.
pub(super) fn check_column(col: &Column, cell: &str) -> Option<Value> {
    if let Some(value) = check(col.field, cell) {
        return Some(value);
    }
    if col.name_part {
        return name_part_value(cell);
    }
    if col.coded && col.field == Field::Gender && matches!(cell.trim(), "0" | "1" | "2" | "9") {
        return Some(Value::Present);
    }
    None
}

/// 性別(1:男性 2:女性), 区分（1=男）: a legend of codes in the header.
fn has_code_legend(raw: &str) -> bool {
    let n = crate::normalize::normalize(raw);
    n.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_digit() && (w[1] == b':' || w[1] == b'='))
}

/// A 姓 or 名 cell: any short run of letters (林, 森, 翼).
pub(super) fn name_part_value(cell: &str) -> Option<Value> {
    let v = crate::normalize::normalize(cell.trim());
    let ok = (1..=8).contains(&v.chars().count())
        && v.chars().all(|c| c.is_alphabetic())
        && !crate::values::is_empty_mark(&v);
    ok.then_some(Value::Text(v))
}

/// Classifies a candidate header row; None unless it looks like one.
pub(super) fn header_columns(row: &[String]) -> Option<Vec<Option<Column>>> {
    let fields: Vec<Option<Field>> = row
        .iter()
        .map(|cell| {
            if cell.chars().count() > 30 {
                return None;
            }
            classify_label(cell)
        })
        .collect();
    let known = fields.iter().flatten().count();
    let personal = fields
        .iter()
        .flatten()
        .filter(|f| item_of(**f).is_some())
        .count();
    // A header of one known label is accepted when every cell reads like a label.
    let filled = row.iter().filter(|c| !c.trim().is_empty()).count();
    let label_like = row.iter().all(|c| {
        let c = c.trim();
        c.chars().count() <= 20
            && !c.contains('@')
            && c.chars().filter(|ch| ch.is_ascii_digit()).count() <= 1
    });
    // A data row may contain one label-like word; a header has several.
    let header = (personal >= 1 && filled >= 3 && label_like)
        || (known >= 2 && (personal >= 1 || known >= 3));
    // Most rows tried are data rows: decided before the columns' details.
    if !header {
        return None;
    }
    let columns: Vec<Option<Column>> = row
        .iter()
        .zip(fields)
        .map(|(cell, field)| {
            let field = field?;
            let label = clean_label(cell);
            Some(Column {
                field,
                about_someone_else: is_someone_else(&label),
                name_part: crate::labels::is_name_part_label(cell),
                coded: has_code_legend(cell),
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
    Some(columns)
}

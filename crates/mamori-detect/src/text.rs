//! The text engine: running text, forms and memos, read line by line.
//!
//! Three passes per line, most specific first: form labels with their values
//! (氏名：山田太郎, 【住所】…, a label alone with its value on the next line),
//! then free patterns that carry their own proof (check digits plus a nearby
//! keyword for My Numbers and card numbers; the numbering plan for phones),
//! then keyword items (health, family, resume ...). Values consumed by a
//! label are not counted again by a free pattern. Whether a phone or an
//! address is a *person's* is decided by its line: a company line (本社,
//! 所在地, 代表, 株式会社 …) has none.

use crate::dates::{find_dates, plausible_birth};
use crate::findings::{Findings, PersonDraft};
use crate::keywords::{
    collect_signals, has_digit_run, has_number_or_mark, has_separated_digit_run, line_hits, Group,
    Hits,
};
use crate::labels::Field;
use crate::normalize::{name_key_of_normalized, normalize};
use crate::patterns as pat;
use crate::phone::{find_phones_where, PhoneKind};
use crate::pipes;
use crate::values::{check, is_address, Value};
use crate::zengin;
use crate::Detector;
use mamori_core::DataItem;
use std::collections::BTreeMap;

mod free;
#[cfg(test)]
mod shortcut_tests;

#[cfg(test)]
thread_local! {
    static SHORTCUTS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Whether the exact shortcuts (skips a cheap test proves change nothing)
/// are taken: always, except in tests that compare them with the full path.
#[inline(always)]
pub(crate) fn shortcuts() -> bool {
    #[cfg(test)]
    {
        SHORTCUTS.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        true
    }
}

/// How far (in characters) a keyword lends context to a My Number or card number.
const CONTEXT_CHARS: usize = 300;
/// Lines after a name label during which fixed-line phones and addresses count as that person's.
const FORM_CONTEXT_LINES: usize = 40;

type PersonMap = std::collections::HashMap<String, PersonDraft, foldhash::fast::RandomState>;

pub struct TextScanner<'d> {
    detector: &'d Detector,
    findings: Findings,
    /// Name key → person. Hashed, not ordered: a memo names thousands of
    /// customers, and ordered lookups compared long shared key prefixes;
    /// [`TextScanner::finish`] sorts by key, the order the output keeps.
    persons: PersonMap,
    /// The person a single-person form (resume, entry sheet) is about.
    form_person: Option<String>,
    chars_since_my_number_keyword: usize,
    chars_since_card_keyword: usize,
    lines_since_name_label: usize,
    pending_label: Option<Field>,
    unattached: PersonDraft,
    /// Lines since a company's line (letterhead, signature): its address and phones are not a person's.
    lines_since_company: usize,
    /// Rows of a table drawn with bars, held until the block ends.
    drawn: Vec<String>,
    drawn_is_table: bool,
    seen_emergency_heading: bool,
    /// Inside a 緊急連絡先 section of a form.
    emergency_block: bool,
    /// Inside a dependant's section (配偶者, 扶養親族) of a form.
    family_block: bool,
    /// A ゆうちょ 記号 on its own line, waiting for its 番号 on the next.
    yucho_symbol: Option<String>,
    /// A 全銀 transfer file (its header record was seen).
    zengin: bool,
    /// The document says it is a filled-in example (記入例): it reports nothing.
    example: bool,
    lines_seen: usize,
    /// Signal words ([`Hits::signal_bits`]) already added to the findings:
    /// a memo repeats its few words on line after line.
    signals_noted: u64,
    /// What drawn tables held (read by the table engine).
    embedded: Findings,
    /// Only when the detector captures contacts: each person's name as
    /// written and first own address, by person key.
    contact_names: BTreeMap<String, String>,
    contact_addresses: BTreeMap<String, String>,
    contact_postal: BTreeMap<String, String>,
}

impl<'d> TextScanner<'d> {
    pub(crate) fn new(detector: &'d Detector) -> Self {
        TextScanner {
            detector,
            findings: Findings::default(),
            persons: PersonMap::default(),
            form_person: None,
            chars_since_my_number_keyword: usize::MAX / 2,
            chars_since_card_keyword: usize::MAX / 2,
            lines_since_name_label: usize::MAX / 2,
            pending_label: None,
            unattached: PersonDraft::default(),
            lines_since_company: usize::MAX / 2,
            drawn: Vec::new(),
            drawn_is_table: false,
            seen_emergency_heading: false,
            emergency_block: false,
            family_block: false,
            contact_names: BTreeMap::new(),
            contact_addresses: BTreeMap::new(),
            contact_postal: BTreeMap::new(),
            yucho_symbol: None,
            example: false,
            zengin: false,
            lines_seen: 0,
            signals_noted: 0,
            embedded: Findings::default(),
        }
    }

    /// The file's path names its person: attributes alone are theirs.
    pub fn identified_by_path(&mut self) {
        self.findings.identified_by_path = true;
    }

    /// Feeds a chunk of text (several lines).
    pub fn push_text(&mut self, text: &str) {
        for line in lines(text) {
            self.push_line(line);
        }
    }

    pub fn push_line(&mut self, raw: &str) {
        if let Some(records) = zengin::records(raw) {
            self.zengin |= records.iter().any(|r| zengin::is_header(r));
            if self.zengin {
                for record in records {
                    if let Some(transfer) = zengin::transfer(&record) {
                        self.transfer(transfer);
                    }
                }
                return;
            }
        }
        if pipes::is_pipe_row(raw) || (!self.drawn.is_empty() && pipes::is_rule_row(raw)) {
            if pipes::is_rule_row(raw) {
                self.drawn_is_table = true;
            } else if self.drawn.len() < 100_000 {
                self.drawn.push(raw.to_string());
            }
            return;
        }
        if pipes::is_border(raw) {
            return;
        }
        self.flush_drawn();
        self.push_plain_line(raw);
    }

    /// One 全銀 data record: an account at a real branch, and its holder.
    fn transfer(&mut self, t: zengin::Transfer) {
        let bank = crate::bank::BankRef {
            bank_code: Some(&t.bank_code),
            branch_code: Some(&t.branch_code),
            ..Default::default()
        };
        if !crate::bank::is_consistent(bank) {
            return;
        }
        self.findings.add(DataItem::BankAccount, 1);
        self.findings.sample(
            DataItem::BankAccount,
            &format!("{}-{}-{}", t.bank_code, t.branch_code, t.account),
        );
        let holder = normalize(&t.holder);
        let link = format!("{}/{}/{}", t.bank_code, t.branch_code, t.account);
        if crate::values::looks_like_name(&holder) {
            self.findings.add(DataItem::Name, 1);
            let key = self.note_person(&holder);
            if let Some(draft) = self.persons.get_mut(&key) {
                draft.links.push(("account", link));
            }
        }
    }

    /// Ends a drawn block: a table goes to the table engine, a form's rows are label pairs.
    fn flush_drawn(&mut self) {
        if self.drawn.is_empty() {
            return;
        }
        let rows = std::mem::take(&mut self.drawn);
        if std::mem::take(&mut self.drawn_is_table) {
            let mut table = self.detector.table();
            if self.seen_emergency_heading {
                table.set_emergency_context();
            }
            for row in &rows {
                table.push_row(pipes::cells(row));
            }
            let found = table.finish();
            self.embedded.merge(found);
        } else {
            for row in rows {
                self.push_plain_line(&pipes::as_tabbed(&row));
            }
        }
    }

    fn push_plain_line(&mut self, raw: &str) {
        let tagless = pat::strip_tags(raw);
        let raw: &str = &tagless;
        self.track_emergency_block(raw);
        if self.lines_seen < 5 && !raw.trim().is_empty() {
            self.lines_seen += 1;
            self.example |= pat::EXAMPLE_WORDS.iter().any(|w| raw.contains(w));
        }
        if raw.trim().is_empty() {
            return;
        }
        // Very long lines (minified JSON, a 2 GB one-liner) are read in windows.
        if raw.len() > 64 * 1024 {
            let mut start = 0;
            while start < raw.len() {
                let mut end = (start + 16 * 1024).min(raw.len());
                while !raw.is_char_boundary(end) {
                    end += 1;
                }
                self.scan_line(&normalize(&raw[start..end]), None);
                start = end;
            }
            return;
        }
        let mut raw_hits = None;
        if self.may_skip(raw) {
            let hits = line_hits(raw);
            if !hits.any() {
                self.skip_line(raw.len() / 2 + 1);
                return;
            }
            raw_hits = Some(hits);
        }
        let line = crate::normalize::normalize_cow(raw);
        // The keyword pass over the raw line stands for the normalised one when normalising changed nothing.
        let hits = match &line {
            std::borrow::Cow::Borrowed(_) => raw_hits,
            std::borrow::Cow::Owned(_) => None,
        };
        match crate::labels::despace_leading_label(&line) {
            Some(despaced) => self.scan_line(&despaced, None),
            None => self.scan_line(&line, hits),
        }
    }

    /// Most lines of a share hold nothing personal: no keyword, no digit, no
    /// @, no half-width kana, outside any form. They are passed over before
    /// normalisation, the costliest step for Japanese text; this is the part
    /// of that test that needs no keyword pass.
    fn may_skip(&self, raw: &str) -> bool {
        self.lines_since_name_label > FORM_CONTEXT_LINES
            && self.pending_label.is_none()
            && !has_number_or_mark(raw)
    }

    /// A 緊急連絡先 heading opens a block whose names, relations and phones are
    /// the contact's, until the next heading (a blank line may follow it).
    fn track_emergency_block(&mut self, raw: &str) {
        let line = raw.trim().trim_matches(|c| {
            matches!(
                c,
                '■' | '□' | '●' | '【' | '】' | '[' | ']' | '〈' | '〉' | '・'
            )
        });
        // A blank line may sit between the heading and its fields; the next heading ends it.
        // A heading stands alone: no colon, no value after a space.
        // At most 20 characters is at most 80 bytes: long lines (most of a
        // text) are told apart without a pass over them.
        if !line.is_empty()
            && line.len() <= 80
            && !line.contains([':', '：'])
            && !line.contains(char::is_whitespace)
            && line.chars().count() <= 20
        {
            self.emergency_block = line.contains("緊急連絡");
            // 源泉控除対象配偶者 / 控除対象扶養親族(1): the fields under it are a dependant's.
            self.family_block = !self.emergency_block
                && ["配偶者", "扶養", "家族", "同居", "親族"]
                    .iter()
                    .any(|w| line.contains(w));
        }
    }

    /// Keeps the distance counters true for a line passed over.
    fn skip_line(&mut self, width: usize) {
        self.chars_since_my_number_keyword =
            self.chars_since_my_number_keyword.saturating_add(width);
        self.chars_since_card_keyword = self.chars_since_card_keyword.saturating_add(width);
        self.lines_since_name_label = self.lines_since_name_label.saturating_add(1);
        self.lines_since_company = self.lines_since_company.saturating_add(1);
    }

    fn scan_line(&mut self, line: &str, hits: Option<Hits>) {
        let hits = hits.unwrap_or_else(|| line_hits(line));
        let width = line.len() / 2 + 1; // bytes/2 approximates characters well enough for a 300-char window
        if hits.has(Group::MyNumber) {
            self.chars_since_my_number_keyword = 0;
        } else {
            self.chars_since_my_number_keyword =
                self.chars_since_my_number_keyword.saturating_add(width);
        }
        if hits.has(Group::Card) {
            self.chars_since_card_keyword = 0;
        } else {
            self.chars_since_card_keyword = self.chars_since_card_keyword.saturating_add(width);
        }
        self.lines_since_name_label = self.lines_since_name_label.saturating_add(1);
        // Words already added are added again as no-ops, unless 株 makes
        // the line's words differ from its hits (株式会社 is left out).
        if hits.has(Group::Signal)
            && (hits.signal_bits() & !self.signals_noted != 0
                || line.contains('株')
                || !shortcuts())
            && collect_signals(&mut self.findings, line, hits)
        {
            self.signals_noted |= hits.signal_bits();
        }
        self.seen_emergency_heading |= hits.has(Group::Emergency);
        let trimmed = line.trim_start();
        if hits.has(Group::Company)
            || trimmed.starts_with("--")
            || trimmed.starts_with("──")
            || trimmed.starts_with("━━")
        {
            self.lines_since_company = 0;
        } else {
            self.lines_since_company = self.lines_since_company.saturating_add(1);
        }
        let form_context = self.lines_since_name_label <= FORM_CONTEXT_LINES;
        let digits = has_digit_run(line, 6);
        // Nothing on this line can be personal data: the common case, kept cheap.
        // Document-type and company words alone (現場, 本社) have been noted
        // above and feed no detector (子供2人 needs its 人, ゆうちょ its 記号).
        if !hits.without(&[Group::Signal, Group::Company]).any()
            && !digits
            && !form_context
            && self.pending_label.is_none()
            && !line.contains('@')
            && (!hits.any() || (self.yucho_symbol.is_none() && !line.contains('人')))
        {
            return;
        }

        let company_line = hits.has(Group::Company);
        let mut consumed: Vec<(usize, usize)> = Vec::new();
        let mut line_person: Option<String> = None;

        // 1. Labels and their values.
        let pairs = if hits.has(Group::Label) {
            pat::label_pairs(line)
        } else {
            Vec::new()
        };
        let negated = pairs
            .iter()
            .any(|p| crate::values::is_negative_answer(pat::trim_value(p.field, p.value)));
        if pairs.is_empty() {
            if let Some(field) = self.pending_label.take() {
                if line.chars().count() <= 60 {
                    self.label_value(field, line.trim(), company_line, &mut line_person);
                    consumed.push((0, line.len()));
                }
            }
        } else {
            self.pending_label = None;
            for pair in &pairs {
                if pair.value.trim().is_empty() {
                    if pair.is_last {
                        self.pending_label = Some(pair.field);
                    }
                    continue;
                }
                if self.label_value(pair.field, pair.value, company_line, &mut line_person) {
                    consumed.push((pair.value_start, pair.value_start + pair.value.len()));
                }
            }
        }

        // 2. Names by honorifics (山田太郎様, 鈴木さん).
        let honorifics = if hits.has(Group::Honorific) {
            pat::honorific_names(line, self.detector.morph())
        } else {
            Vec::new()
        };
        for name in honorifics {
            if overlaps(&consumed, name.start, name.end) {
                continue;
            }
            self.findings.add(DataItem::Name, 1);
            self.findings.sample(DataItem::Name, &name.text);
            if name.full {
                let key = self.note_person(&name.text);
                line_person.get_or_insert(key);
            }
        }
        // 中村 諒  〒832-0057 福岡県…: a list line naming a person before their details.
        if line_person.is_none()
            && (digits || hits.has(Group::Prefecture) || hits.has(Group::Birth))
        {
            if let Some(name) = pat::leading_name(line, self.detector.morph()) {
                if !overlaps(&consumed, name.start, name.end) {
                    self.findings.add(DataItem::Name, 1);
                    self.findings.sample(DataItem::Name, &name.text);
                    line_person = Some(self.note_person(&name.text));
                }
            }
        }
        // 「総務部の松尾 直美です」: a writer introducing themself opens a personal context.
        // Its regex needs です, 申します or でございます: the Intro words.
        if line_person.is_none() && hits.has(Group::Intro) {
            if let Some(name) = pat::self_introduced_name(line) {
                if !overlaps(&consumed, name.start, name.end) {
                    self.findings.add(DataItem::Name, 1);
                    self.findings.sample(DataItem::Name, &name.text);
                    line_person = Some(self.note_person(&name.text));
                    self.lines_since_name_label = 0;
                }
            }
        }
        let personal_context =
            line_person.is_some() || self.lines_since_name_label <= FORM_CONTEXT_LINES;

        // 3. Free patterns.
        self.free_patterns(
            line,
            hits,
            digits,
            &consumed,
            personal_context,
            line_person.as_deref(),
        );
        // アレルギー等：特になし names a topic and answers nothing.
        if !negated
            && !self.emergency_block
            && pat::may_have_keyword_items(line, hits)
            && !pat::is_title_line(line)
        {
            pat::keyword_items(line, hits, &mut self.findings);
        }
    }

    fn note_person(&mut self, name: &str) -> String {
        // One normalisation and one key serve both the map and the draft.
        let normalized = crate::normalize::normalize_cow(name);
        let key = name_key_of_normalized(&normalized);
        let room = self.persons.len() < crate::findings::MAX_PERSONS_PER_FILE;
        let known = self.persons.get_mut(&key);
        if known.is_some() || room {
            match known {
                Some(draft) => draft.add_keyed_name(&normalized, key.clone()),
                None => {
                    let mut draft = PersonDraft::default();
                    draft.add_keyed_name(&normalized, key.clone());
                    self.persons.insert(key.clone(), draft);
                }
            }
            if self.detector.captures_contacts() {
                let written = |s: &str| s.chars().any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}'));
                let name = name.trim().to_string();
                match self.contact_names.get(&key) {
                    Some(old) if written(old) || !written(&name) => {}
                    _ => {
                        self.contact_names.insert(key.clone(), name);
                    }
                }
            }
        }
        key
    }

    /// Handles one labelled value; true when it was recognised.
    fn label_value(
        &mut self,
        field: Field,
        raw_value: &str,
        company_line: bool,
        line_person: &mut Option<String>,
    ) -> bool {
        let value = pat::trim_value(field, raw_value);
        // Under a 緊急連絡先 heading a name, relation or phone is the contact's.
        let contact_field = matches!(
            field,
            Field::Name
                | Field::NameKana
                | Field::Phone
                | Field::Mobile
                | Field::Family
                | Field::Address
                | Field::PostalCode
        );
        if self.emergency_block && contact_field {
            if check(field, value).is_some() {
                self.findings.add(DataItem::EmergencyContact, 1);
                return true;
            }
            return false;
        }
        // A dependant's name, reading or birth date is the person's family data.
        if self.family_block
            && matches!(
                field,
                Field::Name | Field::NameKana | Field::BirthDate | Field::Family | Field::Gender
            )
        {
            if check(field, value).is_some() {
                self.findings.add(DataItem::Family, 1);
                return true;
            }
            return false;
        }
        if company_line && matches!(field, Field::Address | Field::Phone | Field::PostalCode) {
            return false;
        }
        let Some(checked) = check(field, value) else {
            return false;
        };
        if field == Field::BankAccountCombined && !pat::named_bank_is_real(value) {
            return false;
        }
        if self.detector.captures_contacts() && matches!(field, Field::Address | Field::PostalCode)
        {
            let person = line_person.clone().or_else(|| self.form_person.clone());
            match (&checked, person) {
                (Value::Text(address), Some(person)) => {
                    self.contact_addresses
                        .entry(person)
                        .or_insert_with(|| address.trim().to_string());
                }
                (Value::Digits(postal), Some(person)) => {
                    self.contact_postal
                        .entry(person)
                        .or_insert_with(|| postal.clone());
                }
                _ => {}
            }
        }
        let item = match field {
            Field::Name | Field::NameKana | Field::AccountHolder => {
                if let Value::Text(name) = &checked {
                    let key = self.note_person(name);
                    if field == Field::Name {
                        self.lines_since_name_label = 0;

                        if self.form_person.is_none() {
                            self.form_person = Some(key.clone());
                        }
                    } else if let Some(person) =
                        self.form_person.clone().or_else(|| line_person.clone())
                    {
                        // A reading belongs to the name it reads.
                        if let Some(draft) = self.persons.get_mut(&person) {
                            draft.add_name(name);
                        }
                        self.persons.remove(&key);
                    }
                    line_person.get_or_insert(key);
                }
                DataItem::Name
            }
            Field::BirthDate => {
                if let Value::Date(d) = checked {
                    self.attach(line_person.as_deref(), |p| p.birth = p.birth.or(Some(d)));
                }
                DataItem::BirthDate
            }
            Field::MyNumber => {
                if let Value::Digits(d) = &checked {
                    let d = d.clone();
                    self.attach(line_person.as_deref(), |p| {
                        p.my_number = p.my_number.clone().or(Some(d))
                    });
                }
                DataItem::MyNumber
            }
            Field::Email => {
                if let Value::Text(e) = &checked {
                    let e = e.clone();
                    self.attach(line_person.as_deref(), |p| p.links.push(("email", e)));
                }
                DataItem::Email
            }
            other => match crate::labels::item_of(other) {
                Some(item) => item,
                None => return false,
            },
        };
        self.findings.add(item, 1);
        self.findings.sample(item, value);
        true
    }

    /// Attributes go to the person of this line, else to the form's person.
    fn attach(&mut self, line_person: Option<&str>, set: impl FnOnce(&mut PersonDraft)) {
        let target = line_person
            .map(str::to_string)
            .or_else(|| self.form_person.clone());
        match target.and_then(|t| self.persons.get_mut(&t)) {
            Some(draft) => set(draft),
            None => set(&mut self.unattached),
        }
    }

    pub fn finish(mut self) -> Findings {
        self.flush_drawn();
        if self.example {
            return Findings {
                signals: std::mem::take(&mut self.findings.signals),
                ..Findings::default()
            };
        }
        // Key order, as the ordered map gave it (keys are unique).
        let mut by_key: Vec<(String, PersonDraft)> =
            std::mem::take(&mut self.persons).into_iter().collect();
        by_key.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if self.detector.captures_contacts() {
            // Names that turned out to be readings of another were removed from `persons`.
            for (person, _) in &by_key {
                let Some(name) = self.contact_names.get(person) else {
                    continue;
                };
                let contact = mamori_core::Contact {
                    name: name.clone(),
                    postal_code: self.contact_postal.get(person).cloned().unwrap_or_default(),
                    address: self
                        .contact_addresses
                        .get(person)
                        .cloned()
                        .unwrap_or_default(),
                };
                self.findings
                    .push_contact(crate::findings::split_postal_code(contact));
            }
        }
        let key = self.detector.key();
        let mut persons: Vec<_> = by_key.into_iter().map(|(_, draft)| draft).collect();
        if persons.is_empty() && !self.unattached.is_empty() {
            persons.push(std::mem::take(&mut self.unattached));
        }
        self.findings.records = persons.len() as u64;
        self.findings.persons = persons.iter().map(|p| p.hash(key)).collect();
        let embedded = std::mem::take(&mut self.embedded);
        self.findings.merge(embedded);
        if self.findings.records == 0 && self.findings.has_identifying_item() {
            self.findings.records = 1;
        }
        self.findings.gate();
        self.findings
    }
}

/// The lines of `text` exactly as `str::lines` gives them (a '\n' ends a
/// line, a '\r' before it is dropped, a last line needs no '\n'), found
/// with the memchr crate's vector search instead of std's word-wise one.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    std::iter::from_fn(move || match ends.next() {
        Some(end) => {
            let line = &text[start..end];
            start = end + 1;
            Some(line.strip_suffix('\r').unwrap_or(line))
        }
        None if start < text.len() => {
            let line = &text[start..];
            start = text.len();
            Some(line)
        }
        None => None,
    })
}

fn overlaps(spans: &[(usize, usize)], start: usize, end: usize) -> bool {
    spans.iter().any(|&(s, e)| start < e && s < end)
}

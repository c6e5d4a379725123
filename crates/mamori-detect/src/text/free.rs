//! The free patterns of a line: what is found anywhere in prose, not after
//! a label (phones, e-mails, IDs, dates, addresses and names in text).

use super::*;

impl TextScanner<'_> {
    pub(super) fn free_patterns(
        &mut self,
        line: &str,
        hits: Hits,
        digits: bool,
        consumed: &[(usize, usize)],
        personal_context: bool,
        line_person: Option<&str>,
    ) {
        // A letterhead or signature block: the company's own address and numbers.
        let company_block =
            self.lines_since_company <= 3 && line_person.is_none() && !hits.has(Group::Address);
        let company_line = hits.has(Group::Company) || company_block;
        let long_digits = digits && has_digit_run(line, 10);
        if long_digits {
            // Without a keyword nearby only a card number written in groups
            // can count: a log's request ids and counters are never read
            // as My Numbers or cards (no allocation per run).
            let my_number_context = self.chars_since_my_number_keyword <= CONTEXT_CHARS;
            let card_context = self.chars_since_card_keyword <= CONTEXT_CHARS;
            // Numbers written with separators, the only phones counted
            // outside a personal context and the only cards without a keyword.
            let separated = !(personal_context && (my_number_context || card_context))
                && has_separated_digit_run(line, 10);
            let runs = if my_number_context || card_context {
                pat::number_runs(line)
            } else if separated {
                pat::grouped_number_runs(line)
            } else {
                Vec::new()
            };
            for (start, end, digits) in runs
                .iter()
                .filter(|r| my_number_context && r.is(12, &[4, 4, 4]))
                .map(|r| (r.start, r.end, r.digits.clone()))
            {
                if overlaps(consumed, start, end)
                    || !crate::ids::is_my_number(&digits)
                    || crate::ids::is_published_sample(&digits)
                {
                    continue;
                }
                if self.chars_since_my_number_keyword <= CONTEXT_CHARS
                    && !pat::is_not_my_number_line(line)
                    && !pat::labelled_as_other_number(line, start)
                {
                    self.findings.add(DataItem::MyNumber, 1);
                    self.findings.sample(DataItem::MyNumber, &line[start..end]);
                    let d = digits.clone();
                    self.attach(line_person, |p| {
                        p.my_number = p.my_number.clone().or(Some(d))
                    });
                }
            }
            for (start, end, digits) in runs
                .iter()
                .filter(|r| pat::is_card_shape(r))
                .map(|r| (r.start, r.end, r.digits.clone()))
            {
                if overlaps(consumed, start, end) || !crate::ids::is_card_number(&digits) {
                    continue;
                }
                let grouped = line[start..end].contains(['-', ' ']);
                if self.chars_since_card_keyword <= CONTEXT_CHARS || grouped {
                    self.findings.add(DataItem::CreditCard, 1);
                    self.findings
                        .sample(DataItem::CreditCard, &line[start..end]);
                }
            }
            if !company_line && (personal_context || separated) {
                // Outside a personal context only numbers written with
                // separators count, whatever their kind.
                for found in find_phones_where(line, !personal_context) {
                    if overlaps(consumed, found.start, found.end)
                        || found.phone.kind == PhoneKind::Business
                    {
                        continue;
                    }
                    let personal = match found.phone.kind {
                        PhoneKind::Mobile | PhoneKind::Ip => found.separated || personal_context,
                        _ => personal_context && found.separated,
                    };
                    if personal {
                        self.findings.add(DataItem::Phone, 1);
                        self.findings
                            .sample(DataItem::Phone, &line[found.start..found.end]);
                    }
                }
            }
        }
        if hits.has(Group::Birth) {
            for found in find_dates(line) {
                if overlaps(consumed, found.start, found.end) || !plausible_birth(&found.date) {
                    continue;
                }
                if pat::is_birth_context(line, found.start, found.end) {
                    self.findings.add(DataItem::BirthDate, 1);
                    let date = found.date;
                    self.attach(line_person, |p| p.birth = p.birth.or(Some(date)));
                }
            }
        }
        let address_start = hits.has(Group::Prefecture)
            || (digits && (hits.has(Group::Address) || personal_context));
        if address_start && (personal_context || hits.has(Group::Address)) {
            {
                for (start, end) in
                    pat::address_spans_in(line, hits.has(Group::Prefecture) || !super::shortcuts())
                {
                    if overlaps(consumed, start, end) || !is_address(&line[start..end]) {
                        continue;
                    }
                    // Town names may contain 本社 or 本店: judge the line without the address.
                    let company_rest = if super::shortcuts() {
                        pat::is_company_line_without(line, (start, end), hits.has(Group::Company))
                    } else {
                        pat::is_company_line(&format!("{}{}", &line[..start], &line[end..]))
                    };
                    if company_block || company_rest {
                        continue;
                    }
                    self.findings.add(DataItem::Address, 1);
                    self.findings.sample(DataItem::Address, &line[start..end]);
                    let own = !self.emergency_block && !self.family_block;
                    if self.detector.captures_contacts() && own {
                        let person = line_person
                            .map(str::to_string)
                            .or_else(|| self.form_person.clone());
                        if let Some(person) = person {
                            let postal = line
                                .split_once('〒')
                                .map(|(_, after)| {
                                    format!("〒{} ", after.chars().take(8).collect::<String>())
                                })
                                .unwrap_or_default();
                            self.contact_addresses
                                .entry(person)
                                .or_insert_with(|| format!("{postal}{}", &line[start..end]));
                        }
                    }
                }
            }
        }
        // ゆうちょ written over lines: 記号：15380 then 番号：91207091.
        if line.contains("記号") || self.yucho_symbol.is_some() {
            if let Some(symbol) = pat::yucho_symbol_line(line) {
                self.yucho_symbol = Some(symbol);
            } else if let Some(symbol) = self.yucho_symbol.take() {
                if pat::yucho_number_line(line) && crate::bank::yucho_symbol_ok(&symbol) {
                    self.findings.add(DataItem::BankAccount, 1);
                    self.findings.sample(DataItem::BankAccount, line);
                }
            }
        }
        if digits && hits.has(Group::Bank) {
            let accounts = pat::bank_accounts(line);
            for (start, end) in accounts {
                if overlaps(consumed, start, end) {
                    continue;
                }
                self.findings.add(DataItem::BankAccount, 1);
                self.findings
                    .sample(DataItem::BankAccount, &line[start..end]);
            }
        }
        if digits && hits.has(Group::Identifier) {
            for (item, start, end) in pat::keyword_identifiers(line) {
                if overlaps(consumed, start, end) {
                    continue;
                }
                self.findings.add(item, 1);
                self.findings.sample(item, &line[start..end]);
            }
        }
        if line.contains('@') {
            for (start, end) in pat::emails(line) {
                if overlaps(consumed, start, end) {
                    continue;
                }
                let email = &line[start..end];
                if crate::values::is_personal_email(email)
                    && (!pat::is_mail_header(line) || pat::is_consumer_mail(email))
                {
                    self.findings.add(DataItem::Email, 1);
                    self.findings.sample(DataItem::Email, email);
                    let e = email.to_lowercase();
                    self.attach(line_person, |p| p.links.push(("email", e)));
                }
            }
        }
    }
}

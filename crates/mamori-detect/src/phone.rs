//! Japanese phone numbers by the numbering plan: fixed lines (area code +
//! local exchange = 5 digits after the trunk 0, then 4), mobile 060/070/080/090,
//! IP 050, +81 forms. Toll-free and navi-dial numbers belong to companies.

use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneKind {
    Fixed,
    Mobile,
    Ip,
    /// 0120 / 0800 / 0570: a company's line, never a person's.
    Business,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub kind: PhoneKind,
    /// Domestic digits, trunk 0 included (09012345678).
    pub digits: String,
}

/// Validates one candidate (digits with '-', ' ', '(', ')' and an optional +81).
pub fn parse_phone(candidate: &str) -> Option<Phone> {
    let s = crate::normalize::trim(candidate);
    let (international, rest) = match s.strip_prefix("+81") {
        Some(rest) => (true, rest.trim_start_matches([' ', '-'])),
        None => (false, s),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')'))
    {
        return None;
    }
    // The groups between separators, without a list: their count, the
    // lengths of the first three, the last two. Their concatenation is the
    // digits of `rest` (nothing else is left in it).
    let mut count = 0usize;
    let mut first_lengths = [0usize; 3];
    let mut last = "";
    let mut before_last = "";
    for group in rest.split(['-', ' ', '(', ')']).filter(|g| !g.is_empty()) {
        if count < 3 {
            first_lengths[count] = group.len();
        }
        before_last = last;
        last = group;
        count += 1;
    }
    let mut digits = String::with_capacity(rest.len() + 1);
    // A +81 number's national form: one trunk 0 before it (kept when written).
    if international && rest.bytes().find(u8::is_ascii_digit) != Some(b'0') {
        digits.push('0');
    }
    digits.extend(rest.bytes().filter(u8::is_ascii_digit).map(char::from));
    if !digits.starts_with('0') || digits.starts_with("00") || !(10..=11).contains(&digits.len()) {
        return None;
    }
    let kind = match &digits[..3] {
        "060" | "070" | "080" | "090" if digits.len() == 11 => PhoneKind::Mobile,
        "050" if digits.len() == 11 => PhoneKind::Ip,
        _ if digits.starts_with("0120") && digits.len() == 10 => PhoneKind::Business,
        _ if digits.starts_with("0800") && digits.len() == 11 => PhoneKind::Business,
        _ if digits.starts_with("0570") && digits.len() == 10 => PhoneKind::Business,
        // 0X0 prefixes are mobile, IP, pager or special services; every other 10-digit 0… is a fixed line.
        _ if digits.len() == 10 && digits.as_bytes()[2] != b'0' => PhoneKind::Fixed,
        _ => return None,
    };
    if kind == PhoneKind::Fixed && count >= 3 && !international {
        // Area code (with trunk 0) + local exchange must make 6 digits, subscriber 4.
        let area_and_exchange = digits.len() - last.len();
        if last.len() != 4 || area_and_exchange != 6 || before_last.starts_with('0') {
            return None;
        }
    }
    if (kind == PhoneKind::Mobile || kind == PhoneKind::Ip)
        && !international
        && count == 3
        && (first_lengths[0] != 3 || first_lengths[1] != 4 || first_lengths[2] != 4)
    {
        return None;
    }
    Some(Phone { kind, digits })
}

fn candidate_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:\+81[\s-]?|\(0|0)\d{1,4}\)?[\s-]?\(?\d{1,4}\)?[\s-]?\d{3,4}")
            .unwrap_or_else(|e| unreachable!("static regex: {e}"))
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPhone {
    pub start: usize,
    pub end: usize,
    pub phone: Phone,
    /// Written with separators (090-1234-5678): far less likely to be some other number.
    pub separated: bool,
}

/// Phone numbers in normalised text, not glued to other digits.
pub fn find_phones(text: &str) -> Vec<FoundPhone> {
    find_phones_where(text, false)
}

/// [`find_phones`], or with `separated_only` just its numbers written with
/// separators (`separated`), for callers that count no other: a log line's
/// request ids and byte counts (12 digits, no separator) then never reach
/// the regex.
pub fn find_phones_where(text: &str, separated_only: bool) -> Vec<FoundPhone> {
    if !text.contains('0') {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (offset, segment) in phone_segments(text) {
        if separated_only && !may_hold_separated(segment) {
            continue;
        }
        find_in_segment(text, offset, segment, &mut out);
    }
    if separated_only {
        out.retain(|found| found.separated);
    }
    out
}

/// Whether a match inside `segment` could contain a separator ('-', '(' or
/// ' '). A match starts at '+', '(' or a digit and ends at a digit that
/// `parse_phone` accepts (ASCII), so separators before the first such start
/// or after the last ASCII digit are outside every valid match.
fn may_hold_separated(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let Some(first) = bytes
        .iter()
        .position(|b| b.is_ascii_digit() || matches!(b, b'+' | b'('))
    else {
        return false;
    };
    let Some(last) = bytes.iter().rposition(u8::is_ascii_digit) else {
        return false;
    };
    first <= last
        && bytes[first..=last]
            .iter()
            .any(|b| matches!(b, b'-' | b'(' | b' '))
}

/// The stretches of `text` a candidate can lie in (digits, +, (, ), -,
/// spaces), keeping only those with the ten ASCII digits a valid number
/// needs: a log line's dates and times never reach the regex. The candidate
/// regex has no anchors, so it finds the same matches in a stretch as in
/// the whole text.
fn phone_segments(text: &str) -> impl Iterator<Item = (usize, &str)> {
    // A byte loop: logs put digits on every line, and the characters
    // around them are ASCII or kana/kanji, decided without Unicode tables.
    let mut at = 0;
    std::iter::from_fn(move || loop {
        while at < text.len() {
            let (inside, width) = segment_char_at(text, at);
            if inside {
                break;
            }
            at += width;
        }
        if at >= text.len() {
            return None;
        }
        let start = at;
        let mut digits = 0usize;
        while at < text.len() {
            let (inside, width) = segment_char_at(text, at);
            if !inside {
                break;
            }
            digits += usize::from(text.as_bytes()[at].is_ascii_digit());
            at += width;
        }
        if digits >= 10 {
            return Some((start, &text[start..at]));
        }
    })
}

/// Whether the character at byte `at` (a char boundary) can be part of a
/// phone stretch: a numeric or white-space character, + ( ) or -; and its
/// width in bytes.
#[inline(always)]
fn segment_char_at(text: &str, at: usize) -> (bool, usize) {
    let b = text.as_bytes()[at];
    if b < 0x80 {
        return (ASCII_IN_SEGMENT[usize::from(b)], 1);
    }
    match text[at..].chars().next() {
        Some(c) => (in_segment(c), c.len_utf8()),
        None => (false, 1),
    }
}

/// ASCII digits, white space (as `char::is_whitespace`), + ( ) -.
static ASCII_IN_SEGMENT: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = matches!(
            b as u8,
            b'0'..=b'9' | b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b'+' | b'(' | b')' | b'-'
        );
        b += 1;
    }
    table
};

#[cold]
fn in_segment(c: char) -> bool {
    // Kana and kanji are neither numeric nor spaces (Lo, not N*).
    if matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{4E00}'..='\u{9FFF}') {
        return false;
    }
    c.is_numeric() || c.is_whitespace() || matches!(c, '+' | '(' | ')' | '-')
}

fn find_in_segment(text: &str, offset: usize, segment: &str, out: &mut Vec<FoundPhone>) {
    for m in candidate_regex().find_iter(segment) {
        let m_start = offset + m.start();
        let m_end = offset + m.end();
        let before = text[..m_start].chars().next_back();
        let after = text[m_end..].chars().next();
        if before.is_some_and(|c| c.is_ascii_digit() || c == '-' || c.is_ascii_alphabetic())
            || after.is_some_and(|c| c.is_ascii_digit() || c == '-')
        {
            continue;
        }
        if let Some(phone) = parse_phone(m.as_str()) {
            let separated = m.as_str().contains(['-', '(', ' ']);
            out.push(FoundPhone {
                start: m_start,
                end: m_end,
                phone,
                separated,
            });
        }
    }
}

/// The whole text as one segment: what the digit-stretch search must equal.
#[cfg(test)]
fn find_phones_whole(text: &str) -> Vec<FoundPhone> {
    let mut out = Vec::new();
    find_in_segment(text, 0, text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `parse_phone` as it was with a list of groups, the reference for the
    /// list-free one.
    fn parse_phone_with_groups(candidate: &str) -> Option<Phone> {
        let s = candidate.trim();
        let (international, rest) = match s.strip_prefix("+81") {
            Some(rest) => (true, rest.trim_start_matches([' ', '-'])),
            None => (false, s),
        };
        if !rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')'))
        {
            return None;
        }
        let groups: Vec<&str> = rest
            .split(['-', ' ', '(', ')'])
            .filter(|g| !g.is_empty())
            .collect();
        let mut digits: String = groups.concat();
        if international {
            let stripped = digits.strip_prefix('0').unwrap_or(&digits).to_string();
            digits = format!("0{stripped}");
        }
        if !digits.starts_with('0')
            || digits.starts_with("00")
            || !(10..=11).contains(&digits.len())
        {
            return None;
        }
        let kind = match &digits[..3] {
            "060" | "070" | "080" | "090" if digits.len() == 11 => PhoneKind::Mobile,
            "050" if digits.len() == 11 => PhoneKind::Ip,
            _ if digits.starts_with("0120") && digits.len() == 10 => PhoneKind::Business,
            _ if digits.starts_with("0800") && digits.len() == 11 => PhoneKind::Business,
            _ if digits.starts_with("0570") && digits.len() == 10 => PhoneKind::Business,
            _ if digits.len() == 10 && digits.as_bytes()[2] != b'0' => PhoneKind::Fixed,
            _ => return None,
        };
        if kind == PhoneKind::Fixed && groups.len() >= 3 && !international {
            let n = groups.len();
            let area_and_exchange: usize = groups[..n - 1].iter().map(|g| g.len()).sum();
            if groups[n - 1].len() != 4 || area_and_exchange != 6 || groups[n - 2].starts_with('0')
            {
                return None;
            }
        }
        if (kind == PhoneKind::Mobile || kind == PhoneKind::Ip)
            && !international
            && groups.len() == 3
            && (groups[0].len() != 3 || groups[1].len() != 4 || groups[2].len() != 4)
        {
            return None;
        }
        Some(Phone { kind, digits })
    }

    #[test]
    fn list_free_parse_is_the_grouped_parse() {
        let heads = ["", "+81", "+81 ", "+81-", " ", "(", "+810"];
        let bodies = [
            "090-1234-5678",
            "09012345678",
            "90-1234-5678",
            "03-1234-5678",
            "0312345678",
            "(03)1234-5678",
            "03 (1234) 5678",
            "011-411-4478",
            "0466-12-3456",
            "0466-012-3456",
            "06-0123-4567",
            "0120-123-456",
            "0570-123-456",
            "0800-123-4567",
            "050-1234-5678",
            "080-12345-678",
            "0-9-0-1-2-3-4-5-6-7-8",
            "3-1234-5678",
            "003-1234-5678",
            "1234",
            "",
            "--",
            "090-1234-5678x",
        ];
        let mut seed = 7u64;
        for head in heads {
            for body in bodies {
                let text = format!("{head}{body}");
                assert_eq!(parse_phone(&text), parse_phone_with_groups(&text), "{text}");
            }
        }
        // Random digit and separator strings.
        for _ in 0..20_000 {
            let mut text = String::new();
            if seed.is_multiple_of(5) {
                text.push_str("+81");
            }
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 8 + (seed >> 60) as usize;
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = (seed >> 33) % 16;
                text.push(match r {
                    0..=9 => char::from(b'0' + r as u8),
                    10 | 11 => '-',
                    12 => ' ',
                    13 => '(',
                    14 => ')',
                    _ => '0',
                });
            }
            assert_eq!(parse_phone(&text), parse_phone_with_groups(&text), "{text}");
        }
    }

    #[test]
    fn stretches_find_what_the_whole_line_finds() {
        for line in [
            "2025-04-05T00:00:00+09:00 INFO request_id=692364779518 tel 090-1234-5678",
            "電話（03-1234-5678）携帯:080 1234 5678、FAX (03)1234-5679",
            "+81 90-1234-5678 / 0312345678 / 0466-12-3456x 01267-2-3456",
            "０９０-1234-5678 ۱۲۳ 090-1234-5678- 1090-1234-5678",
        ] {
            assert_eq!(find_phones(line), find_phones_whole(line), "{line}");
            let separated: Vec<_> = find_phones(line)
                .into_iter()
                .filter(|f| f.separated)
                .collect();
            assert_eq!(find_phones_where(line, true), separated, "{line}");
        }
    }

    #[test]
    fn the_byte_test_agrees_with_the_unicode_one() {
        let unicode =
            |c: char| c.is_numeric() || c.is_whitespace() || matches!(c, '+' | '(' | ')' | '-');
        for code in 0..0x3_0000u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let text = c.to_string();
            assert_eq!(
                segment_char_at(&text, 0),
                (unicode(c), c.len_utf8()),
                "U+{code:04X}"
            );
        }
        // Stretches as the char-by-char scan cut them.
        let line = "電話 ０９０ 1234 5678、〇一二 ① 12345\u{3000}67890 abc 0312345678";
        let old: Vec<(usize, &str)> = {
            let mut out = Vec::new();
            let mut rest = line.char_indices().peekable();
            while let Some((start, _)) = rest.find(|&(_, c)| unicode(c)) {
                let mut end = line.len();
                while let Some(&(i, c)) = rest.peek() {
                    if !unicode(c) {
                        end = i;
                        break;
                    }
                    rest.next();
                }
                let segment = &line[start..end];
                if segment.bytes().filter(u8::is_ascii_digit).count() >= 10 {
                    out.push((start, segment));
                }
            }
            out
        };
        assert_eq!(phone_segments(line).collect::<Vec<_>>(), old);
        assert_eq!(old.len(), 2);
    }

    #[test]
    fn numbering_plan() {
        for ok in [
            "03-1234-5678",
            "045-123-4567",
            "0466-12-3456",
            "01267-2-3456",
            "090-1234-5678",
            "050-1234-5678",
            "+81 90-1234-5678",
            "0312345678",
            "(03)1234-5678",
            "06-6123-4567",
            "059-789-3445",
            "075-123-4567",
            "092-123-4567",
        ] {
            assert!(parse_phone(ok).is_some(), "{ok}");
        }
        for bad in [
            "03-123-45678",
            "045-023-4567",
            "090-123-45678",
            "1234-5678",
            "00-1234-5678",
            "0120-123-4567",
        ] {
            assert!(parse_phone(bad).is_none(), "{bad}");
        }
        assert_eq!(
            parse_phone("0120-123-456").map(|p| p.kind),
            Some(PhoneKind::Business)
        );
        assert_eq!(
            parse_phone("+81-3-1234-5678").map(|p| p.digits).as_deref(),
            Some("0312345678")
        );
    }

    #[test]
    fn found_in_text_not_inside_longer_numbers() {
        let found = find_phones("携帯 090-1234-5678、自宅 03-1234-5678。商品 1203123456789");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].phone.kind, PhoneKind::Mobile);
    }
}

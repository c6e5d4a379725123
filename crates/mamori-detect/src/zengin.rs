//! 全銀 (Zengin) fixed-width transfer files: 120-character records (header
//! 1, data 2, trailer 8, end 9), half-width katakana, as payroll and
//! dividend systems write them for the bank. Every data record is one
//! person's account: bank and branch codes, type, number and holder name.

/// A data record's fields (positions of the 総合振込 layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: char,
    pub account: String,
    pub holder: String,
}

const RECORD: usize = 120;

/// The 120-character records of a line, when the line is made of them
/// (one per line, or all run together without newlines).
pub fn records(line: &str) -> Option<Vec<String>> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.len() < RECORD
        || !matches!(line.as_bytes()[0], b'1' | b'2' | b'8' | b'9')
        || !line.chars().count().is_multiple_of(RECORD)
    {
        return None;
    }
    let chars: Vec<char> = line.chars().collect();
    if chars.is_empty() || !chars.len().is_multiple_of(RECORD) {
        return None;
    }
    let records: Vec<String> = chars.chunks(RECORD).map(|c| c.iter().collect()).collect();
    records
        .iter()
        .all(|r| matches!(r.chars().next(), Some('1' | '2' | '8' | '9')))
        .then_some(records)
}

/// A header record: type 1, then a two-digit kind (11, 12, 21 …).
pub fn is_header(record: &str) -> bool {
    let mut c = record.chars();
    c.next() == Some('1')
        && c.next().is_some_and(|d| d.is_ascii_digit())
        && c.next().is_some_and(|d| d.is_ascii_digit())
}

pub fn transfer(record: &str) -> Option<Transfer> {
    let chars: Vec<char> = record.chars().collect();
    if chars.len() != RECORD || chars[0] != '2' {
        return None;
    }
    let field = |from: usize, to: usize| -> String { chars[from..to].iter().collect() };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let bank_code = field(1, 5);
    let branch_code = field(20, 23);
    let account = field(43, 50);
    let account_type = chars[42];
    let holder = field(50, 80).trim().to_string();
    (digits(&bank_code)
        && digits(&branch_code)
        && digits(&account)
        && account_type.is_ascii_digit())
    .then_some(Transfer {
        bank_code,
        branch_code,
        account_type,
        account,
        holder,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad(s: &str, n: usize) -> String {
        format!("{s:<n$}")
    }

    #[test]
    fn reads_a_data_record() {
        let record = format!(
            "2{}{}{}{}{}{}{}{}",
            "0001",
            pad("ﾐｽﾞﾎ", 15),
            "001",
            pad("ﾄｳｷﾖｳ", 15),
            "    ",
            "1",
            "1234567",
            pad("ﾔﾏﾀﾞ ﾀﾛｳ", 30),
        );
        let record = pad(&record, 120);
        let t = transfer(&record).unwrap();
        assert_eq!(
            (
                t.bank_code.as_str(),
                t.branch_code.as_str(),
                t.account.as_str(),
                t.holder.as_str()
            ),
            ("0001", "001", "1234567", "ﾔﾏﾀﾞ ﾀﾛｳ")
        );
        let header = pad("1210000000000ｶ)ﾔﾏﾄ", 120);
        assert!(is_header(&header));
        assert_eq!(
            records(&format!("{header}{record}")).map(|r| r.len()),
            Some(2)
        );
        assert!(records("2short").is_none());
    }
}

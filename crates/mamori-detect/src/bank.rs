//! Bank accounts checked against the real bank and branch list (zengin-code):
//! a row that names a bank or branch that does not exist is not an account.

use mamori_data::Banks;

/// What a row or a line says about the bank; any part may be missing.
#[derive(Debug, Default, Clone, Copy)]
pub struct BankRef<'a> {
    pub bank_code: Option<&'a str>,
    pub bank_name: Option<&'a str>,
    pub branch_code: Option<&'a str>,
    pub branch_name: Option<&'a str>,
}

/// "みずほ銀行(0001)" → ("みずほ銀行", Some("0001")).
fn split_code(text: &str) -> (&str, Option<&str>) {
    if let Some(open) = text.find('(') {
        let inner = text[open + 1..].trim_end_matches(')');
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
            return (text[..open].trim(), Some(inner));
        }
    }
    (text.trim(), None)
}

/// False only when the list is available and contradicts what is written.
pub fn is_consistent(r: BankRef<'_>) -> bool {
    let banks = Banks::get();
    if !banks.is_available() {
        return true;
    }
    let (name, code_in_name) = r.bank_name.map(split_code).unwrap_or(("", None));
    let code = r.bank_code.or(code_in_name).filter(|c| !c.is_empty());
    let bank = match (code, name.is_empty()) {
        (Some(code), _) => match banks.bank(code) {
            Some(bank) => Some(bank),
            None => return false,
        },
        (None, false) => match banks.bank_by_name(name) {
            Some(bank) => Some(bank),
            None => return false,
        },
        (None, true) => None,
    };
    let Some(bank) = bank else { return true };
    let (branch_name, code_in_branch) = r.branch_name.map(split_code).unwrap_or(("", None));
    let branch_code = r.branch_code.or(code_in_branch).filter(|c| !c.is_empty());
    match (branch_code, branch_name.is_empty()) {
        (Some(code), _) => banks.branch(&bank.code, code).is_some(),
        (None, false) => banks.branch_by_name(&bank.code, branch_name).is_some(),
        (None, true) => true,
    }
}

/// ゆうちょ 記号-番号 → (branch code, account) by the bank's own rule:
/// 記号 1xxxx: branch = digits 2-3 + "8", 普通; 0xxxx: digits 2-3 + "9", 当座.
pub fn yucho_branch(symbol: &str) -> Option<String> {
    let b = symbol.as_bytes();
    if b.len() != 5 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let suffix = match b[0] {
        b'1' => '8',
        b'0' => '9',
        _ => return None,
    };
    Some(format!("{}{}", &symbol[1..3], suffix))
}

/// Whether a ゆうちょ 記号 maps to a real ゆうちょ branch.
pub fn yucho_symbol_ok(symbol: &str) -> bool {
    let Some(branch) = yucho_branch(symbol) else {
        return false;
    };
    let banks = Banks::get();
    !banks.is_available() || banks.branch("9900", &branch).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_banks_pass_invented_ones_fail() {
        let ok = BankRef {
            bank_code: Some("0001"),
            branch_code: Some("001"),
            ..Default::default()
        };
        assert!(is_consistent(ok));
        assert!(is_consistent(BankRef {
            bank_name: Some("みずほ銀行(0001)"),
            branch_name: Some("東京営業部(001)"),
            ..Default::default()
        }));
        if Banks::get().is_available() {
            assert!(!is_consistent(BankRef {
                bank_code: Some("0002"),
                ..Default::default()
            }));
            assert!(!is_consistent(BankRef {
                bank_name: Some("まぼろし銀行"),
                ..Default::default()
            }));
            assert!(!is_consistent(BankRef {
                bank_code: Some("0001"),
                branch_code: Some("999"),
                ..Default::default()
            }));
        }
        assert_eq!(yucho_branch("14030").as_deref(), Some("408"));
        assert_eq!(yucho_branch("01230").as_deref(), Some("129"));
        assert!(yucho_symbol_ok("14030"));
    }
}

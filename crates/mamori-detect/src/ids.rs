//! Identifier validation: check digits and formats, no context. Context
//! (labels, columns) is the caller's job: about 1 in 11 random 12-digit
//! numbers passes the My Number check.

/// My Number: 12 digits, last is the check digit over the 11-digit body.
pub fn is_my_number(digits: &str) -> bool {
    let d: [u32; 12] = match digit_values(digits) {
        Some(d) => d,
        None => return false,
    };
    const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = d[..11].iter().zip(WEIGHTS).map(|(x, w)| x * w).sum();
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    d[11] == check
}

/// The example the government and every manual print (123456789018): test
/// data in code and forms, never a person's number.
pub fn is_published_sample(digits: &str) -> bool {
    digits == "123456789018"
}

/// Corporate number (法人番号): 13 digits, check digit FIRST.
pub fn is_corporate_number(digits: &str) -> bool {
    let d: [u32; 13] = match digit_values(digits) {
        Some(d) => d,
        None => return false,
    };
    // P_n counted from the right of the 12-digit base; Q_n = 1 for odd n, 2 for even n.
    let sum: u32 = d[1..]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, p)| p * if (i + 1) % 2 == 1 { 1 } else { 2 })
        .sum();
    d[0] == 9 - sum % 9
}

/// Card number: Luhn and a known issuer prefix with its length.
pub fn is_card_number(digits: &str) -> bool {
    let len = digits.len();
    if !(14..=16).contains(&len) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let prefix = |n: usize| digits[..n].parse::<u32>().unwrap_or(0);
    let issuer = match len {
        16 => {
            (3528..=3589).contains(&prefix(4))
                || digits.starts_with('4')
                || (51..=55).contains(&prefix(2))
                || (2221..=2720).contains(&prefix(4))
        }
        15 => matches!(prefix(2), 34 | 37),
        14 => prefix(2) == 36 || (300..=305).contains(&prefix(3)),
        _ => false,
    };
    issuer && luhn(digits)
}

pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// Driver's licence: 12 digits; the check digit is a soft signal only.
pub fn drivers_license_check(digits: &str) -> bool {
    let d: [u32; 12] = match digit_values(digits) {
        Some(d) => d,
        None => return false,
    };
    const WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = d[..10].iter().zip(WEIGHTS).map(|(x, w)| x * w).sum();
    d[10] == (11 - sum % 11) % 10
}

/// Passport: two capital letters + 7 digits (TK1234567).
pub fn is_passport(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// Residence card: 2 letters + 8 digits + 2 letters (AB12345678CD).
pub fn is_residence_card(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..10].iter().all(u8::is_ascii_digit)
        && b[10..].iter().all(u8::is_ascii_uppercase)
}

/// Basic pension number: 4 + 6 digits (1234-567890).
pub fn is_pension_number(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.len() == 10
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
}

/// Insurance numbers: employment insurance 4-6-1, insurer 6 or 8 digits, or
/// health-insurance 記号・番号 (short digit groups).
pub fn is_insurance_number(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_allowed = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '・' | '/'));
    only_allowed && (4..=13).contains(&digits.len())
}

/// The `N` digit values of an `N`-digit string (on the stack: this runs
/// for every My Number cell).
fn digit_values<const N: usize>(s: &str) -> Option<[u32; N]> {
    let bytes = s.as_bytes();
    if bytes.len() != N {
        return None;
    }
    let mut out = [0u32; N];
    for (slot, b) in out.iter_mut().zip(bytes) {
        if !b.is_ascii_digit() {
            return None;
        }
        *slot = u32::from(b - b'0');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_number_check_digit() {
        assert!(is_my_number("123456789018"));
        assert!(!is_my_number("123456789019"));
        assert!(!is_my_number("12345678901"));
        assert!(!is_my_number("12345678901a"));
    }

    #[test]
    fn corporate_numbers() {
        for n in ["1180301018771", "6010701027558", "7040001016687"] {
            assert!(is_corporate_number(n), "{n}");
        }
        assert!(!is_corporate_number("2180301018771"));
    }

    #[test]
    fn cards() {
        assert!(is_card_number("4111111111111111"));
        assert!(is_card_number("3530111333300000"));
        assert!(is_card_number("378282246310005"));
        assert!(!is_card_number("4111111111111112"));
        assert!(!is_card_number("9111111111111111"));
    }

    #[test]
    fn shapes() {
        assert!(is_passport("TK1234567"));
        assert!(!is_passport("T12345678"));
        assert!(is_residence_card("AB12345678CD"));
        assert!(is_pension_number("1234-567890"));
        assert!(!is_pension_number("1234-56789"));
        assert!(is_insurance_number("1234-567890-1"));
    }
}

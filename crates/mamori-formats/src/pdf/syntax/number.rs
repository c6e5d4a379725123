//! Numbers and bare words of PDF syntax: `[+-]digits[.digits]` read
//! without a string where it is plain, the forms office writers get wrong
//! read as the parser reads them, anything else a word.

use super::{Obj, OpName};

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `[+-]digits[.digits]` with at most 15 digits, as `str::parse` reads it
/// but without building a string: the digits are an exact integer below
/// 2^53 and the power of ten is exact, so one division rounds correctly,
/// to the same `f64` the parser gives (Clinger's fast path).
#[inline]
pub(super) fn plain_number(w: &[u8]) -> Option<Obj> {
    let (negative, body) = match w.first()? {
        b'-' => (true, &w[1..]),
        b'+' => (false, &w[1..]),
        _ => (false, w),
    };
    let mut mantissa = 0u64;
    let mut digits = 0usize;
    let mut decimals: Option<usize> = None;
    for &b in body {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                if let Some(d) = decimals.as_mut() {
                    *d += 1;
                }
                if digits > 15 {
                    return None;
                }
            }
            b'.' if decimals.is_none() => decimals = Some(0),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    let magnitude = mantissa as i64;
    Some(match decimals {
        None => Obj::Int(if negative { -magnitude } else { magnitude }),
        Some(d) => {
            let v = mantissa as f64 / POW10[d];
            Obj::Real(if negative { -v } else { v })
        }
    })
}

/// The number [`number_or_word`] reads from `w`, as an `f64`, where
/// [`plain_number`] reads it (an integer converted as the caller converts
/// `Obj::Int`), without building an `Obj`.
///
/// The digits before and after the dot in two tight loops (a content
/// stream is mostly such numbers): the same mantissa, digit count and
/// decimals as [`plain_number`], and the same conversions.
pub(in crate::pdf) fn plain_number_f64(w: &[u8]) -> Option<f64> {
    let (negative, body) = match *w.first()? {
        b'-' => (true, &w[1..]),
        b'+' => (false, &w[1..]),
        _ => (false, w),
    };
    // Wrapping: past 15 digits the value is not used.
    let mut mantissa = 0u64;
    let mut i = 0;
    while let Some(&b) = body.get(i).filter(|b| b.is_ascii_digit()) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        i += 1;
    }
    let whole = i;
    if i == body.len() {
        if whole == 0 || whole > 15 {
            return None;
        }
        let magnitude = mantissa as i64;
        return Some((if negative { -magnitude } else { magnitude }) as f64);
    }
    if body[i] != b'.' {
        return None;
    }
    i += 1;
    let dot = i;
    while let Some(&b) = body.get(i).filter(|b| b.is_ascii_digit()) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        i += 1;
    }
    let decimals = i - dot;
    let digits = whole + decimals;
    if i != body.len() || digits == 0 || digits > 15 {
        return None;
    }
    let v = mantissa as f64 / POW10[decimals];
    Some(if negative { -v } else { v })
}

pub(super) fn number_or_word(w: &[u8]) -> Obj {
    if let Some(n) = plain_number(w) {
        return n;
    }
    let numeric = w
        .iter()
        .all(|&b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.'));
    if numeric && w.iter().any(u8::is_ascii_digit) {
        let s = std::str::from_utf8(w).unwrap_or("0");
        if !s.contains('.') {
            if let Ok(i) = s.parse::<i64>() {
                return Obj::Int(i);
            }
        }
        // Office writers emit `-.5` and, wrongly, `1.-5`; read what parses.
        let cleaned: String = s
            .char_indices()
            .filter(|&(i, c)| !(i > 0 && (c == '-' || c == '+')))
            .map(|(_, c)| c)
            .collect();
        return Obj::Real(cleaned.parse::<f64>().unwrap_or(0.0));
    }
    match w {
        b"true" => Obj::Bool(true),
        b"false" => Obj::Bool(false),
        b"null" => Obj::Null,
        _ => Obj::Op(OpName::new(w)),
    }
}

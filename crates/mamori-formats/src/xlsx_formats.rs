//! How a number cell is shown: calamine's rules for which number formats
//! are dates, and the cells whose text is their `<v>` as written.

/// calamine's `CellFormat`: how a number cell's style says to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CellFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// Whether `number_text(v.parse())` is `v` itself under a number format:
/// a canonical decimal (optional `-`, no leading zero but the one of
/// `0.`, no trailing zero after a point, no exponent) of at most 15
/// digits. Such a decimal round-trips through f64 (15 digits is f64's
/// guaranteed decimal precision), so the shortest form Rust's `{}` prints
/// is these digits, and an integer below 1e15 prints through `as i64`
/// unchanged. `-0` is not one (it prints `0`).
pub(super) fn is_shown_as_written(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v).as_bytes();
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    let whole_ok = match whole {
        [b'0'] => fraction.is_some(),
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    let fraction_ok = match fraction {
        None => true,
        Some(f) => f.last().is_some_and(|&b| b != b'0') && f.iter().all(u8::is_ascii_digit),
    };
    // Digits counted generously (the `0` of `0.` and leading zeros of the
    // fraction too), which also keeps far from subnormal magnitudes.
    let count = whole.len() + fraction.map_or(0, <[u8]>::len);
    whole_ok && fraction_ok && count <= 15
}

/// calamine's `detect_custom_number_format` (MIT, Johann Tuffe and
/// contributors): does a custom format show a date, a duration or a number?
pub(super) fn detect_custom_number_format(format: &str) -> CellFormat {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return CellFormat::Other,
            ('[', ..) => brackets = brackets.wrapping_add(1),
            (']', .., 1) if hms => return CellFormat::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return CellFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return CellFormat::DateTime
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    CellFormat::Other
}

/// calamine's `builtin_format_by_id`: Excel's built-in date formats.
pub(super) fn builtin_format_by_id(id: &[u8]) -> CellFormat {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => {
            CellFormat::DateTime
        }
        b"46" => CellFormat::TimeDelta,
        _ => CellFormat::Other,
    }
}

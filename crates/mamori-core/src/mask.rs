//! Masking: the only form in which an identifier may leave the detector.
//!
//! Masks keep the shape (so an administrator recognises "a My Number in a
//! form", "a mobile number") and at most the last two digits or the first
//! character of a name: never enough to re-identify.

/// Masks every ASCII digit except the last `keep` ones; other characters stay.
pub fn digits(value: &str, keep: usize) -> String {
    let total = value.chars().filter(|c| c.is_ascii_digit()).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + keep > total {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// Masks letters and digits alike, keeping the last `keep` alphanumerics.
pub fn alnum(value: &str, keep: usize) -> String {
    let total = value.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                seen += 1;
                if seen + keep > total {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// Keeps a name's first character: 山田太郎 → 山＊＊＊.
pub fn name(value: &str) -> String {
    let mut chars = value.chars().filter(|c| !c.is_whitespace());
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '＊')).collect(),
        None => String::new(),
    }
}

/// Keeps prefecture-level text (first 3 characters) of an address.
pub fn address(value: &str) -> String {
    let kept: String = value.chars().take(3).collect();
    format!("{kept}…")
}

/// Keeps the domain of an e-mail address.
pub fn email(value: &str) -> String {
    match value.split_once('@') {
        Some((_, domain)) => format!("***@{domain}"),
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_hide_all_but_the_tail() {
        assert_eq!(digits("1234-5678-9018", 2), "****-****-**18");
        assert_eq!(digits("090-1234-5678", 2), "***-****-**78");
        assert_eq!(alnum("AB12345678CD", 2), "**********CD");
        assert_eq!(name("山田 太郎"), "山＊＊＊");
        assert_eq!(email("taro@example.jp"), "***@example.jp");
    }
}

/// A masked example of what was found, kept so an administrator can see
/// *what kind* of value a file holds without the value itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MaskedSample {
    pub item: crate::DataItem,
    pub masked: String,
}

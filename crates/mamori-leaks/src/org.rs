//! Does a post name the organisation? Every configured name and alias is
//! folded ([`crate::names`]) into a native key (script kept, hiragana as
//! katakana) and, when written in kana or Latin letters, a romaji key. A
//! post's victim name, domain fields and description are tokenised the same
//! way and windows of consecutive tokens are compared with those keys, so
//! an alias matches only as whole words: ヤマト運輸 never matches
//! やまと工務店, and "Yamato Koumuten" is not found inside "Yamatokoumutenya".

use crate::config::Organization;
use crate::names::{canonical_romaji, edit_distance, fold, is_japanese, tokens, Token};
use std::collections::HashMap;

/// The most tokens an alias may span.
const MAX_WINDOW: usize = 8;
/// Words after a name that still mean the same company (a branch, the head office).
const BRANCH_WORDS: &[&str] = &[
    "支店",
    "営業所",
    "本社",
    "本店",
    "事業所",
    "工場",
    "支社",
    "出張所",
];

#[derive(Debug, Clone, PartialEq)]
pub struct OrgMatch {
    /// Index of the organisation in the configuration.
    pub organization: usize,
    /// The configured name, alias or domain that matched.
    pub alias: String,
    /// Where and how: e.g. "victim name equals the alias after normalisation".
    pub reason_en: String,
    pub reason_ja: String,
    pub confidence: f64,
}

#[derive(Debug, Clone)]
struct AliasKey {
    organization: usize,
    alias: String,
    native: String,
    romaji: Option<String>,
    japanese: bool,
}

/// What part of a post a text came from: the victim name weighs most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Victim,
    Description,
}

pub struct OrgMatcher {
    aliases: Vec<AliasKey>,
    /// native key → alias indexes; romaji key → alias indexes.
    by_native: HashMap<String, Vec<usize>>,
    by_romaji: HashMap<String, Vec<usize>>,
    /// (domain, organisation), lower case, without a leading "www.".
    domains: Vec<(String, usize)>,
    longest_native: usize,
}

impl OrgMatcher {
    pub fn new(organizations: &[Organization]) -> Self {
        let mut aliases = Vec::new();
        let mut domains = Vec::new();
        for (index, org) in organizations.iter().enumerate() {
            for alias in std::iter::once(&org.name).chain(org.aliases.iter()) {
                let toks = tokens(&fold(alias));
                let native: String = toks.iter().map(|t| t.text.as_str()).collect();
                if native.chars().count() < 2 {
                    continue;
                }
                let romaji = joined_romaji(&toks);
                aliases.push(AliasKey {
                    organization: index,
                    alias: alias.clone(),
                    japanese: native.chars().any(is_japanese),
                    native,
                    romaji,
                });
            }
            for domain in &org.domains {
                let domain = domain.trim().trim_end_matches('.').to_lowercase();
                let domain = domain.strip_prefix("www.").unwrap_or(&domain).to_string();
                if !domain.is_empty() {
                    domains.push((domain, index));
                }
            }
        }
        let mut by_native: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_romaji: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, alias) in aliases.iter().enumerate() {
            by_native.entry(alias.native.clone()).or_default().push(i);
            if let Some(romaji) = &alias.romaji {
                by_romaji.entry(romaji.clone()).or_default().push(i);
            }
        }
        let longest_native = aliases.iter().map(|a| a.native.len()).max().unwrap_or(0);
        OrgMatcher {
            aliases,
            by_native,
            by_romaji,
            domains,
            longest_native,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty() && self.domains.is_empty()
    }

    /// The best match of a host name (a post's domain or website field, or a
    /// domain-shaped victim name) against the configured domains.
    pub fn match_host(&self, host: &str) -> Option<OrgMatch> {
        let host = host_of(host)?;
        for (domain, organization) in &self.domains {
            if host == *domain || host.ends_with(&format!(".{domain}")) {
                return Some(OrgMatch {
                    organization: *organization,
                    alias: domain.clone(),
                    reason_en: format!("host {host} is the organisation's domain {domain}"),
                    reason_ja: format!("ホスト {host} が組織のドメイン {domain} に一致"),
                    confidence: if host == *domain { 1.0 } else { 0.95 },
                });
            }
        }
        None
    }

    /// The best alias match in one text.
    pub fn match_text(&self, text: &str, field: Field) -> Option<OrgMatch> {
        if text.trim().is_empty() || self.aliases.is_empty() {
            return None;
        }
        let toks = tokens(&fold(text));
        let mut best: Option<OrgMatch> = None;
        let mut offer = |candidate: OrgMatch| {
            if best
                .as_ref()
                .is_none_or(|b| candidate.confidence > b.confidence)
            {
                best = Some(candidate);
            }
        };
        let whole = toks.len();
        for start in 0..toks.len() {
            let mut native = String::new();
            let mut raw_romaji = Some(String::new());
            for (end, token) in toks.iter().enumerate().skip(start).take(MAX_WINDOW) {
                native.push_str(&token.text);
                if native.len() > self.longest_native * 2 + 8 {
                    break;
                }
                raw_romaji = match (raw_romaji, &token.romaji) {
                    (Some(mut acc), Some(piece)) => {
                        acc.push_str(piece);
                        Some(acc)
                    }
                    _ => None,
                };
                let covers_all = start == 0 && end + 1 == whole;
                let extras_neutral = toks[..start].iter().chain(&toks[end + 1..]).all(is_neutral);
                let fit = Fit {
                    covers_all,
                    extras_neutral,
                };
                if let Some(found) = self.by_native.get(&native) {
                    let alias = &self.aliases[found[0]];
                    offer(self.window_match(alias, field, fit, "native"));
                }
                if let Some(romaji) = raw_romaji.as_deref().and_then(canonical_romaji) {
                    if let Some(found) = self.by_romaji.get(&romaji) {
                        let alias = &self.aliases[found[0]];
                        offer(self.window_match(alias, field, fit, "romaji"));
                    } else if field == Field::Victim && romaji.len() >= 10 {
                        for alias in &self.aliases {
                            if let Some(key) = &alias.romaji {
                                if key.len() >= 10 && edit_distance(key, &romaji, 1) == 1 {
                                    offer(self.window_match(alias, field, fit, "typo"));
                                }
                            }
                        }
                    }
                }
            }
        }
        // A Japanese alias inside a longer run of Japanese script (no spaces
        // in Japanese sentences): found, but weaker unless it stands alone.
        for token in toks.iter().filter(|t| t.japanese) {
            for alias in self.aliases.iter().filter(|a| a.japanese) {
                if token.text == alias.native || alias.native.chars().count() < 3 {
                    continue;
                }
                if let Some(at) = token.text.find(&alias.native) {
                    offer(self.embedded_match(alias, field, &token.text, at));
                }
            }
        }
        best
    }

    fn window_match(&self, alias: &AliasKey, field: Field, fit: Fit, how: &str) -> OrgMatch {
        let (mut confidence, en, ja): (f64, &str, &str) = match how {
            "native" => (
                1.0,
                "equals the alias after normalisation",
                "正規化後に別名と一致",
            ),
            "romaji" => (
                0.95,
                "reads the same as the alias in romaji",
                "ローマ字読みが別名と一致",
            ),
            _ => (
                0.7,
                "differs from the alias by one letter",
                "別名と1文字違い",
            ),
        };
        let mut where_en = "victim name";
        let mut where_ja = "被害組織名";
        if !fit.covers_all {
            // "Yamato Koumuten (Japan)" is us; for a short alias, "Yamato
            // Transport" is another company that shares a word.
            confidence = if fit.extras_neutral {
                confidence - 0.1
            } else if alias.distinctive() {
                confidence - 0.2
            } else {
                0.5
            };
            where_en = "part of the victim name";
            where_ja = "被害組織名の一部";
        }
        if field == Field::Description {
            confidence = if alias.distinctive() {
                (confidence - 0.15).min(0.8)
            } else {
                confidence.min(0.5)
            };
            where_en = "post description";
            where_ja = "投稿本文";
        }
        OrgMatch {
            organization: alias.organization,
            alias: alias.alias.clone(),
            reason_en: format!("{where_en}: {en} '{}'", alias.alias),
            reason_ja: format!("{where_ja}が{ja}「{}」", alias.alias),
            confidence,
        }
    }

    fn embedded_match(&self, alias: &AliasKey, field: Field, run: &str, at: usize) -> OrgMatch {
        let before = run[..at].chars().last();
        let after = &run[at + alias.native.len()..];
        let branch = BRANCH_WORDS.iter().any(|w| after.starts_with(w));
        // A prefix glued to the name (新ヤマト工務店) makes another company;
        // in a description, particles (ノ, ハ, ガ after folding) follow names.
        let confidence = match (field, before) {
            (Field::Victim, None) if branch => 0.8,
            (Field::Victim, None) if alias.distinctive() => 0.65,
            (_, _) if !alias.distinctive() => 0.45,
            (Field::Victim, None) => 0.65,
            (Field::Victim, Some(_)) => 0.4,
            (Field::Description, None) => 0.7,
            (Field::Description, Some(c)) if !is_kanji(c) && !is_katakana(c) => 0.7,
            (Field::Description, Some(_)) => 0.45,
        };
        OrgMatch {
            organization: alias.organization,
            alias: alias.alias.clone(),
            reason_en: format!("'{}' appears inside '{run}'", alias.alias),
            reason_ja: format!("「{run}」の中に「{}」", alias.alias),
            confidence,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Fit {
    /// The window is the whole victim name.
    covers_all: bool,
    /// Every word outside the window is a place, a branch, a number or "Japan".
    extras_neutral: bool,
}

impl AliasKey {
    /// Long enough that another company is unlikely to contain it as a
    /// word: four Japanese characters, or nine letters.
    fn distinctive(&self) -> bool {
        if self.japanese {
            self.native.chars().count() >= 4
        } else {
            self.native.chars().count() >= 9
        }
    }
}

const NEUTRAL_WORDS: &[&str] = &[
    "japan",
    "jp",
    "japanese",
    "nippon",
    "nihon",
    "tokyo",
    "osaka",
    "nagoya",
    "yokohama",
    "kobe",
    "kyoto",
    "fukuoka",
    "sapporo",
    "sendai",
    "hiroshima",
    "branch",
    "office",
    "hq",
    "head",
    "日本",
];

/// Words beside a name that do not make it another company's name.
fn is_neutral(token: &Token) -> bool {
    let text = token.text.as_str();
    if text.chars().all(|c| c.is_ascii_digit()) || NEUTRAL_WORDS.contains(&text) {
        return true;
    }
    if !token.japanese {
        return false;
    }
    BRANCH_WORDS.iter().any(|w| text.ends_with(w))
        || (text.chars().count() <= 5
            && text.ends_with(['都', '道', '府', '県', '市', '区', '町', '村']))
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '々')
}

fn is_katakana(c: char) -> bool {
    matches!(c, 'ァ'..='ヺ' | 'ー')
}

fn joined_romaji(toks: &[Token]) -> Option<String> {
    let mut raw = String::new();
    for t in toks {
        raw.push_str(t.romaji.as_deref()?);
    }
    canonical_romaji(&raw)
}

/// The lower-case host of a URL or bare domain; None if it is not one.
pub fn host_of(text: &str) -> Option<String> {
    let text = text.trim().to_lowercase();
    let rest = text.split("://").nth(1).unwrap_or(&text);
    let host = rest.split(['/', '?', '#', ' ']).next()?;
    let host = host.rsplit('@').next()?;
    let host = host.split(':').next()?.trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    let valid = host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && host.bytes().any(|b| b.is_ascii_alphabetic());
    valid.then(|| host.to_string())
}

/// Domain-shaped words in free text (description, victim name).
pub fn hosts_in(text: &str) -> Vec<String> {
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '(' | ')' | '[' | ']' | '<' | '>' | '"' | '\'' | ',' | '、' | '。' | '（' | '）'
            )
    })
    .filter(|w| w.contains('.') && w.len() >= 4)
    .filter_map(host_of)
    .filter(|h| {
        h.rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yamato() -> OrgMatcher {
        OrgMatcher::new(&[Organization {
            name: "株式会社やまと工務店".into(),
            aliases: vec![
                "やまと工務店".into(),
                "ヤマト工務店".into(),
                "Yamato Koumuten Co., Ltd.".into(),
                "yamato-koumuten".into(),
            ],
            domains: vec!["yamato-koumuten.example.jp".into()],
        }])
    }

    fn victim(m: &OrgMatcher, text: &str) -> Option<f64> {
        m.match_text(text, Field::Victim).map(|m| m.confidence)
    }

    #[test]
    fn every_spelling_of_the_name_matches() {
        let m = yamato();
        for name in [
            "株式会社やまと工務店",
            "(株)ヤマト工務店",
            "ﾔﾏﾄ工務店",
            "YAMATO-KOUMUTEN",
            "Yamato Koumuten",
            "yamato koumuten co ltd",
            "Yamato Kohmuten Inc.",
            "ヤマトコウムテン",
            "Ｙａｍａｔｏ　Ｋｏｕｍｕｔｅｎ",
            "Yamato Kômuten K.K.",
        ] {
            assert!(victim(&m, name).unwrap_or(0.0) >= 0.9, "{name}");
        }
        assert!(victim(&m, "Yamato Koumutn").unwrap_or(0.0) >= 0.6);
        assert!(victim(&m, "ヤマト工務店 東京支店").unwrap_or(0.0) >= 0.8);
        assert!(victim(&m, "ヤマト工務店東京支店").unwrap_or(0.0) >= 0.6);
    }

    #[test]
    fn other_companies_sharing_a_word_do_not_match() {
        let m = yamato();
        for name in [
            "ヤマト運輸",
            "Yamato Transport Co., Ltd.",
            "大和ハウス工業",
            "やまだ工務店",
            "Yamada Koumuten",
            "Yamamoto Komuten",
            "新ヤマト工務店",
            "Koumuten Holdings",
        ] {
            assert!(
                victim(&m, name).is_none_or(|c| c < 0.6),
                "{name}: {:?}",
                victim(&m, name)
            );
        }
        let short = OrgMatcher::new(&[Organization {
            name: "株式会社やまと".into(),
            aliases: vec!["Yamato".into()],
            domains: vec![],
        }]);
        for name in [
            "Yamato Transport",
            "ヤマト運輸",
            "Yamato Koumuten",
            "Yamato Holdings",
        ] {
            let found = short.match_text(name, Field::Victim).map(|m| m.confidence);
            assert!(found.is_none_or(|c| c < 0.6), "{name}: {found:?}");
        }
        for name in [
            "YAMATO",
            "やまと (Japan)",
            "(株)やまと 大阪支店",
            "Yamato Tokyo",
        ] {
            let found = short.match_text(name, Field::Victim).map(|m| m.confidence);
            assert!(found.unwrap_or(0.0) >= 0.6, "{name}: {found:?}");
        }
    }

    #[test]
    fn hosts_and_subdomains() {
        let m = yamato();
        assert_eq!(
            m.match_host("https://www.yamato-koumuten.example.jp/")
                .unwrap()
                .confidence,
            1.0
        );
        assert!(m.match_host("mail.yamato-koumuten.example.jp").is_some());
        assert!(m
            .match_host("yamato-koumuten.example.jp.evil.com")
            .is_none());
        assert!(m.match_host("notyamato-koumuten.example.jp").is_none());
        assert_eq!(
            hosts_in("leaked from yamato-koumuten.example.jp, 120GB"),
            vec!["yamato-koumuten.example.jp"]
        );
    }

    #[test]
    fn descriptions_mention_the_name() {
        let m = yamato();
        let found = m
            .match_text(
                "株式会社やまと工務店の社員情報と顧客名簿を公開します",
                Field::Description,
            )
            .unwrap();
        assert!(found.confidence >= 0.6);
        assert!(
            m.match_text(
                "We have 200GB of Yamato Koumuten data including HR",
                Field::Description
            )
            .unwrap()
            .confidence
                >= 0.6
        );
        assert!(m
            .match_text("ヤマト運輸の配送伝票", Field::Description)
            .is_none_or(|f| f.confidence < 0.6));
    }
}

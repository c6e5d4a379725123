//! Bank and branch codes (zengin-code data).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::fold::{name_key, nfkc_name_key};
use crate::{load_text, mix, DataError};

/// A financial institution from the zengin-code list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    /// 4 ASCII digits ("0001").
    pub code: String,
    /// Short name as zengin lists it, NFKC ("みずほ", "三菱UFJ", "大田原信金").
    pub name: String,
    /// Katakana reading as zengin writes it (large kana: ユウチヨ; `-` for ー).
    pub kana: String,
}

/// A branch of a [`Bank`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// 3 ASCII digits ("001").
    pub code: String,
    /// Name without 支店 ("渋谷", "東京営業部", ゆうちょ's "〇一八").
    pub name: String,
    pub kana: String,
}

/// How a written bank name form relates to the bank, for matcher builders
/// that want to treat bare names (楽天, 山口, 中国) with more suspicion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameFormKind {
    /// Carries its institution type (みずほ銀行, 大田原信用金庫, 大田原信金, JAるもい).
    Full,
    /// Bare name of a bank-type institution (みずほ); often an ordinary word.
    Short,
    /// Katakana reading as zengin writes it (ミズホ, ミズホギンコウ).
    Kana,
}

/// One written form of a bank's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankNameForm<'a> {
    /// NFKC text as it would appear in NFKC-normalised input.
    pub form: String,
    pub bank: &'a Bank,
    pub kind: NameFormKind,
}

/// All banks and branches, sorted by code.
#[derive(Debug, Default)]
pub struct Banks {
    banks: Vec<Bank>,
    branches: Vec<Branch>,
    /// Per bank, its slice of `branches`.
    ranges: Vec<(u32, u32)>,
    /// Name lookups are not needed by every scan, so their index is built on first use.
    index: OnceLock<NameIndex>,
}

#[derive(Debug, Default)]
struct NameIndex {
    banks: HashMap<String, u32>,
    branches: HashMap<(u32, String), u32>,
}

/// (short suffix, long form) for institution types zengin abbreviates.
const TYPE_SUFFIXES: [(&str, &str); 7] = [
    ("信金", "信用金庫"),
    ("信組", "信用組合"),
    ("労金", "労働金庫"),
    ("信漁連", "信用漁業協同組合連合会"),
    ("信連", "信用農業協同組合連合会"),
    ("漁協", "漁業協同組合"),
    ("農協", "農業協同組合"),
];

/// Central institutions whose common name is not "name + 銀行".
const SPECIAL_NAMES: [(&str, &str); 3] = [
    ("農林中金", "農林中央金庫"),
    ("商工中金", "商工組合中央金庫"),
    ("信金中央金庫", "信金中金"),
];

const BRANCH_SUFFIXES: [&str; 7] = ["支店", "支所", "出張所", "営業所", "シテン", "シシヨ", "店"];

impl Banks {
    /// The embedded data, or `$MAMORI_DATA_DIR/banks.tsv` when nothing was
    /// embedded; empty when neither is usable (see [`Banks::load`] for why).
    pub fn get() -> &'static Banks {
        static BANKS: OnceLock<Banks> = OnceLock::new();
        BANKS.get_or_init(|| Self::load().unwrap_or_default())
    }

    /// Like [`Banks::get`] but uncached and reporting why data is unusable.
    pub fn load() -> Result<Banks, DataError> {
        Self::from_tsv(&load_text(crate::embedded::BANKS_TSV, "banks.tsv")?)
    }

    /// Parses the `banks.tsv` format written by `scripts/fetch-data`.
    pub fn from_tsv(text: &str) -> Result<Banks, DataError> {
        let mut banks = Vec::new();
        let mut branches: Vec<(String, Branch)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let err = |reason: &str| DataError::parse("banks.tsv", i + 1, reason);
            match f.as_slice() {
                ["B", code, name, kana] => {
                    if !is_digits(code, 4) {
                        return Err(err("bank code is not 4 digits"));
                    }
                    banks.push(Bank {
                        code: (*code).into(),
                        name: (*name).into(),
                        kana: (*kana).into(),
                    });
                }
                ["R", bank, code, name, kana] => {
                    if !is_digits(bank, 4) || !is_digits(code, 3) {
                        return Err(err(
                            "branch row needs a 4-digit bank and 3-digit branch code",
                        ));
                    }
                    let branch = Branch {
                        code: (*code).into(),
                        name: (*name).into(),
                        kana: (*kana).into(),
                    };
                    branches.push(((*bank).into(), branch));
                }
                _ => return Err(err("expected B/R row with 4/5 tab-separated fields")),
            }
        }
        banks.sort_by(|a, b| a.code.cmp(&b.code));
        banks.dedup_by(|a, b| a.code == b.code);
        branches.sort_by(|a, b| (&a.0, &a.1.code).cmp(&(&b.0, &b.1.code)));
        branches.dedup_by(|a, b| a.0 == b.0 && a.1.code == b.1.code);
        // Branches of unknown banks would be unreachable; drop them.
        branches.retain(|(bank, _)| {
            banks
                .binary_search_by(|b| b.code.as_str().cmp(bank))
                .is_ok()
        });
        let ranges = banks
            .iter()
            .map(|b| {
                let start = branches.partition_point(|(c, _)| c.as_str() < b.code.as_str());
                let end = branches.partition_point(|(c, _)| c.as_str() <= b.code.as_str());
                (start as u32, end as u32)
            })
            .collect();
        Ok(Banks {
            banks,
            branches: branches.into_iter().map(|(_, br)| br).collect(),
            ranges,
            index: OnceLock::new(),
        })
    }

    pub fn is_available(&self) -> bool {
        !self.banks.is_empty()
    }

    /// All banks, sorted by code.
    pub fn banks(&self) -> &[Bank] {
        &self.banks
    }

    /// Branches of the bank with `bank_code`, sorted by code.
    pub fn branches(&self, bank_code: &str) -> &[Branch] {
        self.bank_index(bank_code)
            .map(|i| self.branches_of(i))
            .unwrap_or(&[])
    }

    pub fn bank(&self, code: &str) -> Option<&Bank> {
        self.bank_index(code).map(|i| &self.banks[i])
    }

    pub fn branch(&self, bank_code: &str, branch_code: &str) -> Option<&Branch> {
        let list = self.branches(bank_code);
        list.binary_search_by(|b| b.code.as_str().cmp(branch_code))
            .ok()
            .map(|i| &list[i])
    }

    /// Accepts the forms people write: みずほ銀行, みずほ, ミズホ, ﾐｽﾞﾎ,
    /// 三菱UFJ銀行, ゆうちょ銀行, ○○信用金庫/信金, ○○信用組合/信組, ○○農協/
    /// 農業協同組合/JA○○, 株式会社 prefixes. Hiragana/katakana and small/large
    /// kana are not distinguished.
    pub fn bank_by_name(&self, name: &str) -> Option<&Bank> {
        let key = name_key(name);
        self.index()
            .banks
            .get(&key)
            .map(|&i| &self.banks[i as usize])
    }

    /// 渋谷支店, 渋谷, 本店, 本店営業部, ゆうちょ's 〇一八 / 〇一八店 / 018, or
    /// the branch's kana (シブヤ, シブヤシテン).
    pub fn branch_by_name(&self, bank_code: &str, name: &str) -> Option<&Branch> {
        let bank = self.bank_index(bank_code)? as u32;
        let index = self.index();
        let find = |k: &str| index.branches.get(&(bank, k.to_string())).copied();
        let key = name_key(name);
        let mut candidates = vec![key.clone()];
        for s in BRANCH_SUFFIXES {
            if let Some(stem) = key.strip_suffix(s) {
                if !stem.is_empty() && key != "本店" {
                    candidates.push(stem.to_string());
                }
            }
        }
        match key.as_str() {
            "本店営業部" => candidates.extend(["本店".into(), "営業部".into()]),
            "本店" => candidates.extend(["本店営業部".into(), "営業部".into()]),
            _ => {}
        }
        // ゆうちょ names its branches with kanji digits (〇一八); people write 018.
        let digits = key.strip_suffix('店').unwrap_or(&key);
        if digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()) {
            candidates.push(digits.chars().map(kanji_digit).collect());
        }
        let i = candidates.iter().find_map(|k| find(k))?;
        Some(&self.branches[i as usize])
    }

    /// Every written form of every bank name, for building a text matcher.
    /// Includes bare names (楽天, 中国) and kana; use
    /// [`Banks::bank_name_forms_detailed`] to tell them apart.
    pub fn bank_name_forms(&self) -> Vec<(String, &Bank)> {
        self.bank_name_forms_detailed()
            .into_iter()
            .map(|f| (f.form, f.bank))
            .collect()
    }

    /// [`Banks::bank_name_forms`] with the kind of each form.
    pub fn bank_name_forms_detailed(&self) -> Vec<BankNameForm<'_>> {
        let mut out = Vec::new();
        for bank in &self.banks {
            let mut forms = forms_of(bank);
            // A kana-only name (セブン) would otherwise appear twice.
            let mut seen = std::collections::HashSet::new();
            forms.retain(|(f, _)| seen.insert(f.clone()));
            out.extend(
                forms
                    .into_iter()
                    .map(|(form, kind)| BankNameForm { form, bank, kind }),
            );
        }
        out
    }

    /// Deterministic pick of a real (bank, branch) for sample generators.
    pub fn sample_branch(&self, index: usize) -> Option<(&Bank, &Branch)> {
        if self.branches.is_empty() {
            return None;
        }
        let i = (mix(index) % self.branches.len() as u64) as u32;
        let bank = self.ranges.partition_point(|&(_, end)| end <= i);
        Some((self.banks.get(bank)?, &self.branches[i as usize]))
    }

    fn bank_index(&self, code: &str) -> Option<usize> {
        self.banks
            .binary_search_by(|b| b.code.as_str().cmp(code))
            .ok()
    }

    fn branches_of(&self, bank: usize) -> &[Branch] {
        let (s, e) = self.ranges[bank];
        &self.branches[s as usize..e as usize]
    }

    fn index(&self) -> &NameIndex {
        self.index.get_or_init(|| {
            let mut idx = NameIndex::default();
            // Full names win over bare names, which win over kana (中国 vs 中國 share a reading).
            for pass in [NameFormKind::Full, NameFormKind::Short, NameFormKind::Kana] {
                for (i, bank) in self.banks.iter().enumerate() {
                    for (form, kind) in forms_of(bank) {
                        if kind == pass {
                            idx.banks
                                .entry(nfkc_name_key(form.chars()))
                                .or_insert(i as u32);
                        }
                    }
                }
            }
            for kana_pass in [false, true] {
                for bank in 0..self.banks.len() {
                    let (s, _) = self.ranges[bank];
                    for (j, br) in self.branches_of(bank).iter().enumerate() {
                        let text = if kana_pass { &br.kana } else { &br.name };
                        idx.branches
                            .entry((bank as u32, nfkc_name_key(text.chars())))
                            .or_insert(s + j as u32);
                    }
                }
            }
            idx
        })
    }
}

fn forms_of(bank: &Bank) -> Vec<(String, NameFormKind)> {
    use NameFormKind::*;
    let n = bank.name.as_str();
    let mut v = vec![];
    if let Some((_, long)) = SPECIAL_NAMES.iter().find(|(short, _)| *short == n) {
        v.push((n.to_string(), Full));
        v.push((long.to_string(), Full));
    } else if let Some((base, long)) = TYPE_SUFFIXES
        .iter()
        .find_map(|(s, long)| n.strip_suffix(s).map(|b| (b, long)))
    {
        v.push((n.to_string(), Full));
        v.push((format!("{base}{long}"), Full));
        match *long {
            "農業協同組合" => v.push((format!("JA{base}"), Full)),
            "漁業協同組合" => v.push((format!("JF{base}"), Full)),
            _ => {}
        }
    } else if n.ends_with("金庫") {
        v.push((n.to_string(), Full));
    } else {
        v.push((format!("{n}銀行"), Full));
        v.push((n.to_string(), Short));
        v.push((format!("{}ギンコウ", bank.kana), Kana));
    }
    if !bank.kana.is_empty() {
        v.push((bank.kana.clone(), Kana));
    }
    v
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn kanji_digit(c: char) -> char {
    const K: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    c.to_digit(10).map(|d| K[d as usize]).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "B\t0001\tみずほ\tミズホ\n\
R\t0001\t001\t東京営業部\tトウキヨウ\n\
R\t0001\t100\t本店\tホンテン\n\
R\t0001\t135\t渋谷\tシブヤ\n\
B\t0005\t三菱UFJ\tミツビシユ-エフジエイ\n\
R\t0005\t001\t本店\tホンテン\n\
B\t1225\t大田原信金\tオオタワラシンキン\n\
B\t3202\tるもい農協\tルモイノウキヨウ\n\
B\t9900\tゆうちょ\tユウチヨ\n\
R\t9900\t018\t〇一八\tゼロイチハチ\n";

    #[test]
    fn parses_and_looks_up_codes() {
        let b = Banks::from_tsv(SAMPLE).unwrap();
        assert!(b.is_available());
        assert_eq!(b.bank("0001").unwrap().name, "みずほ");
        assert_eq!(b.branch("0001", "135").unwrap().name, "渋谷");
        assert!(b.branch("0001", "999").is_none());
        assert!(b.branch("0005", "135").is_none());
        assert_eq!(b.branches("0005").len(), 1);
        assert!(b.bank("12").is_none());
    }

    #[test]
    fn bank_names_in_the_forms_people_write() {
        let b = Banks::from_tsv(SAMPLE).unwrap();
        let code = |n: &str| b.bank_by_name(n).map(|b| b.code.as_str());
        for n in [
            "みずほ銀行",
            "みずほ",
            "ミズホ",
            "ﾐｽﾞﾎ",
            "株式会社みずほ銀行",
            "ミズホギンコウ",
        ] {
            assert_eq!(code(n), Some("0001"), "{n}");
        }
        assert_eq!(code("三菱ＵＦＪ銀行"), Some("0005"));
        assert_eq!(code("ゆうちょ銀行"), Some("9900"));
        assert_eq!(code("ユウチョ"), Some("9900"));
        assert_eq!(code("大田原信用金庫"), Some("1225"));
        assert_eq!(code("大田原信金"), Some("1225"));
        assert_eq!(code("るもい農業協同組合"), Some("3202"));
        assert_eq!(code("JAるもい"), Some("3202"));
        assert_eq!(code("ＪＡ るもい"), Some("3202"));
        assert_eq!(code("大田原"), None);
        assert_eq!(code("存在しない銀行"), None);
    }

    #[test]
    fn branch_names_in_the_forms_people_write() {
        let b = Banks::from_tsv(SAMPLE).unwrap();
        let code = |bank: &str, n: &str| b.branch_by_name(bank, n).map(|b| b.code.as_str());
        assert_eq!(code("0001", "渋谷支店"), Some("135"));
        assert_eq!(code("0001", "渋谷"), Some("135"));
        assert_eq!(code("0001", "シブヤ"), Some("135"));
        assert_eq!(code("0001", "本店"), Some("100"));
        assert_eq!(code("0001", "本店営業部"), Some("100"));
        assert_eq!(code("0005", "本店営業部"), Some("001"));
        assert_eq!(code("9900", "〇一八"), Some("018"));
        assert_eq!(code("9900", "〇一八店"), Some("018"));
        assert_eq!(code("9900", "018"), Some("018"));
        assert_eq!(code("0005", "渋谷支店"), None);
        assert_eq!(code("4444", "渋谷"), None);
    }

    #[test]
    fn name_forms_and_samples() {
        let b = Banks::from_tsv(SAMPLE).unwrap();
        let forms = b.bank_name_forms_detailed();
        let has = |f: &str, k| forms.iter().any(|x| x.form == f && x.kind == k);
        assert!(has("みずほ銀行", NameFormKind::Full));
        assert!(has("みずほ", NameFormKind::Short));
        assert!(has("ミズホ", NameFormKind::Kana));
        assert!(has("大田原信用金庫", NameFormKind::Full));
        assert!(!forms.iter().any(|x| x.form == "大田原信金銀行"));
        assert_eq!(b.bank_name_forms().len(), forms.len());
        let (bank, branch) = b.sample_branch(7).unwrap();
        assert!(b.branches(&bank.code).contains(branch));
        assert_eq!(b.sample_branch(7), b.sample_branch(7));
    }

    #[test]
    fn empty_or_bad_input() {
        let b = Banks::from_tsv("").unwrap();
        assert!(!b.is_available());
        assert!(b.bank("0001").is_none());
        assert!(b.branch("0001", "001").is_none());
        assert!(b.bank_by_name("みずほ銀行").is_none());
        assert!(b.branch_by_name("0001", "本店").is_none());
        assert!(b.bank_name_forms().is_empty());
        assert!(b.sample_branch(3).is_none());
        assert!(Banks::from_tsv("B\t01\tx\ty\n").is_err());
        assert!(Banks::from_tsv("nonsense\n").is_err());
    }
}

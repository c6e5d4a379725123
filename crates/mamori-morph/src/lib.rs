//! Japanese morphology for person-name detection.
//!
//! Design:
//! - Tokenisation is lindera 6 with the IPADIC dictionary. No dictionary is
//!   embedded in the binary: on first use it is compiled from Debian's
//!   `mecab-ipadic` sources (EUC-JP CSVs, `matrix.def`, ...) and cached as a
//!   lindera dictionary directory (see the `cache` module for the atomic-write and
//!   corruption rules); later runs check the files' sizes and mtimes
//!   against the cache's manifest (a checksum only for a file whose mtime
//!   changed) and memory-map it.
//! - [`Morph`] owns one lindera `Segmenter`, which is `Send + Sync` and only
//!   read during segmentation. The Viterbi lattice, the one mutable scratch
//!   buffer, is kept per thread, so scanning threads share a `&Morph` without
//!   locking.
//! - Name finding (the `names` module) works on IPADIC's part-of-speech tags
//!   (人名/姓/名, 接尾/人名, 地域, 組織) plus small lists of honorifics, job
//!   titles and organisation suffixes. IPADIC tags many ordinary words as
//!   人名, so a lone name token counts only when it is at least two
//!   characters long and stands apart from the nouns around it; it is then
//!   reported as weak.
//! - Table cells in kana or romaji are checked against the readings of
//!   IPADIC's surname and given-name entries, kept next to the cache.

mod cache;
mod names;
mod romaji;

use std::borrow::Cow;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lindera::dictionary::Lattice;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;

use cache::NameReadings;

/// Default location of Debian's `mecab-ipadic` sources.
pub const DEFAULT_IPADIC_DIR: &str = "/usr/share/mecab/dic/ipadic";

/// Why the morphology engine could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MorphError {
    /// The IPADIC sources are missing (install Debian's `mecab-ipadic`).
    #[error(
        "IPADIC dictionary source not found at {path} (install the mecab-ipadic package or set MAMORI_IPADIC_DIR)"
    )]
    DictionaryAbsent { path: PathBuf },
    /// Compiling the dictionary from its sources failed.
    #[error("building the IPADIC dictionary failed: {0}")]
    Build(String),
    /// The compiled-dictionary cache could not be used or written.
    #[error("dictionary cache error: {0}")]
    Cache(String),
}

/// Coarse part of speech, as far as person-name detection cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pos {
    /// 名詞,固有名詞,人名,姓
    Surname,
    /// 名詞,固有名詞,人名,名
    GivenName,
    /// 名詞,固有名詞,人名,一般
    PersonOther,
    /// 名詞,接尾,人名: 様 さん 殿 君 氏 ...
    PersonSuffix,
    /// 名詞,固有名詞,地域 and 名詞,接尾,地域
    Place,
    /// 名詞,固有名詞,組織
    Organization,
    Other,
}

impl Pos {
    /// Surname, given name or other person name.
    pub fn is_person(self) -> bool {
        matches!(self, Pos::Surname | Pos::GivenName | Pos::PersonOther)
    }
}

/// One morpheme of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// Byte offset into the input.
    pub start: usize,
    /// Byte offset into the input (exclusive).
    pub end: usize,
    pub surface: &'a str,
    pub pos: Pos,
    /// Katakana reading; `None` for words unknown to the dictionary.
    pub reading: Option<String>,
    /// IPADIC's top-level part of speech (名詞, 助詞, 記号, ...).
    pub major_pos: String,
    /// IPADIC's first subcategory (一般, 固有名詞, 接尾, 数, ...).
    pub minor_pos: String,
    /// Whether the word is absent from the dictionary (guessed by character class).
    pub unknown: bool,
}

/// A person name found in running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSpan {
    /// Byte offset of the name (honorific not included).
    pub start: usize,
    /// Byte offset (exclusive).
    pub end: usize,
    /// Surname followed by a given name, or a name followed by an honorific
    /// or job title. Weak spans are lone name tokens.
    pub strong: bool,
    /// Katakana reading of the name, when every part has one.
    pub reading: Option<String>,
}

/// The morphology engine; build once and share by reference across threads.
pub struct Morph {
    segmenter: Segmenter,
    readings: NameReadings,
    /// Romanised readings, built on the first romaji cell.
    romaji: OnceLock<names::RomajiReadings>,
}

thread_local! {
    // Reused across calls: allocating a lattice per line dominates short inputs.
    static LATTICE: RefCell<Lattice> = RefCell::new(Lattice::default());
}

impl Morph {
    /// Source from $MAMORI_IPADIC_DIR or /usr/share/mecab/dic/ipadic; compiled
    /// cache in $MAMORI_CACHE_DIR, else $XDG_CACHE_HOME/mamori, else
    /// ~/.cache/mamori.
    pub fn load_default() -> Result<Morph, MorphError> {
        let source =
            non_empty_env("MAMORI_IPADIC_DIR").unwrap_or_else(|| PathBuf::from(DEFAULT_IPADIC_DIR));
        Morph::load(&source, &default_cache_dir()?)
    }

    /// Whether the default dictionary source is installed (a cheap check for
    /// reports, without loading anything).
    pub fn default_source_present() -> bool {
        let source =
            non_empty_env("MAMORI_IPADIC_DIR").unwrap_or_else(|| PathBuf::from(DEFAULT_IPADIC_DIR));
        source.join("matrix.def").is_file()
    }

    /// Loads the compiled dictionary for `source_dir` from `cache_dir`,
    /// building it there first if needed. `cache_dir` is created if absent;
    /// when it cannot be written the dictionary is built without caching.
    pub fn load(source_dir: &Path, cache_dir: &Path) -> Result<Morph, MorphError> {
        let loaded = cache::load_or_build(source_dir, cache_dir)?;
        Ok(Morph {
            segmenter: Segmenter::new(Mode::Normal, loaded.dictionary, None),
            readings: loaded.readings,
            romaji: OnceLock::new(),
        })
    }

    /// Morphemes of `text`. Whitespace is not returned as tokens, except the
    /// full-width space, which IPADIC treats as a symbol.
    pub fn tokens<'a>(&self, text: &'a str) -> Vec<Token<'a>> {
        let raw = LATTICE.with(|cell| match cell.try_borrow_mut() {
            Ok(mut lattice) => self
                .segmenter
                .segment_with_lattice(Cow::Borrowed(text), &mut lattice),
            // Only reachable through re-entrancy; a fresh lattice is still correct.
            Err(_) => self.segmenter.segment(Cow::Borrowed(text)),
        });
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                tracing::warn!("morphological analysis failed: {e}");
                return Vec::new();
            }
        };
        raw.into_iter()
            .filter_map(|mut t| {
                let (start, end) = (t.byte_start, t.byte_end);
                let surface = text.get(start..end)?;
                let unknown = t.word_id.is_unknown();
                let details = t.details();
                let field = |i: usize| details.get(i).copied().unwrap_or("*");
                // IPADIC's unk.def guesses 固有名詞,組織/地域 for unknown
                // katakana and latin runs; that guess is no evidence.
                let pos = if unknown {
                    Pos::Other
                } else {
                    classify(field(0), field(1), field(2), field(3))
                };
                let reading = match field(7) {
                    "*" | "" => None,
                    r => Some(r.to_string()),
                };
                Some(Token {
                    start,
                    end,
                    surface,
                    pos,
                    reading,
                    major_pos: field(0).to_string(),
                    minor_pos: field(1).to_string(),
                    unknown,
                })
            })
            .collect()
    }

    /// Person names in running text: 姓 followed by 名 (with or without a
    /// space, also full-width space), 姓/人名 followed by an honorific suffix
    /// (様, さん, 殿, 君, 氏) or a job title, and lone name tokens (weak).
    /// Place names, organisations and one-character name tokens on their own
    /// are not reported.
    pub fn person_names(&self, text: &str) -> Vec<NameSpan> {
        names::person_names(&self.tokens(text), text, &self.readings)
    }

    /// Whether a short string (a table cell) looks like a person's name:
    /// "山田 太郎", "山田太郎", "山田様", "ヤマダ タロウ", "やまだたろう",
    /// "Taro Yamada", "YAMADA Taro".
    pub fn is_person_name(&self, cell: &str) -> bool {
        names::is_person_name(self, cell)
    }
}

fn classify(major: &str, sub1: &str, sub2: &str, sub3: &str) -> Pos {
    match (major, sub1, sub2, sub3) {
        ("名詞", "固有名詞", "人名", "姓") => Pos::Surname,
        ("名詞", "固有名詞", "人名", "名") => Pos::GivenName,
        ("名詞", "固有名詞", "人名", _) => Pos::PersonOther,
        ("名詞", "接尾", "人名", _) => Pos::PersonSuffix,
        ("名詞", "固有名詞", "地域", _) | ("名詞", "接尾", "地域", _) => Pos::Place,
        ("名詞", "固有名詞", "組織", _) => Pos::Organization,
        _ => Pos::Other,
    }
}

fn non_empty_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn default_cache_dir() -> Result<PathBuf, MorphError> {
    if let Some(dir) = non_empty_env("MAMORI_CACHE_DIR") {
        return Ok(dir);
    }
    if let Some(dir) = non_empty_env("XDG_CACHE_HOME") {
        return Ok(dir.join("mamori"));
    }
    non_empty_env("HOME")
        .map(|home| home.join(".cache").join("mamori"))
        .ok_or_else(|| {
            MorphError::Cache(
                "no cache directory: none of MAMORI_CACHE_DIR, XDG_CACHE_HOME, HOME is set"
                    .to_string(),
            )
        })
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    /// The shared engine for tests, or `None` (with a note) without IPADIC.
    pub fn morph() -> Option<&'static Morph> {
        static MORPH: OnceLock<Option<Morph>> = OnceLock::new();
        MORPH
            .get_or_init(|| {
                let source = Path::new(DEFAULT_IPADIC_DIR);
                if !source.is_dir() {
                    return None;
                }
                let cache = std::env::temp_dir().join("mamori-morph-test-cache");
                Some(Morph::load(source, &cache).expect("IPADIC present but failed to load"))
            })
            .as_ref()
            .or_else(|| {
                eprintln!("note: {DEFAULT_IPADIC_DIR} absent; skipping dictionary test");
                None
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn morph_is_send_sync() {
        assert_send_sync::<Morph>();
    }

    #[test]
    fn load_missing_source_is_dictionary_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("ipadic");
        let err = Morph::load(&missing, tmp.path()).err().unwrap();
        assert!(matches!(err, MorphError::DictionaryAbsent { .. }));
        assert!(err.to_string().contains(&missing.display().to_string()));
    }

    #[test]
    fn tokens_carry_offsets_pos_and_reading() {
        let Some(m) = testutil::morph() else { return };
        let text = "山田 太郎様";
        let toks = m.tokens(text);
        let surfaces: Vec<&str> = toks.iter().map(|t| t.surface).collect();
        assert_eq!(surfaces, ["山田", "太郎", "様"]);
        for t in &toks {
            assert_eq!(&text[t.start..t.end], t.surface);
        }
        assert_eq!(toks[0].pos, Pos::Surname);
        assert_eq!(toks[1].pos, Pos::GivenName);
        assert_eq!(toks[2].pos, Pos::PersonSuffix);
        assert_eq!(toks[0].reading.as_deref(), Some("ヤマダ"));
    }

    #[test]
    fn place_and_organisation_tags() {
        let Some(m) = testutil::morph() else { return };
        let toks = m.tokens("東京都千代田区");
        assert!(toks.iter().all(|t| t.pos == Pos::Place), "{toks:?}");
    }

    #[test]
    fn tokens_from_many_threads() {
        let Some(m) = testutil::morph() else { return };
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..50 {
                        assert_eq!(m.tokens("鈴木さんから連絡").len(), 4);
                    }
                });
            }
        });
    }
}

//! The text engine's shortcuts against its full path: every skip must be
//! exact, so a text scanned with them and without them gives the same
//! findings, and each cheap test agrees with what it stands for.

use super::*;
use crate::keywords::line_hits;
use crate::patterns as pat;
use mamori_core::HashKey;

/// Reproducible pseudo-random numbers (an LCG's high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.next() % list.len()]
    }
}

/// Pieces of memos, forms and logs: names with honorifics, phones and
/// postal codes (ASCII, full-width, with Shift_JIS's dashes), prefectures
/// and towns (本町, 本社 inside a place), company words and their halves,
/// labels, signal words, 株, half-width katakana, ①/㈱, separators.
const PIECES: &[&str] = &[
    "酒井信也様より電話あり",
    "（070-9890-5339）",
    "(090)1234-5678",
    "０９０－１２３４－５６７８",
    "03-1234-5678",
    "〒100-0001",
    "〒８１０－００４１",
    "100-0001",
    "福岡県福岡市中央区黒門1丁目5番12号",
    "東京都千代田区千代田1-1",
    "北海道札幌市北区北七条西2丁目",
    "京都市",
    "大阪府",
    "本町3-2-1",
    "本",
    "社",
    "本社",
    "株式",
    "会社",
    "株式会社",
    "(株)",
    "㈱ヤマダ",
    "所在",
    "地",
    "営業",
    "所",
    "FAX",
    "fax 03-1234-5678",
    "http://example.jp",
    "に書類を送付すること。",
    "本日の現場は予定どおり進捗。",
    "社員",
    "株主",
    "顧客",
    "氏名：",
    "氏名 ",
    "電話 ",
    "住所",
    "生年月日：昭和55年3月2日",
    "個人番号 4906 3022 4281",
    "ｶﾀｶﾅ ﾀﾛｳ",
    "①",
    "～",
    "〜",
    "−",
    "ー",
    "山田 太郎",
    "鈴木さん",
    "taro@example.jp",
    "　",
    " ",
    "\t",
    "、",
    "。",
    "【住所】",
    "記号",
    "普通 1234567",
    "午後二時",
    "三丁目",
    "1",
    "２",
];

fn random_text(rng: &mut Lcg, lines: usize) -> String {
    let mut text = String::new();
    for _ in 0..lines {
        let mut line = String::new();
        for _ in 0..rng.next() % 9 {
            line.push_str(rng.pick(PIECES));
        }
        // A line cut where a chunk ended: at any character boundary.
        if rng.next().is_multiple_of(5) && !line.is_empty() {
            let bounds: Vec<usize> = line.char_indices().map(|(i, _)| i).collect();
            line.truncate(bounds[rng.next() % bounds.len()]);
        }
        text.push_str(&line);
        text.push_str(if rng.next().is_multiple_of(7) {
            "\r\n"
        } else {
            "\n"
        });
    }
    text
}

fn findings_of(detector: &Detector, text: &str, shortcuts: bool) -> String {
    SHORTCUTS.with(|s| s.set(shortcuts));
    let mut scanner = detector.text();
    scanner.push_text(text);
    let found = format!("{:?}", scanner.finish());
    SHORTCUTS.with(|s| s.set(true));
    found
}

#[test]
fn the_shortcuts_change_no_finding() {
    let detector = Detector::new(HashKey::for_tests(), None);
    let mut rng = Lcg(20261126);
    for _ in 0..400 {
        let lines = 1 + rng.next() % 60;
        let text = random_text(&mut rng, lines);
        assert_eq!(
            findings_of(&detector, &text, true),
            findings_of(&detector, &text, false),
            "{text}"
        );
    }
    // A memo like the bulk share's: the same words on line after line.
    let memo = "本日の現場は予定どおり進捗。社員の健康診断は来週。\n\
                株式会社ヤマダ 現場事務所\n\
                酒井信也様より電話あり（070-9890-5339）。福岡県福岡市中央区黒門1丁目5番12号に書類を送付すること。\n"
        .repeat(30);
    assert_eq!(
        findings_of(&detector, &memo, true),
        findings_of(&detector, &memo, false)
    );
}

#[test]
fn the_company_check_without_the_cut_equals_the_copied_line() {
    let mut rng = Lcg(7);
    for _ in 0..20_000 {
        let mut line = String::new();
        for _ in 0..1 + rng.next() % 6 {
            line.push_str(rng.pick(PIECES));
        }
        let bounds: Vec<usize> = line
            .char_indices()
            .map(|(i, _)| i)
            .chain([line.len()])
            .collect();
        let (a, b) = (
            bounds[rng.next() % bounds.len()],
            bounds[rng.next() % bounds.len()],
        );
        let cut = (a.min(b), a.max(b));
        let copied = pat::is_company_line(&format!("{}{}", &line[..cut.0], &line[cut.1..]));
        let has_word = line_hits(&line).has(Group::Company);
        assert_eq!(
            pat::is_company_line_without(&line, cut, has_word),
            copied,
            "{line} {cut:?}"
        );
    }
    // Words across the joint, split at every character.
    for word in pat::COMPANY_LINE_WORDS {
        for (at, _) in word.char_indices().skip(1) {
            let line = format!("{}福岡県福岡市中央区1-2{}", &word[..at], &word[at..]);
            let cut = (at, line.len() - (word.len() - at));
            assert!(pat::is_company_line_without(&line, cut, false), "{line}");
        }
    }
}

#[test]
fn the_spaced_label_test_passes_every_line_the_regex_matches() {
    let re = regex::Regex::new(r"^\s*([^\s:：]{1,8})[ ]+(\S.*)$").unwrap();
    let alphabet = [
        "氏", "名", " ", "　", ":", "：", "\t", "a", "ｶ", "山田", "1",
    ];
    let mut rng = Lcg(99);
    for _ in 0..50_000 {
        let line: String = (0..rng.next() % 14).map(|_| rng.pick(&alphabet)).collect();
        if re.is_match(&line) {
            assert!(pat::may_open_with_spaced_label(&line), "{line:?}");
        }
    }
    assert!(pat::may_open_with_spaced_label("氏名 山田 太郎"));
    assert!(!pat::may_open_with_spaced_label(
        "酒井信也様より電話あり 090"
    ));
}

#[test]
fn the_prefecture_hint_changes_no_address_span() {
    let mut rng = Lcg(5);
    for _ in 0..20_000 {
        let line: String = (0..rng.next() % 8).map(|_| rng.pick(PIECES)).collect();
        let line = crate::normalize::normalize(&line);
        assert_eq!(
            pat::address_spans_in(&line, line_hits(&line).has(Group::Prefecture)),
            pat::address_spans(&line),
            "{line}"
        );
    }
}

#[test]
fn lines_are_str_lines() {
    let alphabet = ["a", "\n", "\r", "\r\n", "山", "", " "];
    let mut rng = Lcg(3);
    for _ in 0..50_000 {
        let text: String = (0..rng.next() % 10).map(|_| rng.pick(&alphabet)).collect();
        assert_eq!(
            lines(&text).collect::<Vec<_>>(),
            text.lines().collect::<Vec<_>>(),
            "{text:?}"
        );
    }
}

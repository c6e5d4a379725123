//! Bad input never panics: random lines and rows of the characters that
//! drive the detectors (digits, separators, kana, kanji, full-width forms,
//! labels, bars, tags) through both engines.

use mamori_core::HashKey;
use mamori_detect::Detector;

const PIECES: &[&str] = &[
    "0",
    "1",
    "9",
    "-",
    "ー",
    "―",
    " ",
    "　",
    "\t",
    "|",
    "┃",
    "(",
    ")",
    "（",
    "〒",
    "@",
    ".",
    ",",
    ":",
    "：",
    "氏名",
    "住所",
    "生年月日",
    "個人番号",
    "様",
    "さん",
    "です",
    "昭和",
    "S",
    "H",
    "年",
    "月",
    "日",
    "生",
    "東京都",
    "千代田区",
    "普通",
    "銀行",
    "支店",
    "記号",
    "番号",
    "山田",
    "太郎",
    "ヤマダ",
    "ﾔﾏﾀﾞ",
    "０",
    "９",
    "<td>",
    "</td>",
    "\"",
    "株式会社",
    "〇",
    "二",
    "十",
    "元",
    "😀",
    "\u{301}",
    "\u{feff}",
    "ゆうちょ",
    "免許",
];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
}

fn random_line(rng: &mut Rng) -> String {
    let len = rng.next() % 40;
    (0..len)
        .map(|_| PIECES[rng.next() % PIECES.len()])
        .collect()
}

#[test]
fn random_text_and_tables_never_panic() {
    let detector = Detector::new(HashKey::for_tests(), None);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..1000 {
        let text: Vec<String> = (0..(rng.next() % 12))
            .map(|_| random_line(&mut rng))
            .collect();
        let _ = detector.scan_text(&text.join("\n"));
        let mut table = detector.table();
        for _ in 0..(rng.next() % 15) {
            let cells: Vec<String> = (0..(rng.next() % 8))
                .map(|_| random_line(&mut rng))
                .collect();
            table.push_row(cells);
        }
        let _ = table.finish();
    }
}

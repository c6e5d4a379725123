//! House styles. A company's files share a vocabulary but each company words
//! headers, orders columns, writes dates, picks encodings and names folders
//! its own way. `Primary` is the style the project develops against;
//! `Alternate` is held out: same vocabulary, different surface, so a share
//! generated with it is "a share the project has never seen". `Held` is a
//! third office written apart from the detector (module `held`), `Fresh` a
//! fourth (module `fresh`), `Fifth` a fifth (module `fifth`), `Sixth` a sixth (module `sixth`): their files are built by their own modules, not
//! by the department modules, so the helpers below only matter for
//! `Primary` and `Alternate`.

use crate::encodings::{Enc, Table};
use crate::persons::DateFmt;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    #[default]
    Primary,
    Alternate,
    /// Another office's files, written without looking at the detector.
    Held,
    /// A fourth company (a logistics firm), written apart from the detector
    /// and from the other styles (module `fresh`).
    Fresh,
    /// A fifth company (a food manufacturer), written apart from the
    /// detector and from the other styles (module `fifth`).
    Fifth,
    /// A sixth company (a real-estate manager: 賃貸人 and 入居者), written
    /// apart from the detector and from the other styles (module `sixth`).
    Sixth,
}

impl Style {
    pub fn parse(s: &str) -> Option<Style> {
        match s {
            "primary" => Some(Style::Primary),
            "alternate" | "alt" => Some(Style::Alternate),
            "held" | "third" => Some(Style::Held),
            "fresh" | "fourth" => Some(Style::Fresh),
            "fifth" | "food" => Some(Style::Fifth),
            "sixth" | "estate" => Some(Style::Sixth),
            _ => None,
        }
    }

    /// The primary or the alternate wording/setting.
    pub fn pick<T>(self, primary: T, alternate: T) -> T {
        match self {
            Style::Primary => primary,
            Style::Alternate | Style::Held | Style::Fresh | Style::Fifth | Style::Sixth => {
                alternate
            }
        }
    }

    /// Birth-date formats this style's files use (one per file, by rng).
    pub fn birth_fmt(self, rng: &mut ChaCha8Rng) -> DateFmt {
        let fmts: &[DateFmt] = match self {
            Style::Primary => &[DateFmt::EraKanji, DateFmt::Slash, DateFmt::EraKanji],
            Style::Alternate | Style::Held | Style::Fresh | Style::Fifth | Style::Sixth => &[
                DateFmt::EraDot,
                DateFmt::Iso,
                DateFmt::KanjiWestern,
                DateFmt::EraSlash,
            ],
        };
        fmts[rng.gen_range(0..fmts.len())]
    }

    /// Format of non-birth dates (入社日, 受診日...).
    pub fn plain_fmt(self) -> DateFmt {
        self.pick(DateFmt::Slash, DateFmt::Iso)
    }

    /// Encoding of "Excel CSV" files.
    pub fn csv_enc(self) -> Enc {
        self.pick(Enc::ShiftJis, Enc::Utf8Bom)
    }

    /// Reorder columns the alternate way: keep the leading id and name, swap
    /// the following columns pairwise (氏名,フリガナ,性別,生年月日 →
    /// 氏名,性別,フリガナ,...), so header positions differ from the primary.
    pub fn arrange(self, t: &mut Table, keep: usize) {
        if self == Style::Primary {
            return;
        }
        let n = t.cols.len();
        let mut order: Vec<usize> = (0..n).collect();
        let mut i = keep;
        while i + 1 < n {
            order.swap(i, i + 1);
            i += 2;
        }
        t.permute(&order);
    }

    // Folder names.
    pub fn soumu(self) -> &'static str {
        self.pick("総務部", "管理部")
    }
    pub fn jinji(self) -> &'static str {
        self.pick("総務部/人事", "管理部/人事課")
    }
    pub fn kyuyo(self) -> &'static str {
        self.pick("総務部/給与", "管理部/給与計算")
    }
    pub fn fudosan(self) -> &'static str {
        self.pick("総務部/不動産", "管理部/総務課/賃貸借")
    }
    pub fn saiyo(self) -> &'static str {
        self.pick("採用", "人材採用")
    }
    pub fn kabu(self) -> &'static str {
        self.pick("株式", "株式関係")
    }
    pub fn kyoryoku(self) -> &'static str {
        self.pick("工事部/協力会社", "施工管理部/協力業者")
    }
    pub fn eigyo(self) -> &'static str {
        self.pick("営業部", "営業本部")
    }

    // Header words.
    pub fn h_name(self) -> &'static str {
        self.pick("氏名", "名前")
    }
    pub fn h_kana(self) -> &'static str {
        self.pick("フリガナ", "ﾌﾘｶﾞﾅ")
    }
    pub fn h_birth(self) -> &'static str {
        self.pick("生年月日", "誕生日")
    }
    pub fn h_gender(self) -> &'static str {
        self.pick("性別", "男女")
    }
    pub fn h_postal(self) -> &'static str {
        self.pick("〒", "郵便番号")
    }
    pub fn h_address(self) -> &'static str {
        self.pick("住所", "現住所")
    }
    pub fn h_phone(self) -> &'static str {
        self.pick("電話番号", "TEL")
    }
    pub fn h_mobile(self) -> &'static str {
        self.pick("携帯", "携帯電話")
    }
    pub fn h_email(self) -> &'static str {
        self.pick("メール", "E-mail")
    }
}

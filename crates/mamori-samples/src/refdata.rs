//! Reference data the generator draws from: real localities (〒, prefecture,
//! municipality, town, the fixed-line area code that serves them) and real
//! bank/branch codes. The national tables of `mamori-data` are used when its
//! data was embedded at build time (`Postal::is_available`); these built-in
//! lists keep the generator working (and deterministic) without them.

/// A real locality: postal code, prefecture, municipality, town, area code
/// (with its trunk 0) of the fixed lines there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locality {
    pub postal: String,
    pub prefecture: String,
    pub municipality: String,
    pub town: String,
    pub area_code: String,
}

const LOCALITIES: &[(&str, &str, &str, &str, &str)] = &[
    ("100-0005", "東京都", "千代田区", "丸の内", "03"),
    ("160-0022", "東京都", "新宿区", "新宿", "03"),
    ("150-0002", "東京都", "渋谷区", "渋谷", "03"),
    ("170-0013", "東京都", "豊島区", "東池袋", "03"),
    ("135-0061", "東京都", "江東区", "豊洲", "03"),
    ("156-0052", "東京都", "世田谷区", "経堂", "03"),
    ("180-0004", "東京都", "武蔵野市", "吉祥寺本町", "0422"),
    ("190-0012", "東京都", "立川市", "曙町", "042"),
    ("220-0012", "神奈川県", "横浜市西区", "みなとみらい", "045"),
    ("231-0023", "神奈川県", "横浜市中区", "山下町", "045"),
    ("251-0055", "神奈川県", "藤沢市", "南藤沢", "0466"),
    ("210-0007", "神奈川県", "川崎市川崎区", "駅前本町", "044"),
    ("330-0063", "埼玉県", "さいたま市浦和区", "高砂", "048"),
    ("260-0013", "千葉県", "千葉市中央区", "中央", "043"),
    ("273-0005", "千葉県", "船橋市", "本町", "047"),
    ("530-0001", "大阪府", "大阪市北区", "梅田", "06"),
    ("542-0076", "大阪府", "大阪市中央区", "難波", "06"),
    ("590-0077", "大阪府", "堺市堺区", "中瓦町", "072"),
    ("460-0008", "愛知県", "名古屋市中区", "栄", "052"),
    ("464-0819", "愛知県", "名古屋市千種区", "四谷通", "052"),
    ("650-0021", "兵庫県", "神戸市中央区", "三宮町", "078"),
    ("812-0011", "福岡県", "福岡市博多区", "博多駅前", "092"),
    ("060-0005", "北海道", "札幌市中央区", "北五条西", "011"),
    ("980-0021", "宮城県", "仙台市青葉区", "中央", "022"),
    ("730-0011", "広島県", "広島市中区", "基町", "082"),
    ("420-0852", "静岡県", "静岡市葵区", "紺屋町", "054"),
    ("950-0087", "新潟県", "新潟市中央区", "東大通", "025"),
    ("900-0015", "沖縄県", "那覇市", "久茂地", "098"),
    ("310-0015", "茨城県", "水戸市", "宮町", "029"),
    ("370-0841", "群馬県", "高崎市", "栄町", "027"),
    ("700-0024", "岡山県", "岡山市北区", "駅元町", "086"),
    ("860-0806", "熊本県", "熊本市中央区", "花畑町", "096"),
];

/// Number of built-in localities.
pub fn builtin_locality_count() -> usize {
    LOCALITIES.len()
}

/// The `i`-th locality (wrapping). Uses the national table when available.
pub fn locality(i: usize) -> Locality {
    if let Some(l) = national::locality(i) {
        return l;
    }
    let (postal, prefecture, municipality, town, area) = LOCALITIES[i % LOCALITIES.len()];
    Locality {
        postal: postal.to_string(),
        prefecture: prefecture.to_string(),
        municipality: municipality.to_string(),
        town: town.to_string(),
        area_code: area.to_string(),
    }
}

/// A real bank branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
}

/// Major banks' head-office and well-known branches. ゆうちょ銀行 branches are
/// generated from 記号 instead (see `persons::yucho`).
const BRANCHES: &[(&str, &str, &str, &str)] = &[
    ("0001", "みずほ銀行", "001", "東京営業部"),
    ("0001", "みずほ銀行", "100", "本店"),
    ("0005", "三菱ＵＦＪ銀行", "001", "本店"),
    ("0005", "三菱ＵＦＪ銀行", "002", "丸の内支店"),
    ("0009", "三井住友銀行", "211", "東京営業部"),
    ("0009", "三井住友銀行", "200", "本店営業部"),
    ("0010", "りそな銀行", "300", "東京営業部"),
    ("0033", "ＰａｙＰａｙ銀行", "001", "本店営業部"),
    ("0033", "ＰａｙＰａｙ銀行", "003", "はやぶさ支店"),
    ("0036", "楽天銀行", "251", "第一営業支店"),
    ("0038", "住信ＳＢＩネット銀行", "101", "イチゴ支店"),
    ("0138", "横浜銀行", "200", "本店営業部"),
    ("0134", "千葉銀行", "100", "本店営業部"),
    ("0149", "静岡銀行", "111", "本店営業部"),
    ("0177", "福岡銀行", "100", "本店営業部"),
];

/// The `i`-th branch (wrapping). Uses the national table when available.
pub fn branch(i: usize) -> Branch {
    if let Some(b) = national::branch(i) {
        return b;
    }
    let (bc, bn, brc, brn) = BRANCHES[i % BRANCHES.len()];
    Branch {
        bank_code: bc.to_string(),
        bank_name: bn.to_string(),
        branch_code: brc.to_string(),
        branch_name: brn.to_string(),
    }
}

/// ゆうちょ銀行 branch names are the three code digits in kanji (〇一八).
pub fn yucho_branch_name(code: &str) -> String {
    const K: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    code.chars()
        .map(|c| c.to_digit(10).map(|d| K[d as usize]).unwrap_or(c))
        .collect::<String>()
        + "店"
}

/// Partner companies (協力会社) for site-worker rosters: fictional names.
pub const PARTNER_COMPANIES: &[&str] = &[
    "株式会社大和建設工業",
    "有限会社三光設備",
    "株式会社丸栄電工",
    "北斗塗装株式会社",
    "株式会社新生鉄筋",
];

/// Customer companies that appear in invoices and the company profile.
pub const CLIENT_COMPANIES: &[(&str, &str)] = &[
    ("株式会社東都商事", "1180301018771"),
    ("株式会社みなと物産", "6010701027558"),
    ("株式会社関西精機", "7040001016687"),
];

pub const UNIVERSITIES: &[&str] = &[
    "東京大学",
    "早稲田大学",
    "慶應義塾大学",
    "明治大学",
    "法政大学",
    "中央大学",
    "日本大学",
    "東洋大学",
    "大阪大学",
    "関西大学",
    "同志社大学",
    "立命館大学",
    "名古屋大学",
    "九州大学",
    "北海道大学",
    "東北大学",
    "神奈川大学",
    "千葉大学",
];

pub const FACULTIES: &[&str] = &[
    "経済学部",
    "法学部",
    "商学部",
    "工学部",
    "理工学部",
    "文学部",
    "経営学部",
    "建築学科",
];

/// Personal mail domains (real public providers' domains and carriers').
pub const MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.co.jp",
    "icloud.com",
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "softbank.ne.jp",
    "outlook.jp",
    "nifty.com",
];

pub const BUILDINGS: &[&str] = &[
    "コーポ",
    "ハイツ",
    "メゾン",
    "レジデンス",
    "グランドハイツ",
    "パークハウス",
    "ヴィラ",
];

mod national {
    //! Bridge to `mamori-data`'s national tables (KEN_ALL, Zengin codes).
    use super::{Branch, Locality};
    use encoding_rs::ISO_2022_JP;

    /// Only names every encoding we write can hold: ISO-2022-JP is plain
    /// JIS X 0208, the narrowest of them (a few KEN_ALL towns use IBM
    /// extension kanji that would make a file unwritable).
    fn writable(s: &str) -> bool {
        !ISO_2022_JP.encode(s).2
    }

    pub fn locality(i: usize) -> Option<Locality> {
        let postal = mamori_data::Postal::get();
        if !postal.is_available() {
            return None;
        }
        (0..16).find_map(|k| {
            let l = postal.sample_locality(i.wrapping_mul(16).wrapping_add(k))?;
            let code = &l.postal_code;
            let ok = code.len() == 7
                && code.is_ascii()
                && !l.town.is_empty()
                && writable(&l.municipality)
                && writable(&l.town);
            ok.then(|| Locality {
                postal: format!("{}-{}", &code[..3], &code[3..]),
                prefecture: l.prefecture.to_string(),
                municipality: l.municipality.clone(),
                town: l.town.clone(),
                area_code: super::area_code_for(l.prefecture),
            })
        })
    }

    pub fn branch(i: usize) -> Option<Branch> {
        let banks = mamori_data::Banks::get();
        if !banks.is_available() {
            return None;
        }
        // Most salaries go to the big banks: pick a real branch of one of them
        // seven times in ten, any institution of the national list otherwise.
        if i % 10 < 7 {
            let major = &super::BRANCHES[(i / 10) % super::BRANCHES.len()];
            let list = banks.branches(major.0);
            if !list.is_empty() {
                let br = &list[(i / 3).wrapping_mul(7919) % list.len()];
                if writable(&br.name) {
                    return Some(Branch {
                        bank_code: major.0.to_string(),
                        bank_name: major.1.to_string(),
                        branch_code: br.code.clone(),
                        branch_name: branch_display(&br.name),
                    });
                }
            }
        }
        (0..16).find_map(|k| {
            let (bank, br) = banks.sample_branch(i.wrapping_mul(16).wrapping_add(k))?;
            let ok = writable(&bank.name) && writable(&br.name);
            ok.then(|| Branch {
                bank_code: bank.code.clone(),
                bank_name: bank_display(&bank.name),
                branch_code: br.code.clone(),
                branch_name: branch_display(&br.name),
            })
        })
    }

    /// Zengin short names (みずほ, 三菱UFJ) as people write them (みずほ銀行).
    fn bank_display(name: &str) -> String {
        const KINDS: &[&str] = &[
            "銀行",
            "信金",
            "信用金庫",
            "信組",
            "信用組合",
            "農協",
            "労金",
            "漁協",
            "JA",
        ];
        if KINDS
            .iter()
            .any(|k| name.ends_with(k) || name.starts_with(k))
        {
            name.to_string()
        } else {
            format!("{name}銀行")
        }
    }

    /// Branch names are stored without 支店 (渋谷, 東京営業部, 〇一八).
    fn branch_display(name: &str) -> String {
        const SUFFIXES: &[&str] = &["営業部", "出張所", "店", "本部", "支所"];
        let kanji_digits = name.chars().all(|c| "〇一二三四五六七八九".contains(c));
        if kanji_digits {
            format!("{name}店")
        } else if SUFFIXES.iter().any(|k| name.ends_with(k)) {
            name.to_string()
        } else {
            format!("{name}支店")
        }
    }
}

/// The area code of the prefecture's capital, for localities that come from
/// the national table without one (a plausible fixed line for the address).
pub fn area_code_for(prefecture: &str) -> String {
    const CAPITALS: &[(&str, &str)] = &[
        ("北海道", "011"),
        ("青森県", "017"),
        ("岩手県", "019"),
        ("宮城県", "022"),
        ("秋田県", "018"),
        ("山形県", "023"),
        ("福島県", "024"),
        ("茨城県", "029"),
        ("栃木県", "028"),
        ("群馬県", "027"),
        ("埼玉県", "048"),
        ("千葉県", "043"),
        ("東京都", "03"),
        ("神奈川県", "045"),
        ("新潟県", "025"),
        ("富山県", "076"),
        ("石川県", "076"),
        ("福井県", "0776"),
        ("山梨県", "055"),
        ("長野県", "026"),
        ("岐阜県", "058"),
        ("静岡県", "054"),
        ("愛知県", "052"),
        ("三重県", "059"),
        ("滋賀県", "077"),
        ("京都府", "075"),
        ("大阪府", "06"),
        ("兵庫県", "078"),
        ("奈良県", "0742"),
        ("和歌山県", "073"),
        ("鳥取県", "0857"),
        ("島根県", "0852"),
        ("岡山県", "086"),
        ("広島県", "082"),
        ("山口県", "083"),
        ("徳島県", "088"),
        ("香川県", "087"),
        ("愛媛県", "089"),
        ("高知県", "088"),
        ("福岡県", "092"),
        ("佐賀県", "0952"),
        ("長崎県", "095"),
        ("熊本県", "096"),
        ("大分県", "097"),
        ("宮崎県", "0985"),
        ("鹿児島県", "099"),
        ("沖縄県", "098"),
    ];
    CAPITALS
        .iter()
        .find(|(p, _)| *p == prefecture)
        .map(|(_, a)| *a)
        .unwrap_or("03")
        .to_string()
}

/// Is the national data in use (so generated bytes depend on it)?
pub fn national_data_in_use() -> bool {
    mamori_data::Postal::get().is_available() && mamori_data::Banks::get().is_available()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in fallbacks must be real; checked against the national
    /// tables whenever they are embedded in this build.
    #[test]
    fn builtin_lists_are_real_where_checkable() {
        let banks = mamori_data::Banks::get();
        if banks.is_available() {
            for (bc, _, brc, _) in BRANCHES {
                assert!(banks.bank(bc).is_some(), "bank {bc}");
                assert!(banks.branch(bc, brc).is_some(), "branch {bc}-{brc}");
            }
        }
        let postal = mamori_data::Postal::get();
        if postal.is_available() {
            for (code, pref, muni, town, _) in LOCALITIES {
                let digits = code.replace('-', "");
                let hit = postal
                    .by_code(&digits)
                    .iter()
                    .any(|l| l.prefecture == *pref && l.municipality == *muni && l.town == *town);
                assert!(hit, "{code} {pref}{muni}{town}");
            }
        }
    }

    #[test]
    fn branches_and_localities_are_deterministic() {
        for i in 0..50 {
            assert_eq!(branch(i), branch(i));
            assert_eq!(locality(i), locality(i));
        }
    }
}

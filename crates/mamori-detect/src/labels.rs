//! Field labels: what a column header or a form label (氏名：, 生年月日) says
//! its value is. Compound labels are resolved most-specific first, so
//! 緊急連絡先電話 is an emergency contact, 貸主住所 an address, 会社電話 not a
//! person's phone, and 商品コード never a My Number.

use crate::normalize::normalize;
use mamori_core::DataItem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    NameKana,
    Gender,
    BirthDate,
    Age,
    PostalCode,
    Address,
    Phone,
    Mobile,
    Email,
    Family,
    BankName,
    BankCode,
    BranchName,
    BranchCode,
    AccountType,
    AccountNumber,
    AccountHolder,
    /// 振込先: bank, branch, type and number in one cell.
    BankAccountCombined,
    MyNumber,
    Health,
    CriminalRecord,
    BloodType,
    EmergencyContact,
    Resume,
    Shareholding,
    Dividend,
    DriversLicense,
    Passport,
    PensionNumber,
    InsuranceNumber,
    ResidenceCard,
    CreditCard,
    /// Labels that say "not a person's data": company names, phones and
    /// addresses, product codes, corporate and invoice numbers.
    NotPersonal,
    /// One part of an address split over columns (都道府県 | 市区町村 | 番地 | 建物).
    AddressPart,
    /// Dates that are not birth dates (入社日, 受診日 ...).
    OtherDate,
    /// Record ids (社員番号, 株主番号): tell a roster, carry no item.
    RecordId,
}

enum Rule {
    Contains(&'static [&'static str]),
    Prefix(&'static [&'static str]),
    Suffix(&'static [&'static str]),
    Exact(&'static [&'static str]),
}

/// Ordered: the first matching rule wins.
#[rustfmt::skip]
const RULES: &[(Rule, Field)] = &[
    (Rule::Contains(&["緊急", "家族連絡先", "連絡先の方", "連絡先氏名", "連絡先続柄"]), Field::EmergencyContact),
    (Rule::Contains(&["法人番号", "登録番号", "インボイス", "適格請求", "証券番号"]), Field::NotPersonal),
    // Payroll amounts: 厚生年金 holds 生年, 健康保険 holds 健康, yet both are yen.
    (Rule::Contains(&["配当"]), Field::Dividend),
    (Rule::Contains(&["厚生年金", "所得税", "住民税", "支給", "控除", "手当", "基本給", "保険料", "差引"]), Field::NotPersonal),
    // English and romaji headers, whole words only ("type" must not match "prototype").
    (Rule::Exact(&["dob", "birthday", "dateofbirth", "birthdate", "seinengappi"]), Field::BirthDate),
    (Rule::Exact(&["sex", "gender", "seibetsu"]), Field::Gender),
    (Rule::Exact(&["bank", "bankname"]), Field::BankName),
    (Rule::Exact(&["branch", "branchname", "shiten"]), Field::BranchName),
    (Rule::Exact(&["type", "accttype", "accounttype"]), Field::AccountType),
    (Rule::Exact(&["acctno", "acct", "account", "accountno", "accountnumber", "kozabango"]), Field::AccountNumber),
    (Rule::Exact(&["zip", "zipcode", "postcode", "postalcode", "yubin"]), Field::PostalCode),
    (Rule::Exact(&["addr", "address", "address1", "address2", "street", "jusho", "juusho"]), Field::Address),
    (Rule::Exact(&["pref", "prefecture", "city", "bldg", "building", "town"]), Field::AddressPart),
    (Rule::Exact(&["furigana", "kana", "yomi", "namekana", "kananame"]), Field::NameKana),
    (Rule::Exact(&["tel", "phone", "telephone", "homephone"]), Field::Phone),
    (Rule::Exact(&["mobile", "cell", "cellphone", "keitai"]), Field::Mobile),
    (Rule::Exact(&["email", "e-mail", "mail", "mailaddress"]), Field::Email),
    (Rule::Exact(&["name", "fullname", "shimei", "namae", "firstname", "lastname"]), Field::Name),
    (Rule::Exact(&["age", "nenrei"]), Field::Age),
    (Rule::Exact(&["bloodtype", "blood"]), Field::BloodType),
    (Rule::Exact(&["都道府県", "市区町村", "市町村", "番地", "町域", "町名", "丁目", "建物", "建物名", "マンション名", "住所1", "住所2", "住所3", "住所(1)", "住所(2)", "番地以降", "市区郡"]), Field::AddressPart),
    (Rule::Contains(&["会社", "社名", "法人", "企業", "取引先", "代表電話", "代表tel", "fax", "ファックス", "所在地", "本社", "本店", "物件", "商品", "品番", "品名", "jan", "型番", "製品", "在庫", "単価", "請求書", "伝票", "注文番号", "受注", "発注", "sku", "ロット", "部署", "所属", "部門", "内線", "車両", "車番", "見積", "業者", "役職"]), Field::NotPersonal),
    (Rule::Contains(&["個人番号", "マイナンバー", "mynumber", "my number", "共通番号"]), Field::MyNumber),
    (Rule::Contains(&["扶養", "配偶者", "続柄", "間柄", "家族", "子供", "子ども", "世帯"]), Field::Family),
    (Rule::Exact(&["子", "子1", "子2", "子3", "子4", "妻", "夫", "長男", "長女", "次男", "次女"]), Field::Family),
    (Rule::Contains(&["同居人", "同居者", "同居家族"]), Field::Family),
    (Rule::Exact(&["自宅", "自宅住所", "現住所", "居住地"]), Field::Address),
    (Rule::Contains(&["名義"]), Field::AccountHolder),
    (Rule::Contains(&["氏名", "名前"]), Field::Name),
    (Rule::Contains(&["金融機関コード", "銀行コード", "銀行番号", "金融機関番号"]), Field::BankCode),
    (Rule::Contains(&["支店コード", "店番", "支店番号", "店舗番号"]), Field::BranchCode),
    (Rule::Contains(&["金融機関", "銀行"]), Field::BankName),
    (Rule::Contains(&["支店"]), Field::BranchName),
    (Rule::Contains(&["預金種目", "口座種別", "預金種類", "口座種類", "種目"]), Field::AccountType),
    (Rule::Contains(&["口座番号", "口座no"]), Field::AccountNumber),
    (Rule::Contains(&["振込先", "口座", "振込", "受取方法", "支払先", "送金先"]), Field::BankAccountCombined),
    (Rule::Contains(&["血液型"]), Field::BloodType),
    (Rule::Contains(&["性別", "男女"]), Field::Gender),
    (Rule::Contains(&["生年月日", "誕生日", "birth"]), Field::BirthDate),
    (Rule::Prefix(&["生年"]), Field::BirthDate),
    (Rule::Suffix(&["日", "日付", "期限", "期日", "日時"]), Field::OtherDate),
    (Rule::Contains(&["年齢"]), Field::Age),
    (Rule::Contains(&["郵便", "〒", "zip"]), Field::PostalCode),
    (Rule::Contains(&["住所", "居所", "現住", "送付先", "address"]), Field::Address),
    (Rule::Contains(&["携帯", "mobile"]), Field::Mobile),
    (Rule::Contains(&["電話", "tel", "phone", "連絡先"]), Field::Phone),
    (Rule::Contains(&["メール", "mail", "アドレス"]), Field::Email),
    (Rule::Contains(&["免許"]), Field::DriversLicense),
    (Rule::Contains(&["旅券", "パスポート", "passport"]), Field::Passport),
    (Rule::Contains(&["基礎年金", "年金番号", "年金手帳"]), Field::PensionNumber),
    (Rule::Contains(&["被保険者", "保険者番号", "保険証", "健保", "雇用保険", "社会保険", "健康保険", "保険番号", "社保"]), Field::InsuranceNumber),
    (Rule::Contains(&["在留"]), Field::ResidenceCard),
    (Rule::Contains(&["カード番号", "クレジット", "card"]), Field::CreditCard),
    (Rule::Contains(&["犯罪", "前科", "逮捕", "賞罰"]), Field::CriminalRecord),
    (Rule::Contains(&["持株", "株式数", "株数", "保有株", "所有株"]), Field::Shareholding),
    (Rule::Contains(&["配当"]), Field::Dividend),
    (Rule::Contains(&["検便", "細菌", "赤痢", "サルモネラ", "o157", "腸管", "アレルギー", "体温", "下痢", "嘔吐", "発熱", "健康", "健診", "診断", "所見", "判定", "血圧", "血糖", "hba1c", "既往", "病", "障害", "障がい", "等級", "手帳", "産業医", "休職", "復職", "視力", "聴力", "bmi", "体重", "身長", "尿", "心電図", "胸部", "服薬", "通院", "治療"]), Field::Health),
    (Rule::Contains(&["学歴", "職歴", "志望", "自己pr", "経歴", "資格", "趣味", "特技", "長所", "短所"]), Field::Resume),
    (Rule::Contains(&["よみ", "読み"]), Field::NameKana),
    (Rule::Contains(&["番号", "コード", "№"]), Field::RecordId),
    (Rule::Exact(&["no", "no.", "id", "#", "管理no", "社員no", "社員id"]), Field::RecordId),
    (Rule::Contains(&["日付", "入社", "退職", "年月日", "開始", "終了"]), Field::OtherDate),
    (Rule::Contains(&["株主名", "貸主", "借主", "家主", "地主", "賃貸人", "世帯主", "申請者", "受診者", "作業員", "従業員名", "社員名", "宛名", "受取人", "name", "担当者名", "契約者", "応募者", "参加者", "受ける者", "受給者", "注文者", "購入者", "依頼人", "顧客名", "会員名", "お客様名", "入居者", "利用者名", "対象者", "運転者", "乗務員", "荷主", "オーナー名", "所有者", "名義人", "依頼主", "荷受人", "荷送人", "届け先名", "届先名", "お届け先名", "患者", "受講者", "加入者"]), Field::Name),
    (Rule::Exact(&["姓", "名", "姓名", "氏", "名前(漢字)", "本人", "本人氏名", "社員", "職員", "従業員", "お客様"]), Field::Name),
    (Rule::Exact(&["セイ", "メイ", "せい", "めい"]), Field::NameKana),
];

/// Forms space labels out to the width of their box: 氏　　名, 現 住 所.
/// Returns the line as `label<TAB>value` when it opens with such a label.
pub fn despace_leading_label(line: &str) -> Option<String> {
    // 氏　　名：小野 彩 — a spaced label tight against its colon.
    if let Some(colon) = find_colon(line) {
        let head = &line[..colon];
        // Every token must be one character: the first one settles most
        // lines (a log's timestamp) without collecting the rest.
        let first_is_one_char = head
            .split_whitespace()
            .next()
            .is_some_and(|t| t.chars().nth(1).is_none());
        let tokens: Vec<&str> = if first_is_one_char {
            head.split_whitespace().collect()
        } else {
            Vec::new()
        };
        if tokens.len() >= 2 && tokens.len() <= 5 && tokens.iter().all(|t| t.chars().count() == 1) {
            let label: String = tokens.concat();
            if classify_label(&label).is_some() {
                let rest = &line[colon..];
                let value = rest.trim_start_matches([':', '：']).trim();
                return Some(format!("{label}\t{value}"));
            }
        }
    }
    // The spaced label is the run of one-character tokens that opens the line.
    let mut chars = line.trim_start().chars();
    if !(chars.next().is_some_and(|c| !c.is_ascii())
        && chars.next().is_some_and(char::is_whitespace))
    {
        return None;
    }
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let k = tokens.iter().take_while(|t| t.chars().count() == 1).count();
    if !(2..=5).contains(&k) {
        return None;
    }
    let label: String = tokens[..k].concat();
    classify_label(&label)?;
    Some(format!("{label}\t{}", tokens[k..].join(" ")))
}

/// The first ':' or '：' of a line, found by bytes: `str::find` with a
/// set of characters decodes every character of the line.
pub(crate) fn find_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b':', 0xEF, &bytes[from..]) {
        let at = from + i;
        if bytes[at] == b':' || bytes[at..].starts_with("：".as_bytes()) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Labels of one part of a name split over two columns (姓 | 名).
pub fn is_name_part_label(raw: &str) -> bool {
    matches!(
        clean_label(raw).as_str(),
        "姓" | "名" | "氏" | "セイ" | "メイ" | "せい" | "めい" | "first" | "last"
    )
}

/// The data item a field's values are (None for fields that are no item).
pub fn item_of(field: Field) -> Option<DataItem> {
    Some(match field {
        Field::Name | Field::NameKana | Field::AccountHolder => DataItem::Name,
        Field::Gender => DataItem::Gender,
        Field::BirthDate => DataItem::BirthDate,
        Field::PostalCode | Field::Address => DataItem::Address,
        Field::Phone | Field::Mobile => DataItem::Phone,
        Field::Email => DataItem::Email,
        Field::Family => DataItem::Family,
        Field::AccountNumber | Field::BankAccountCombined => DataItem::BankAccount,
        Field::MyNumber => DataItem::MyNumber,
        Field::Health => DataItem::Health,
        Field::CriminalRecord => DataItem::CriminalRecord,
        Field::BloodType => DataItem::BloodType,
        Field::EmergencyContact => DataItem::EmergencyContact,
        Field::Resume => DataItem::Resume,
        Field::Shareholding => DataItem::Shareholding,
        Field::Dividend => DataItem::Dividend,
        Field::DriversLicense => DataItem::DriversLicense,
        Field::Passport => DataItem::Passport,
        Field::PensionNumber => DataItem::PensionNumber,
        Field::InsuranceNumber => DataItem::InsuranceNumber,
        Field::ResidenceCard => DataItem::ResidenceCard,
        Field::CreditCard => DataItem::CreditCard,
        _ => return None,
    })
}

/// One automaton over the distinct words of every rule, whatever its kind,
/// and for each word the rules (index, kind) that hold it.
struct RuleWords {
    automaton: aho_corasick::AhoCorasick,
    rules_of: Vec<Vec<(usize, &'static Rule)>>,
}

fn rule_words() -> &'static RuleWords {
    static WORDS: std::sync::OnceLock<RuleWords> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<&'static str> = Vec::new();
        let mut rules_of: Vec<Vec<(usize, &'static Rule)>> = Vec::new();
        for (index, (rule, _)) in RULES.iter().enumerate() {
            let (Rule::Contains(list)
            | Rule::Prefix(list)
            | Rule::Suffix(list)
            | Rule::Exact(list)) = rule;
            for word in list.iter() {
                let slot = match words.iter().position(|w| w == word) {
                    Some(slot) => slot,
                    None => {
                        words.push(word);
                        rules_of.push(Vec::new());
                        words.len() - 1
                    }
                };
                rules_of[slot].push((index, rule));
            }
        }
        let automaton = aho_corasick::AhoCorasick::new(&words)
            .unwrap_or_else(|e| unreachable!("static automaton: {e}"));
        RuleWords {
            automaton,
            rules_of,
        }
    })
}

/// The field of the first rule (in order) that `label` satisfies, from one
/// overlapping automaton pass: every occurrence of every word is seen, and
/// an occurrence satisfies a rule by its kind (anywhere, at the start, at
/// the end, or the whole label). Equal to trying the rules one by one.
fn first_rule_hit(label: &str) -> Option<Field> {
    let words = rule_words();
    let mut first: Option<usize> = None;
    for m in words.automaton.find_overlapping_iter(label) {
        for &(index, rule) in &words.rules_of[m.pattern().as_usize()] {
            if first.is_some_and(|f| f <= index) {
                continue;
            }
            let hit = match rule {
                Rule::Contains(_) => true,
                Rule::Prefix(_) => m.start() == 0,
                Rule::Suffix(_) => m.end() == label.len(),
                Rule::Exact(_) => m.start() == 0 && m.end() == label.len(),
            };
            if hit {
                first = Some(index);
            }
        }
    }
    first.map(|index| RULES[index].1)
}

/// Every word of the `Contains` rules with its field (for keyword prefilters).
pub fn label_words() -> impl Iterator<Item = (&'static str, Field)> {
    RULES.iter().flat_map(|(rule, field)| match rule {
        Rule::Contains(words) => words.iter().map(move |w| (*w, *field)).collect::<Vec<_>>(),
        Rule::Prefix(words) => words.iter().map(move |w| (*w, *field)).collect::<Vec<_>>(),
        // Whole-label Japanese words (自宅, 社員) must open the gate too; one
        // character would open it on every line, so those stay out.
        Rule::Exact(words) => words
            .iter()
            .filter(|w| !w.is_ascii() && w.chars().count() >= 2)
            .map(move |w| (*w, *field))
            .collect::<Vec<_>>(),
        Rule::Suffix(_) => Vec::new(),
    })
}

/// Header text as matched: normalised, lower-case, without spaces, brackets
/// and marks such as ※ or (必須).
pub fn clean_label(raw: &str) -> String {
    clean_lowered_label(&normalize(raw).to_lowercase())
}

/// [`clean_label`] of a label already normalised and lower-cased.
fn clean_lowered_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' | '[' | '【' | '「' => depth += 1,
            ')' | ']' | '】' | '」' => depth = (depth - 1).max(0),
            _ if c.is_whitespace()
                || matches!(c, '※' | '*' | ':' | '：' | '・' | '_' | '.' | '"' | '\'') => {}
            _ => out.push(c),
        }
        // Keep what brackets hold when that is all there is (【氏名】).
    }
    if out.is_empty() {
        text.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']' | '【' | '】'))
            .collect()
    } else {
        out
    }
}

/// フリガナ, ふりがな, 氏名(カナ), カナ氏名 — but not a katakana name that
/// happens to contain カナ (フクダ カナコ).
fn is_kana_label(full: &str) -> bool {
    if ["フリガナ", "ふりがな", "よみがな", "kana"]
        .iter()
        .any(|w| full.contains(w))
    {
        return true;
    }
    if !full.contains("カナ") {
        return false;
    }
    let rest: String = full
        .replace("カナ", "")
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '（' | '）'))
        .collect();
    rest.is_empty() || rest.chars().any(|c| !matches!(c, 'ァ'..='ヺ' | 'ー'))
}

/// Classifies a header or a form label.
pub fn classify_label(raw: &str) -> Option<Field> {
    // Bracketed qualifiers matter for kana columns: 氏名(カナ), 名前（フリガナ）.
    let full = normalize(raw).to_lowercase();
    let label = clean_lowered_label(&full);
    // Values are not labels: a date, a phone or an address carries digits.
    if label.is_empty()
        || label.chars().count() > 24
        || label.contains('@')
        || label.bytes().filter(u8::is_ascii_digit).count() > 2
    {
        return None;
    }
    if is_kana_label(&full) && !full.contains("名義") {
        return Some(Field::NameKana);
    }
    // One automaton pass instead of a hundred substring searches: this runs
    // for every cell while a table's header is searched and for the text
    // before every colon.
    first_rule_hit(&label)
}

/// The rules tried one by one, as [`first_rule_hit`] must answer.
#[cfg(test)]
fn first_rule_hit_one_by_one(label: &str) -> Option<Field> {
    for (rule, field) in RULES {
        let hit = match rule {
            Rule::Contains(words) => words.iter().any(|w| label.contains(w)),
            Rule::Prefix(words) => words.iter().any(|w| label.starts_with(w)),
            Rule::Suffix(words) => words.iter().any(|w| label.ends_with(w)),
            Rule::Exact(words) => words.contains(&label),
        };
        if hit {
            return Some(*field);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_colon_search_equals_find() {
        for line in [
            "氏　名：小野 彩",
            "a:b：c",
            "（）！：",
            "ｱｲｳ",
            "12:00 ＃：",
            "",
            "：",
            "＠:",
        ] {
            assert_eq!(find_colon(line), line.find([':', '：']), "{line}");
        }
    }

    #[test]
    fn one_pass_equals_rules_in_order() {
        let mut labels: Vec<String> = Vec::new();
        for (rule, _) in RULES {
            let (Rule::Contains(list)
            | Rule::Prefix(list)
            | Rule::Suffix(list)
            | Rule::Exact(list)) = rule;
            for word in list.iter() {
                labels.push(word.to_string());
                labels.push(format!("x{word}"));
                labels.push(format!("{word}x"));
                labels.push(format!("本人{word}の"));
            }
        }
        let words: Vec<String> = labels.iter().take(400).cloned().collect();
        for (i, a) in words.iter().enumerate() {
            labels.push(format!("{a}{}", words[(i * 7 + 3) % words.len()]));
        }
        labels.extend(["山田太郎", "東京都千代田区", "", "x"].map(String::from));
        for label in &labels {
            assert_eq!(
                first_rule_hit(label),
                first_rule_hit_one_by_one(label),
                "{label}"
            );
        }
    }

    #[test]
    fn compound_labels_resolve_to_the_specific_field() {
        let cases = [
            ("氏名", Field::Name),
            ("氏名（カナ）", Field::NameKana),
            ("フリガナ", Field::NameKana),
            ("緊急連絡先電話番号", Field::EmergencyContact),
            ("貸主住所", Field::Address),
            ("会社電話", Field::NotPersonal),
            ("商品コード", Field::NotPersonal),
            ("個人番号", Field::MyNumber),
            ("口座名義（カナ）", Field::AccountHolder),
            ("金融機関コード", Field::BankCode),
            ("支店名", Field::BranchName),
            ("預金種目", Field::AccountType),
            ("口座番号", Field::AccountNumber),
            ("生年月日", Field::BirthDate),
            ("入社日", Field::OtherDate),
            ("社員番号", Field::RecordId),
            ("株主名", Field::Name),
            ("所有株式数", Field::Shareholding),
            ("配当金額", Field::Dividend),
            ("携帯電話", Field::Mobile),
            ("E-mail", Field::Email),
            ("〒", Field::PostalCode),
            ("扶養親族", Field::Family),
            ("所見", Field::Health),
            ("志望動機", Field::Resume),
            ("法人番号", Field::NotPersonal),
            ("雇用保険被保険者番号", Field::InsuranceNumber),
            ("運転免許証番号", Field::DriversLicense),
        ];
        for (label, field) in cases {
            assert_eq!(classify_label(label), Some(field), "{label}");
        }
        assert_eq!(classify_label("備考"), None);
    }
}

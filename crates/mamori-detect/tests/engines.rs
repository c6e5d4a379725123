//! The text and table engines on realistic snippets.

use mamori_core::{DataItem, HashKey};
use mamori_detect::{Detector, Findings};

fn detector() -> Detector {
    Detector::new(HashKey::for_tests(), None)
}

fn items(f: &Findings) -> Vec<&'static str> {
    f.items.keys().map(|i| i.id()).collect()
}

fn table(rows: &[&[&str]]) -> Findings {
    let det = detector();
    let mut t = det.table();
    for row in rows {
        t.push_row(row.iter().map(|s| s.to_string()).collect());
    }
    t.finish()
}

#[test]
fn resume_text_is_one_person_with_its_items() {
    let text = "履歴書\n氏名：山田 太郎\nふりがな：やまだ たろう\n生年月日：昭和55年3月2日生（満45歳）\n現住所：〒100-0001 東京都千代田区千代田1-1\n電話：090-1234-5678\nメール：taro.yamada@example.jp\n学歴\n2003年3月 東京大学 卒業\n志望動機：貴社の理念に共感し…\n";
    let f = detector().scan_text(text);
    assert_eq!(
        items(&f),
        ["name", "address", "birth_date", "phone", "email", "resume"],
        "{f:?}"
    );
    assert_eq!(f.records, 1);
    assert_eq!(f.persons.len(), 1);
}

#[test]
fn my_number_needs_context() {
    let f = detector().scan_text("注文番号 123456789018 の件");
    assert!(f.items.is_empty(), "{f:?}");
    let f = detector().scan_text("山田太郎様\n個人番号：4906 3022 4281\n");
    assert_eq!(f.items.get(&DataItem::MyNumber), Some(&1), "{f:?}");
}

#[test]
fn company_overview_has_no_personal_data() {
    let text = "会社概要\n株式会社やまと工務店\n本社所在地：〒100-0001 東京都千代田区千代田1-1\n代表電話：03-1234-5678\n法人番号：1180301018771\n登録番号：T1180301018771\n";
    let f = detector().scan_text(text);
    assert!(f.items.is_empty(), "{f:?}");
}

#[test]
fn memo_names_and_birth_date() {
    let text = "異動メモ\n営業部の佐藤花子さん（昭和60年5月10日生）は4月から総務部へ。\n鈴木一郎様の住所変更：神奈川県横浜市中区山下町1-2-3\n";
    let f = detector().scan_text(text);
    for item in [DataItem::Name, DataItem::BirthDate, DataItem::Address] {
        assert!(f.items.contains_key(&item), "{item:?} missing: {f:?}");
    }
}

#[test]
fn roster_table_counts_rows_and_persons() {
    let f = table(&[
        &["社員名簿", "", ""],
        &[
            "社員番号",
            "氏名",
            "フリガナ",
            "性別",
            "生年月日",
            "住所",
            "携帯電話",
            "入社日",
        ],
        &[
            "1001",
            "山田 太郎",
            "ヤマダ タロウ",
            "男",
            "S55.3.2",
            "東京都千代田区千代田1-1",
            "090-1234-5678",
            "2003/4/1",
        ],
        &[
            "1002",
            "佐藤 花子",
            "サトウ ハナコ",
            "女",
            "1985/05/10",
            "大阪府大阪市北区梅田1-1-1",
            "080-2345-6789",
            "2008/4/1",
        ],
    ]);
    assert_eq!(
        items(&f),
        ["name", "address", "birth_date", "gender", "phone"],
        "{f:?}"
    );
    assert_eq!(f.records, 2);
    assert_eq!(f.persons.len(), 2);
}

#[test]
fn product_codes_are_not_my_numbers() {
    let f = table(&[
        &["商品コード", "品名", "単価"],
        &["123456789018", "ボルト", "120"],
        &["123456789019", "ナット", "80"],
    ]);
    assert!(f.items.is_empty(), "{f:?}");
}

#[test]
fn bank_list_and_ledger() {
    let f = table(&[
        &[
            "社員番号",
            "氏名",
            "金融機関コード",
            "金融機関名",
            "支店コード",
            "支店名",
            "預金種目",
            "口座番号",
            "口座名義",
        ],
        &[
            "1001",
            "山田 太郎",
            "0001",
            "みずほ銀行",
            "001",
            "東京営業部",
            "普通",
            "1234567",
            "ﾔﾏﾀﾞ ﾀﾛｳ",
        ],
    ]);
    assert_eq!(items(&f), ["name", "bank_account"], "{f:?}");
    let f = table(&[
        &[
            "氏名",
            "生年月日",
            "個人番号",
            "扶養親族氏名",
            "続柄",
            "扶養親族個人番号",
        ],
        &[
            "山田 太郎",
            "昭和55年3月2日",
            "490630224281",
            "山田 花子",
            "妻",
            "624875249383",
        ],
    ]);
    assert_eq!(
        items(&f),
        ["name", "birth_date", "family", "my_number"],
        "{f:?}"
    );
}

#[test]
fn list_lines_and_split_addresses() {
    let text = "源泉徴収票 送付メモ\n\n池田 健一  〒401-0005 山梨県大月市賑岡町浅利5丁目9番7号  支払金額 3480000円\n";
    let f = detector().scan_text(text);
    assert_eq!(items(&f), ["name", "address"], "{f:?}");
    assert_eq!(f.persons.len(), 1);
    let text = "氏名　　　吉川 孝\n現住所　　〒105-7001\n　　　　　東京都港区東新橋電通本社ビル4丁目26番2号\n";
    let f = detector().scan_text(text);
    assert_eq!(items(&f), ["name", "address"], "{f:?}");
}

#[test]
fn workers_list_with_numbered_rows() {
    let f = table(&[
        &[
            "No",
            "名前",
            "誕生日",
            "ﾌﾘｶﾞﾅ",
            "血液型",
            "年齢",
            "TEL",
            "現住所",
            "緊急連絡先電話",
            "緊急連絡先",
            "血圧",
        ],
        &[
            "1",
            "藤田 実",
            "S47/11/25",
            "フジタ ミノル",
            "A",
            "52",
            "070-8670-9055",
            "兵庫県宝塚市花屋敷松ガ丘1-17-7",
            "070-6147-1550",
            "藤田 彩乃（母）",
            "143/75",
        ],
    ]);
    assert_eq!(
        items(&f),
        [
            "name",
            "address",
            "birth_date",
            "phone",
            "health",
            "blood_type",
            "emergency_contact"
        ],
        "{f:?}"
    );
}

#[test]
fn accounts_at_real_banks_only() {
    let f = detector().scan_text("山田太郎様 振込先：みずほ銀行 東京営業部 普通 1234567\n");
    assert!(f.items.contains_key(&DataItem::BankAccount), "{f:?}");
    let f = detector().scan_text("山田太郎様 ゆうちょ 記号 14030 番号 12345671\n");
    assert!(f.items.contains_key(&DataItem::BankAccount), "{f:?}");
    if mamori_data::Banks::get().is_available() {
        let f = detector().scan_text("山田太郎様 振込先：まぼろし銀行 夢支店 普通 1234567\n");
        assert!(!f.items.contains_key(&DataItem::BankAccount), "{f:?}");
        let f = table(&[
            &["氏名", "銀行コード", "支店コード", "種目", "口座番号"],
            &["山田 太郎", "0001", "999", "普通", "1234567"],
        ]);
        assert!(!f.items.contains_key(&DataItem::BankAccount), "{f:?}");
    }
}

#[test]
fn corporate_numbers_are_excluded() {
    let f = detector().scan_text("山田太郎様\n法人番号 1180301018771\n登録番号 T1180301018771\n");
    assert!(!f.items.contains_key(&DataItem::MyNumber), "{f:?}");
}

#[test]
fn drawn_forms_and_markdown_tables() {
    let boxed = "┏━━━━━━━━┓\n┃　履　歴　書　┃\n┣━━━┳━━━━┫\n┃ふりがな　　┃なかがわ なお\n┃氏　　名　　┃中川　奈緒\n┃生年月日　　┃平成十五年八月十五日生　（満21歳）　　┃性別┃女\n┃現 住 所　　┃〒294-0027　千葉県館山市西長田5-29-9\n┃携帯電話　　┃070(6939)8396\n┃E-mail　　　┃naonakagawa43@outlook.jp\n┣━━━╋━━━━┫\n┃年　月　　　┃学歴・職歴\n┗━━━━━━━━┛\n";
    let f = detector().scan_text(boxed);
    assert_eq!(
        items(&f),
        [
            "name",
            "address",
            "birth_date",
            "gender",
            "phone",
            "email",
            "resume"
        ],
        "{f:?}"
    );
    let md = "|項目|内容|\n|:--|:--|\n|フリガナ|ウエノ アヤノ|\n|お名前|上野 彩乃|\n|生年月日|平成十五年十二月二十三日（21歳）|\n|性別|女性|\n|住所|〒515-0118 三重県松阪市垣内田町4丁目28番13号|\n|連絡先|070-2065-8626|\n|メールアドレス|ayano.ueno31@yahoo.co.jp|\n\n学歴・職歴\n";
    let f = detector().scan_text(md);
    assert_eq!(
        items(&f),
        [
            "name",
            "address",
            "birth_date",
            "gender",
            "phone",
            "email",
            "resume"
        ],
        "{f:?}"
    );
    let roster = "|社員|間柄|連絡先|\n|---|---|---|\n|山田 太郎|妻|090-1111-2222|\n|佐藤 花子|夫|080-3333-4444|\n";
    let f = detector().scan_text(roster);
    assert!(f.items.contains_key(&DataItem::Name), "{f:?}");
}

#[test]
fn markdown_resume_from_a_file() {
    let f = detector().scan_text(r#"|項目|内容|
|:--|:--|
|フリガナ|フクダ カナコ|
|お名前|福田 加奈子|
|生年月日|平成04年04月19日（32歳）|
|性別|女性|
|住所|〒781-1756 高知県吾川郡仁淀川町大尾2丁目22番18号|
|連絡先|090-2504-5085|
|メールアドレス|kanakofukuda5@gmail.com|

学歴・職歴

|年月|内容|
|---|---|
|2008年4月|高知県立北高等学校 入学|
|2011年3月|同校 卒業|
|2011年4月|立命館大学 経済学部 入学|
|2015年3月|同大学 卒業|
|2015年4月|東和メンテナンス株式会社 入社　設計に従事|
|2022年3月|同社 退職|

志望理由
設備工事を通じて建物の快適さを支える仕事に魅力を感じ、設計として地域の現場で経験を積みたいと考えました。

アピールポイント
アルバイト先で新人教育を任され、マニュアルを作り直しました。
"#);
    assert_eq!(
        items(&f),
        [
            "name",
            "address",
            "birth_date",
            "gender",
            "phone",
            "email",
            "resume"
        ],
        "{f:?}"
    );
}

#[test]
fn code_logs_and_the_published_sample_are_not_my_numbers() {
    let log = "GET /api/v1/employees/mynumber/status 200\nPOST /api/v1/payroll req_id=490630224281 200 409ms\n";
    assert!(detector().scan_text(log).items.is_empty());
    let f = detector()
        .scan_text("山田太郎様\n# テスト用のマイナンバー\nTEST_MY_NUMBER = \"123456789018\"\n");
    assert!(!f.items.contains_key(&DataItem::MyNumber), "{f:?}");
}

#[test]
fn names_in_prose_and_quoted_mail() {
    let f = detector()
        .scan_text("工事部の阿部翼さん（59歳）から、適応障害のため休みたいとの相談あり。\n");
    assert!(
        f.items.contains_key(&DataItem::Name) && f.items.contains_key(&DataItem::Health),
        "{f:?}"
    );
    let mail = "> 配送2課の森 誠です。\n> 先週末に引っ越しましたので届け出ます。\n>\n> 〒028-3447\n> 岩手県紫波郡紫波町宮手5-24-17\n>\n> 携帯は変わらず 07036470074 です。\n";
    let f = detector().scan_text(mail);
    assert_eq!(items(&f), ["name", "address", "phone"], "{f:?}");
}

#[test]
fn html_and_json_read_like_forms() {
    let html = "<table><tr><th>氏名</th><td>山田 太郎</td></tr>\n<tr><th>携帯電話</th><td>090-1234-5678</td></tr></table>\n";
    let f = detector().scan_text(html);
    assert_eq!(items(&f), ["name", "phone"], "{f:?}");
    let json = "{\n  \"name\": \"山田 太郎\",\n  \"tel\": \"090-1234-5678\"\n}\n";
    let f = detector().scan_text(json);
    assert_eq!(items(&f), ["name", "phone"], "{f:?}");
    assert_eq!(f.persons.len(), 1);
}

#[test]
fn yucho_over_two_lines_and_counts_that_are_not_headings() {
    let f = detector()
        .scan_text("給与振込口座届\n氏名：斎藤 誠\n■ゆうちょ銀行\n記号：15380\n番号：91207091\n");
    assert!(f.items.contains_key(&DataItem::BankAccount), "{f:?}");
    let f = detector()
        .scan_text("氏名：中川 麻衣\n控除対象扶養親族の数　3人\n\n生年月日　昭和43.01.29\n");
    assert!(f.items.contains_key(&DataItem::BirthDate), "{f:?}");
}

#[test]
fn contacts_are_captured_only_when_asked() {
    let rows: &[&[&str]] = &[
        &["氏名", "郵便番号", "住所", "電話番号"],
        &[
            "山田 太郎",
            "100-0001",
            "東京都千代田区千代田1-1",
            "090-1234-5678",
        ],
        &[
            "佐藤 花子",
            "",
            "〒530-0001 大阪府大阪市北区梅田1-2-3",
            "080-2345-6789",
        ],
    ];
    assert!(table(rows).contacts.is_empty(), "no contacts unless asked");
    let det = Detector::new(HashKey::for_tests(), None).with_contacts(true);
    let mut t = det.table();
    for row in rows {
        t.push_row(row.iter().map(|s| s.to_string()).collect());
    }
    let f = t.finish();
    let got: Vec<(&str, &str, &str)> = f
        .contacts
        .iter()
        .map(|c| (c.name.as_str(), c.postal_code.as_str(), c.address.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("山田 太郎", "100-0001", "東京都千代田区千代田1-1"),
            ("佐藤 花子", "530-0001", "大阪府大阪市北区梅田1-2-3"),
        ]
    );
}

#[test]
fn namesakes_in_one_list_keep_their_staff_numbers() {
    let f = table(&[
        &["社員番号", "氏名", "性別", "所見"],
        &["01001", "宮崎 幸子", "女", "異常なし"],
        &["01002", "藤田 舞", "女", "高血圧"],
        &["01022", "宮崎 幸子", "女", "異常なし"],
    ]);
    assert_eq!(f.persons.len(), 3);
    let ids: Vec<_> = f.persons.iter().map(|p| p.record_id).collect();
    assert!(ids.iter().all(|id| id.is_some()), "{ids:?}");
    assert_ne!(ids[0], ids[2]);
    assert_eq!(mamori_core::count_persons(&f.persons), 3);
}

#[test]
fn a_resume_gives_its_person_contact() {
    let text = "履歴書\n氏名：山田 太郎\nふりがな：やまだ たろう\n生年月日：昭和55年3月2日生\n現住所：〒100-0001 東京都千代田区千代田1-1\n電話：090-1234-5678\n緊急連絡先：山田 花子（母）\n住所：大阪府大阪市北区梅田1-2-3\n";
    let det = Detector::new(HashKey::for_tests(), None).with_contacts(true);
    let f = det.scan_text(text);
    let got: Vec<(&str, &str, &str)> = f
        .contacts
        .iter()
        .map(|c| (c.name.as_str(), c.postal_code.as_str(), c.address.as_str()))
        .collect();
    assert_eq!(
        got[0],
        ("山田 太郎", "100-0001", "東京都千代田区千代田1-1"),
        "{got:?}"
    );
}

use super::*;

const SAMPLE: &str = "0600042\t北海道\t札幌市中央区\t大通西\n\
0010010\t北海道\t札幌市北区\t北十条西\n\
0440000\t北海道\t虻田郡倶知安町\t\n\
0440001\t北海道\t虻田郡倶知安町\t北一条東\n\
1000001\t東京都\t千代田区\t千代田\n\
1000005\t東京都\t千代田区\t丸の内\n\
1540000\t東京都\t世田谷区\t\n\
1830000\t東京都\t府中市\t\n\
1830001\t東京都\t府中市\t浅間町\n\
7260000\t広島県\t府中市\t\n\
7260001\t広島県\t府中市\t元町\n\
1140000\t東京都\t北区\t\n\
2310000\t神奈川県\t横浜市中区\t\n\
2310023\t神奈川県\t横浜市中区\t山下町\n\
2200012\t神奈川県\t横浜市西区\tみなとみらい\n\
3010000\t茨城県\t龍ケ崎市\t旭ヶ丘\n\
1040061\t東京都\t中央区\t銀座\n";

fn sample() -> Postal {
    Postal::from_tsv(SAMPLE).unwrap()
}

fn m(p: &Postal, s: &str) -> Option<(Option<&'static str>, String, Option<String>, usize)> {
    p.match_locality(s)
        .map(|m| (m.prefecture, m.municipality, m.town, m.len))
}

#[test]
fn by_code_accepts_common_spellings() {
    let p = sample();
    assert!(p.is_available());
    assert_eq!(p.by_code("1000001")[0].town, "千代田");
    assert_eq!(p.by_code("100-0001")[0].municipality, "千代田区");
    assert_eq!(p.by_code("〒１００－０００１").len(), 1);
    assert!(p.by_code("1000002").is_empty());
    assert!(p.by_code("100001").is_empty());
    assert!(p.by_code("abcdefg").is_empty());
}

#[test]
fn matches_prefecture_municipality_town() {
    let p = sample();
    let s = "東京都千代田区千代田1-1";
    let r = m(&p, s).unwrap();
    assert_eq!(r.0, Some("東京都"));
    assert_eq!(r.1, "千代田区");
    assert_eq!(r.2.as_deref(), Some("千代田"));
    assert_eq!(&s[r.3..], "1-1");
    // Spaces between the parts are consumed too.
    let s = "東京都 千代田区　丸の内2丁目";
    assert_eq!(&s[m(&p, s).unwrap().3..], "2丁目");
    // Municipality without a known town.
    let s = "東京都千代田区霞が関";
    let r = m(&p, s).unwrap();
    assert_eq!((r.2, &s[r.3..]), (None, "霞が関"));
}

#[test]
fn matches_gun_and_designated_city_wards() {
    let p = sample();
    let r = m(&p, "北海道虻田郡倶知安町北一条東1丁目").unwrap();
    assert_eq!(r.1, "虻田郡倶知安町");
    assert_eq!(r.2.as_deref(), Some("北一条東"));
    let r = m(&p, "北海道倶知安町北一条東").unwrap();
    assert_eq!((r.0, r.1.as_str()), (Some("北海道"), "虻田郡倶知安町"));
    let r = m(&p, "北海道札幌市北区北十条西").unwrap();
    assert_eq!(r.1, "札幌市北区");
    // Ward omitted: the town tells which ward.
    let r = m(&p, "神奈川県横浜市山下町").unwrap();
    assert_eq!(
        (r.1.as_str(), r.2.as_deref()),
        ("横浜市中区", Some("山下町"))
    );
    let r = m(&p, "神奈川県横浜市").unwrap();
    assert_eq!((r.1.as_str(), r.2), ("横浜市", None));
}

#[test]
fn matches_distinctive_municipality_without_prefecture() {
    let p = sample();
    let r = m(&p, "横浜市中区山下町1").unwrap();
    assert_eq!(r.0, Some("神奈川県"));
    assert_eq!(r.2.as_deref(), Some("山下町"));
    assert_eq!(m(&p, "札幌市北区北十条西").unwrap().0, Some("北海道"));
    assert_eq!(m(&p, "世田谷区").unwrap().0, Some("東京都"));
    assert_eq!(m(&p, "倶知安町").unwrap().1, "虻田郡倶知安町");
    // Ambiguous: no prefecture unless the town decides.
    assert_eq!(m(&p, "府中市").unwrap().0, None);
    assert_eq!(m(&p, "府中市元町").unwrap().0, Some("広島県"));
    // A ward name shared with designated cities needs a town to decide.
    assert_eq!(m(&p, "中央区").unwrap().0, None);
    assert_eq!(m(&p, "中央区銀座").unwrap().0, Some("東京都"));
    let r = m(&p, "中央区大通西").unwrap();
    assert_eq!((r.0, r.1.as_str()), (Some("北海道"), "札幌市中央区"));
    assert_eq!(m(&p, "東京都中央区").unwrap().1, "中央区");
    // Too short without a prefecture; fine with one.
    assert_eq!(m(&p, "北区"), None);
    assert_eq!(m(&p, "東京都北区").unwrap().1, "北区");
    // Prefecture that contradicts the municipality.
    assert_eq!(m(&p, "大阪府世田谷区"), None);
    assert_eq!(m(&p, "こんにちは"), None);
    assert_eq!(m(&p, ""), None);
}

#[test]
fn folds_ke_and_no_variants() {
    let p = sample();
    let s = "茨城県龍ヶ崎市旭ケ丘3";
    let r = m(&p, s).unwrap();
    assert_eq!(r.1, "龍ケ崎市");
    assert_eq!(r.2.as_deref(), Some("旭ヶ丘"));
    assert_eq!(&s[r.3..], "3");
    assert!(p.has_town("東京都", "千代田区", "丸ノ内1丁目"));
}

#[test]
fn has_town_strips_numbers() {
    let p = sample();
    assert!(p.has_town("東京都", "千代田区", "千代田"));
    assert!(p.has_town("東京都", "千代田区", "千代田1-1"));
    assert!(p.has_town("東京都", "千代田区", "千代田一丁目2番3号"));
    assert!(p.has_town("北海道", "札幌市中央区", "大通西10丁目"));
    assert!(p.has_town("北海道", "倶知安町", "字北一条東"));
    assert!(p.has_town("神奈川県", "横浜市", "山下町"));
    assert!(!p.has_town("東京都", "千代田区", "千代田公園"));
    assert!(!p.has_town("東京都", "千代田区", ""));
    assert!(!p.has_town("大阪府", "千代田区", "千代田"));
    assert!(!p.has_town("東京都", "中央区", "千代田"));
}

#[test]
fn samples_are_deterministic_and_real() {
    let p = sample();
    let a = p.sample_locality(5).unwrap();
    assert_eq!(Some(a), p.sample_locality(5));
    assert!(!a.town.is_empty());
    assert!(p.localities().contains(a));
}

#[test]
fn empty_data_degrades() {
    let p = Postal::from_tsv("").unwrap();
    assert!(!p.is_available());
    assert!(p.by_code("1000001").is_empty());
    assert_eq!(p.match_locality("東京都千代田区千代田"), None);
    assert!(!p.has_town("東京都", "千代田区", "千代田"));
    assert_eq!(p.sample_locality(0), None);
}

#[test]
fn rejects_malformed_rows() {
    assert!(Postal::from_tsv("1000001\t東京都\t千代田区\n").is_err());
    assert!(Postal::from_tsv("10001\t東京都\t千代田区\t千代田\n").is_err());
    assert!(Postal::from_tsv("1000001\t東京\t千代田区\t千代田\n").is_err());
}

#[test]
fn errors_name_the_line_and_rows_keep_their_text() {
    let e = Postal::from_tsv(
        "1000001\t東京都\t千代田区\t千代田\n1000002\t東京都\t千代田区\t皇居外苑\tx\n",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "postal.tsv line 2: expected 4 tab-separated fields"
    );
    // Unsorted rows, CRLF and blank lines: sorted by code, towns without '\r'.
    let p = Postal::from_tsv(
        "1000002\t東京都\t千代田区\t皇居外苑\r\n\n1000001\t東京都\t千代田区\t千代田\r\n0600000\t北海道\t札幌市中央区\t\r\n",
    )
    .unwrap();
    let codes: Vec<&str> = p
        .localities()
        .iter()
        .map(|l| l.postal_code.as_str())
        .collect();
    assert_eq!(codes, ["0600000", "1000001", "1000002"]);
    assert_eq!(p.by_code("100-0002")[0].town, "皇居外苑");
    assert_eq!(p.by_code("0600000")[0].town, "");
    assert_eq!(p.by_code("0600000")[0].prefecture, "北海道");
    assert!(p.by_code("9999999").is_empty());
    assert!(p.has_town("東京都", "千代田区", "千代田1丁目"));
}

/// The yes/no shortcut answers exactly what the full match answers.
#[test]
fn has_municipality_agrees_with_match_municipality() {
    let p = sample();
    for s in [
        "東京都千代田区千代田1-1",
        "東京都 千代田区　丸の内2丁目",
        "北海道倶知安町北一条東",
        "北海道札幌市北区北十条西",
        "神奈川県横浜市山下町",
        "横浜市中区山下町1",
        "世田谷区",
        "府中市元町",
        "中央区",
        "北区",
        "東京都北区",
        "大阪府世田谷区",
        "茨城県龍ヶ崎市旭ケ丘3",
        "茨城県龍ケ崎市",
        "龍ヶ崎市",
        "龍が崎市",
        "こんにちは",
        "",
        "東京都",
        "東京都　",
        "千代田",
    ] {
        assert_eq!(
            p.has_municipality(s),
            p.match_municipality(s).is_some(),
            "{s}"
        );
    }
    assert!(
        Postal::default().has_municipality("東京都千代田区")
            == Postal::default()
                .match_municipality("東京都千代田区")
                .is_some()
    );
}

/// `has_code` answers as `by_code` does, on every code of the sample, its
/// neighbours, other spellings and malformed text.
#[test]
fn has_code_agrees_with_by_code() {
    let p = sample();
    let mut inputs: Vec<String> = Vec::new();
    for line in SAMPLE.lines() {
        let code: u32 = line[..7].parse().unwrap();
        for c in [code.saturating_sub(1), code, code + 1] {
            let d = format!("{c:07}");
            let wide: String = d
                .chars()
                .map(|ch| char::from_u32(ch as u32 - '0' as u32 + '０' as u32).unwrap())
                .collect();
            inputs.extend([
                d.clone(),
                format!("{}-{}", &d[..3], &d[3..]),
                format!("〒{}－{}", &wide[..9], &wide[9..]),
                format!("{d}0"),
                d[1..].to_string(),
                format!("{}x", &d[..6]),
            ]);
        }
    }
    inputs.extend(["", "〒", "abcdefg", "12345678901", "１２３"].map(String::from));
    for input in &inputs {
        assert_eq!(p.has_code(input), !p.by_code(input).is_empty(), "{input}");
    }
    let empty = Postal::default();
    assert!(!empty.has_code("1000001"));
}

//! Lookups against the real embedded data. Skipped (with a note) when the
//! build had no data, so the suite also passes before `scripts/fetch-data`.

use std::time::Instant;

use crate::{Banks, Postal};

fn banks() -> Option<&'static Banks> {
    let b = Banks::get();
    if !b.is_available() {
        eprintln!("skipping: no bank data (run scripts/fetch-data)");
    }
    b.is_available().then_some(b)
}

fn postal() -> Option<&'static Postal> {
    let p = Postal::get();
    if !p.is_available() {
        eprintln!("skipping: no postal data (run scripts/fetch-data)");
    }
    p.is_available().then_some(p)
}

#[test]
fn parse_time() {
    let t = Instant::now();
    let b = Banks::load();
    let tb = t.elapsed();
    let t = Instant::now();
    let p = Postal::load();
    let tp = t.elapsed();
    if let (Ok(b), Ok(p)) = (b, p) {
        let t = Instant::now();
        let _ = b.bank_by_name("みずほ");
        let ti = t.elapsed();
        eprintln!(
            "parse: banks {} banks/{} branches in {tb:?} (+ name index {ti:?}), postal {} rows in {tp:?}",
            b.banks().len(),
            b.banks().iter().map(|x| b.branches(&x.code).len()).sum::<usize>(),
            p.localities().len(),
        );
    }
}

#[test]
fn real_banks() {
    let Some(b) = banks() else { return };
    assert_eq!(b.bank("0001").map(|b| b.name.as_str()), Some("みずほ"));
    assert_eq!(b.bank("9900").map(|b| b.name.as_str()), Some("ゆうちょ"));
    let code = |n: &str| b.bank_by_name(n).map(|b| b.code.clone());
    assert_eq!(code("みずほ銀行").as_deref(), Some("0001"));
    assert_eq!(code("ﾐｽﾞﾎ").as_deref(), Some("0001"));
    assert_eq!(code("三菱UFJ銀行").as_deref(), Some("0005"));
    assert_eq!(code("三井住友銀行").as_deref(), Some("0009"));
    assert_eq!(code("ゆうちょ銀行").as_deref(), Some("9900"));
    assert_eq!(code("大田原信用金庫").as_deref(), Some("1225"));
    assert_eq!(
        code("農林中央金庫").as_deref(),
        b.bank_by_name("農林中金").map(|b| b.code.as_str())
    );
    assert!(b.bank_by_name("東京都信連").is_some());
    assert!(b.bank_by_name("信金中央金庫").is_some());
    assert!(b.branch("9900", "018").is_some());
    assert_eq!(
        b.branch_by_name("9900", "〇一八店")
            .map(|b| b.code.as_str()),
        Some("018")
    );
    assert_eq!(
        b.branch_by_name("0001", "東京営業部")
            .map(|b| b.code.as_str()),
        Some("001")
    );
    let forms = b.bank_name_forms();
    assert!(forms
        .iter()
        .any(|(f, b)| f == "みずほ銀行" && b.code == "0001"));
    for i in 0..50 {
        let (bank, branch) = b.sample_branch(i).unwrap();
        assert_eq!(b.branch(&bank.code, &branch.code), Some(branch));
    }
}

#[test]
fn real_postal() {
    let Some(p) = postal() else { return };
    let l = p.by_code("100-0001");
    assert_eq!(l.len(), 1);
    assert_eq!(
        (
            l[0].prefecture,
            l[0].municipality.as_str(),
            l[0].town.as_str()
        ),
        ("東京都", "千代田区", "千代田")
    );
    let s = "東京都千代田区千代田1-1";
    let r = p.match_locality(s).unwrap();
    assert_eq!(
        (r.prefecture, r.municipality.as_str(), r.town.as_deref()),
        (Some("東京都"), "千代田区", Some("千代田"))
    );
    assert_eq!(&s[r.len..], "1-1");
    let r = p.match_locality("横浜市中区山下町1番地").unwrap();
    assert_eq!(
        (r.prefecture, r.municipality.as_str(), r.town.as_deref()),
        (Some("神奈川県"), "横浜市中区", Some("山下町"))
    );
    let r = p.match_locality("札幌市北区北十条西4丁目").unwrap();
    assert_eq!(
        (r.prefecture, r.town.as_deref()),
        (Some("北海道"), Some("北十条西"))
    );
    let r = p.match_locality("北海道虻田郡倶知安町北一条東").unwrap();
    assert_eq!(r.municipality, "虻田郡倶知安町");
    let r = p.match_locality("世田谷区太子堂").unwrap();
    assert_eq!(
        (r.prefecture, r.town.as_deref()),
        (Some("東京都"), Some("太子堂"))
    );
    assert_eq!(p.match_locality("府中市").unwrap().prefecture, None);
    assert!(p.has_town("東京都", "千代田区", "丸の内1丁目"));
    assert!(p.has_town("北海道", "札幌市中央区", "大通西10丁目"));
    assert!(!p.has_town("東京都", "千代田区", "存在しない町"));
    for i in (0..20_000).step_by(7) {
        let Some(l) = p.sample_locality(i) else { break };
        for text in [
            format!("{}{}{}", l.prefecture, l.municipality, l.town),
            format!("{}{}", l.municipality, l.town),
            format!("{}{}", l.town, l.municipality),
        ] {
            assert_eq!(
                p.has_municipality(&text),
                p.match_municipality(&text).is_some(),
                "{text}"
            );
        }
    }
    for i in 0..50 {
        let l = p.sample_locality(i).unwrap();
        assert!(p.has_town(l.prefecture, &l.municipality, &l.town), "{l:?}");
        let text = format!("{}{}{}1-2-3", l.prefecture, l.municipality, l.town);
        for variant in [
            text.clone(),
            format!("{}{}", l.municipality, l.town),
            text.replace('ケ', "ヶ").replace('の', "ノ"),
            format!("{}{}", l.prefecture, l.town),
            l.municipality.chars().skip(1).collect::<String>(),
        ] {
            assert_eq!(
                p.has_municipality(&variant),
                p.match_municipality(&variant).is_some(),
                "{variant}"
            );
        }
        let r = p.match_locality(&text).unwrap();
        assert_eq!(&text[r.len..], "1-2-3", "{l:?} {r:?}");
    }
}

//! A second held-out batch, written after the first batch had been run
//! once (and never used to tune the matcher): more spellings, a
//! `<li>`/`<br>` listing, and near-miss names. Prints its figures.

mod common;

use common::*;
use mamori_leaks::{poll, LeaksConfig};
use serde_json::json;

const POSTS: &[(&str, bool)] = &[
    ("Yamato Koumuten Kabushiki Kaisha", true),
    ("YAMATO KOUMUTEN (yamato-koumuten.example.jp)", true),
    ("Yamato-Koumuten Corp.", true),
    ("ＹＡＭＡＴＯ　ＫＯＵＭＵＴＥＮ", true),
    ("yamatokoumuten", true),
    ("Yamato Koumuten Japan", true),
    ("ヤマト・コウムテン", true),
    ("(株)やまと工務店 大阪支店", true),
    ("Yamato Transport U.S.A., Inc.", false),
    ("ヤマトシステム開発", false),
    ("やまと興業株式会社", false),
    ("Yamato Koki", false),
    ("Yamato Kogyo Holdings", false),
    ("大和工務店", false),
    ("Hokuto Koumuten", false),
    ("Sakura Koumuten Co., Ltd.", false),
    ("Yamanaka Komuten", false),
    ("Yamato Metal Works", false),
    ("Hôpital de la Région", false),
    ("Lakeside School District", false),
];

#[test]
fn second_held_out_batch() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let root = scanned_share(dir.path(), &state);
    let http = HttpServer::start();
    let victims: Vec<_> = POSTS
        .iter()
        .enumerate()
        .map(|(i, (v, _))| json!({"victim": v, "group": "hunters", "post_url": format!("http://h.onion/{i}")}))
        .collect();
    http.set(
        "/recentvictims",
        "application/json",
        json!(victims).to_string(),
    );
    // Our files as <li> items and <br> lines, under a made-up victim name.
    let ours = [
        "総務部/給与/振込口座一覧.csv",
        "総務部/人事/退職者名簿.csv",
        "採用/応募者一覧.csv",
        "株式/配当金支払調書_2024.csv",
    ];
    let mut items = String::new();
    for path in &ours[..2] {
        items.push_str(&format!("<li>E:\\Shared\\{}</li>", path.replace('/', "\\")));
    }
    let lines: Vec<String> = ours[2..]
        .iter()
        .map(|p| format!("E:/Shared/{p} ({} bytes)", size_of(&root, p)))
        .collect();
    let page = format!(
        "<html><body><section class=\"victims\"><div class=\"v\"><span class=\"n\">JP-Builder</span><div class=\"files\"><ul>{items}</ul>{}</div></div>\
         <div class=\"v\"><span class=\"n\">Acme Logistics</span><div class=\"files\"><ul><li>C:\\Data\\README.md</li><li>C:\\Data\\在庫.tsv</li></ul></div></div></section></body></html>",
        lines.join("<br>")
    );
    http.set("/site/", "text/html", page);
    let config = LeaksConfig::parse(&format!(
        "{ORGANIZATION}\n[[source]]\nkind = \"ransomware_live\"\nurl = \"{}\"\n[[source]]\nkind = \"html\"\nurl = \"{}\"\npost = \"div.v\"\ntitle = \"span.n\"\nbody = \"div.files\"\n",
        http.url("/"),
        http.url("/site/")
    ))
    .unwrap();
    let report = poll(&config, &state).unwrap();
    assert!(
        report.sources.iter().all(|s| s.problem.is_none()),
        "{:?}",
        report.sources
    );
    let recorded = mamori_leaks::read_state(&state).unwrap();
    let mut expected: Vec<(String, bool)> =
        POSTS.iter().map(|(v, e)| (v.to_string(), *e)).collect();
    expected.push(("JP-Builder".into(), true));
    expected.push(("Acme Logistics".into(), false));
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (victim, positive) in &expected {
        let record = recorded
            .posts
            .values()
            .find(|p| &p.victim == victim)
            .unwrap();
        let found = record.matched.is_some();
        match (*positive, found) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            _ => {}
        }
        println!(
            "{:<6} {:<5} {:<46} {:.2} {}",
            if *positive == found { "ok" } else { "WRONG" },
            positive,
            victim,
            record.confidence,
            record.reason.as_deref().unwrap_or("")
        );
    }
    let recall = tp as f64 / (tp + fn_) as f64;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    println!("held-out 2: {} posts, {tp} true positives, {fp} false positives, {fn_} missed; recall {recall:.3}, precision {precision:.3}", expected.len());
    let builder = recorded
        .posts
        .values()
        .find(|p| p.victim == "JP-Builder")
        .unwrap();
    let mut files = builder.files.clone();
    files.sort();
    let mut want: Vec<String> = ours.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(files, want);
    assert_eq!(recall, 1.0);
    assert!(precision >= 0.95, "precision {precision}");
}

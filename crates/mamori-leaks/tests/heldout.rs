//! Held-out evaluation: posts written separately from the development set
//! (tests/poll.rs), with other wordings, scripts, formats and near-miss
//! names, served in all three source shapes. Measures recall (every post
//! naming the organisation or listing its files is recognised) and
//! precision (no other company is), and checks which inventory files a
//! listing named. Prints the figures (`--nocapture`).

mod common;

use common::*;
use mamori_leaks::{poll, LeaksConfig};
use serde_json::json;
use std::path::Path;

/// (victim as posted, expected: "org", "files" or "none")
const TRACKER: &[(&str, &str)] = &[
    ("ﾔﾏﾄｺｳﾑﾃﾝ", "org"),
    ("Yamato Komuten K.K.", "org"),
    ("Japanese construction contractor", "org"), // website field only
    ("やまと工務店 Co.,Ltd", "org"),
    ("ヤマト運輸", "none"),
    ("Yamato Holdings Co., Ltd.", "none"),
    ("大和ハウス工業株式会社", "none"),
    ("やまと建設株式会社", "none"),
    ("Yamato Kogyo Co., Ltd.", "none"),
    ("Yamamoto Koumuten", "none"),
    ("Stadtwerke Beispielstadt GmbH", "none"),
    ("Clinica San Rafael S.A.", "none"),
];

const LOOK: &[(&str, &str, &str)] = &[
    ("YAMATO KOUMUTEN CO.,LTD", "", "org"),
    (
        "株式会社　やまと工務店",
        "建設業。社内サーバー全体を取得。",
        "org",
    ),
    ("[JP] Yamato Kohmuten", "", "org"),
    (
        "Undisclosed Japanese company",
        "Full dump of 株式会社やまと工務店 servers, 300GB. HR and payroll.",
        "org",
    ),
    ("新ヤマト工務店", "", "none"),
    ("Koumuten Yamada", "", "none"),
    ("Daiwa Construction Inc.", "", "none"),
    ("株式会社やまと", "", "none"),
    ("ヤマト工業", "", "none"),
    ("Midwest Dental Group", "Patients, SSNs, insurance.", "none"),
];

/// (victim, body, expected)
fn site_posts(root: &Path) -> Vec<(String, String, &'static str)> {
    // `dir /s` output of our 中途 folder, exact sizes.
    let mut dir = String::from(" Volume in drive S is DATA\n Directory of S:\\共有\\採用\\中途\n\n2025/01/10  09:12    <DIR>          .\n2025/01/10  09:12    <DIR>          ..\n");
    let mut expected_dir = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(root.join("採用/中途"))
        .unwrap()
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let size = entry.metadata().unwrap().len();
        dir.push_str(&format!(
            "2025/01/10  09:12    {:>14} {name}\n",
            format_thousands(size)
        ));
        expected_dir.push(format!("採用/中途/{name}"));
    }
    dir.push_str("               4 File(s)         12,345 bytes\n");
    let unc = "\\\\FS01\\share\\総務部\\給与\\振込口座一覧.csv\n\\\\FS01\\share\\総務部\\給与\\源泉徴収票送付メモ.txt\n\\\\FS01\\share\\営業部\\顧客名簿.csv\n";
    let mut foreign = String::from("README.md\n総務/会社概要.txt\n経理/請求書一覧.csv\n");
    for i in 0..25 {
        foreign.push_str(&format!("設計/案件{i:03}/図面_{i:03}.pdf\n"));
    }
    let contractor = "-rw-r--r-- 1 daiwa staff 20480 Feb  1 09:00 作業員名簿.csv\n-rw-r--r-- 1 daiwa staff 1024 Feb  1 09:00 安全書類.pdf\n";
    vec![
        (
            "yamato-koumuten.example.jp".into(),
            "<p>Deadline: 7 days</p>".into(),
            "org",
        ),
        (
            "ヤマト工務店（大阪府）".into(),
            "<p>全データを公開予定</p>".into(),
            "org",
        ),
        ("mail.yamato-koumuten.example.jp".into(), "".into(), "org"),
        (
            "Company #27 (JP)".into(),
            format!("<p>file tree:</p><pre>{dir}</pre>"),
            "files",
        ),
        (
            "JP-Construction-27".into(),
            format!("<pre>{unc}</pre>"),
            "files",
        ),
        (
            "Tanaka Precision Ltd".into(),
            format!("<pre>{foreign}</pre>"),
            "none",
        ),
        (
            "大和建設工業".into(),
            format!("<pre>{contractor}</pre>"),
            "none",
        ),
        ("Yamato Scientific America Inc".into(), "".into(), "none"),
        ("やまと観光".into(), "".into(), "none"),
        ("Tokyo Koumuten".into(), "".into(), "none"),
    ]
    .into_iter()
    .map(|(v, b, e): (String, String, &str)| (v, b, e))
    .collect::<Vec<_>>()
    .into_iter()
    .chain(std::iter::once((
        "__expected_dir__".to_string(),
        expected_dir.join("\n"),
        "meta",
    )))
    .collect()
}

fn format_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn held_out_posts_precision_and_recall() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let root = scanned_share(dir.path(), &state);
    let http = HttpServer::start();

    let tracker: Vec<_> = TRACKER
        .iter()
        .enumerate()
        .map(|(i, (victim, _))| {
            let mut post = json!({"victim": victim, "group": "qilin", "country": "JP",
                "discovered": format!("2025-04-0{} 12:00:00", 1 + i % 9), "post_url": format!("http://qilin.example.onion/v/{i}")});
            if victim.starts_with("Japanese construction") {
                post["website"] = json!("https://www.yamato-koumuten.example.jp");
            }
            post
        })
        .collect();
    http.set(
        "/api/v2/recentvictims",
        "application/json",
        json!({ "victims": tracker }).to_string(),
    );
    let look: Vec<_> = LOOK
        .iter()
        .enumerate()
        .map(|(i, (title, description, _))| json!({"post_title": title, "group_name": format!("grp{}", i % 3),
            "discovered": "2025-04-02 08:00:00.123456", "description": description, "link": format!("/p/{i}")}))
        .collect();
    http.set(
        "/rl/api/recent",
        "application/json",
        json!(look).to_string(),
    );
    let mut site = String::from("<html><body><main>");
    let posts = site_posts(&root);
    let expected_dir: Vec<String> = posts
        .last()
        .unwrap()
        .1
        .lines()
        .map(str::to_string)
        .collect();
    for (i, (victim, body, _)) in posts.iter().filter(|p| p.2 != "meta").enumerate() {
        site.push_str(&format!(
            "<article class=\"card\"><header><h3 class=\"victim-name\">{victim}</h3></header><div class=\"desc\">{body}</div><footer><a class=\"details\" href=\"leaks/{i}.html\">details</a><time>2025-04-03</time></footer></article>\n"
        ));
    }
    site.push_str("</main></body></html>");
    http.set("/blog/", "text/html", site);

    let config = LeaksConfig::parse(&format!(
        r#"{ORGANIZATION}
[[source]]
kind = "ransomware_live"
url = "{}"
[[source]]
kind = "ransomlook"
url = "{}"
[[source]]
kind = "html"
url = "{}"
group = "lynx"
post = "article.card"
title = "h3.victim-name"
body = "div.desc"
link = "a.details@href"
date = "time"
"#,
        http.url("/api/v2"),
        http.url("/rl"),
        http.url("/blog/"),
    ))
    .unwrap();
    let report = poll(&config, &state).unwrap();
    assert!(
        report.sources.iter().all(|s| s.problem.is_none()),
        "{:?}",
        report.sources
    );

    let mut expected: Vec<(String, &str)> =
        TRACKER.iter().map(|(v, e)| (v.to_string(), *e)).collect();
    expected.extend(LOOK.iter().map(|(v, _, e)| (v.to_string(), *e)));
    expected.extend(
        posts
            .iter()
            .filter(|p| p.2 != "meta")
            .map(|(v, _, e)| (v.clone(), *e)),
    );

    let recorded = mamori_leaks::read_state(&state).unwrap();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (victim, want) in &expected {
        let record = recorded
            .posts
            .values()
            .find(|p| &p.victim == victim)
            .unwrap();
        let got = record.matched.as_deref().unwrap_or("none");
        let positive = *want != "none";
        let found = got != "none";
        match (positive, found) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            _ => {}
        }
        println!(
            "{:<6} {:<13} {:<36} {} {:.2} {}",
            if positive == found { "ok" } else { "WRONG" },
            want,
            victim,
            got,
            record.confidence,
            record.reason.as_deref().unwrap_or("")
        );
    }
    let recall = tp as f64 / (tp + fn_) as f64;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    println!("held-out: {} posts, {tp} true positives, {fp} false positives, {fn_} missed; recall {recall:.3}, precision {precision:.3}", expected.len());

    // Which files the listings named.
    let alerts = alerts(&state);
    let files_of = |victim: &str| -> Vec<String> {
        let mut files: Vec<String> = alerts
            .iter()
            .find(|a| a["victim"] == victim)
            .map(|a| {
                a["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    };
    let mut want_dir = expected_dir.clone();
    want_dir.sort();
    assert_eq!(files_of("Company #27 (JP)"), want_dir);
    assert_eq!(
        files_of("JP-Construction-27"),
        vec![
            "営業部/顧客名簿.csv",
            "総務部/給与/振込口座一覧.csv",
            "総務部/給与/源泉徴収票送付メモ.txt"
        ]
    );
    assert_eq!(recall, 1.0, "every post about us recognised");
    assert!(precision >= 0.95, "precision {precision}");
    // One alert per victim cluster: the organisation once, each listing once.
    assert_eq!(report.leak_alerts(), 3, "{:#?}", report.alerts);
}

//! End-to-end polls against local sources (the development post set):
//! exactly which alerts are raised, once; changed posts; recycled claims;
//! a broken source; an HTML leak site reached through a SOCKS5 proxy; the
//! leaked files recorded as an incident.

mod common;

use common::*;
use mamori_leaks::{poll, LeaksConfig};
use serde_json::json;
use std::path::Path;

fn tracker_posts() -> String {
    json!([
        {"victim": "Yamato Koumuten Co., Ltd.", "group": "akira", "domain": "yamato-koumuten.example.jp",
         "country": "JP", "description": "Japanese construction company. 120 GB: HR, accounting, customers.",
         "discovered": "2025-03-01 04:12:00", "published": "2025-02-28", "post_url": "http://akira.example.onion/yamato"},
        {"victim": "ヤマト運輸株式会社", "group": "lockbit3", "domain": "", "country": "JP",
         "description": "物流大手", "discovered": "2025-03-01 05:00:00", "post_url": "http://lockbit.example.onion/p/991"},
        {"victim": "Yamada Koumuten", "group": "play", "country": "JP", "discovered": "2025-03-01 06:00:00",
         "claim_url": "http://play.example.onion/yamada"},
        {"victim": "大和建設工業", "group": "8base", "country": "JP", "discovered": "2025-03-01 07:00:00",
         "url": "http://8base.example.onion/daiwa"},
        {"victim": "Acme Manufacturing GmbH", "group": "play", "country": "DE", "website": "acme-mfg.example.de",
         "discovered": "2025-03-01 08:00:00", "post_url": "http://play.example.onion/acme"},
        {"victim": "yamato-kogyo.example.com", "group": "ransomhub", "country": "JP",
         "discovered": "2025-03-01 09:00:00", "post_url": "http://rh.example.onion/yk"}
    ])
    .to_string()
}

fn ransomlook_posts() -> String {
    json!([
        {"post_title": "やまと工務店", "group_name": "medusa", "discovered": "2025-03-02 10:00:00.000",
         "description": "Recycled: data of やまと工務店 leaked earlier.", "link": "/posts/medusa/yamato"},
        {"post_title": "Shinwa Kogyo", "group_name": "medusa", "discovered": "2025-03-02 11:00:00",
         "description": "", "link": "/posts/medusa/shinwa"}
    ])
    .to_string()
}

/// The leak site: an anonymised victim whose file listing is part of our share.
fn leak_site(root: &Path, extra_file: bool, days_left: u32) -> String {
    let roster = size_of(root, "総務部/人事/社員名簿.csv");
    let numbers = size_of(root, "総務部/給与/マイナンバー管理台帳.csv");
    let mut listing = format!(
        "share\n├── 総務部\n│   ├── 人事\n│   │   ├── 社員名簿.csv ({roster} bytes)\n│   │   └── 緊急連絡先一覧.csv\n│   └── 給与\n│       └── マイナンバー管理台帳.csv ({numbers} bytes)\n└── 株式\n    └── 株主名簿.csv\n"
    );
    if extra_file {
        listing.push_str("採用/応募者一覧.csv\n");
    }
    format!(
        r#"<html><body><h1>BLOG</h1>
<div class="post"><h2>Client #4471</h2><span class="date">2025-03-03</span>
<div class="content"><p>Construction company, Japan. Publication in {days_left} days 04:{days_left}2:17.</p><pre>{listing}</pre></div>
<a href="/client-4471">read</a></div>
<div class="post"><h2>JP company (re-upload)</h2>
<div class="content"><pre>share/総務部/人事/社員名簿.csv
share/総務部/給与/マイナンバー管理台帳.csv
share/株式/株主名簿.csv</pre></div><a href="/reupload-1">read</a></div>
<div class="post"><h2>Kobayashi Seisakusho</h2><span class="date">2025-03-03</span>
<div class="content"><pre>総務部/会社概要.txt
総務部/人事/社員名簿.xlsx
経理/請求書.pdf
{}</pre></div><a href="/kobayashi">read</a></div>
</body></html>"#,
        (0..30)
            .map(|i| format!("製造/図面/DWG-{i:04}.dwg\n"))
            .collect::<String>()
    )
}

struct Fixture {
    _dir: tempfile::TempDir,
    state: std::path::PathBuf,
    root: std::path::PathBuf,
    http: HttpServer,
    socks: Socks5Server,
    config: LeaksConfig,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let root = scanned_share(dir.path(), &state);
    let http = HttpServer::start();
    let socks = Socks5Server::start(http.addr);
    http.set("/live/recentvictims", "application/json", tracker_posts());
    http.set("/look/api/recent", "application/json", ransomlook_posts());
    http.set("/", "text/html; charset=utf-8", leak_site(&root, false, 5));
    http.set(
        "/broken/",
        "text/html",
        "<html><body><p>maintenance</p></body></html>",
    );
    let config = LeaksConfig::parse(&format!(
        r#"{ORGANIZATION}
[[source]]
kind = "ransomware_live"
name = "ransomware.live"
url = "{live}"
[[source]]
kind = "ransomlook"
name = "ransomlook"
url = "{look}"
[[source]]
kind = "html"
name = "blackbyte-blog"
group = "blackbyte"
url = "http://blackbyte.example.onion/"
proxy = "{proxy}"
post = "div.post"
title = "h2"
body = ".content"
link = "a@href"
date = ".date"
[[source]]
kind = "html"
name = "broken-site"
url = "{broken}"
post = "div.post"
title = "h2"
retries = 0
"#,
        live = http.url("/live"),
        look = http.url("/look"),
        proxy = socks.proxy_url(),
        broken = http.url("/broken/"),
    ))
    .unwrap();
    Fixture {
        _dir: dir,
        state,
        root,
        http,
        socks,
        config,
    }
}

#[test]
fn polls_alert_exactly_once_per_victim_and_change() {
    let f = fixture();

    // First poll: the organisation (tracker) and the file listing (leak site).
    let report = poll(&f.config, &f.state).unwrap();
    assert_eq!(report.posts, 11);
    let leaks: Vec<_> = report
        .alerts
        .iter()
        .filter(|a| a["kind"] == "leak")
        .collect();
    let victims: Vec<&str> = leaks
        .iter()
        .map(|a| a["victim"].as_str().unwrap())
        .collect();
    assert_eq!(
        victims,
        vec!["Yamato Koumuten Co., Ltd.", "Client #4471"],
        "{leaks:#?}"
    );

    let org = leaks[0];
    assert_eq!(org["match"], "organization");
    assert_eq!(org["source"], "ransomware.live");
    assert_eq!(org["group"], "akira");
    assert_eq!(org["post_url"], "http://akira.example.onion/yamato");
    assert_eq!(org["discovered"], "2025-03-01 04:12:00");
    assert_eq!(org["alias"], "Yamato Koumuten Co., Ltd.");
    assert!(org["confidence"].as_f64().unwrap() >= 0.95);
    assert!(org["message_ja"].as_str().unwrap().contains("リークサイト"));
    assert_eq!(org["content_hash"].as_str().unwrap().len(), 64);

    let files = leaks[1];
    assert_eq!(files["match"], "files");
    assert_eq!(files["group"], "blackbyte");
    assert_eq!(
        files["post_url"],
        "http://blackbyte.example.onion/client-4471"
    );
    let mut paths: Vec<&str> = files["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "株式/株主名簿.csv",
            "総務部/人事/社員名簿.csv",
            "総務部/人事/緊急連絡先一覧.csv",
            "総務部/給与/マイナンバー管理台帳.csv"
        ]
    );
    assert!(files["confidence"].as_f64().unwrap() >= 0.9);
    let evidence = files["file_evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 4);
    assert!(evidence
        .iter()
        .any(|e| e["file"] == "総務部/人事/社員名簿.csv"
            && e["listed"].as_str().unwrap().contains("社員名簿.csv")
            && e["score"].as_f64().unwrap() >= 0.9));

    // The leak site was reached through the proxy, by name (socks5h).
    assert!(f
        .socks
        .names
        .lock()
        .unwrap()
        .contains(&"blackbyte.example.onion".to_string()));
    assert!(f
        .http
        .requests
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.starts_with("blackbyte.example.onion/")));

    // Recycled claims (medusa on RansomLook) are linked, not alerted.
    let state = mamori_leaks::read_state(&f.state).unwrap();
    let medusa = state
        .posts
        .values()
        .find(|p| p.group == "medusa" && p.matched.is_some())
        .unwrap();
    assert!(medusa
        .linked_to
        .as_deref()
        .unwrap()
        .contains("akira.example.onion/yamato"));
    let cluster = &state.clusters[medusa.cluster.as_ref().unwrap()];
    assert!(cluster.groups.contains("akira") && cluster.groups.contains("medusa"));

    // The listed files are an incident's leaked files.
    let journal = mamori_journal::Journal::open(&f.state);
    let incident = journal.get(files["incident"].as_str().unwrap()).unwrap();
    assert_eq!(incident.source, mamori_journal::IncidentSource::Leak);
    let touches = journal.touches(&incident.id).unwrap();
    assert_eq!(touches.len(), 4);
    assert!(touches
        .iter()
        .all(|t| t.op == mamori_journal::TouchOp::Leaked));

    // The same files re-posted under another name: linked to the first listing.
    let reupload = state
        .posts
        .values()
        .find(|p| p.victim == "JP company (re-upload)")
        .unwrap();
    assert_eq!(reupload.matched.as_deref(), Some("files"));
    assert!(reupload
        .linked_to
        .as_deref()
        .unwrap()
        .ends_with("/client-4471"));

    // Second poll: only the countdown moved: nothing new.
    f.http.set(
        "/",
        "text/html; charset=utf-8",
        leak_site(&f.root, false, 4),
    );
    let report = poll(&f.config, &f.state).unwrap();
    assert!(
        report.alerts.iter().all(|a| a["kind"] != "leak"),
        "{:#?}",
        report.alerts
    );

    // Third poll: the broken source has failed three times in a row.
    let report = poll(&f.config, &f.state).unwrap();
    assert_eq!(report.alerts.len(), 1, "{:#?}", report.alerts);
    assert_eq!(report.alerts[0]["kind"], "leak_source");
    assert_eq!(report.alerts[0]["source"], "broken-site");

    // The leak site adds a file to the listing: alerted once more.
    f.http
        .set("/", "text/html; charset=utf-8", leak_site(&f.root, true, 3));
    let report = poll(&f.config, &f.state).unwrap();
    assert_eq!(report.alerts.len(), 1, "{:#?}", report.alerts);
    assert_eq!(report.alerts[0]["changed"], true);
    assert_eq!(report.alerts[0]["files"].as_array().unwrap().len(), 5);
    assert_eq!(journal.touches(&incident.id).unwrap().len(), 5);
    assert!(poll(&f.config, &f.state).unwrap().alerts.is_empty());

    // A tracker's description now says more data: a change, alerted once more.
    f.http.set(
        "/live/recentvictims",
        "application/json",
        tracker_posts().replace("120 GB", "480 GB"),
    );
    let report = poll(&f.config, &f.state).unwrap();
    assert_eq!(report.leak_alerts(), 1, "{:#?}", report.alerts);
    assert_eq!(report.alerts[0]["victim"], "Yamato Koumuten Co., Ltd.");
    assert_eq!(report.alerts[0]["changed"], true);

    // Everything raised went to alerts.jsonl, nothing else.
    assert_eq!(alerts(&f.state).len(), 5);
}

#[test]
fn a_failing_tracker_is_retried_then_reported() {
    let f = fixture();
    f.http.set_status("/live/recentvictims", 503);
    let mut config = f.config.clone();
    config.sources.truncate(1);
    config.sources[0].retries = Some(1);
    config.sources[0].backoff_ms = Some(10);
    for _ in 0..2 {
        let report = poll(&config, &f.state).unwrap();
        assert!(report.alerts.is_empty());
        assert!(report.sources[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("503"));
    }
    let requests = f.http.requests.lock().unwrap().len();
    assert_eq!(requests, 4, "one retry per poll");
    drop(f.http.requests.lock());
    let report = poll(&config, &f.state).unwrap();
    assert_eq!(report.alerts[0]["kind"], "leak_source");
    // Recovery resets the streak; the tracker's posts are then read.
    f.http
        .set("/live/recentvictims", "application/json", tracker_posts());
    let report = poll(&config, &f.state).unwrap();
    assert_eq!(report.leak_alerts(), 1);
}

#[test]
fn oversized_responses_and_archives_are_refused() {
    let f = fixture();
    let mut config = f.config.clone();
    config.sources.truncate(1);
    config.sources[0].max_bytes = Some(100);
    let report = poll(&config, &f.state).unwrap();
    assert!(
        report.sources[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("100 bytes"),
        "{:?}",
        report.sources
    );
    f.http
        .set("/live/recentvictims", "application/zip", "PK\u{3}\u{4}");
    config.sources[0].max_bytes = None;
    let report = poll(&config, &f.state).unwrap();
    assert!(
        report.sources[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("refused"),
        "{:?}",
        report.sources
    );
    // Mislabelled: the bytes decide.
    f.http.set(
        "/live/recentvictims",
        "application/octet-stream",
        "PK\u{3}\u{4}rest",
    );
    let report = poll(&config, &f.state).unwrap();
    assert!(
        report.sources[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("zip"),
        "{:?}",
        report.sources
    );
    f.http.set(
        "/live/recentvictims",
        "application/octet-stream",
        tracker_posts(),
    );
    assert_eq!(poll(&config, &f.state).unwrap().leak_alerts(), 1);
}

#[test]
fn leak_alerts_reach_syslog_and_the_webhook_in_the_configured_language() {
    let f = fixture();
    let socket_path = f.state.parent().unwrap().join("devlog");
    let syslog = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    syslog
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    f.http.set("/hook", "application/json", "{}");
    let mut config = f.config.clone();
    config.sources.truncate(1);
    config.alerts = toml::from_str(&format!(
        "lang = \"en\"\nsyslog = true\nsyslog_socket = \"{}\"\n[webhook]\nurl = \"{}\"\nformat = \"slack\"\n",
        socket_path.display(),
        f.http.url("/hook")
    ))
    .unwrap();
    let report = poll(&config, &f.state).unwrap();
    assert_eq!(report.leak_alerts(), 1);
    assert!(
        report.channel_errors.is_empty(),
        "{:?}",
        report.channel_errors
    );
    let mut buffer = vec![0u8; 65536];
    let n = syslog.recv(&mut buffer).unwrap();
    let line = String::from_utf8_lossy(&buffer[..n]);
    assert!(
        line.contains("leak-site post found: 'Yamato Koumuten Co., Ltd.'"),
        "{line}"
    );
    assert!(f
        .http
        .requests
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.ends_with("/hook")));
}

#[test]
fn post_pages_on_the_same_host_are_read_for_listings() {
    let f = fixture();
    let listing = "Proof:<br>share\\総務部\\人事\\退職者名簿.csv<br>share\\総務部\\人事\\扶養控除等申告書_2025.csv<br>share\\営業部\\顧客名簿.csv";
    f.http.set(
        "/site/",
        "text/html",
        r#"<div class="post"><h2>Victim 51</h2><a href="/site/posts/51.html">open</a></div>
           <div class="post"><h2>Victim 52</h2><a href="http://files.example.invalid/dump.zip">download</a></div>"#,
    );
    f.http.set(
        "/site/posts/51.html",
        "text/html",
        format!("<html><body><nav>menu</nav><div class=\"content\">{listing}</div></body></html>"),
    );
    let mut config = f.config.clone();
    config.sources = vec![toml::from_str(&format!(
        "kind = \"html\"\nurl = \"{}\"\npost = \"div.post\"\ntitle = \"h2\"\nlink = \"a@href\"\nfollow = true\npage_body = \".content\"\nretries = 0\n",
        f.http.url("/site/")
    ))
    .unwrap()];
    let report = poll(&config, &f.state).unwrap();
    assert_eq!(report.leak_alerts(), 1, "{:#?}", report.alerts);
    let mut files: Vec<&str> = report.alerts[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![
            "営業部/顧客名簿.csv",
            "総務部/人事/扶養控除等申告書_2025.csv",
            "総務部/人事/退職者名簿.csv"
        ]
    );
    let requests = f.http.requests.lock().unwrap().clone();
    assert!(
        requests.iter().all(|r| !r.contains("dump.zip")),
        "{requests:?}"
    );
    // Polled again, the page is not a change.
    drop(requests);
    assert!(poll(&config, &f.state).unwrap().alerts.is_empty());
}

#[test]
fn a_new_alias_judges_posts_already_seen() {
    let f = fixture();
    let mut config = f.config.clone();
    config.sources.truncate(1);
    config.organizations[0].aliases.clear();
    config.organizations[0].domains.clear();
    config.organizations[0].name = "株式会社やまと".into();
    assert_eq!(poll(&config, &f.state).unwrap().leak_alerts(), 0);
    assert_eq!(poll(&config, &f.state).unwrap().leak_alerts(), 0);
    config.organizations[0]
        .aliases
        .push("Yamato Koumuten".into());
    assert_eq!(poll(&config, &f.state).unwrap().leak_alerts(), 1);
    assert_eq!(poll(&config, &f.state).unwrap().leak_alerts(), 0);
}

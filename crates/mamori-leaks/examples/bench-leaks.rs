//! Benchmark: one poll of N posts (default 10 000) across the three source
//! shapes, with a sample share's inventory to match listings against.
//! Fetching is replaced by the prepared responses, so the figure is the CPU
//! of parsing, matching, state and alerts (the HTTP client's share is
//! measured separately by the end-to-end tests, not here).
//!   cargo run --release -p mamori-leaks --example bench-leaks [-- POSTS]

use mamori_alert::Alerter;
use mamori_leaks::files::InventoryIndex;
use mamori_leaks::{poll_with, LeaksConfig, Matcher};
use serde_json::json;
use std::time::Instant;

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

const NAMES: &[&str] = &[
    "Acme Manufacturing GmbH",
    "ヤマト運輸",
    "Yamada Koumuten",
    "大和ハウス工業",
    "Stadtwerke Nord",
    "Clinica San Rafael",
    "株式会社やまと",
    "Kobe Steel Trading",
    "Tokyo Koumuten",
    "Midwest Dental Group",
    "やまと観光",
    "Shinwa Kogyo",
    "Daiwa Construction",
    "Yamato Scientific",
    "Nippon Parts Co., Ltd.",
];

fn main() {
    let posts: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let root = dir.path().join("share");
    let spec = mamori_samples::ShareSpec::standard(7);
    mamori_samples::generate(&root, &spec).unwrap_or_else(|e| panic!("sample share: {e}"));
    let mut files = Vec::new();
    for entry in walk(&root) {
        let relative = entry
            .strip_prefix(&root)
            .unwrap_or(&entry)
            .to_string_lossy()
            .replace('\\', "/");
        let size = std::fs::metadata(&entry).map(|m| m.len()).ok();
        files.push((
            root.display().to_string(),
            "share".to_string(),
            relative,
            size,
        ));
    }
    let inventory_files = files.len();
    let index = InventoryIndex::new(files.clone());

    let per_source = posts / 3;
    let listing = |k: usize| -> String {
        // Every tenth post carries a 30-line listing: someone else's files,
        // and in one post of a thousand, ours.
        if !k.is_multiple_of(10) {
            return format!(
                "Data of victim {k}: 120 GB, HR, finance, customers. Deadline 10 days."
            );
        }
        let mut text = String::from("file tree:\n");
        for line in 0..30 {
            if k.is_multiple_of(1000) && line < 10 {
                let (_, _, path, _) = &files[(k + line * 7) % files.len()];
                text.push_str(&format!("\\\\fs\\share\\{}\n", path.replace('/', "\\")));
            } else {
                text.push_str(&format!(
                    "projects/p{k}/dept{line}/report_{line}_{k}.xlsx (12 KB)\n"
                ));
            }
        }
        text
    };
    let name = |k: usize| -> String {
        if k % 2500 == 7 {
            "Yamato Koumuten Co., Ltd.".to_string()
        } else {
            format!("{} {k}", NAMES[k % NAMES.len()])
        }
    };
    let live: Vec<_> = (0..per_source)
        .map(|k| {
            json!({"victim": name(k), "group": "akira", "country": "JP", "description": listing(k),
            "discovered": "2025-03-01 04:12:00", "post_url": format!("http://a.onion/{k}")})
        })
        .collect();
    let look: Vec<_> = (per_source..2 * per_source)
        .map(|k| {
            json!({"post_title": name(k), "group_name": "play", "description": listing(k),
            "discovered": "2025-03-01", "link": format!("/p/{k}")})
        })
        .collect();
    let mut html = String::from("<html><body>");
    for k in 2 * per_source..posts {
        html.push_str(&format!(
            "<div class=\"post\"><h2>{}</h2><div class=\"content\"><pre>{}</pre></div><a href=\"/v/{k}\">x</a></div>\n",
            name(k),
            listing(k)
        ));
    }
    html.push_str("</body></html>");
    let bodies = [json!(live).to_string(), json!(look).to_string(), html];
    let config = LeaksConfig::parse(
        r#"
[[organization]]
name = "株式会社やまと工務店"
aliases = ["やまと工務店", "ヤマト工務店", "Yamato Koumuten Co., Ltd.", "yamato-koumuten"]
domains = ["yamato-koumuten.example.jp"]
[[source]]
kind = "ransomware_live"
url = "http://live.invalid/"
[[source]]
kind = "ransomlook"
url = "http://look.invalid/"
[[source]]
kind = "html"
url = "http://site.invalid/"
post = "div.post"
title = "h2"
body = ".content"
link = "a@href"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let state = dir.path().join("state");
    let matcher = Matcher::new(&config, index);
    let alerter = Alerter::new(&state);
    let fetch = |source: &mamori_leaks::SourceConfig, _url: &str| {
        let i = config
            .sources
            .iter()
            .position(|s| s.url == source.url)
            .unwrap_or(0);
        Ok(bodies[i].clone())
    };
    let bytes: usize = bodies.iter().map(String::len).sum();
    for (label, run) in [
        ("first poll (all posts new)", 0),
        ("second poll (all seen)", 1),
    ] {
        let (cpu, wall) = (cpu_seconds(), Instant::now());
        let report =
            poll_with(&config, &state, &matcher, &alerter, fetch).unwrap_or_else(|e| panic!("{e}"));
        let (cpu, wall) = (cpu_seconds() - cpu, wall.elapsed().as_secs_f64());
        println!(
            "{label}: {} posts ({:.1} MB) against {inventory_files} inventory files: {cpu:.2} s CPU, {wall:.2} s wall, {} alerts",
            report.posts,
            bytes as f64 / 1e6,
            report.alerts.len()
        );
        let _ = run;
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

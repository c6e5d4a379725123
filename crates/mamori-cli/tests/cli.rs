//! The `mamori scan` contract from the outside: arguments, report, exit codes.

use std::path::Path;
use std::process::Command;

fn mamori() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mamori"));
    cmd.env_remove("MAMORI_STATE_DIR")
        .env_remove("MAMORI_LANG")
        .env("MAMORI_LOG", "error");
    cmd
}

fn write_share(dir: &Path) {
    let people = dir.join("総務部/人事");
    std::fs::create_dir_all(&people).unwrap();
    let csv = "社員番号,氏名,フリガナ,生年月日,携帯電話,個人番号\r\n1001,山田 太郎,ヤマダ タロウ,S55.3.2,090-1234-5678,490630224281\r\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
    std::fs::write(people.join("社員名簿.csv"), sjis).unwrap();
    std::fs::write(
        dir.join("議事録.txt"),
        "2025年4月1日 定例会議\n議題: 来期予算\n",
    )
    .unwrap();
}

#[test]
fn scan_writes_the_contract_report_and_a_japanese_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    write_share(&share);
    let report = tmp.path().join("report.json");
    let out = mamori()
        .args(["scan"])
        .arg(&share)
        .arg("--state-dir")
        .arg(tmp.path().join("state"))
        .arg("--report")
        .arg(&report)
        .arg("--no-morphology")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("スキャン完了"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["root"], share.display().to_string());
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let roster = files
        .iter()
        .find(|f| f["path"] == "総務部/人事/社員名簿.csv")
        .unwrap();
    assert_eq!(roster["category"], "employee");
    assert_eq!(roster["items"]["my_number"], 1);
    assert_eq!(roster["records"], 1);
    let minutes = files.iter().find(|f| f["path"] == "議事録.txt").unwrap();
    assert!(minutes["category"].is_null());
    assert_eq!(minutes["items"], serde_json::json!({}));
    assert_eq!(json["subjects"]["employee"]["persons"], 1);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(!text.contains("490630224281") && !text.contains("090-1234-5678"));
}

#[test]
fn report_to_stdout_and_english_summary_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    write_share(&share);
    let out = mamori()
        .args(["--lang", "en", "scan"])
        .arg(&share)
        .arg("--state-dir")
        .arg(tmp.path().join("state"))
        .args(["--report", "-", "--no-morphology"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"].as_array().unwrap().len(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Scan complete"));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-share");
    let out = mamori()
        .arg("scan")
        .arg(&missing)
        .arg("--state-dir")
        .arg(tmp.path().join("state"))
        .args(["--report", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-share"), "{err}");

    let config = tmp.path().join("bad.toml");
    std::fs::write(&config, "[[category.rule]]\npath = 1\n").unwrap();
    let out = mamori()
        .arg("scan")
        .arg(tmp.path())
        .arg("--state-dir")
        .arg(tmp.path().join("state"))
        .args(["--report", "-", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));

    let out = mamori().args(["scan", "--report"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn scans_without_the_dictionary_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    write_share(&share);
    let out = mamori()
        .env("MAMORI_IPADIC_DIR", tmp.path().join("no-dictionary"))
        .env("MAMORI_CACHE_DIR", tmp.path().join("cache"))
        .arg("scan")
        .arg(&share)
        .arg("--state-dir")
        .arg(tmp.path().join("state"))
        .args(["--report", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["scan"]["morphology"], false);
    assert_eq!(json["subjects"]["employee"]["persons"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("形態素解析辞書"));
}

#[test]
fn inventory_summary_lists_category_item_and_share() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    write_share(&share);
    let state = tmp.path().join("state");
    let scan = mamori()
        .arg("scan")
        .arg(&share)
        .arg("--state-dir")
        .arg(&state)
        .args(["--report", "-", "--no-morphology"])
        .output()
        .unwrap();
    assert!(scan.status.success());
    let out = mamori()
        .args(["--lang", "en", "inventory", "--state-dir"])
        .arg(&state)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("share\t") && l.contains("Individual Number")),
        "{text}"
    );
}

#[test]
fn a_config_file_overrides_categories_and_adds_the_companys_own() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    write_share(&share);
    std::fs::create_dir_all(share.join("特約店")).unwrap();
    std::fs::write(
        share.join("特約店/担当者一覧.csv"),
        "氏名,携帯電話\n佐藤 花子,080-2345-6789\n",
    )
    .unwrap();
    let config = tmp.path().join("mamori.toml");
    std::fs::write(
        &config,
        "exclude = [\"*.tmp\"]\n[[category.rule]]\npath = \"総務部/**\"\ncategory = \"customer\"\n[[category.custom]]\nid = \"dealer_staff\"\nlabel_ja = \"特約店担当者\"\nkeywords = [\"特約店\"]\n",
    )
    .unwrap();
    std::fs::write(share.join("skip.tmp"), "山田太郎様 090-1111-2222").unwrap();
    let out = mamori()
        .arg("scan")
        .arg(&share)
        .arg("--state-dir")
        .arg(tmp.path().join("state"))
        .args(["--report", "-", "--no-morphology", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let category = |path: &str| {
        json["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["category"].clone())
    };
    assert_eq!(
        category("総務部/人事/社員名簿.csv"),
        Some(serde_json::json!("customer"))
    );
    assert_eq!(
        category("特約店/担当者一覧.csv"),
        Some(serde_json::json!("dealer_staff"))
    );
    assert_eq!(
        category("skip.tmp"),
        Some(serde_json::Value::Null),
        "excluded files are listed, never read"
    );
}

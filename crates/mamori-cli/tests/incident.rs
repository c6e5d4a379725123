//! `mamori keys` and `mamori incident` from the outside: a generated share
//! scanned with a contact key, hit by an attack, swept, assessed (the
//! contracts.md §4 JSON) and reported; exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn mamori(state: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mamori"));
    cmd.env_remove("MAMORI_LANG")
        .env("MAMORI_STATE_DIR", state)
        .env("MAMORI_LOG", "error");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// XOR with a simple keystream: enough to make text look like ciphertext.
fn scramble(path: &Path) {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let bytes: Vec<u8> = std::fs::read(path)
        .unwrap()
        .into_iter()
        .map(|b| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b ^ (state >> 32) as u8
        })
        .collect();
    std::fs::write(format!("{}.play", path.display()), bytes).unwrap();
    std::fs::remove_file(path).unwrap();
}

#[test]
fn keys_sweep_assess_report() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    let state = tmp.path().join("state");
    let truth = mamori_samples::generate(&share, &mamori_samples::ShareSpec::demo()).unwrap();

    let key = tmp.path().join("key.txt");
    let out = run(mamori(&state)
        .args(["keys", "init", "--identity-out"])
        .arg(&key));
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&key)
        .unwrap()
        .contains("AGE-SECRET-KEY-1"));
    // A second init would orphan the sealed contacts: refused.
    let out = run(mamori(&state).args(["keys", "init"]));
    assert_eq!(out.status.code(), Some(2));

    let out = run(mamori(&state)
        .args(["scan", "--no-progress", "--no-morphology", "--report"])
        .arg(tmp.path().join("scan.json"))
        .arg(&share));
    assert!(out.status.success());

    // Nothing yet.
    let out = run(mamori(&state).args(["incident", "list"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("インシデントはありません"));
    let out = run(mamori(&state).args(["incident", "assess"]));
    assert_eq!(out.status.code(), Some(2), "no incident is bad input");

    let hit = "株式/";
    let backup = tmp.path().join("backup");
    for rel in truth.files.keys().filter(|p| p.starts_with(hit)) {
        let copy = backup.join(rel);
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(share.join(rel), copy).unwrap();
        scramble(&share.join(rel));
    }
    std::fs::write(
        share.join("株式/ReadMe.txt"),
        "Your files are encrypted. Contact us via Tor browser to decrypt; payment in bitcoin.",
    )
    .unwrap();
    let out = run(mamori(&state)
        .args(["incident", "sweep", "--discovered", "2025-06-02"])
        .arg(&share));
    assert_eq!(out.status.code(), Some(1), "an attack found is reported");

    let out = run(mamori(&state).args(["--lang", "en", "incident", "list"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("sweep"));
    let out = run(mamori(&state).args(["incident", "show", "--incident", "latest"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("脅迫文") && text.contains("株式/ReadMe.txt"));

    let json_path = tmp.path().join("assess.json");
    let out = run(mamori(&state)
        .args(["incident", "assess", "--incident", "latest", "--json"])
        .arg(&json_path));
    assert!(out.status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let expected = truth.subjects_of(|p| p.starts_with(hit));
    let subjects = json["subjects"].as_object().unwrap();
    assert_eq!(
        subjects.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    let want = expected["shareholder"].persons as f64;
    let got = json["subjects"]["shareholder"]["persons"].as_f64().unwrap();
    assert!((got - want).abs() <= 0.05 * want, "{got} vs {want}");
    assert_eq!(json["discovered"], "2025-06-01T15:00:00Z");
    assert_eq!(json["deadlines"]["preliminary"], "2025-06-06");
    assert_eq!(json["deadlines"]["final"], "2025-07-31");
    assert_eq!(json["triggers"]["malicious"], true);
    assert_eq!(json["triggers"]["over_1000"], false);

    let reports = tmp.path().join("reports");
    let out = run(mamori(&state)
        .args([
            "incident",
            "report",
            "--format",
            "md,docx,csv",
            "--identity",
        ])
        .arg(&key)
        .arg("--out")
        .arg(&reports));
    assert!(out.status.success());
    assert!(reports.join("commission-report.docx").is_file());
    assert!(!reports.join("commission-report.html").exists());
    let csv = std::fs::read_to_string(reports.join("notification-shareholder.csv")).unwrap();
    let listed = csv.lines().count() - 1;
    assert!(
        listed as f64 >= 0.9 * want,
        "{listed} shareholders to notify, {want} affected"
    );

    // Without the key: the list comes from the files once restored.
    for rel in truth.files.keys().filter(|p| p.starts_with(hit)) {
        std::fs::copy(backup.join(rel), share.join(rel)).unwrap();
        std::fs::remove_file(format!("{}.play", share.join(rel).display())).unwrap();
    }
    let reread = tmp.path().join("reread");
    let out = run(mamori(&state)
        .args(["incident", "report", "--format", "csv", "--out"])
        .arg(&reread));
    assert!(out.status.success());
    let csv = std::fs::read_to_string(reread.join("notification-shareholder.csv")).unwrap();
    assert_eq!(
        csv.lines().count() - 1,
        listed,
        "same list with or without the key"
    );

    let out = run(mamori(&state)
        .args(["incident", "report", "--format", "pdf", "--out"])
        .arg(&reports));
    assert_eq!(out.status.code(), Some(2), "unknown format");
    let out = run(mamori(&state).args(["incident", "assess", "--incident", "no-such-id"]));
    assert_eq!(out.status.code(), Some(2));
}

//! The scan pipeline's promises: incremental rescans, read-only scanning,
//! bad input listed with reasons, and no raw identifier in anything written.

use mamori_samples::{generate, generate_hostile, Expect, ShareSpec};
use mamori_scan::{scan, NoProgress, Report, ScanOptions};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

fn options(state: &Path) -> ScanOptions {
    let mut o = ScanOptions::new(state.to_path_buf());
    o.morphology = false;
    o
}

fn run(share: &Path, state: &Path) -> Report {
    scan(&[share.to_path_buf()], &options(state), &NoProgress).unwrap()
}

/// Size, mtime and atime of every regular file (metadata only: no reads).
fn stamps(root: &Path) -> BTreeMap<PathBuf, (u64, i64, i64)> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let md = entry.metadata().unwrap();
            out.insert(
                entry.path().to_path_buf(),
                (
                    md.size(),
                    md.mtime() * 1_000_000_000 + md.mtime_nsec(),
                    md.atime() * 1_000_000_000 + md.atime_nsec(),
                ),
            );
        }
    }
    out
}

/// Content hash of every readable regular file.
fn contents(root: &Path) -> BTreeMap<PathBuf, u64> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            if let Ok(bytes) = std::fs::read(entry.path()) {
                let hash = bytes.iter().fold(0xcbf29ce484222325u64, |h, x| {
                    (h ^ u64::from(*x)).wrapping_mul(0x100000001b3)
                });
                out.insert(entry.path().to_path_buf(), hash);
            }
        }
    }
    out
}

#[test]
fn rescans_read_only_what_changed_and_report_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&share).unwrap();
    generate(&share, &ShareSpec::demo()).unwrap();
    let first = run(&share, &state);
    let total = first.files.len() as u64;
    assert_eq!(first.scan.new, total);

    let second = run(&share, &state);
    assert_eq!(
        (
            second.scan.new,
            second.scan.changed,
            second.scan.unchanged,
            second.scan.deleted
        ),
        (0, 0, total, 0)
    );
    assert_eq!(
        second.scan.bytes_read, 0,
        "unchanged files must not be read again"
    );
    assert_eq!(
        serde_json::to_value(&first.files).unwrap(),
        serde_json::to_value(&second.files).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&first.subjects).unwrap(),
        serde_json::to_value(&second.subjects).unwrap()
    );

    // One changed, one deleted, one new.
    let memo = share.join("new_memo.txt");
    std::fs::write(&memo, "山田太郎様\n個人番号：4906 3022 4281\n").unwrap();
    let victim = first
        .files
        .iter()
        .find(|f| f.path.ends_with("議事録_2024-10.txt") || f.path.contains("議事録"))
        .unwrap()
        .path
        .clone();
    std::fs::remove_file(share.join(&victim)).unwrap();
    let edited = share.join(
        &first
            .files
            .iter()
            .find(|f| f.path.ends_with(".md"))
            .unwrap()
            .path,
    );
    std::fs::write(&edited, "# 更新\n佐藤花子さんの携帯 090-1234-5678\n").unwrap();
    let third = run(&share, &state);
    assert_eq!(
        (third.scan.new, third.scan.changed, third.scan.deleted),
        (1, 1, 1)
    );
    assert!(third.files.iter().all(|f| f.path != victim));
    let new = third
        .files
        .iter()
        .find(|f| f.path == "new_memo.txt")
        .unwrap();
    assert!(new.items.contains_key(&mamori_core::DataItem::MyNumber));
}

#[test]
fn a_scan_changes_nothing_it_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    generate(&share, &ShareSpec::demo()).unwrap();
    generate_hostile(&share.join("hostile"), 1 << 20).unwrap();
    let contents_before = contents(&share);
    // Old access times (set after our own reads), so any read that updated them would show.
    let old = libc::timespec {
        tv_sec: 1_000_000_000,
        tv_nsec: 0,
    };
    for path in stamps(&share).keys() {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        let times = [
            old,
            libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_OMIT,
            },
        ];
        // SAFETY: valid C string and a two-element timespec array.
        unsafe { libc::utimensat(libc::AT_FDCWD, c.as_ptr(), times.as_ptr(), 0) };
    }
    let before = stamps(&share);
    let listing_before: Vec<_> = walkdir::WalkDir::new(&share)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .collect();
    run(&share, &tmp.path().join("state"));
    let after = stamps(&share);
    let listing_after: Vec<_> = walkdir::WalkDir::new(&share)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .collect();
    assert_eq!(
        listing_before, listing_after,
        "a scan must not create or remove anything"
    );
    for (path, b) in &before {
        assert_eq!(
            Some(b),
            after.get(path),
            "{} changed (size, mtime or atime)",
            path.display()
        );
    }
    assert_eq!(
        contents_before,
        contents(&share),
        "a scan must not change any content"
    );
}

#[test]
fn hostile_inputs_are_listed_with_reasons_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    let cases = generate_hostile(&share, 8 << 20).unwrap();
    let report = run(&share, &tmp.path().join("state"));
    for case in &cases {
        // Non-UTF-8 names are reported decoded (CP932), as the walker decodes them.
        let path = match &case.raw_name {
            Some(raw) => {
                let dir = case
                    .path
                    .rsplit_once('/')
                    .map(|(d, _)| format!("{d}/"))
                    .unwrap_or_default();
                format!("{dir}{}", mamori_extract::decode_name(raw))
            }
            None => case.path.clone(),
        };
        let listed = report.files.iter().find(|f| f.path == path);
        match case.expect {
            Expect::Listed => {
                let file = listed.unwrap_or_else(|| panic!("{} not listed", case.path));
                assert!(file.error.is_none(), "{}: {:?}", case.path, file.error);
            }
            Expect::ListedMayError => assert!(listed.is_some(), "{} not listed", case.path),
            Expect::NotListed => assert!(listed.is_none(), "{} must not be listed", case.path),
        }
    }
    let json = report.to_json();
    assert!(json.contains("\"error\""));
}

#[test]
fn nothing_written_holds_a_raw_identifier() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&share).unwrap();
    let secrets = ["490630224281", "09012345678", "4111111111111111", "7654321"];
    std::fs::write(
        share.join("台帳.csv"),
        "氏名,個人番号,携帯電話,カード番号,金融機関コード,支店コード,預金種目,口座番号\n山田 太郎,490630224281,090-1234-5678,4111-1111-1111-1111,0001,001,普通,7654321\n",
    )
    .unwrap();
    let report = run(&share, &state);
    let file = &report.files[0];
    assert!(file.items.len() >= 4, "{file:?}");
    let mut written = report.to_json().into_bytes();
    for entry in walkdir::WalkDir::new(&state)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        written.extend(std::fs::read(entry.path()).unwrap());
    }
    let text = String::from_utf8_lossy(&written);
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "raw {secret} found in the report or state directory"
        );
    }
    for formatted in ["4906 3022 4281", "090-1234-5678", "4111-1111-1111-1111"] {
        assert!(!text.contains(formatted), "raw {formatted} found");
    }
}

#[test]
fn an_emptied_share_does_not_wipe_the_inventory() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&share).unwrap();
    std::fs::write(
        share.join("名簿.csv"),
        "氏名,携帯電話\n山田 太郎,090-1234-5678\n",
    )
    .unwrap();
    run(&share, &state);
    std::fs::remove_file(share.join("名簿.csv")).unwrap();
    let err = scan(std::slice::from_ref(&share), &options(&state), &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not mounted"), "{err}");
    let inventory = mamori_inventory::Inventory::open(&state).unwrap();
    let root = std::fs::canonicalize(&share).unwrap();
    assert_eq!(inventory.files(&root.to_string_lossy()).unwrap().len(), 1);
}

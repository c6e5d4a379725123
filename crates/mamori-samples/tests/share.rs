//! Properties of generated shares that every consumer relies on.

use mamori_core::{Category, DataItem};
use mamori_samples::encodings::{decode, Enc};
use mamori_samples::persons::my_number_valid;
use mamori_samples::{generate, generate_bulk, generate_hostile, ShareSpec, Style, Truth};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn walk(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p: PathBuf = e.expect("entry").path();
            let m = std::fs::symlink_metadata(&p).expect("metadata");
            if m.is_dir() {
                stack.push(p);
            } else if m.is_file() {
                let rel = p
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

fn demo(style: Style) -> (tempfile::TempDir, Truth) {
    let dir = tempfile::tempdir().expect("tempdir");
    let truth = generate(dir.path(), &ShareSpec::demo().with_style(style)).expect("generate");
    (dir, truth)
}

fn enc_of(label: &str) -> Enc {
    match label {
        "Shift_JIS" => Enc::ShiftJis,
        "UTF-8" => Enc::Utf8,
        "UTF-8 (BOM)" => Enc::Utf8Bom,
        "EUC-JP" => Enc::EucJp,
        "UTF-16LE (BOM)" => Enc::Utf16LeBom,
        "ISO-2022-JP" => Enc::Iso2022Jp,
        other => panic!("unknown encoding label {other}"),
    }
}

#[test]
fn same_seed_same_bytes_and_truth() {
    let (a, ta) = demo(Style::Primary);
    let (b, tb) = demo(Style::Primary);
    assert_eq!(ta, tb);
    assert_eq!(walk(a.path()), walk(b.path()));
    let c = tempfile::tempdir().expect("tempdir");
    let mut spec = ShareSpec::demo();
    spec.seed += 1;
    let tc = generate(c.path(), &spec).expect("generate");
    assert_ne!(
        walk(a.path()),
        walk(c.path()),
        "another seed gives other bytes"
    );
    assert_eq!(
        ta.files.len(),
        tc.files.len(),
        "the layout does not depend on the seed"
    );
}

#[test]
fn truth_lists_every_regular_file_and_uses_the_vocabulary() {
    for style in [Style::Primary, Style::Alternate] {
        let (dir, truth) = demo(style);
        let on_disk: BTreeSet<String> = walk(dir.path()).into_keys().collect();
        let listed: BTreeSet<String> = truth.files.keys().cloned().collect();
        assert_eq!(on_disk, listed, "{style:?}");
        for (path, f) in &truth.files {
            for item in &f.items {
                assert!(DataItem::from_id(item).is_some(), "{path}: {item}");
            }
            match &f.category {
                Some(c) => {
                    assert!(Category::new(c.clone()).is_builtin(), "{path}: {c}");
                    assert!(!f.items.is_empty() && f.records > 0, "{path}");
                }
                None => assert!(f.items.is_empty() && f.records == 0, "{path}"),
            }
        }
        for (cat, s) in &truth.subjects {
            let files_items: BTreeSet<String> = truth
                .files
                .values()
                .filter(|f| f.category.as_deref() == Some(cat))
                .flat_map(|f| f.items.iter().cloned())
                .collect();
            assert_eq!(files_items, s.items, "{cat}");
            let max_records = truth
                .files
                .values()
                .filter(|f| f.category.as_deref() == Some(cat))
                .map(|f| f.records as usize)
                .max()
                .unwrap_or(0);
            assert!(s.persons >= max_records, "{cat}");
        }
        let spec = ShareSpec::demo();
        assert_eq!(
            truth.subjects["employee"].persons,
            spec.employees + spec.former_employees
        );
        assert_eq!(truth.subjects["shareholder"].persons, spec.shareholders);
        assert_eq!(truth.subjects["landlord"].persons, spec.landlords);
        assert_eq!(
            truth.subjects["contractor_staff"].persons,
            spec.contractor_staff
        );
        assert_eq!(truth.subjects["customer"].persons, spec.customers);
        assert_eq!(
            truth.subjects["applicant"].persons,
            spec.applicants + spec.applicants / 2
        );
    }
}

#[test]
fn every_text_file_decodes_cleanly_in_its_encoding() {
    let (dir, truth) = demo(Style::Primary);
    let files = walk(dir.path());
    let mut seen = BTreeSet::new();
    for (path, f) in &truth.files {
        let Some(label) = &f.encoding else { continue };
        let enc = enc_of(label);
        seen.insert(label.clone());
        let bytes = &files[path];
        let strict = match enc {
            Enc::ShiftJis => encoding_rs::SHIFT_JIS,
            Enc::EucJp => encoding_rs::EUC_JP,
            Enc::Iso2022Jp => encoding_rs::ISO_2022_JP,
            Enc::Utf16LeBom => encoding_rs::UTF_16LE,
            Enc::Utf8 | Enc::Utf8Bom => encoding_rs::UTF_8,
        };
        let (_, malformed) = strict.decode_without_bom_handling(bytes);
        assert!(!malformed, "{path} is not clean {label}");
        match enc {
            Enc::Utf8Bom => assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{path}"),
            Enc::Utf16LeBom => assert!(bytes.starts_with(&[0xFF, 0xFE]), "{path}"),
            Enc::Utf8 => assert!(std::str::from_utf8(bytes).is_ok(), "{path}"),
            _ => {}
        }
        assert!(
            !decode(bytes, enc).contains("&#"),
            "{path}: unmappable characters leaked"
        );
    }
    for label in [
        "Shift_JIS",
        "UTF-8",
        "UTF-8 (BOM)",
        "EUC-JP",
        "UTF-16LE (BOM)",
        "ISO-2022-JP",
    ] {
        assert!(seen.contains(label), "no file in {label}");
    }
}

fn read_table(dir: &Path, truth: &Truth, needle: &str) -> (String, Vec<Vec<String>>) {
    let (path, f) = truth
        .files
        .iter()
        .find(|(p, _)| p.contains(needle))
        .expect("file present");
    let bytes = std::fs::read(dir.join(path)).expect("read");
    let text = decode(&bytes, enc_of(f.encoding.as_deref().unwrap_or("UTF-8")));
    let rows = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split([',', '\t']).map(str::to_string).collect())
        .collect();
    (path.clone(), rows)
}

fn digits(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - 0xFF10 + '0' as u32),
            _ => None,
        })
        .collect()
}

#[test]
fn ledger_my_numbers_pass_the_check_digit() {
    let (dir, truth) = demo(Style::Primary);
    let (path, rows) = read_table(dir.path(), &truth, "マイナンバー管理台帳");
    let col = rows[0]
        .iter()
        .position(|h| h == "個人番号")
        .expect("個人番号 column");
    let mut layouts = BTreeSet::new();
    for r in &rows[1..] {
        let v = &r[col];
        layouts.insert(v.chars().any(|c| !c.is_ascii_digit()));
        assert!(my_number_valid(&digits(v)), "{path}: {v}");
    }
    assert_eq!(rows.len() - 1, truth.files[&path].records as usize);
    assert_eq!(layouts.len(), 2, "plain and formatted numbers both present");
}

#[test]
fn product_master_has_check_valid_codes_but_no_personal_data() {
    let (dir, truth) = demo(Style::Primary);
    let (path, rows) = read_table(dir.path(), &truth, "商品マスタ");
    assert_eq!(truth.files[&path].category, None);
    let valid = rows[1..]
        .iter()
        .filter(|r| r[0].len() == 12 && my_number_valid(&r[0]))
        .count();
    assert!(valid >= 5, "only {valid} check-valid codes");
    assert!(valid < rows.len() - 1, "some codes fail the check too");
}

#[test]
fn demo_is_small_and_standard_is_larger() {
    let (_dir, truth) = demo(Style::Primary);
    assert!(
        (50..=80).contains(&truth.files.len()),
        "{}",
        truth.files.len()
    );
    for seed in [3, 7] {
        let dir = tempfile::tempdir().expect("tempdir");
        let truth = generate(dir.path(), &ShareSpec::standard(seed)).expect("standard");
        assert!(
            (200..=600).contains(&truth.files.len()),
            "{}",
            truth.files.len()
        );
        assert_eq!(walk(dir.path()).len(), truth.files.len());
    }
}

#[test]
fn styles_differ_in_surface_not_vocabulary() {
    let (_a, p) = demo(Style::Primary);
    let (_b, a) = demo(Style::Alternate);
    let pp: BTreeSet<_> = p.files.keys().collect();
    let ap: BTreeSet<_> = a.files.keys().collect();
    assert!(
        pp.intersection(&ap).count() < pp.len() / 2,
        "alternate paths are mostly new"
    );
    let cats = |t: &Truth| t.subjects.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(cats(&p), cats(&a));
    assert_eq!(p.subjects["employee"].items, a.subjects["employee"].items);
}

#[test]
fn homonyms_are_distinct_persons() {
    let (dir, truth) = demo(Style::Primary);
    let (_, rows) = read_table(dir.path(), &truth, "社員名簿");
    let mut names: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &rows[1..] {
        names.entry(r[1].as_str()).or_default().push(r[4].as_str());
    }
    let dups: Vec<_> = names.iter().filter(|(_, b)| b.len() > 1).collect();
    assert!(!dups.is_empty(), "deliberate 同姓同名 present");
    for (n, births) in dups {
        let distinct: BTreeSet<_> = births.iter().collect();
        assert_eq!(
            distinct.len(),
            births.len(),
            "{n}: homonyms differ by birth date"
        );
    }
}

#[test]
fn truth_json_round_trips() {
    let (dir, truth) = demo(Style::Primary);
    let path = dir.path().join("../truth-roundtrip.json");
    let path = dir
        .path()
        .parent()
        .map(|p| p.join(format!("{}.json", std::process::id())))
        .unwrap_or(path);
    truth.write_json(&path).expect("write");
    let back = Truth::read_json(&path).expect("read");
    let _ = std::fs::remove_file(&path);
    assert_eq!(truth, back);
}

#[test]
fn bulk_reaches_its_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stats = generate_bulk(dir.path(), 3_000_000, 5).expect("bulk");
    assert!(stats.bytes >= 3_000_000);
    assert!(stats.files >= 1 && stats.rows > 0);
    let on_disk: u64 = walk(dir.path()).values().map(|b| b.len() as u64).sum();
    assert_eq!(on_disk, stats.bytes);
}

#[test]
fn hostile_cases_are_made() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = generate_hostile(dir.path(), 1 << 20).expect("hostile");
    assert!(cases.len() >= 8);
    let long = std::fs::metadata(dir.path().join("一行.csv")).expect("long line");
    assert_eq!(long.len(), 1 << 20);
    let fifo = std::fs::symlink_metadata(dir.path().join("パイプ.csv")).expect("fifo");
    use std::os::unix::fs::FileTypeExt;
    assert!(fifo.file_type().is_fifo());
    // Let the temp dir be removed: give the unreadable file its mode back.
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(
        dir.path().join("閲覧禁止.csv"),
        std::fs::Permissions::from_mode(0o644),
    );
}

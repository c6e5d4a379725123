//! Restore on a plain temporary folder (no root needed): name conflicts,
//! late edits by others, dry run, idempotence.

mod common;

use common::*;
use mamori_restore::SkipReason;

#[test]
fn conflicts_are_skipped_and_the_rest_restored() {
    let (_dir, state, root, vault, journal) = scene(
        &["a.txt", "b.txt", "c.txt", "d.txt", "営業/e.csv"],
        |name| format!("{name} の中身\n"),
    );
    let before = snapshot_tree(&root);
    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    attacker.copy_then_delete("a.txt", "enc");
    attacker.encrypt_in_place("b.txt", false);
    attacker.rename_then_encrypt("c.txt", "locked");
    attacker.truncate_and_write("営業/e.csv");
    attacker.ransom_note("営業");
    attacker.flush();
    // Someone else re-creates a.txt after it was deleted, and writes into
    // the attacker's note (both must be left alone).
    std::fs::write(root.join("a.txt"), "新しい a\n").unwrap();
    other_user_edit(&vault, "s", &root, "営業/README-RESTORE-FILES.txt", b"memo");

    let after_attack = snapshot_tree(&root);
    let dry = restore_latest(&state, true);
    assert_eq!(snapshot_tree(&root), after_attack);
    let report = restore_latest(&state, false);
    assert_eq!(dry.restored.len(), report.restored.len());
    let mut skipped: Vec<(String, SkipReason)> = report
        .skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason))
        .collect();
    skipped.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        skipped,
        [
            ("a.txt".to_string(), SkipReason::NameTaken),
            (
                "営業/README-RESTORE-FILES.txt".to_string(),
                SkipReason::ChangedByOther
            ),
        ]
    );
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let now = snapshot_tree(&root);
    for name in ["b.txt", "c.txt", "d.txt", "営業/e.csv"] {
        assert_eq!(now[name], before[name], "{name}");
    }
    assert_eq!(
        std::fs::read_to_string(root.join("a.txt")).unwrap(),
        "新しい a\n"
    );
    // The encrypted copy of a.txt is the attacker's: removed.
    assert!(!root.join("a.txt.enc").exists());
    assert!(!root.join("c.txt.locked").exists());
    let again = restore_latest(&state, false);
    assert!(again.restored.is_empty() && again.removed.is_empty() && again.failed.is_empty());
    assert_eq!(snapshot_tree(&root), now);
}

#[test]
fn deletes_the_journal_missed_come_back_from_frozen_links() {
    let (_dir, state, root, vault, journal) = scene(
        &["経理/a.xlsx", "経理/b.xlsx", "経理/c.xlsx", "総務/d.docx"],
        |name| format!("{name}\n"),
    );
    let before = snapshot_tree(&root);
    assert_eq!(vault.sweep_links("s").unwrap().linked, 4);
    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    // The first delete of the burst escaped the journal.
    std::fs::remove_file(root.join("経理/a.xlsx")).unwrap();
    attacker.unseen_delete("経理/b.xlsx");
    attacker.flush();
    // Someone deletes a file in a folder the attacker never touched.
    std::fs::remove_file(root.join("総務/d.docx")).unwrap();

    let report = restore_latest(&state, false);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.unjournaled, ["経理/a.xlsx"]);
    let now = snapshot_tree(&root);
    for name in ["経理/a.xlsx", "経理/b.xlsx", "経理/c.xlsx"] {
        assert_eq!(now[name], before[name], "{name}");
    }
    assert!(!root.join("総務/d.docx").exists());
    let again = restore_latest(&state, false);
    assert!(again.restored.is_empty() && again.failed.is_empty());
}

#[test]
fn a_sweep_after_the_attack_is_not_someone_else() {
    let (_dir, state, root, vault, journal) = scene(&["a.docx"], |_| "original\n".into());
    let before = snapshot_tree(&root);
    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    attacker.rename_then_encrypt("a.docx", "lockbit");
    attacker.ransom_note("");
    attacker.flush();
    // The periodic sweep links the attacker's files after the attack.
    assert!(vault.sweep_links("s").unwrap().linked >= 2);
    let report = restore_latest(&state, false);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(snapshot_tree(&root), before);
}

#[test]
fn a_rewrite_cut_short_is_finished_by_the_next_run() {
    let (_dir, state, root, vault, journal) =
        scene(&["a.docx"], |_| "original content\n".repeat(100));
    let before = snapshot_tree(&root);
    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    attacker.encrypt_in_place("a.docx", false);
    attacker.flush();
    // A restore killed in the middle of its rewrite: the file marked,
    // part-written, with a fresh mtime (which alone reads as someone
    // else's change).
    let path = root.join("a.docx");
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: NUL-terminated strings, a 1-byte value.
    let marked = unsafe {
        libc::setxattr(
            c_path.as_ptr(),
            c"user.mamori.restoring".as_ptr(),
            b"1".as_ptr().cast(),
            1,
            0,
        )
    } == 0;
    if !marked {
        eprintln!("no user xattrs here: skipped");
        return;
    }
    std::fs::write(&path, "original con").unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();

    let report = restore_latest(&state, false);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(snapshot_tree(&root), before);
    // SAFETY: as above; a zero-length query.
    let still_marked = unsafe {
        libc::getxattr(
            c_path.as_ptr(),
            c"user.mamori.restoring".as_ptr(),
            std::ptr::null_mut(),
            0,
        )
    } >= 0;
    assert!(!still_marked, "the mark outlived the rewrite");
}

//! Event-level simulation of the benign look-alikes: none may ever reach
//! the threshold, alone or all done by one user in one sitting.
//! The workloads mirror `mamori-attack`'s benign suite (same operations in
//! the same order) plus a few more from the field.

mod common;
use common::*;
use mamori_journal::Actor;
use mamori_judge::Probe;
use std::path::PathBuf;

type Workload = fn(&mut Run, &Actor, &mut u64);

fn p(s: &str) -> PathBuf {
    PathBuf::from(s)
}

fn tick(t: &mut u64, ms: u64) -> u64 {
    *t += ms;
    *t
}

fn zip_archive(run: &mut Run, a: &Actor, t: &mut u64) {
    let zip = project_zip(40, 1);
    run.create(tick(t, 500), a, &p("アーカイブ/project_2025.zip"), &zip);
}

fn seven_zip_archive(run: &mut Run, a: &Actor, t: &mut u64) {
    run.create(
        tick(t, 500),
        a,
        &p("アーカイブ/project_2025.7z"),
        &seven_zip(2_000_000, 2),
    );
}

fn media_import(run: &mut Run, a: &Actor, t: &mut u64) {
    for i in 0..30u64 {
        let path = p(&format!("取り込み/IMG_{i:04}.JPG"));
        run.create(tick(t, 50), a, &path, &jpeg(40_000 + i as usize * 2000, i));
        if i % 5 == 0 {
            let mov = p(&format!("取り込み/MOV_{i:04}.MP4"));
            run.create(tick(t, 50), a, &mov, &mp4(300_000, i));
            let album = p(&format!("取り込み/album_{i:04}.zip"));
            run.create(tick(t, 50), a, &album, &project_zip(2, i));
        }
    }
    // photos copied over older copies of themselves
    for i in 0..10u64 {
        let path = p(&format!("写真/IMG_{i:04}.jpg"));
        run.overwrite(
            tick(t, 50),
            a,
            &path,
            &jpeg(80_000, i),
            &jpeg(90_000, i + 100),
        );
    }
}

/// Word/Excel: owner file, temp file with the new content, original
/// renamed to a backup, temp renamed over it, backup and owner deleted.
fn office_save(run: &mut Run, a: &Actor, t: &mut u64) {
    for i in 0..20u64 {
        let (dir, name, old, new) = if i % 2 == 0 {
            (
                "資料",
                format!("報告書_{i}.docx"),
                docx(20_000, i),
                docx(21_000, i + 50),
            )
        } else {
            (
                "経理",
                format!("予算_{i}.xlsx"),
                xlsx(800, i),
                xlsx(820, i + 50),
            )
        };
        let path = p(&format!("{dir}/{name}"));
        let owner = p(&format!(
            "{dir}/~${}",
            &name[name.char_indices().nth(2).unwrap().0..]
        ));
        let temp = p(&format!("{dir}/~WRL{:04}.tmp", 1000 + i));
        let backup = p(&format!("{dir}/~WRD{:04}.tmp", 2000 + i));
        run.create(tick(t, 20), a, &owner, &[0x20; 162]);
        run.create(tick(t, 20), a, &temp, &new);
        run.rename(tick(t, 5), a, &path, &backup);
        run.rename(tick(t, 5), a, &temp, &path);
        run.delete(tick(t, 5), a, &backup, Some(&old));
        run.delete(tick(t, 5), a, &owner, None);
        // and LibreOffice-style: rewritten in place, still a valid zip
        run.overwrite(tick(t, 20), a, &path, &new, &docx(22_000, i + 90));
    }
}

fn mass_rename(run: &mut Run, a: &Actor, t: &mut u64) {
    for i in 0..60 {
        let from = p(&format!("契約/契約書_{i}.pdf"));
        run.rename(
            tick(t, 10),
            a,
            &from,
            &p(&format!("契約/済_契約書_{i}.pdf")),
        );
    }
    for i in 0..30 {
        let from = p(&format!("名簿/名簿_{i}.csv"));
        run.rename(tick(t, 10), a, &from, &p(&format!("名簿/済_名簿_{i}.csv")));
    }
    // one known extension into another (document management tools)
    for i in 0..40 {
        let from = p(&format!("写真/photo_{i}.jpeg"));
        run.rename(tick(t, 10), a, &from, &p(&format!("写真/photo_{i}.jpg")));
    }
}

/// robocopy /MIR: every file read and written under a new tree, older
/// copies overwritten with newer ones of the same type.
fn tree_copy(run: &mut Run, a: &Actor, t: &mut u64) {
    for v in share(120, 5) {
        let to = p("移行先").join(&v.path);
        run.create(tick(t, 5), a, &to, &v.bytes);
    }
    for v in share(40, 6) {
        let newer = match v.path.extension().and_then(|e| e.to_str()) {
            Some("docx") => docx(31_000, 77),
            Some("xlsx") => xlsx(2100, 77),
            Some("pdf") => pdf(61_000, 77),
            Some("jpg") => jpeg(130_000, 77),
            Some("png") => png(21_000, 77),
            Some("csv") => csv_sjis(320, 77),
            _ => prose(v.bytes.len() + 100, 77).into_bytes(),
        };
        run.overwrite(tick(t, 5), a, &p("移行先").join(&v.path), &v.bytes, &newer);
    }
}

fn delete_temp(run: &mut Run, a: &Actor, t: &mut u64) {
    for i in 0..1000 {
        let path = p(&format!("tmp_build/obj_{i:04}.o.tmp"));
        let old = format!("intermediate object {i}\n").repeat(8);
        run.delete(tick(t, 1), a, &path, Some(old.as_bytes()));
    }
    // a temp folder of documents, and build output the user created
    for i in 0..300 {
        run.delete(
            tick(t, 1),
            a,
            &p(&format!("作業/temp/下書き_{i}.docx")),
            None,
        );
    }
    for i in 0..300 {
        let path = p(&format!("out/report_{i}.pdf"));
        run.create(tick(t, 1), a, &path, &pdf(3000, i));
    }
    for i in 0..300 {
        run.delete(tick(t, 1), a, &p(&format!("out/report_{i}.pdf")), None);
    }
}

fn gpg_one(run: &mut Run, a: &Actor, t: &mut u64) {
    let original = xlsx(1500, 9);
    let mut encrypted = vec![0x8c, 0x0d, 0x04, 0x09, 0x03, 0x08];
    encrypted.extend(encrypt_whole(&original, 9));
    let path = p("経理/給与_2025.xlsx");
    run.create(tick(t, 100), a, &p("経理/給与_2025.xlsx.gpg"), &encrypted);
    run.delete(tick(t, 100), a, &path, None);
}

/// Page writes into a 4 MiB SQLite file (header kept), 200 times.
fn database(run: &mut Run, a: &Actor, t: &mut u64) {
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(4096, 0);
    let mut row = 0u64;
    while bytes.len() < 4 << 20 {
        let line = format!("{row:08}|2025-04-01|顧客{row}|{}\n", row * 137 % 99_991);
        bytes.extend_from_slice(line.as_bytes());
        row += 1;
    }
    bytes.truncate(4 << 20);
    let path = p("db/sales.db");
    let mut r = rng(3);
    for i in 0..200u64 {
        use rand::Rng;
        let page = r.gen_range(1..1024usize);
        let before = Probe::of_bytes(&bytes);
        let mut buf = Vec::new();
        while buf.len() < 4096 {
            let line = format!(
                "{page:08}|2025-05-{:02}|更新{i}|{}\n",
                i % 28 + 1,
                r.gen::<u32>() % 100_000
            );
            buf.extend_from_slice(line.as_bytes());
        }
        bytes[page * 4096..page * 4096 + 4096].copy_from_slice(&buf[..4096]);
        let after = Probe::of_bytes(&bytes);
        run.feed(
            tick(t, 10),
            a,
            mamori_judge::FileOp::Written {
                path: path.clone(),
                before: Some(before),
                after,
            },
        );
    }
}

/// An encrypted database or container (SQLCipher, VeraCrypt, KeePass):
/// random before, random after, pages rewritten all day.
fn encrypted_container(run: &mut Run, a: &Actor, t: &mut u64) {
    let mut bytes = keystream(2 << 20, 11);
    for i in 0..100u64 {
        let before = Probe::of_bytes(&bytes);
        let at = (i as usize * 7919 * 4096) % (bytes.len() - 4096);
        bytes[at..at + 4096].copy_from_slice(&keystream(4096, i + 100));
        run.feed(
            tick(t, 10),
            a,
            mamori_judge::FileOp::Written {
                path: p("個人/vault.hc"),
                before: Some(before),
                after: Probe::of_bytes(&bytes),
            },
        );
    }
}

/// restic/Borg: new random pack files, then a prune of old packs.
fn encrypted_backup(run: &mut Run, a: &Actor, t: &mut u64) {
    for i in 0..200u64 {
        let path = p(&format!(
            "backup/data/{:02x}/{:064x}",
            i % 256,
            i * 0x9e37_79b9
        ));
        run.create(tick(t, 5), a, &path, &keystream(50_000, i));
    }
    for i in 0..100u64 {
        let path = p(&format!(
            "backup/data/{:02x}/{:064x}",
            i % 256,
            i * 0x1234_5677
        ));
        run.delete(tick(t, 5), a, &path, Some(&keystream(50_000, i + 999)));
    }
}

/// Users delete a few of their own documents.
fn delete_a_few_documents(run: &mut Run, a: &Actor, t: &mut u64) {
    for v in share(3, 12) {
        run.delete(tick(t, 2000), a, &v.path, Some(&v.bytes));
    }
}

const SUITE: &[(&str, Workload)] = &[
    ("zip-archive", zip_archive),
    ("7z-archive", seven_zip_archive),
    ("media-import", media_import),
    ("office-save", office_save),
    ("mass-rename", mass_rename),
    ("tree-copy", tree_copy),
    ("delete-temp", delete_temp),
    ("gpg-one", gpg_one),
    ("database", database),
];

/// Downloads whose names lie (.jpg that are PNG or WebP, .xls that are
/// HTML, .pdf that are HTML error pages) copied in without Created events.
fn mislabeled_downloads(run: &mut Run, a: &Actor, t: &mut u64) {
    for i in 0..50u64 {
        let (name, bytes) = match i % 4 {
            0 => (format!("dl/img_{i}.jpg"), png(20_000, i)),
            1 => {
                let mut webp = b"RIFF\x00\x00\x01\x00WEBPVP8 ".to_vec();
                webp.extend(keystream(30_000, i));
                (format!("dl/img_{i}.jpg"), webp)
            }
            2 => (
                format!("dl/表_{i}.xls"),
                format!(
                    "<html><table><tr><td>{}</td></tr></table></html>",
                    prose(3000, i)
                )
                .into_bytes(),
            ),
            _ => (
                format!("dl/doc_{i}.pdf"),
                b"<!DOCTYPE html><html>404 Not Found</html>".to_vec(),
            ),
        };
        run.feed(
            tick(t, 10),
            a,
            mamori_judge::FileOp::Written {
                path: p(&name),
                before: None,
                after: Probe::of_bytes(&bytes),
            },
        );
    }
}

/// Explorer moving a project folder to another share or folder: copy
/// every file, then delete the originals.
fn move_between_shares(run: &mut Run, a: &Actor, t: &mut u64) {
    let victims = share(40, 30);
    for v in &victims {
        run.create(tick(t, 5), a, &p("アーカイブ先").join(&v.path), &v.bytes);
    }
    for v in &victims {
        run.delete(tick(t, 5), a, &v.path, Some(&v.bytes));
    }
}

const MORE: &[(&str, Workload)] = &[
    ("move-between-shares", move_between_shares),
    ("mislabeled-downloads", mislabeled_downloads),
    ("encrypted-container", encrypted_container),
    ("encrypted-backup", encrypted_backup),
    ("delete-a-few-documents", delete_a_few_documents),
    (
        "reused-names-creates-read-ahead",
        reused_names_creates_read_ahead,
    ),
];

/// A job that writes a report under the same name again and again, renames
/// each one and clears them out a batch at a time, as the guard reads it:
/// the creates of a batch come ahead of its renames and deletes (the guard
/// reads creates from a queue of their own), so the same name is created
/// again before the rename of its earlier file is seen.
fn reused_names_creates_read_ahead(run: &mut Run, a: &Actor, t: &mut u64) {
    let text = "2026-11-29 nightly job: step ok\n".repeat(100);
    for _batch in 0..5 {
        for i in 0..200 {
            run.create(
                tick(t, 1),
                a,
                &p(&format!("job/out_{i:03}.txt")),
                text.as_bytes(),
            );
        }
    }
    for _batch in 0..5 {
        for i in 0..200 {
            let from = p(&format!("job/out_{i:03}.txt"));
            run.rename(
                tick(t, 1),
                a,
                &from,
                &p(&format!("job/out_{i:03}_done.txt")),
            );
        }
        for i in 0..200 {
            run.delete(tick(t, 1), a, &p(&format!("job/out_{i:03}_done.txt")), None);
        }
    }
}

fn user() -> Actor {
    smb_actor("kobayashi", "10.0.0.77", 3300)
}

#[test]
fn each_benign_workload_alone_never_alarms() {
    for (name, workload) in SUITE.iter().chain(MORE) {
        let mut run = Run::new();
        let mut t = 0;
        workload(&mut run, &user(), &mut t);
        assert!(
            run.verdict.is_none(),
            "{name}: {:#?}",
            run.verdict.as_ref().map(|v| (&v.score, &v.reasons))
        );
    }
}

#[test]
fn the_whole_benign_suite_by_one_user_in_one_sitting_never_alarms() {
    let mut run = Run::new();
    let mut t = 0;
    for (_, workload) in SUITE {
        workload(&mut run, &user(), &mut t);
    }
    assert!(
        run.verdict.is_none(),
        "{:#?}",
        run.verdict.as_ref().map(|v| (&v.score, &v.reasons))
    );
}

#[test]
fn a_day_of_everything_by_one_user_never_alarms() {
    // every workload, each in a new SMB session, 10 minutes apart
    let mut run = Run::new();
    let mut t = 0;
    for (i, (_, workload)) in SUITE.iter().chain(MORE).enumerate() {
        let actor = smb_actor("kobayashi", "10.0.0.77", 3300 + i as u32);
        workload(&mut run, &actor, &mut t);
        t += 600_000;
    }
    assert!(
        run.verdict.is_none(),
        "{:#?}",
        run.verdict.as_ref().map(|v| (&v.score, &v.reasons))
    );
}

#[test]
fn a_legitimate_readme_is_a_reason_but_never_a_verdict() {
    let mut run = Run::new();
    let readme = "This archive is encrypted. To decrypt it, use your private key.\n\
                  Do not rename the files. Contact us if you cannot restore your data.";
    for (i, dir) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        run.create(
            i as u64,
            &user(),
            &p(&format!("{dir}/README.txt")),
            readme.as_bytes(),
        );
    }
    assert!(run.verdict.is_none());
}

#[test]
fn a_colleague_is_not_named_for_an_attackers_marks() {
    // both come from the same address (a terminal server, a NAT)
    let attacker = smb_actor("tanaka", "10.0.0.5", 100);
    let colleague = smb_actor("sato", "10.0.0.5", 200);
    let mut run = Run::new();
    let victims = share(10, 20);
    for (i, v) in victims.iter().enumerate().take(3) {
        // weak evidence only: unpaired random files, then deletes
        let new = v.path.with_file_name(format!("{i:010x}"));
        run.create(i as u64, &attacker, &new, &encrypt_whole(&v.bytes, 1));
    }
    for v in victims.iter().skip(5).take(2) {
        run.delete(10, &colleague, &v.path, Some(&v.bytes));
    }
    for v in victims.iter().take(3) {
        run.delete(20, &attacker, &v.path, Some(&v.bytes));
    }
    let verdict = run.verdict.expect("the attack is decided");
    assert_eq!(verdict.actor.user.as_deref(), Some("tanaka"));
}

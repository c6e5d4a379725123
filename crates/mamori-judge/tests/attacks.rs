//! Event-level simulation of every attack profile: each must be decided
//! within a few files (target: median ≤ 1 file touched before the verdict,
//! max ≤ 5).

mod common;
use common::*;
use mamori_judge::{FileOp, JudgeConfig, Probe};
use std::path::PathBuf;

type Transform = fn(&[u8], u64) -> Vec<u8>;

const TRANSFORMS: &[(&str, Transform)] = &[
    ("whole", encrypt_whole),
    ("every_other_16", encrypt_every_other_16),
    ("first_4k", encrypt_first_4k),
    ("chunks_5pct", encrypt_chunks_5pct),
    ("base64", encrypt_base64),
    ("keep_header", encrypt_keep_header),
];

/// In-place encryption of every file of a share, one file per `gap_ms`.
fn in_place(transform: Transform, gap_ms: u64, seed: u64) -> Run {
    let mut run = Run::new();
    let actor = smb_actor("tanaka", "10.0.0.23", 4100);
    for (i, v) in share(24, seed).iter().enumerate() {
        let enc = transform(&v.bytes, seed + i as u64);
        run.overwrite(i as u64 * gap_ms, &actor, &v.path, &v.bytes, &enc);
        if run.verdict.is_some() {
            break;
        }
    }
    run
}

#[test]
fn in_place_encryption_is_decided_on_the_first_file_of_every_type() {
    let first = share(8, 3);
    let second = share(8, 4);
    for (name, transform) in TRANSFORMS {
        // each victim type on its own, as the first file touched
        for (i, v) in first.iter().enumerate() {
            let mut run = Run::new();
            let actor = smb_actor("tanaka", "10.0.0.23", 4100);
            let enc = transform(&v.bytes, i as u64);
            run.overwrite(0, &actor, &v.path, &v.bytes, &enc);
            let mut limit = 1;
            if *name == "keep_header" && run.verdict.is_none() {
                // Header and trailer position kept, body encrypted: when the
                // body was strong deflate already (a small PNG), bytes alone
                // cannot tell; the broken trailer weighs half, so the second
                // such file decides.
                let w = &second[i];
                let path = w.path.with_file_name(format!(
                    "2_{}",
                    v.path.file_name().unwrap().to_string_lossy()
                ));
                run.overwrite(1, &actor, &path, &w.bytes, &transform(&w.bytes, 99));
                limit = 2;
            }
            assert_eq!(
                run.files_before_verdict(),
                Some(limit),
                "{name} on {}:\n{:?}\n{:?}",
                v.path.display(),
                Probe::of_bytes(&v.bytes),
                Probe::of_bytes(&enc)
            );
        }
    }
}

#[test]
fn in_place_profiles_over_a_share() {
    let mut counts = Vec::new();
    for (name, transform) in TRANSFORMS {
        for seed in 0..3 {
            let run = in_place(*transform, 50, seed);
            let n = run.files_before_verdict();
            assert!(n.is_some_and(|n| n <= 5), "{name} seed {seed}: {n:?}");
            counts.push(n.unwrap());
            let verdict = run.verdict.unwrap();
            assert!(!verdict.reasons.is_empty());
            assert!(verdict
                .reasons
                .iter()
                .all(|r| !r.ja.is_empty() && !r.en.is_empty()));
            assert_eq!(verdict.actor.user.as_deref(), Some("tanaka"));
        }
    }
    counts.sort();
    assert!(counts[counts.len() / 2] <= 1, "median {counts:?}");
}

#[test]
fn encrypt_rename_and_ransom_note() {
    for ext in [".lockbit", ".x7k2qz", ".akira"] {
        let mut run = Run::new();
        let actor = smb_actor("tanaka", "10.0.0.23", 4100);
        let mut dirs = Vec::new();
        for (i, v) in share(20, 5).iter().enumerate() {
            let t = i as u64 * 30;
            let dir = v.path.parent().unwrap().to_path_buf();
            if !dirs.contains(&dir) {
                dirs.push(dir.clone());
                let note = dir.join("RESTORE-MY-FILES.txt");
                run.create(
                    t,
                    &actor,
                    &note,
                    "All your files are encrypted. Pay in bitcoin. Tor Browser x.onion".as_bytes(),
                );
            }
            let enc = encrypt_whole(&v.bytes, i as u64);
            run.overwrite(t + 1, &actor, &v.path, &v.bytes, &enc);
            run.rename(t + 2, &actor, &v.path, &with_suffix(&v.path, ext));
        }
        // the first encrypted file decides (notes are new files, not losses)
        assert_eq!(run.files_before_verdict(), Some(1), "{ext}");
        let codes: Vec<_> = run
            .verdict
            .as_ref()
            .unwrap()
            .reasons
            .iter()
            .map(|r| r.code)
            .collect();
        assert!(codes.contains(&"encrypted_overwrite"), "{codes:?}");
        assert!(codes.contains(&"ransom_note_text"), "{codes:?}");
    }
}

#[test]
fn rename_first_then_encrypt() {
    let mut run = Run::new();
    let actor = smb_actor("tanaka", "10.0.0.23", 4100);
    for (i, v) in share(10, 6).iter().enumerate() {
        let renamed = with_suffix(&v.path, ".qwerty");
        run.rename(i as u64 * 10, &actor, &v.path, &renamed);
        let enc = encrypt_every_other_16(&v.bytes, 1);
        run.overwrite(i as u64 * 10 + 1, &actor, &renamed, &v.bytes, &enc);
    }
    assert_eq!(run.files_before_verdict(), Some(1));
}

/// Write an encrypted copy, then delete the original.
fn new_then_delete(name_of: fn(&PathBuf, usize) -> PathBuf, probe_deletes: bool) -> Run {
    let mut run = Run::new();
    let actor = smb_actor("suzuki", "10.0.0.40", 5200);
    for (i, v) in share(24, 7).iter().enumerate() {
        let t = i as u64 * 20;
        let new = name_of(&v.path, i);
        run.create(t, &actor, &new, &encrypt_whole(&v.bytes, i as u64));
        let before = probe_deletes.then_some(v.bytes.as_slice());
        run.delete(t + 1, &actor, &v.path, before);
    }
    run
}

#[test]
fn write_new_then_delete_original() {
    let suffixed = |p: &PathBuf, _| with_suffix(p, ".enc9x");
    let replaced_ext = |p: &PathBuf, _| p.with_extension("crypt5");
    let random = |p: &PathBuf, i| p.with_file_name(format!("{:016x}", i * 7919 + 13));
    for probe in [true, false] {
        assert_eq!(
            new_then_delete(suffixed, probe).files_before_verdict(),
            Some(1)
        );
        assert_eq!(
            new_then_delete(replaced_ext, probe).files_before_verdict(),
            Some(1)
        );
        // random names cannot be paired: write + delete twice
        let n = new_then_delete(random, probe).files_before_verdict();
        assert!(
            n.is_some_and(|n| n <= 4),
            "random names, probe {probe}: {n:?}"
        );
    }
}

#[test]
fn delete_first_then_write_encrypted_copy() {
    let mut run = Run::new();
    let actor = smb_actor("suzuki", "10.0.0.40", 5200);
    for (i, v) in share(8, 8).iter().enumerate() {
        run.delete(i as u64 * 10, &actor, &v.path, Some(&v.bytes));
        let new = with_suffix(&v.path, ".locked1");
        run.create(i as u64 * 10 + 1, &actor, &new, &encrypt_whole(&v.bytes, 2));
    }
    assert!(run.files_before_verdict().is_some_and(|n| n <= 2));
}

#[test]
fn fast_multi_connection_attack() {
    // 16 SMB sessions of one user from one client, 500 files/s in total
    let mut run = Run::new();
    let victims = share(200, 9);
    for (i, v) in victims.iter().enumerate() {
        let actor = smb_actor("admin", "10.0.0.99", 7000 + (i % 16) as u32);
        let enc = encrypt_first_4k(&v.bytes, i as u64);
        run.overwrite(i as u64 * 2, &actor, &v.path, &v.bytes, &enc);
    }
    assert_eq!(run.files_before_verdict(), Some(1));
    // after a verdict the marks are cleared; the attack keeps producing
    // verdicts for as long as it goes on (the guard blocks on the first)
    assert!(run.verdicts > 100, "{}", run.verdicts);
}

#[test]
fn slow_attack_across_sessions() {
    // one file every 20 s, each in a new SMB session, and only
    // weak evidence per file (random names, no before-probes on deletes)
    let mut run = Run::new();
    for (i, v) in share(20, 10).iter().enumerate() {
        let actor = smb_actor("yamada", "10.0.0.41", 8000 + i as u32);
        let t = i as u64 * 20_000;
        let new = v.path.with_file_name(format!("{:012x}", i * 31 + 7));
        run.create(t, &actor, &new, &encrypt_whole(&v.bytes, 1));
        run.delete(t + 500, &actor, &v.path, None);
    }
    let n = run.files_before_verdict();
    assert!(n.is_some_and(|n| n <= 4), "{n:?}");
    let key = &run.verdict.unwrap().key;
    assert!(
        key.starts_with("user") || key.starts_with("client"),
        "{key}"
    );
}

#[test]
fn slow_in_place_one_file_a_minute() {
    let run = in_place(encrypt_chunks_5pct, 60_000, 11);
    assert_eq!(run.files_before_verdict(), Some(1));
}

#[test]
fn wiper_deletes_only() {
    for probe in [true, false] {
        let mut run = Run::new();
        let actor = smb_actor("sato", "10.0.0.50", 9100);
        for (i, v) in share(40, 12).iter().enumerate() {
            let before = probe.then_some(v.bytes.as_slice());
            run.delete(i as u64 * 5, &actor, &v.path, before);
        }
        let n = run.files_before_verdict();
        assert!(n.is_some_and(|n| n <= 4), "probe {probe}: {n:?}");
        assert_eq!(run.verdict.unwrap().reasons[0].code, "delete_documents");
    }
}

#[test]
fn wiper_truncating_in_place() {
    let mut run = Run::new();
    let actor = smb_actor("sato", "10.0.0.50", 9100);
    for (i, v) in share(40, 13).iter().enumerate() {
        run.overwrite(i as u64 * 5, &actor, &v.path, &v.bytes, &[]);
        run.delete(i as u64 * 5 + 1, &actor, &v.path, None);
    }
    assert!(run.files_before_verdict().is_some_and(|n| n <= 4));
}

#[test]
fn decoy_avoiding_attack() {
    // skips small, hidden and first-sorted files: content decides anyway
    let mut run = Run::new();
    let actor = smb_actor("tanaka", "10.0.0.23", 4100);
    let mut victims = share(40, 14);
    victims.retain(|v| v.bytes.len() > 10_000);
    victims.sort_by(|a, b| b.path.cmp(&a.path)); // last-sorted first
    for (i, v) in victims.iter().enumerate() {
        let enc = encrypt_chunks_5pct(&v.bytes, i as u64);
        run.overwrite(i as u64 * 10, &actor, &v.path, &v.bytes, &enc);
    }
    assert_eq!(run.files_before_verdict(), Some(1));
}

#[test]
fn touching_a_decoy_decides_at_once() {
    let decoy = PathBuf::from(mamori_judge::decoy::NAMES[1]);
    let bytes = mamori_judge::decoy::content(&decoy);
    for op in [
        FileOp::Written {
            path: decoy.clone(),
            before: Some(Probe::of_bytes(&bytes)),
            after: Probe::of_bytes(&bytes),
        },
        FileOp::Renamed {
            from: decoy.clone(),
            to: with_suffix(&decoy, ".x"),
        },
        FileOp::Deleted {
            path: decoy.clone(),
            before: None,
        },
    ] {
        let mut run = Run::new();
        run.judge
            .register_decoys("share", std::slice::from_ref(&decoy));
        run.feed(0, &smb_actor("tanaka", "10.0.0.23", 4100), op);
        let verdict = run.verdict.expect("decoy");
        assert_eq!(verdict.reasons[0].code, "decoy");
    }
    // a file that only carries a decoy's name (a tree copy of one, a
    // backup restore) is not bait: writing it decides nothing
    let mut run = Run::new();
    let copy = PathBuf::from("移行先").join(&decoy);
    run.feed(
        0,
        &smb_actor("tanaka", "10.0.0.23", 4100),
        FileOp::Written {
            path: copy.clone(),
            before: None,
            after: Probe::of_bytes(&bytes),
        },
    );
    assert!(run.verdict.is_none());
    assert!(run.judge.is_decoy("share", &copy), "still skipped by scans");
    // registered decoys under other names too
    let mut run = Run::new();
    let other = PathBuf::from("総務/.bait.xlsx");
    run.judge
        .register_decoys("share", std::slice::from_ref(&other));
    assert!(run.judge.is_decoy("share", &other));
    run.delete(0, &smb_actor("a", "b", 1), &other, None);
    assert!(run.verdict.is_some());
}

#[test]
fn local_process_attack_is_keyed_by_pid_and_uid() {
    let mut run = Run::new();
    let actor = mamori_journal::Actor {
        pid: Some(31337),
        exe: Some("/tmp/x".into()),
        uid: Some(1000),
        ..Default::default()
    };
    for (i, v) in share(6, 15).iter().enumerate() {
        run.overwrite(
            i as u64,
            &actor,
            &v.path,
            &v.bytes,
            &encrypt_base64(&v.bytes, 3),
        );
    }
    assert_eq!(run.files_before_verdict(), Some(1));
}

#[test]
fn higher_threshold_still_decides_within_five_files() {
    let mut run = Run::with(JudgeConfig {
        threshold: 2.5,
        ..JudgeConfig::default()
    });
    let actor = smb_actor("tanaka", "10.0.0.23", 4100);
    for (i, v) in share(10, 16).iter().enumerate() {
        run.overwrite(
            i as u64,
            &actor,
            &v.path,
            &v.bytes,
            &encrypt_whole(&v.bytes, 1),
        );
    }
    assert_eq!(run.files_before_verdict(), Some(3));
}

#[test]
fn in_place_encryption_without_before_probes() {
    // inotify fallback, overflow rescans: no probe of the old content;
    // the extension stands in for the type the file had
    let mut counts = Vec::new();
    for (name, transform) in TRANSFORMS {
        let mut run = Run::new();
        let actor = smb_actor("tanaka", "10.0.0.23", 4100);
        for (i, v) in share(16, 17).iter().enumerate() {
            let enc = transform(&v.bytes, i as u64);
            run.feed(
                i as u64,
                &actor,
                FileOp::Written {
                    path: v.path.clone(),
                    before: None,
                    after: Probe::of_bytes(&enc),
                },
            );
        }
        let n = run.files_before_verdict();
        assert!(n.is_some_and(|n| n <= 3), "{name}: {n:?}");
        counts.push(n.unwrap());
    }
    counts.sort();
    assert!(counts[counts.len() / 2] <= 2, "{counts:?}");
}

#[test]
fn encrypted_copies_under_the_same_name_elsewhere_are_no_move() {
    // copy encrypted into another folder under the same name, delete the
    // original: a move in shape, an attack in content
    let mut run = Run::new();
    let actor = smb_actor("suzuki", "10.0.0.40", 5200);
    for (i, v) in share(16, 31).iter().enumerate() {
        let t = i as u64 * 10;
        let copy = PathBuf::from("out").join(v.path.file_name().unwrap());
        run.create(t, &actor, &copy, &encrypt_whole(&v.bytes, i as u64));
        run.delete(t + 1, &actor, &v.path, None);
    }
    let n = run.files_before_verdict();
    assert!(n.is_some_and(|n| n <= 2), "{n:?}");
}

#[test]
fn wiper_zero_filling_in_place() {
    let mut run = Run::new();
    let actor = smb_actor("sato", "10.0.0.50", 9100);
    for (i, v) in share(16, 24).iter().enumerate() {
        run.overwrite(
            i as u64,
            &actor,
            &v.path,
            &v.bytes,
            &vec![0u8; v.bytes.len()],
        );
    }
    assert_eq!(run.files_before_verdict(), Some(2));
}

#[test]
fn verdict_files_are_the_attack_not_the_day() {
    let mut run = Run::new();
    let actor = smb_actor("tanaka", "10.0.0.23", 4100);
    let earlier = PathBuf::from("朝/メモ.txt");
    run.create(0, &actor, &earlier, "朝の作業".as_bytes());
    let victims = share(8, 25);
    let hours_later = 2 * 3600 * 1000;
    let v = &victims[0];
    run.overwrite(
        hours_later,
        &actor,
        &v.path,
        &v.bytes,
        &encrypt_whole(&v.bytes, 1),
    );
    let verdict = run.verdict.expect("decided");
    assert_eq!(verdict.files, vec![v.path.clone()]);
}

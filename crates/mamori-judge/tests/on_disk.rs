//! The same judgement through real files: probes by `pread` on a share in a
//! temporary directory, decoys planned and placed there, windows expiring.

mod common;
use common::*;
use mamori_judge::{decoy, FileEvent, FileOp, Judge, JudgeConfig, Probe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn write_share(root: &Path) -> Vec<Victim> {
    let victims = share(16, 21);
    for v in &victims {
        let path = root.join(&v.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &v.bytes).unwrap();
    }
    victims
}

fn event(at: Instant, op: FileOp) -> FileEvent {
    FileEvent {
        at,
        share: "share".into(),
        actor: smb_actor("tanaka", "10.0.0.23", 4100),
        op,
    }
}

#[test]
fn intermittent_encryption_of_real_files_is_decided_on_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let victims = write_share(root);
    let mut judge = Judge::new(JudgeConfig::default());
    let t0 = Instant::now();
    let mut decided_at = None;
    for (i, v) in victims.iter().enumerate() {
        let abs = root.join(&v.path);
        let before = Probe::of_file(&abs).unwrap();
        std::fs::write(&abs, encrypt_every_other_16(&v.bytes, i as u64)).unwrap();
        let after = Probe::of_file(&abs).unwrap();
        let op = FileOp::Written {
            path: v.path.clone(),
            before: Some(before),
            after,
        };
        if judge.observe(&event(t0, op)).is_some() {
            decided_at = Some(i + 1);
            break;
        }
    }
    assert_eq!(decided_at, Some(1));
}

#[test]
fn placed_decoys_are_recognised_and_their_deletion_decides() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_share(root);
    let planned = decoy::place(&decoy::plan(root)).unwrap();
    let relative: Vec<PathBuf> = planned
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
        .collect();
    let mut judge = Judge::new(JudgeConfig::default());
    judge.register_decoys("share", &relative);
    for (abs, rel) in planned.iter().zip(&relative) {
        assert!(judge.is_decoy("share", rel));
        assert_eq!(Probe::of_file(abs).unwrap().kind, mamori_judge::Kind::Ooxml);
    }
    // reading them is not a touch; deleting one is
    let op = FileOp::Deleted {
        path: relative[0].clone(),
        before: None,
    };
    let verdict = judge.observe(&event(Instant::now(), op)).expect("decoy");
    assert_eq!(verdict.reasons[0].code, "decoy");
    assert_eq!(verdict.share, "share");
    assert!(verdict.files.contains(&relative[0]));
}

#[test]
fn burst_marks_expire_and_a_pardon_forgets() {
    let victims = share(16, 22);
    let mut judge = Judge::new(JudgeConfig::default());
    let t0 = Instant::now();
    let delete = |v: &Victim| FileOp::Deleted {
        path: v.path.clone(),
        before: None,
    };
    // three deletes now, three more after the burst window: no verdict
    for v in &victims[..3] {
        assert!(judge.observe(&event(t0, delete(v))).is_none());
    }
    let later = t0 + Duration::from_secs(301);
    judge.tick(later);
    for v in &victims[3..6] {
        assert!(judge.observe(&event(later, delete(v))).is_none());
    }
    // a pardon forgets the actor's marks
    judge.pardon(&smb_actor("tanaka", "10.0.0.23", 4100));
    for v in &victims[6..9] {
        assert!(judge.observe(&event(later, delete(v))).is_none());
    }
    let verdict = judge
        .observe(&event(later, delete(&victims[9])))
        .expect("four deletes in a burst");
    assert_eq!(verdict.key, "session/process 4100");
    assert!(verdict.reasons.iter().any(|r| r.code == "rate"));
    assert!((verdict.score - 1.0).abs() < 0.01, "{}", verdict.score);
}

#[test]
fn the_judge_can_move_to_another_thread() {
    fn send<T: Send>(_: &T) {}
    send(&Judge::new(JudgeConfig::default()));
}

#[test]
fn restoring_after_an_attack_is_not_an_attack() {
    // `mamori restore`: originals written back over ciphertext, encrypted
    // copies renamed back, ransom notes deleted
    let restorer = mamori_journal::Actor {
        pid: Some(777),
        exe: Some("/usr/bin/mamori".into()),
        uid: Some(0),
        ..Default::default()
    };
    let mut run = Run::new();
    for (i, v) in share(24, 23).iter().enumerate() {
        let t = i as u64;
        let enc = encrypt_whole(&v.bytes, 5);
        let locked = with_suffix(&v.path, ".lockbit");
        run.overwrite(t, &restorer, &locked, &enc, &v.bytes);
        run.rename(t, &restorer, &locked, &v.path);
        let note = v.path.parent().unwrap().join("RESTORE-MY-FILES.txt");
        run.delete(t, &restorer, &note, None);
    }
    assert!(
        run.verdict.is_none(),
        "{:?}",
        run.verdict.map(|v| v.reasons)
    );
}

#[test]
fn small_files_read_in_one_go_probe_like_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for len in [1usize, 4095, 4096, 10_000, 32_768, 32_769, 100_000] {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let path = dir.path().join(format!("f{len}"));
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(
            Probe::of_file(&path).unwrap(),
            Probe::of_bytes(&bytes),
            "{len}"
        );
    }
}

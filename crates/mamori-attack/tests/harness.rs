//! The simulator against a real private Samba, without the guard: every
//! profile damages what it should over SMB, every benign workload runs, and
//! a colleague keeps working during an attack. Skips (passes) when not root
//! or Samba / loop mounts are unavailable.

use mamori_attack::benign::{self, Workload};
use mamori_attack::content;
use mamori_attack::log::OpLog;
use mamori_attack::profiles::{self, AttackOptions, Profile, RANSOM_NOTE_NAME};
use mamori_attack::samba::{Fs, SambaServer, USER_A, USER_B};
use std::collections::BTreeMap;
use std::time::Duration;

fn server(fs: Fs) -> Option<SambaServer> {
    SambaServer::start_or_skip("docs", fs, 256).expect("samba harness")
}

fn snapshot(server: &SambaServer, rel: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = server.share_dir().join(rel);
    content::walk(&dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(dir.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn every_profile_damages_its_folder_over_smb() {
    let Some(server) = server(Fs::Ext4) else {
        return;
    };
    let mut folders = Vec::new();
    for (i, profile) in Profile::ALL.iter().enumerate() {
        let rel = format!("victims/{}", profile.name());
        content::victim_folder(&server.share_dir(), &rel, 12, i as u64).unwrap();
        folders.push((*profile, rel));
    }
    server.open_permissions().unwrap();
    let attacker = server.target(USER_A, "ATTACK-PC");
    for (profile, rel) in folders {
        let before = snapshot(&server, &rel);
        let opts = AttackOptions {
            root: rel.clone(),
            slow_interval: Duration::from_millis(200),
            workers: 3,
            ..Default::default()
        };
        let log = OpLog::new(None);
        let report = profiles::run(&attacker, profile, &opts, &log).unwrap();
        let after = snapshot(&server, &rel);
        let name = profile.name();
        assert!(report.first_malicious.is_some(), "{name}: {report:?}");
        assert_eq!(report.refused, 0, "{name}");
        match profile {
            Profile::Wiper => assert!(after.is_empty(), "{name}: {after:?}"),
            Profile::NewDelete => {
                // Every original gone, a copy under its name plus one
                // per-run extension in its place.
                assert_eq!(after.len(), before.len(), "{name}");
                assert!(
                    before.keys().all(|k| !after.contains_key(k)
                        && after.keys().any(|a| a
                            .strip_prefix(k.as_str())
                            .is_some_and(|ext| ext.starts_with('.')))),
                    "{name}: {after:?}"
                );
            }
            Profile::RenameLockbit | Profile::RenameRandom => {
                let notes = after
                    .keys()
                    .filter(|k| k.ends_with(RANSOM_NOTE_NAME))
                    .count();
                assert_eq!(notes, 1, "{name}");
                assert!(before.keys().all(|k| !after.contains_key(k)), "{name}");
                if profile == Profile::RenameLockbit {
                    assert!(after.keys().any(|k| k.ends_with(".lockbit")), "{name}");
                }
            }
            Profile::DecoyAvoiding => {
                assert!(!report.damaged.is_empty() && report.damaged.len() < before.len());
                let changed = before
                    .iter()
                    .filter(|(k, v)| after.get(*k) != Some(v))
                    .count();
                assert_eq!(changed, report.damaged.len(), "{name}");
            }
            _ => {
                assert_eq!(report.damaged.len(), before.len(), "{name}: {report:?}");
                for (path, old) in &before {
                    let new = &after[path];
                    assert_ne!(new, old, "{name}: {path} unchanged");
                    match profile {
                        Profile::Base64 => assert!(new.iter().all(|b| b.is_ascii_graphic())),
                        Profile::FirstBlock | Profile::Chunks | Profile::LockFile => {
                            assert_eq!(new.len(), old.len(), "{name}: {path}")
                        }
                        _ => assert_eq!(new.len(), old.len(), "{name}: {path}"),
                    }
                    if profile == Profile::FirstBlock && old.len() > 4096 {
                        assert_eq!(new[4096..], old[4096..], "{name}: {path}");
                    }
                    if profile == Profile::LockFile && old.len() >= 32 {
                        assert_eq!(new[16..32], old[16..32], "{name}: {path}");
                    }
                }
            }
        }
    }
}

#[test]
fn benign_workloads_run_and_a_colleague_keeps_working() {
    let Some(server) = server(Fs::Ext4) else {
        return;
    };
    content::populate(&server.share_dir(), 2, 4).unwrap();
    benign::prepare(&server.share_dir()).unwrap();
    server.open_permissions().unwrap();
    let colleague = server.target(USER_B, "OFFICE-PC");
    let log = OpLog::new(None);
    for workload in Workload::ALL {
        let ops = benign::run(&colleague, workload, 5, &log)
            .unwrap_or_else(|e| panic!("{}: {e}", workload.name()));
        assert!(ops > 0, "{}", workload.name());
    }
    assert!(!server.share_dir().join("tmp_build").exists());
    let docx = std::fs::read(server.share_dir().join("資料/営業/提案書_000.docx")).unwrap();
    assert!(zip::ZipArchive::new(std::io::Cursor::new(docx)).is_ok());

    let attacker = server.target(USER_A, "ATTACK-PC");
    let opts = AttackOptions {
        root: "資料".into(),
        ..Default::default()
    };
    let (attack, editor) = benign::mixed::run(
        &attacker,
        &colleague,
        Profile::InPlace,
        &opts,
        &OpLog::new(None),
        &OpLog::new(None),
        8,
    )
    .unwrap();
    assert!(!attack.damaged.is_empty());
    assert!(editor.failures.is_empty(), "{:?}", editor.failures);
    assert!(editor.rounds >= 8);
}

#[test]
fn btrfs_share_serves_too() {
    let Some(server) = server(Fs::Btrfs) else {
        return;
    };
    content::victim_folder(&server.share_dir(), "x", 5, 1).unwrap();
    server.open_permissions().unwrap();
    let report = profiles::run(
        &server.target(USER_A, "ATTACK-PC"),
        Profile::InPlace,
        &AttackOptions::default(),
        &OpLog::new(None),
    )
    .unwrap();
    assert_eq!(report.damaged.len(), 5);
}

#[test]
fn a_copy_in_as_windows_does_writes_the_whole_file() {
    let Some(server) = server(Fs::Ext4) else {
        return;
    };
    // An older, longer file of a name the copy takes: replaced whole.
    std::fs::write(server.share_dir().join("older.bin"), vec![1u8; 64 * 1024]).unwrap();
    server.open_permissions().unwrap();
    let session =
        mamori_attack::smb::SmbSession::connect(&server.target(USER_B, "OFFICE-PC")).unwrap();
    let bytes: Vec<u8> = (0..16 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
    session.copy_in("copied.bin", &bytes).unwrap();
    session.copy_in("older.bin", &bytes).unwrap();
    for name in ["copied.bin", "older.bin"] {
        assert_eq!(
            std::fs::read(server.share_dir().join(name)).unwrap(),
            bytes,
            "{name}"
        );
    }
}

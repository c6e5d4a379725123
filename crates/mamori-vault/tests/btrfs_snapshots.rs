//! Snapshots on a real loop-mounted btrfs (root + btrfs-progs; skips otherwise),
//! and a reflink store on it.

use mamori_vault::snapshot::{Snapshots, LABEL_DETECTION, LABEL_SCHEDULED};
use mamori_vault::{Reason, Vault, VaultConfig};
use std::process::Command;
use std::time::Duration;

fn ok(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

struct Mount(std::path::PathBuf);
impl Drop for Mount {
    fn drop(&mut self) {
        if !ok("umount", &[self.0.to_str().unwrap()]) {
            ok("umount", &["-l", self.0.to_str().unwrap()]);
        }
    }
}

#[test]
fn snapshots_and_reflinks_on_btrfs() {
    // SAFETY: no preconditions.
    if unsafe { libc::geteuid() } != 0 || !mamori_vault::snapshot::btrfs_available() {
        eprintln!("skipping: needs root and btrfs-progs");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("b.img");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    assert!(ok("truncate", &["-s", "256M", image.to_str().unwrap()]));
    assert!(ok("mkfs.btrfs", &["-q", image.to_str().unwrap()]));
    assert!(ok(
        "mount",
        &["-o", "loop", image.to_str().unwrap(), mnt.to_str().unwrap()]
    ));
    let _mount = Mount(mnt.clone());
    let share = mnt.join("share");
    std::fs::create_dir_all(share.join("経理")).unwrap();
    std::fs::write(share.join("経理/請求書.txt"), "v1").unwrap();

    let snapshots = Snapshots::for_share("経理共有", &share).unwrap().unwrap();
    assert!(!snapshots.dir().starts_with(&share));
    let first = snapshots
        .take_if_due(Duration::from_secs(3600))
        .unwrap()
        .unwrap();
    assert!(snapshots
        .take_if_due(Duration::from_secs(3600))
        .unwrap()
        .is_none());
    std::fs::write(share.join("経理/請求書.txt"), "v2").unwrap();
    std::thread::sleep(Duration::from_millis(5));
    let second = snapshots.take(LABEL_DETECTION).unwrap();
    let list = snapshots.list().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].label, LABEL_SCHEDULED);
    let old = snapshots.path_in(&first, "経理/請求書.txt");
    assert_eq!(std::fs::read_to_string(old).unwrap(), "v1");
    let before_second = snapshots.latest_before(second.taken_at).unwrap().unwrap();
    assert_eq!(before_second.path, first.path);
    // Read-only.
    assert!(std::fs::write(snapshots.path_in(&second, "x"), "x").is_err());
    assert_eq!(snapshots.prune(0, Duration::from_secs(3600)).unwrap(), 1);
    assert_eq!(snapshots.list().unwrap().len(), 1);

    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let vault = Vault::open(&state, VaultConfig::default()).unwrap();
    let store = vault.register_share("経理共有", &share).unwrap();
    assert!(store.dir.starts_with(&mnt) && !store.dir.starts_with(&share));
    let v = vault
        .preserve_path("経理共有", "経理/請求書.txt", Reason::Write, "s")
        .unwrap()
        .unwrap();
    assert_eq!(store.reflinks(), Some(true));
    std::fs::write(share.join("経理/請求書.txt"), "encrypted").unwrap();
    let version = vault.version(&v.0).unwrap().unwrap();
    assert_eq!(std::fs::read_to_string(&version.object).unwrap(), "v2");
    // A link needs the same subvolume: possible here.
    let link = vault
        .preserve_path("経理共有", "経理/請求書.txt", Reason::Open, "t")
        .unwrap();
    assert!(link.is_some());

    // The guard's upkeep thread: a scheduled snapshot when due, a detection
    // snapshot on demand.
    let vault = std::sync::Arc::new(vault);
    let upkeep = mamori_vault::Maintenance::start(
        vault,
        &[("経理共有".to_string(), share.clone())],
        mamori_vault::MaintenanceConfig {
            snapshot_every: Duration::from_millis(1),
            ..Default::default()
        },
    );
    assert!(upkeep.has_snapshots("経理共有"));
    upkeep.on_detection("経理共有");
    let mut seen = 0;
    for _ in 0..50 {
        let list = snapshots.list().unwrap();
        seen = list.iter().filter(|s| s.label == LABEL_SCHEDULED).count();
        if seen >= 1 && list.iter().any(|s| s.label == LABEL_DETECTION) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(seen >= 1);
    drop(upkeep);
}

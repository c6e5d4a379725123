//! Benchmark of the vault and of restore on a loop-mounted filesystem
//! (run by `scripts/bench-restore`, as root):
//!   bench_restore [ext4|btrfs] [FILES]
//! 1. a share of FILES files (the demo share of mamori-samples, replicated);
//! 2. benign rewrite of every file without, then with, a vault version
//!    before each first write (the guard's per-write cost, no SMB);
//! 3. vault space: logical bytes and blocks really used;
//! 4. an attack encrypting every file, then `restore` timed, then every
//!    file checked byte-identical.
//!
//! Prints one JSON line.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use mamori_journal::Journal;
use mamori_restore::{restore, NoProgress, RestoreOptions};
use mamori_vault::{Reason, Vault, VaultConfig};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

fn rewrite_all(root: &Path, files: &[String], vault: Option<&Vault>) -> f64 {
    let started = Instant::now();
    for rel in files {
        let path = root.join(rel);
        let bytes = std::fs::read(&path).unwrap();
        if let Some(vault) = vault {
            let file = File::open(&path).unwrap();
            vault
                .preserve_fd("share", rel, &file, Reason::Write, "smbd:benign")
                .unwrap();
        }
        let mut out = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        out.write_all(&bytes).unwrap();
    }
    // Writeback included, as a file server would eventually pay it.
    run("sync", &[]);
    started.elapsed().as_secs_f64()
}

/// Bytes in use on the filesystem of `path` (shared reflink extents count
/// once, unlike `du`).
fn used_bytes(path: &Path) -> u64 {
    let out = std::process::Command::new("df")
        .args(["--output=used", "-B1"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("btrfs")
        .to_string();
    let wanted: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let mkfs = if kind == "btrfs" {
        "mkfs.btrfs"
    } else {
        "mkfs.ext4"
    };
    if let Some(why) = cannot_mount(mkfs) {
        eprintln!("bench_restore: {why}");
        std::process::exit(2);
    }
    let fs = LoopFs::new(&kind, 2048);
    let root = fs.mnt.join("share");
    let template = fs.dir.path().join("template");
    mamori_samples::generate(&template, &mamori_samples::ShareSpec::demo()).unwrap();
    let template_files: Vec<String> = snapshot_tree(&template).into_keys().collect();
    let mut files = Vec::new();
    'fill: for copy in 0.. {
        for rel in &template_files {
            if files.len() >= wanted {
                break 'fill;
            }
            let new = format!("部署{copy:03}/{rel}");
            let dst = root.join(&new);
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            std::fs::copy(template.join(rel), &dst).unwrap();
            files.push(new);
        }
    }
    let share_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(root.join(f)).unwrap().len())
        .sum();
    run("sync", &[]);
    let state = fs.dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let vault = Vault::open(&state, quiet_config()).unwrap();
    let store = vault.register_share("share", &root).unwrap();

    // Warm the page cache once so both passes start alike.
    rewrite_all(&root, &files, None);
    let plain = rewrite_all(&root, &files, None);
    let used_before = used_bytes(&fs.mnt);
    let with_vault = rewrite_all(&root, &files, Some(&vault));
    run("sync", &[]);
    let vault_logical = vault.total_bytes();
    let vault_physical = used_bytes(&fs.mnt).saturating_sub(used_before);

    let before = snapshot_tree(&root);
    let journal = Journal::open(&state);
    let mut attacker = Attacker::start(&vault, &journal, "share", &root);
    for (i, rel) in files.iter().enumerate() {
        attacker.encrypt_in_place(rel, i % 2 == 0);
        if i % 100 == 99 {
            attacker.flush();
        }
    }
    attacker.flush();
    run("sync", &[]);
    let started = Instant::now();
    let report = restore(
        &state,
        "latest",
        &RestoreOptions {
            dry_run: false,
            progress: &NoProgress,
        },
    )
    .unwrap();
    let restore_s = started.elapsed().as_secs_f64();
    let after = snapshot_tree(&root);
    let identical = files
        .iter()
        .filter(|f| before.get(*f) == after.get(*f))
        .count();
    println!(
        "{{\"fs\":\"{kind}\",\"files\":{},\"share_bytes\":{share_bytes},\"rewrite_plain_s\":{plain:.3},\"rewrite_vault_s\":{with_vault:.3},\"vault_overhead_pct\":{:.1},\"vault_kind\":\"{}\",\"vault_logical_bytes\":{vault_logical},\"vault_physical_bytes\":{vault_physical},\"restored\":{},\"failed\":{},\"restore_s\":{restore_s:.3},\"identical\":{identical}}}",
        files.len(),
        (with_vault / plain - 1.0) * 100.0,
        if store.reflinks() == Some(true) { "reflink" } else { "copy" },
        report.restored.len(),
        report.failed.len(),
    );
}

/// No background link sweep: tests decide when files are linked.
fn quiet_config() -> VaultConfig {
    VaultConfig {
        sweep_on_register: false,
        ..VaultConfig::default()
    }
}

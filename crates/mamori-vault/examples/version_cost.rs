//! What one vault operation costs, locally (no SMB): run by
//! `scripts/bench-restore --smb` next to the SMB figures, which a loaded
//! machine makes too noisy to see a few percent in.
//!   version_cost DIR [FILES]   (DIR on the filesystem to measure)
//! Prints one JSON line: microseconds per operation for
//! - `preserve_16k`: a version of an existing 16 KB file (reflink or copy
//!   + xattrs + times + index row), the synchronous cost of an overwrite;
//! - `index_row`: a version of an empty file (index row only);
//! - `link_new`: linking a new file (link + index row, batched as the
//!   guard's `vault-links` thread does), off the writer's path.

use mamori_vault::{Reason, Vault, VaultConfig};
use std::fs::File;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: version_cost DIR [FILES]");
        std::process::exit(2);
    };
    let files: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(2000);
    let share = dir.join("share");
    let state = dir.join("state");
    let _ = std::fs::remove_dir_all(&share);
    let _ = std::fs::remove_dir_all(&state);
    let _ = std::fs::remove_dir_all(dir.join(".mamori-vault"));
    std::fs::create_dir_all(share.join("full")).unwrap();
    std::fs::create_dir_all(share.join("empty")).unwrap();
    std::fs::create_dir_all(share.join("new")).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let body = vec![b'x'; 16 * 1024];
    for i in 0..files {
        std::fs::write(share.join(format!("full/{i}.bin")), &body).unwrap();
        File::create(share.join(format!("empty/{i}.bin"))).unwrap();
        std::fs::write(share.join(format!("new/{i}.bin")), &body).unwrap();
    }
    let _ = std::process::Command::new("sync").status();
    let config = VaultConfig {
        sweep_on_register: false,
        ..VaultConfig::default()
    };
    let vault = Vault::open(&state, config).unwrap();
    let store = vault.register_share("s", &share).unwrap();
    let per = |started: Instant| started.elapsed().as_secs_f64() * 1e6 / files as f64;

    let started = Instant::now();
    for i in 0..files {
        let rel = format!("full/{i}.bin");
        let file = File::open(share.join(&rel)).unwrap();
        vault
            .preserve_fd("s", &rel, &file, Reason::Write, "bench")
            .unwrap();
    }
    let preserve = per(started);

    let started = Instant::now();
    for i in 0..files {
        let rel = format!("empty/{i}.bin");
        let file = File::open(share.join(&rel)).unwrap();
        vault
            .preserve_fd("s", &rel, &file, Reason::Write, "bench")
            .unwrap();
    }
    let index_row = per(started);

    let names: Vec<String> = (0..files).map(|i| format!("new/{i}.bin")).collect();
    let started = Instant::now();
    for batch in names.chunks(50) {
        vault.link_new("s", batch).unwrap();
    }
    let link = per(started);

    println!(
        "{{\"files\":{files},\"kind\":\"{}\",\"preserve_16k_us\":{preserve:.0},\"index_row_us\":{index_row:.0},\"link_new_us\":{link:.0}}}",
        match store.reflinks() {
            Some(true) => "reflink",
            _ => "copy",
        }
    );
    drop(vault);
    let _ = std::fs::remove_dir_all(&share);
    let _ = std::fs::remove_dir_all(&state);
    let _ = std::fs::remove_dir_all(&store.dir);
}

#![cfg(feature = "vault")]
//! The guard's own files raise no permission events of its own (loop-mounted
//! ext4 image with the state directory, hence the vault's store, on it; root
//! only, skipped with a reason otherwise): each vault copy before a first
//! overwrite was two round trips to its own reader (the object's open and
//! its first write) while the writer waited, and each alert or index write
//! one more. What is left are a few opens at start-up, however many files
//! are copied.

use std::process::Command;

mod common;
use common::{fresh_share, guard_beside, guard_stopped};

#[test]
fn vault_copies_and_the_state_folder_raise_no_events_of_the_guards_own() {
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    for i in 0..40 {
        std::fs::write(share.join(format!("doc{i}.txt")), format!("document {i}\n")).unwrap();
    }
    let Some((guard, state)) = guard_beside(&mounted, &share) else {
        return;
    };
    let overwrite = Command::new("sh")
        .arg("-c")
        // One writer, as an smbd is: its descriptors are kept for the
        // probes after the closes (short-lived writers' files are opened
        // again by path for theirs, two events each).
        .arg("for f in doc*.txt; do printf 'edited\\n' 1<> $f; done")
        .current_dir(&share)
        .status()
        .unwrap();
    assert!(overwrite.success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    guard.stop();

    let stopped = guard_stopped(&state);
    let count = |key: &str| stopped[key].as_u64().unwrap_or(0);
    let vault = mamori_vault::Vault::open(&state, Default::default()).unwrap();
    let copies = (0..40)
        .filter(|i| {
            vault
                .versions_of("docs", &format!("doc{i}.txt"))
                .unwrap()
                .iter()
                .any(|v| v.reason == mamori_vault::Reason::Write)
        })
        .count();
    assert_eq!(copies, 40, "every first overwrite kept: {stopped}");
    assert!(
        count("own_events") < 20,
        "the guard's own events grow with its copies: {stopped}"
    );
}

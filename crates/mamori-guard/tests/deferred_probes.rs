//! Deferred probes of new files on a loop-mounted ext4 image (root only;
//! skipped with a reason otherwise): a calm creator's new files are not
//! probed at their close, and an attacker who writes an encrypted copy
//! under a name that gives nothing away, then deletes the original, is
//! still caught by the pairing of the two: the copy's probe is taken
//! before the delete is judged.

use std::process::Command;
use std::time::Duration;

mod common;
use common::{detection_reason, fresh_share, guard_beside};

fn sh(script: &str) {
    let status = Command::new("sh").arg("-c").arg(script).status().unwrap();
    assert!(status.success(), "{script}");
}

#[test]
fn a_calm_creator_s_files_wait_and_a_copy_then_delete_is_still_paired() {
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    // An existing document (a zip's local header, then text).
    let mut doc = b"PK\x03\x04".to_vec();
    doc.extend(b"word/document.xml ".repeat(400));
    std::fs::write(share.join("report.docx"), &doc).unwrap();
    let Some((guard, state)) = guard_beside(&mounted, &share) else {
        return;
    };

    // A copy into the share: random content, names of no note or text.
    sh(&format!(
        "cd {}; for i in $(seq 1 20); do head -c 16384 /dev/urandom > copy$i.bin; done",
        share.display()
    ));
    std::thread::sleep(Duration::from_millis(300));
    // Write-new-then-delete with an unknown extension, by one process
    // that lives on a moment (a local process is attributed while it
    // lives: a quick `rm` would be gone, and anonymous, when its delete is
    // read, and share no key with the writer).
    sh(&format!(
        "cd {}; exec 3> report.docx.x7q; head -c 8000 /dev/urandom >&3; exec 3>&-; \
         exec perl -e 'unlink \"report.docx\" or die; sleep 1'",
        share.display()
    ));
    std::thread::sleep(Duration::from_millis(500));
    let summary = guard.stop();
    eprintln!(
        "deferred {} taken {}",
        summary.probes_deferred, summary.deferred_probes_taken
    );
    assert!(summary.probes_deferred >= 20, "{summary:?}");
    assert!(summary.deferred_probes_taken >= 1, "{summary:?}");

    let reason = detection_reason(&state);
    assert!(
        reason.contains("encrypted copy written, original deleted"),
        "{reason}"
    );
}

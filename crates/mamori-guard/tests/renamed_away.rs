#![cfg(feature = "vault")]
//! An encryptor's step done at once — overwrite a file, close it, rename
//! it — must still be judged by the new content: the close event names a
//! path that is gone by the time the main loop reads it, and the close
//! now waits for its rename to probe the file where it went
//! (`core/renamed_away.rs`). On a loop-mounted ext4 image (root only;
//! skipped with a reason otherwise).

use rand::SeedableRng;
use std::process::Command;
use std::time::Duration;

mod common;
use common::{detection_reason, fresh_share, guard_beside};

#[test]
fn an_overwrite_renamed_at_once_is_judged_by_its_content() {
    let Some((mounted, share)) = fresh_share() else {
        return;
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(25);
    let photo = mamori_attack::content::jpeg(&mut rng, 64 * 1024);
    std::fs::write(share.join("photo.jpg"), photo).unwrap();
    let Some((guard, state)) = guard_beside(&mounted, &share) else {
        return;
    };
    // One process (attributed while it lives on a moment): random bytes
    // over the photo in place, close, rename to an unknown extension.
    let script = format!(
        r#"open(my $r, "<", "/dev/urandom") or die; read($r, my $b, 65536) == 65536 or die;
           chdir("{}") or die;
           open(my $f, "+<", "photo.jpg") or die; print $f $b; close($f) or die;
           rename("photo.jpg", "photo.jpg.x7k") or die; sleep 1;"#,
        share.display()
    );
    let status = Command::new("perl").arg("-e").arg(script).status().unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    guard.stop();

    let reason = detection_reason(&state);
    assert!(reason.contains("looks like encryption"), "{reason}");
}

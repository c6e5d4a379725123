//! An attack by user A while user B keeps editing: B must never be blocked.
//!
//! libsmbclient is not thread safe, so the attacker runs in a forked child
//! (its report goes to a file) while this process edits as B until the
//! attacker is done, and at least `min_rounds` times.

use super::{office_save, Ops};
use crate::log::OpLog;
use crate::profiles::{self, AttackOptions, AttackReport, Profile};
use crate::smb::{SmbSession, SmbTarget};
use crate::{AttackError, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// What the colleague did and what failed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EditorReport {
    pub rounds: usize,
    pub ops: usize,
    /// Every operation of B that failed, with the reason.
    pub failures: Vec<String>,
}

/// Runs `profile` as `attacker` while `editor` saves Office files in its
/// own folder `共有/B作業/` (creating them first).
pub fn run(
    attacker: &SmbTarget,
    editor: &SmbTarget,
    profile: Profile,
    opts: &AttackOptions,
    attacker_log: &OpLog,
    editor_log: &OpLog,
    min_rounds: usize,
) -> Result<(AttackReport, EditorReport)> {
    if let Some(reason) = crate::smb::unavailable_reason() {
        return Err(AttackError::Unavailable(reason));
    }
    let report_dir = tempfile::tempdir().map_err(|e| AttackError::Setup(e.to_string()))?;
    let report_path = report_dir.path().join("attack.json");
    // SAFETY: the child only does SMB work and writes one file, then _exit.
    let pid = crate::smb::fork();
    if pid < 0 {
        return Err(AttackError::Setup("fork failed".into()));
    }
    if pid == 0 {
        let text = match profiles::run(attacker, profile, opts, attacker_log) {
            Ok(r) => serde_json::to_string(&r).unwrap_or_default(),
            Err(e) => format!("error: {e}"),
        };
        let _ = std::fs::write(&report_path, text);
        unsafe { libc::_exit(0) };
    }
    let mut editor_report = EditorReport::default();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xb0b);
    let mut attacker_done = false;
    match SmbSession::connect(editor) {
        Ok(session) => {
            let ops = Ops {
                session: &session,
                log: editor_log,
                count: std::cell::Cell::new(0),
            };
            if let Err(e) = ops.mkdir("共有/B作業") {
                editor_report.failures.push(e.to_string());
            }
            while !attacker_done || editor_report.rounds < min_rounds {
                let i = editor_report.rounds;
                let path = format!("共有/B作業/議事録_{:02}.docx", i % 5);
                let result = if i < 5 {
                    crate::content::docx("議事録\n初版").and_then(|b| ops.write(&path, &b))
                } else {
                    office_save(&ops, &path, i, &mut rng)
                };
                if let Err(e) = result {
                    editor_report.failures.push(format!("{path}: {e}"));
                }
                editor_report.rounds += 1;
                std::thread::sleep(Duration::from_millis(100));
                if !attacker_done {
                    let mut status = 0;
                    // SAFETY: waiting for our own child without blocking.
                    attacker_done =
                        unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid;
                }
            }
            editor_report.ops = ops.count.get();
        }
        Err(e) => editor_report.failures.push(format!("connect: {e}")),
    }
    if !attacker_done {
        let mut status = 0;
        // SAFETY: reaping our own child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
    }
    let text = std::fs::read_to_string(&report_path).unwrap_or_default();
    let attack: AttackReport = serde_json::from_str(&text)
        .map_err(|_| AttackError::Setup(format!("attacker failed: {text}")))?;
    Ok((attack, editor_report))
}

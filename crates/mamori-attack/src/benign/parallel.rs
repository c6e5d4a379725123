//! One user, several SMB sessions at once (two PCs, Explorer and Office,
//! a sync tool): each session rewrites existing Office files in place with
//! new, valid content. The guard's verdict barrier is per user across
//! sessions, so this is where that costs time; it must never alarm.
//!
//! libsmbclient is not thread safe: each session runs in a forked child
//! that connects on its own and reports its operation count (or its first
//! error) over a pipe.

use super::Ops;
use crate::content::{docx, xlsx};
use crate::log::OpLog;
use crate::smb::{SmbSession, SmbTarget};
use crate::{AttackError, Result};

/// Parallel sessions, and files each rewrites.
pub const SESSIONS: usize = 4;
pub const FILES_EACH: usize = 6;

pub fn run(target: &SmbTarget, seed: u64, log: &OpLog) -> Result<usize> {
    if let Some(reason) = crate::smb::unavailable_reason() {
        return Err(AttackError::Unavailable(reason));
    }
    let texts =
        crate::smb::in_forked_children(SESSIONS, |s| match session(target, s, seed, log) {
            Ok(n) => n.to_string(),
            Err(e) => format!("error: {e}"),
        })?;
    let mut ops = 0;
    let mut first_error = None;
    for text in texts {
        match text.parse::<usize>() {
            Ok(n) => ops += n,
            Err(_) => {
                first_error.get_or_insert(text);
            }
        }
    }
    match first_error {
        Some(e) => Err(AttackError::Setup(format!("parallel-edit session: {e}"))),
        None => Ok(ops),
    }
}

/// Session `s` rewrites its share of the visible .docx/.xlsx files.
fn session(target: &SmbTarget, s: usize, seed: u64, log: &OpLog) -> Result<usize> {
    let session = SmbSession::connect(target)?;
    let w = Ops {
        session: &session,
        log,
        count: std::cell::Cell::new(0),
    };
    let mut files: Vec<String> = session
        .walk("")?
        .into_iter()
        .filter(|f| {
            !f.hidden
                && !f.path.starts_with("tmp_build")
                && (f.path.ends_with(".docx") || f.path.ends_with(".xlsx"))
        })
        .map(|f| f.path)
        .collect();
    files.sort();
    let mine = files
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % SESSIONS == s)
        .take(FILES_EACH)
        .map(|(_, p)| p);
    for (i, path) in mine.enumerate() {
        let content = if path.ends_with(".xlsx") {
            xlsx(&[vec!["更新".into(), format!("{s}-{i}"), seed.to_string()]])?
        } else {
            docx(&format!("改訂版 {s}-{i}\n共同編集で内容を更新しました。"))?
        };
        let _ = w.read(&path)?;
        w.write(&path, &content)?;
    }
    Ok(w.count.get())
}

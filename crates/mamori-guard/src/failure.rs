//! A failing thread ends the guard, loudly.
//!
//! Every thread holds part of the protection: a permission reader that
//! panics drops its group on the way out (the kernel then allows every
//! open: fail-open, but silent), dead workers shrink the pool until the
//! full queue allows everything, a dead notification reader ends the main
//! loop as if the guard had been stopped. Half a guard that looks whole is
//! worse than none that says so. So with [`exit_loudly_on_panic`] a panic
//! in any thread writes a `guard_failed` alert and exits the process
//! (status 70): the kernel drops the groups (fail-open), the holds'
//! watchdog continues held sessions, the pid file stays, so the next start
//! alerts `guard_unclean` through every channel, and the service manager
//! starts it again (`packaging/mamori-guard.service`). Only the journal
//! line is written from the hook: the channels may wait on the network
//! while an smbd waits on the dying guard's unanswered event.

use mamori_alert::{Alert, Alerter};
use mamori_core::Lang;
use std::path::PathBuf;

/// The exit status of a guard ended by a panic (`EX_SOFTWARE`).
pub const PANIC_EXIT: i32 = 70;

/// Installs the process-wide panic hook (the binary does, before
/// [`crate::run`]; library users decide for themselves).
pub fn exit_loudly_on_panic(state_dir: PathBuf, lang: Lang) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        let alert = panic_alert(&thread, &info.to_string());
        if let Err(e) = Alerter::new(&state_dir).emit_journal(&alert) {
            eprintln!("mamori guard: {e}");
        }
        eprintln!("mamori guard: {}", alert.message(lang));
        std::process::exit(PANIC_EXIT);
    }));
}

fn panic_alert(thread: &str, what: &str) -> Alert {
    Alert::new(
        "guard_failed",
        format!(
            "mamori guard のスレッド {thread} が異常終了したため、ガードを終了しました。再起動するまで共有は保護されていません: {what}"
        ),
        format!(
            "mamori guard thread {thread} failed and the guard exited; the shares are not protected until it is started again: {what}"
        ),
    )
    .with("pid", std::process::id())
    .with("thread", thread)
    .with("reason", what)
}

/// `MAMORI_GUARD_FAULT=panic` (for tests): a thread of the guard panics
/// once it is ready, as a bug would.
pub(crate) fn inject_if_asked() {
    if std::env::var_os("MAMORI_GUARD_FAULT").is_some_and(|v| v == "panic") {
        let _ = std::thread::Builder::new()
            .name("fault".into())
            .spawn(|| panic!("fault injected by MAMORI_GUARD_FAULT"));
    }
}

/// `MAMORI_GUARD_FAULT=lose-writes` (for tests): the main loop takes every
/// close after writing for lost in an overflow, so that what the rescan
/// makes of lost closes can be seen (`core/overflow.rs`).
pub(crate) fn losing_writes() -> bool {
    std::env::var_os("MAMORI_GUARD_FAULT").is_some_and(|v| v == "lose-writes")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_alert_names_the_thread_and_says_the_shares_are_unprotected() {
        let alert = super::panic_alert("perm-reader", "index out of bounds");
        let line = alert.to_json().to_string();
        assert!(line.contains("\"kind\":\"guard_failed\""), "{line}");
        assert!(line.contains("perm-reader") && line.contains("index out of bounds"));
        assert!(alert
            .message(mamori_core::Lang::Ja)
            .contains("保護されていません"));
    }
}

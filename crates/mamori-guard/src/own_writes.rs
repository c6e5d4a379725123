//! The guard's own writes into the shares, from a descriptor table of
//! their own.
//!
//! A file the guard writes in a share (a decoy, a rollback's restored
//! file) is open in the process's descriptor table for a moment. A child
//! that another thread forks in that moment (`smbstatus`, `smbcontrol`, a
//! hook, `btrfs` — or, when the guard runs inside a larger process such as
//! the tests, anything that process spawns) gets a copy of the table and
//! drops its copy of the descriptor at `exec` (close-on-exec). If the guard
//! closed its own first, that drop is the file's last close: the kernel
//! reports the close after writing with the *child's* pid, and the guard
//! took the child for somebody writing a decoy — a false `decoy`
//! detection, seen once in about thirty runs of `tests/lost_events.rs`
//! (the guard on a thread of the test process, the other tests spawning
//! perl workers). Opened on a thread whose descriptor table is its own
//! (`close_range(3, ~0, CLOSE_RANGE_UNSHARE)`: the table copied, every
//! inherited descriptor but the standard three closed in the copy), such a
//! file is in no table anybody forks, so its last close is always ours.
//!
//! Work run so must use paths only: a descriptor opened elsewhere is not
//! in its table (and its number may name one of the work's own files).
//! And no SQLite: its unix VFS shares descriptors between connections of
//! one process (a connection's descriptor closed later by another), which
//! assumes one table. That is why a rollback's restored files are still
//! written from the process's table: a child can be named as their writer,
//! but a restored file holds its original content, which judges as benign.

/// Runs `work` on a thread with a descriptor table of its own (module
/// doc) and returns its result. If that thread cannot be made, `work` runs
/// here (as before this existed) and the reason is logged.
pub fn with_own_descriptors<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let mut work = Some(work);
    let spawned = std::thread::scope(|scope| {
        let slot = &mut work;
        std::thread::Builder::new()
            .name("own-writes".into())
            .spawn_scoped(scope, move || {
                if let Err(e) = unshare_descriptors() {
                    tracing::warn!("own descriptor table for the guard's writes: {e}");
                }
                at_normal_priority();
                slot.take().map(|work| work())
            })
            .map(|handle| handle.join())
    });
    match spawned {
        Ok(Ok(Some(result))) => result,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Ok(Ok(None)) | Err(_) => {
            if let Err(e) = &spawned {
                tracing::warn!("own-writes thread: {e}; writing from this one");
            }
            // Not taken by the thread (it could not start): run it here.
            match work.take() {
                Some(work) => work(),
                None => unreachable_work(),
            }
        }
    }
}

/// The thread took the work and returned nothing: impossible, since it
/// returns the work's result whenever it took it.
#[cold]
fn unreachable_work() -> ! {
    panic!("own-writes: the work was taken but gave no result")
}

/// A thread inherits its starter's policy, and the main loop may be idle
/// (`lazy.rs`) when it refreshes decoys: the caller now sleeps in `join`,
/// where the starvation watch cannot see it wait, so the work itself runs
/// at normal priority (it is rare and small). Refused without
/// `CAP_SYS_NICE`: then it keeps the inherited policy.
fn at_normal_priority() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: sets this thread's own policy; `param` is valid.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_OTHER, &param) };
}

/// This thread's descriptor table becomes a copy of the process's with
/// every descriptor from 3 up closed (Linux 5.9+, as fanotify with names).
fn unshare_descriptors() -> std::io::Result<()> {
    const CLOSE_RANGE_UNSHARE: libc::c_long = 1 << 1;
    // SAFETY: a plain syscall with integer arguments; it closes descriptors
    // in this thread's new private table only.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3 as libc::c_uint,
            libc::c_uint::MAX,
            CLOSE_RANGE_UNSHARE,
        )
    };
    match rc {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::{AsRawFd, IntoRawFd};

    fn is_open(fd: i32) -> bool {
        // SAFETY: F_GETFD on any number only reads its flags.
        unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
    }

    /// (device, inode) of what `fd` names in this thread's table.
    fn identity(fd: i32) -> Option<(u64, u64)> {
        // SAFETY: zeroed stat is a valid out-buffer.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        (unsafe { libc::fstat(fd, &mut st) } == 0).then_some((st.st_dev, st.st_ino))
    }

    #[test]
    fn descriptors_opened_inside_are_in_no_table_outside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decoy.docx");
        let outside = std::fs::File::open(dir.path()).unwrap();
        let (seen_outside, leaked) = with_own_descriptors(|| {
            let seen = is_open(outside.as_raw_fd());
            // Left open on purpose: it must not reach the process's table.
            let file = std::fs::File::create(&path).unwrap();
            (seen, file.into_raw_fd())
        });
        assert!(!seen_outside, "the process's descriptors are closed inside");
        // The number may name something else here, never the work's file.
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(&path).unwrap();
        assert_ne!(
            identity(leaked),
            Some((meta.dev(), meta.ino())),
            "a descriptor of the work's table leaked into the process's"
        );
        assert!(is_open(outside.as_raw_fd()), "outside descriptors stay");
        assert!(path.exists());
    }

    #[test]
    fn the_work_runs_at_normal_priority_whatever_its_caller_runs_at() {
        let param = libc::sched_param { sched_priority: 0 };
        let policy = std::thread::spawn(move || {
            // SAFETY: this test thread's own policy.
            let idle = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0;
            // SAFETY: reads the calling thread's policy.
            let inside = with_own_descriptors(|| unsafe { libc::sched_getscheduler(0) });
            (idle, inside)
        })
        .join()
        .unwrap();
        // Back from idle needs CAP_SYS_NICE (root): otherwise only said.
        match policy {
            (true, inside) if crate::lazy::can_leave_idle() => {
                assert_eq!(inside, libc::SCHED_OTHER)
            }
            _ => eprintln!("skipped: cannot switch policies here"),
        }
    }

    #[test]
    fn the_result_comes_back_and_a_panic_goes_on() {
        assert_eq!(with_own_descriptors(|| 6 * 7), 42);
        let caught = std::panic::catch_unwind(|| with_own_descriptors(|| panic!("inside")));
        assert!(caught.is_err());
    }
}

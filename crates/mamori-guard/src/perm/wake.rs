//! Waking the permission readers from their blocking `read` (or `poll`)
//! when the guard stops: a signal to each reader's thread (the wait then
//! fails with `EINTR`, and the reader sees the stop flag). Why a signal: a
//! reader waits on its one group with no timeout, so that each batch costs
//! one wake-up and no timer; nothing else can end that wait but an event.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

/// Ignored by default, so a stray one harms nothing; the guard never asks
/// for it on a socket (no `F_SETOWN`).
const WAKE_SIGNAL: libc::c_int = libc::SIGURG;
/// How often, and how many times, the stop is signalled: a signal that
/// lands between a reader's look at the flag and its `read` is lost.
const WAKE_EVERY: Duration = Duration::from_millis(10);
const WAKE_TRIES: u32 = 100;

extern "C" fn on_wake(_: libc::c_int) {}

/// The permission readers' threads still running, for [`ReaderWake::wake`].
#[derive(Default)]
pub(crate) struct ReaderWake {
    /// Thread ids of the readers that registered and have not left yet:
    /// a tid is signalled only while its thread runs (so never reused).
    live: Mutex<Vec<i32>>,
    registered: AtomicBool,
}

impl ReaderWake {
    /// Called by each reader's thread before its loop; its thread id, for
    /// [`ReaderWake::exited`].
    pub(crate) fn register(&self) -> i32 {
        static HANDLER: Once = Once::new();
        HANDLER.call_once(|| {
            // SAFETY: the handler does nothing; without SA_RESTART a read
            // it interrupts returns EINTR.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_wake as *const () as usize;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(WAKE_SIGNAL, &action, std::ptr::null_mut());
            }
        });
        // SAFETY: plain syscall.
        let tid = unsafe { libc::gettid() };
        if let Ok(mut live) = self.live.lock() {
            live.push(tid);
        }
        self.registered.store(true, Ordering::Release);
        tid
    }

    /// Called by a reader once it let go of its group (`tid`: what
    /// [`ReaderWake::register`] returned).
    pub(crate) fn exited(&self, tid: i32) {
        if let Ok(mut live) = self.live.lock() {
            live.retain(|&t| t != tid);
        }
    }

    /// After the stop flag is set: signals the readers until every one has
    /// let go of its group (at most about a second).
    pub(crate) fn wake(&self) {
        if !self.registered.load(Ordering::Acquire) {
            return;
        }
        for _ in 0..WAKE_TRIES {
            let Ok(live) = self.live.lock() else {
                return;
            };
            if live.is_empty() {
                return;
            }
            for &tid in live.iter() {
                // SAFETY: tgkill on a thread of our own process; the tid is
                // in `live` only while its thread runs (it leaves the list
                // under this lock before it ends).
                unsafe {
                    libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, WAKE_SIGNAL);
                }
            }
            drop(live);
            std::thread::sleep(WAKE_EVERY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::sync::Arc;

    #[test]
    fn a_thread_blocked_in_read_is_woken_and_leaves() {
        let mut fds = [0; 2];
        // SAFETY: a fresh pipe; both ends are owned below.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let (read_end, _write_end) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let wake = Arc::new(ReaderWake::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (registered, is_registered) = std::sync::mpsc::channel();
        let reader = {
            let (wake, stop) = (wake.clone(), stop.clone());
            std::thread::spawn(move || {
                let tid = wake.register();
                registered.send(()).unwrap();
                let mut reads = 0;
                let mut byte = [0u8; 1];
                // Nothing is ever written: only the signal ends a read.
                while !stop.load(Ordering::Acquire) {
                    // SAFETY: one byte into a valid buffer.
                    unsafe { libc::read(read_end.as_raw_fd(), byte.as_mut_ptr().cast(), 1) };
                    reads += 1;
                }
                wake.exited(tid);
                reads
            })
        };
        is_registered.recv().unwrap();
        stop.store(true, Ordering::Release);
        let started = std::time::Instant::now();
        wake.wake();
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "woken in time"
        );
        assert!(reader.join().unwrap() <= WAKE_TRIES as usize);
    }

    #[test]
    fn waking_a_reader_that_never_ran_returns_at_once() {
        let wake = ReaderWake::default();
        let started = std::time::Instant::now();
        wake.wake();
        // Not the second of signalling a registered reader gets.
        assert!(started.elapsed() < Duration::from_millis(500));
    }
}

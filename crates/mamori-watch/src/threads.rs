//! Which process a thread belongs to, for a permission group that reports
//! threads (`FAN_REPORT_TID`).
//!
//! Why threads: the guard classifies every open of an existing file (is it
//! a truncating write?) from the opener's `/proc/…/syscall`. An event that
//! names only the process leaves the guard reading every thread's file
//! (2–4 smbd threads, ≈ 19 µs while the smbd waits); an event that names the
//! thread needs one read, of a thread that is asleep in our event. Every
//! table of the guard is keyed by process, so each event's thread is mapped
//! back to its process here before anyone sees it.
//!
//! Correctness of the cache: an entry (tid → tgid) is dropped as soon as its
//! thread has exited. Each entry holds a thread pidfd (`PIDFD_THREAD`, Linux
//! ≥ 6.9) in an epoll set; the kernel makes it readable at the thread's exit,
//! before its id is freed for reuse. [`Threads::prune`] runs after a read
//! of the event queue, so an entry still present when an event is handled
//! belonged to a thread alive shortly before that event was queued — at
//! most [`PRUNE_EVERY`] before, and a thread id comes back only once the
//! kernel's cyclic allocator has handed out every other free id below
//! `pid_max`: with `pid_max` at its floor default (32 768) or above, tens
//! of thousands of clones, which no host makes in 10 ms. Below that floor
//! (an administrator's choice) it prunes at every read. For a permission
//! event (its thread waits for our answer) an entry is therefore the
//! event's own thread. Why not every read: the `epoll_wait` is one more
//! system call per file written, on the opener's way.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

/// `pidfd_open` flag: a pidfd for a thread, not only a thread-group leader.
const PIDFD_THREAD: libc::c_uint = libc::O_EXCL as libc::c_uint;

pub(crate) struct Threads {
    map: HashMap<u32, Entry>,
    epoll: OwnedFd,
    capacity: usize,
    /// How long a prune holds (zero: every read; see the module doc).
    prune_every: Duration,
    pruned_at: Option<Instant>,
}

/// The longest time between prunes when `pid_max` allows it.
pub(crate) const PRUNE_EVERY: Duration = Duration::from_millis(10);

/// `pid_max` below which every read prunes.
const PID_MAX_FLOOR: u64 = 32_768;

fn prune_interval() -> Duration {
    let pid_max = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if pid_max >= PID_MAX_FLOOR {
        PRUNE_EVERY
    } else {
        Duration::ZERO
    }
}

struct Entry {
    tgid: u32,
    /// Kept open: it is what the epoll set watches.
    _pidfd: OwnedFd,
}

fn pidfd_of_thread(tid: u32) -> Option<OwnedFd> {
    // SAFETY: plain syscall; the result is a new descriptor we own.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, tid as libc::pid_t, PIDFD_THREAD) };
    if fd < 0 {
        return None;
    }
    // SAFETY: a fresh descriptor.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// The soft limit of open descriptors (every cached thread holds one).
fn open_file_limit() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscall on a valid struct.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
}

/// The `Tgid:` line of `/proc/TID/status` (the hidden per-thread entry).
fn tgid_from_proc(tid: u32) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

impl Threads {
    /// `None` when thread pidfds are unsupported (kernel < 6.9): the group
    /// then reports processes, as before.
    pub(crate) fn new(capacity: usize) -> Option<Threads> {
        // SAFETY: plain syscalls.
        let own_tid = unsafe { libc::syscall(libc::SYS_gettid) } as u32;
        pidfd_of_thread(own_tid)?;
        // SAFETY: plain syscall; the result is a new descriptor we own.
        let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epoll < 0 {
            return None;
        }
        Some(Threads {
            map: HashMap::new(),
            // SAFETY: a fresh descriptor.
            epoll: unsafe { OwnedFd::from_raw_fd(epoll) },
            capacity: capacity.min(open_file_limit() / 4).max(64),
            prune_every: prune_interval(),
            pruned_at: None,
        })
    }

    /// Drops the entries of threads that have exited (one `epoll_wait`, no
    /// waiting), unless the last prune is recent enough (module doc).
    pub(crate) fn prune(&mut self) {
        if self.map.is_empty() {
            return;
        }
        let now = Instant::now();
        if self
            .pruned_at
            .is_some_and(|at| now.saturating_duration_since(at) < self.prune_every)
        {
            return;
        }
        self.pruned_at = Some(now);
        let mut ready = [libc::epoll_event { events: 0, u64: 0 }; 64];
        loop {
            // SAFETY: `ready` is a valid buffer of 64 events.
            let n = unsafe { libc::epoll_wait(self.epoll.as_raw_fd(), ready.as_mut_ptr(), 64, 0) };
            if n <= 0 {
                return;
            }
            for event in &ready[..n as usize] {
                // Closing the pidfd takes it out of the epoll set.
                self.map.remove(&(event.u64 as u32));
            }
            if (n as usize) < ready.len() {
                return;
            }
        }
    }

    /// The process of thread `tid`; `None` if it cannot be told (the thread
    /// is gone, `/proc` unreadable).
    pub(crate) fn process_of(&mut self, tid: u32) -> Option<u32> {
        if let Some(entry) = self.map.get(&tid) {
            return Some(entry.tgid);
        }
        // The pidfd first: if the thread exits after, the epoll set says so.
        // Without one (refused for this thread) the answer is used once,
        // not cached: a permission event's thread is alive while we read.
        let pidfd = pidfd_of_thread(tid);
        let tgid = tgid_from_proc(tid)?;
        let Some(pidfd) = pidfd else {
            return Some(tgid);
        };
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: tid as u64,
        };
        // SAFETY: valid epoll and pidfd descriptors, a valid event.
        let rc = unsafe {
            libc::epoll_ctl(
                self.epoll.as_raw_fd(),
                libc::EPOLL_CTL_ADD,
                pidfd.as_raw_fd(),
                &mut event,
            )
        };
        // Not watched: usable for this event, but not cached.
        if rc == 0 {
            self.map.insert(
                tid,
                Entry {
                    tgid,
                    _pidfd: pidfd,
                },
            );
        }
        Some(tgid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread that exits once the sender is dropped: (its id, the
    /// sender, its handle).
    fn waiting_thread() -> (
        u32,
        std::sync::mpsc::Sender<()>,
        std::thread::JoinHandle<()>,
    ) {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (tid_tx, tid_rx) = std::sync::mpsc::channel::<u32>();
        let helper = std::thread::spawn(move || {
            // SAFETY: plain syscall.
            let _ = tid_tx.send(unsafe { libc::syscall(libc::SYS_gettid) } as u32);
            let _ = rx.recv();
        });
        (tid_rx.recv().unwrap(), tx, helper)
    }

    #[test]
    fn threads_map_to_their_process_and_leave_at_exit() {
        let Some(mut threads) = Threads::new(64) else {
            eprintln!("skipped: no thread pidfds on this kernel");
            return;
        };
        let own = std::process::id();
        assert_eq!(threads.process_of(own), Some(own));
        let (tid, tx, helper) = waiting_thread();
        assert_ne!(tid, own);
        assert_eq!(threads.process_of(tid), Some(own));
        assert!(threads.map.contains_key(&tid));
        drop(tx);
        helper.join().unwrap();
        // The exit is signalled on the thread's pidfd.
        for _ in 0..100 {
            threads.prune();
            if !threads.map.contains_key(&tid) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!threads.map.contains_key(&tid));
        assert!(threads.map.contains_key(&own));
    }

    #[test]
    fn a_recent_prune_holds_until_its_interval_ends() {
        let Some(mut threads) = Threads::new(64) else {
            eprintln!("skipped: no thread pidfds on this kernel");
            return;
        };
        assert!(prune_interval() <= PRUNE_EVERY);
        let (tid, tx, helper) = waiting_thread();
        assert!(threads.process_of(tid).is_some());
        threads.prune_every = Duration::from_secs(3600);
        threads.pruned_at = Some(Instant::now());
        drop(tx);
        helper.join().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        threads.prune();
        assert!(threads.map.contains_key(&tid), "pruned within the interval");
        threads.prune_every = Duration::ZERO;
        for _ in 0..100 {
            threads.prune();
            if !threads.map.contains_key(&tid) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!threads.map.contains_key(&tid));
    }
}

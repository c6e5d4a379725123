//! Holding an SMB session while the judge looks at its last delete.
//!
//! Deletes and renames raise no permission event (Samba works on `O_PATH`
//! handles; the kernel has no pre-delete event), so the "verdict before the
//! next file" barrier that writes get from pre-content events is built here
//! by hand: the notify reader stops (`SIGSTOP`) the smbd session child that
//! just deleted or renamed a file, and the main loop lets it go on
//! (`SIGCONT`) once that change is judged, or kills it when the verdict
//! blocks its actor. A wiper then loses the files the judge needs to
//! decide, not the whole folder. Benign sessions only wait for one pass of
//! the main loop per delete.
//!
//! Fail-open: a hold never outlives its limit ([`MAX_HOLD`], checked every
//! 20–100 ms; 3 s while `smbstatus` names a session about to be cut: the `hold-expiry` thread
//! continues anything older), the guard continues every held process when it
//! stops, and a small watchdog process forked at start continues every pid it
//! was told about when the guard dies — even by `kill -9` — since its end of
//! a pipe then reads end-of-file.

use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest any session is held, whatever the main loop does.
pub const MAX_HOLD: Duration = Duration::from_millis(500);

/// Pids the watchdog remembers (the last ones held).
const WATCHDOG_PIDS: usize = 4096;

pub struct Holds {
    /// pid → (changes not judged yet, held since, longest hold).
    held: Mutex<HashMap<u32, (u32, Instant, Duration)>>,
    /// Notified when `held` gets its first entry ([`Holds::wait_until_held`]).
    taken: Condvar,
    /// Pid → is an smbd (cached; read by the notify reader only).
    smbd: Mutex<HashMap<u32, (Option<u64>, bool)>>,
    /// Write end of the pipe to the watchdog process.
    watchdog: Option<OwnedFd>,
    enabled: bool,
    /// Only smbd session children are ever held (tests hold a `sleep`).
    only_smbd: bool,
}

/// Raises the calling thread's scheduling priority (nice -10): the
/// readers stand between a writer and its next file, and on a busy server
/// every millisecond they wait is files lost or throughput taken.
pub fn prioritise_this_thread() {
    // SAFETY: plain syscalls on the calling thread.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, -10);
    }
}

fn signal(pid: u32, sig: i32) -> bool {
    // SAFETY: plain syscall on a process we decided to hold or release.
    pid > 1 && unsafe { libc::kill(pid as i32, sig) } == 0
}

impl Holds {
    pub fn new(enabled: bool) -> Self {
        Holds {
            held: Mutex::new(HashMap::new()),
            taken: Condvar::new(),
            smbd: Mutex::new(HashMap::new()),
            watchdog: if enabled { spawn_watchdog() } else { None },
            enabled,
            only_smbd: true,
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn is_smbd(&self, pid: u32) -> bool {
        let start = mamori_respond::attribution::start_time(pid);
        let Ok(mut cache) = self.smbd.lock() else {
            return false;
        };
        if let Some((s, smbd)) = cache.get(&pid) {
            if *s == start {
                return *smbd;
            }
        }
        let smbd = mamori_respond::attribution::is_smbd(pid);
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache.insert(pid, (start, smbd));
        smbd
    }

    /// Stops `pid` (an smbd session child) until [`Holds::judged`] is
    /// called as often as this. Returns whether it is held.
    pub fn hold(&self, pid: u32) -> bool {
        self.hold_for(pid, MAX_HOLD)
    }

    /// Like [`Holds::hold`] with another limit (a session about to be cut,
    /// held while `smbstatus` names its user).
    pub fn hold_for(&self, pid: u32, limit: Duration) -> bool {
        if !self.enabled || pid == std::process::id() || (self.only_smbd && !self.is_smbd(pid)) {
            return false;
        }
        let Ok(mut held) = self.held.lock() else {
            return false;
        };
        let entry = held.entry(pid).or_insert((0, Instant::now(), limit));
        entry.2 = entry.2.max(limit);
        if entry.0 == 0 {
            if let Some(fd) = &self.watchdog {
                let bytes = pid.to_ne_bytes();
                // SAFETY: writes 4 bytes from a live buffer to our pipe.
                let _ = unsafe { libc::write(fd.as_raw_fd(), bytes.as_ptr().cast(), 4) };
            }
            if !signal(pid, libc::SIGSTOP) {
                held.remove(&pid);
                return false;
            }
            entry.1 = Instant::now();
            self.taken.notify_all();
        }
        entry.0 += 1;
        true
    }

    /// One held change of `pid` was judged; the last one lets it go on.
    pub fn judged(&self, pid: u32) {
        let Ok(mut held) = self.held.lock() else {
            return;
        };
        if let Some(entry) = held.get_mut(&pid) {
            entry.0 = entry.0.saturating_sub(1);
            if entry.0 == 0 {
                held.remove(&pid);
                signal(pid, libc::SIGCONT);
            }
        }
    }

    /// Nothing held right now.
    pub fn is_empty(&self) -> bool {
        self.held.lock().map_or(true, |h| h.is_empty())
    }

    /// Sleeps while nothing is held, at most `limit`: the expiry thread's
    /// wait on an idle server, which then needs no timer.
    pub fn wait_until_held(&self, limit: Duration) {
        let Ok(held) = self.held.lock() else {
            return;
        };
        let _ = self.taken.wait_timeout_while(held, limit, |h| h.is_empty());
    }

    /// `pid` was killed: nothing to continue.
    pub fn forget(&self, pid: u32) {
        if let Ok(mut held) = self.held.lock() {
            held.remove(&pid);
        }
    }

    /// Continues every process held longer than its limit.
    pub fn expire(&self) -> usize {
        let Ok(mut held) = self.held.lock() else {
            return 0;
        };
        let old: Vec<u32> = held
            .iter()
            .filter(|(_, (_, since, limit))| since.elapsed() > *limit)
            .map(|(pid, _)| *pid)
            .collect();
        for pid in &old {
            held.remove(pid);
            signal(*pid, libc::SIGCONT);
        }
        old.len()
    }

    /// Continues everything (the guard stops).
    pub fn release_all(&self) {
        if let Ok(mut held) = self.held.lock() {
            for (pid, _) in held.drain() {
                signal(pid, libc::SIGCONT);
            }
        }
    }
}

/// Who holds the smbd of a delete or rename seen twice: by the permission
/// reader in the alarm group ([`mamori_watch::AlarmGroup`]) and by the
/// notification side in its group. Whichever reads its copy first decides
/// (and holds); the second only takes note. Both run under one lock, so
/// each event is held at most once whatever the two threads' timing.
#[derive(Default)]
pub struct AlarmHolds {
    twins: Mutex<Twins>,
}

#[derive(Default)]
struct Twins {
    /// Held by `alarm-reader`, not yet taken over by the
    /// notification side: (pid, when).
    held: std::collections::VecDeque<(u32, Instant)>,
    /// Read by the notification side first (held there): the alarm's copy
    /// is to be skipped.
    claimed: std::collections::VecDeque<(u32, Instant)>,
}

/// Entries kept per table at most.
const TWINS: usize = 4096;
/// A claim older than this has no alarm left to meet (`alarm-reader`
/// reads its group within milliseconds): forgotten.
const CLAIM_TTL: Duration = Duration::from_secs(1);

/// What the notification side's copy of a delete or rename found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Twin {
    /// `alarm-reader` held it already: the hold is handed over.
    TakenOver,
    /// First here: held here (`hold` said so).
    HeldHere,
    /// First here, not held (not an smbd session, holds off).
    NotHeld,
}

impl AlarmHolds {
    /// `alarm-reader` read an alarm of `pid`: holds it with `hold`
    /// unless the notification side read this event first. Returns whether
    /// it is held now, and a hold to give back (the oldest, when full).
    pub fn alarm(&self, pid: u32, hold: impl FnOnce() -> bool) -> (bool, Option<u32>) {
        let Ok(mut twins) = self.twins.lock() else {
            return (false, None);
        };
        let now = Instant::now();
        while twins
            .claimed
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) > CLAIM_TTL)
        {
            twins.claimed.pop_front();
        }
        if let Some(i) = twins.claimed.iter().position(|(p, _)| *p == pid) {
            twins.claimed.remove(i);
            return (false, None);
        }
        if !hold() {
            return (false, None);
        }
        let dropped = if twins.held.len() >= TWINS {
            twins.held.pop_front().map(|(p, _)| p)
        } else {
            None
        };
        twins.held.push_back((pid, now));
        (true, dropped)
    }

    /// The notification side read a delete or rename of `pid`.
    pub fn twin(&self, pid: u32, hold: impl FnOnce() -> bool) -> Twin {
        let Ok(mut twins) = self.twins.lock() else {
            return Twin::NotHeld;
        };
        if let Some(i) = twins.held.iter().position(|(p, _)| *p == pid) {
            twins.held.remove(i);
            return Twin::TakenOver;
        }
        if twins.claimed.len() >= TWINS {
            twins.claimed.pop_front();
        }
        twins.claimed.push_back((pid, Instant::now()));
        if hold() {
            Twin::HeldHere
        } else {
            Twin::NotHeld
        }
    }

    /// Holds `alarm-reader` took before `before` and nobody took
    /// over, removed: the notification side read its queue empty after
    /// `before`, so their copies were read (and merged with another event
    /// by the kernel, or decoded to nothing). Their pids, once per hold,
    /// to give back.
    pub fn unmatched_before(&self, before: Instant) -> Vec<u32> {
        let Ok(mut twins) = self.twins.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while twins.held.front().is_some_and(|(_, at)| *at < before) {
            if let Some((pid, _)) = twins.held.pop_front() {
                out.push(pid);
            }
        }
        out
    }

    /// No hold waits to be taken over.
    pub fn is_empty(&self) -> bool {
        self.twins.lock().map_or(true, |t| t.held.is_empty())
    }
}

impl Drop for Holds {
    fn drop(&mut self) {
        self.release_all();
    }
}

/// Forks the watchdog: it reads held pids from a pipe and, at end-of-file
/// (the guard exited or died), sends `SIGCONT` to each and exits. Must run
/// before the guard opens its fanotify groups (the child would keep them
/// open). The child only calls async-signal-safe functions.
fn spawn_watchdog() -> Option<OwnedFd> {
    let mut fds = [0i32; 2];
    // SAFETY: fds is a valid 2-int buffer.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return None;
    }
    // SAFETY: the child below only uses async-signal-safe calls and _exit.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        // SAFETY: closing the fds we just created.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return None;
    }
    if pid == 0 {
        // SAFETY: async-signal-safe calls only, in the forked child.
        unsafe {
            libc::close(fds[1]);
            // Keep only the pipe: inherited descriptors (a fanotify group,
            // the pid file) must not outlive the guard through us.
            for fd in 0..1024 {
                if fd != fds[0] {
                    libc::close(fd);
                }
            }
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            libc::signal(libc::SIGTERM, libc::SIG_IGN);
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            let mut pids = [0u32; WATCHDOG_PIDS];
            let mut next = 0usize;
            let mut buf = [0u8; 4];
            loop {
                let n = libc::read(fds[0], buf.as_mut_ptr().cast(), 4);
                if n == 4 {
                    pids[next % WATCHDOG_PIDS] = u32::from_ne_bytes(buf);
                    next += 1;
                } else if n < 0 && *libc::__errno_location() == libc::EINTR {
                    continue;
                } else {
                    break;
                }
            }
            for pid in pids.iter().take(next.min(WATCHDOG_PIDS)) {
                if *pid > 1 {
                    libc::kill(*pid as i32, libc::SIGCONT);
                }
            }
            libc::_exit(0);
        }
    }
    // SAFETY: closing the child's end in the parent; fds[1] is ours to own.
    unsafe {
        libc::close(fds[0]);
        Some(OwnedFd::from_raw_fd(fds[1]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_smbd_processes_are_never_held() {
        let holds = Holds::new(true);
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        assert!(!holds.hold(child.id()), "only smbd session children");
        assert!(!holds.hold(std::process::id()));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// The process state letter from /proc/PID/stat (T = stopped).
    fn state(pid: u32) -> char {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        stat[stat.rfind(')').unwrap() + 2..].chars().next().unwrap()
    }

    fn wait_state(pid: u32, stopped: bool) {
        // Signals are asynchronous: poll (bounded), no timing asserted.
        for _ in 0..1000 {
            if (state(pid) == 'T') == stopped {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "pid {pid} never became {}",
            if stopped { "stopped" } else { "running" }
        );
    }

    #[test]
    fn held_until_judged_expired_or_the_guard_dies() {
        let mut holds = Holds::new(true);
        holds.only_smbd = false;
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        // Two changes held: running again after the second is judged.
        assert!(holds.hold(pid));
        assert!(holds.hold(pid));
        wait_state(pid, true);
        holds.judged(pid);
        assert_eq!(state(pid), 'T');
        holds.judged(pid);
        wait_state(pid, false);
        // A hold never outlives its limit.
        assert!(holds.hold_for(pid, Duration::ZERO));
        wait_state(pid, true);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(holds.expire(), 1);
        wait_state(pid, false);
        // The guard dies holding it (no release_all): the watchdog continues it.
        assert!(holds.hold(pid));
        wait_state(pid, true);
        let pipe = holds.watchdog.take();
        holds.held.lock().unwrap().clear();
        drop(pipe);
        wait_state(pid, false);
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn each_twin_event_is_held_once_whoever_reads_it_first() {
        let twins = AlarmHolds::default();
        let holds = std::cell::Cell::new(0);
        let hold = || {
            holds.set(holds.get() + 1);
            true
        };
        // The alarm first: held there, taken over by its twin.
        assert_eq!(twins.alarm(7, hold), (true, None));
        assert_eq!(twins.twin(7, hold), Twin::TakenOver);
        assert_eq!(holds.get(), 1);
        // The notification side first: held there, the alarm skips it.
        assert_eq!(twins.twin(8, hold), Twin::HeldHere);
        assert_eq!(twins.alarm(8, hold), (false, None));
        assert_eq!(holds.get(), 2);
        // Not an smbd: nobody holds, and the alarm's copy is still matched.
        assert_eq!(twins.twin(9, || false), Twin::NotHeld);
        assert_eq!(twins.alarm(9, hold), (false, None));
        assert_eq!(holds.get(), 2);
        assert!(twins.is_empty());
    }

    #[test]
    fn alarm_holds_nobody_took_over_are_given_back_after_an_empty_read() {
        let twins = AlarmHolds::default();
        assert_eq!(twins.alarm(7, || true), (true, None));
        assert_eq!(twins.alarm(7, || true), (true, None));
        assert_eq!(twins.alarm(9, || true), (true, None));
        let read_empty_after = Instant::now();
        assert_eq!(twins.alarm(7, || true), (true, None));
        // One of pid 7's copies: the oldest hold taken over.
        assert_eq!(twins.twin(7, || true), Twin::TakenOver);
        // Read empty after the first three: pid 7's second and pid 9's
        // hold had no copy left; the fourth (later) stays.
        assert_eq!(twins.unmatched_before(read_empty_after), vec![7, 9]);
        assert!(!twins.is_empty());
        assert_eq!(twins.twin(7, || true), Twin::TakenOver);
        assert!(twins.is_empty());
    }
}

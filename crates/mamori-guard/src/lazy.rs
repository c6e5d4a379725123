//! Idle CPU priority for the guard's work nobody waits for.
//!
//! Why: smbd pays for every CPU-microsecond the guard spends while it
//! serves a client, even on another core. On the two-vCPU development VM a
//! background loop busy 17 % of one vCPU, sharing nothing with Samba, slowed
//! 16 KB SMB writes by 6–12 % at nice 0 *and* at nice 19, and by 1–2 % as
//! `SCHED_IDLE` (a CPU running only idle-policy threads counts as idle when
//! the scheduler places a wakeup, and any normal thread preempts them at
//! once). Most of the guard's CPU per new file is such work: the main
//! loop's probe and judgement of files nobody waits for, the vault's link
//! of new files, and the notification side's naming of creates and closes.
//! So those three threads run `SCHED_IDLE` — but only while nobody waits
//! for them (the notification side: while no overwrite or delete awaits a
//! verdict, `Hot::verdicts_awaited`; it takes a raise count before each
//! read and relaxes only if nobody raised it meanwhile,
//! [`Lazy::relax_if_unraised`]):
//!
//! 1. a lazy thread ([`LazyThread`]) lowers itself ([`Lazy::relax`]) only
//!    when its next work is lazy, and never while a change somebody waits
//!    for is queued for it;
//! 2. whoever hands it work somebody waits for (a held delete, an overwrite
//!    at the verdict barrier, a detection snapshot) raises it to
//!    `SCHED_OTHER` first ([`Lazy::raise`]), and the main loop raises itself
//!    before it responds or alerts, so verdicts, blocks and alerts never wait
//!    for idle CPU time, and threads or processes it spawns (cuts, hooks,
//!    webhooks — they inherit the policy) start at normal priority;
//! 3. the `lazy-watch` thread (normal priority, takes no lock) raises a lazy
//!    thread whose runqueue wait grew by more than [`STARVED`] within one
//!    [`PERIOD`], and keeps it raised for [`RAISED_FOR`]: under full CPU
//!    load an idle-priority thread could otherwise hold a lock a permission
//!    worker or the reader waits for (priority inversion), or let the
//!    change queue fill. While no lazy thread waited for a CPU
//!    ([`CONTENDED`]) for [`CALM_AFTER`] looks in a row it looks every
//!    [`CALM_PERIOD`] instead (each wake-up costs ≈ 30–60 µs of CPU on a
//!    small VM: 50 a second on an idle server were most of the guard's
//!    idle CPU); the first look that finds contention goes back to
//!    [`PERIOD`], so starvation that begins on a calm server is seen
//!    within one [`CALM_PERIOD`] (work somebody waits for never waits for
//!    this: rule 2); a calm look's threshold is [`STARVED`] scaled to its
//!    window, the same share of the time;
//! 4. when a switch is refused (no `CAP_SYS_NICE`), laziness is off and
//!    every thread stays at normal priority.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often `lazy-watch` looks at the lazy threads' runqueue waits.
pub const PERIOD: Duration = Duration::from_millis(20);
/// Runqueue wait within one [`PERIOD`] that counts as starved.
pub const STARVED: Duration = Duration::from_millis(8);
/// How long a starved thread stays at normal priority.
pub const RAISED_FOR: Duration = Duration::from_millis(200);
/// Runqueue wait within one look below which a lazy thread counts as not
/// waiting for a CPU at all.
pub const CONTENDED: Duration = Duration::from_millis(1);
/// Looks without contention after which `lazy-watch` slows down.
pub const CALM_AFTER: u32 = 5;
/// How often `lazy-watch` looks once calm.
pub const CALM_PERIOD: Duration = Duration::from_millis(100);

/// `lazy-watch`'s sleep before its next look, after `calm_looks` looks in
/// a row found no lazy thread waiting for a CPU.
fn next_sleep(calm_looks: u32) -> Duration {
    if calm_looks >= CALM_AFTER {
        CALM_PERIOD
    } else {
        PERIOD
    }
}

/// The runqueue wait that counts as starved over a look of `slept`: the
/// share of [`STARVED`] in [`PERIOD`], so a calm look's longer window
/// raises no thread that a short one would not.
fn starved_beyond(slept: Duration) -> Duration {
    let nanos = STARVED.as_nanos() * slept.as_nanos() / PERIOD.as_nanos();
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The threads that may run at idle priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LazyThread {
    /// The main loop (judge, journal, responses).
    Main = 0,
    /// `vault-links`: links of new files, index flushes.
    VaultLinks = 1,
    /// `notify-reader`: paths of creates, closes, deletes and renames.
    Notify = 2,
}

impl LazyThread {
    const ALL: [LazyThread; 3] = [LazyThread::Main, LazyThread::VaultLinks, LazyThread::Notify];
}

#[derive(Default)]
struct Slot {
    /// Kernel thread id; 0 before [`Lazy::enter`].
    tid: AtomicI32,
    /// The policy last asked for is `SCHED_IDLE`.
    idle: AtomicBool,
    /// Milliseconds since [`Lazy::epoch`] until which a starvation raise
    /// holds ([`Lazy::relax`] waits for it).
    raised_until_ms: AtomicU64,
    /// Calls of [`Lazy::raise`] so far (see [`Lazy::relax_if_unraised`]).
    raises: AtomicU64,
}

pub struct Lazy {
    enabled: AtomicBool,
    slots: [Slot; LazyThread::ALL.len()],
    epoch: Instant,
    /// Raises by `lazy-watch` (starvation), for the stop alert and tests.
    pub starvation_raises: AtomicU64,
}

impl Lazy {
    pub fn new(enabled: bool) -> Arc<Lazy> {
        Arc::new(Lazy {
            enabled: AtomicBool::new(enabled),
            slots: Default::default(),
            epoch: Instant::now(),
            starvation_raises: AtomicU64::new(0),
        })
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Called by the thread itself when it starts its loop: records its id
    /// and lowers it. Checks once that it can be raised again; if not,
    /// laziness is off for good.
    pub fn enter(&self, which: LazyThread) {
        if !self.enabled() {
            return;
        }
        // SAFETY: plain syscall, no arguments.
        let tid = unsafe { libc::gettid() };
        if !can_leave_idle() {
            self.disable("a thread at idle priority could not be raised again");
            return;
        }
        self.slots[which as usize].tid.store(tid, Ordering::Release);
        self.relax(which);
    }

    /// From any thread: `which` runs at normal priority from now on (until
    /// it relaxes itself). Cheap when it already does: one atomic swap.
    pub fn raise(&self, which: LazyThread) {
        let slot = &self.slots[which as usize];
        slot.raises.fetch_add(1, Ordering::AcqRel);
        if slot.idle.swap(false, Ordering::AcqRel) {
            let tid = slot.tid.load(Ordering::Acquire);
            if tid > 0 && !set_policy(tid, libc::SCHED_OTHER) {
                self.disable("raising a thread failed");
            }
        }
    }

    /// From the thread itself, when its next work is lazy: back to idle
    /// priority, unless a starvation raise still holds or laziness is off.
    pub fn relax(&self, which: LazyThread) {
        let slot = &self.slots[which as usize];
        if !self.enabled()
            || slot.idle.load(Ordering::Acquire)
            || slot.raised_until_ms.load(Ordering::Acquire) > self.now_ms()
        {
            return;
        }
        let tid = slot.tid.load(Ordering::Acquire);
        if tid <= 0 {
            return;
        }
        slot.idle.store(true, Ordering::Release);
        set_policy(tid, libc::SCHED_IDLE);
        // A raise between the store and the syscall saw `idle` and may have
        // set SCHED_OTHER before our SCHED_IDLE landed: theirs wins.
        if !slot.idle.load(Ordering::Acquire) {
            set_policy(tid, libc::SCHED_OTHER);
        }
    }

    /// How often `which` was raised so far: taken before a batch of work
    /// and handed to [`Lazy::relax_if_unraised`] after it.
    pub fn raises(&self, which: LazyThread) -> u64 {
        self.slots[which as usize].raises.load(Ordering::Acquire)
    }

    /// [`Lazy::relax`], unless `which` was raised since [`Lazy::raises`]
    /// returned `seen`: whoever raised it handed it work (an event queued
    /// for it) that the batch just done may not have included.
    pub fn relax_if_unraised(&self, which: LazyThread, seen: u64) {
        if self.raises(which) != seen {
            return;
        }
        self.relax(which);
        // A raise between the check and the relax saw the thread at normal
        // priority and did nothing: undo the relax.
        if self.raises(which) != seen {
            self.raise(which);
        }
    }

    fn starved(&self, which: LazyThread) {
        let until = self.now_ms() + RAISED_FOR.as_millis() as u64;
        self.slots[which as usize]
            .raised_until_ms
            .store(until, Ordering::Release);
        self.starvation_raises.fetch_add(1, Ordering::Relaxed);
        self.raise(which);
    }

    fn disable(&self, why: &str) {
        if self.enabled.swap(false, Ordering::AcqRel) {
            tracing::warn!("idle priority off: {why}");
        }
        for slot in &self.slots {
            slot.idle.store(false, Ordering::Release);
            let tid = slot.tid.load(Ordering::Acquire);
            if tid > 0 {
                set_policy(tid, libc::SCHED_OTHER);
            }
        }
    }

    /// Starts `lazy-watch` (rule 3); it ends once `stopped()` says so.
    pub fn watch(self: &Arc<Self>, stopped: impl Fn() -> bool + Send + 'static) {
        if !self.enabled() {
            return;
        }
        let lazy = self.clone();
        let spawned = std::thread::Builder::new()
            .name("lazy-watch".into())
            .spawn(move || {
                // Threads inherit their creator's policy: never idle here.
                // SAFETY: plain syscall, no arguments.
                set_policy(unsafe { libc::gettid() }, libc::SCHED_OTHER);
                let mut waits = LazyThread::ALL.map(|_| RunWait::default());
                let mut calm_looks = 0u32;
                while !stopped() && lazy.enabled() {
                    let slept = next_sleep(calm_looks);
                    std::thread::sleep(slept);
                    let mut contended = false;
                    for (which, wait) in LazyThread::ALL.into_iter().zip(&mut waits) {
                        let slot = &lazy.slots[which as usize];
                        let tid = slot.tid.load(Ordering::Acquire);
                        if tid <= 0 || !slot.idle.load(Ordering::Acquire) {
                            // Not started, or at normal priority already:
                            // start a fresh baseline for when it relaxes.
                            wait.last = None;
                            continue;
                        }
                        match wait.grew_by(tid) {
                            Some(grown) if grown > starved_beyond(slept) => {
                                lazy.starved(which);
                                wait.last = None;
                                contended = true;
                            }
                            Some(grown) => contended |= grown >= CONTENDED,
                            // A fresh baseline: look again soon.
                            None => contended = true,
                        }
                    }
                    calm_looks = if contended {
                        0
                    } else {
                        calm_looks.saturating_add(1)
                    };
                }
            });
        if spawned.is_err() {
            // Without the watch nothing bounds a starved thread: no laziness.
            self.disable("lazy-watch cannot start");
        }
    }
}

/// One lazy thread's runqueue wait as `lazy-watch` last read it.
#[derive(Default)]
struct RunWait {
    tid: i32,
    file: Option<std::fs::File>,
    last: Option<u64>,
}

impl RunWait {
    /// How much the thread's runqueue wait grew since the last call (None
    /// at the first, or when it cannot be read).
    fn grew_by(&mut self, tid: i32) -> Option<Duration> {
        if self.tid != tid || self.file.is_none() {
            self.tid = tid;
            self.last = None;
            self.file = std::fs::File::open(format!("/proc/self/task/{tid}/schedstat")).ok();
        }
        let now = read_run_delay(self.file.as_ref()?)?;
        let grown = self.last.map(|last| now.saturating_sub(last));
        self.last = Some(now);
        grown.map(Duration::from_nanos)
    }
}

/// The second field of `/proc/.../schedstat`: nanoseconds spent runnable
/// but waiting for a CPU. Read from offset 0 each time (the kernel renders
/// the line afresh), in one `pread` into the stack: it runs 50 times a
/// second for each lazy thread.
fn read_run_delay(file: &std::fs::File) -> Option<u64> {
    use std::os::unix::fs::FileExt;
    // Three numbers of at most 20 digits each.
    let mut buf = [0u8; 80];
    let len = file.read_at(&mut buf, 0).ok()?;
    parse_run_delay(std::str::from_utf8(buf.get(..len)?).ok()?)
}

fn parse_run_delay(line: &str) -> Option<u64> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Whether a thread of ours can go to `SCHED_IDLE` and back (root, or an
/// `RLIMIT_NICE` that allows it). Tried on a throwaway thread: a thread
/// that could not come back would stay idle.
pub(crate) fn can_leave_idle() -> bool {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                // SAFETY: plain syscall, no arguments.
                let tid = unsafe { libc::gettid() };
                set_policy(tid, libc::SCHED_IDLE) && set_policy(tid, libc::SCHED_OTHER)
            })
            .join()
            .unwrap_or(false)
    })
}

fn set_policy(tid: i32, policy: libc::c_int) -> bool {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: plain syscall on one of our own threads; param outlives it.
    unsafe { libc::sched_setscheduler(tid, policy, &param) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_of(tid: i32) -> libc::c_int {
        // SAFETY: plain syscall.
        unsafe { libc::sched_getscheduler(tid) }
    }

    fn tid() -> i32 {
        // SAFETY: plain syscall.
        unsafe { libc::gettid() }
    }

    /// An enabled `Lazy`, or `None` (the reason printed) when not root:
    /// changing scheduling policies needs `CAP_SYS_NICE`.
    fn lazy_as_root() -> Option<Arc<Lazy>> {
        // SAFETY: plain syscall.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: needs root (CAP_SYS_NICE)");
            return None;
        }
        Some(Lazy::new(true))
    }

    #[test]
    fn the_watch_slows_down_only_after_calm_looks() {
        for looks in 0..CALM_AFTER {
            assert_eq!(next_sleep(looks), PERIOD);
        }
        assert_eq!(next_sleep(CALM_AFTER), CALM_PERIOD);
        assert_eq!(next_sleep(u32::MAX), CALM_PERIOD);
        // A calm look is shorter than the raise starvation gets.
        assert!(CALM_PERIOD < RAISED_FOR);
        assert!(CONTENDED < STARVED);
        // The same share of the window counts as starved.
        assert_eq!(starved_beyond(PERIOD), STARVED);
        assert_eq!(starved_beyond(CALM_PERIOD), STARVED * 5);
    }

    #[test]
    fn run_delay_is_the_second_field() {
        assert_eq!(parse_run_delay("123 456 7\n"), Some(456));
        assert_eq!(parse_run_delay("123\n"), None);
        assert_eq!(parse_run_delay(""), None);
    }

    #[test]
    fn own_schedstat_reads() {
        let tid = tid();
        let mut wait = RunWait::default();
        assert_eq!(wait.grew_by(tid), None, "the first read is the baseline");
        assert!(wait.grew_by(tid).is_some());
    }

    #[test]
    fn relax_lowers_and_raise_lifts_from_another_thread() {
        let Some(lazy) = lazy_as_root() else { return };
        let tid = tid();
        lazy.enter(LazyThread::Main);
        assert!(lazy.enabled());
        assert_eq!(policy_of(tid), libc::SCHED_IDLE);
        let other = lazy.clone();
        std::thread::spawn(move || other.raise(LazyThread::Main))
            .join()
            .unwrap();
        assert_eq!(policy_of(tid), libc::SCHED_OTHER);
        lazy.relax(LazyThread::Main);
        assert_eq!(policy_of(tid), libc::SCHED_IDLE);
        // A starvation raise holds against the thread's own relax.
        lazy.starved(LazyThread::Main);
        assert_eq!(policy_of(tid), libc::SCHED_OTHER);
        lazy.relax(LazyThread::Main);
        assert_eq!(policy_of(tid), libc::SCHED_OTHER);
        assert_eq!(lazy.starvation_raises.load(Ordering::Relaxed), 1);
        lazy.disable("test over");
        assert_eq!(policy_of(tid), libc::SCHED_OTHER);
    }

    #[test]
    fn disabled_laziness_never_lowers() {
        let lazy = Lazy::new(false);
        let tid = tid();
        let before = policy_of(tid);
        lazy.enter(LazyThread::VaultLinks);
        lazy.relax(LazyThread::VaultLinks);
        assert_eq!(policy_of(tid), before);
    }

    #[test]
    fn a_starved_idle_thread_is_raised_by_the_watch() {
        let Some(lazy) = lazy_as_root() else { return };
        let stop = Arc::new(AtomicBool::new(false));
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        let spinning = Arc::new(AtomicBool::new(true));
        // The lazy thread and, on every CPU, a normal-priority spinner: the
        // idle thread gets (almost) no CPU until lazy-watch raises it.
        let idle = {
            let lazy = lazy.clone();
            let spinning = spinning.clone();
            std::thread::spawn(move || {
                lazy.enter(LazyThread::VaultLinks);
                tid_tx.send(tid()).unwrap();
                while spinning.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        let tid = tid_rx.recv().unwrap();
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let spinners: Vec<_> = (0..cpus)
            .map(|_| {
                let spinning = spinning.clone();
                std::thread::spawn(move || {
                    while spinning.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        lazy.watch({
            let stop = stop.clone();
            move || stop.load(Ordering::Acquire)
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        while lazy.starvation_raises.load(Ordering::Relaxed) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let raised = policy_of(tid) == libc::SCHED_OTHER;
        spinning.store(false, Ordering::Relaxed);
        stop.store(true, Ordering::Release);
        idle.join().unwrap();
        for s in spinners {
            s.join().unwrap();
        }
        assert!(lazy.starvation_raises.load(Ordering::Relaxed) >= 1);
        assert!(raised, "the starved thread runs at normal priority");
    }
}

//! The notification side of the watch reader: fanotify create / delete /
//! rename / close-after-write events become [`Queued`] changes for the
//! main loop, holding (`SIGSTOP`) the smbd of every delete or rename as
//! soon as the event header is read.
//!
//! By default it runs in a thread of its own, `notify-reader`, at idle CPU
//! priority ([`crate::lazy`]): nobody waits for a create or a close, and
//! on a small server every microsecond a normal-priority thread takes is
//! taken from smbd. What somebody waits for reaches it otherwise: the
//! `alarm-reader` holds the smbd of a delete or rename from the alarm
//! group at once and raises this thread (its hold is taken over here,
//! [`crate::hold::AlarmHolds`]); the permission reader counts an
//! overwrite's close for the barrier itself and a worker waiting on that
//! verdict raises this thread too. With `[watch] one_reader` it runs in
//! the permission reader's thread instead and takes the holds itself.
//! Creates wake nobody (see [`NotifyGroup`]): they come with the next
//! read, or within [`CREATES_EVERY`] while the reader wakes for anything
//! else, or at its next idle timeout (200 ms). While nobody waits the
//! reader reads every [`CREATES_EVERY`]; once a look finds nothing queued
//! it sleeps until the first event or create comes (or the doorbell), so
//! an idle share costs it no wake-ups, and a busy one one per period.

use super::queue::{QueueSender, Queued};
use crate::hold::Twin;
use crate::lazy::LazyThread;
use crate::Hot;
use mamori_watch::{Change, NotifyGroup, Observed};
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long creates may wait in their queue while the reader is awake.
pub(crate) const CREATES_EVERY: Duration = Duration::from_millis(20);
/// The longest sleep of `notify-reader` on a quiet share (a safety net:
/// the first change or the doorbell wakes it before).
const QUIET_WAIT_MS: i32 = 1000;

/// Reads the notification group and forwards its changes.
pub(crate) struct NotifySide {
    group: NotifyGroup,
    buf: Vec<u8>,
    batch: Vec<Observed>,
    /// Pids held while reading, before their changes were resolved.
    early: HashMap<u32, u32>,
    sender: QueueSender,
    lost: Arc<AtomicBool>,
    hot: Arc<Hot>,
    /// Consecutive failed reads.
    failing: u32,
    /// `alarm-reader` reads the alarm group (this side runs in a thread of
    /// its own): holds are matched with its ([`Twin`]).
    alarmed: bool,
}

impl NotifySide {
    pub(crate) fn new(
        group: NotifyGroup,
        sender: QueueSender,
        lost: Arc<AtomicBool>,
        hot: Arc<Hot>,
    ) -> NotifySide {
        NotifySide {
            group,
            buf: vec![0u8; 256 * 1024],
            batch: Vec::new(),
            early: HashMap::new(),
            sender,
            lost,
            hot,
            failing: 0,
            alarmed: false,
        }
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.group.raw_fd()
    }

    /// Reads and forwards in a thread of its own (`notify-reader`, the
    /// default) until the guard stops: at idle priority unless raised.
    pub(crate) fn spawn(mut self) {
        self.alarmed = true;
        let _ = std::thread::Builder::new()
            .name("notify-reader".into())
            .spawn(move || {
                crate::hold::prioritise_this_thread();
                let lazy = self.hot.lazy.clone();
                lazy.enter(LazyThread::Notify);
                let bell = self.hot.notify_bell.fd();
                // The last look found nothing queued: sleep until the first
                // change comes (no 50 Hz timer on an idle server).
                let mut quiet = false;
                while !self.hot.stop.load(Ordering::Acquire) {
                    let raises = lazy.raises(LazyThread::Notify);
                    self.creates_if_due();
                    // Somebody waits: read every event as it comes.
                    // Nobody does: sleep until the doorbell or for
                    // CREATES_EVERY, whatever the kernel queues meanwhile
                    // (waking for each close would cost smbd a wake-up of
                    // this thread, on another vCPU, per file written).
                    let prompt = self.hot.verdicts_awaited() || !self.hot.alarm_holds.is_empty();
                    let ready = if prompt {
                        let (events, rung) =
                            mamori_watch::wait_readable_either(self.fd(), bell, 200);
                        if rung {
                            self.hot.notify_bell.clear();
                        }
                        events
                    } else {
                        let rung = if quiet {
                            self.group.wait_quiet(bell, QUIET_WAIT_MS)
                        } else {
                            mamori_watch::wait_readable(bell, CREATES_EVERY.as_millis() as i32)
                        };
                        if rung {
                            self.hot.notify_bell.clear();
                        }
                        self.group.wait(0)
                    };
                    if ready {
                        self.hot.trace.add(&self.hot.trace.hops.reader_polls, 1);
                        // Bounded: the queue is read again within CREATES_EVERY.
                        for _ in 0..8 {
                            self.pump();
                            if !self.group.wait(0) {
                                break;
                            }
                        }
                    }
                    // Creates are read at the top of the loop once due.
                    quiet = !ready && !self.group.creates_queued();
                    // Not over a raise for an event this pump may have
                    // missed, nor while an overwrite awaits its verdict.
                    if !self.hot.verdicts_awaited() {
                        lazy.relax_if_unraised(LazyThread::Notify, raises);
                    }
                }
            });
    }

    /// The creates queued so far, forwarded, if they were last read
    /// [`CREATES_EVERY`] ago or longer.
    pub(crate) fn creates_if_due(&mut self) {
        if !self.group.creates_due(CREATES_EVERY) {
            return;
        }
        if let Err(e) = self.group.read_creates(&mut self.batch) {
            tracing::error!("fanotify read failed: {e}");
        }
        if !self.batch.is_empty() {
            let trace = &self.hot.trace;
            trace.add(&trace.hops.notify_changes, self.batch.len() as u64);
            forward(
                &self.sender,
                &self.lost,
                &self.hot,
                &mut self.batch,
                &mut self.early,
            );
        }
    }

    /// One read of the group (call when its descriptor is readable: the
    /// read blocks otherwise) and the changes forwarded.
    pub(crate) fn pump(&mut self) {
        let hot = &self.hot;
        let holds = &hot.holds;
        let early = &mut self.early;
        let started = std::time::Instant::now();
        let alarmed = self.alarmed;
        let read = self
            .group
            .read_with(&mut self.buf, &mut self.batch, &mut |pid| {
                // With the alarm group, `alarm-reader` may have
                // held it already (and named it): take that hold over.
                let twin = if alarmed {
                    hot.alarm_holds.twin(pid, || holds.hold(pid))
                } else if holds.hold(pid) {
                    Twin::HeldHere
                } else {
                    Twin::NotHeld
                };
                if twin == Twin::NotHeld {
                    return;
                }
                let count = early.entry(pid).or_insert(0);
                if *count == 0 && twin == Twin::HeldHere {
                    // Stopped right after its delete, an smbd is still in
                    // its user's context: name it now.
                    let _ = hot.actor_of(pid);
                }
                *count += 1;
            });
        let trace = &hot.trace;
        trace.add(&trace.hops.notify_batches, 1);
        trace.add(&trace.hops.notify_changes, self.batch.len() as u64);
        if trace.on() {
            let own = self.group.own_events;
            trace
                .hops
                .notify_own
                .store(own, std::sync::atomic::Ordering::Relaxed);
        }
        match read {
            Ok(()) => self.failing = 0,
            Err(e) => {
                // This thread answers permission events too: no long
                // sleep here, a short one only while reads keep failing.
                self.failing += 1;
                if self.failing <= 3 {
                    tracing::error!("fanotify read failed: {e}");
                } else {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        forward(
            &self.sender,
            &self.lost,
            hot,
            &mut self.batch,
            &mut self.early,
        );
        // Read empty: every alarm held before this pump had its twin here.
        // A hold none took over (the kernel merged two identical events
        // here but not there) is given back.
        if !hot.alarm_holds.is_empty() && !self.group.wait(0) {
            for pid in hot.alarm_holds.unmatched_before(started) {
                hot.holds.judged(pid);
            }
        }
    }
}

/// Wakes `notify-reader` out of its timed sleep (an eventfd): rung by
/// whoever hands it work somebody waits for ([`Hot::urge_notify`]).
pub(crate) struct Doorbell {
    fd: std::os::fd::OwnedFd,
}

impl Doorbell {
    pub(crate) fn new() -> std::io::Result<Doorbell> {
        // SAFETY: plain syscall; the descriptor is owned from here on.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh descriptor we own.
        Ok(Doorbell {
            fd: unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) },
        })
    }

    pub(crate) fn fd(&self) -> RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.fd)
    }

    pub(crate) fn ring(&self) {
        let one = 1u64.to_ne_bytes();
        // SAFETY: writes 8 bytes from a live buffer to our eventfd (a full
        // counter fails with EAGAIN: it is rung already).
        let _ = unsafe { libc::write(self.fd(), one.as_ptr().cast(), 8) };
    }

    pub(crate) fn clear(&self) {
        let mut count = [0u8; 8];
        // SAFETY: reads 8 bytes into a live buffer (EAGAIN when not rung).
        let _ = unsafe { libc::read(self.fd(), count.as_mut_ptr().cast(), 8) };
    }
}

/// Forwards watcher output to the main loop, one hand-over per batch; a
/// full queue counts as an overflow (the main loop rescans), never as a
/// silent loss.
pub(crate) fn forward(
    sender: &QueueSender,
    lost: &AtomicBool,
    hot: &Hot,
    batch: &mut Vec<Observed>,
    early: &mut HashMap<u32, u32>,
) {
    let mut queued = Vec::with_capacity(batch.len());
    for observed in batch.drain(..) {
        let written = counted(hot, &observed).map(|counted| match counted {
            // The permission reader may have counted it at its close.
            Counted::Overwrite { pid, inode } => hot.unjudged_add_closed(pid, inode),
            Counted::Delete { pid } => hot.unjudged_add(pid),
        });
        // Deletes and renames cannot be refused: hold the session until
        // this one is judged, so the verdict lands before the next.
        let held = match (observed.pid, &observed.change) {
            (Some(pid), Change::Deleted | Change::Renamed { .. }) if !observed.is_dir => {
                match early.get_mut(&pid) {
                    // Held by the reader before the paths were resolved.
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        Some(pid)
                    }
                    _ => hot.holds.hold(pid).then_some(pid),
                }
            }
            _ => None,
        };
        queued.push(Queued {
            observed,
            held,
            written,
        });
    }
    if batch.capacity() > super::queue::KEEP_ROOM {
        batch.shrink_to(super::queue::KEEP_ROOM);
    }
    let refused = if queued.is_empty() {
        Vec::new()
    } else {
        sender.push(queued)
    };
    if !refused.is_empty() {
        lost.store(true, Ordering::Release);
    }
    for Queued { written, held, .. } in refused {
        if let Some(group) = written {
            hot.unjudged_done(group);
        }
        if let Some(pid) = held {
            hot.holds.judged(pid);
        }
    }
    // Holds taken while reading for changes that produced no share change.
    for (pid, count) in early.drain() {
        for _ in 0..count {
            hot.holds.judged(pid);
        }
    }
}

/// A change whose verdict the writer's next access waits for.
enum Counted {
    /// The close of an overwrite of existing content (a probe was taken),
    /// with the file's inode if known.
    Overwrite { pid: u32, inode: Option<(u64, u64)> },
    /// The delete of a file.
    Delete { pid: u32 },
}

fn counted(hot: &Hot, observed: &Observed) -> Option<Counted> {
    let pid = observed.pid?;
    match observed.change {
        Change::Written => hot
            .befores
            .lock()
            .ok()?
            .get(&(pid, observed.share, observed.path.clone()))
            .map(|before| Counted::Overwrite {
                pid,
                inode: before.inode,
            }),
        Change::Deleted if !observed.is_dir => Some(Counted::Delete { pid }),
        _ => None,
    }
}

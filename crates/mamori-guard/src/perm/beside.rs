//! What the permission reader reads besides its permission events: the
//! closes after writing (a group it drains, never waits on), and either the
//! alarm group (holds for deletes and renames, while the notification side
//! runs at idle priority in `notify-reader`) or, with `[watch] one_reader`,
//! the whole notification side.

use crate::core::NotifySide;
use crate::read_marks::ReadMarks;
use crate::Hot;
use mamori_watch::{AlarmGroup, Pending, PermGroup};
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

/// How long closes may wait in their queue (read marks' writer counts
/// only fall later: more events, never fewer). An overwrite's close is
/// read before the next permission event instead
/// ([`Closes::drain_for_barrier`]).
pub(crate) const CLOSES_EVERY: Duration = Duration::from_millis(20);

pub(crate) enum Beside {
    /// `[watch] one_reader`: the notification side too, in this thread.
    Notify(Box<NotifySide>),
    /// The alarm group; the notification side runs in `notify-reader`.
    Alarm(AlarmGroup),
}

impl Beside {
    pub(crate) fn fd(&self) -> RawFd {
        match self {
            Beside::Notify(notify) => notify.fd(),
            Beside::Alarm(alarm) => alarm.raw_fd(),
        }
    }

    /// Creates due (one_reader only).
    pub(crate) fn creates_if_due(&mut self) {
        if let Beside::Notify(notify) = self {
            notify.creates_if_due();
        }
    }

    /// Its descriptor was readable: read it.
    pub(crate) fn pump(&mut self, hot: &Hot, buf: &mut [u8]) {
        match self {
            Beside::Notify(notify) => notify.pump(),
            Beside::Alarm(alarm) => read_alarms(alarm, hot, buf),
        }
    }
}

/// Holds every smbd that deleted or renamed a file, at once; the
/// notification side takes each hold over when it reads the same event
/// (`NotifySide::pump`), raised to normal priority now to do so soon.
fn read_alarms(alarm: &AlarmGroup, hot: &Hot, buf: &mut [u8]) {
    let mut named: Vec<u32> = Vec::new();
    let read = alarm.read(buf, &mut |pid| {
        let (held, give_back) = hot.alarm_holds.alarm(pid, || hot.holds.hold(pid));
        if let Some(oldest) = give_back {
            hot.holds.judged(oldest);
        }
        if held && !named.contains(&pid) {
            named.push(pid);
        }
    });
    if let Err(e) = read {
        tracing::error!("fanotify alarm read failed: {e}");
    }
    if !named.is_empty() {
        hot.urge_notify();
        // Stopped right after its delete, an smbd is still in its user's
        // context: name it now.
        for pid in named {
            let _ = hot.actor_of(pid);
        }
    }
}

/// The closes group's reading schedule and buffers.
pub(crate) struct Closes {
    buf: Vec<u8>,
    batch: Vec<Pending>,
    read_at: Instant,
    /// The last drain found closes: come back within [`CLOSES_EVERY`].
    busy: bool,
}

impl Closes {
    pub(crate) fn new() -> Closes {
        Closes {
            buf: vec![0u8; 64 * 1024],
            batch: Vec::with_capacity(256),
            read_at: Instant::now(),
            busy: false,
        }
    }

    /// How long the reader may sleep before the closes are due.
    pub(crate) fn timeout_ms(&self) -> i32 {
        if self.busy {
            CLOSES_EVERY.as_millis() as i32
        } else {
            200
        }
    }

    /// Reads the queued closes at once when some overwrite's close is
    /// awaited: call after reading a batch of permission events and before
    /// handling it. A close comes before the same thread's next open or
    /// write, so every close that precedes an event of the batch is queued
    /// by then, and the barrier counts it before that event is looked at.
    pub(crate) fn drain_for_barrier(
        &mut self,
        group: &PermGroup,
        hot: &Hot,
        marks: Option<&mut ReadMarks>,
    ) {
        if hot.overwrites_open() {
            self.drain(group, hot, marks);
        }
    }

    /// Reads the queued closes when they are due: call once a batch is
    /// answered (nobody waits for these).
    pub(crate) fn drain_if_due(
        &mut self,
        group: &PermGroup,
        hot: &Hot,
        marks: Option<&mut ReadMarks>,
    ) {
        if self.read_at.elapsed() >= CLOSES_EVERY {
            self.drain(group, hot, marks);
        }
    }

    fn drain(&mut self, group: &PermGroup, hot: &Hot, marks: Option<&mut ReadMarks>) {
        self.read_at = Instant::now();
        let mut read = 0;
        // Bounded: a storm of closes must not keep permission events waiting.
        for _ in 0..16 {
            match group.read_closes(&mut self.buf, &mut self.batch) {
                Ok(0) => break,
                Ok(n) => read += n,
                Err(e) => {
                    tracing::error!("fanotify closes read failed: {e}");
                    break;
                }
            }
        }
        self.busy = read > 0;
        hot.trace.add(&hot.trace.hops.perm_closes, read as u64);
        let own = std::process::id();
        let mut marks = marks;
        for pending in self.batch.drain(..) {
            // Our own closes: our opens were never counted. A close whose
            // thread exited before we could tell its process may be ours:
            // not counted (the count stays high).
            if !pending.process_known || pending.pid == own {
                continue;
            }
            // No inode (fstat failed): the count stays high, safely.
            let Some(id) = pending.dev_ino() else {
                continue;
            };
            if let Some(marks) = marks.as_deref_mut() {
                marks.closed_write(group, id);
            }
            hot.closed_after_write((pending.pid, id.0, id.1));
        }
    }
}

//! What the permission reader reads besides its permission events: the
//! closes after writing (a group it drains, never waits on) and, with
//! `[watch] one_reader`, the whole notification side. Otherwise the alarm
//! group (holds for deletes and renames) has a thread of its own,
//! `alarm-reader`, while the notification side runs at idle priority in
//! `notify-reader`.

use crate::core::NotifySide;
use crate::read_marks::ReadMarks;
use crate::Hot;
use mamori_watch::{AlarmGroup, Pending, PermGroup};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long closes may wait in their queue (read marks' writer counts
/// only fall later: more events, never fewer). An overwrite's close is
/// read before the next permission event instead
/// ([`Closes::drain_for_barrier`]).
pub(crate) const CLOSES_EVERY: Duration = Duration::from_millis(20);

pub(crate) enum Beside {
    /// `[watch] one_reader`: the notification side too, in this thread.
    Notify(Box<NotifySide>),
    /// The alarm group, read by `alarm-reader`; the notification side
    /// runs in `notify-reader`.
    Alarm(AlarmGroup),
}

/// Starts `alarm-reader`: holds every smbd that deletes or renames a file
/// as soon as the alarm group says so. A thread of its own (at the
/// permission reader's priority) so that the permission reader can sleep
/// in `read` on its one group: one wake-up per batch, no `poll`.
pub(crate) fn spawn_alarm_reader(alarm: AlarmGroup, hot: Arc<Hot>) {
    let _ = std::thread::Builder::new()
        .name("alarm-reader".into())
        .spawn(move || {
            crate::hold::prioritise_this_thread();
            let mut buf = vec![0u8; 64 * 1024];
            while !hot.stop.load(Ordering::Acquire) {
                if alarm.wait(ALARM_WAIT_MS) {
                    read_alarms(&alarm, &hot, &mut buf);
                }
            }
        });
}

/// How long `alarm-reader` sleeps before it looks at the stop flag again.
const ALARM_WAIT_MS: i32 = 200;

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

    /// The last drain found closes: more are likely, read them within
    /// [`CLOSES_EVERY`] even if no permission event comes.
    pub(crate) fn busy(&self) -> bool {
        self.busy
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

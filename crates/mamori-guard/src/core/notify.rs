//! The notification side of the watch reader: fanotify create / delete /
//! rename / close-after-write events become [`Queued`] changes for the
//! main loop, holding (`SIGSTOP`) the smbd of every delete or rename as
//! soon as the event header is read.
//!
//! It runs in the permission reader's thread ([`crate::perm`]), which
//! waits on both groups' descriptors at once: a new file's creation and
//! its open permission event, and its close in both groups, are queued by
//! the kernel within microseconds of each other, and one thread picks up
//! both with one wake-up instead of two threads waking once each.
//! Creates wake nobody (see [`NotifyGroup`]): they come with the next
//! read, or within [`CREATES_EVERY`] while the reader wakes for anything
//! else, or at its next idle timeout (200 ms).

use super::queue::{QueueSender, Queued};
use crate::Hot;
use mamori_watch::{Change, NotifyGroup, Observed};
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long creates may wait in their queue while the reader is awake.
pub(crate) const CREATES_EVERY: Duration = Duration::from_millis(20);

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
        }
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.group.raw_fd()
    }

    /// Reads and forwards in a thread of its own (`notify-reader`, the
    /// default) until the guard stops.
    pub(crate) fn spawn(mut self) {
        let _ = std::thread::Builder::new()
            .name("notify-reader".into())
            .spawn(move || {
                crate::hold::prioritise_this_thread();
                while !self.hot.stop.load(Ordering::Acquire) {
                    self.creates_if_due();
                    if self.group.wait(200) {
                        self.hot.trace.add(&self.hot.trace.hops.reader_polls, 1);
                        self.pump();
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
        let read = self
            .group
            .read_with(&mut self.buf, &mut self.batch, &mut |pid| {
                if holds.hold(pid) {
                    let count = early.entry(pid).or_insert(0);
                    if *count == 0 {
                        // Stopped right after its delete, an smbd is
                        // still in its user's context: name it now.
                        let _ = hot.actor_of(pid);
                    }
                    *count += 1;
                }
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
        let written = counted(hot, &observed).map(|pid| hot.unjudged_add(pid));
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

/// Changes whose verdict the writer's next access waits for: overwrites
/// of existing content (a probe was taken) and deletes of files.
fn counted(hot: &Hot, observed: &Observed) -> Option<u32> {
    let pid = observed.pid?;
    let counts = match observed.change {
        Change::Written => hot
            .befores
            .lock()
            .is_ok_and(|b| b.contains(&(pid, observed.share, observed.path.clone()))),
        Change::Deleted => !observed.is_dir,
        _ => false,
    };
    counts.then_some(pid)
}

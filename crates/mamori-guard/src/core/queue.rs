//! The changes on their way from the watch reader to the main loop.
//!
//! A bounded queue handed over in batches: the reader pushes everything one
//! `read` of the kernel queue produced with one lock, and wakes the main
//! loop at most once per batch, and only when the batch holds a change
//! somebody waits for: a delete or rename (its smbd is held), an overwrite
//! of existing content (the writer's next file waits at the verdict
//! barrier), an overflow, anything of a directory but its creation. New
//! files — created, and closed after writing with no old content to
//! lose — wake nobody: they are taken at the main loop's next pass, at
//! most [`LAZY`] later, or at once with the next change that wakes it,
//! always in queue order (a delete of the original after its encrypted
//! copy is judged after the copy). Every wake-up of the main thread on a
//! two-core file server is CPU taken from smbd and its client.

use crate::lazy::{Lazy, LazyThread};
use mamori_watch::{Change, Observed};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest a change that wakes nobody waits for the main loop.
pub(crate) const LAZY: Duration = Duration::from_millis(20);

/// Changes a drained buffer keeps room for. A storm fills the queue to its
/// capacity (65 536 changes, ≈ 20 MiB with their room); the buffers give
/// that back once drained instead of holding it for the guard's lifetime
/// (heaptrack, session 31: 40 MiB of the guard's peak were the queue's
/// and the main loop's buffers).
pub(crate) const KEEP_ROOM: usize = 4096;

/// A change on its way to the main loop; `held` = the smbd it stopped,
/// `written` = the barrier group it counts in until judged.
pub(crate) struct Queued {
    pub observed: Observed,
    pub held: Option<u32>,
    pub written: Option<crate::Group>,
}

impl Queued {
    /// Whether the main loop should wake for this change now: everything
    /// but a new file nobody waits for (no hold, no barrier count).
    fn wants_judging(&self) -> bool {
        self.held.is_some()
            || self.written.is_some()
            || !matches!(self.observed.change, Change::Created | Change::Written)
    }
}

struct Inner {
    items: VecDeque<Queued>,
    /// The main loop is asleep in [`ChangeQueue::take`].
    sleeping: bool,
    /// ... for at most [`LAZY`], to take changes that woke nobody.
    lazy_timer: bool,
    /// Live [`QueueSender`]s; 0 = the readers are gone.
    senders: usize,
}

pub(crate) struct ChangeQueue {
    inner: Mutex<Inner>,
    wake: Condvar,
    capacity: usize,
    /// A change that wants judging is queued. Written under `inner`'s lock
    /// (so the condition variable's logic holds), read without it too
    /// ([`ChangeQueue::due`]).
    due: AtomicBool,
    /// The main loop is raised to normal priority before a change somebody
    /// waits for is queued (`lazy.rs`, rule 2).
    lazy: Arc<Lazy>,
}

/// The reader's end; when the last one is dropped the queue is closed.
pub(crate) struct QueueSender {
    queue: Arc<ChangeQueue>,
}

impl Clone for QueueSender {
    fn clone(&self) -> Self {
        if let Ok(mut inner) = self.queue.inner.lock() {
            inner.senders += 1;
        }
        QueueSender {
            queue: self.queue.clone(),
        }
    }
}

impl Drop for QueueSender {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.queue.inner.lock() {
            inner.senders = inner.senders.saturating_sub(1);
        }
        self.queue.wake.notify_one();
    }
}

impl QueueSender {
    /// Appends `batch` in order; the changes that did not fit (queue full)
    /// are returned for the caller to undo. Wakes the main loop once if
    /// any change wants judging.
    pub(crate) fn push(&self, batch: Vec<Queued>) -> Vec<Queued> {
        let Ok(mut inner) = self.queue.inner.lock() else {
            return batch;
        };
        let room = self.queue.capacity.saturating_sub(inner.items.len());
        let mut rest = batch;
        let refused = if rest.len() > room {
            rest.split_off(room)
        } else {
            Vec::new()
        };
        let due = rest.iter().any(Queued::wants_judging);
        if due {
            self.queue.due.store(true, Ordering::Release);
        }
        let some = !rest.is_empty();
        inner.items.extend(rest);
        // Asleep for long: the first change that wakes nobody still
        // starts the short wait.
        let wake = inner.sleeping && (due || (some && !inner.lazy_timer));
        if wake {
            inner.lazy_timer = true;
        }
        drop(inner);
        if due {
            self.queue.lazy.raise(LazyThread::Main);
        }
        if wake {
            self.queue.wake.notify_one();
        }
        refused
    }
}

impl ChangeQueue {
    pub(crate) fn new(capacity: usize, lazy: Arc<Lazy>) -> (Arc<ChangeQueue>, QueueSender) {
        let queue = Arc::new(ChangeQueue {
            inner: Mutex::new(Inner {
                items: VecDeque::new(),
                sleeping: false,
                lazy_timer: false,
                senders: 1,
            }),
            wake: Condvar::new(),
            capacity: capacity.max(1),
            due: AtomicBool::new(false),
            lazy,
        });
        let sender = QueueSender {
            queue: queue.clone(),
        };
        (queue, sender)
    }

    /// Waits up to `timeout` for a change that wants judging, then takes
    /// every queued change (those that woke nobody included, in order).
    /// Changes that wake nobody wait at most [`LAZY`]: the first one
    /// queued while the main loop sleeps the long wait wakes it, and it
    /// sleeps `LAZY` more. `Some(true)` when a change taken wants judging,
    /// `None` once the readers are gone and the queue is empty.
    pub(crate) fn take(&self, timeout: Duration, out: &mut Vec<Queued>) -> Option<bool> {
        let Ok(mut inner) = self.inner.lock() else {
            return None;
        };
        let deadline = Instant::now() + timeout;
        while !self.due() && inner.senders > 0 {
            let now = Instant::now();
            let lazy = !inner.items.is_empty();
            let wait = if lazy {
                LAZY
            } else {
                deadline.saturating_duration_since(now)
            };
            if wait.is_zero() {
                break;
            }
            inner.sleeping = true;
            inner.lazy_timer = lazy;
            let (guard, result) = match self.wake.wait_timeout(inner, wait) {
                Ok(woken) => woken,
                Err(_) => return None,
            };
            inner = guard;
            inner.sleeping = false;
            if result.timed_out() {
                break;
            }
        }
        let due = self.due.swap(false, Ordering::AcqRel);
        if inner.items.is_empty() && inner.senders == 0 {
            return None;
        }
        out.extend(inner.items.drain(..));
        if inner.items.capacity() > KEEP_ROOM {
            inner.items.shrink_to(KEEP_ROOM);
        }
        Some(due)
    }

    /// A change that wants judging was queued since the last [`take`]
    /// (read without the lock: the main loop asks after lowering its
    /// priority, so a push racing with that is never left waiting on an
    /// idle-priority thread).
    ///
    /// [`take`]: ChangeQueue::take
    pub(crate) fn due(&self) -> bool {
        self.due.load(Ordering::Acquire)
    }

    /// The main loop's priority for the batch just taken (`lazy.rs`): normal
    /// when somebody waits for one of its changes, idle otherwise.
    pub(crate) fn set_priority_for(&self, due: bool) {
        if due {
            self.lazy.raise(LazyThread::Main);
        } else {
            self.lazy.relax(LazyThread::Main);
            if self.due() {
                self.lazy.raise(LazyThread::Main);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn change(change: Change) -> Queued {
        Queued {
            observed: Observed {
                share: 0,
                path: PathBuf::from("a"),
                change,
                is_dir: false,
                pid: Some(1),
                audit: None,
                inode: None,
            },
            held: None,
            written: None,
        }
    }

    #[test]
    fn new_files_wait_for_the_next_change_and_keep_their_order() {
        let (queue, sender) = ChangeQueue::new(3, Lazy::new(false));
        assert!(sender.push(vec![change(Change::Created)]).is_empty());
        let mut out = Vec::new();
        // Taken within LAZY, however long the main loop would sleep.
        queue.take(Duration::from_secs(600), &mut out).unwrap();
        assert_eq!(out.len(), 1, "a new file is taken at the short timeout");
        out.clear();
        sender.push(vec![change(Change::Created)]);
        sender.push(vec![change(Change::Written)]);
        let refused = sender.push(vec![change(Change::Deleted), change(Change::Deleted)]);
        assert_eq!(refused.len(), 1, "bounded");
        queue.take(Duration::from_secs(600), &mut out).unwrap();
        let kinds: Vec<Change> = out.iter().map(|q| q.observed.change.clone()).collect();
        assert_eq!(kinds, [Change::Created, Change::Written, Change::Deleted]);
        let mut overwrite = change(Change::Written);
        overwrite.written = Some(crate::Group::Pid(1));
        assert!(overwrite.wants_judging() && !change(Change::Written).wants_judging());
        drop(sender);
        out.clear();
        assert!(queue.take(Duration::from_secs(60), &mut out).is_none());
    }
}

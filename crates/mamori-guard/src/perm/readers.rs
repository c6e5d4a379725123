//! The permission readers' threads: one reader, or one pinned to each CPU.
//!
//! Why one per CPU: an opener waiting for its permission answer sleeps on
//! its CPU, and a single reader is woken wherever it slept last — usually
//! the other, halted vCPU (an inter-processor wake-up there, and another
//! back to the opener). Every reader blocked on the group is woken by an
//! event; the one pinned beside the opener runs as soon as the opener
//! sleeps, on a CPU that is awake, and answers before the others have
//! come up (`create_loop` paced like LAN puts, 2 vCPUs: a permission round
//! trip ≈ 60 µs with one reader, ≈ 20 µs with one per CPU;
//! docs/design/guard.md, "A reader per CPU").
//!
//! The price is a wake-up per reader per event, and the reader's work
//! after its answer (marks, closes) now runs on the opener's CPU; over SMB
//! on the 2-vCPU development VM no gain was shown for writes through the
//! host's noise and small reads came out 5–7 points dearer in three runs, so
//! one reader stays the default (`[watch]
//! readers = 1`). `readers = 0` pins one per CPU on machines of up to
//! [`AUTO_MAX_CPUS`] CPUs (one reader above); `readers = N`, one on each of
//! the first N CPUs.
//!
//! With several readers the group is non-blocking and every reader waits
//! in `poll`; a batch is read and handled under the tables' lock, so
//! batches are handled one at a time in the kernel's order. The lead
//! reader (the first) also keeps the closes' timer and, with `[watch]
//! one_reader`, the notification side.

use super::Shared;
use crate::core::NotifySide;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Above this many CPUs the default is one reader (each event wakes every
/// reader).
pub(crate) const AUTO_MAX_CPUS: usize = 8;

/// How many readers `configured` (`[watch] readers`, 0 = auto) means here,
/// and the CPUs to pin them to (empty: one reader, not pinned).
pub(crate) fn placement(configured: usize) -> Vec<usize> {
    let cpus = mamori_watch::cpus::allowed();
    let wanted = match configured {
        0 if cpus.len() <= AUTO_MAX_CPUS => cpus.len(),
        0 => 1,
        n => n.min(cpus.len()),
    };
    if wanted <= 1 {
        return Vec::new();
    }
    cpus.into_iter().take(wanted).collect()
}

/// Starts the readers: the lead, then one more per CPU of `configured`'s
/// placement.
pub(super) fn spawn(shared: Shared, notify: Option<Box<NotifySide>>, configured: usize) {
    let cpus = placement(configured);
    if cpus.len() > 1 {
        if let Err(e) = shared.group.set_nonblocking() {
            tracing::warn!("permission readers: one reader (group stays blocking: {e})");
            return start_lead(Arc::new(shared), notify, None);
        }
    }
    let shared = Arc::new(shared);
    for (n, &cpu) in cpus.iter().enumerate().skip(1) {
        let shared = shared.clone();
        let _ = std::thread::Builder::new()
            .name(format!("perm-reader-{n}"))
            .spawn(move || helper(shared, cpu));
    }
    start_lead(shared, notify, cpus.first().copied());
}

fn start_lead(shared: Arc<Shared>, notify: Option<Box<NotifySide>>, cpu: Option<usize>) {
    let _ = std::thread::Builder::new()
        .name("perm-reader".into())
        .spawn(move || lead(shared, notify, cpu));
}

/// Lets go of the shared group, then tells [`super::ReaderWake`] that this
/// reader is gone, however it leaves.
struct Leaving {
    shared: Option<Arc<Shared>>,
    hot: Arc<crate::Hot>,
    tid: i32,
}

impl Leaving {
    fn register(shared: Arc<Shared>) -> Leaving {
        crate::hold::prioritise_this_thread();
        let hot = shared.hot.clone();
        let tid = hot.reader_wake.register();
        Leaving {
            shared: Some(shared),
            hot,
            tid,
        }
    }

    fn shared(&self) -> Option<&Shared> {
        self.shared.as_deref()
    }
}

impl Drop for Leaving {
    fn drop(&mut self) {
        self.shared.take();
        self.hot.reader_wake.exited(self.tid);
    }
}

/// The lead reader: waits for the closes' timer and the notification side
/// too; with other readers it waits in `poll`, alone it sleeps in `read`.
fn lead(shared: Arc<Shared>, mut notify: Option<Box<NotifySide>>, cpu: Option<usize>) {
    let several = cpu.is_some();
    if let Some(cpu) = cpu {
        mamori_watch::cpus::pin_this_thread(cpu);
    }
    let leaving = Leaving::register(shared);
    let Some(shared) = leaving.shared() else {
        return;
    };
    let hot = &shared.hot;
    let group = &shared.group;
    while !hot.stop.load(Ordering::Acquire) {
        let (timeout, closes_busy) = {
            let mut tables = shared.tables();
            shared.note_queue_empty(&mut tables);
            (tables.closes.timeout_ms(), tables.closes.busy())
        };
        // Here, with every answer of the last batch given.
        let ready = match notify.as_mut() {
            Some(notify) => {
                notify.creates_if_due();
                let (ready, notify_ready) = group.wait_with(notify.fd(), timeout);
                // Deletes and renames first: their holds are taken as they
                // are read, and nobody waits on a close or a create.
                if notify_ready {
                    notify.pump();
                }
                ready
            }
            // Closes due (or an overwrite's close awaited): wait for them
            // at most that long.
            None if closes_busy || hot.overwrites_open() => group.wait(timeout),
            // Else sleep until an event: in `poll` beside other readers, in
            // `read` itself when alone (one wake-up per batch, no `poll`).
            None if several => group.wait(-1),
            None => true,
        };
        let mut tables = shared.tables();
        if !ready {
            shared.drain_closes_if_due(&mut tables);
        } else if !shared.read_and_handle(&mut tables) {
            drop(tables);
            super::pause_after_failed_read();
        }
    }
}

/// Another reader, pinned to `cpu`: waits in `poll`, reads and handles.
fn helper(shared: Arc<Shared>, cpu: usize) {
    mamori_watch::cpus::pin_this_thread(cpu);
    let leaving = Leaving::register(shared);
    let Some(shared) = leaving.shared() else {
        return;
    };
    while !shared.hot.stop.load(Ordering::Acquire) {
        if shared.group.wait(-1) && !shared.read_and_handle(&mut shared.tables()) {
            super::pause_after_failed_read();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_follows_the_configuration_within_the_cpus_allowed() {
        let cpus = mamori_watch::cpus::allowed();
        assert!(!cpus.is_empty());
        // One reader is never pinned.
        assert!(placement(1).is_empty());
        let auto = placement(0);
        if cpus.len() > 1 && cpus.len() <= AUTO_MAX_CPUS {
            assert_eq!(auto, cpus);
        } else {
            assert!(auto.is_empty());
        }
        // Never more readers than CPUs.
        let many = placement(1000);
        assert!(many.len() <= cpus.len());
        if cpus.len() > 1 {
            assert_eq!(placement(2), cpus[..2].to_vec());
        }
    }
}

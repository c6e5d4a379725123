//! The permission reader's hand-off to its workers: a bounded queue that
//! holds memory only while it holds events.
//!
//! Why not `sync_channel(65 536)`: std's bounded channel allocates and
//! initialises every slot when it is made — about 7 MiB resident for the
//! guard's whole life, a tenth of its peak in the default storm — while
//! the queue is empty nearly all the time (the reader answers most events
//! itself). Here the room grows with a burst and is given back once the
//! workers have emptied it.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};

/// Room an emptied queue keeps.
const KEEP_ROOM: usize = 256;

struct State<T> {
    items: VecDeque<T>,
    /// The sending side is gone: workers leave once it is empty.
    closed: bool,
}

struct Queue<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
    capacity: usize,
}

/// The reader's end; dropping it lets the workers finish and leave.
pub(super) struct Sender<T>(Arc<Queue<T>>);

/// A worker's end (cloned for each worker).
pub(super) struct Receiver<T>(Arc<Queue<T>>);

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Receiver(self.0.clone())
    }
}

/// A queue of at most `capacity` items.
pub(super) fn bounded<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let queue = Arc::new(Queue {
        state: Mutex::new(State {
            items: VecDeque::new(),
            closed: false,
        }),
        ready: Condvar::new(),
        capacity: capacity.max(1),
    });
    (Sender(queue.clone()), Receiver(queue))
}

impl<T> Sender<T> {
    /// Queues `item`, or gives it back when the queue is full (or its
    /// lock poisoned: a worker panicked while holding it).
    pub(super) fn try_send(&self, item: T) -> Result<(), T> {
        let Ok(mut state) = self.0.state.lock() else {
            return Err(item);
        };
        if state.items.len() >= self.0.capacity {
            return Err(item);
        }
        state.items.push_back(item);
        drop(state);
        self.0.ready.notify_one();
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Ok(mut state) = self.0.state.lock() {
            state.closed = true;
        }
        self.0.ready.notify_all();
    }
}

impl<T> Receiver<T> {
    /// The next item, waiting for one; `None` once the sender is gone and
    /// the queue empty.
    pub(super) fn recv(&self) -> Option<T> {
        let mut state = self.0.state.lock().ok()?;
        loop {
            if let Some(item) = state.items.pop_front() {
                if state.items.is_empty() && state.items.capacity() > KEEP_ROOM {
                    state.items.shrink_to(KEEP_ROOM);
                }
                return Some(item);
            }
            if state.closed {
                return None;
            }
            state = self.0.ready.wait(state).ok()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_in_order_and_closed_when_the_sender_goes() {
        let (sender, receiver) = bounded::<u32>(2);
        assert!(sender.try_send(1).is_ok());
        assert!(sender.try_send(2).is_ok());
        assert_eq!(sender.try_send(3), Err(3));
        assert_eq!(receiver.recv(), Some(1));
        assert!(sender.try_send(3).is_ok());
        drop(sender);
        // What was queued is still handed out, then the end.
        assert_eq!(receiver.recv(), Some(2));
        assert_eq!(receiver.recv(), Some(3));
        assert_eq!(receiver.recv(), None);
    }

    #[test]
    fn workers_wake_for_items_and_leave_at_the_end() {
        let (sender, receiver) = bounded::<u32>(10_000);
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let receiver = receiver.clone();
                std::thread::spawn(move || {
                    let mut sum = 0u64;
                    while let Some(n) = receiver.recv() {
                        sum += u64::from(n);
                    }
                    sum
                })
            })
            .collect();
        for n in 1..=1000 {
            while sender.try_send(n).is_err() {
                std::thread::yield_now();
            }
        }
        drop(sender);
        let total: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
        assert_eq!(total, 500_500);
    }

    #[test]
    fn an_emptied_queue_gives_its_room_back() {
        let (sender, receiver) = bounded::<[u8; 64]>(100_000);
        for _ in 0..50_000 {
            assert!(sender.try_send([0; 64]).is_ok());
        }
        while receiver.recv_now().is_some() {}
        assert!(receiver.0.state.lock().unwrap().items.capacity() <= KEEP_ROOM);
    }

    impl<T> Receiver<T> {
        fn recv_now(&self) -> Option<T> {
            let empty = self.0.state.lock().unwrap().items.is_empty();
            (!empty).then(|| self.recv()).flatten()
        }
    }
}

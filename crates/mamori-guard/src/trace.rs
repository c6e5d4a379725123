//! An optional trace of the permission path's latency, for measuring what
//! a small file costs: `MAMORI_GUARD_TRACE=FILE` makes the guard count, per
//! kind of permission event, the events and the time from reading the
//! event to writing its answer (log2 µs histogram), and the thread hand-offs
//! (reader batches, events sent to workers, barrier waits, notify batches,
//! main-loop changes); one JSON line is appended to FILE when the guard
//! stops. Off (the default) it costs one branch per event.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// What a permission event was and who answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Open of an empty file (being created by this open), by the reader.
    OpenNew,
    /// Open of a file with content, answered by the reader.
    OpenExisting,
    /// Open handed to a worker (new pid, barrier, truncation, blocks).
    OpenWorker,
    /// Pre-content event on an empty file, by the reader.
    AccessNew,
    /// Pre-content event needing nothing (a read, or a write after the
    /// first), by the reader.
    AccessNoWork,
    /// Pre-content event handed to a worker (first write of existing
    /// content: probe and vault copy; or the barrier).
    AccessWorker,
    /// The guard's own, or of a process outside our pid namespace.
    Other,
}

const CLASSES: [(Class, &str); 7] = [
    (Class::OpenNew, "open_new"),
    (Class::OpenExisting, "open_existing"),
    (Class::OpenWorker, "open_worker"),
    (Class::AccessNew, "access_new"),
    (Class::AccessNoWork, "access_nowork"),
    (Class::AccessWorker, "access_worker"),
    (Class::Other, "other"),
];
const BUCKETS: usize = 24;

#[derive(Default)]
struct PerClass {
    count: AtomicU64,
    sum_ns: AtomicU64,
    max_ns: AtomicU64,
    /// Bucket b: answered within [2^(b-1), 2^b) µs (bucket 0: under 1 µs).
    hist: [AtomicU64; BUCKETS],
}

/// Thread hand-off counters.
#[derive(Default)]
pub(crate) struct Hops {
    /// `read` calls of the permission reader that returned events.
    pub perm_batches: AtomicU64,
    /// Close-after-write events read by the permission reader.
    pub perm_closes: AtomicU64,
    /// Opens classified from `/proc/PID/task/*/syscall`: count, time and
    /// threads read.
    pub classify: AtomicU64,
    pub classify_ns: AtomicU64,
    pub classify_threads: AtomicU64,
    /// Events sent to a worker (each one a wake-up of a worker).
    pub to_worker: AtomicU64,
    /// Worker events that waited at the verdict barrier, and for how long.
    pub barrier_waits: AtomicU64,
    pub barrier_wait_ns: AtomicU64,
    /// Probes + vault copies taken by workers, and their time.
    pub preserves: AtomicU64,
    pub preserve_ns: AtomicU64,
    /// `read` calls of the notify reader that returned events, and changes.
    pub notify_batches: AtomicU64,
    pub notify_changes: AtomicU64,
    /// Notification events of the guard's own process (read, dropped).
    pub notify_own: AtomicU64,
    /// Returns of the watch reader's `poll` with a group readable (each
    /// one a wake-up unless the reader was still busy).
    pub reader_polls: AtomicU64,
    /// Main-loop passes that took changes (each one a wake-up of the main
    /// thread, or its 200 ms timeout).
    pub main_wakes: AtomicU64,
    /// Changes the main loop handled, and its time on them.
    pub main_changes: AtomicU64,
    pub main_ns: AtomicU64,
}

pub(crate) struct Trace {
    file: Option<std::path::PathBuf>,
    classes: [PerClass; 7],
    pub hops: Hops,
}

impl Trace {
    pub(crate) fn from_env() -> Trace {
        Trace {
            file: std::env::var_os("MAMORI_GUARD_TRACE")
                .filter(|v| !v.is_empty())
                .map(Into::into),
            classes: Default::default(),
            hops: Hops::default(),
        }
    }

    pub(crate) fn on(&self) -> bool {
        self.file.is_some()
    }

    /// A timestamp when tracing, else nothing (no clock read).
    pub(crate) fn now(&self) -> Option<Instant> {
        self.on().then(Instant::now)
    }

    /// Adds `n` to a hop counter when tracing.
    pub(crate) fn add(&self, counter: &AtomicU64, n: u64) {
        if self.on() {
            counter.fetch_add(n, Relaxed);
        }
    }

    /// Adds the time since `since` to a counter when tracing.
    pub(crate) fn add_since(&self, counter: &AtomicU64, since: Option<Instant>) {
        if let Some(t) = since {
            counter.fetch_add(t.elapsed().as_nanos() as u64, Relaxed);
        }
    }

    /// An event of `class` read at `read_at` was answered now.
    pub(crate) fn answered(&self, class: Class, read_at: Option<Instant>) {
        let Some(read_at) = read_at else { return };
        let ns = read_at.elapsed().as_nanos() as u64;
        let index = CLASSES.iter().position(|(c, _)| *c == class).unwrap_or(6);
        let slot = &self.classes[index];
        slot.count.fetch_add(1, Relaxed);
        slot.sum_ns.fetch_add(ns, Relaxed);
        slot.max_ns.fetch_max(ns, Relaxed);
        let us = ns / 1000;
        let bucket = ((u64::BITS - us.leading_zeros()) as usize).min(BUCKETS - 1);
        slot.hist[bucket].fetch_add(1, Relaxed);
    }

    /// The summary as one JSON object.
    pub(crate) fn summary(&self) -> serde_json::Value {
        let mut classes = serde_json::Map::new();
        for ((_, name), slot) in CLASSES.iter().zip(&self.classes) {
            let count = slot.count.load(Relaxed);
            if count == 0 {
                continue;
            }
            let hist: Vec<u64> = slot.hist.iter().map(|h| h.load(Relaxed)).collect();
            let quantile = |q: f64| {
                let want = (count as f64 * q).ceil() as u64;
                let mut seen = 0;
                for (b, n) in hist.iter().enumerate() {
                    seen += n;
                    if seen >= want.max(1) {
                        // Upper bound of the bucket, µs.
                        return 1u64 << b;
                    }
                }
                1u64 << (BUCKETS - 1)
            };
            classes.insert(
                name.to_string(),
                serde_json::json!({
                    "count": count,
                    "mean_us": slot.sum_ns.load(Relaxed) as f64 / count as f64 / 1000.0,
                    "p50_us_le": quantile(0.5),
                    "p99_us_le": quantile(0.99),
                    "max_us": slot.max_ns.load(Relaxed) / 1000,
                }),
            );
        }
        let h = &self.hops;
        let l = |a: &AtomicU64| a.load(Relaxed);
        serde_json::json!({
            "events": classes,
            "perm_batches": l(&h.perm_batches),
            "perm_closes": l(&h.perm_closes),
            "classify": l(&h.classify),
            "classify_us": l(&h.classify_ns) / 1000,
            "classify_threads": l(&h.classify_threads),
            "to_worker": l(&h.to_worker),
            "barrier_waits": l(&h.barrier_waits),
            "barrier_wait_us": l(&h.barrier_wait_ns) / 1000,
            "preserves": l(&h.preserves),
            "preserve_us": l(&h.preserve_ns) / 1000,
            "notify_batches": l(&h.notify_batches),
            "notify_changes": l(&h.notify_changes),
            "notify_own": l(&h.notify_own),
            "reader_polls": l(&h.reader_polls),
            "main_wakes": l(&h.main_wakes),
            "main_changes": l(&h.main_changes),
            "main_us": l(&h.main_ns) / 1000,
            "thread_cpu_us": thread_cpu(),
        })
    }

    /// Appends the summary to the trace file (when tracing).
    pub(crate) fn write(&self) {
        let Some(file) = &self.file else { return };
        use std::io::Write;
        let line = format!("{}\n", self.summary());
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("{}: {e}", file.display());
        }
    }
}

/// CPU time (µs) of each of this process's threads, by thread name
/// (summed over threads of the same name), from `/proc/self/task`.
fn thread_cpu() -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        let ns = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        let entry = out
            .entry(name.trim().to_string())
            .or_insert(serde_json::json!(0));
        *entry = serde_json::json!(entry.as_u64().unwrap_or(0) + ns / 1000);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default_and_counts_when_on() {
        let mut trace = Trace::from_env();
        trace.file = None;
        assert!(trace.now().is_none());
        trace.answered(Class::OpenNew, None);
        assert_eq!(trace.summary()["events"], serde_json::json!({}));
        trace.file = Some("/dev/null".into());
        let t = trace.now();
        trace.answered(Class::AccessNew, t);
        trace.add(&trace.hops.perm_batches, 2);
        let s = trace.summary();
        assert_eq!(s["events"]["access_new"]["count"], 1);
        assert_eq!(s["perm_batches"], 2);
    }
}

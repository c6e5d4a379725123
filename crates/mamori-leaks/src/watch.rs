//! `mamori leaks watch`: poll, sleep the interval with jitter (so a fleet
//! of installations never polls trackers in lock-step), repeat until
//! SIGINT or SIGTERM.

use crate::{poll, LeaksConfig, LeaksError, PollReport};
use rand::Rng;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_signal: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// The next wait: the interval, plus or minus up to `jitter` of it.
pub fn next_wait(interval: Duration, jitter: f64) -> Duration {
    let jitter = jitter.clamp(0.0, 0.9);
    let factor = 1.0 + rand::thread_rng().gen_range(-jitter..=jitter);
    interval.mul_f64(factor)
}

/// Polls until stopped (or `max_polls`); `after_poll` sees every report
/// (or the error of a poll that failed as a whole: the loop goes on).
pub fn watch(
    config: &LeaksConfig,
    state_dir: &Path,
    interval: Duration,
    max_polls: Option<u64>,
    mut after_poll: impl FnMut(Result<&PollReport, &LeaksError>),
) {
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(
            libc::SIGINT,
            request_stop as *const () as libc::sighandler_t,
        );
        libc::signal(
            libc::SIGTERM,
            request_stop as *const () as libc::sighandler_t,
        );
    }
    let mut polls = 0u64;
    while !STOP.load(Ordering::SeqCst) {
        match poll(config, state_dir) {
            Ok(report) => after_poll(Ok(&report)),
            Err(error) => after_poll(Err(&error)),
        }
        polls += 1;
        if max_polls.is_some_and(|max| polls >= max) {
            break;
        }
        let until = Instant::now() + next_wait(interval, config.leaks.jitter);
        while Instant::now() < until && !STOP.load(Ordering::SeqCst) {
            std::thread::sleep(
                Duration::from_millis(200).min(until.saturating_duration_since(Instant::now())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_bounds() {
        for _ in 0..100 {
            let wait = next_wait(Duration::from_secs(7200), 0.2);
            assert!(wait >= Duration::from_secs(5760) && wait <= Duration::from_secs(8640));
        }
    }
}

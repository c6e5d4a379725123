//! The CPUs a process may run on, and pinning a thread to one: for
//! permission readers placed one per CPU, so the reader beside a waiting
//! opener answers it (see the guard's `perm/readers.rs`).

/// The CPUs this process may run on, in order (`[0]` when unknown).
pub fn allowed() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is a valid out-buffer for sched_getaffinity.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: plain syscall filling `set`.
    if unsafe { libc::sched_getaffinity(0, size, &mut set) } != 0 {
        return vec![0];
    }
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: cpu < CPU_SETSIZE, within the set.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect()
}

/// Pins the calling thread to `cpu`; false when the kernel refused (the
/// thread then runs where it may, which still works).
pub fn pin_this_thread(cpu: usize) -> bool {
    if cpu >= libc::CPU_SETSIZE as usize {
        return false;
    }
    // SAFETY: a zeroed cpu_set_t is valid; the calls touch only it and this thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_pinned_to_an_allowed_cpu_runs_there_only() {
        let cpus = allowed();
        assert!(!cpus.is_empty());
        let last = *cpus.last().unwrap();
        let ran_on = std::thread::spawn(move || {
            assert!(pin_this_thread(last));
            // SAFETY: plain call.
            unsafe { libc::sched_getcpu() }
        })
        .join()
        .unwrap();
        assert_eq!(ran_on, last as i32);
        assert!(!pin_this_thread(libc::CPU_SETSIZE as usize));
    }
}

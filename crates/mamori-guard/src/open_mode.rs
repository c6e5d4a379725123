//! How a process waiting in an open opens its file, from
//! `/proc/PID/task/TID/syscall` (the flags argument of its `open`,
//! `openat` or `creat`). When the permission group reports threads
//! (`FAN_REPORT_TID`, [`mamori_watch::Pending::tid`]) that is one read of
//! the opener's own file, a thread asleep in our event; otherwise the event
//! names only the process and every thread is read ([`classify`]).

use std::collections::HashMap;

/// How a blocked opener opens its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenMode {
    pub(crate) write: bool,
    pub(crate) truncate: bool,
}

/// The open flags of a syscall line of `/proc/PID/task/TID/syscall`.
pub(crate) fn mode_of_syscall(text: &str) -> Option<OpenMode> {
    let mut fields = text.split_whitespace();
    let number = fields.next()?.parse::<i64>().ok()?;
    let args: Vec<u64> = fields
        .take(6)
        .map(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).unwrap_or(0))
        .collect();
    let flags = match number {
        n if n == libc::SYS_openat => args.get(2).copied()?,
        #[cfg(target_arch = "x86_64")]
        n if n == libc::SYS_open => args.get(1).copied()?,
        #[cfg(target_arch = "x86_64")]
        n if n == libc::SYS_creat => {
            return Some(OpenMode {
                write: true,
                truncate: true,
            })
        }
        _ => return None,
    };
    let flags = flags as i32;
    Some(OpenMode {
        write: flags & libc::O_ACCMODE != libc::O_RDONLY,
        truncate: flags & libc::O_TRUNC != 0,
    })
}

/// Open `/proc/PID/task/TID/syscall` files of the pids seen at opens,
/// with the `task` directory, so classifying an open is one `fstat` and a
/// `pread` per thread instead of a directory walk and open + read + close
/// per thread (the reader does it for every open of a non-empty file).
/// Bounded. A descriptor never comes back to life for a new process or
/// thread with the same id (its reads fail): any failed read, or a thread
/// count other than the cached one, rebuilds the pid's entry.
pub(crate) struct SyscallFiles {
    files: HashMap<u32, Threads>,
    /// `/proc/PID/task/TID/syscall` of openers named by the event.
    thread_files: HashMap<(u32, u32), std::fs::File>,
    capacity: usize,
    /// Threads read by the last [`SyscallFiles::open_mode`] (for the trace).
    pub(crate) last_threads: usize,
}

struct Threads {
    task: std::fs::File,
    syscalls: Vec<std::fs::File>,
}

impl SyscallFiles {
    pub(crate) fn new(capacity: usize) -> Self {
        SyscallFiles {
            files: HashMap::new(),
            thread_files: HashMap::new(),
            capacity: capacity.clamp(16, 4096),
            last_threads: 0,
        }
    }

    /// How the opener opens its file: thread `tid` of `pid` when the event
    /// names it ([`SyscallFiles::thread_mode`]), else over all threads.
    pub(crate) fn mode_of(&mut self, pid: u32, tid: Option<u32>) -> Option<OpenMode> {
        match tid {
            Some(tid) => self.thread_mode(pid, tid),
            None => self.open_mode(pid),
        }
    }

    /// How thread `tid` of `pid`, blocked in this open, opens its file: one
    /// `pread` of its kept `syscall` file (reopened when the read fails: a
    /// descriptor of an exited thread never reads another thread's line).
    /// `None` = not in an `open`/`openat`/`creat` whose flags can be read.
    pub(crate) fn thread_mode(&mut self, pid: u32, tid: u32) -> Option<OpenMode> {
        use std::os::unix::fs::FileExt;
        self.last_threads = 1;
        let mut buf = [0u8; 256];
        for attempt in 0..2 {
            if attempt == 1 || !self.thread_files.contains_key(&(pid, tid)) {
                let file = std::fs::File::open(format!("/proc/{pid}/task/{tid}/syscall")).ok()?;
                if self.thread_files.len() >= self.capacity * 4 {
                    self.thread_files.clear();
                }
                self.thread_files.insert((pid, tid), file);
            }
            let file = self.thread_files.get(&(pid, tid))?;
            match file.read_at(&mut buf, 0) {
                Ok(n) if n > 0 => return mode_of_syscall(&String::from_utf8_lossy(&buf[..n])),
                _ => {
                    self.thread_files.remove(&(pid, tid));
                }
            }
        }
        None
    }

    /// How the thread of `pid` blocked in this open opens its file
    /// ([`classify`] over all its threads). `None` = unknown.
    pub(crate) fn open_mode(&mut self, pid: u32) -> Option<OpenMode> {
        for attempt in 0..2 {
            if attempt == 1 || !self.files.contains_key(&pid) {
                let threads = Threads::open(pid)?;
                if self.files.len() >= self.capacity {
                    self.files.clear();
                }
                self.files.insert(pid, threads);
            }
            let threads = self.files.get(&pid)?;
            self.last_threads = threads.syscalls.len();
            if let Some(texts) = threads.read() {
                return classify(texts.iter().map(|t| Some(t.as_str())));
            }
            self.files.remove(&pid);
        }
        None
    }
}

impl Threads {
    fn open(pid: u32) -> Option<Threads> {
        let task = std::fs::File::open(format!("/proc/{pid}/task")).ok()?;
        let mut syscalls = Vec::new();
        for entry in std::fs::read_dir(format!("/proc/{pid}/task"))
            .ok()?
            .flatten()
        {
            syscalls.push(std::fs::File::open(entry.path().join("syscall")).ok()?);
            if syscalls.len() > 256 {
                return None;
            }
        }
        Some(Threads { task, syscalls })
    }

    /// Every thread's syscall line, or `None` when the set of threads is
    /// not the cached one any more.
    fn read(&self) -> Option<Vec<String>> {
        use std::os::unix::fs::{FileExt, MetadataExt};
        let mut buf = [0u8; 256];
        let mut out = Vec::with_capacity(self.syscalls.len());
        for file in &self.syscalls {
            let n = file.read_at(&mut buf, 0).ok().filter(|&n| n > 0)?;
            out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        // After the reads: a thread that appeared since is counted here.
        let count = self.task.metadata().ok()?.nlink().saturating_sub(2);
        (count == self.syscalls.len() as u64).then_some(out)
    }
}

/// Syscalls in which a thread cannot be waiting for an open permission
/// answer (they open no file by name).
fn opens_nothing(number: i64) -> bool {
    #[cfg(target_arch = "x86_64")]
    const QUIET: &[i64] = &[
        libc::SYS_read,
        libc::SYS_write,
        libc::SYS_pread64,
        libc::SYS_pwrite64,
        libc::SYS_readv,
        libc::SYS_writev,
        libc::SYS_preadv,
        libc::SYS_pwritev,
        libc::SYS_preadv2,
        libc::SYS_pwritev2,
        libc::SYS_futex,
        libc::SYS_poll,
        libc::SYS_ppoll,
        libc::SYS_select,
        libc::SYS_pselect6,
        libc::SYS_epoll_wait,
        libc::SYS_epoll_pwait,
        libc::SYS_nanosleep,
        libc::SYS_clock_nanosleep,
        libc::SYS_recvfrom,
        libc::SYS_recvmsg,
        libc::SYS_sendto,
        libc::SYS_sendmsg,
        libc::SYS_accept,
        libc::SYS_accept4,
        libc::SYS_wait4,
        libc::SYS_waitid,
        libc::SYS_rt_sigtimedwait,
        libc::SYS_rt_sigsuspend,
        libc::SYS_pause,
        libc::SYS_fsync,
        libc::SYS_fdatasync,
    ];
    #[cfg(not(target_arch = "x86_64"))]
    const QUIET: &[i64] = &[
        libc::SYS_read,
        libc::SYS_write,
        libc::SYS_pread64,
        libc::SYS_pwrite64,
        libc::SYS_futex,
        libc::SYS_ppoll,
        libc::SYS_epoll_pwait,
        libc::SYS_clock_nanosleep,
    ];
    QUIET.contains(&number)
}

/// How the thread waiting in an open opens its file, judged over the
/// syscall lines of all threads of its process (`None` = unreadable line)
/// since the event does not say which one it is: write if any
/// thread is in a writing open; `None` (unknown, treated as a write by the
/// read ignore marks) if any thread is in a syscall that might be the
/// open and cannot be read (openat2, io_uring, exec, ...); read-only only
/// when every thread that might be the opener is in a read-only open.
/// Threads running on a CPU are not waiting for an answer: skipped.
fn classify<'a>(texts: impl Iterator<Item = Option<&'a str>>) -> Option<OpenMode> {
    let mut read_only = None;
    let mut write: Option<OpenMode> = None;
    let mut unknown = false;
    for text in texts {
        let Some(text) = text else {
            unknown = true;
            continue;
        };
        if text.trim() == "running" {
            continue;
        }
        match mode_of_syscall(text) {
            // Truncating if any writing open truncates: the probe at open
            // time is then taken, whichever thread is ours.
            Some(mode) if mode.write => {
                let truncate = mode.truncate || write.is_some_and(|w| w.truncate);
                write = Some(OpenMode {
                    write: true,
                    truncate,
                });
            }
            Some(mode) => read_only = Some(mode),
            None => {
                let number = text
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<i64>().ok());
                unknown |= !number.is_some_and(opens_nothing);
            }
        }
    }
    if write.is_some() {
        write
    } else if unknown {
        None
    } else {
        read_only
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(number: i64, flags: i32) -> String {
        format!("{number} 0xffffff9c 0x7ffd1234 0x{flags:x} 0x1b6 0x0 0x0 0x7ffc 0x7f")
    }

    #[test]
    fn the_opener_is_judged_over_all_threads() {
        let ro = line(libc::SYS_openat, libc::O_RDONLY);
        let rw = line(libc::SYS_openat, libc::O_RDWR);
        let futex = format!("{} 0x1 0x2 0x3 0x0 0x0 0x0 0x7ffc 0x7f", libc::SYS_futex);
        let openat2 = format!("{} 0x1 0x2 0x3 0x0 0x0 0x0 0x7ffc 0x7f", libc::SYS_openat2);
        let read_only = |lines: &[&str]| classify(lines.iter().map(|l| Some(*l))).map(|m| m.write);
        assert_eq!(read_only(&[&ro, &futex, "running"]), Some(false));
        assert_eq!(read_only(&[&ro, &rw]), Some(true));
        let trunc = line(libc::SYS_openat, libc::O_WRONLY | libc::O_TRUNC);
        let both = classify([Some(rw.as_str()), Some(trunc.as_str())].into_iter());
        assert_eq!(
            both,
            Some(OpenMode {
                write: true,
                truncate: true
            })
        );
        assert_eq!(
            read_only(&[&ro, &openat2]),
            None,
            "another thread may be the opener"
        );
        assert_eq!(read_only(&["-1 0x0 0x0"]), None);
        assert_eq!(read_only(&[&futex]), None, "no thread in an open");
        assert_eq!(classify([Some(ro.as_str()), None].into_iter()), None);
    }

    #[test]
    fn syscall_files_follow_our_own_threads() {
        let mut files = SyscallFiles::new(16);
        // This test thread is in no open: unknown, whatever the others do.
        assert_eq!(files.open_mode(std::process::id()), None);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let extra = std::thread::spawn(move || rx.recv());
        assert_eq!(files.open_mode(std::process::id()), None);
        drop(tx);
        let _ = extra.join();
    }

    #[test]
    fn one_thread_is_read_when_the_event_names_it() {
        let mut files = SyscallFiles::new(16);
        let pid = std::process::id();
        // SAFETY: plain syscall.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as u32;
        // This thread is running (reading its own line): no open to judge.
        assert_eq!(files.thread_mode(pid, tid), None);
        assert_eq!(files.last_threads, 1);
        // A thread of another process is not found under ours.
        assert_eq!(files.thread_mode(pid, 1), None);
        assert!(!files.thread_files.contains_key(&(pid, 1)));
    }
}

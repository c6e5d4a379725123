//! A LAN-like path for the throughput benchmark: two network namespaces
//! joined by a veth pair, the server side (smbd) in one and the client in
//! the other, each veth end shaped to 1 Gbit/s (`tbf`), and a fixed delay
//! each way.
//!
//! Why a relay for the delay: `sch_netem` is the usual tool, but kernels
//! built without it (CONFIG_NET_SCH_NETEM unset, as on the benchmark VM)
//! refuse it. The delay is then added by [`DelayRelay`], a TCP relay in the
//! server namespace that listens on the veth address and hands each chunk
//! on to smbd's loopback port `delay` after it arrived, per direction. The
//! path's round trip is measured (TCP ping-pong through the same relay and
//! veth) and printed with the figures. netem is used instead when present.
//!
//! Only the network namespace changes: smbd keeps the mount namespace, so
//! the guard's fanotify mount marks see its opens (`ip netns exec` would
//! give it a mount namespace of its own).

use crate::{AttackError, Result};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub const SERVER_ADDR: &str = "10.77.0.1";
pub const CLIENT_ADDR: &str = "10.77.0.2";

/// Two namespaces and the veth pair between them; removed on drop.
pub struct Lan {
    server: String,
    client: String,
    /// One-way delay.
    pub delay: Duration,
    /// Whether netem adds the delay (else a [`DelayRelay`] must).
    pub netem: bool,
}

fn ip(args: &[&str]) -> Result<()> {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| AttackError::Setup(format!("ip: {e}")))?;
    if !out.status.success() {
        return Err(AttackError::Setup(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

fn tc(ns: &str, args: &[&str]) -> bool {
    std::process::Command::new("tc")
        .args(["-n", ns])
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Lan {
    /// Sets up the namespaces (root only; needs `ip` and `tc`).
    pub fn setup(delay: Duration) -> Result<Lan> {
        let tag = std::process::id() % 100_000;
        let mut lan = Lan {
            server: format!("mamori-srv-{tag}"),
            client: format!("mamori-cli-{tag}"),
            delay,
            netem: false,
        };
        let (s, c) = (format!("mms{tag}"), format!("mmc{tag}"));
        ip(&["netns", "add", &lan.server])?;
        ip(&["netns", "add", &lan.client])?;
        ip(&["link", "add", &s, "type", "veth", "peer", "name", &c])?;
        ip(&["link", "set", &s, "netns", &lan.server])?;
        ip(&["link", "set", &c, "netns", &lan.client])?;
        for (ns, dev, addr) in [
            (&lan.server, &s, SERVER_ADDR),
            (&lan.client, &c, CLIENT_ADDR),
        ] {
            ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", dev])?;
            ip(&["-n", ns, "link", "set", dev, "up"])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
        }
        let us = format!("{}us", delay.as_micros());
        let netem = tc(
            &lan.server,
            &[
                "qdisc", "add", "dev", &s, "root", "netem", "delay", &us, "rate", "1gbit",
            ],
        ) && tc(
            &lan.client,
            &[
                "qdisc", "add", "dev", &c, "root", "netem", "delay", &us, "rate", "1gbit",
            ],
        );
        if !netem {
            for (ns, dev) in [(&lan.server, &s), (&lan.client, &c)] {
                let _ = tc(ns, &["qdisc", "del", "dev", dev, "root"]);
                let shaped = tc(
                    ns,
                    &[
                        "qdisc", "add", "dev", dev, "root", "tbf", "rate", "1gbit", "burst",
                        "256kb", "latency", "5ms",
                    ],
                );
                if !shaped {
                    return Err(AttackError::Setup("tc tbf on the veth failed".into()));
                }
            }
        }
        lan.netem = netem;
        Ok(lan)
    }

    pub fn server_netns(&self) -> PathBuf {
        PathBuf::from("/run/netns").join(&self.server)
    }

    pub fn client_netns(&self) -> PathBuf {
        PathBuf::from("/run/netns").join(&self.client)
    }

    /// Median TCP round trip client → server address (100 ping-pongs of
    /// one byte through a relay like smbd's, to an echo in the server
    /// namespace).
    pub fn measure_rtt(&self) -> Result<Duration> {
        let echo = in_netns(&self.server_netns(), || {
            TcpListener::bind("127.0.0.1:0").map_err(|e| AttackError::Setup(format!("echo: {e}")))
        })??;
        let echo_port = echo
            .local_addr()
            .map_err(|e| AttackError::Setup(format!("echo: {e}")))?
            .port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = echo.accept() {
                let _ = s.set_nodelay(true);
                let mut b = [0u8; 1];
                while s.read_exact(&mut b).is_ok() && s.write_all(&b).is_ok() {}
            }
        });
        let relay = self.relay(echo_port)?;
        let addr = relay.addr;
        let rtts = in_netns(&self.client_netns(), move || -> Result<Vec<Duration>> {
            let mut s = TcpStream::connect(addr)
                .map_err(|e| AttackError::Setup(format!("rtt connect {addr}: {e}")))?;
            let _ = s.set_nodelay(true);
            let mut b = [7u8; 1];
            let mut out = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                s.write_all(&b)
                    .and_then(|_| s.read_exact(&mut b))
                    .map_err(|e| AttackError::Setup(format!("rtt: {e}")))?;
                out.push(t.elapsed());
            }
            Ok(out)
        })??;
        drop(relay);
        let mut rtts = rtts;
        rtts.sort();
        Ok(rtts[rtts.len() / 2])
    }

    /// A relay on the server's veth address to `port` on the server
    /// namespace's loopback, adding the delay unless netem does.
    pub fn relay(&self, port: u16) -> Result<DelayRelay> {
        let delay = if self.netem {
            Duration::ZERO
        } else {
            self.delay
        };
        let listener = in_netns(&self.server_netns(), || {
            TcpListener::bind((SERVER_ADDR, 0))
                .map_err(|e| AttackError::Setup(format!("relay bind: {e}")))
        })??;
        DelayRelay::start(
            listener,
            self.server_netns(),
            SocketAddr::from(([127, 0, 0, 1], port)),
            delay,
        )
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.client]);
        let _ = ip(&["netns", "del", &self.server]);
    }
}

/// Runs `f` on a thread that joined the network namespace at `netns`
/// (sockets it makes stay in that namespace).
pub fn in_netns<T: Send + 'static>(
    netns: &std::path::Path,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let file = std::fs::File::open(netns).map_err(|e| AttackError::io(netns, e))?;
    std::thread::spawn(move || {
        // SAFETY: setns on this thread only, with a namespace descriptor.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        if rc != 0 {
            return Err(AttackError::Setup(format!(
                "setns: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(f())
    })
    .join()
    .map_err(|_| AttackError::Setup("namespace thread panicked".into()))?
}

/// A TCP relay that delivers every chunk `delay` after it arrived.
pub struct DelayRelay {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl DelayRelay {
    fn start(
        listener: TcpListener,
        netns: PathBuf,
        target: SocketAddr,
        delay: Duration,
    ) -> Result<DelayRelay> {
        let addr = listener
            .local_addr()
            .map_err(|e| AttackError::Setup(format!("relay: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        listener
            .set_nonblocking(true)
            .map_err(|e| AttackError::Setup(format!("relay: {e}")))?;
        std::thread::spawn(move || {
            while !flag.load(Ordering::Acquire) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let netns = netns.clone();
                        std::thread::spawn(move || {
                            let server = in_netns(&netns, move || TcpStream::connect(target));
                            if let Ok(Ok(server)) = server {
                                pipe_both(client, server, delay);
                            }
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(DelayRelay { addr, stop })
    }
}

impl Drop for DelayRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn pipe_both(a: TcpStream, b: TcpStream, delay: Duration) {
    let _ = a.set_nodelay(true);
    let _ = b.set_nodelay(true);
    let (a2, b2) = match (a.try_clone(), b.try_clone()) {
        (Ok(a2), Ok(b2)) => (a2, b2),
        _ => return,
    };
    let up = std::thread::spawn(move || pipe(a, b2, delay));
    pipe(b, a2, delay);
    let _ = up.join();
}

type Queue = Arc<(Mutex<(VecDeque<(Instant, Vec<u8>)>, bool)>, Condvar)>;

/// Copies `from` → `to`, each chunk held until `delay` after its arrival.
fn pipe(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let queue: Queue = Arc::new((Mutex::new((VecDeque::new(), false)), Condvar::new()));
    let sender = {
        let queue = queue.clone();
        std::thread::spawn(move || {
            // Sleep precisely: the default 50 µs timer slack is a third
            // of the delay.
            // SAFETY: prctl on this thread.
            unsafe {
                libc::prctl(libc::PR_SET_TIMERSLACK, 1u64, 0u64, 0u64, 0u64);
            }
            loop {
                let next = {
                    let (lock, ready) = &*queue;
                    let Ok(mut state) = lock.lock() else { return };
                    loop {
                        if let Some(chunk) = state.0.pop_front() {
                            break Some(chunk);
                        }
                        if state.1 {
                            break None;
                        }
                        state = match ready.wait(state) {
                            Ok(s) => s,
                            Err(_) => return,
                        };
                    }
                };
                let Some((at, data)) = next else {
                    let _ = to.shutdown(Shutdown::Write);
                    return;
                };
                let due = at + delay;
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                if to.write_all(&data).is_err() {
                    return;
                }
            }
        })
    };
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let (lock, ready) = &*queue;
                if let Ok(mut state) = lock.lock() {
                    state.0.push_back((Instant::now(), buf[..n].to_vec()));
                }
                ready.notify_one();
            }
        }
    }
    {
        let (lock, ready) = &*queue;
        if let Ok(mut state) = lock.lock() {
            state.1 = true;
        }
        ready.notify_one();
    }
    let _ = sender.join();
}

//! A LAN-like path for the throughput benchmark: two network namespaces
//! joined by a veth pair, the server side (smbd) in one and the client in
//! the other, each veth end shaped to 1 Gbit/s (`tbf`), and a fixed delay
//! each way.
//!
//! Why a relay for the delay: `sch_netem` is the usual tool, but kernels
//! built without it (CONFIG_NET_SCH_NETEM unset, as on the benchmark VM)
//! refuse it. The delay is then added by [`DelayRelay`], a TCP relay in the
//! server namespace that listens on the veth address and hands each chunk
//! on to smbd's loopback port `delay` after it arrived, per direction, one
//! thread per connection asleep until data comes or a chunk is due (the
//! relay shares the server's CPUs, which a wire would not: it must wake
//! them as little as it can). The
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
use std::sync::Arc;
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
    /// The namespace it listens in (its drop connects there to wake it).
    netns: PathBuf,
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
        let relay_netns = netns.clone();
        // Blocking in `accept` (not polling it): idle, the relay wakes no
        // vCPU while the server is measured. Its drop wakes it.
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if flag.load(Ordering::Acquire) {
                    return;
                }
                let Ok(client) = client else { continue };
                let netns = netns.clone();
                std::thread::spawn(move || {
                    let server = in_netns(&netns, move || TcpStream::connect(target));
                    if let Ok(Ok(server)) = server {
                        pipe_both(client, server, delay);
                    }
                });
            }
        });
        Ok(DelayRelay {
            addr,
            stop,
            netns: relay_netns,
        })
    }
}

impl Drop for DelayRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let addr = self.addr;
        let _ = in_netns(&self.netns, move || TcpStream::connect(addr));
    }
}

/// Relays both directions of one connection on one thread, each chunk
/// written `delay` after it was read. One thread sleeping in `ppoll` until
/// the next chunk is due or data comes: the relay stands for a wire, which
/// costs the server's CPUs nothing, so it wakes as rarely as it can (a
/// reader and a sender thread per direction woke four threads per chunk,
/// and their wake-ups on the server's two vCPUs moved the figures of a
/// guard's permission round trips: BENCHMARKS.md, session 26).
fn pipe_both(a: TcpStream, b: TcpStream, delay: Duration) {
    // Sleep precisely: the default 50 µs timer slack is a third of the delay.
    // SAFETY: prctl on this thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1u64, 0u64, 0u64, 0u64);
    }
    let streams = [a, b];
    for stream in &streams {
        let _ = stream.set_nodelay(true);
        if stream.set_nonblocking(true).is_err() {
            return;
        }
    }
    // queues[i]: chunks read from streams[i], for streams[1 - i].
    let mut queues: [VecDeque<(Instant, Vec<u8>)>; 2] = [VecDeque::new(), VecDeque::new()];
    let mut reading = [true, true];
    let mut shut = [false, false];
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let now = Instant::now();
        for from in 0..2 {
            while queues[from]
                .front()
                .is_some_and(|(at, _)| *at + delay <= now)
            {
                let Some((_, data)) = queues[from].pop_front() else {
                    break;
                };
                if write_all(&streams[1 - from], &data).is_err() {
                    return;
                }
            }
            if !reading[from] && queues[from].is_empty() && !shut[from] {
                let _ = streams[1 - from].shutdown(Shutdown::Write);
                shut[from] = true;
            }
        }
        if shut == [true, true] {
            return;
        }
        let next_due = queues
            .iter()
            .filter_map(|q| q.front().map(|(at, _)| *at + delay))
            .min();
        let mut fds: Vec<libc::pollfd> = (0..2)
            .filter(|&i| reading[i])
            .map(|i| libc::pollfd {
                fd: streams[i].as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let timeout = next_due.map(|due| {
            let left = due.saturating_duration_since(Instant::now());
            libc::timespec {
                tv_sec: left.as_secs() as libc::time_t,
                tv_nsec: left.subsec_nanos() as libc::c_long,
            }
        });
        // SAFETY: `fds` and `timeout` outlive the call.
        let ready = unsafe {
            libc::ppoll(
                fds.as_mut_ptr(),
                fds.len() as libc::nfds_t,
                timeout
                    .as_ref()
                    .map_or(std::ptr::null(), |t| t as *const libc::timespec),
                std::ptr::null(),
            )
        };
        if ready <= 0 {
            continue;
        }
        for fd in &fds {
            if fd.revents == 0 {
                continue;
            }
            let Some(from) = (0..2).find(|&i| streams[i].as_raw_fd() == fd.fd) else {
                continue;
            };
            match (&streams[from]).read(&mut buf) {
                Ok(0) => reading[from] = false,
                Ok(n) => queues[from].push_back((Instant::now(), buf[..n].to_vec())),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => reading[from] = false,
            }
        }
    }
}

/// Writes all of `data` to a non-blocking stream, waiting for room.
fn write_all(mut stream: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        match stream.write(data) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let mut fd = libc::pollfd {
                    fd: stream.as_raw_fd(),
                    events: libc::POLLOUT,
                    revents: 0,
                };
                // SAFETY: one pollfd on the stack.
                unsafe { libc::poll(&mut fd, 1, 1000) };
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connected pair of loopback TCP streams.
    fn tcp_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let near = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (far, _) = listener.accept().unwrap();
        (near, far)
    }

    #[test]
    fn the_relay_delays_each_direction_keeps_order_and_passes_the_end_on() {
        let delay = Duration::from_millis(20);
        let (mut client, relay_a) = tcp_pair();
        let (relay_b, mut server) = tcp_pair();
        let relay = std::thread::spawn(move || pipe_both(relay_a, relay_b, delay));
        let t = Instant::now();
        client.write_all(b"hello ").unwrap();
        client.write_all(b"server").unwrap();
        let mut got = [0u8; 12];
        server.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hello server");
        assert!(t.elapsed() >= delay);
        // The other way, with more than one socket buffer's worth.
        let big: Vec<u8> = (0..4_000_000u32).map(|i| (i % 251) as u8).collect();
        let sent = big.clone();
        let writer = std::thread::spawn(move || {
            server.write_all(&sent).unwrap();
            drop(server);
        });
        let mut back = Vec::new();
        client.read_to_end(&mut back).unwrap();
        assert_eq!(back, big);
        writer.join().unwrap();
        drop(client);
        relay.join().unwrap();
    }
}

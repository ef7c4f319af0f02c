//! `floor`: what the kernel costs an order before the engine adds anything, on this machine, so the
//! wire-to-wire figures can be read against it:
//!
//! - **one-way loopback TCP**: ping-pong of an order-sized buffer between two pinned threads over a
//!   loopback connection with the engine's socket options (`TCP_NODELAY`), the reader busy-polling
//!   a non-blocking socket (as the engine's stages do); one-way = round trip / 2;
//! - **one `write`** of an order-sized buffer, the call alone, twice: with the peer busy-polling its
//!   non-blocking socket, and with the peer blocked in `read`. On loopback the kernel delivers to
//!   the peer, and wakes it when it sleeps, inside the sender's `write`, so the second figure is
//!   the first plus a wake-up; a NIC would charge the sender neither.
//!
//! - **one `write` after an idle spell**, the peer busy-polling: before each sample the writer runs
//!   `--idle-us` of the engine's idle pass (a non-blocking `epoll_wait` on a set holding an idle
//!   socket, and a `recv` that finds it empty), the way the execution thread spends the time
//!   between orders; then again with the engine's warm writes ([`WarmWriter`], one every
//!   `--warm-every-us` of that spell). The first is what an order's `write` costs when the
//!   kernel's send path has gone cold, the second what the engine's warm writes bring it back to.
//!
//! `floor [--messages N] [--bytes B] [--cores A,B] [--idle-us U] [--idle-samples K]
//! [--warm-every-us W] [--json]`. Each `write` is timed alone: the
//! next one waits until the peer has read the previous buffer whole, so no figure includes a full
//! socket buffer. Measurement overhead: one `Instant` pair per sample (included, and stated).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use hdrhistogram::Histogram;
use microarb::net::warm_write::WarmWriter;

/// Arguments.
#[derive(Debug, Parser)]
#[command(about = "loopback TCP one-way latency and the cost of one write, on pinned cores")]
struct Args {
    /// Samples per measurement (after as many of warm-up, at most 5 000).
    #[arg(long, default_value_t = 50_000)]
    messages: u64,
    /// Bytes per message (an order request is 300-700 bytes).
    #[arg(long, default_value_t = 320)]
    bytes: usize,
    /// The two cores to pin to (writer, reader).
    #[arg(long, default_value = "0,1")]
    cores: String,
    /// Idle spell before each sample of the write-after-idle rows (us).
    #[arg(long, default_value_t = 2_000)]
    idle_us: u64,
    /// Samples of each write-after-idle row (after 20 of warm-up).
    #[arg(long, default_value_t = 1_000)]
    idle_samples: u64,
    /// One warm write every this many us of the idle spell, in the warmed row (the engine's
    /// `execution.warm_write_every_us`).
    #[arg(long, default_value_t = 100)]
    warm_every_us: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// How the peer waits for bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeerWaits {
    /// Non-blocking socket, spinning on `read` (`WouldBlock` until bytes arrive).
    BusyPoll,
    /// Blocking socket, asleep in `read`.
    Blocked,
}

/// Most warm-up samples before each measurement.
const WARM: u64 = 5_000;

fn warm(a: &Args) -> u64 {
    WARM.min(a.messages)
}

fn pin(core: usize) -> bool {
    microarb::runtime::pin_current(core)
}

fn hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 10_000_000_000, 3).expect("bounds")
}

/// A connected loopback pair with the engine's options: (client, server side).
fn pair() -> std::io::Result<(TcpStream, TcpStream)> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let c = TcpStream::connect(l.local_addr()?)?;
    let (s, _) = l.accept()?;
    c.set_nodelay(true)?;
    s.set_nodelay(true)?;
    Ok((c, s))
}

/// Read exactly `buf.len()` bytes, spinning on a non-blocking socket or blocking in `read`.
fn read_whole(s: &mut TcpStream, buf: &mut [u8]) -> std::io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match s.read(&mut buf[got..]) {
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::hint::spin_loop(),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One-way latency: ping-pong of `bytes`-byte messages, both sides busy-polling.
fn one_way(a: &Args, cores: (usize, usize)) -> std::io::Result<(Histogram<u64>, bool)> {
    let (mut c, mut s) = pair()?;
    c.set_nonblocking(true)?;
    s.set_nonblocking(true)?;
    let total = warm(a) + a.messages;
    let bytes = a.bytes;
    let echo = std::thread::spawn(move || -> std::io::Result<bool> {
        let pinned = pin(cores.1);
        let mut buf = vec![0u8; bytes];
        for _ in 0..total {
            read_whole(&mut s, &mut buf)?;
            s.write_all(&buf)?;
        }
        Ok(pinned)
    });
    let pinned = pin(cores.0);
    let mut buf = vec![7u8; bytes];
    let mut h = hist();
    for i in 0..total {
        let t = Instant::now();
        c.write_all(&buf)?;
        read_whole(&mut c, &mut buf)?;
        let rtt = t.elapsed().as_nanos() as u64;
        if i >= warm(a) {
            h.saturating_record((rtt / 2).max(1));
        }
    }
    let pinned_echo = echo.join().map_err(|_| ErrorKind::Other)??;
    Ok((h, pinned && pinned_echo))
}

/// The peer of the write measurements: a thread on its own core reading `total` buffers of
/// `bytes` whole, publishing how many it has read.
struct Reader {
    handle: std::thread::JoinHandle<bool>,
    read: Arc<AtomicU64>,
    failed: Arc<AtomicBool>,
}

impl Reader {
    fn spawn(mut s: TcpStream, total: u64, bytes: usize, core: usize) -> Reader {
        let read = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicBool::new(false));
        let (rc, f) = (read.clone(), failed.clone());
        let handle = std::thread::spawn(move || -> bool {
            let pinned = pin(core);
            let mut buf = vec![0u8; bytes];
            for i in 0..total {
                if read_whole(&mut s, &mut buf).is_err() {
                    f.store(true, Ordering::Release);
                    break;
                }
                rc.store(i + 1, Ordering::Release);
            }
            pinned
        });
        Reader {
            handle,
            read,
            failed,
        }
    }

    /// Spin until the peer has read `n` buffers whole (an error if it failed).
    fn wait_for(&self, n: u64) -> std::io::Result<()> {
        while self.read.load(Ordering::Acquire) < n {
            if self.failed.load(Ordering::Acquire) {
                return Err(ErrorKind::UnexpectedEof.into());
            }
            std::hint::spin_loop();
        }
        Ok(())
    }

    /// Whether the peer ran pinned.
    fn join(self) -> bool {
        self.handle.join().unwrap_or(false)
    }
}

/// One `write` of `buf`, timed alone (the rest, if the call took part of it, written untimed).
fn timed_write(c: &mut TcpStream, buf: &[u8]) -> std::io::Result<u64> {
    let t = Instant::now();
    let n = c.write(buf)?;
    let d = t.elapsed().as_nanos() as u64;
    if n != buf.len() {
        c.write_all(&buf[n..])?;
    }
    Ok(d)
}

/// `total` timed writes of `bytes` to the peer `s` on its own core, each after the peer read
/// the previous buffer whole and `before` ran; the first `skip` are not recorded.
fn timed_writes(
    (mut c, s): (TcpStream, TcpStream),
    cores: (usize, usize),
    bytes: usize,
    (total, skip): (u64, u64),
    mut before: impl FnMut() -> std::io::Result<()>,
) -> std::io::Result<(Histogram<u64>, bool)> {
    let reader = Reader::spawn(s, total, bytes, cores.1);
    let pinned = pin(cores.0);
    let buf = vec![7u8; bytes];
    let mut h = hist();
    for i in 0..total {
        reader.wait_for(i)?;
        before()?;
        let d = timed_write(&mut c, &buf)?;
        if i >= skip {
            h.saturating_record(d.max(1));
        }
    }
    Ok((h, pinned && reader.join()))
}

/// The `write` call alone, the peer waiting as `waits`; each write waits until the previous
/// buffer was read whole (a blocked peer then gets 20 us to fall asleep in `read` again).
fn write_cost(
    a: &Args,
    cores: (usize, usize),
    waits: PeerWaits,
) -> std::io::Result<(Histogram<u64>, bool)> {
    let (c, s) = pair()?;
    s.set_nonblocking(waits == PeerWaits::BusyPoll)?;
    let total = warm(a) + a.messages;
    timed_writes((c, s), cores, a.bytes, (total, warm(a)), || {
        if waits == PeerWaits::Blocked {
            let t = Instant::now();
            while t.elapsed().as_micros() < 20 {
                std::hint::spin_loop();
            }
        }
        Ok(())
    })
}

/// The engine's idle pass, for `idle_us`: a non-blocking `epoll_wait` on a set holding an idle
/// socket and a `recv` on it, over and over; with `warm`, one warm write every `warm_every_us`.
fn idle_spell(
    idle: &mut (mio::Poll, mio::Events, mio::net::TcpStream),
    idle_us: u64,
    warm: Option<(&mut WarmWriter, u64)>,
) -> std::io::Result<()> {
    let (poll, events, sock) = idle;
    let t = Instant::now();
    let mut next_warm = 0u128;
    let mut warm = warm;
    let mut buf = [0u8; 256];
    loop {
        let us = t.elapsed().as_micros();
        if us >= u128::from(idle_us) {
            return Ok(());
        }
        poll.poll(events, Some(std::time::Duration::ZERO))?;
        match sock.read(&mut buf) {
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        if let Some((w, every)) = warm.as_mut() {
            if us >= next_warm {
                w.warm();
                next_warm = us + u128::from(*every);
            }
        }
    }
}

/// One `write` after an idle spell (see the module doc), the peer busy-polling; `warm_every_us`
/// adds the engine's warm writes to the spell.
fn write_after_idle(
    a: &Args,
    cores: (usize, usize),
    warm_every_us: Option<u64>,
) -> std::io::Result<(Histogram<u64>, bool)> {
    let (c, s) = pair()?;
    s.set_nonblocking(true)?;
    // The idle socket: a connection nobody writes to, registered for reading as the feeds are.
    let (quiet, _quiet_peer) = pair()?;
    quiet.set_nonblocking(true)?;
    let mut quiet = mio::net::TcpStream::from_std(quiet);
    let poll = mio::Poll::new()?;
    poll.registry()
        .register(&mut quiet, mio::Token(0), mio::Interest::READABLE)?;
    let mut idle = (poll, mio::Events::with_capacity(16), quiet);
    let mut warm = match warm_every_us {
        Some(_) => Some(WarmWriter::new()?),
        None => None,
    };
    const WARM_UP: u64 = 20;
    let total = WARM_UP + a.idle_samples;
    timed_writes((c, s), cores, a.bytes, (total, WARM_UP), || {
        idle_spell(&mut idle, a.idle_us, warm.as_mut().zip(warm_every_us))
    })
}

fn row(h: &Histogram<u64>) -> serde_json::Value {
    serde_json::json!({
        "count": h.len(),
        "p50_ns": h.value_at_quantile(0.5),
        "p99_ns": h.value_at_quantile(0.99),
        "p999_ns": h.value_at_quantile(0.999),
        "max_ns": h.max(),
    })
}

fn line(name: &str, h: &Histogram<u64>) -> String {
    format!(
        "{name:<34} p50 {:>7} ns  p99 {:>8} ns  p99.9 {:>8} ns  max {:>9} ns  ({} samples)",
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.99),
        h.value_at_quantile(0.999),
        h.max(),
        h.len()
    )
}

fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let cores: Vec<usize> = a
        .cores
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let cores = (
        cores.first().copied().unwrap_or(0),
        cores.get(1).copied().unwrap_or(1),
    );
    if a.bytes == 0 || a.messages == 0 {
        eprintln!("floor: --bytes and --messages must be positive");
        return std::process::ExitCode::from(2);
    }
    let run = || -> std::io::Result<_> {
        let (ow, p1) = one_way(&a, cores)?;
        let (busy, p2) = write_cost(&a, cores, PeerWaits::BusyPoll)?;
        let (blocked, p3) = write_cost(&a, cores, PeerWaits::Blocked)?;
        let (cold, p4) = write_after_idle(&a, cores, None)?;
        let (warmed, p5) = write_after_idle(&a, cores, Some(a.warm_every_us))?;
        Ok((
            [ow, busy, blocked, cold, warmed],
            p1 && p2 && p3 && p4 && p5,
        ))
    };
    let ([ow, busy, blocked, cold, warmed], pinned) = match run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("floor: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "cores": [cores.0, cores.1],
                "pinned": pinned,
                "bytes": a.bytes,
                "one_way_loopback": row(&ow),
                "write_peer_busy_poll": row(&busy),
                "write_peer_blocked": row(&blocked),
                "write_after_idle": row(&cold),
                "write_after_idle_warmed": row(&warmed),
                "idle_us": a.idle_us,
                "warm_every_us": a.warm_every_us,
                "method": "loopback TCP, TCP_NODELAY; one-way = ping-pong round trip / 2 with both sides busy-polling non-blocking sockets; write = one write() call alone, the next only after the peer read the previous buffer; write_after_idle = the same after idle_us of non-blocking epoll_wait + recv on an idle socket (the engine's idle pass), write_after_idle_warmed with one warm write (microarb::net::warm_write) every warm_every_us of it; one Instant pair per sample included",
            })
        );
    } else {
        println!(
            "floor ({} bytes, cores {},{}, pinned {pinned}):",
            a.bytes, cores.0, cores.1
        );
        println!("{}", line("one-way loopback (busy-poll)", &ow));
        println!("{}", line("write(), peer busy-polling", &busy));
        println!("{}", line("write(), peer blocked in read", &blocked));
        let idle = format!("write() after {} us idle", a.idle_us);
        println!("{}", line(&idle, &cold));
        let warmed_name = format!("  same, warm write every {} us", a.warm_every_us);
        println!("{}", line(&warmed_name, &warmed));
    }
    std::process::ExitCode::SUCCESS
}

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
//! `floor [--messages N] [--bytes B] [--cores A,B] [--json]`. Each `write` is timed alone: the
//! next one waits until the peer has read the previous buffer whole, so no figure includes a full
//! socket buffer. Measurement overhead: one `Instant` pair per sample (included, and stated).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use hdrhistogram::Histogram;

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

/// The `write` call alone, the peer waiting as `waits`; each write waits until the previous
/// buffer was read whole.
fn write_cost(
    a: &Args,
    cores: (usize, usize),
    waits: PeerWaits,
) -> std::io::Result<(Histogram<u64>, bool)> {
    let (mut c, mut s) = pair()?;
    s.set_nonblocking(waits == PeerWaits::BusyPoll)?;
    let total = warm(a) + a.messages;
    let bytes = a.bytes;
    let read_count = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let (rc, f) = (read_count.clone(), failed.clone());
    let reader = std::thread::spawn(move || -> bool {
        let pinned = pin(cores.1);
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
    let pinned = pin(cores.0);
    let buf = vec![7u8; bytes];
    let mut h = hist();
    for i in 0..total {
        // The peer is waiting again: it read the previous buffer (a blocked peer has had time to
        // fall asleep again by the next sample, since the spin below gives it a moment).
        while read_count.load(Ordering::Acquire) < i {
            if failed.load(Ordering::Acquire) {
                return Err(ErrorKind::UnexpectedEof.into());
            }
            std::hint::spin_loop();
        }
        if waits == PeerWaits::Blocked {
            // Let the reader go back to sleep in `read` before the next write.
            let t = Instant::now();
            while t.elapsed().as_micros() < 20 {
                std::hint::spin_loop();
            }
        }
        let t = Instant::now();
        let n = c.write(&buf)?;
        let d = t.elapsed().as_nanos() as u64;
        if n != buf.len() {
            c.write_all(&buf[n..])?;
        }
        if i >= warm(a) {
            h.saturating_record(d.max(1));
        }
    }
    let pinned_reader = reader.join().unwrap_or(false);
    Ok((h, pinned && pinned_reader))
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
        Ok((ow, busy, blocked, p1 && p2 && p3))
    };
    let (ow, busy, blocked, pinned) = match run() {
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
                "method": "loopback TCP, TCP_NODELAY; one-way = ping-pong round trip / 2 with both sides busy-polling non-blocking sockets; write = one write() call alone, the next only after the peer read the previous buffer; one Instant pair per sample included",
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
    }
    std::process::ExitCode::SUCCESS
}

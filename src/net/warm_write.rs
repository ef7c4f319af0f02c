//! Warm writes: an order-sized `write` to a loopback TCP connection the engine owns, read back at
//! once by the same thread, so the kernel's send path is in cache when a real order is written.
//!
//! Why: an order's `write` runs the kernel's TCP transmit path (and, on loopback, the receiver's
//! input path inside the same call), which the execution thread otherwise runs only a few hundred
//! times a second; between orders the market-data path (`epoll_wait`, `recv`) evicts it. Measured
//! on the 2-core VM by `floor` (its write-after-idle rows, which use this type): one 320-byte
//! loopback `write` to a busy-polling reader took p50 3.6 us back to back, 5.8 us after 2 ms of
//! the engine's idle pass, and 4.2 us after the same 2 ms with a warm write every 100 us. In the
//! e2e bench (`perf/ab.sh`, REST, 5 runs a side) both legs' writes (`tick_to_wire -
//! tick_to_order`, p50) went from 14.6 to 10.6 us at 10k msg/s and from 13.1 to 11.2 us at 100k.
//!
//! What it must never do is reach a venue or change engine state: the connection is to a
//! listener this type opened on 127.0.0.1 and accepted itself, and no other code holds either end.
//! Both ends are non-blocking; a warm write that would block is skipped (counted as a skip), and
//! an I/O error drops the connection for good (the caller counts it): the order path never waits
//! on it. No allocation after [`WarmWriter::new`].

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};

/// Bytes of one warm write: about one order request (300-700 bytes).
pub const WARM_WRITE_BYTES: usize = 512;

/// What one [`WarmWriter::warm`] came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warmed {
    /// The bytes were written and read back.
    Written,
    /// The socket would have blocked (the read side has not caught up): nothing was written.
    Skipped,
    /// An I/O error: the connection is dropped and later calls do nothing.
    Failed,
}

/// A loopback TCP connection whose both ends this thread holds (see the module doc).
#[derive(Debug)]
pub struct WarmWriter {
    ends: Option<(TcpStream, TcpStream)>,
    out: [u8; WARM_WRITE_BYTES],
    drain: Box<[u8; 4096]>,
    /// Bytes written and not yet read back.
    owed: usize,
}

impl WarmWriter {
    /// Open the connection: a listener on 127.0.0.1 (any port), one connection to it with
    /// `TCP_NODELAY` (the engine's socket option for orders), accepted, both ends non-blocking,
    /// the listener closed. Cold path.
    pub fn new() -> io::Result<WarmWriter> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let tx = TcpStream::connect(listener.local_addr()?)?;
        let (rx, _) = listener.accept()?;
        tx.set_nodelay(true)?;
        tx.set_nonblocking(true)?;
        rx.set_nonblocking(true)?;
        Ok(WarmWriter {
            ends: Some((tx, rx)),
            out: [b'w'; WARM_WRITE_BYTES],
            drain: Box::new([0; 4096]),
            owed: 0,
        })
    }

    /// One warm write: [`WARM_WRITE_BYTES`] written to the connection, then everything waiting on
    /// its other end read back (on loopback the kernel has delivered it inside the `write`).
    pub fn warm(&mut self) -> Warmed {
        let Some((tx, rx)) = self.ends.as_mut() else {
            return Warmed::Failed;
        };
        let written = match tx.write(&self.out) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
            Err(e) if e.kind() == ErrorKind::Interrupted => 0,
            Err(_) => return self.fail(),
        };
        self.owed += written;
        loop {
            match rx.read(&mut self.drain[..]) {
                Ok(0) => return self.fail(),
                Ok(n) => self.owed = self.owed.saturating_sub(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return self.fail(),
            }
        }
        if written == 0 {
            Warmed::Skipped
        } else {
            Warmed::Written
        }
    }

    /// Bytes written that the read side has not taken back yet (tests: 0 after a warm write on
    /// loopback).
    pub fn owed(&self) -> usize {
        self.owed
    }

    /// Whether the connection is still up.
    pub fn is_up(&self) -> bool {
        self.ends.is_some()
    }

    fn fail(&mut self) -> Warmed {
        self.ends = None;
        Warmed::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_warm_write_is_read_back_by_its_own_other_end() {
        let mut w = WarmWriter::new().expect("loopback");
        for _ in 0..10_000 {
            assert_eq!(w.warm(), Warmed::Written);
            assert_eq!(w.owed(), 0, "the bytes came back within the call");
        }
        assert!(w.is_up());
    }

    #[test]
    fn the_connection_is_its_own_and_takes_no_listener_with_it() {
        let w = WarmWriter::new().expect("loopback");
        let (tx, rx) = w.ends.as_ref().expect("up");
        let (a, b) = (tx.local_addr().unwrap(), tx.peer_addr().unwrap());
        assert!(a.ip().is_loopback() && b.ip().is_loopback());
        // The two ends are the two sides of one connection: nothing else is on it.
        assert_eq!(rx.local_addr().unwrap(), b);
        assert_eq!(rx.peer_addr().unwrap(), a);
        // The listener is gone: nobody else can connect to the port it had.
        assert!(TcpStream::connect(b).is_err());
    }

    #[test]
    fn a_lost_read_side_fails_once_and_then_does_nothing() {
        let mut w = WarmWriter::new().expect("loopback");
        if let Some((_, rx)) = w.ends.as_ref() {
            rx.shutdown(std::net::Shutdown::Both).expect("shutdown");
        }
        // The read side reads end of stream (or the write is refused): the connection goes.
        let first = w.warm();
        assert_eq!(first, Warmed::Failed);
        assert!(!w.is_up());
        assert_eq!(w.warm(), Warmed::Failed);
    }
}

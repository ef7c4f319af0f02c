//! The execution stage's warm-write state: the stage's struct holds it and `rehearsal.rs` reports
//! it, so this file names neither. The warm writes: while no opportunity arrives, every
//! `execution.warm_write_every_us` it writes an order-sized buffer to its own loopback connection
//! and reads it back ([`WarmWriter`]), so the kernel's send path is in cache when the next order's
//! legs are written. Only on a gateway that writes to the wire; a real order pushes the next warm
//! write back a period (its `write` warmed the same path).
//!
//! It touches nothing else of the stage: no order, no counter but its own (`exec.warm_writes.*`),
//! no byte to a venue (the connection's both ends are the stage's). `rehearsal_tests.rs` runs a
//! stage warming at every poll beside one that never does and requires the same orders and
//! counters, apart from these.

use crate::base::Counter;
use crate::net::warm_write::{WarmWriter, Warmed};
use crate::telemetry::Registry;

/// The warm writes' connection, schedule and counters.
pub(super) struct WarmWrites {
    writer: Option<WarmWriter>,
    every_ns: u64,
    next_ns: u64,
    /// Buffers written and read back.
    written: Counter,
    /// Periods where the socket would have blocked (nothing written).
    skipped: Counter,
    /// The connection could not be opened, or failed (then dropped: no more warm writes).
    failed: Counter,
}

impl WarmWrites {
    /// Open the connection when `every_ns` is not 0 and the gateway writes to the wire. Cold
    /// path. A connection that cannot be opened is counted and reported on stderr, and the stage
    /// runs without warm writes.
    pub(super) fn new(reg: &mut Registry, every_ns: u64, writes_to_wire: bool) -> WarmWrites {
        let mut c = |n: &str| reg.counter(&format!("exec.warm_writes.{n}"));
        let (written, skipped, failed) = (c("written"), c("skipped"), c("failed"));
        let writer = if every_ns == 0 || !writes_to_wire {
            None
        } else {
            match WarmWriter::new() {
                Ok(w) => Some(w),
                Err(e) => {
                    eprintln!("execution: no warm writes (loopback connection: {e})");
                    failed.inc();
                    None
                }
            }
        };
        WarmWrites {
            writer,
            every_ns,
            next_ns: 0,
            written,
            skipped,
            failed,
        }
    }

    /// Warm if the period has passed since the last warm write (or the last order).
    #[inline]
    pub(super) fn maybe_warm(&mut self, now_ns: u64) {
        let Some(w) = self.writer.as_mut() else {
            return;
        };
        if now_ns < self.next_ns {
            return;
        }
        self.next_ns = now_ns.saturating_add(self.every_ns);
        match w.warm() {
            Warmed::Written => self.written.inc(),
            Warmed::Skipped => self.skipped.inc(),
            Warmed::Failed => {
                self.failed.inc();
                self.writer = None;
            }
        }
    }

    /// Push the next warm write back a period: an order was just written.
    #[inline]
    pub(super) fn not_before(&mut self, now_ns: u64) {
        self.next_ns = now_ns.saturating_add(self.every_ns);
    }

    /// Whether the stage has a warm-write connection.
    pub(super) fn is_on(&self) -> bool {
        self.writer.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_gateway_on_the_wire_with_a_period_gets_a_connection() {
        let mut reg = Registry::new();
        assert!(!WarmWrites::new(&mut reg, 100_000, false).is_on(), "paper");
        let mut reg = Registry::new();
        assert!(!WarmWrites::new(&mut reg, 0, true).is_on(), "period 0");
        let mut reg = Registry::new();
        assert!(WarmWrites::new(&mut reg, 100_000, true).is_on());
    }

    #[test]
    fn one_warm_write_a_period_and_an_order_pushes_the_next_back() {
        let mut reg = Registry::new();
        let mut w = WarmWrites::new(&mut reg, 100_000, true);
        w.maybe_warm(1_000_000);
        w.maybe_warm(1_050_000); // within the period: nothing
        assert_eq!(w.written.get(), 1);
        w.not_before(1_090_000); // an order was written
        w.maybe_warm(1_150_000);
        assert_eq!(w.written.get(), 1, "pushed back to 1_190_000");
        w.maybe_warm(1_190_000);
        assert_eq!(w.written.get(), 2);
        assert_eq!((w.skipped.get(), w.failed.get()), (0, 0));
    }
}

//! Single-writer gauges: a signed value one thread overwrites and the telemetry thread reads.
//!
//! The twin of [`Counter`](super::Counter) for values that go down as well as up (a balance, a
//! queue depth, a breaker's state): one relaxed store by its only writer, one relaxed load by the
//! reader, each gauge on its own cache line so two writers' gauges never false-share. The value is
//! an `i64` mantissa; what it means (its unit and decimal scale) is the registry's business, so a
//! fixed-point balance is stored as it is kept and never turned into `f64` by the writer.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use crossbeam_utils::CachePadded;

/// A handle to one gauge. Clones share the value; only one thread may write it.
#[derive(Debug, Clone, Default)]
pub struct Gauge(Arc<CachePadded<AtomicI64>>);

impl Gauge {
    /// A fresh gauge at zero, not registered anywhere.
    pub fn new() -> Gauge {
        Gauge::default()
    }

    /// Overwrite the value (single writer): one relaxed store.
    #[inline]
    pub fn set(&self, v: i64) {
        self.0.store(v, Ordering::Relaxed);
    }

    /// Current value (any thread).
    #[inline]
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_value_that_goes_both_ways() {
        let g = Gauge::new();
        let w = g.clone();
        assert_eq!(g.get(), 0);
        w.set(-5);
        assert_eq!(g.get(), -5);
        std::thread::spawn(move || w.set(i64::MAX)).join().unwrap();
        assert_eq!(g.get(), i64::MAX);
    }
}

//! Single-writer counters.
//!
//! Each counter is written by exactly one thread and read by the telemetry thread. With one
//! writer, an increment needs no atomic read-modify-write (no `lock`-prefixed instruction): a
//! relaxed load and a relaxed store of the same cache line the writer already owns. Each counter
//! sits on its own cache line (`CachePadded`) so two threads' counters never false-share.
//! Two writers on one counter would lose increments (never undefined behaviour): give each thread
//! its own counter and let the report sum them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crossbeam_utils::CachePadded;

/// A handle to one counter. Clones share the value; only one thread may write it.
#[derive(Debug, Clone, Default)]
pub struct Counter(Arc<CachePadded<AtomicU64>>);

impl Counter {
    /// A fresh counter at zero, not registered anywhere.
    pub fn new() -> Counter {
        Counter::default()
    }

    /// Add one (single writer).
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Add `n` (single writer).
    #[inline]
    pub fn add(&self, n: u64) {
        let v = self.0.load(Ordering::Relaxed);
        self.0.store(v.wrapping_add(n), Ordering::Relaxed);
    }

    /// Overwrite the value (single writer), for gauges such as occupancy.
    #[inline]
    pub fn set(&self, v: u64) {
        self.0.store(v, Ordering::Relaxed);
    }

    /// Current value (any thread).
    #[inline]
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The registry of named counters, built on the cold path while stages are constructed and then
/// handed (cloned) to the telemetry thread, which only reads.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    entries: Vec<(String, Counter)>,
}

impl Counters {
    /// An empty registry.
    pub fn new() -> Counters {
        Counters::default()
    }

    /// Register a counter under `name` (dotted, e.g. `ingest.binance.frames`). Registering a name
    /// twice returns the same counter, so two stages can never silently write one value under
    /// two names; whoever registers must still keep to one writer.
    pub fn register(&mut self, name: &str) -> Counter {
        if let Some((_, c)) = self.entries.iter().find(|(n, _)| n == name) {
            return c.clone();
        }
        let c = Counter::new();
        self.entries.push((name.to_string(), c.clone()));
        c
    }

    /// Read one counter by name.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.get())
    }

    /// Every counter, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.entries.iter().map(|(n, c)| (n.as_str(), c.get()))
    }

    /// Sum of every counter whose name ends with `suffix`.
    pub fn sum_suffix(&self, suffix: &str) -> u64 {
        self.entries
            .iter()
            .filter(|(n, _)| n.ends_with(suffix))
            .map(|(_, c)| c.get())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_inc_read() {
        let mut r = Counters::new();
        let a = r.register("x.a");
        let a2 = r.register("x.a");
        a.inc();
        a.add(4);
        assert_eq!(a2.get(), 5);
        assert_eq!(r.get("x.a"), Some(5));
        let b = r.register("y.a");
        b.set(2);
        assert_eq!(r.sum_suffix(".a"), 7);
        assert_eq!(r.iter().count(), 2);
    }

    #[test]
    fn a_single_writer_thread_loses_nothing() {
        let c = Counter::new();
        let w = c.clone();
        std::thread::spawn(move || {
            for _ in 0..100_000 {
                w.inc();
            }
        })
        .join()
        .unwrap();
        assert_eq!(c.get(), 100_000);
    }
}

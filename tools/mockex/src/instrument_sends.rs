//! Send times per instrument, for a venue whose frames carry no update id (Upbit): the bench
//! cannot look its frames up by id ([`SendLog`](crate::SendLog)), so it asks instead for the last
//! frame of the instrument sent at or before the moment the engine received the one that
//! triggered it.
//!
//! Why that finds the frame: the engine reads one connection's frames in order, and a venue sends
//! one instrument's frames milliseconds apart (50 instruments at 25k frames/s each venue: 2 ms)
//! while loopback delivers in microseconds; a later frame of the same instrument sent before the
//! trigger was received would have to overtake it. The bench refuses a match further back than
//! it allows ([`InstrumentSends::last_at_or_before`]'s `window_ns`).
//!
//! Storage: per instrument a ring of `per` slots (a power of two) and a write count, all atomics,
//! allocated once; the venue's connection thread writes, the bench reads after the run (a reader
//! during the run may see a slot being rewritten, and then misses it). Ids are not needed:
//! times of one instrument only grow.

use std::sync::atomic::{AtomicU64, Ordering};

/// Per-instrument rings of recent send times (unix ns).
#[derive(Debug)]
pub struct InstrumentSends {
    times: Box<[AtomicU64]>,
    written: Box<[AtomicU64]>,
    per: usize,
}

impl InstrumentSends {
    /// Rings for `instruments` instruments of at least `per_instrument` slots each (rounded up to
    /// a power of two, at least 1). Allocates once.
    pub fn new(instruments: usize, per_instrument: usize) -> InstrumentSends {
        let per = per_instrument.max(1).next_power_of_two();
        InstrumentSends {
            times: (0..instruments * per).map(|_| AtomicU64::new(0)).collect(),
            written: (0..instruments).map(|_| AtomicU64::new(0)).collect(),
            per,
        }
    }

    /// Slots per instrument: older sends are forgotten.
    pub fn per_instrument(&self) -> usize {
        self.per
    }

    /// Record that a frame of instrument `i` was sent at `send_ns`; an unknown instrument is
    /// ignored.
    #[inline]
    pub fn record(&self, i: usize, send_ns: u64) {
        let Some(w) = self.written.get(i) else {
            return;
        };
        let n = w.load(Ordering::Relaxed) as usize;
        self.times[i * self.per + (n & (self.per - 1))].store(send_ns, Ordering::Release);
        w.store(n as u64 + 1, Ordering::Release);
    }

    /// The latest send of instrument `i` at or before `at_ns` and no more than `window_ns` before
    /// it, if the ring still holds it.
    pub fn last_at_or_before(&self, i: usize, at_ns: u64, window_ns: u64) -> Option<u64> {
        let n = self.written.get(i)?.load(Ordering::Acquire) as usize;
        let ring = &self.times[i * self.per..(i + 1) * self.per];
        for back in 1..=n.min(self.per) {
            let t = ring[(n - back) & (self.per - 1)].load(Ordering::Acquire);
            if t <= at_ns {
                return (at_ns - t <= window_ns).then_some(t);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_last_send_before_a_time_within_the_window() {
        let s = InstrumentSends::new(2, 3);
        assert_eq!(s.per_instrument(), 4);
        assert_eq!(s.last_at_or_before(0, 100, 1_000), None);
        for t in [10, 20, 30] {
            s.record(0, t);
        }
        s.record(1, 25);
        assert_eq!(s.last_at_or_before(0, 25, 1_000), Some(20));
        assert_eq!(s.last_at_or_before(0, 30, 1_000), Some(30));
        assert_eq!(s.last_at_or_before(0, 9, 1_000), None);
        assert_eq!(s.last_at_or_before(0, 1_000, 100), None, "30 is 970 back");
        assert_eq!(s.last_at_or_before(1, 1_000, 1_000), Some(25));
        assert_eq!(s.last_at_or_before(7, 1_000, 1_000), None);
        s.record(7, 5);
    }

    #[test]
    fn forgets_sends_older_than_its_ring() {
        let s = InstrumentSends::new(1, 2);
        for t in [10, 20, 30] {
            s.record(0, t);
        }
        assert_eq!(s.last_at_or_before(0, 25, 100), Some(20));
        assert_eq!(s.last_at_or_before(0, 15, 100), None, "10 was overwritten");
    }
}

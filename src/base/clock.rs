//! The engine's clock: monotonic nanoseconds since start, plus the unix time of that start.
//!
//! Monotonic time orders events and measures latency (it never jumps backwards); the unix anchor,
//! read once, turns it into wall-clock time for captures and logs. `Instant::now` is served by the
//! vDSO on Linux, so reading the clock is not a system call. Stages never read the clock
//! themselves: the worker reads it once per loop and passes `now` in, which is also what lets
//! every time rule be tested on a fake clock.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Monotonic clock anchored at construction. `Copy`: every thread keeps its own.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    anchor: Instant,
    unix_anchor_ns: u64,
}

impl Clock {
    /// A clock whose zero is now.
    pub fn new() -> Clock {
        let unix_anchor_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Clock {
            anchor: Instant::now(),
            unix_anchor_ns,
        }
    }

    /// A clock whose zero is now and whose wall clock reads `offset_ns` off the system's
    /// (negative: behind). A host with a wrong clock, for tests of what a venue answers to stale
    /// signed timestamps; the monotonic side is [`Clock::new`]'s.
    pub fn skewed(offset_ns: i64) -> Clock {
        let c = Clock::new();
        Clock {
            unix_anchor_ns: c.unix_anchor_ns.saturating_add_signed(offset_ns),
            ..c
        }
    }

    /// Nanoseconds since the anchor.
    #[inline]
    pub fn now_ns(&self) -> u64 {
        self.anchor.elapsed().as_nanos() as u64
    }

    /// Unix time (ns) of a monotonic reading of this clock.
    #[inline]
    pub fn unix_ns(&self, mono_ns: u64) -> u64 {
        self.unix_anchor_ns.saturating_add(mono_ns)
    }

    /// Unix time (ns) of the anchor.
    pub fn unix_anchor_ns(&self) -> u64 {
        self.unix_anchor_ns
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_and_anchored() {
        let c = Clock::new();
        let a = c.now_ns();
        let b = c.now_ns();
        assert!(b >= a);
        assert!(c.unix_ns(a) >= c.unix_anchor_ns());
    }

    #[test]
    fn a_skewed_clock_is_off_by_its_offset() {
        let (c, s) = (Clock::new(), Clock::skewed(-60_000_000_000));
        let d = c.unix_anchor_ns() as i128 - s.unix_anchor_ns() as i128;
        // Both anchors are read moments apart; the difference is the offset, give or take that.
        assert!((59_000_000_000..61_000_000_000).contains(&d), "{d}");
    }
}

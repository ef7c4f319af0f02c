//! [`VenueLatency`]: the venue's own share of an order's round trip, as a venue that stamps its
//! answers reports it (OKX's `inTime` / `outTime`: when its WebSocket gateway received the op and
//! when it sent the answer, unix microseconds): count, sum, maximum, latest, and a power-of-two
//! histogram. Plain integers, updated in place on the owning thread (no allocation).

/// Histogram buckets: bucket `i` counts latencies in `[2^(i-1), 2^i)` us (bucket 0: 0 us), the
/// last one everything from 2^(BUCKETS-2) us (about 0.5 s) up.
pub const BUCKETS: usize = 21;

/// The venue gateway's latencies seen so far. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VenueLatency {
    /// Answers that carried both times in order.
    pub count: u64,
    /// Sum of their latencies, us.
    pub sum_us: u64,
    /// The largest, us.
    pub max_us: u64,
    /// The latest, us.
    pub last_us: u64,
    /// Answers that carried no usable pair (a time missing, or out before in).
    pub missing: u64,
    /// Power-of-two histogram of the latencies ([`BUCKETS`]).
    pub buckets: [u64; BUCKETS],
}

impl VenueLatency {
    /// Record one answer's latency (`None`: its times were missing or out of order).
    #[inline]
    pub fn record(&mut self, latency_us: Option<u64>) {
        let Some(us) = latency_us else {
            self.missing += 1;
            return;
        };
        self.count += 1;
        self.sum_us = self.sum_us.saturating_add(us);
        self.max_us = self.max_us.max(us);
        self.last_us = us;
        let bucket = (u64::BITS - us.leading_zeros()) as usize;
        self.buckets[bucket.min(BUCKETS - 1)] += 1;
    }

    /// The mean latency, us (`None` before any).
    pub fn mean_us(&self) -> Option<u64> {
        self.sum_us.checked_div(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_buckets() {
        let mut l = VenueLatency::default();
        assert_eq!(l.mean_us(), None);
        for us in [0, 1, 3, 1900, u64::MAX] {
            l.record(Some(us));
        }
        l.record(None);
        assert_eq!(
            (l.count, l.missing, l.last_us, l.max_us),
            (5, 1, u64::MAX, u64::MAX)
        );
        assert_eq!((l.buckets[0], l.buckets[1], l.buckets[2]), (1, 1, 1));
        assert_eq!(l.buckets[11], 1, "1900 us is in [1024, 2048)");
        assert_eq!(l.buckets[BUCKETS - 1], 1);
        assert_eq!(l.sum_us, u64::MAX);
    }
}

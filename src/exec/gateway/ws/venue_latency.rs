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

    /// The totals by their `/metrics` names (`venue_latency_count`, `_sum_us`, `_max_us`,
    /// `_last_us`, `_missing`); the histogram is [`VenueLatency::buckets`].
    pub fn fields(&self) -> [(&'static str, u64); 5] {
        [
            ("venue_latency_count", self.count),
            ("venue_latency_sum_us", self.sum_us),
            ("venue_latency_max_us", self.max_us),
            ("venue_latency_last_us", self.last_us),
            ("venue_latency_missing", self.missing),
        ]
    }

    /// The `/metrics` name of histogram bucket `i`: `venue_latency_lt_<2^i>us` (the last one
    /// `venue_latency_ge_<2^(BUCKETS-2)>us`).
    pub fn bucket_name(i: usize) -> String {
        if i + 1 >= BUCKETS {
            format!("venue_latency_ge_{}us", 1u64 << (BUCKETS - 2))
        } else {
            format!("venue_latency_lt_{}us", 1u64 << i)
        }
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
        assert_eq!(l.fields()[0], ("venue_latency_count", 5));
        assert_eq!(VenueLatency::bucket_name(0), "venue_latency_lt_1us");
        assert_eq!(VenueLatency::bucket_name(11), "venue_latency_lt_2048us");
        assert_eq!(
            VenueLatency::bucket_name(BUCKETS - 1),
            "venue_latency_ge_524288us"
        );
    }
}

//! [`ClockOffsets`]: how far each venue's server clock is from the engine's wall clock, one
//! signed millisecond count per venue, written by a cold thread and read on the hot path.
//!
//! Why: a venue refuses a signed request whose timestamp is off its own clock (Binance -1021 when
//! more than 1 s ahead or older than `recvWindow`, Bybit 10002, OKX 50102). The host's clock
//! drifts; the venue's is the one that counts. The start-up and periodic measurement (the exec
//! stage's `startup::server_time`) stores `server - local` here, and the REST router adds it to
//! every timestamp it signs.
//!
//! Memory ordering: each offset is one `AtomicI64`, stored and loaded `Relaxed`. Nothing else is
//! published with it (a reader needs only some recent value of that one word, and an aligned
//! 64-bit atomic never tears), so no acquire/release pairing is needed; a reader sees a new
//! value within the cache-coherence delay, far below the re-measurement period. The hot path's
//! cost is one plain load; there is no lock.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use crate::model::MAX_VENUES;

/// Per-venue server clock offsets (ms, `server - local`), shared by clones. Indexed by venue id;
/// an index past [`MAX_VENUES`] reads 0 and ignores writes.
#[derive(Debug, Clone, Default)]
pub struct ClockOffsets(Arc<[AtomicI64; MAX_VENUES]>);

impl ClockOffsets {
    /// Every venue at offset 0 (the local clock is trusted until measured).
    pub fn new() -> ClockOffsets {
        ClockOffsets::default()
    }

    /// Venue `venue`'s offset, ms (`server - local`). Hot path: one relaxed load.
    #[inline]
    pub fn get_ms(&self, venue: usize) -> i64 {
        self.0.get(venue).map_or(0, |a| a.load(Ordering::Relaxed))
    }

    /// Store venue `venue`'s measured offset, ms (cold path: the measuring thread).
    pub fn set_ms(&self, venue: usize, offset_ms: i64) {
        if let Some(a) = self.0.get(venue) {
            a.store(offset_ms, Ordering::Relaxed);
        }
    }

    /// `unix_ms` (local wall clock) corrected to venue `venue`'s clock, saturating at 0 and
    /// `u64::MAX`. Hot path.
    #[inline]
    pub fn venue_ms(&self, venue: usize, unix_ms: u64) -> u64 {
        unix_ms.saturating_add_signed(self.get_ms(venue))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_per_venue_and_shared_by_clones() {
        let a = ClockOffsets::new();
        let b = a.clone();
        assert_eq!(a.venue_ms(3, 10_000), 10_000);
        b.set_ms(3, -5_000);
        b.set_ms(4, 2_500);
        assert_eq!(a.get_ms(3), -5_000);
        assert_eq!(a.venue_ms(3, 10_000), 5_000);
        assert_eq!(a.venue_ms(4, 10_000), 12_500);
        assert_eq!(a.venue_ms(3, 1_000), 0, "saturates at 0");
        a.set_ms(MAX_VENUES, 7);
        assert_eq!(a.get_ms(MAX_VENUES), 0, "out of range: ignored");
    }
}

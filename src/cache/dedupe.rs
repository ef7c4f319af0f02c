//! The dedupe cache the strategy stage owns: "has this exact opportunity been sent within its TTL?"
//!
//! Rule (docs/architecture.md, "Detection rule"): a candidate whose [`OppKey`] is live is a duplicate — counted, not
//! emitted, ending as `rejected: duplicate`; otherwise its key is inserted with a TTL from the
//! instrument's volatility and the candidate is emitted. A duplicate does not extend the entry's TTL
//! (a dislocation that persists is re-sent once per TTL, not suppressed forever), but it does move
//! the entry to the front of the LRU, so keys still being seen are the last to be evicted.
//!
//! Capacity: size it for the insert rate times the longest TTL (e.g. 2 000 candidates/s x 200 ms =
//! 400 keys; leave headroom). `stats().evictions > 0` says it was too small: a live key was pushed
//! out and its repeat could have been sent.

use super::error::CacheError;
use super::key::OppKey;
use super::slab_lru::{GetOrInsert, SlabLru};
use super::stats::CacheStats;
use super::ttl::TtlBands;

/// A candidate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedupe {
    /// Not live in the cache: now inserted; emit the opportunity.
    Fresh,
    /// Live in the cache: do not emit; count it as `rejected: duplicate`.
    Duplicate,
}

/// [`SlabLru`] keyed by [`OppKey`], with TTLs from [`TtlBands`].
///
/// ```
/// use microarb::cache::{Dedupe, DedupeCache, OppKey, TtlBands};
/// let mut cache = DedupeCache::new(1024, TtlBands::default()).expect("capacity > 0");
/// let key = OppKey::default();
/// let ms = 1_000_000;
/// assert_eq!(cache.check_and_insert(key, 0.06, 0), Dedupe::Fresh); // volatile: 50 ms
/// assert_eq!(cache.check_and_insert(key, 0.06, 49 * ms), Dedupe::Duplicate);
/// assert_eq!(cache.check_and_insert(key, 0.06, 50 * ms), Dedupe::Fresh);
/// ```
#[derive(Debug)]
pub struct DedupeCache {
    lru: SlabLru<OppKey, ()>,
    bands: TtlBands,
}

impl DedupeCache {
    /// A cache for `capacity` keys (allocated now; cold path).
    pub fn new(capacity: usize, bands: TtlBands) -> Result<DedupeCache, CacheError> {
        Ok(DedupeCache {
            lru: SlabLru::new(capacity)?,
            bands,
        })
    }

    /// Judge a candidate seen at `now_ns` while its instrument's volatility is `volatility`: a live
    /// key is a [`Dedupe::Duplicate`]; otherwise the key is stored for `bands.ttl_ns(volatility)`
    /// and the candidate is [`Dedupe::Fresh`]. One hash and one probe.
    #[inline]
    pub fn check_and_insert(&mut self, key: OppKey, volatility: f64, now_ns: u64) -> Dedupe {
        let ttl_ns = self.bands.ttl_ns(volatility);
        match self.lru.get_or_insert(key, (), ttl_ns, now_ns) {
            GetOrInsert::Found(()) => Dedupe::Duplicate,
            GetOrInsert::Inserted(_) => Dedupe::Fresh,
        }
    }

    /// True when `key` is live (no side effects).
    #[inline]
    pub fn is_live(&self, key: &OppKey, now_ns: u64) -> bool {
        self.lru.contains_live(key, now_ns)
    }

    /// Forget `key` so its next sighting is fresh (e.g. after an order for it was refused before
    /// reaching the venue). True when it was stored.
    #[inline]
    pub fn forget(&mut self, key: &OppKey) -> bool {
        self.lru.remove(key).is_some()
    }

    /// The bands in force.
    pub fn bands(&self) -> &TtlBands {
        &self.bands
    }

    /// Hits are duplicates, misses are fresh candidates; see [`CacheStats`].
    #[inline]
    pub fn stats(&self) -> CacheStats {
        self.lru.stats()
    }

    /// Keys stored (including dead ones not yet met).
    #[inline]
    pub fn len(&self) -> usize {
        self.lru.len()
    }

    /// True when no key is stored.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.lru.is_empty()
    }

    /// Most keys stored.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.lru.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InstrumentId, Price, VenueId};

    const MS: u64 = 1_000_000;

    fn key(ask: i64) -> OppKey {
        OppKey {
            ask_a: Price(ask),
            bid_b: Price(ask + 10),
            instrument: InstrumentId(0),
            buy_venue: VenueId(0),
            sell_venue: VenueId(1),
        }
    }

    #[test]
    fn ttl_follows_volatility_band_at_insert() {
        let mut c = DedupeCache::new(16, TtlBands::default()).expect("valid");
        for (vol, ttl) in [(0.06, 50 * MS), (0.03, 100 * MS), (0.0, 200 * MS)] {
            let k = key((ttl / MS) as i64);
            assert_eq!(c.check_and_insert(k, vol, 0), Dedupe::Fresh);
            assert_eq!(c.check_and_insert(k, vol, ttl - 1), Dedupe::Duplicate);
            assert!(c.is_live(&k, ttl - 1));
            assert!(!c.is_live(&k, ttl));
        }
        // A duplicate at a different volatility does not change the stored TTL.
        let k = key(1);
        c.check_and_insert(k, 0.0, 1_000 * MS);
        assert_eq!(c.check_and_insert(k, 0.9, 1_100 * MS), Dedupe::Duplicate);
        assert_eq!(c.check_and_insert(k, 0.9, 1_199 * MS), Dedupe::Duplicate);
        assert_eq!(c.check_and_insert(k, 0.9, 1_200 * MS), Dedupe::Fresh);
        let s = c.stats();
        assert_eq!((s.hits, s.misses), (5, 5));
        assert_eq!(s.expiries, 1);
    }

    #[test]
    fn persistent_dislocation_is_resent_once_per_ttl() {
        let mut c = DedupeCache::new(4, TtlBands::default()).expect("valid");
        let k = key(5);
        let fresh = (0..1_000u64)
            .filter(|t| c.check_and_insert(k, 0.0, t * MS) == Dedupe::Fresh)
            .count();
        assert_eq!(fresh, 5, "1 s of the same key at a 200 ms TTL");
    }

    #[test]
    fn different_prices_are_different_opportunities_and_forget_works() {
        let mut c = DedupeCache::new(2, TtlBands::default()).expect("valid");
        assert_eq!(c.check_and_insert(key(1), 0.0, 0), Dedupe::Fresh);
        assert_eq!(c.check_and_insert(key(2), 0.0, 0), Dedupe::Fresh);
        assert!(c.forget(&key(1)));
        assert!(!c.forget(&key(1)));
        assert_eq!(c.check_and_insert(key(1), 0.0, 1), Dedupe::Fresh);
        assert_eq!(c.check_and_insert(key(3), 0.0, 1), Dedupe::Fresh);
        assert_eq!(c.stats().evictions, 1, "capacity 2 pushed a live key out");
        assert_eq!((c.len(), c.capacity(), c.is_empty()), (2, 2, false));
        assert_eq!(c.bands(), &TtlBands::default());
    }
}

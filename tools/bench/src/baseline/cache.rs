//! Seed 000's opportunity cache: `lru::LruCache<String, CachedOpportunity>` with a TTL per entry
//! chosen from the instrument's volatility (50/100/200 ms bands), shared by every venue task as
//! `Arc<Mutex<OpportunityCache>>`.
//!
//! Contract (the dedupe of docs/architecture.md, "Detection rule"): a candidate whose key is live (present and not older
//! than its TTL) is a duplicate; otherwise it is inserted, evicting the least recently used entry
//! when full. Time is passed in (`now_ns`, monotonic) where the seed calls `Instant::now`, so the
//! rule is testable; the behaviour is the seed's.

use std::num::NonZeroUsize;

use lru::LruCache;

use crate::detect::Opportunity;

/// An entry: the opportunity, when it was cached and for how long it lives.
#[derive(Debug, Clone)]
pub struct CachedOpportunity {
    /// The cached opportunity (kept as the seed keeps it; this engine only needs the key).
    #[allow(dead_code)]
    pub opportunity: Opportunity,
    /// Insertion time, monotonic ns.
    pub cached_at_ns: u64,
    /// Time to live, ns.
    pub ttl_ns: u64,
}

impl CachedOpportunity {
    /// Still live at `now_ns`.
    pub fn is_fresh(&self, now_ns: u64) -> bool {
        now_ns.saturating_sub(self.cached_at_ns) <= self.ttl_ns
    }
}

/// What [`OpportunityCache::check_and_insert`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedupe {
    /// New: inserted, emit it.
    New,
    /// Live entry with the same key: do not emit.
    Duplicate,
}

/// Counters of cache events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheCounts {
    /// Live key found.
    pub hits: u64,
    /// Key absent.
    pub misses: u64,
    /// Key present but past its TTL.
    pub expiries: u64,
    /// Entries pushed out by capacity.
    pub evictions: u64,
}

/// The LRU + TTL opportunity cache.
pub struct OpportunityCache {
    cache: LruCache<String, CachedOpportunity>,
    ttl_ns: [u64; 3],
    vol_bands: [f64; 2],
    /// Event counts so far.
    pub counts: CacheCounts,
}

impl OpportunityCache {
    /// A cache of `capacity` entries (at least 1) with TTL bands `ttl_ns` (high, mid, low
    /// volatility) split at `vol_bands` (high, mid).
    pub fn new(capacity: usize, ttl_ns: [u64; 3], vol_bands: [f64; 2]) -> Self {
        OpportunityCache {
            cache: LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN)),
            ttl_ns,
            vol_bands,
            counts: CacheCounts::default(),
        }
    }

    /// The seed's `adaptive_ttl`: shorter when volatile.
    pub fn ttl_for(&self, volatility: f64) -> u64 {
        if volatility > self.vol_bands[0] {
            self.ttl_ns[0]
        } else if volatility > self.vol_bands[1] {
            self.ttl_ns[1]
        } else {
            self.ttl_ns[2]
        }
    }

    /// Dedupe `opp` under `key` at `now_ns`.
    pub fn check_and_insert(
        &mut self,
        key: String,
        opp: &Opportunity,
        volatility: f64,
        now_ns: u64,
    ) -> Dedupe {
        if let Some(cached) = self.cache.get(&key) {
            if cached.is_fresh(now_ns) {
                self.counts.hits += 1;
                return Dedupe::Duplicate;
            }
            self.counts.expiries += 1;
            self.cache.pop(&key);
        } else {
            self.counts.misses += 1;
        }
        let entry = CachedOpportunity {
            opportunity: opp.clone(),
            cached_at_ns: now_ns,
            ttl_ns: self.ttl_for(volatility),
        };
        if self.cache.push(key, entry).is_some() {
            self.counts.evictions += 1;
        }
        Dedupe::New
    }

    /// Entries held (live or not yet noticed expired).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.cache.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: u64 = 1_000_000;

    fn opp(px: f64) -> Opportunity {
        Opportunity {
            instrument: "X".into(),
            buy_venue: "a".into(),
            sell_venue: "b".into(),
            buy_px: px,
            sell_px: px + 1.0,
            qty: 1.0,
            net_bps: 5.0,
            recv_ns: 0,
            detected_ns: 0,
            trigger_venue: "a".into(),
            trigger_seq: 1,
        }
    }

    fn cache(cap: usize) -> OpportunityCache {
        OpportunityCache::new(cap, [50 * MS, 100 * MS, 200 * MS], [0.05, 0.02])
    }

    #[test]
    fn duplicate_while_live_new_after_ttl() {
        let mut c = cache(8);
        let o = opp(100.0);
        assert_eq!(c.check_and_insert(o.cache_key(), &o, 0.0, 0), Dedupe::New);
        assert_eq!(
            c.check_and_insert(o.cache_key(), &o, 0.0, 200 * MS),
            Dedupe::Duplicate
        );
        assert_eq!(
            c.check_and_insert(o.cache_key(), &o, 0.0, 201 * MS),
            Dedupe::New
        );
        assert_eq!(
            c.counts,
            CacheCounts {
                hits: 1,
                misses: 1,
                expiries: 1,
                evictions: 0
            }
        );
    }

    #[test]
    fn ttl_bands_follow_volatility() {
        let c = cache(1);
        assert_eq!(c.ttl_for(0.06), 50 * MS);
        assert_eq!(c.ttl_for(0.03), 100 * MS);
        assert_eq!(c.ttl_for(0.01), 200 * MS);
    }

    #[test]
    fn evicts_least_recently_used() {
        let mut c = cache(2);
        let (a, b, d) = (opp(1.0), opp(2.0), opp(3.0));
        c.check_and_insert(a.cache_key(), &a, 0.0, 0);
        c.check_and_insert(b.cache_key(), &b, 0.0, 0);
        // Touch a, so b is the oldest.
        assert_eq!(
            c.check_and_insert(a.cache_key(), &a, 0.0, 1),
            Dedupe::Duplicate
        );
        c.check_and_insert(d.cache_key(), &d, 0.0, 2);
        assert_eq!(c.counts.evictions, 1);
        assert_eq!(c.len(), 2);
        assert_eq!(
            c.check_and_insert(a.cache_key(), &a, 0.0, 3),
            Dedupe::Duplicate
        );
        assert_eq!(c.check_and_insert(b.cache_key(), &b, 0.0, 3), Dedupe::New);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// With room for every key, the cache agrees with a map of last insertion times.
        #[test]
        fn matches_a_ttl_map(ops in proptest::collection::vec((0u8..6, 0u64..30), 1..60)) {
            let mut c = cache(16);
            let mut model = std::collections::HashMap::new();
            let mut now = 0;
            for (k, dt) in ops {
                now += dt * MS;
                let o = opp(f64::from(k));
                let live = matches!(model.get(&k), Some(t) if now - t <= 200 * MS);
                let got = c.check_and_insert(o.cache_key(), &o, 0.0, now);
                prop_assert_eq!(got == Dedupe::Duplicate, live);
                if !live {
                    model.insert(k, now);
                }
            }
        }
    }
}

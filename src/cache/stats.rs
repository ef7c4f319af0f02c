//! The cache's counters. Plain `u64` fields: the cache has one owner (the strategy stage), which
//! copies them into its `CachePadded<AtomicU64>` telemetry counters when it publishes, so the hot
//! path pays an `add` to a line it already owns rather than an atomic.

/// Counts since construction (or the last [`reset`](CacheStats::reset)); wrap-free at any realistic
/// rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Lookups (`get`, `get_or_insert`) that found a live entry.
    pub hits: u64,
    /// Lookups that found nothing live (absent or expired).
    pub misses: u64,
    /// Entries found past their TTL and removed (by a lookup, a touch, an insert of the same key, or
    /// when an expired entry was the LRU victim of an insert into a full cache).
    pub expiries: u64,
    /// Live entries pushed out of a full cache to make room. Non-zero in a dedupe cache means the
    /// capacity is too small for the TTL: a duplicate may have slipped through.
    pub evictions: u64,
    /// New entries stored (not counting replacements of a live key).
    pub inserts: u64,
}

impl CacheStats {
    /// Zero every counter (for interval reporting by an owner that wants deltas).
    pub fn reset(&mut self) {
        *self = CacheStats::default();
    }
}

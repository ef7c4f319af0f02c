//! Errors from building a cache. Built on the cold path (start-up, config), never on the hot path:
//! once a cache exists, none of its operations can fail.

use thiserror::Error;

/// Why a cache or its TTL bands could not be built.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CacheError {
    /// A cache must hold at least one entry.
    #[error("cache capacity must be at least 1 (got 0)")]
    ZeroCapacity,
    /// Entries are addressed by `u32` and the index table is twice the capacity.
    #[error("cache capacity {capacity} is above the maximum {max}")]
    CapacityTooLarge {
        /// The capacity asked for.
        capacity: usize,
        /// The largest capacity supported.
        max: usize,
    },
    /// A volatility threshold is NaN, infinite or negative.
    #[error("TTL band threshold `{name}` must be a finite number >= 0 (got {value})")]
    BadThreshold {
        /// Which threshold (`high_vol_threshold` or `mid_vol_threshold`).
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// The high-volatility threshold must be above the mid one, or the mid band could never apply.
    #[error("TTL band thresholds out of order: high_vol_threshold {high} must be > mid_vol_threshold {mid}")]
    ThresholdsOutOfOrder {
        /// The high-volatility threshold.
        high: f64,
        /// The mid-volatility threshold.
        mid: f64,
    },
    /// A band's TTL is zero: every entry would be born expired and nothing deduplicated.
    #[error("TTL band `{name}` must be > 0 ns")]
    ZeroTtl {
        /// Which band.
        name: &'static str,
    },
    /// TTLs must not grow with volatility: a volatile market re-prices faster, so its entries
    /// must die sooner (the volatility-banded TTLs).
    #[error(
        "TTL bands must shrink as volatility rises: high {high_ns} ns <= mid {mid_ns} ns <= calm {calm_ns} ns"
    )]
    TtlsOutOfOrder {
        /// TTL above the high threshold.
        high_ns: u64,
        /// TTL above the mid threshold.
        mid_ns: u64,
        /// TTL otherwise.
        calm_ns: u64,
    },
}

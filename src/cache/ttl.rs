//! Volatility-adaptive TTL bands: how long an opportunity key stays live in the dedupe cache.
//!
//! A volatile market re-prices within tens of ms, so the same price levels seen again after 50 ms are
//! likely a fresh dislocation worth sending; a calm market can repeat a stale quote for longer, so
//! its entries live longer. Seed defaults (seed 000):
//!
//! ```text
//! volatility >  0.05  -> 50 ms
//! volatility >  0.02  -> 100 ms
//! otherwise           -> 200 ms   (NaN included: unknown volatility gets the longest, safest TTL)
//! ```
//!
//! `volatility` is the strategy's per-instrument EWMA of mid-price log returns (a statistic, so
//! `f64`). Thresholds and TTLs are configurable and validated once, on the cold path.

use super::error::CacheError;

const MS: u64 = 1_000_000;

/// Three TTL bands chosen by volatility; build with [`TtlBands::new`] or take the seed
/// [`Default`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TtlBands {
    high_vol_threshold: f64,
    mid_vol_threshold: f64,
    high_vol_ttl_ns: u64,
    mid_vol_ttl_ns: u64,
    calm_ttl_ns: u64,
}

impl Default for TtlBands {
    /// The seed's bands: > 0.05 -> 50 ms, > 0.02 -> 100 ms, else 200 ms.
    fn default() -> Self {
        TtlBands {
            high_vol_threshold: 0.05,
            mid_vol_threshold: 0.02,
            high_vol_ttl_ns: 50 * MS,
            mid_vol_ttl_ns: 100 * MS,
            calm_ttl_ns: 200 * MS,
        }
    }
}

impl TtlBands {
    /// Bands with volatility above `high_vol_threshold` -> `high_vol_ttl_ns`, above
    /// `mid_vol_threshold` -> `mid_vol_ttl_ns`, else `calm_ttl_ns`.
    ///
    /// Refused: a threshold that is not finite and >= 0, `high <= mid`, a zero TTL, or TTLs that grow
    /// with volatility.
    pub fn new(
        high_vol_threshold: f64,
        mid_vol_threshold: f64,
        high_vol_ttl_ns: u64,
        mid_vol_ttl_ns: u64,
        calm_ttl_ns: u64,
    ) -> Result<TtlBands, CacheError> {
        for (name, value) in [
            ("high_vol_threshold", high_vol_threshold),
            ("mid_vol_threshold", mid_vol_threshold),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(CacheError::BadThreshold { name, value });
            }
        }
        if high_vol_threshold <= mid_vol_threshold {
            return Err(CacheError::ThresholdsOutOfOrder {
                high: high_vol_threshold,
                mid: mid_vol_threshold,
            });
        }
        for (name, ttl) in [
            ("high_vol_ttl_ns", high_vol_ttl_ns),
            ("mid_vol_ttl_ns", mid_vol_ttl_ns),
            ("calm_ttl_ns", calm_ttl_ns),
        ] {
            if ttl == 0 {
                return Err(CacheError::ZeroTtl { name });
            }
        }
        if !(high_vol_ttl_ns <= mid_vol_ttl_ns && mid_vol_ttl_ns <= calm_ttl_ns) {
            return Err(CacheError::TtlsOutOfOrder {
                high_ns: high_vol_ttl_ns,
                mid_ns: mid_vol_ttl_ns,
                calm_ns: calm_ttl_ns,
            });
        }
        Ok(TtlBands {
            high_vol_threshold,
            mid_vol_threshold,
            high_vol_ttl_ns,
            mid_vol_ttl_ns,
            calm_ttl_ns,
        })
    }

    /// The TTL for an entry seen at `volatility`. Two compares, no allocation; NaN falls through to
    /// the calm band.
    #[inline]
    pub fn ttl_ns(&self, volatility: f64) -> u64 {
        if volatility > self.high_vol_threshold {
            self.high_vol_ttl_ns
        } else if volatility > self.mid_vol_threshold {
            self.mid_vol_ttl_ns
        } else {
            self.calm_ttl_ns
        }
    }

    /// The longest TTL any entry can get (the calm band): how long a key can suppress repeats.
    #[inline]
    pub fn max_ttl_ns(&self) -> u64 {
        self.calm_ttl_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_defaults() {
        let b = TtlBands::default();
        assert_eq!(b.ttl_ns(0.051), 50 * MS);
        assert_eq!(
            b.ttl_ns(0.05),
            100 * MS,
            "strictly greater than the threshold"
        );
        assert_eq!(b.ttl_ns(0.021), 100 * MS);
        assert_eq!(b.ttl_ns(0.02), 200 * MS);
        assert_eq!(b.ttl_ns(0.0), 200 * MS);
        assert_eq!(b.ttl_ns(-1.0), 200 * MS);
        assert_eq!(b.ttl_ns(f64::NAN), 200 * MS);
        assert_eq!(b.ttl_ns(f64::INFINITY), 50 * MS);
        assert_eq!(b.max_ttl_ns(), 200 * MS);
        assert_eq!(
            TtlBands::new(0.05, 0.02, 50 * MS, 100 * MS, 200 * MS),
            Ok(b)
        );
    }

    #[test]
    fn custom_bands() {
        let b = TtlBands::new(0.1, 0.0, 10, 20, 30).expect("valid");
        assert_eq!((b.ttl_ns(0.2), b.ttl_ns(0.05), b.ttl_ns(0.0)), (10, 20, 30));
        let flat = TtlBands::new(0.1, 0.05, 7, 7, 7).expect("equal TTLs are fine");
        assert_eq!(flat.ttl_ns(1.0), 7);
    }

    #[test]
    fn bad_bands_are_refused_with_the_culprit() {
        assert!(matches!(
            TtlBands::new(f64::NAN, 0.02, 1, 2, 3),
            Err(CacheError::BadThreshold {
                name: "high_vol_threshold",
                ..
            })
        ));
        assert!(matches!(
            TtlBands::new(0.05, -0.1, 1, 2, 3),
            Err(CacheError::BadThreshold {
                name: "mid_vol_threshold",
                ..
            })
        ));
        assert!(matches!(
            TtlBands::new(0.02, 0.02, 1, 2, 3),
            Err(CacheError::ThresholdsOutOfOrder { .. })
        ));
        assert_eq!(
            TtlBands::new(0.05, 0.02, 1, 0, 3),
            Err(CacheError::ZeroTtl {
                name: "mid_vol_ttl_ns"
            })
        );
        assert!(matches!(
            TtlBands::new(0.05, 0.02, 300, 200, 100),
            Err(CacheError::TtlsOutOfOrder { high_ns: 300, .. })
        ));
        let msg = TtlBands::new(0.05, 0.02, 1, 0, 3).unwrap_err().to_string();
        assert!(msg.contains("mid_vol_ttl_ns"), "{msg}");
    }
}

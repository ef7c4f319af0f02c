//! Per-instrument volatility: an EWMA of squared mid-price log returns.
//!
//! Contract: on every two-sided quote the mid (`(bid + ask) / 2`) of that (instrument, venue) is
//! compared with the same venue's previous mid, `r = ln(mid / prev_mid)`, and the instrument's
//! variance estimate becomes `var = (1 - alpha) * var + alpha * r^2`. Returns are taken per venue
//! so the price gap *between* venues (the very thing we trade) is not mistaken for movement.
//! [`VolTracker::volatility`] is `sqrt(var)` **in percent per update** (a log return of 0.0005,
//! i.e. 5 bp, reads as 0.05). In those units the seed's TTL bands mean something: above 0.05
//! (a typical update moves the mid by more than 5 bp) is high, above 0.02 (2 bp) medium; quiet
//! BTC/USDT books move well under 1 bp per update.
//!
//! `alpha` comes from a half-life counted in updates: `alpha = 1 - 2^(-1 / half_life)`, so an
//! observation's weight halves after `half_life` later updates. `f64` is fine here: this is a
//! statistic that shapes TTLs and confidence, never a money amount or a trading decision.
//! Storage is allocated once in [`VolTracker::new`]; updates allocate nothing.

use crate::model::{InstrumentId, Quote};

/// Seed 000's "high volatility" band edge, in this module's units (percent per update).
pub const SEED_HIGH_VOL: f64 = 0.05;
/// Seed 000's "medium volatility" band edge, in this module's units (percent per update).
pub const SEED_MEDIUM_VOL: f64 = 0.02;

/// Volatility estimator settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolParams {
    /// Half-life of an observation's weight, in updates of the instrument (> 0).
    pub half_life_updates: f64,
}

impl Default for VolParams {
    /// A half-life of 100 updates: a few seconds of a busy book.
    fn default() -> Self {
        VolParams {
            half_life_updates: 100.0,
        }
    }
}

impl VolParams {
    /// The EWMA weight of the newest observation.
    pub fn alpha(&self) -> f64 {
        1.0 - 0.5f64.powf(1.0 / self.half_life_updates)
    }
}

/// EWMA volatility per instrument, fed by every quote.
#[derive(Debug, Clone)]
pub struct VolTracker {
    alpha: f64,
    n_venues: usize,
    /// Last log-mid per (instrument, venue); NaN until that venue has sent a two-sided quote.
    last_log_mid: Vec<f64>,
    /// EWMA of squared returns per instrument.
    variance: Vec<f64>,
}

impl VolTracker {
    /// Allocate for `n_instruments x n_venues` (cold path).
    pub fn new(n_instruments: usize, n_venues: usize, params: VolParams) -> VolTracker {
        VolTracker {
            alpha: params.alpha(),
            n_venues,
            last_log_mid: vec![f64::NAN; n_instruments * n_venues],
            variance: vec![0.0; n_instruments],
        }
    }

    /// Fold in `q`. Quotes without a positive bid and ask are skipped (no mid). The caller has
    /// checked the ids are in range; out-of-range ids are ignored.
    #[inline]
    pub fn on_quote(&mut self, q: &Quote) {
        if q.bid_px.0 <= 0 || q.ask_px.0 <= 0 {
            return;
        }
        let slot = q.instrument.index() * self.n_venues + q.venue.index();
        let (Some(last), Some(var)) = (
            self.last_log_mid.get_mut(slot),
            self.variance.get_mut(q.instrument.index()),
        ) else {
            return;
        };
        // The factor 1/2 of the mid cancels in the ratio, so ln(bid + ask) is enough.
        let log_mid = ((q.bid_px.0 as i128 + q.ask_px.0 as i128) as f64).ln();
        if !last.is_nan() {
            let r = log_mid - *last;
            *var = (1.0 - self.alpha) * *var + self.alpha * r * r;
        }
        *last = log_mid;
    }

    /// Current volatility of `instrument`: EWMA std-dev of per-update mid log returns, in percent.
    /// 0 before two quotes from one venue; 0 for an unknown instrument.
    #[inline]
    pub fn volatility(&self, instrument: InstrumentId) -> f64 {
        self.variance
            .get(instrument.index())
            .map_or(0.0, |v| v.sqrt() * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Price, VenueId};

    fn quote(venue: u8, bid: i64, ask: i64) -> Quote {
        Quote {
            bid_px: Price(bid),
            ask_px: Price(ask),
            venue: VenueId(venue),
            ..Quote::default()
        }
    }

    #[test]
    fn alpha_from_half_life() {
        let a = VolParams {
            half_life_updates: 1.0,
        }
        .alpha();
        assert!((a - 0.5).abs() < 1e-12);
    }

    #[test]
    fn flat_market_has_zero_vol_and_moves_register_in_percent() {
        let mut t = VolTracker::new(
            1,
            2,
            VolParams {
                half_life_updates: 1.0,
            },
        );
        for _ in 0..5 {
            t.on_quote(&quote(0, 99_990, 100_010));
        }
        assert_eq!(t.volatility(InstrumentId(0)), 0.0);
        // 10 bp move of the mid with alpha 0.5: var = 0.5 * 0.001^2 -> vol = sqrt(0.5) * 0.1 %.
        t.on_quote(&quote(0, 100_090, 100_110));
        let v = t.volatility(InstrumentId(0));
        let expected = (0.5f64).sqrt() * ((200_200.0f64 / 200_000.0).ln() * 100.0);
        assert!((v - expected).abs() < 1e-12, "{v} vs {expected}");
        assert!(v > SEED_HIGH_VOL);
    }

    #[test]
    fn cross_venue_gap_is_not_volatility() {
        let mut t = VolTracker::new(1, 2, VolParams::default());
        for _ in 0..10 {
            t.on_quote(&quote(0, 100_000, 100_010));
            t.on_quote(&quote(1, 101_000, 101_010));
        }
        assert_eq!(t.volatility(InstrumentId(0)), 0.0);
    }

    #[test]
    fn one_sided_and_unknown_are_ignored() {
        let mut t = VolTracker::new(1, 1, VolParams::default());
        t.on_quote(&quote(0, 0, 100));
        t.on_quote(&quote(5, 1, 100));
        assert_eq!(t.volatility(InstrumentId(0)), 0.0);
        assert_eq!(t.volatility(InstrumentId(9)), 0.0);
    }
}

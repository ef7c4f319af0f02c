//! Confidence score carried on every opportunity, in parts per 10 000.
//!
//! Execution and reports use it to rank and to explain; it never changes *whether* an opportunity
//! is detected (that rule is exact and lives in `detector.rs`). It is the product of three factors
//! in `[0, 1]`, each a plain, monotone function with one reference point:
//!
//! - **age**: `1 - age / (2 * stale_after)` per leg, the lower of the two legs. A quote just
//!   received counts fully; one at the edge of staleness counts half (it is still tradeable by
//!   the rule, but its venue may have moved).
//! - **size**: `min(1, top_size / ref_qty)` where `top_size = min(ask_qty_a, bid_qty_b)`. Thin
//!   books vanish first.
//! - **volatility**: `1 / (1 + vol / vol_half)`; at `vol_half` (same units as
//!   [`super::volatility::VolTracker::volatility`], percent per update) it halves the score.
//!
//! `f64` is fine: this is a statistic, computed without allocation.

use crate::model::Qty;

use super::volatility::SEED_HIGH_VOL;

/// Parts per 10 000 meaning "certain".
pub const CONFIDENCE_ONE: u16 = 10_000;

/// Confidence settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceParams {
    /// Volatility (percent per update) at which the volatility factor is 1/2; > 0.
    pub vol_half: f64,
}

impl Default for ConfidenceParams {
    /// Halve confidence at the seed's "high volatility" edge.
    fn default() -> Self {
        ConfidenceParams {
            vol_half: SEED_HIGH_VOL,
        }
    }
}

/// One leg's quote age and the staleness limit it is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegAge {
    /// `now - recv_ts` of the leg's quote, ns (0 if the quote is from the future).
    pub age_ns: u64,
    /// The leg venue's `stale_after`, ns.
    pub stale_after_ns: u64,
}

impl LegAge {
    fn factor(self) -> f64 {
        if self.stale_after_ns == 0 {
            // Fresh means age <= 0 here, i.e. age 0: full weight.
            return 1.0;
        }
        let ratio = (self.age_ns as f64 / self.stale_after_ns as f64).min(1.0);
        1.0 - 0.5 * ratio
    }
}

/// The score in parts per 10 000, from both legs' ages, the thinner top-of-book size, and the
/// instrument's volatility.
#[inline]
pub fn confidence(
    buy: LegAge,
    sell: LegAge,
    top_size: Qty,
    ref_qty: Qty,
    vol: f64,
    params: &ConfidenceParams,
) -> u16 {
    let age = buy.factor().min(sell.factor());
    let size = if ref_qty.0 <= 0 {
        1.0
    } else {
        (top_size.0.max(0) as f64 / ref_qty.0 as f64).min(1.0)
    };
    let vol = if vol.is_finite() && vol > 0.0 && params.vol_half > 0.0 {
        1.0 / (1.0 + vol / params.vol_half)
    } else {
        1.0
    };
    let score = (age * size * vol * CONFIDENCE_ONE as f64).floor();
    // The product is in [0, 1]; the clamp is against float rounding only.
    score.clamp(0.0, CONFIDENCE_ONE as f64) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: LegAge = LegAge {
        age_ns: 0,
        stale_after_ns: 500,
    };

    #[test]
    fn perfect_conditions_score_one() {
        let p = ConfidenceParams::default();
        assert_eq!(confidence(FRESH, FRESH, Qty(10), Qty(10), 0.0, &p), 10_000);
    }

    #[test]
    fn each_factor_halves_at_its_reference() {
        let p = ConfidenceParams::default();
        let edge = LegAge {
            age_ns: 500,
            stale_after_ns: 500,
        };
        assert_eq!(confidence(FRESH, edge, Qty(10), Qty(10), 0.0, &p), 5_000);
        assert_eq!(confidence(FRESH, FRESH, Qty(5), Qty(10), 0.0, &p), 5_000);
        assert_eq!(
            confidence(FRESH, FRESH, Qty(10), Qty(10), p.vol_half, &p),
            5_000
        );
        assert_eq!(
            confidence(edge, edge, Qty(5), Qty(10), p.vol_half, &p),
            1_250
        );
    }

    #[test]
    fn monotone_in_age_size_and_vol() {
        let p = ConfidenceParams::default();
        let at = |age, size, vol| {
            let leg = LegAge {
                age_ns: age,
                stale_after_ns: 1_000,
            };
            confidence(leg, FRESH, Qty(size), Qty(100), vol, &p)
        };
        assert!(at(100, 50, 0.01) > at(200, 50, 0.01));
        assert!(at(100, 50, 0.01) > at(100, 40, 0.01));
        assert!(at(100, 50, 0.01) > at(100, 50, 0.02));
        assert_eq!(at(100, 500, 0.0), at(100, 100, 0.0));
    }

    #[test]
    fn zero_stale_after_and_bad_vol_do_not_panic() {
        let p = ConfidenceParams::default();
        let zero = LegAge {
            age_ns: 0,
            stale_after_ns: 0,
        };
        assert_eq!(confidence(zero, zero, Qty(1), Qty(1), f64::NAN, &p), 10_000);
    }
}

//! Fees and thresholds as exact integers, converted once from the config's `f64` bps.
//!
//! The config writes fees and thresholds the way venues publish them, as basis points with a
//! fraction (`taker_fee_bps = 7.5`, `min_profit_bps = 2.0`). The detector must decide with exact
//! integer arithmetic, so every rate is converted on the cold path to **millionths** (hundredths
//! of a basis point, the unit of [`Bps`]): 1 bp = 100 millionths, 7.5 bp = 750, 10 bp = 1 000.
//!
//! The conversion is checked: the value must be finite, inside its range, and a whole number of
//! hundredths of a bp (up to float noise of 1e-6 hundredths, so `0.1` bp is accepted as 10 but
//! `0.123` bp is refused rather than silently rounded).
//!
//! With a fee `f` in millionths, buying at `ask` costs `ask * (1_000_000 + f) / 1_000_000` and
//! selling at `bid` yields `bid * (1_000_000 - f) / 1_000_000`; [`FeeRate::cost_factor`] and
//! [`FeeRate::proceeds_factor`] give the two numerators. A fee of 100 % or more would make the
//! proceeds zero or negative and is refused at construction.

use thiserror::Error;

use crate::model::Bps;

/// Millionths (hundredths of a bp) in one unit: the denominator of every rate here.
pub const RATE_ONE: i64 = 1_000_000;

/// Millionths per basis point.
const PER_BP: f64 = 100.0;

/// Largest magnitude accepted for a threshold, in bp: ±100 % (exclusive at the negative end so
/// `RATE_ONE + threshold` stays positive).
pub const MAX_THRESHOLD_BPS: f64 = 10_000.0;

/// Why a fee or threshold from the config was refused. Carries the offending value.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum RateError {
    /// NaN or infinite.
    #[error("{value} bp is not a finite number")]
    NotFinite {
        /// The value given.
        value: f64,
    },
    /// A taker fee below zero (no venue pays takers).
    #[error("fee {value} bp is negative")]
    NegativeFee {
        /// The value given.
        value: f64,
    },
    /// A taker fee of 100 % (10 000 bp) or more: selling would yield nothing.
    #[error("fee {value} bp is 100 % or more")]
    FeeTooLarge {
        /// The value given.
        value: f64,
    },
    /// A threshold outside (-10 000, 10 000] bp.
    #[error("threshold {value} bp is outside (-10000, 10000]")]
    ThresholdOutOfRange {
        /// The value given.
        value: f64,
    },
    /// More precision than hundredths of a bp: keeping it would round.
    #[error("{value} bp is finer than 0.01 bp")]
    TooFine {
        /// The value given.
        value: f64,
    },
}

/// Convert bp (`f64`) to an exact count of hundredths of a bp, or say why not. Range checks are
/// the caller's.
fn to_hundredths(value: f64) -> Result<i64, RateError> {
    if !value.is_finite() {
        return Err(RateError::NotFinite { value });
    }
    let scaled = value * PER_BP;
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 {
        return Err(RateError::TooFine { value });
    }
    // In range by the callers' checks (|value| <= 10 000 bp), so the cast is exact.
    Ok(rounded as i64)
}

/// A taker fee in millionths of the traded notional (hundredths of a bp), `0 <= fee < 1_000_000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FeeRate(u32);

impl FeeRate {
    /// No fee.
    pub const ZERO: FeeRate = FeeRate(0);

    /// From the config's bp (`10.0`, `7.5`), checked: finite, `>= 0`, `< 10 000` bp, a whole number
    /// of hundredths of a bp.
    pub fn from_bps(value: f64) -> Result<FeeRate, RateError> {
        if !value.is_finite() {
            return Err(RateError::NotFinite { value });
        }
        if value < 0.0 {
            return Err(RateError::NegativeFee { value });
        }
        if value >= MAX_THRESHOLD_BPS {
            return Err(RateError::FeeTooLarge { value });
        }
        let h = to_hundredths(value)?;
        if h >= RATE_ONE {
            return Err(RateError::FeeTooLarge { value });
        }
        Ok(FeeRate(h as u32))
    }

    /// From millionths directly; refuses 100 % or more.
    pub fn from_millionths(millionths: u32) -> Result<FeeRate, RateError> {
        if millionths as i64 >= RATE_ONE {
            return Err(RateError::FeeTooLarge {
                value: millionths as f64 / PER_BP,
            });
        }
        Ok(FeeRate(millionths))
    }

    /// The fee in millionths.
    #[inline]
    pub const fn millionths(self) -> u32 {
        self.0
    }

    /// `1_000_000 + fee`: the numerator of what one unit of ask costs once the fee is paid.
    #[inline]
    pub const fn cost_factor(self) -> i128 {
        RATE_ONE as i128 + self.0 as i128
    }

    /// `1_000_000 - fee` (always > 0): the numerator of what one unit of bid yields after the fee.
    #[inline]
    pub const fn proceeds_factor(self) -> i128 {
        RATE_ONE as i128 - self.0 as i128
    }
}

/// Convert a threshold such as `min_profit_bps` (bp, `f64`) to [`Bps`] (hundredths of a bp),
/// checked: finite, within (-10 000, 10 000] bp, a whole number of hundredths. Negative values are
/// allowed for paper and analysis runs that want to see near-misses.
pub fn threshold_from_bps(value: f64) -> Result<Bps, RateError> {
    if !value.is_finite() {
        return Err(RateError::NotFinite { value });
    }
    if value <= -MAX_THRESHOLD_BPS || value > MAX_THRESHOLD_BPS {
        return Err(RateError::ThresholdOutOfRange { value });
    }
    Ok(Bps(to_hundredths(value)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_published_fees_exactly() {
        assert_eq!(FeeRate::from_bps(10.0).unwrap().millionths(), 1_000);
        assert_eq!(FeeRate::from_bps(7.5).unwrap().millionths(), 750);
        assert_eq!(FeeRate::from_bps(0.1).unwrap().millionths(), 10);
        assert_eq!(FeeRate::from_bps(0.0).unwrap(), FeeRate::ZERO);
        assert_eq!(FeeRate::from_bps(9_999.99).unwrap().millionths(), 999_999);
        assert_eq!(FeeRate::from_bps(25.0).unwrap().cost_factor(), 1_002_500);
        assert_eq!(FeeRate::from_bps(25.0).unwrap().proceeds_factor(), 997_500);
    }

    #[test]
    fn refuses_bad_fees() {
        assert_eq!(
            FeeRate::from_bps(10_000.0),
            Err(RateError::FeeTooLarge { value: 10_000.0 })
        );
        assert_eq!(
            FeeRate::from_bps(20_000.0),
            Err(RateError::FeeTooLarge { value: 20_000.0 })
        );
        assert_eq!(
            FeeRate::from_bps(-1.0),
            Err(RateError::NegativeFee { value: -1.0 })
        );
        assert!(matches!(
            FeeRate::from_bps(f64::NAN),
            Err(RateError::NotFinite { .. })
        ));
        assert_eq!(
            FeeRate::from_bps(0.123),
            Err(RateError::TooFine { value: 0.123 })
        );
        assert!(FeeRate::from_millionths(1_000_000).is_err());
        assert_eq!(
            FeeRate::from_millionths(999_999).unwrap().proceeds_factor(),
            1
        );
    }

    #[test]
    fn thresholds() {
        assert_eq!(threshold_from_bps(2.0), Ok(Bps(200)));
        assert_eq!(threshold_from_bps(-1.25), Ok(Bps(-125)));
        assert_eq!(threshold_from_bps(10_000.0), Ok(Bps(1_000_000)));
        assert!(threshold_from_bps(-10_000.0).is_err());
        assert!(threshold_from_bps(f64::INFINITY).is_err());
        assert!(threshold_from_bps(1.001).is_err());
    }
}

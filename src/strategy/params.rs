//! The detector's parameters, built and validated once on the cold path (from the config).
//!
//! Everything the hot path needs is here in the form it wants it: fees as [`FeeRate`] millionths,
//! staleness in ns, the threshold as [`Bps`] (hundredths of a bp), per-instrument lot and max
//! notional as mantissas. [`DetectorParams::validate`] refuses anything the arithmetic in
//! `detector.rs` could not handle exactly, so the hot path never checks again.
//! Venue and instrument ids are positions in these lists, as in the config.

use thiserror::Error;

use super::confidence::ConfidenceParams;
use super::fees::{threshold_from_bps, FeeRate, RateError, RATE_ONE};
use super::volatility::VolParams;
use crate::model::{Bps, Price, Qty, Scale, MAX_INSTRUMENTS, MAX_SCALE, MAX_VENUES};

/// Per-venue parameters, indexed by `VenueId`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VenueParams {
    /// Taker fee paid on either leg at this venue.
    pub taker_fee: FeeRate,
    /// A quote older than this (receive age, ns) is stale and not traded on.
    pub stale_after_ns: u64,
}

impl VenueParams {
    /// From the config's `taker_fee_bps` and `stale_after_ms`, checked.
    pub fn from_config(taker_fee_bps: f64, stale_after_ms: u64) -> Result<VenueParams, RateError> {
        Ok(VenueParams {
            taker_fee: FeeRate::from_bps(taker_fee_bps)?,
            stale_after_ns: stale_after_ms.saturating_mul(1_000_000),
        })
    }
}

/// Per-instrument parameters, indexed by `InstrumentId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentParams {
    /// Decimals in the price mantissa.
    pub price_scale: Scale,
    /// Decimals in the quantity mantissa.
    pub qty_scale: Scale,
    /// Order quantity step, at `qty_scale`; must be > 0.
    pub lot: Qty,
    /// Most quote currency one opportunity may buy, as a mantissa at `price_scale` (an amount of
    /// quote currency has the units of a price times one unit of base, so the config's
    /// `max_notional = "1000"` is `Price::parse(b"1000", price_scale)`); must be > 0.
    pub max_notional: Price,
    /// Top-of-book size (at `qty_scale`) at or above which size no longer lowers confidence; > 0.
    pub ref_qty: Qty,
}

/// All the detector needs, built on the cold path.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorParams {
    /// One entry per venue, in config order (`VenueId` = index).
    pub venues: Vec<VenueParams>,
    /// One entry per instrument, in config order (`InstrumentId` = index).
    pub instruments: Vec<InstrumentParams>,
    /// Emit only when net edge after both taker fees is at least this.
    pub min_profit: Bps,
    /// Volatility estimator settings.
    pub volatility: VolParams,
    /// Confidence score settings.
    pub confidence: ConfidenceParams,
}

/// Why parameters were refused, naming the venue or instrument index and the value.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum ParamsError {
    /// No venues, or more than [`MAX_VENUES`].
    #[error("{count} venues; need 1..={MAX_VENUES}")]
    VenueCount {
        /// How many were given.
        count: usize,
    },
    /// No instruments, or more than [`MAX_INSTRUMENTS`].
    #[error("{count} instruments; need 1..={MAX_INSTRUMENTS}")]
    InstrumentCount {
        /// How many were given.
        count: usize,
    },
    /// A scale above [`MAX_SCALE`].
    #[error("instrument {instrument}: scale {scale} above {MAX_SCALE}")]
    Scale {
        /// Instrument index.
        instrument: usize,
        /// The scale given.
        scale: Scale,
    },
    /// A lot <= 0.
    #[error("instrument {instrument}: lot {lot} must be > 0")]
    Lot {
        /// Instrument index.
        instrument: usize,
        /// The lot mantissa given.
        lot: i64,
    },
    /// A max notional <= 0.
    #[error("instrument {instrument}: max_notional {value} must be > 0")]
    MaxNotional {
        /// Instrument index.
        instrument: usize,
        /// The mantissa given.
        value: i64,
    },
    /// A reference size <= 0.
    #[error("instrument {instrument}: ref_qty {value} must be > 0")]
    RefQty {
        /// Instrument index.
        instrument: usize,
        /// The mantissa given.
        value: i64,
    },
    /// A fee of 100 % or more. [`FeeRate`]'s constructors already refuse it; checked again here
    /// because the whole exactness argument rests on `1e6 - fee > 0`.
    #[error("venue {venue}: fee of {millionths} millionths is 100 % or more")]
    Fee {
        /// Venue index.
        venue: usize,
        /// The fee given.
        millionths: u32,
    },
    /// `min_profit` outside (-10 000, 10 000] bp.
    #[error("min_profit of {0} hundredths of a bp is outside (-10000, 10000] bp")]
    MinProfit(i64),
    /// A rate from the config could not be converted.
    #[error(transparent)]
    Rate(#[from] RateError),
    /// Volatility half-life not finite and > 0.
    #[error("volatility half-life {0} updates must be finite and > 0")]
    HalfLife(f64),
    /// Confidence volatility reference not finite and > 0.
    #[error("confidence vol_half {0} must be finite and > 0")]
    VolHalf(f64),
}

impl DetectorParams {
    /// Set `min_profit` from the config's `min_profit_bps`, checked.
    pub fn with_min_profit_bps(mut self, bps: f64) -> Result<DetectorParams, ParamsError> {
        self.min_profit = threshold_from_bps(bps)?;
        Ok(self)
    }

    /// Check every bound the detector's exact arithmetic relies on.
    pub fn validate(&self) -> Result<(), ParamsError> {
        if self.venues.is_empty() || self.venues.len() > MAX_VENUES {
            return Err(ParamsError::VenueCount {
                count: self.venues.len(),
            });
        }
        if self.instruments.is_empty() || self.instruments.len() > MAX_INSTRUMENTS {
            return Err(ParamsError::InstrumentCount {
                count: self.instruments.len(),
            });
        }
        for (venue, v) in self.venues.iter().enumerate() {
            if v.taker_fee.millionths() as i64 >= RATE_ONE {
                return Err(ParamsError::Fee {
                    venue,
                    millionths: v.taker_fee.millionths(),
                });
            }
        }
        for (instrument, p) in self.instruments.iter().enumerate() {
            for scale in [p.price_scale, p.qty_scale] {
                if scale > MAX_SCALE {
                    return Err(ParamsError::Scale { instrument, scale });
                }
            }
            if p.lot.0 <= 0 {
                return Err(ParamsError::Lot {
                    instrument,
                    lot: p.lot.0,
                });
            }
            if p.max_notional.0 <= 0 {
                return Err(ParamsError::MaxNotional {
                    instrument,
                    value: p.max_notional.0,
                });
            }
            if p.ref_qty.0 <= 0 {
                return Err(ParamsError::RefQty {
                    instrument,
                    value: p.ref_qty.0,
                });
            }
        }
        let m = self.min_profit.0;
        if m <= -RATE_ONE || m > RATE_ONE {
            return Err(ParamsError::MinProfit(m));
        }
        let h = self.volatility.half_life_updates;
        if !(h.is_finite() && h > 0.0) {
            return Err(ParamsError::HalfLife(h));
        }
        let vh = self.confidence.vol_half;
        if !(vh.is_finite() && vh > 0.0) {
            return Err(ParamsError::VolHalf(vh));
        }
        Ok(())
    }
}

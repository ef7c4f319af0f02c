//! A detected cross-venue dislocation: buy at venue `a`'s ask, sell at venue `b`'s bid.

use super::ids::{InstrumentId, OppId, VenueId};
use super::price::{Price, Qty};

/// An edge in hundredths of a basis point (`Bps(250)` is 2.5 bp): integer so thresholds compare
/// exactly; the report prints it as a number of bp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bps(pub i64);

impl Bps {
    /// Hundredths of a bp per bp.
    pub const SCALE: i64 = 100;

    /// The value in bp as a float, for reports and statistics only.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

/// One opportunity as the strategy emits it and execution consumes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Opportunity {
    /// Dense id within the run.
    pub id: OppId,
    /// Buy leg price (venue `buy_venue`'s best ask).
    pub buy_px: Price,
    /// Sell leg price (venue `sell_venue`'s best bid).
    pub sell_px: Price,
    /// Quantity for both legs, rounded down to the lot.
    pub qty: Qty,
    /// Edge before fees.
    pub gross_bps: Bps,
    /// Edge after both taker fees.
    pub net_bps: Bps,
    /// Receive time (monotonic ns) of the quote that triggered it: the start of tick-to-order.
    pub recv_ts_ns: u64,
    /// When the detector emitted it (monotonic ns).
    pub detect_ts_ns: u64,
    /// After this (monotonic ns) it must not be sent.
    pub expiry_ts_ns: u64,
    /// Which instrument.
    pub instrument: InstrumentId,
    /// Confidence in parts per 10 000 (quote age, size, volatility).
    pub confidence: u16,
    /// Venue of the buy leg.
    pub buy_venue: VenueId,
    /// Venue of the sell leg.
    pub sell_venue: VenueId,
    /// Venue of the quote that triggered it (one of the legs).
    pub trigger_venue: VenueId,
    /// That quote's venue sequence number (update id): with the venue, it names the frame, so a
    /// benchmark can join an order to the moment the venue sent the frame.
    pub trigger_seq: u64,
}

const _: () = assert!(std::mem::size_of::<Opportunity>() <= 128);

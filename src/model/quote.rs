//! The top of one venue's book for one instrument: what ingest produces and the strategy consumes.
//! One cache line, `Copy`, so a ring slot holds it whole and a push is a 64-byte copy.

use super::ids::{InstrumentId, VenueId};
use super::price::{Price, Qty};

/// Best bid and ask of one (instrument, venue), with the venue's sequence number and both clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct Quote {
    /// Venue's update id / sequence number; older-than-seen values are dropped by ingest.
    pub seq: u64,
    /// Best bid price (`Price::ZERO` when the side is empty).
    pub bid_px: Price,
    /// Size at the best bid.
    pub bid_qty: Qty,
    /// Best ask price (`Price::ZERO` when the side is empty).
    pub ask_px: Price,
    /// Size at the best ask.
    pub ask_qty: Qty,
    /// Venue's timestamp, unix ns (0 when the venue sends none, e.g. Binance spot bookTicker).
    pub exch_ts_ns: i64,
    /// Local receive time, monotonic ns of the engine's clock (capture time in a replay).
    pub recv_ts_ns: u64,
    /// Which instrument.
    pub instrument: InstrumentId,
    /// Which venue.
    pub venue: VenueId,
    /// Reserved flags (bit 0: snapshot).
    pub flags: u8,
}

const _: () = assert!(
    std::mem::size_of::<Quote>() <= 64,
    "Quote must fit one cache line"
);

impl Quote {
    /// True when both sides carry a positive price and size, so the quote can be traded on.
    #[inline]
    pub fn is_two_sided(&self) -> bool {
        self.bid_px.0 > 0 && self.ask_px.0 > 0 && self.bid_qty.0 > 0 && self.ask_qty.0 > 0
    }
}

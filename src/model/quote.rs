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
    /// Where it came from: the venue's WebSocket stream, or the REST top-of-book poll that stands
    /// in while the stream is down (`ingest/rest/`). It sits in what was padding: the struct stays
    /// 64 bytes.
    pub source: QuoteSource,
}

/// Which feed a [`Quote`] came from. REST quotes are traded on only when the config says so
/// (`ingest.trade_on_rest_quotes`): a poll is slower and coarser than the stream it stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum QuoteSource {
    /// The venue's WebSocket market-data stream.
    #[default]
    Ws = 0,
    /// A poll of the venue's public REST top of book during a WebSocket outage.
    Rest = 1,
}

impl QuoteSource {
    /// Stable lowercase name for counters, reports and logs.
    pub const fn name(self) -> &'static str {
        match self {
            QuoteSource::Ws => "ws",
            QuoteSource::Rest => "rest",
        }
    }
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

    /// True when both quotes show the same top of book (prices and sizes), whatever their
    /// timestamps, sequence numbers or sources: the same book state seen twice.
    #[inline]
    pub fn same_book(&self, other: &Quote) -> bool {
        self.bid_px == other.bid_px
            && self.bid_qty == other.bid_qty
            && self.ask_px == other.ask_px
            && self.ask_qty == other.ask_qty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_fits_the_padding() {
        // 7 eight-byte fields, then instrument (2), venue, flags, source: 61 bytes, padded to 64.
        assert_eq!(std::mem::size_of::<Quote>(), 64);
        assert_eq!(std::mem::align_of::<Quote>(), 8);
        assert_eq!(Quote::default().source, QuoteSource::Ws);
        assert_eq!(QuoteSource::Rest.name(), "rest");
    }

    #[test]
    fn same_book_ignores_time_and_source() {
        let a = Quote {
            bid_px: Price(10),
            bid_qty: Qty(1),
            ask_px: Price(11),
            ask_qty: Qty(2),
            recv_ts_ns: 5,
            ..Quote::default()
        };
        let b = Quote {
            recv_ts_ns: 9,
            seq: 3,
            source: QuoteSource::Rest,
            ..a
        };
        assert!(a.same_book(&b));
        assert!(!a.same_book(&Quote {
            ask_qty: Qty(3),
            ..b
        }));
    }
}

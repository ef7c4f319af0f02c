//! One leg of an arbitrage as execution hands it to a gateway.

use super::ids::{InstrumentId, OppId, OrderId, VenueId};
use super::price::{Price, Qty};

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// Take the ask.
    Buy,
    /// Hit the bid.
    Sell,
}

/// How long the order may rest. Arbitrage legs are always IOC: a leg that cannot fill at once
/// must not sit on the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeInForce {
    /// Immediate or cancel.
    Ioc,
}

/// A limit order for one leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// Client order id.
    pub id: OrderId,
    /// The opportunity it belongs to.
    pub opp: OppId,
    /// Limit price (already widened by the venue's slippage buffer).
    pub px: Price,
    /// Quantity.
    pub qty: Qty,
    /// When the order bytes were written (monotonic ns); 0 until then.
    pub sent_ts_ns: u64,
    /// Receive time of the triggering quote (monotonic ns), carried for tick-to-order.
    pub recv_ts_ns: u64,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Venue.
    pub venue: VenueId,
    /// Side.
    pub side: Side,
    /// Time in force.
    pub tif: TimeInForce,
}

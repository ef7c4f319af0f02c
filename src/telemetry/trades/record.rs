//! The trade log's record: one fixed-size `Copy` value per event of an order's life (sent, filled,
//! final), and the hot side that pushes it on the ring ([`TradeTx`]).
//!
//! The execution stage builds a record from what it already holds (the order, the answer's fill,
//! fee and venue order id) and pushes it; formatting and writing happen on the writer thread. A
//! full ring drops the record and counts it (`trades_log.dropped`) unless the log is lossless (a
//! replay), where the stage waits for room.

use crate::base::Counter;
use crate::model::{AssetCode, Fee, Order, Price, Qty, VenueOrderId};

/// Which event of an order's life a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeKind {
    /// The order's bytes were handed to the venue (or to the simulated one).
    Order,
    /// The venue reported executions: price, quantity and fee of the order's fills.
    Fill,
    /// The order reached its final state.
    Final,
}

/// Which order of its arbitrage an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegRole {
    /// The buy leg.
    Buy,
    /// The sell leg.
    Sell,
    /// A legging hedge (retry or unwind).
    Hedge,
}

impl LegRole {
    /// The role's name in the log.
    pub fn name(self) -> &'static str {
        match self {
            LegRole::Buy => "buy",
            LegRole::Sell => "sell",
            LegRole::Hedge => "hedge",
        }
    }
}

/// How an order ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalState {
    /// Completely filled.
    Filled,
    /// Partly filled, the rest cancelled or expired.
    PartiallyFilled,
    /// Nothing filled; the venue cancelled or expired it.
    Cancelled,
    /// The venue refused it (HTTP status or venue code).
    Rejected {
        /// The refusal's code (429 for a rate limit).
        code: u16,
    },
    /// A status query found no such order at the venue: it never reached the book.
    NotFound,
    /// Its fate stayed unknown past the status-query bound (`execution.reconcile.
    /// max_status_queries`): the engine stopped asking and counts its quantity as possible
    /// exposure; the venue's own order list is the truth for it.
    Lost,
}

impl FinalState {
    /// The state's name in the log.
    pub fn name(self) -> &'static str {
        match self {
            FinalState::Filled => "filled",
            FinalState::PartiallyFilled => "partially_filled",
            FinalState::Cancelled => "cancelled",
            FinalState::Rejected { .. } => "rejected",
            FinalState::NotFound => "not_found",
            FinalState::Lost => "lost",
        }
    }
}

/// One event of one order's life.
#[derive(Debug, Clone, Copy)]
pub struct TradeRecord {
    /// Which event.
    pub kind: TradeKind,
    /// When it happened (unix ns of the stage's clock).
    pub unix_ns: u64,
    /// The order as sent (id, venue, instrument, side, limit price, quantity).
    pub order: Order,
    /// Its place in the arbitrage.
    pub role: LegRole,
    /// `Fill`: average price of the fills; `Final`: of all fills (zero when none).
    pub px: Price,
    /// `Fill`: quantity filled; `Final`: the order's total filled quantity.
    pub qty: Qty,
    /// `Fill`: the fee, as the venue reported it or, when it reported none (the paper venue),
    /// as modelled from `venues[].taker_fee_bps` in the quote asset.
    pub fee: Fee,
    /// Whether `fee` is the engine's model rather than the venue's figure.
    pub fee_modelled: bool,
    /// The venue's own order id when an answer carried it.
    pub venue_order_id: VenueOrderId,
    /// `Final`: how it ended.
    pub state: FinalState,
    /// The instrument's base asset (what is bought and sold).
    pub base: AssetCode,
    /// The instrument's quote asset (what it is priced in).
    pub quote: AssetCode,
}

impl TradeRecord {
    /// An `Order` record for `order` at `unix_ns`.
    pub fn sent(
        order: Order,
        role: LegRole,
        unix_ns: u64,
        base: AssetCode,
        quote: AssetCode,
    ) -> Self {
        TradeRecord {
            kind: TradeKind::Order,
            unix_ns,
            order,
            role,
            px: Price::ZERO,
            qty: Qty::ZERO,
            fee: Fee::default(),
            fee_modelled: false,
            venue_order_id: VenueOrderId::EMPTY,
            state: FinalState::Cancelled,
            base,
            quote,
        }
    }
}

/// The hot side of the trade log: the execution stage's end of the ring.
pub struct TradeTx {
    pub(super) tx: rtrb::Producer<TradeRecord>,
    pub(super) dropped: Counter,
    pub(super) lossless: bool,
}

impl TradeTx {
    /// Push `r`. Never allocates; live, a full ring drops it (counted); lossless, waits for room.
    #[inline]
    pub fn log(&mut self, mut r: TradeRecord) {
        loop {
            match self.tx.push(r) {
                Ok(()) => return,
                Err(rtrb::PushError::Full(back)) => {
                    if !self.lossless || self.tx.is_abandoned() {
                        self.dropped.inc();
                        return;
                    }
                    r = back;
                    std::thread::yield_now();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{InstrumentId, OppId, OrderId, Side, TimeInForce, VenueId};
    use crate::telemetry::Registry;

    fn record(id: u64) -> TradeRecord {
        let o = Order {
            id: OrderId(id),
            opp: OppId(1),
            px: Price(1),
            qty: Qty(1),
            sent_ts_ns: 0,
            recv_ts_ns: 0,
            instrument: InstrumentId(0),
            venue: VenueId(0),
            side: Side::Buy,
            tif: TimeInForce::Ioc,
        };
        TradeRecord::sent(o, LegRole::Buy, 0, AssetCode::EMPTY, AssetCode::EMPTY)
    }

    #[test]
    fn a_full_ring_drops_and_counts_live() {
        let mut reg = Registry::new();
        let (tx, mut rx) = rtrb::RingBuffer::new(2);
        let dropped = reg.counter("trades_log.dropped");
        let mut t = TradeTx {
            tx,
            dropped: dropped.clone(),
            lossless: false,
        };
        for id in 1..=3 {
            t.log(record(id));
        }
        assert_eq!(dropped.get(), 1, "the third record found the ring full");
        assert_eq!(rx.pop().map(|r| r.order.id.0).ok(), Some(1));
        assert_eq!(rx.pop().map(|r| r.order.id.0).ok(), Some(2));
    }
}

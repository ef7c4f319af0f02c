//! What happened to a venue's orders, as the ledger records it for the private streams (Upbit's
//! `myOrder`): every acceptance, execution and close, in the order they happened, each with the
//! order as it stood right after. Once a private stream has subscribed
//! ([`RestVenue::subscribe_private`](super::state::RestVenue::subscribe_private)) the ledger
//! appends them under its lock (before that it records nothing); the venue drains them
//! after each operation ([`RestVenue::publish`](super::state::RestVenue::publish)), so they are
//! never kept longer than one request or one quote.

use super::book::MockOrder;

/// One change of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrderEvent {
    /// Taken by the book, before anything executed on arrival (Upbit `wait`).
    Accepted(MockOrder),
    /// One execution (Upbit `trade`).
    Trade(TradeEvent),
    /// Closed: fully executed, its IOC remainder expired, or cancelled (Upbit `done` / `cancel`).
    Closed(MockOrder),
}

/// One execution of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TradeEvent {
    /// The order after the execution (its fee charged).
    pub order: MockOrder,
    /// Quantity mantissa executed now.
    pub qty: i64,
    /// Quote amount executed now (price scale + qty scale).
    pub quote: i128,
    /// The fee of this execution (account scale, in the order's fee asset).
    pub fee: i128,
    /// Whether the order was the maker (it rested; an execution on arrival takes).
    pub maker: bool,
}

impl OrderEvent {
    /// The order as it stood after the event.
    pub fn order(&self) -> &MockOrder {
        match self {
            OrderEvent::Accepted(o) | OrderEvent::Closed(o) => o,
            OrderEvent::Trade(t) => &t.order,
        }
    }

    /// Whether the order can change no more after this event.
    pub fn is_final(&self) -> bool {
        matches!(self, OrderEvent::Closed(_))
    }
}

/// The order `m` as the book took it, before its execution on arrival.
pub(crate) fn as_accepted(m: &MockOrder) -> MockOrder {
    MockOrder {
        executed: 0,
        quote: 0,
        state: super::book::State::Open,
        fee: 0,
        fee_asset: String::new(),
        trades: 0,
        updated_ms: m.created_ms,
        ..m.clone()
    }
}

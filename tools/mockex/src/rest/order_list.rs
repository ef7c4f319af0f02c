//! The mock's own list of the orders it took ([`crate::MockExchange::rest_orders`]): what a test
//! compares an engine's trade log with, order by order, from the venue's side.

use super::book::{MockOrder, State};

/// One order a venue's REST side took, as the venue knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenOrder {
    /// The venue's order id (1, 2, ... per venue).
    pub order_id: u64,
    /// The client id it was placed with, if any.
    pub client_id: Option<String>,
    /// The symbol as sent.
    pub symbol: String,
    /// True for a buy.
    pub buy: bool,
    /// Quantity mantissa (the venue's qty scale).
    pub qty: i64,
    /// Executed quantity mantissa.
    pub executed: i64,
    /// `open`, `filled`, `expired` (an IOC's unfilled rest) or `canceled`.
    pub state: &'static str,
}

impl From<&MockOrder> for TakenOrder {
    fn from(o: &MockOrder) -> TakenOrder {
        TakenOrder {
            order_id: o.order_id,
            client_id: o.client_id.clone(),
            symbol: o.symbol.clone(),
            buy: o.buy,
            qty: o.qty,
            executed: o.executed,
            state: match o.state {
                State::Open => "open",
                State::Filled => "filled",
                State::Expired => "expired",
                State::Canceled => "canceled",
            },
        }
    }
}

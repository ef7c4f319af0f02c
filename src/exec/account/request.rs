//! What one account call asks ([`AccountRequest`]) and what it answers ([`AccountAnswer`]): one
//! request is one HTTP exchange with the venue.

use super::types::{Balance, CancelOutcome, OpenOrder, ServerTime, VenueRules};

/// One account call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRequest {
    /// Cancel the order placed with `client_id` on `symbol`.
    Cancel {
        /// The venue's symbol.
        symbol: String,
        /// The client id the order was placed with (the engine's `<prefix><order id>`).
        client_id: String,
    },
    /// The orders resting on the book, on `symbol` or (`None`) every symbol. `cursor` continues
    /// a paged answer (Bybit `nextPageCursor`, OKX `after`): the client follows it.
    OpenOrders {
        /// One symbol, or all.
        symbol: Option<String>,
        /// The page to continue from (`None`: the first).
        cursor: Option<String>,
    },
    /// Every non-zero balance.
    Balances,
    /// Trading rules of `symbols` (Binance also answers its `rateLimits`). Upbit answers one
    /// market per request (`/v1/orders/chance?market=`): give it exactly one symbol.
    Rules {
        /// The venue's symbols (empty: every instrument the venue lists; not for Upbit).
        symbols: Vec<String>,
    },
    /// The venue's clock.
    Time,
}

impl AccountRequest {
    /// A short name for messages (`cancel`, `open orders`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            AccountRequest::Cancel { .. } => "cancel",
            AccountRequest::OpenOrders { .. } => "open orders",
            AccountRequest::Balances => "balances",
            AccountRequest::Rules { .. } => "rules",
            AccountRequest::Time => "server time",
        }
    }
}

/// The parsed answer to one [`AccountRequest`], of the matching kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountAnswer {
    /// To [`AccountRequest::Cancel`].
    Cancel(CancelOutcome),
    /// To [`AccountRequest::OpenOrders`]: this page, and the cursor of the next one if any.
    OpenOrders {
        /// The orders of this page.
        orders: Vec<OpenOrder>,
        /// Where the next page starts (`None`: this was the last).
        next: Option<String>,
    },
    /// To [`AccountRequest::Balances`].
    Balances(Vec<Balance>),
    /// To [`AccountRequest::Rules`].
    Rules(VenueRules),
    /// To [`AccountRequest::Time`].
    Time(ServerTime),
}

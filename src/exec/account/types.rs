//! What the account API answers, venue-independent: balances, open orders, trading rules, rate
//! limits, server time and the outcome of a cancel. Amounts are exact ([`Amount`]), never `f64`;
//! these are cold-path values (they own their strings).

use super::amount::Amount;
use super::ticks::PriceBand;
use crate::model::Side;

/// One asset's balance on a venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// The venue's asset code (`BTC`, `KRW`, `USDT`).
    pub asset: String,
    /// Available to trade.
    pub free: Amount,
    /// Held by open orders (or otherwise frozen).
    pub locked: Amount,
}

/// Where an open order stands, as far as the open-orders answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderState {
    /// On the book, nothing filled.
    New,
    /// On the book, partly filled.
    PartiallyFilled,
    /// Any other state the venue reported for an order in its open list (its own word, e.g.
    /// Upbit's `watch` for a resting stop order, Binance's `PENDING_NEW`).
    Other(String),
}

/// One order resting on a venue's book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    /// The venue's symbol (`BTCUSDT`, `KRW-BTC`, `BTC-USDT`).
    pub symbol: String,
    /// The client id the order was placed with (empty when the venue has none for it).
    pub client_id: String,
    /// The venue's own order id.
    pub venue_order_id: String,
    /// Buy or sell.
    pub side: Side,
    /// Limit price.
    pub price: Amount,
    /// Ordered quantity (base asset).
    pub qty: Amount,
    /// Quantity filled so far.
    pub filled: Amount,
    /// Its state.
    pub state: OrderState,
}

/// How an instrument's price must be stepped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TickRule {
    /// One tick size at every price (Binance `PRICE_FILTER.tickSize`, Bybit `tickSize`, OKX
    /// `tickSz`).
    Fixed(Amount),
    /// A tick that depends on the price (Upbit's KRW and USDT markets): the first band whose
    /// `from` the price reaches, highest first. See [`super::ticks`].
    Bands(&'static [PriceBand]),
}

impl TickRule {
    /// The tick at `price`: `None` when the rule's table does not cover that price.
    pub fn at(&self, price: &Amount) -> Option<Amount> {
        match self {
            TickRule::Fixed(t) => Some(*t),
            TickRule::Bands(b) => super::ticks::tick_at(b, price),
        }
    }
}

/// One instrument's order rules: what a price and a quantity must satisfy to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradingRules {
    /// The venue's symbol.
    pub symbol: String,
    /// Price step.
    pub tick: TickRule,
    /// Quantity step (`None`: the venue publishes none).
    pub step: Option<Amount>,
    /// Smallest quantity (`None`: none published).
    pub min_qty: Option<Amount>,
    /// Smallest `price * qty` in the quote asset (`None`: none published).
    pub min_notional: Option<Amount>,
    /// Whether the venue says the instrument trades now (`TRADING`, `Trading`, `live`,
    /// `active`).
    pub trading: bool,
    /// The venue's numeric id of the instrument where it publishes one (OKX `instIdCode`, which
    /// its WebSocket `order` / `cancel-order` ops take in place of `instId`); `None` elsewhere.
    pub venue_code: Option<u64>,
}

/// What a venue-published rate limit counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitKind {
    /// Binance `REQUEST_WEIGHT`.
    RequestWeight,
    /// Binance `ORDERS`.
    Orders,
    /// Binance `RAW_REQUESTS`.
    RawRequests,
    /// Another type, as the venue names it.
    Other(String),
}

/// One published rate limit: at most `limit` of `kind` per `interval_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// What it counts.
    pub kind: RateLimitKind,
    /// The window: `intervalNum` times `interval` (SECOND, MINUTE, HOUR, DAY), in ms.
    pub interval_ms: u64,
    /// How many per window.
    pub limit: u64,
}

/// A venue's clock, as its server-time endpoint (or, for Upbit, a response's `Date` header) said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerTime {
    /// Unix time in ms (Upbit's `Date` header has whole seconds: the ms are then 0).
    pub unix_ms: u64,
}

/// What a cancel achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancelOutcome {
    /// The venue cancelled the order or accepted the cancel (Bybit, OKX and Upbit cancel
    /// asynchronously: the final state arrives later; query it to be sure).
    Cancelled,
    /// The order exists but is already final (filled or cancelled): nothing to cancel. Only OKX
    /// says so distinctly (51401, 51402).
    AlreadyFinal,
    /// The venue knows no open order by that client id. Binance (-2011 "Unknown order sent.",
    /// -2013), Bybit (110001, 170213) and Upbit (`order_not_found`) say this for an order that
    /// never existed *and* for one that is already final: query the order to tell them apart.
    NotFound,
}

/// The rules of a venue's instruments, and (Binance) the rate limits published with them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VenueRules {
    /// One entry per instrument found.
    pub instruments: Vec<TradingRules>,
    /// Binance `exchangeInfo.rateLimits`; empty for the other venues, which publish none there.
    pub rate_limits: Vec<RateLimit>,
}

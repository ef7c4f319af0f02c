//! What the REST side writes back ([`Answer`]) and every reason it refuses a request
//! ([`Refusal`]), venue-neutral: each venue's dialect (`binance`, `upbit`, `bybit`, `okx`) turns a
//! refusal into that venue's HTTP status and error body.

use super::auth::AuthError;

/// An answer to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Extra header lines (`Name: value\r\n`).
    pub headers: String,
    /// JSON body.
    pub body: String,
}

impl Answer {
    /// An answer with no extra headers.
    pub fn new(status: u16, body: String) -> Answer {
        Answer {
            status,
            headers: String::new(),
            body,
        }
    }
}

/// The reason phrase of `status`.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Which of an instrument's trading rules an order broke (Binance's filter names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// The price is not a multiple of the tick (Binance `PRICE_FILTER`).
    Tick,
    /// The quantity is not a multiple of the step (Binance `LOT_SIZE`).
    Step,
    /// The quantity is below the minimum (Binance `LOT_SIZE`).
    MinQty,
    /// Price times quantity is below the minimum notional (Binance `NOTIONAL`).
    MinNotional,
}

/// Why a request was refused, whatever the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No route for this method and path.
    NoRoute,
    /// Authentication failed.
    Auth(AuthError),
    /// A required parameter is absent (the venue's name for it).
    Missing(&'static str),
    /// A parameter's value is not one the venue takes.
    Invalid(&'static str),
    /// The symbol is not the venue's instrument.
    UnknownSymbol,
    /// The client order id was used before.
    Duplicate,
    /// No such order.
    OrderNotFound,
    /// The order is no longer open (cancel of a filled or cancelled order).
    NotOpen,
    /// The account cannot cover the order (also the reject fault); `buy` says which side.
    Insufficient {
        /// True for a buy (the quote asset is short), false for a sell (the base asset).
        buy: bool,
    },
    /// The order breaks an instrument rule.
    Rule(Rule),
    /// A rate limit: 429 (or the venue's own status) with its headers.
    Limited {
        /// The venue's status for it (Binance/Upbit 429 or 418, Bybit 200 or 403, OKX 429).
        status: u16,
        /// Seconds a client should wait.
        retry_after_s: u64,
        /// Unix ms when the limit resets (Bybit's `X-Bapi-Limit-Reset-Timestamp`).
        reset_ms: u64,
    },
    /// The server-error fault (5xx).
    ServerError,
}
